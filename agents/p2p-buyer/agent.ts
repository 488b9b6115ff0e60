import type { SnapshotFrom } from 'xstate';
import type { EnergyContract } from '../../src/contracts/model.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { CatalogPayload, ContractPayload, DiscoverPayload, SettlementReport } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { marketEconomics } from '../participant/economics.js';
import { intervalsOverlapping } from '../shared/ids.js';
import { start, step } from '../shared/machine.js';
import { canonicalJson, refusalOf } from '../shared/terms.js';
import { DeviationLink, findTradeOffers, intervalsPerRound, p2pContractId, p2pTransactionId, takeOffer, termsDiffer, tradeOf, type TradeOffer } from '../p2p-seller/index.js';
import { buyerDealMachine, type BuyerDealEffect, type BuyerDealEvent } from './machine.js';
import type { BuyerEntry } from './params.js';
import { rankOffers, type RankedOffer } from './policy.js';

type DealSnapshot = SnapshotFrom<typeof buyerDealMachine>;

/** The buyer's load over the run, kW: truth and its forecast. */
export interface BuyerProfiles {
  readonly loadKW: Float64Array;
  readonly loadForecastKW: Float64Array;
}

export interface BuyerOptions {
  readonly id: string;
  readonly meterId: string;
  readonly services: AgentServices;
  readonly entry: BuyerEntry;
  readonly sanctionedLoadKW: number;
  readonly profiles: BuyerProfiles;
}

/** One round's deal as the buyer sees it. */
interface Deal {
  readonly round: number;
  snapshot: DealSnapshot;
  /** Sellers asked, and those that answered. */
  readonly asked: ReadonlySet<string>;
  readonly answered: Set<string>;
  readonly offers: TradeOffer[];
  ranked: readonly RankedOffer[];
  /** The offer being taken, its contract as last exchanged, and the block. */
  current: RankedOffer | undefined;
  contract: EnergyContract | undefined;
  range: readonly [number, number] | undefined;
  readonly reports: SettlementReport[];
}

/** What a round came to, for tests and reports. */
export interface DealOutcome {
  readonly round: number;
  readonly state: string;
  readonly sellerId: string | undefined;
  readonly contract: EnergyContract | undefined;
  readonly reports: readonly SettlementReport[];
}

/**
 * A household buying fixed-price solar energy from its neighbours over Beckn (BAP), the DEG guide's
 * bilateral trade. Each trading round (a day of the run) it discovers every seller's offer (intent
 * energy-offer for the BUYER role, up to its price limit), ranks them by the expected gain of the
 * best block it could take against its retail cost (energy bought beyond its load is only worth the
 * excess value under its deviation contract), and works down the ranking — select, init (the seller
 * has the grid operator approve both meters), confirm — until a trade is ACTIVE. During delivery it
 * asks for the status after every settled interval until the seller reports the delivery completed.
 */
export class P2pBuyerAgent implements Agent {
  readonly kind = 'p2p-buyer';
  readonly meterIds: readonly string[];
  private readonly deviation: DeviationLink;
  private readonly deals = new Map<number, Deal>();
  private readonly perRound: number;

  constructor(private readonly o: BuyerOptions) {
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

  /** Every round so far. */
  outcomes(): readonly DealOutcome[] {
    return [...this.deals.values()].map((d) => ({ round: d.round, state: String(d.snapshot.value), sellerId: d.current?.offer.providerId, contract: d.contract, reports: [...d.reports] }));
  }

  onPhase(ctx: PhaseContext): void {
    const k = ctx.interval;
    if (ctx.phase === 'bid') {
      if (k === 0) this.deviation.request();
      if (k % this.perRound === 0) this.beginRound(k / this.perRound);
    } else if (ctx.phase === 'clear') {
      // The catalogues had until now to arrive; rank what came.
      const d = this.deals.get(Math.floor(k / this.perRound));
      if (d !== undefined && k % this.perRound === 0 && d.snapshot.value === 'discovering') this.rank(d);
    } else if (ctx.phase === 'dispatch') this.dispatch(k);
    else if (ctx.phase === 'settle') {
      for (const d of this.deals.values()) if (d.range !== undefined && d.range[0] <= k && k <= d.range[1]) this.drive(d, { type: 'SETTLED' });
    }
  }

  onMessage(msg: InboundMessage): void {
    if (this.deviation.onMessage(msg)) return;
    const d = [...this.deals.values()].find((x) => p2pTransactionId(x.round, this.o.id) === msg.transactionId);
    if (d === undefined) return;
    if (msg.action === 'on_discover') {
      d.answered.add(msg.from);
      d.offers.push(...findTradeOffers(msg.payload as CatalogPayload, msg.from));
      if (d.snapshot.value === 'discovering' && [...d.asked].every((s) => d.answered.has(s))) this.rank(d);
      return;
    }
    const p = msg.payload as Partial<ContractPayload>;
    if (p.kind !== 'contract' || p.contract === undefined || d.current === undefined || msg.from !== d.current.offer.providerId) return;
    const c = p.contract;
    if (msg.action === 'on_status') {
      if (p.settlement !== undefined && !d.reports.some((r) => r.reportId === p.settlement?.reportId)) d.reports.push(p.settlement);
      if (c.status === 'COMPLETED' || p.delivery?.status === 'COMPLETED') {
        d.contract = c;
        this.drive(d, { type: 'COMPLETED' });
      }
      return;
    }
    if (c.status === 'TERMINATED') return void this.drive(d, { type: 'REFUSED', reason: `${msg.action}: ${refusalOf(c) ?? 'TERMINATED'}` });
    const problem = this.checkAnswer(d, msg.action, c);
    if (problem !== undefined) return void this.drive(d, { type: 'REFUSED', reason: `${msg.action}: ${problem}` });
    d.contract = c;
    if (msg.action === 'on_select') this.drive(d, { type: 'QUOTED' });
    else if (msg.action === 'on_init') this.drive(d, { type: 'APPROVED' });
    else if (msg.action === 'on_confirm') this.drive(d, { type: 'ACTIVATED' });
  }

  onNack(n: NackNotice): void {
    if (this.deviation.onNack(n)) return;
    // One request per round is outstanding at a time: a refused select, init or confirm is the current deal's.
    if (n.action === 'select' || n.action === 'init' || n.action === 'confirm') {
      for (const d of this.deals.values()) {
        const v = String(d.snapshot.value);
        if (v === 'selecting' || v === 'initiating' || v === 'confirming') this.drive(d, { type: 'REFUSED', reason: `${n.action} refused: ${n.code} ${n.message}` });
      }
    } else this.o.services.record.note(0, `${this.o.id}: ${n.action} to ${n.to} refused (${n.code}: ${n.message})`);
  }

  actualPowerKW(meterId: string, k: number): number {
    return meterId === this.o.meterId ? -(this.o.profiles.loadKW[k] ?? 0) : 0;
  }

  // --- the round ------------------------------------------------------------------------------

  private beginRound(r: number): void {
    if (this.deals.has(r)) return;
    const sellers = new Set(this.o.services.directory.byKind('p2p-seller'));
    const d: Deal = { round: r, snapshot: start<typeof buyerDealMachine, BuyerDealEffect>(buyerDealMachine, undefined).snapshot, asked: sellers, answered: new Set(), offers: [], ranked: [], current: undefined, contract: undefined, range: undefined, reports: [] };
    this.deals.set(r, d);
    this.drive(d, { type: 'DISCOVER' });
    if (sellers.size === 0) this.rank(d);
  }

  private rank(d: Deal): void {
    const { clock, scenario } = this.o.services;
    const econ = marketEconomics(scenario, clock);
    const p = this.o.profiles;
    d.ranked = rankOffers(d.offers, {
      interval: (k) => ({ shortfallCostPerKWh: econ.shortfallCostPerKWh(k), excessValuePerKWh: econ.excessValuePerKWh, loadForecastKW: p.loadForecastKW[k] ?? 0 }),
      intervalsOf: (offer) => intervalsOverlapping(clock, offer.window),
      wheelingPerKWh: scenario.utility.wheelingPerKWh,
      forecastErrorSd: this.o.entry.forecastErrorSd,
      intervalHours: clock.intervalHours,
      maxImportKW: this.o.sanctionedLoadKW,
      minTradeKW: this.o.entry.minTradeKW,
    });
    this.drive(d, { type: 'RANKED', count: d.ranked.length });
  }

  /** Checks an answer keeps what the buyer asked for: the offer's terms, the buyer's role, no more energy than asked. */
  private checkAnswer(d: Deal, action: string, c: EnergyContract): string | undefined {
    const cur = d.current;
    const asked = d.contract;
    if (cur === undefined || asked === undefined) return 'no request outstanding';
    if (c.contractId !== asked.contractId) return `an answer about ${c.contractId}, not ${asked.contractId}`;
    const t = tradeOf(c);
    const h = this.o.services.clock.intervalHours;
    if (t === undefined || t.buyerId !== this.o.id || t.buyerMeterId !== this.o.meterId) return 'the contract does not name this buyer and its meter';
    if (t.pricePerKWh !== cur.offer.pricePerKWh) return `the price changed to ${t.pricePerKWh}`;
    if (action === 'on_select') {
      const differs = termsDiffer(cur.offer.contract, c);
      if (differs !== undefined) return `the quote changes the offer: ${differs}`;
    }
    const was = tradeOf(asked)?.contractedKWh ?? 0;
    if (t.contractedKWh > was + 1e-9) return `${t.contractedKWh} kWh per interval is more than asked (${was})`;
    if (t.contractedKWh < this.o.entry.minTradeKW * h - 1e-9) return `${(t.contractedKWh / h).toFixed(3)} kW is below the smallest trade worth making`;
    if (action === 'on_confirm') {
      if (c.status !== 'ACTIVE') return `the contract is ${c.status}`;
      if (canonicalJson({ ...c, status: 'PENDING' }) !== canonicalJson(asked)) return 'the confirmed contract differs from the one confirmed';
    } else if (c.status !== 'PENDING') return `the contract is ${c.status}`;
    return undefined;
  }

  private drive(d: Deal, event: BuyerDealEvent): void {
    const r = step<typeof buyerDealMachine, BuyerDealEffect>(buyerDealMachine, d.snapshot, event);
    d.snapshot = r.snapshot;
    const { net, record, clock, directory } = this.o.services;
    const txn = p2pTransactionId(d.round, this.o.id);
    const k = this.currentInterval();
    for (const e of r.effects) {
      switch (e.type) {
        case 'sendDiscover': {
          const payload: DiscoverPayload = { kind: 'discover', intent: { seek: 'energy-offer', openRole: 'BUYER', maxPricePerKWh: this.o.entry.maxPricePerKWh } };
          for (const seller of [...d.asked].sort()) net.request({ to: seller, action: 'discover', transactionId: txn, payload });
          break;
        }
        case 'sendSelect': {
          const ranked = d.ranked[e.at];
          if (ranked === undefined) break;
          const offer = ranked.offer;
          const perInterval = Number((ranked.powerKW * clock.intervalHours).toFixed(6));
          const taken = takeOffer(offer.contract, { contractId: p2pContractId(offer.providerId, this.o.id, d.round), createdAt: isoOf(net.nowMs()), buyerId: this.o.id, buyerMeterId: this.o.meterId, contractedKWh: perInterval });
          if (!taken.ok) {
            record.note(k, `${this.o.id}: cannot take ${offer.offerId}: ${taken.errors.map((x) => x.message).join('; ')}`);
            break;
          }
          d.current = ranked;
          d.contract = taken.value;
          d.range = undefined;
          net.request({ to: offer.providerId, action: 'select', transactionId: txn, payload: this.payload(d, taken.value) });
          break;
        }
        case 'sendInit':
        case 'sendConfirm':
          if (d.current !== undefined && d.contract !== undefined) net.request({ to: d.current.offer.providerId, action: e.type === 'sendInit' ? 'init' : 'confirm', transactionId: txn, payload: this.payload(d, d.contract) });
          break;
        case 'sendStatus':
          if (d.current !== undefined && d.contract !== undefined) net.request({ to: d.current.offer.providerId, action: 'status', transactionId: txn, payload: { kind: 'contractRef', contractId: d.contract.contractId } });
          break;
        case 'active':
          d.range = d.current === undefined ? undefined : intervalsOverlapping(clock, d.current.offer.window);
          break;
        case 'refused':
          record.note(k, `${this.o.id}: offer ${d.ranked[e.at]?.offer.offerId ?? '?'} refused in round ${d.round}: ${e.reason}`);
          break;
        case 'noDeal':
          record.note(k, `${this.o.id}: no bilateral trade in round ${d.round}: ${e.reason}${directory.utilityId === undefined ? ' (no grid operator)' : ''}`);
          break;
        case 'completed':
          break;
      }
    }
  }

  private payload(d: Deal, contract: EnergyContract): ContractPayload {
    const offer = d.current?.offer;
    const t = tradeOf(contract);
    const range = offer === undefined ? undefined : intervalsOverlapping(this.o.services.clock, offer.window);
    const total = t === undefined || range === undefined ? 0 : t.contractedKWh * (range[1] - range[0] + 1);
    return { kind: 'contract', contract, offerId: offer?.offerId ?? '', providerId: offer?.providerId ?? '', resources: [{ resourceId: offer?.resourceId ?? this.o.meterId, quantity: Number(total.toFixed(6)), unit: 'kWh' }] };
  }

  private dispatch(k: number): void {
    for (const d of this.deals.values()) {
      if (d.range === undefined || k < d.range[0] || k > d.range[1] || d.contract === undefined) continue;
      const t = tradeOf(d.contract);
      if (t === undefined) continue;
      const { record, grid, clock } = this.o.services;
      record.dispatch({ interval: k, participant: this.o.id, kind: this.kind, node: grid.nodeOfMeter(this.o.meterId), meterId: this.o.meterId, offeredMinKW: -(d.current?.powerKW ?? 0), offeredMaxKW: 0, clearedKW: -t.contractedKWh / clock.intervalHours, pricePerKWh: t.pricePerKWh });
    }
  }

  private currentInterval(): number {
    const c = this.o.services.clock;
    return Math.min(c.intervals - 1, Math.max(0, Math.floor((this.o.services.net.nowMs() - c.startMs) / c.intervalMs)));
  }
}
