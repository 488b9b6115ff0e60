import type { SnapshotFrom } from 'xstate';
import { transition as contractTransition } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { CatalogPayload, ContractPayload, ContractRefPayload, DiscoverPayload, EnergyDelivery, EnergyResource, MeterReading, SettlementReport } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { marketEconomics } from '../participant/economics.js';
import { intervalsOverlapping } from '../shared/ids.js';
import { start, step } from '../shared/machine.js';
import { canonicalJson, parameterValue, refusalOf, refusedContract, withRoleInputs } from '../shared/terms.js';
import { DeviationLink } from './deviation.js';
import { sellerTradeMachine, type SellerTradeEffect, type SellerTradeEvent } from './machine.js';
import type { SellerEntry, SellerSite } from './params.js';
import { bestWindow, hourWindows, type BlockInterval, type IntervalWindow } from './policy.js';
import { offerTemplate, p2pContractId, p2pGridTransactionId, p2pOfferId, p2pResourceId, sellerCatalog, termsDiffer, tradeOf, type SellerOffer } from './trade.js';

type TradeSnapshot = SnapshotFrom<typeof sellerTradeMachine>;

/** The seller's profiles over the run, kW: truth and what it plans on. */
export interface SellerProfiles {
  readonly pvKW: Float64Array;
  readonly loadKW: Float64Array;
  readonly pvForecastKW: Float64Array;
  readonly loadForecastKW: Float64Array;
}

export interface SellerOptions {
  readonly id: string;
  readonly meterId: string;
  /** Grid node of the meter. */
  readonly node: string;
  readonly services: AgentServices;
  readonly entry: SellerEntry;
  readonly site: SellerSite;
  readonly sanctionedLoadKW: number;
  readonly profiles: SellerProfiles;
}

/** One trade with one buyer. */
interface SellerTrade {
  readonly contractId: string;
  readonly buyerId: string;
  readonly round: number;
  readonly window: IntervalWindow;
  snapshot: TradeSnapshot;
  /** The contract as the seller last stated it. */
  contract: EnergyContract;
  /** Power held for the buyer, kW. */
  heldKW: number;
  /** The buyer's request awaiting an answer (init or confirm). */
  pending: InboundMessage | undefined;
  readonly payload: ContractPayload;
  lastReport: SettlementReport | undefined;
  readonly readings: MeterReading[];
}

/** The offer of a round and how much of its block buyers hold. */
interface RoundOffer {
  readonly offer: SellerOffer | undefined;
  heldKW: number;
}

/** How many intervals a trading round spans: one day. */
export function intervalsPerRound(intervalMinutes: number): number {
  return Math.round(1440 / intervalMinutes);
}

/**
 * A rooftop-PV owner selling fixed-price energy to neighbours over Beckn (BPP to buyers, BAP to the
 * grid operator), the DEG guide's bilateral trade. Per trading round (a day of the run) it offers
 * one constant block over the whole-hour window that, by its own PV and load forecasts, gains it
 * the most over selling the surplus at feed-in (a newsvendor choice: a shortfall is bought back at
 * retail under its deviation contract). Buyers discover the offer, select a quantity (held for
 * them), init — the seller cascades init to the grid operator, who approves the meters and the
 * largest trade they carry — and confirm — the seller cascades confirm, the operator locks the trade
 * against both meters' sanctioned load, and the seller records the contract ACTIVE. It answers
 * status with the delivery state, its meter readings and the last settlement of the trade until the
 * window is delivered.
 */
export class P2pSellerAgent implements Agent {
  readonly kind = 'p2p-seller';
  readonly meterIds: readonly string[];
  private readonly deviation: DeviationLink;
  private readonly rounds = new Map<number, RoundOffer>();
  private readonly trades = new Map<string, SellerTrade>();
  private readonly byGridTxn = new Map<string, SellerTrade>();
  private readonly actual = new Map<number, number>();
  private readonly perRound: number;

  constructor(private readonly o: SellerOptions) {
    this.meterIds = [o.meterId];
    this.deviation = new DeviationLink(o.id, o.meterId, o.sanctionedLoadKW, o.services);
    this.perRound = intervalsPerRound(o.services.clock.intervalMinutes);
  }

  get id(): string {
    return this.o.id;
  }

  /** State of the deviation contract formation. */
  deviationState(): string {
    return this.deviation.state();
  }

  /** The offer of round r (computed on first use), or undefined when nothing is worth offering. */
  offerOf(round: number): SellerOffer | undefined {
    return this.round(round).offer;
  }

  /** State of a trade's machine, by contract id. */
  tradeState(contractId: string): string | undefined {
    const t = this.trades.get(contractId);
    return t === undefined ? undefined : String(t.snapshot.value);
  }

  /** Power still free in round r's block, kW. */
  availableKW(round: number): number {
    const r = this.round(round);
    return r.offer === undefined ? 0 : Math.max(0, Number((r.offer.blockKW - r.heldKW).toFixed(6)));
  }

  onPhase(ctx: PhaseContext): void {
    if (ctx.phase === 'bid' && ctx.interval === 0) this.deviation.request();
    else if (ctx.phase === 'dispatch') this.deliveryStarts(ctx.interval);
    else if (ctx.phase === 'settle') this.settled(ctx.interval);
  }

  onMessage(msg: InboundMessage): void {
    if (this.deviation.onMessage(msg)) return;
    switch (msg.action) {
      case 'discover':
        return this.onDiscover(msg);
      case 'select':
        return this.onSelect(msg);
      case 'init':
        return this.onInit(msg);
      case 'confirm':
        return this.onConfirm(msg);
      case 'status':
        return this.onStatus(msg);
      case 'cancel':
        return this.onCancel(msg);
      case 'track': {
        const ref = msg.payload as ContractRefPayload;
        const t = this.trades.get(ref.contractId);
        return this.o.services.net.callback(msg, 'on_track', { kind: 'tracking', contractId: ref.contractId, url: `${this.o.services.directory.uriOf(this.o.id)}/track/${ref.contractId}`, active: t?.contract.status === 'ACTIVE' });
      }
      case 'rating':
        return this.o.services.net.callback(msg, 'on_rating', { kind: 'ratingReceipt' });
      case 'support':
        return this.o.services.net.callback(msg, 'on_support', { kind: 'supportInfo', name: this.o.id, url: this.o.services.directory.uriOf(this.o.id) });
      case 'update':
        return this.refuseUnknown(msg, 'unsupported-update', 'a bilateral block is fixed once confirmed; update is not used');
      case 'on_init':
      case 'on_confirm':
        return this.onGridAnswer(msg);
      default:
        return;
    }
  }

  onNack(n: NackNotice): void {
    if (this.deviation.onNack(n)) return;
    const t = this.byGridTxn.get(n.transactionId);
    if (t !== undefined) this.drive(t, { type: 'GRID_REFUSED', reason: `the grid operator could not be asked (${n.code})` });
    else this.o.services.record.note(this.currentInterval(), `${this.o.id}: ${n.action} to ${n.to} refused (${n.code}: ${n.message})`);
  }

  actualPowerKW(meterId: string, k: number): number {
    if (meterId !== this.o.meterId) return 0;
    let a = this.actual.get(k);
    if (a === undefined) {
      a = (this.o.profiles.pvKW[k] ?? 0) - (this.o.profiles.loadKW[k] ?? 0);
      this.actual.set(k, a);
    }
    return a;
  }

  // --- the offer ------------------------------------------------------------------------------

  private round(r: number): RoundOffer {
    let x = this.rounds.get(r);
    if (x === undefined) {
      x = { offer: this.computeOffer(r), heldKW: 0 };
      this.rounds.set(r, x);
    }
    return x;
  }

  /** The round's block: the best whole-hour window from `leadMinutes` after now, by the seller's forecasts. */
  private computeOffer(r: number): SellerOffer | undefined {
    const { services: svc, entry: e, profiles: p } = this.o;
    const clock = svc.clock;
    const utility = svc.directory.utilityId;
    if (utility === undefined) return undefined;
    const econ = marketEconomics(svc.scenario, clock);
    const h = clock.intervalHours;
    const first = r * this.perRound;
    const end = Math.min(clock.intervals, first + this.perRound);
    const earliestMs = svc.net.nowMs() + e.leadMinutes * 60_000;
    let earliest = first;
    while (earliest < end && clock.intervalStartMs(earliest) < earliestMs) earliest++;
    const perHour = Math.round(60 / clock.intervalMinutes);
    const windows = hourWindows(earliest, end, perHour, e.minWindowHours, e.maxWindowHours, (k) => clock.intervalStartMs(k) % 3_600_000 === 0);
    const intervalsOf = (w: IntervalWindow): BlockInterval[] => {
      const out: BlockInterval[] = [];
      for (let k = w.first; k <= w.last; k++) {
        const pv = p.pvForecastKW[k] ?? 0;
        const load = p.loadForecastKW[k] ?? 0;
        out.push({ marginPerKWh: e.pricePerKWh - econ.excessValuePerKWh, riskPerKWh: econ.shortfallCostPerKWh(k) - econ.excessValuePerKWh, meanKW: pv - load, sdKW: e.forecastErrorSd * Math.hypot(pv, load) });
      }
      return out;
    };
    const best = bestWindow(windows, intervalsOf, h, this.o.site.maxExportKW, e.minTradeKW);
    if (best === undefined) return undefined;
    const window = { start: clock.intervalStartIso(best.first), end: clock.intervalStartIso(best.last + 1) };
    const contract = offerTemplate({ sellerId: this.o.id, round: r, createdAt: isoOf(svc.net.nowMs()), currency: svc.scenario.currency, window, utilityId: utility, pricePerKWh: e.pricePerKWh, wheelingPerKWh: svc.scenario.utility.wheelingPerKWh, sellerMeterId: this.o.meterId });
    return { round: r, offerId: p2pOfferId(this.o.id, r), window, pricePerKWh: e.pricePerKWh, blockKW: best.powerKW, contract };
  }

  /** The round whose intervals are still to be traded now: the one holding the next interval to start. */
  private currentRound(): number {
    const c = this.o.services.clock;
    const next = Math.max(0, Math.ceil((this.o.services.net.nowMs() - c.startMs) / c.intervalMs));
    return Math.floor(next / this.perRound);
  }

  private resource(): EnergyResource {
    return { resourceId: p2pResourceId(this.o.id), resourceType: 'PV', meterId: this.o.meterId, gridNodeId: this.o.node, sourceType: 'SOLAR', deliveryMode: 'GRID_INJECTION', ratedPowerKW: this.o.site.pvKWp };
  }

  private onDiscover(msg: InboundMessage): void {
    const p = msg.payload as Partial<DiscoverPayload>;
    const intent = p.intent;
    const r = this.currentRound();
    const offer = r * this.perRound < this.o.services.clock.intervals ? this.round(r).offer : undefined;
    const wanted = intent?.seek === 'energy-offer' && intent.openRole === 'BUYER' && offer !== undefined && (intent.maxPricePerKWh === undefined || offer.pricePerKWh <= intent.maxPricePerKWh) && this.availableKW(r) >= this.o.entry.minTradeKW;
    const answer: CatalogPayload =
      wanted && offer !== undefined
        ? sellerCatalog({ sellerId: this.o.id, sellerUri: this.o.services.directory.uriOf(this.o.id), name: `Solar seller ${this.o.id}`, currency: this.o.services.scenario.currency, resource: this.resource(), offer, availableKW: this.availableKW(r), gridNodeId: this.o.node })
        : { kind: 'catalog', catalogs: [] };
    this.o.services.net.callback(msg, 'on_discover', answer);
  }

  // --- the trade --------------------------------------------------------------------------------

  private onSelect(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const c = p.contract;
    const r = this.currentRound();
    const offer = this.round(r).offer;
    const trade = tradeOf(c);
    const h = this.o.services.clock.intervalHours;
    const refuse = (why: string): void => this.o.services.net.callback(msg, 'on_select', { ...p, providerId: this.o.id, contract: refusedContract(c, 'SELLER', 'refused', why) });
    if (offer === undefined || p.offerId !== offer.offerId) return refuse(`no offer ${p.offerId} is open`);
    if (trade === undefined || trade.buyerId !== msg.from) return refuse('the contract must fill the BUYER role with the sender, its meter and the energy per interval');
    if (c.contractId !== p2pContractId(this.o.id, msg.from, r)) return refuse(`the trade is named ${p2pContractId(this.o.id, msg.from, r)}`);
    const differs = termsDiffer(offer.contract, c);
    if (differs !== undefined) return refuse(`the contract changes the offered terms: ${differs}`);
    const old = this.trades.get(c.contractId);
    if (old !== undefined && !['refused', 'expired', 'cancelled'].includes(String(old.snapshot.value))) return refuse(`${c.contractId} is already being traded`);
    if (old !== undefined) this.forget(old);
    const free = this.availableKW(r);
    const askedKW = trade.contractedKWh / h;
    const kW = Math.min(askedKW, free);
    if (!(kW >= this.o.entry.minTradeKW)) return refuse(`only ${free.toFixed(2)} kW of the block is free`);
    const quoted = kW === askedKW ? c : withRoleInputs(c, 'BUYER', { contractedKWh: Number((kW * h).toFixed(6)) });
    const range = intervalsOverlapping(this.o.services.clock, offer.window);
    if (range === undefined) return refuse('the offer window lies outside the run');
    const payload: ContractPayload = { ...p, providerId: this.o.id, contract: quoted };
    const t: SellerTrade = { contractId: c.contractId, buyerId: msg.from, round: r, window: { first: range[0], last: range[1] }, snapshot: start<typeof sellerTradeMachine, SellerTradeEffect>(sellerTradeMachine, undefined).snapshot, contract: quoted, heldKW: kW, pending: undefined, payload, lastReport: undefined, readings: [] };
    this.trades.set(t.contractId, t);
    this.round(r).heldKW += kW;
    this.o.services.net.callback(msg, 'on_select', payload);
  }

  private onInit(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const t = this.trades.get(p.contract.contractId);
    if (t === undefined || t.buyerId !== msg.from) return this.refuseUnknown(msg, 'unknown-contract', `select ${p.contract.contractId} first`);
    if (canonicalJson(p.contract) !== canonicalJson(t.contract)) return this.answerRefusal(msg, p.contract, 'the init changes the quoted contract');
    t.pending = msg;
    if (!this.drive(t, { type: 'INIT' })) this.answerRefusal(msg, p.contract, `the trade is ${String(t.snapshot.value)}`);
  }

  private onConfirm(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const t = this.trades.get(p.contract.contractId);
    if (t === undefined || t.buyerId !== msg.from) return this.refuseUnknown(msg, 'unknown-contract', `no trade ${p.contract.contractId} with ${msg.from}`);
    t.pending = msg;
    const same = canonicalJson(p.contract) === canonicalJson(t.contract);
    if (!this.drive(t, same ? { type: 'CONFIRM' } : { type: 'CONFIRM_DIFFERS', reason: 'the confirm changes the contract of on_init' })) this.answerRefusal(msg, p.contract, `the trade is ${String(t.snapshot.value)}`);
  }

  private onCancel(msg: InboundMessage): void {
    const ref = msg.payload as ContractRefPayload;
    const t = this.trades.get(ref.contractId);
    if (t === undefined || t.buyerId !== msg.from) return this.refuseUnknown(msg, 'unknown-contract', `no trade ${ref.contractId} with ${msg.from}`);
    t.pending = msg;
    if (!this.drive(t, { type: 'CANCEL' })) this.answerRefusal(msg, t.contract, `the trade cannot be withdrawn while ${String(t.snapshot.value)}`, 'on_cancel', false);
  }

  private onStatus(msg: InboundMessage): void {
    const ref = msg.payload as ContractRefPayload;
    const t = this.trades.get(ref.contractId);
    if (t === undefined || t.buyerId !== msg.from) return this.refuseUnknown(msg, 'unknown-contract', `no trade ${ref.contractId} with ${msg.from}`);
    this.o.services.net.callback(msg, 'on_status', { ...t.payload, contract: t.contract, delivery: this.delivery(t), ...(t.lastReport === undefined ? {} : { settlement: t.lastReport }) });
  }

  /** The grid operator's on_init / on_confirm on a cascade. */
  private onGridAnswer(msg: InboundMessage): void {
    const t = this.byGridTxn.get(msg.transactionId);
    const p = msg.payload as Partial<ContractPayload>;
    if (t === undefined || p.kind !== 'contract' || p.contract === undefined || msg.from !== this.o.services.directory.utilityId) return;
    const c = p.contract;
    if (c.status === 'TERMINATED') return void this.drive(t, { type: 'GRID_REFUSED', reason: `grid operator: ${refusalOf(c) ?? 'refused'}` });
    if (msg.action === 'on_init') {
      const h = this.o.services.clock.intervalHours;
      const approved = parameterValue(c, 'approvedMaxTradeKW') ?? 0;
      const kW = Math.min(t.heldKW, Math.floor(approved * 100 + 1e-9) / 100);
      if (!(kW >= this.o.entry.minTradeKW)) return void this.drive(t, { type: 'GRID_REFUSED', reason: `the grid operator approves only ${approved.toFixed(3)} kW for the two meters` });
      this.round(t.round).heldKW -= t.heldKW - kW;
      t.heldKW = kW;
      t.contract = kW * h === tradeOf(c)?.contractedKWh ? c : withRoleInputs(c, 'BUYER', { contractedKWh: Number((kW * h).toFixed(6)) });
      this.drive(t, { type: 'GRID_APPROVED' });
    } else if (msg.action === 'on_confirm') {
      if (c.status === 'ACTIVE') this.drive(t, { type: 'GRID_LOCKED' });
    }
  }

  /** Steps a trade's machine and carries out its effects; false when the event did not apply. */
  private drive(t: SellerTrade, event: SellerTradeEvent): boolean {
    const r = step<typeof sellerTradeMachine, SellerTradeEffect>(sellerTradeMachine, t.snapshot, event);
    if (!r.changed && r.effects.length === 0) return false;
    t.snapshot = r.snapshot;
    const { net, record, directory } = this.o.services;
    const utility = directory.utilityId;
    const gridTxn = p2pGridTransactionId(t.round, t.buyerId, this.o.id);
    for (const e of r.effects) {
      switch (e.type) {
        case 'sendGridInit':
        case 'sendGridConfirm':
          if (utility === undefined) {
            this.drive(t, { type: 'GRID_REFUSED', reason: 'no grid operator to approve the trade' });
            return true;
          }
          this.byGridTxn.set(gridTxn, t);
          net.request({ to: utility, action: e.type === 'sendGridInit' ? 'init' : 'confirm', transactionId: gridTxn, payload: { ...t.payload, contract: t.contract, providerId: utility, offerId: 'grid-approval' } });
          break;
        case 'answerInit':
          if (t.pending !== undefined) net.callback(t.pending, 'on_init', { ...t.payload, contract: t.contract });
          break;
        case 'activate': {
          const moved = contractTransition(t.contract, 'ACTIVE');
          if (!moved.ok) {
            record.note(this.currentInterval(), `${this.o.id}: ${t.contractId} cannot become ACTIVE: ${moved.errors.map((d) => d.message).join('; ')}`);
            break;
          }
          t.contract = moved.value;
          record.contractActive(t.contract, this.o.id);
          record.metric('p2pTradedKWh', (tradeOf(t.contract)?.contractedKWh ?? 0) * (t.window.last - t.window.first + 1));
          if (t.pending !== undefined) net.callback(t.pending, 'on_confirm', { ...t.payload, contract: t.contract });
          break;
        }
        case 'complete': {
          const moved = contractTransition(t.contract, 'COMPLETED');
          if (moved.ok) t.contract = moved.value;
          record.contractStatus(t.contractId, 'COMPLETED');
          break;
        }
        case 'refuse':
          if (t.pending !== undefined) this.answerRefusal(t.pending, t.contract, e.reason, e.answer);
          t.contract = refusedContract(t.contract, 'SELLER', 'refused', e.reason);
          break;
        case 'release':
          this.round(t.round).heldKW -= t.heldKW;
          t.heldKW = 0;
          break;
        case 'answerCancel':
          if (e.accepted) {
            t.contract = refusedContract(t.contract, 'SELLER', 'withdrawn', e.reason);
            if (t.pending !== undefined) net.callback(t.pending, 'on_cancel', { ...t.payload, contract: t.contract });
          } else if (t.pending !== undefined) this.answerRefusal(t.pending, t.contract, e.reason, 'on_cancel', false);
          break;
      }
    }
    return true;
  }

  // --- delivery ---------------------------------------------------------------------------------

  private deliveryStarts(k: number): void {
    let soldKW = 0;
    let price = 0;
    for (const t of this.trades.values()) {
      if (t.window.first === k) this.drive(t, { type: 'DELIVERY_STARTS' });
      if (t.snapshot.value === 'active' && t.window.first <= k && k <= t.window.last) {
        soldKW += t.heldKW;
        price = tradeOf(t.contract)?.pricePerKWh ?? price;
      }
    }
    if (soldKW > 0) {
      const { record, grid } = this.o.services;
      record.dispatch({ interval: k, participant: this.o.id, kind: this.kind, node: grid.nodeOfMeter(this.o.meterId), meterId: this.o.meterId, offeredMinKW: 0, offeredMaxKW: this.o.site.maxExportKW, clearedKW: soldKW, pricePerKWh: price });
    }
  }

  private settled(k: number): void {
    const { clock, record } = this.o.services;
    const reports = record.settlementReports(this.o.id, k);
    const window = { start: clock.intervalStartIso(k), end: clock.intervalStartIso(k + 1) };
    const kwh = this.actualPowerKW(this.o.meterId, k) * clock.intervalHours;
    for (const t of this.trades.values()) {
      if (t.window.first > k || k > t.window.last || t.snapshot.value !== 'active') continue;
      t.lastReport = reports.find((r) => r.contractId === t.contractId) ?? t.lastReport;
      t.readings.push({ meterId: this.o.meterId, interval: window, importKWh: round6(Math.max(0, -kwh)), exportKWh: round6(Math.max(0, kwh)), netKWh: round6(kwh), averagePowerKW: round6(kwh / clock.intervalHours), quality: 'MEASURED' });
      if (t.window.last === k) this.drive(t, { type: 'DELIVERED' });
    }
  }

  /** The delivery state of a trade: pending before the window, then in progress, then completed; with the seller's meter readings. */
  private delivery(t: SellerTrade): EnergyDelivery {
    const clock = this.o.services.clock;
    const state = String(t.snapshot.value);
    const status = state === 'completed' ? 'COMPLETED' : state === 'active' ? (t.readings.length > 0 ? 'IN_PROGRESS' : 'PENDING') : state === 'refused' || state === 'expired' || state === 'cancelled' ? 'FAILED' : 'PENDING';
    return {
      deliveryId: `${t.contractId}-delivery`,
      status,
      window: { start: clock.intervalStartIso(t.window.first), end: clock.intervalStartIso(t.window.last + 1) },
      ...(t.readings.length === 0 ? {} : { meterReadings: t.readings.slice(-1) }),
    };
  }

  // --- helpers --------------------------------------------------------------------------------

  private forget(t: SellerTrade): void {
    this.trades.delete(t.contractId);
    for (const [txn, x] of this.byGridTxn) if (x === t) this.byGridTxn.delete(txn);
  }

  private contractPayload(msg: InboundMessage): ContractPayload | undefined {
    const p = msg.payload as Partial<ContractPayload>;
    if (p.kind === 'contract' && p.contract !== undefined) return p as ContractPayload;
    this.o.services.record.note(this.currentInterval(), `${this.o.id}: ${msg.action} from ${msg.from} carries no contract`);
    return undefined;
  }

  /** Answers a request with the contract TERMINATED (or, for a refused cancel, unchanged) and the reason in the SELLER role. */
  private answerRefusal(msg: InboundMessage, c: EnergyContract, reason: string, action = `on_${msg.action}`, terminate = true): void {
    const p = msg.payload as Partial<ContractPayload>;
    const base = this.trades.get(c.contractId)?.payload ?? (p.kind === 'contract' ? (p as ContractPayload) : this.stub(c.contractId, reason));
    const contract = terminate ? refusedContract(c, 'SELLER', 'refused', reason) : withRoleInputs(c, 'SELLER', { refusal: `refused: ${reason}` });
    this.o.services.net.callback(msg, action, { ...base, providerId: this.o.id, contract });
  }

  /** Answers a request about a trade the seller does not hold. */
  private refuseUnknown(msg: InboundMessage, code: string, reason: string): void {
    const p = msg.payload as Partial<ContractPayload> & Partial<ContractRefPayload>;
    const id = p.contract?.contractId ?? p.contractId ?? 'unknown';
    const payload = p.kind === 'contract' && p.contract !== undefined ? { ...(p as ContractPayload), providerId: this.o.id, contract: refusedContract(p.contract, 'SELLER', code, reason) } : this.stub(id, `${code}: ${reason}`);
    this.o.services.net.callback(msg, `on_${msg.action}`, payload);
  }

  private stub(contractId: string, refusal: string): ContractPayload {
    const contract: EnergyContract = {
      contractId,
      status: 'TERMINATED',
      createdAt: isoOf(this.o.services.net.nowMs()),
      currency: this.o.services.scenario.currency,
      roles: [{ role: 'SELLER', filled: true, filledBy: this.o.id, roleInputs: { refusal } }],
      revenueFlows: { flows: [], netZero: true },
    };
    return { kind: 'contract', contract, offerId: p2pOfferId(this.o.id, this.currentRound()), providerId: this.o.id, resources: [{ resourceId: p2pResourceId(this.o.id), quantity: 0, unit: 'kWh' }] };
  }

  private currentInterval(): number {
    const c = this.o.services.clock;
    return Math.min(c.intervals - 1, Math.max(0, Math.floor((this.o.services.net.nowMs() - c.startMs) / c.intervalMs)));
  }
}

function round6(x: number): number {
  const v = Number(x.toFixed(6));
  return v === 0 ? 0 : v;
}
