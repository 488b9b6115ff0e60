import type { SnapshotFrom } from 'xstate';
import type { Diagnostic } from '../../src/diagnostics.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import { transition as contractTransition } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { CLEARING_PRICE_SIGNAL, marketImbalanceInputs, marketWheelingInputs, payAsClearInputs } from '../../src/contracts/templates/index.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { clearMarket, parseMarketInput, type ClearingResult, type MarketInput } from '../../src/market/index.js';
import type { CommittedResource, ContractPayload, ContractRefPayload, EnergyDelivery, EnergyResourceType, SettlementReport } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import {
  gridTransactionId,
  imbalanceContractId,
  intervalOfPayAsClear,
  intervalWindow,
  marketTransactionId,
  PAY_AS_CLEAR_OFFER_ID,
  setupTransactionId,
  wheelingContractId,
} from '../shared/ids.js';
import { start, step } from '../shared/machine.js';
import { bidContract, bidTermVariants, checkBidTerms, termsOf } from '../shared/market-contract.js';
import { isResourceType, resourceTypeOfKind, setpointWithCommand, type SetpointSpec } from '../shared/setpoint.js';
import { imbalanceContract, runWindow, standingContractMachine, wheelingContract, type StandingEffect, type StandingEvent } from '../shared/standing.js';
import { refusalOf, refusedContract, roleInput, roleOf, stringRoleInput, parameterValue, withParameters, withRoleInputs } from '../shared/terms.js';
import { marketCatalog, marketResourceId, offerTemplateId, seeksMarket } from './catalog.js';
import { mcaTransactionMachine, type ClearedOutcome, type McaEffect, type McaTxEvent } from './machine.js';
import type { McaParams } from './params.js';
import { clipCurve, gridNodesFromCatalog, marketInputFor, marketNumber, marketTotals, type CatalogGridNode } from './policy.js';

type TxSnapshot = SnapshotFrom<typeof mcaTransactionMachine>;
type StandingSnapshot = SnapshotFrom<typeof standingContractMachine>;

/** One participant's bid for one interval, as the MCA holds it. */
interface Tx {
  readonly contractId: string;
  readonly interval: number;
  readonly participantId: string;
  readonly meterId: string;
  readonly resourceType: EnergyResourceType;
  readonly resources: readonly CommittedResource[];
  /** The curve as bid (before the grid operator's limits). */
  readonly bidCurve: OfferCurve;
  readonly initMsg: InboundMessage;
  snapshot: TxSnapshot;
  /** The contract as the MCA last stated it: bid, offered, cleared, active, completed or terminated. */
  contract: EnergyContract;
  confirmMsg: InboundMessage | undefined;
  report: SettlementReport | undefined;
  /** Terms of the offered contract, approvals aside, once a confirm has been checked against them. */
  offeredTerms?: string;
}

/** One of the market's standing contracts with the utility. */
interface Standing {
  readonly offerId: string;
  readonly transactionId: string;
  snapshot: StandingSnapshot;
  contract: EnergyContract | undefined;
}

/** Approval parameters the utility adds to a bid. */
const APPROVAL_PARAMS = ['approvedMaxImportKW', 'approvedMaxExportKW', 'locationalAdderPerKWh'] as const;

/**
 * The Market Clearing Agent (BPP to participants, BAP to the utility). It answers discover with
 * its pay-as-clear offer; takes each participant's bid (init), has the utility approve the meter
 * (cascaded init) and answers with the approved limits and fees; takes confirms until gate
 * closure; clears the confirmed curves with `clearMarket`; has the utility lock each trade
 * (cascaded confirm); and only then answers each participant's confirm with on_confirm: contract
 * ACTIVE, the clearing price as a signal, the setpoint with its device command. Its virtual meter
 * is promised to net zero; whatever the locked trades do not balance is its imbalance.
 *
 * Every request gets an answer: a bad one a TERMINATED contract naming the problem. Nothing
 * thrown inside is let out: a defect becomes a refusal and a note in the run log.
 */
export class MarketClearingAgent implements Agent {
  readonly kind = 'mca';
  readonly meterIds: readonly string[] = [];

  private readonly txs = new Map<string, Tx>();
  private readonly byGridTxn = new Map<string, Tx>();
  private readonly byInterval = new Map<number, Tx[]>();
  private readonly standing = new Map<string, Standing>();
  /** The terms a bid may carry (with or without zero-rate tax lines); the same for every bid. */
  private readonly termVariants: readonly EnergyContract[];
  private grid: readonly CatalogGridNode[] | undefined;
  private gridRequested = false;

  /**
   * `observer`, when given, sees every market the agent clears (the exact `degsim clear` input) and
   * its result, e.g. to write the market files of a run or to compare in a test.
   */
  constructor(
    readonly id: string,
    private readonly params: McaParams,
    private readonly services: AgentServices,
    private readonly observer?: (k: number, input: MarketInput, result: ClearingResult) => void,
  ) {
    const catalog = marketCatalog(id, services.directory.uriOf(id), params, services.clock.intervalStartIso(0));
    const contract = catalog.catalogs[0]?.offers[0]?.attributes.contract;
    if (contract === undefined) throw new Error('the market catalogue has no offer contract');
    const variants = bidTermVariants((zero) =>
      bidContract({
        offerContract: contract,
        contractId: offerTemplateId(id),
        createdAt: services.clock.intervalStartIso(0),
        window: intervalWindow(services.clock, 0),
        participantId: 'participant',
        meterId: 'meter',
        offerCurve: { currency: params.currency, minExport: 0, maxExport: 0, curve: [{ price: params.priceFloor, powerKW: 0 }] },
        governmentId: services.directory.governmentId,
        feeTaxPct: params.feeTaxPct,
        dutyPerKWh: params.dutyPerKWh,
        zeroRateLines: zero,
      }),
    );
    if (!variants.ok) throw new Error(`the offer template cannot be taxed: ${variants.errors.map((d) => d.message).join('; ')}`);
    this.termVariants = variants.value;
  }

  /** The state of a participant's transaction for interval k, for tests and reports. */
  transactionState(k: number, participantId: string): string | undefined {
    const tx = this.txs.get(`pac-i${k}-${participantId}`);
    return tx === undefined ? undefined : String(tx.snapshot.value);
  }

  /** The grid the utility published, once its catalogue has arrived. */
  gridNodes(): readonly CatalogGridNode[] | undefined {
    return this.grid;
  }

  onPhase(ctx: PhaseContext): void {
    try {
      if (ctx.phase === 'bid' && ctx.interval === 0) this.setup();
      else if (ctx.phase === 'clear') this.clear(ctx.interval);
      else if (ctx.phase === 'dispatch') this.deliveryStarts(ctx.interval);
      else if (ctx.phase === 'settle') this.settle(ctx.interval);
    } catch (e) {
      this.defect(ctx.interval, `${ctx.phase} phase`, e);
    }
  }

  onMessage(msg: InboundMessage): void {
    try {
      this.handle(msg);
    } catch (e) {
      this.defect(this.currentInterval(), `${msg.action} from ${msg.from}`, e);
      const p = msg.payload as Partial<ContractPayload>;
      if (!msg.action.startsWith('on_') && p.kind === 'contract' && p.contract !== undefined) {
        this.answer(msg, `on_${msg.action}`, this.payloadFor(p as ContractPayload, refusedContract(p.contract, 'MARKET_CLEARING_AGENT', 'internal-error', 'the market could not process the request')));
      }
    }
  }

  onNack(n: NackNotice): void {
    const k = this.currentInterval();
    this.services.record.metric('marketNacks', 1);
    this.services.record.note(k, `${this.id}: ${n.action} to ${n.to} refused (${n.code}: ${n.message})`);
    const s = this.standingByTxn(n.transactionId);
    if (s !== undefined) {
      this.stepStanding(s, { type: 'REFUSED', reason: `${n.code}: ${n.message}` });
      return;
    }
    const tx = this.byGridTxn.get(n.transactionId);
    if (tx === undefined) return;
    if (n.action === 'init') this.apply(tx, { type: 'GRID_REFUSED', reason: `the grid operator could not be asked (${n.code})` });
    else if (n.action === 'confirm') this.apply(tx, { type: 'LOCK_REFUSED', reason: `the grid operator could not be asked (${n.code})` });
  }

  // --- routing -------------------------------------------------------------------------------

  private handle(msg: InboundMessage): void {
    switch (msg.action) {
      case 'discover':
        return this.onDiscover(msg);
      case 'init':
        return this.onInit(msg);
      case 'confirm':
        return this.onConfirm(msg);
      case 'cancel':
        return this.onCancel(msg);
      case 'status':
        return this.onStatus(msg);
      case 'select':
      case 'update':
        return this.refuseContractRequest(msg);
      case 'track': {
        const ref = msg.payload as ContractRefPayload;
        const tx = this.txs.get(ref.contractId);
        return this.answer(msg, 'on_track', { kind: 'tracking', contractId: ref.contractId, url: `${this.services.directory.uriOf(this.id)}/track/${ref.contractId}`, active: tx?.contract.status === 'ACTIVE' });
      }
      case 'rating':
        return this.answer(msg, 'on_rating', { kind: 'ratingReceipt' });
      case 'support':
        return this.answer(msg, 'on_support', { kind: 'supportInfo', name: this.params.name, url: this.services.directory.uriOf(this.id), channels: ['WEB'] });
      case 'on_discover':
      case 'on_init':
      case 'on_confirm':
      case 'on_cancel':
      case 'on_status':
        return this.onUtilityCallback(msg);
      default:
        this.services.record.note(this.currentInterval(), `${this.id}: ignored ${msg.action} from ${msg.from}`);
    }
  }

  private onDiscover(msg: InboundMessage): void {
    const p = msg.payload as { readonly kind: string; readonly intent?: Parameters<typeof seeksMarket>[0] };
    const match = p.kind === 'discover' && p.intent !== undefined && seeksMarket(p.intent);
    this.answer(msg, 'on_discover', match ? marketCatalog(this.id, this.services.directory.uriOf(this.id), this.params, this.nowIso()) : { kind: 'catalog', catalogs: [] });
  }

  // --- bids ----------------------------------------------------------------------------------

  private onInit(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const c = p.contract;
    const pid = msg.from;
    const errors: Diagnostic[] = [];
    const err = (code: string, path: string, message: string): void => void errors.push({ code, path, message });
    const k = intervalOfPayAsClear(c.contractId, pid);
    const clock = this.services.clock;
    if (k === undefined) err('bid.contract-id', 'contract.contractId', `a bid of ${pid} is named pac-i<interval>-${pid}, not ${c.contractId}`);
    else {
      if (k >= clock.intervals) err('bid.interval', 'contract.contractId', `interval ${k} is beyond the run (${clock.intervals} intervals)`);
      else if (this.services.net.nowMs() > this.gateMs(k)) err('bid.gate-closed', 'contract.contractId', `the gate of interval ${k} closed at ${isoOf(this.gateMs(k))}`);
      if (msg.transactionId !== marketTransactionId(k, pid)) err('bid.transaction', 'context.transactionId', `the bid for interval ${k} belongs to transaction ${marketTransactionId(k, pid)}`);
      if (this.txs.has(c.contractId)) err('bid.duplicate', 'contract.contractId', `${pid} has already bid for interval ${k}`);
      const w = intervalWindow(clock, k);
      if (c.validity?.start !== w.start || c.validity.end !== w.end) err('bid.validity', 'contract.validity', `the contract must cover interval ${k}: ${w.start} to ${w.end}`);
    }
    if (p.offerId !== PAY_AS_CLEAR_OFFER_ID) err('bid.offer', 'offerId', `the market's offer is ${PAY_AS_CLEAR_OFFER_ID}, not ${p.offerId}`);
    if (p.providerId !== this.id) err('bid.provider', 'providerId', `the provider is ${this.id}, not ${p.providerId}`);
    if (c.status !== 'PENDING') err('bid.status', 'contract.status', `a bid is PENDING, not ${c.status}`);
    if (c.template !== 'pay-as-clear/participant') err('bid.template', 'contract.template', `a bid follows template pay-as-clear/participant, not ${c.template ?? 'none'}`);
    const prosumer = roleOf(c, 'PROSUMER');
    if (prosumer?.filledBy !== pid) err('bid.role', 'contract.roles', `the PROSUMER role must be filled by the sender ${pid}`);
    const meterId = stringRoleInput(c, 'PROSUMER', 'meterId');
    if (meterId === undefined || meterId === '') err('bid.meter', 'contract.roles.PROSUMER.meterId', 'the PROSUMER role needs its meterId');
    const declared = roleInput(c, 'PROSUMER', 'resourceType');
    if (declared !== undefined && !isResourceType(declared)) err('bid.resource-type', 'contract.roles.PROSUMER.resourceType', `unknown resource type ${String(declared)}`);
    const curve = roleInput(c, 'PROSUMER', 'offerCurve');
    errors.push(...this.checkCurve(curve));
    if (meterId !== undefined && !p.resources.some((r) => r.resourceId === meterId)) err('bid.resources', 'resources', `the committed resources must name the meter ${meterId}`);
    if (errors.length === 0) errors.push(...checkBidTerms(c, this.termVariants));
    this.services.record.metric('marketBids', 1);
    if (errors.length > 0 || k === undefined || meterId === undefined) {
      this.services.record.metric('marketRefusedBids', 1);
      this.answer(msg, 'on_init', this.payloadFor(p, refusedContract(c, 'MARKET_CLEARING_AGENT', errors[0]?.code ?? 'bid.invalid', summary(errors))));
      return;
    }
    const tx: Tx = {
      contractId: c.contractId,
      interval: k,
      participantId: pid,
      meterId,
      resourceType: isResourceType(declared) ? declared : resourceTypeOfKind(this.services.directory.kindOf(pid)),
      resources: p.resources,
      bidCurve: curve as OfferCurve,
      initMsg: msg,
      snapshot: undefined as unknown as TxSnapshot,
      contract: c,
      confirmMsg: undefined,
      report: undefined,
    };
    this.txs.set(tx.contractId, tx);
    const list = this.byInterval.get(k);
    if (list === undefined) this.byInterval.set(k, [tx]);
    else list.push(tx);
    const first = start<typeof mcaTransactionMachine, McaEffect>(mcaTransactionMachine, { interval: k, participantId: pid, hasUtility: this.services.directory.utilityId !== undefined });
    tx.snapshot = first.snapshot;
    this.run(tx, first.effects, msg);
  }

  private onConfirm(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const c = p.contract;
    const tx = this.txs.get(c.contractId);
    if (tx === undefined || tx.participantId !== msg.from) {
      this.answer(msg, 'on_confirm', this.payloadFor(p, refusedContract(c, 'MARKET_CLEARING_AGENT', 'unknown-contract', `no open bid ${c.contractId} of ${msg.from} (unknown, or its interval is over)`)));
      return;
    }
    if (tx.snapshot.value !== 'offered') {
      this.apply(tx, { type: 'CONFIRM', curve: tx.bidCurve }, msg);
      return;
    }
    const problems = this.checkConfirm(tx, msg, c);
    if (problems.length > 0) {
      this.apply(tx, { type: 'CONFIRM_INVALID', reason: summary(problems) }, msg);
      return;
    }
    tx.confirmMsg = msg;
    this.apply(tx, { type: 'CONFIRM', curve: clipCurve(roleInput(c, 'PROSUMER', 'offerCurve') as OfferCurve, tx.snapshot.context.limits) }, msg);
  }

  private checkConfirm(tx: Tx, msg: InboundMessage, c: EnergyContract): Diagnostic[] {
    const out: Diagnostic[] = [];
    if (msg.transactionId !== tx.initMsg.transactionId) out.push({ code: 'confirm.transaction', path: 'context.transactionId', message: 'the confirm must continue the transaction of the init' });
    if (c.status !== 'PENDING') out.push({ code: 'confirm.status', path: 'contract.status', message: `a confirmed bid is PENDING until the market clears, not ${c.status}` });
    if (stringRoleInput(c, 'PROSUMER', 'meterId') !== tx.meterId) out.push({ code: 'confirm.meter', path: 'contract.roles.PROSUMER.meterId', message: `the meter must stay ${tx.meterId}` });
    const curveProblems = this.checkCurve(roleInput(c, 'PROSUMER', 'offerCurve'));
    out.push(...curveProblems);
    tx.offeredTerms ??= termsWithoutApprovals(tx.contract);
    if (termsWithoutApprovals(c) !== tx.offeredTerms) out.push({ code: 'confirm.terms', path: 'contract', message: 'the confirm changes the terms of the offered contract' });
    return out;
  }

  private onCancel(msg: InboundMessage): void {
    const ref = msg.payload as ContractRefPayload;
    const tx = this.txs.get(ref.contractId);
    if (tx === undefined || tx.participantId !== msg.from) {
      this.answer(msg, 'on_cancel', this.stubPayload(ref.contractId, 'unknown-contract', `no open bid ${ref.contractId} of ${msg.from}`));
      return;
    }
    if (!this.apply(tx, { type: 'CANCEL' }, msg)) {
      this.answer(msg, 'on_cancel', this.payloadOf(tx, refusedContract(tx.contract, 'MARKET_CLEARING_AGENT', 'not-cancellable', `the bid is ${String(tx.snapshot.value)}; after gate closure the clearing outcome is binding`)));
    }
  }

  private onStatus(msg: InboundMessage): void {
    const ref = msg.payload as ContractRefPayload;
    const tx = this.txs.get(ref.contractId);
    if (tx === undefined || tx.participantId !== msg.from) {
      this.answer(msg, 'on_status', this.stubPayload(ref.contractId, 'unknown-contract', `no bid ${ref.contractId} of ${msg.from} is held (unknown, or its interval is settled)`));
      return;
    }
    this.answer(msg, 'on_status', { ...this.payloadOf(tx, tx.contract), ...(tx.report === undefined ? {} : { settlement: tx.report }) });
  }

  private refuseContractRequest(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const why = msg.action === 'select' ? 'the market has no select: send init with an offer curve' : 'a bid cannot be changed; cancel it and bid again before gate closure';
    this.answer(msg, `on_${msg.action}`, this.payloadFor(p, refusedContract(p.contract, 'MARKET_CLEARING_AGENT', `unsupported-${msg.action}`, why)));
  }

  // --- the utility ---------------------------------------------------------------------------

  private setup(): void {
    const utility = this.services.directory.utilityId;
    if (utility === undefined || this.gridRequested) return;
    this.gridRequested = true;
    this.services.net.request({ to: utility, action: 'discover', transactionId: setupTransactionId(this.id, 'grid'), payload: { kind: 'discover', intent: { seek: 'grid-topology' } } });
  }

  private onUtilityCallback(msg: InboundMessage): void {
    const utility = this.services.directory.utilityId;
    if (msg.from !== utility) {
      this.services.record.note(this.currentInterval(), `${this.id}: ignored ${msg.action} from ${msg.from}, who is not the grid operator`);
      return;
    }
    if (msg.action === 'on_discover') return this.onGridCatalog(msg);
    const s = this.standingByTxn(msg.transactionId);
    if (s !== undefined) return this.onStandingCallback(s, msg);
    const tx = this.byGridTxn.get(msg.transactionId);
    const p = msg.payload as Partial<ContractPayload>;
    if (tx === undefined || p.kind !== 'contract' || p.contract === undefined) {
      if (msg.action !== 'on_status') this.services.record.note(this.currentInterval(), `${this.id}: ignored ${msg.action} for unknown transaction ${msg.transactionId}`);
      return;
    }
    const c = p.contract;
    if (msg.action === 'on_init') {
      if (c.status === 'TERMINATED') return void this.apply(tx, { type: 'GRID_REFUSED', reason: refusalOf(c) ?? 'refused by the grid operator' });
      const imp = parameterValue(c, 'approvedMaxImportKW');
      const exp = parameterValue(c, 'approvedMaxExportKW');
      if (imp === undefined || exp === undefined || imp < 0 || exp < 0) return void this.apply(tx, { type: 'GRID_REFUSED', reason: 'the grid operator approved no limits for the meter' });
      const node = stringRoleInput(c, 'PROSUMER', 'gridNodeId');
      const adder = parameterValue(c, 'locationalAdderPerKWh');
      this.apply(tx, { type: 'GRID_APPROVED', limits: { maxImportKW: imp, maxExportKW: exp }, ...(node === undefined ? {} : { gridNodeId: node }), ...(adder === undefined ? {} : { pathAdderPerKWh: adder }) });
    } else if (msg.action === 'on_confirm') {
      if (c.status === 'ACTIVE') this.apply(tx, { type: 'LOCKED' });
      else this.apply(tx, { type: 'LOCK_REFUSED', reason: refusalOf(c) ?? 'the grid operator did not lock the trade' });
    }
  }

  private onGridCatalog(msg: InboundMessage): void {
    const p = msg.payload as { readonly kind: string };
    const nodes = p.kind === 'catalog' ? gridNodesFromCatalog(msg.payload as Parameters<typeof gridNodesFromCatalog>[0]) : undefined;
    if (nodes === undefined || !nodes.ok) {
      this.services.record.note(this.currentInterval(), `${this.id}: the grid catalogue cannot be used (${nodes === undefined ? 'not a catalogue' : summary(nodes.errors)}); clearing without grid constraints`);
    } else this.grid = nodes.value;
    if (this.standing.size > 0) return;
    const utility = this.services.directory.utilityId;
    if (utility === undefined) return;
    for (const offerId of ['market-wheeling', 'market-imbalance']) {
      const s: Standing = { offerId, transactionId: setupTransactionId(this.id, offerId.replace('market-', '')), snapshot: start<typeof standingContractMachine, StandingEffect>(standingContractMachine, undefined).snapshot, contract: undefined };
      this.standing.set(offerId, s);
      this.stepStanding(s, { type: 'REQUEST' });
    }
  }

  private onStandingCallback(s: Standing, msg: InboundMessage): void {
    const p = msg.payload as Partial<ContractPayload>;
    if (p.kind !== 'contract' || p.contract === undefined) return;
    const c = p.contract;
    if (msg.action === 'on_init') {
      if (c.status === 'TERMINATED') return this.stepStanding(s, { type: 'REFUSED', reason: refusalOf(c) ?? 'refused' });
      s.contract = c;
      this.stepStanding(s, { type: 'OFFERED' });
    } else if (msg.action === 'on_confirm') {
      if (c.status === 'ACTIVE') {
        s.contract = c;
        this.stepStanding(s, { type: 'ACTIVATED' });
      } else this.stepStanding(s, { type: 'REFUSED', reason: refusalOf(c) ?? 'refused' });
    }
  }

  private stepStanding(s: Standing, event: StandingEvent): void {
    const r = step<typeof standingContractMachine, StandingEffect>(standingContractMachine, s.snapshot, event);
    s.snapshot = r.snapshot;
    const utility = this.services.directory.utilityId;
    for (const e of r.effects) {
      if (utility === undefined) break;
      if (e.type === 'sendInit') {
        const contract = this.standingContract(s.offerId, utility);
        if (contract === undefined) continue;
        s.contract = contract;
        this.services.net.request({ to: utility, action: 'init', transactionId: s.transactionId, payload: this.standingPayload(s, contract, utility) });
      } else if (e.type === 'sendConfirm' && s.contract !== undefined) {
        this.services.net.request({ to: utility, action: 'confirm', transactionId: s.transactionId, payload: this.standingPayload(s, s.contract, utility) });
      } else if (e.type === 'refused') {
        this.services.record.note(this.currentInterval(), `${this.id}: the utility refused the ${s.offerId} contract (${e.reason}); the market runs without it`);
      }
    }
  }

  private standingContract(offerId: string, utility: string): EnergyContract | undefined {
    const base = { createdAt: this.nowIso(), currency: this.params.currency, validity: runWindow(this.services.clock), utilityId: utility, utility: this.services.scenario.utility, mcaId: this.id };
    if (offerId === 'market-imbalance') return imbalanceContract({ ...base, contractId: imbalanceContractId(this.id), virtualMeterId: this.params.virtualMeterId });
    const r = wheelingContract({ ...base, contractId: wheelingContractId(this.id), governmentId: this.services.directory.governmentId });
    if (!r.ok) {
      this.services.record.note(this.currentInterval(), `${this.id}: cannot build the wheeling contract: ${summary(r.errors)}`);
      return undefined;
    }
    return r.value;
  }

  private standingPayload(s: Standing, contract: EnergyContract, utility: string): ContractPayload {
    const root = this.grid?.find((n) => n.parent === undefined)?.id ?? utility;
    return { kind: 'contract', contract, offerId: s.offerId, providerId: utility, resources: [{ resourceId: root, quantity: 0, unit: 'kWh' }] };
  }

  private standingByTxn(transactionId: string): Standing | undefined {
    for (const s of this.standing.values()) if (transactionId === s.transactionId) return s;
    return undefined;
  }

  private standingActive(offerId: string): boolean {
    return this.standing.get(offerId)?.snapshot.value === 'active';
  }

  // --- phases --------------------------------------------------------------------------------

  private clear(k: number): void {
    const txs = this.byInterval.get(k) ?? [];
    for (const tx of txs) if (tx.snapshot.value === 'awaitingGrid' || tx.snapshot.value === 'offered') this.apply(tx, { type: 'GATE' });
    const confirmed = txs.filter((tx) => tx.snapshot.value === 'confirmed');
    const bids = confirmed.map((tx) => {
      const ctx = tx.snapshot.context;
      return {
        participantId: tx.participantId,
        curve: ctx.confirmedCurve ?? tx.bidCurve,
        ...(ctx.gridNodeId === undefined ? {} : { nodeId: ctx.gridNodeId }),
        ...(ctx.pathAdderPerKWh === undefined ? {} : { pathAdderPerKWh: ctx.pathAdderPerKWh }),
      };
    });
    if (k === 0 && this.params.gridMode !== 'none' && this.grid === undefined) {
      this.services.record.note(k, `${this.id}: no grid catalogue from the utility; clearing without grid constraints`);
    }
    const input = marketInputFor(bids, this.grid, this.params);
    const result = clearMarket(input);
    this.services.record.clearing(k, result);
    this.observer?.(k, input, result);
    const byId = new Map(result.participants.map((r) => [r.id, r]));
    for (const tx of confirmed) {
      const r = byId.get(tx.participantId);
      if (r === undefined) continue;
      this.apply(tx, { type: 'CLEARED', outcome: { pricePerKWh: marketNumber(r.price), powerKW: marketNumber(r.powerKW), offsetKW: marketNumber(r.offsetKW) } });
    }
  }

  private deliveryStarts(k: number): void {
    const txs = this.byInterval.get(k) ?? [];
    for (const tx of txs) if (tx.snapshot.value === 'locking') this.apply(tx, { type: 'DELIVERY_STARTED' });
    const h = this.services.clock.intervalHours;
    const cleared = txs.filter((tx) => tx.snapshot.value === 'active').map((tx) => marketNumber((tx.snapshot.context.outcome?.powerKW ?? 0) * h));
    const totals = marketTotals(cleared);
    const record = this.services.record;
    if (this.standingActive('market-wheeling')) record.periodInputs(wheelingContractId(this.id), k, marketWheelingInputs(totals.tradedKWh));
    if (this.standingActive('market-imbalance')) record.periodInputs(imbalanceContractId(this.id), k, marketImbalanceInputs(totals.virtualMeterNetKWh));
    record.metric('marketTradedKWh', totals.tradedKWh);
    record.metric('marketImbalanceKWh', Math.abs(totals.virtualMeterNetKWh));
  }

  private settle(k: number): void {
    const txs = this.byInterval.get(k) ?? [];
    const reports = new Map(this.services.record.settlementReports(this.id, k).map((r) => [r.contractId, r]));
    for (const tx of txs) {
      if (tx.snapshot.value !== 'active') continue;
      tx.report = reports.get(tx.contractId);
      this.apply(tx, { type: 'SETTLE' });
    }
    for (const tx of txs) {
      this.txs.delete(tx.contractId);
      this.byGridTxn.delete(gridTransactionId(k, tx.participantId));
    }
    this.byInterval.delete(k);
  }

  // --- effects -------------------------------------------------------------------------------

  /** Steps a transaction's machine and carries out its effects; false when the event changed nothing. */
  private apply(tx: Tx, event: McaTxEvent, replyTo?: InboundMessage): boolean {
    const r = step<typeof mcaTransactionMachine, McaEffect>(mcaTransactionMachine, tx.snapshot, event);
    tx.snapshot = r.snapshot;
    this.run(tx, r.effects, replyTo);
    return r.changed || r.effects.length > 0;
  }

  private run(tx: Tx, effects: readonly McaEffect[], replyTo: InboundMessage | undefined): void {
    const net = this.services.net;
    const record = this.services.record;
    const k = tx.interval;
    for (const e of effects) {
      switch (e.type) {
        case 'cascadeInit': {
          const utility = this.services.directory.utilityId;
          if (utility === undefined) break;
          const txn = gridTransactionId(k, tx.participantId);
          this.byGridTxn.set(txn, tx);
          net.request({ to: utility, action: 'init', transactionId: txn, payload: this.payloadOf(tx, tx.contract) });
          break;
        }
        case 'offer':
          tx.contract = this.offered(tx);
          net.callback(tx.initMsg, 'on_init', this.payloadOf(tx, tx.contract));
          break;
        case 'refuse': {
          const to = replyTo ?? (e.answer === 'on_init' ? tx.initMsg : tx.confirmMsg);
          const refused = refusedContract(tx.contract, 'MARKET_CLEARING_AGENT', e.code, e.message);
          if (tx.snapshot.value === 'refused' && tx.contract.status !== 'TERMINATED') {
            tx.contract = refused;
            record.metric('marketRefusedBids', 1);
          }
          if (to !== undefined) net.callback(to, e.answer, this.payloadOf(tx, refused));
          break;
        }
        case 'cascadeConfirm': {
          const utility = this.services.directory.utilityId;
          const outcome = tx.snapshot.context.outcome;
          if (utility === undefined || outcome === undefined) break;
          tx.contract = this.cleared(tx, outcome);
          net.request({ to: utility, action: 'confirm', transactionId: gridTransactionId(k, tx.participantId), payload: { ...this.payloadOf(tx, tx.contract), delivery: this.delivery(tx, outcome, false) } });
          break;
        }
        case 'activate': {
          const outcome = tx.snapshot.context.outcome;
          if (outcome === undefined) break;
          const moved = contractTransition(this.cleared(tx, outcome), 'ACTIVE');
          if (!moved.ok) {
            record.note(k, `${this.id}: ${tx.contractId} cannot become ACTIVE: ${summary(moved.errors)}`);
            break;
          }
          tx.contract = moved.value;
          if (tx.confirmMsg !== undefined) net.callback(tx.confirmMsg, 'on_confirm', { ...this.payloadOf(tx, tx.contract), delivery: this.delivery(tx, outcome, true) });
          record.contractActive(tx.contract, this.id);
          record.periodInputs(tx.contractId, k, payAsClearInputs(outcome.pricePerKWh, marketNumber(outcome.powerKW * this.services.clock.intervalHours)));
          break;
        }
        case 'cancelled': {
          const moved = contractTransition(tx.contract, 'TERMINATED');
          if (moved.ok) tx.contract = moved.value;
          record.metric('marketCancelledBids', 1);
          if (replyTo !== undefined) net.callback(replyTo, 'on_cancel', this.payloadOf(tx, tx.contract));
          break;
        }
        case 'lapsed':
          record.metric('marketLapsedBids', 1);
          record.note(k, `${this.id}: the bid of ${tx.participantId} for interval ${k} was not confirmed by gate closure`);
          break;
        case 'report': {
          const moved = contractTransition(tx.contract, 'COMPLETED');
          if (moved.ok) tx.contract = moved.value;
          record.contractStatus(tx.contractId, 'COMPLETED');
          if (tx.confirmMsg !== undefined) net.callback(tx.confirmMsg, 'on_status', { ...this.payloadOf(tx, tx.contract), ...(tx.report === undefined ? {} : { settlement: tx.report }) });
          break;
        }
        case 'ignored':
          record.note(k, `${this.id}: ${e.reason} (${tx.contractId})`);
          break;
      }
    }
  }

  /** The bid with the grid operator's approval: limits and adder as parameters, node and clipped curve as role inputs. */
  private offered(tx: Tx): EnergyContract {
    const ctx = tx.snapshot.context;
    let c = tx.contract;
    if (ctx.limits !== undefined) {
      c = withParameters(c, {
        approvedMaxImportKW: { value: ctx.limits.maxImportKW, unit: 'kW', description: 'largest import the grid operator approved for the meter in this interval' },
        approvedMaxExportKW: { value: ctx.limits.maxExportKW, unit: 'kW', description: 'largest export the grid operator approved for the meter in this interval' },
      });
    }
    if (ctx.pathAdderPerKWh !== undefined) {
      c = withParameters(c, { locationalAdderPerKWh: { value: ctx.pathAdderPerKWh, unit: `${this.params.currency}/kWh`, description: 'locational adder at the meter’s grid node on top of the market price' } });
    }
    return withRoleInputs(c, 'PROSUMER', { offerCurve: clipCurve(tx.bidCurve, ctx.limits), ...(ctx.gridNodeId === undefined ? {} : { gridNodeId: ctx.gridNodeId }) });
  }

  /** The offered contract with the committed curve and the cleared energy of the interval. */
  private cleared(tx: Tx, outcome: ClearedOutcome): EnergyContract {
    const curve = tx.snapshot.context.confirmedCurve ?? tx.bidCurve;
    return withRoleInputs(tx.contract, 'PROSUMER', { offerCurve: curve, clearedKWh: marketNumber(outcome.powerKW * this.services.clock.intervalHours) });
  }

  private delivery(tx: Tx, outcome: ClearedOutcome, final: boolean): EnergyDelivery {
    const k = tx.interval;
    const w = intervalWindow(this.services.clock, k);
    const now = this.nowIso();
    const spec: SetpointSpec = {
      setpointId: `sp-i${k}-${tx.participantId}`,
      resourceId: tx.meterId,
      resourceType: tx.resourceType,
      window: w,
      targetPowerKW: outcome.powerKW,
      atPricePerKWh: outcome.pricePerKWh,
      offsetKW: outcome.offsetKW,
      issuedAt: now,
      chargingProfileId: k + 1,
    };
    const setpoint = final
      ? setpointWithCommand(spec)
      : { setpointId: spec.setpointId, resourceId: spec.resourceId, interval: w, targetPowerKW: spec.targetPowerKW, atPricePerKWh: outcome.pricePerKWh, offsetKW: outcome.offsetKW };
    return {
      deliveryId: `dl-i${k}-${tx.participantId}`,
      status: 'PENDING',
      window: w,
      ...(final ? { signalValues: [{ signalId: CLEARING_PRICE_SIGNAL, value: outcome.pricePerKWh, unit: `${this.params.currency}/kWh`, observedAt: now, interval: w }] } : {}),
      setpoints: [setpoint],
    };
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Checks a curve the way `degsim clear` reads a market: shape, currency, prices on the tick. */
  private checkCurve(curve: unknown): Diagnostic[] {
    if (curve === undefined || curve === null) return [{ code: 'bid.curve', path: 'contract.roles.PROSUMER.offerCurve', message: 'the PROSUMER role needs its offerCurve' }];
    const m = this.params;
    const r = parseMarketInput({ currency: m.currency, priceFloor: m.priceFloor, priceCap: m.priceCap, priceTick: m.priceTick, priceRule: m.priceRule, participants: [{ id: 'bid', offerCurve: curve }] });
    return r.ok ? [] : r.errors.map((d) => ({ ...d, path: d.path.replace(/^participants\[0\]\.offerCurve/, 'contract.roles.PROSUMER.offerCurve') }));
  }

  private contractPayload(msg: InboundMessage): ContractPayload | undefined {
    const p = msg.payload as Partial<ContractPayload>;
    if (p.kind === 'contract' && p.contract !== undefined) return p as ContractPayload;
    this.services.record.note(this.currentInterval(), `${this.id}: ${msg.action} from ${msg.from} carries no contract`);
    return undefined;
  }

  private payloadOf(tx: Tx, contract: EnergyContract): ContractPayload {
    return { kind: 'contract', contract, offerId: PAY_AS_CLEAR_OFFER_ID, providerId: this.id, resources: tx.resources };
  }

  private payloadFor(p: ContractPayload, contract: EnergyContract): ContractPayload {
    return { kind: 'contract', contract, offerId: p.offerId, providerId: this.id, resources: p.resources.length > 0 ? p.resources : [{ resourceId: marketResourceId(this.id), quantity: 0, unit: 'kW' }] };
  }

  /** A TERMINATED contract naming an id the MCA does not hold, so that a status or cancel still gets an answer. */
  private stubPayload(contractId: string, code: string, message: string): ContractPayload {
    const contract: EnergyContract = {
      contractId,
      status: 'TERMINATED',
      createdAt: this.nowIso(),
      currency: this.params.currency,
      template: 'pay-as-clear/participant',
      roles: [{ role: 'MARKET_CLEARING_AGENT', filled: true, filledBy: this.id, roleInputs: { refusal: `${code}: ${message}` } }],
      revenueFlows: { flows: [], netZero: true },
    };
    return { kind: 'contract', contract, offerId: PAY_AS_CLEAR_OFFER_ID, providerId: this.id, resources: [{ resourceId: marketResourceId(this.id), quantity: 0, unit: 'kW' }] };
  }

  private answer(msg: InboundMessage, action: string, payload: unknown): void {
    this.services.net.callback(msg, action, payload);
  }

  private gateMs(k: number): number {
    return this.services.clock.intervalStartMs(k) - this.params.gateClosureMinutes * 60_000;
  }

  private nowIso(): string {
    return isoOf(this.services.net.nowMs());
  }

  private currentInterval(): number {
    const c = this.services.clock;
    return Math.min(c.intervals - 1, Math.max(0, Math.floor((this.services.net.nowMs() - c.startMs) / c.intervalMs)));
  }

  private defect(k: number, where: string, e: unknown): void {
    this.services.record.metric('marketInternalErrors', 1);
    this.services.record.note(k, `${this.id}: internal error in ${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
}


/** A contract's terms without the approval parameters the grid operator adds. */
function termsWithoutApprovals(c: EnergyContract): string {
  return termsOf({ ...c, inputParameters: Object.fromEntries(Object.entries(c.inputParameters ?? {}).filter(([name]) => !(APPROVAL_PARAMS as readonly string[]).includes(name))) });
}

function summary(ds: readonly Diagnostic[]): string {
  const shown = ds.slice(0, 3).map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`));
  return ds.length > 3 ? `${shown.join('; ')}; and ${ds.length - 3} more` : shown.join('; ');
}
