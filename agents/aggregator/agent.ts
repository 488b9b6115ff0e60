import type { SnapshotFrom } from 'xstate';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import { fillRole, transition as contractTransition } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { CLEARING_PRICE_SIGNAL } from '../../src/contracts/templates/index.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { CatalogPayload, ContractPayload, EnergyDelivery, EnergyOffer, MeterReading, Setpoint } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { curveFromFunction, priceNearest } from '../participant/curve.js';
import { findMarketOffer, type MarketOffer } from '../participant/discovery.js';
import { marketEconomics, type MarketEconomics } from '../participant/economics.js';
import { participantMarketMachine, type MarketEffect, type MarketEvent } from '../participant/market-machine.js';
import { clearedOutcome, curveOf } from '../participant/terms.js';
import { intervalOfWindow, intervalsOverlapping, intervalWindow, marketTransactionId, payAsClearContractId, setupTransactionId } from '../shared/ids.js';
import { start, step, type Step } from '../shared/machine.js';
import { bidContract, termsOf } from '../shared/market-contract.js';
import { setpointWithCommand } from '../shared/setpoint.js';
import { runWindow, standingContractMachine, type StandingEffect } from '../shared/standing.js';
import { canonicalJson, numericRoleInput, refusalOf, refusedContract, roleOf, stringRoleInput, withRoleInputs } from '../shared/terms.js';
import { flexibilityContractId, meterBaseline } from '../utility/flexibility.js';
import { membershipContract, membershipContractId, portfolioDeviationContract, type PortfolioMeter } from './contracts.js';
import { disaggregate, splitFlexibility, sumCurves, upwardFlexKW, type MemberFlexibility, type Split } from './curves.js';
import { portfolioIntervalMachine, searchMachine, type PortfolioEffect, type PortfolioEvent, type SearchEffect, type SearchEvent } from './machine.js';
import { portfolioMeterId, type MemberResource } from './members.js';
import type { AggregatorParams } from './params.js';

type PortfolioSnapshot = SnapshotFrom<typeof portfolioIntervalMachine>;
type MarketStep = Step<SnapshotFrom<typeof participantMarketMachine>, MarketEffect>;
type SearchStep = Step<SnapshotFrom<typeof searchMachine>, SearchEffect>;
type StandingStep = Step<SnapshotFrom<typeof standingContractMachine>, StandingEffect>;

/** A member as the aggregator knows it: its connection, its membership and its messages. */
export interface MemberLink {
  readonly resource: MemberResource;
  readonly meterId: string;
  readonly node: string;
}

interface Membership {
  readonly link: MemberLink;
  state: 'waiting' | 'offered' | 'active' | 'refused';
  initMsg: InboundMessage | undefined;
  confirmMsg: InboundMessage | undefined;
  contract: EnergyContract | undefined;
  span: readonly [number, number] | undefined;
}

/** A member's curve for an interval, with the update it came in (answered at the deal). */
interface Offered {
  readonly curve: OfferCurve;
  readonly baselineKW: number;
  readonly msg: InboundMessage;
  readonly resourceType: string | undefined;
}

/** The flexibility need the aggregator took. */
interface Need {
  readonly offer: EnergyOffer;
  readonly contract: EnergyContract;
  readonly first: number;
  readonly last: number;
  readonly pricePerKWh: number;
}

/** The outcome of one interval for the portfolio. */
export interface Deal {
  readonly pricePerKWh: number;
  /** Cleared power (market) or accepted upward flexibility (flexibility program), kW. */
  readonly targetKW: number;
  /** Sum of the members' own forecasts of their power without an instruction, kW. */
  readonly baselineKW: number;
  readonly split: Split;
}

/** Interval bookkeeping kept for late messages. */
const KEEP = 8;

/**
 * The aggregator. Toward its members it is the provider (BPP) of their revenue-share contracts;
 * toward the market and the grid operator it is one participant (BAP) trading its portfolio.
 *
 * Program `market` (a virtual power plant): it finds the market and forms the portfolio's
 * deviation contract with the grid operator; in every interval it adds its members' curves into
 * one (bid-curve aggregation), bids it under the portfolio's virtual meter, and when the market
 * clears splits the cleared power into member setpoints — each member at its own curve at the
 * clearing price — sent with the device command of its standard. Each member is paid the market
 * value of its metered energy less the aggregator's share.
 *
 * Program `flexibility`: it takes the grid operator's published need (discover intent
 * flexibility, init/confirm); in each event interval it offers its members' aggregate upward
 * flexibility as a curve (update) and splits what the operator accepts into setpoints; it
 * forwards its members' meter readings after every interval, and once the event is verified
 * passes each member the payment for its own verified reduction less its share.
 */
export class AggregatorAgent implements Agent {
  readonly kind = 'aggregator';
  readonly meterIds: readonly string[] = [];

  private readonly members = new Map<string, Membership>();
  private readonly byMeter = new Map<string, string>();
  private readonly portfolio = new Map<number, PortfolioSnapshot>();
  private readonly curves = new Map<number, Map<string, Offered>>();
  /** What each interval's trade gave and how it was split (kept for the run: one small record per interval). */
  private readonly deals = new Map<number, Deal>();
  private readonly signalled = new Set<string>();
  private economics: MarketEconomics;
  private readonly portfolioMeter: string;
  // market program
  private marketSearch: SearchStep;
  private marketOffer: MarketOffer | undefined;
  private readonly markets = new Map<number, MarketStep>();
  private deviation: StandingStep;
  private deviationOffered: EnergyContract | undefined;
  // flexibility program
  private needSearch: SearchStep;
  private need: Need | undefined;
  private flex: StandingStep;
  private flexOffered: EnergyContract | undefined;
  private flexActive: EnergyContract | undefined;
  private readonly readings = new Map<number, Map<string, MeterReading>>();
  private readonly memberReadings = new Map<string, Map<number, number>>();
  private started = false;

  constructor(
    readonly id: string,
    private readonly params: AggregatorParams,
    private readonly services: AgentServices,
    links: readonly MemberLink[],
  ) {
    for (const l of links) {
      this.members.set(l.resource.id, { link: l, state: 'waiting', initMsg: undefined, confirmMsg: undefined, contract: undefined, span: undefined });
      this.byMeter.set(l.meterId, l.resource.id);
    }
    this.economics = marketEconomics(services.scenario, services.clock);
    this.portfolioMeter = portfolioMeterId(id);
    this.marketSearch = start<typeof searchMachine, SearchEffect>(searchMachine, { maxAttempts: params.maxDiscoverAttempts });
    this.needSearch = start<typeof searchMachine, SearchEffect>(searchMachine, { maxAttempts: params.maxDiscoverAttempts });
    this.deviation = start<typeof standingContractMachine, StandingEffect>(standingContractMachine, undefined as never);
    this.flex = start<typeof standingContractMachine, StandingEffect>(standingContractMachine, undefined as never);
  }

  /** The setpoints sent for interval k (member id → kW), for tests and reports. */
  setpoints(k: number): ReadonlyMap<string, number> {
    return new Map((this.deals.get(k)?.split.shares ?? []).map((s) => [s.id, s.powerKW]));
  }

  /** The deal of interval k and its split, when the portfolio traded it. */
  deal(k: number): Deal | undefined {
    return this.deals.get(k);
  }

  /** State of the portfolio's interval k, for tests. */
  intervalState(k: number): string | undefined {
    const s = this.portfolio.get(k);
    return s === undefined ? undefined : String(s.value);
  }

  /** The flexibility contract once active. */
  flexibilityContract(): EnergyContract | undefined {
    return this.flexActive;
  }

  onPhase(ctx: PhaseContext): void {
    try {
      const k = ctx.interval;
      if (ctx.phase === 'bid') {
        if (!this.started) this.setup();
        else this.retrySearch();
      } else if (ctx.phase === 'clear') {
        this.drivePortfolio(k, { type: 'GATE' });
        if (this.params.program === 'market') this.driveMarket(k, { type: 'GATE_CLOSED' });
      } else if (ctx.phase === 'dispatch') {
        if (this.params.program === 'market') this.driveMarket(k, { type: 'DISPATCH' });
        this.drivePortfolio(k, { type: 'DISPATCH' });
        this.fallbackSignals(k);
        this.forget(k);
      } else if (ctx.phase === 'meter' && this.need !== undefined && k === this.need.last + 1) this.memberShares(k);
      else if (ctx.phase === 'settle') this.reportToMembers(k);
    } catch (e) {
      this.defect(ctx.interval, `${ctx.phase} phase`, e);
    }
  }

  onMessage(msg: InboundMessage): void {
    try {
      this.handle(msg);
    } catch (e) {
      this.defect(this.currentInterval(), `${msg.action} from ${msg.from}`, e);
    }
  }

  onNack(n: NackNotice): void {
    const k = this.currentInterval();
    this.services.record.metric('aggregatorNacks', 1);
    this.services.record.note(k, `${this.id}: ${n.action} to ${n.to} refused (${n.code}: ${n.message})`);
    if (n.action === 'discover') {
      if (n.to === this.services.directory.mcaId) this.searchStep('market', { type: 'MISSED', reason: n.message });
      else this.searchStep('need', { type: 'MISSED', reason: n.message });
      return;
    }
    const m = /^txn-i(\d+)-/.exec(n.transactionId);
    if (m !== null && n.to === this.services.directory.mcaId) this.driveMarket(Number(m[1]), { type: 'NACK', action: n.action, code: n.code, message: n.message });
  }

  // --- setup ---------------------------------------------------------------------------------

  private setup(): void {
    this.started = true;
    if (this.params.program === 'market') {
      this.searchStep('market', { type: 'SEARCH' });
      this.deviationStep({ type: 'REQUEST' });
    } else this.searchStep('need', { type: 'SEARCH' });
  }

  private retrySearch(): void {
    const which = this.params.program === 'market' ? this.marketSearch : this.needSearch;
    const v = which.snapshot.value;
    if (v === 'searching' || v === 'missed') this.searchStep(this.params.program === 'market' ? 'market' : 'need', { type: 'SEARCH' });
  }

  private searchStep(which: 'market' | 'need', event: SearchEvent): void {
    const current = which === 'market' ? this.marketSearch : this.needSearch;
    const next = step<typeof searchMachine, SearchEffect>(searchMachine, current.snapshot, event);
    if (which === 'market') this.marketSearch = next;
    else this.needSearch = next;
    for (const e of next.effects) {
      if (e.type === 'gaveUp') {
        this.services.record.note(this.currentInterval(), `${this.id}: gave up finding the ${which === 'market' ? 'market' : 'flexibility need'}: ${e.reason}`);
        continue;
      }
      if (which === 'market') {
        const mca = this.services.directory.mcaId;
        if (mca !== undefined) this.services.net.request({ to: mca, action: 'discover', transactionId: setupTransactionId(this.id, 'market'), payload: { kind: 'discover', intent: { seek: 'energy-market', pricingModel: 'PAY_AS_CLEAR' } } });
      } else {
        const utility = this.services.directory.utilityId;
        const node = this.params.flexibilityNode;
        if (utility !== undefined) this.services.net.request({ to: utility, action: 'discover', transactionId: setupTransactionId(this.id, 'flexibility'), payload: { kind: 'discover', intent: { seek: 'flexibility', direction: 'UP', ...(node === undefined ? {} : { gridNodeId: node }) } } });
      }
    }
  }

  private deviationStep(event: Parameters<typeof step<typeof standingContractMachine, StandingEffect>>[2]): void {
    this.deviation = step<typeof standingContractMachine, StandingEffect>(standingContractMachine, this.deviation.snapshot, event);
    const utility = this.services.directory.utilityId;
    for (const e of this.deviation.effects) {
      if (utility === undefined) return;
      if (e.type === 'sendInit') {
        const contract = portfolioDeviationContract({ aggregatorId: this.id, portfolioMeterId: this.portfolioMeter, members: this.portfolioMeters(), utilityId: utility, utility: this.services.scenario.utility, createdAt: this.nowIso(), currency: this.services.scenario.currency, validity: runWindow(this.services.clock) });
        this.services.net.request({ to: utility, action: 'init', transactionId: setupTransactionId(this.id, 'deviation'), payload: this.gridPayload(contract, 'grid-deviation') });
      } else if (e.type === 'sendConfirm' && this.deviationOffered !== undefined) {
        this.services.net.request({ to: utility, action: 'confirm', transactionId: setupTransactionId(this.id, 'deviation'), payload: this.gridPayload(this.deviationOffered, 'grid-deviation') });
      } else if (e.type === 'refused') this.services.record.note(this.currentInterval(), `${this.id}: portfolio deviation contract refused: ${e.reason}`);
    }
  }

  private flexStep(event: Parameters<typeof step<typeof standingContractMachine, StandingEffect>>[2]): void {
    this.flex = step<typeof standingContractMachine, StandingEffect>(standingContractMachine, this.flex.snapshot, event);
    const utility = this.services.directory.utilityId;
    const need = this.need;
    for (const e of this.flex.effects) {
      if (utility === undefined || need === undefined) return;
      if (e.type === 'sendInit') {
        const filled = fillRole({ ...need.contract, contractId: flexibilityContractId(need.offer.gridNodeId ?? '', this.id), createdAt: this.nowIso() }, 'AGGREGATOR', this.id, {});
        if (!filled.ok) {
          this.services.record.note(this.currentInterval(), `${this.id}: cannot take the need: ${filled.errors.map((d) => d.message).join('; ')}`);
          return;
        }
        this.services.net.request({ to: utility, action: 'init', transactionId: setupTransactionId(this.id, 'flexibility'), payload: this.gridPayload(filled.value, need.offer.offerId) });
      } else if (e.type === 'sendConfirm' && this.flexOffered !== undefined) {
        this.services.net.request({ to: utility, action: 'confirm', transactionId: setupTransactionId(this.id, 'flexibility'), payload: this.gridPayload(this.flexOffered, need.offer.offerId) });
      } else if (e.type === 'active') this.answerWaitingMembers();
      else if (e.type === 'refused') {
        this.services.record.note(this.currentInterval(), `${this.id}: flexibility contract refused: ${e.reason}`);
        this.answerWaitingMembers();
      }
    }
  }

  // --- routing -------------------------------------------------------------------------------

  private handle(msg: InboundMessage): void {
    const p = msg.payload as { readonly kind?: string };
    if (this.members.has(msg.from)) {
      if (p.kind === 'contract') this.fromMember(msg, msg.payload as ContractPayload);
      else if (msg.action === 'status') {
        const m = this.members.get(msg.from);
        if (m?.contract !== undefined) this.services.net.callback(msg, 'on_status', this.memberPayload(m, m.contract));
      }
      return;
    }
    if (msg.action === 'on_discover' && p.kind === 'catalog') return this.onCatalog(msg, msg.payload as CatalogPayload);
    if (p.kind !== 'contract') return;
    const c = (msg.payload as ContractPayload).contract;
    if (msg.from === this.services.directory.mcaId) {
      const m = /^txn-i(\d+)-/.exec(msg.transactionId);
      if (m === null) return;
      const k = Number(m[1]);
      const payload = msg.payload as ContractPayload;
      if (msg.action === 'on_init') this.driveMarket(k, { type: 'ON_INIT', contract: c });
      else if (msg.action === 'on_confirm') this.driveMarket(k, { type: 'ON_CONFIRM', contract: c, ...(payload.delivery === undefined ? {} : { delivery: payload.delivery }) });
      else if (msg.action === 'on_status' && payload.settlement !== undefined) this.driveMarket(k, { type: 'ON_STATUS', report: payload.settlement });
      return;
    }
    if (msg.from === this.services.directory.utilityId) this.fromUtility(msg, msg.payload as ContractPayload);
  }

  private onCatalog(msg: InboundMessage, payload: CatalogPayload): void {
    if (msg.from === this.services.directory.mcaId && this.params.program === 'market') {
      const offer = findMarketOffer(payload, msg.from);
      if (offer === undefined) return this.searchStep('market', { type: 'MISSED', reason: 'the catalogue holds no pay-as-clear offer' });
      this.marketOffer = offer;
      this.economics = marketEconomics(this.services.scenario, this.services.clock, offer.feePerKWh);
      this.searchStep('market', { type: 'FOUND' });
      return;
    }
    if (msg.from !== this.services.directory.utilityId || this.params.program !== 'flexibility' || this.need !== undefined) return;
    const found = payload.catalogs.flatMap((cat) => cat.offers).find((o) => o.attributes.service === 'FLEXIBILITY' && o.attributes.openRole === 'AGGREGATOR' && o.attributes.contract !== undefined && (this.params.flexibilityNode === undefined || o.attributes.gridNodeId === this.params.flexibilityNode));
    const contract = found?.attributes.contract;
    const span = contract?.validity === undefined ? undefined : intervalsOverlapping(this.services.clock, contract.validity);
    const window = found?.attributes.window;
    const event = window === undefined ? undefined : intervalsOverlapping(this.services.clock, window);
    const price = found?.attributes.indicativePricePerKWh ?? numericRoleInput(contract ?? ({ roles: [] } as unknown as EnergyContract), 'GRID_OPERATOR', 'flexibilityPricePerKWh');
    if (found === undefined || contract === undefined || span === undefined || event === undefined || price === undefined) return this.searchStep('need', { type: 'MISSED', reason: 'the catalogue holds no flexibility need the aggregator can take' });
    this.need = { offer: found.attributes, contract, first: event[0], last: event[1], pricePerKWh: numericRoleInput(contract, 'GRID_OPERATOR', 'flexibilityPricePerKWh') ?? price };
    this.searchStep('need', { type: 'FOUND' });
    this.flexStep({ type: 'REQUEST' });
  }

  private fromUtility(msg: InboundMessage, p: ContractPayload): void {
    const c = p.contract;
    if (msg.transactionId === setupTransactionId(this.id, 'deviation')) {
      if (msg.action === 'on_init') {
        if (c.status === 'TERMINATED') this.deviationStep({ type: 'REFUSED', reason: refusalOf(c) ?? 'on_init TERMINATED' });
        else {
          this.deviationOffered = c;
          this.deviationStep({ type: 'OFFERED' });
        }
      } else if (msg.action === 'on_confirm') this.deviationStep(c.status === 'ACTIVE' ? { type: 'ACTIVATED' } : { type: 'REFUSED', reason: refusalOf(c) ?? `on_confirm ${c.status}` });
      return;
    }
    if (msg.transactionId !== setupTransactionId(this.id, 'flexibility')) return;
    if (msg.action === 'on_init') {
      if (c.status === 'TERMINATED') this.flexStep({ type: 'REFUSED', reason: refusalOf(c) ?? 'on_init TERMINATED' });
      else {
        this.flexOffered = c;
        this.flexStep({ type: 'OFFERED' });
      }
    } else if (msg.action === 'on_confirm') {
      if (c.status === 'ACTIVE') {
        this.flexActive = c;
        this.flexStep({ type: 'ACTIVATED' });
      } else this.flexStep({ type: 'REFUSED', reason: refusalOf(c) ?? `on_confirm ${c.status}` });
    } else if (msg.action === 'on_update') this.onNominationAnswer(p);
  }

  // --- members -------------------------------------------------------------------------------

  private fromMember(msg: InboundMessage, p: ContractPayload): void {
    const m = this.members.get(msg.from) as Membership;
    switch (msg.action) {
      case 'init':
        m.initMsg = msg;
        if (this.programKnown()) this.answerInit(m);
        return;
      case 'confirm':
        return this.onMemberConfirm(m, msg, p);
      case 'update':
        if ((p.delivery?.meterReadings?.length ?? 0) > 0) return this.onMemberReading(m, msg, p);
        return this.onMemberCurve(m, msg, p);
      default:
        return;
    }
  }

  private programKnown(): boolean {
    if (this.params.program === 'market') return true;
    const v = this.flex.snapshot.value;
    return v === 'active' || v === 'refused' || this.needSearch.snapshot.value === 'unavailable';
  }

  private answerWaitingMembers(): void {
    for (const m of this.members.values()) if (m.state === 'waiting' && m.initMsg !== undefined) this.answerInit(m);
  }

  /** The program's terms for a member, or why it cannot take it. */
  private termsFor(m: Membership, proposal: EnergyContract): EnergyContract | string {
    if (proposal.template !== 'aggregator/revenue-share') return `a membership follows template aggregator/revenue-share, not ${proposal.template ?? 'none'}`;
    if (proposal.contractId !== membershipContractId(m.link.resource.id)) return `the membership of ${m.link.resource.id} is named ${membershipContractId(m.link.resource.id)}`;
    if (roleOf(proposal, 'PROSUMER')?.filledBy !== m.link.resource.id) return 'the PROSUMER role must be filled by the member';
    if (stringRoleInput(proposal, 'PROSUMER', 'meterId') !== m.link.meterId) return `the member's meter is ${m.link.meterId}`;
    const base = { memberId: m.link.resource.id, aggregatorId: this.id, memberMeterId: m.link.meterId, createdAt: proposal.createdAt, currency: this.services.scenario.currency, sharePercent: this.params.sharePercent };
    if (this.params.program === 'market') return membershipContract({ ...base, validity: runWindow(this.services.clock), basis: { kind: 'market-energy' } });
    if (this.flexActive === undefined || this.need === undefined || this.flexActive.validity === undefined) return 'the aggregator holds no flexibility contract to share';
    return membershipContract({ ...base, validity: this.flexActive.validity, basis: { kind: 'flexibility', pricePerKWh: this.need.pricePerKWh } });
  }

  private answerInit(m: Membership): void {
    const msg = m.initMsg;
    if (msg === undefined) return;
    const proposal = (msg.payload as ContractPayload).contract;
    const terms = this.termsFor(m, proposal);
    if (typeof terms === 'string') {
      m.state = 'refused';
      this.services.net.callback(msg, 'on_init', this.memberPayload(m, refusedContract(proposal, 'AGGREGATOR', 'refused', terms)));
      return;
    }
    const withType = withRoleInputs(terms, 'PROSUMER', { resourceType: stringRoleInput(proposal, 'PROSUMER', 'resourceType') ?? null });
    m.state = 'offered';
    m.contract = withType;
    this.services.net.callback(msg, 'on_init', this.memberPayload(m, withType));
  }

  private onMemberConfirm(m: Membership, msg: InboundMessage, p: ContractPayload): void {
    const offered = m.contract;
    const same = offered !== undefined && m.state === 'offered' && termsOf(p.contract) === termsOf(offered) && canonicalJson(p.contract.roles) === canonicalJson(offered.roles) && canonicalJson(p.contract.validity) === canonicalJson(offered.validity);
    const moved = same ? contractTransition(offered, 'ACTIVE') : undefined;
    if (moved === undefined || !moved.ok) {
      this.services.net.callback(msg, 'on_confirm', this.memberPayload(m, refusedContract(p.contract, 'AGGREGATOR', 'terms-changed', 'the confirm differs from the terms offered in on_init')));
      return;
    }
    m.contract = moved.value;
    m.state = 'active';
    m.confirmMsg = msg;
    m.span = moved.value.validity === undefined ? undefined : intervalsOverlapping(this.services.clock, moved.value.validity);
    this.services.record.contractActive(moved.value, this.id, this.params.program === 'market' ? 'per-interval' : 'at-end');
    this.services.net.callback(msg, 'on_confirm', this.memberPayload(m, moved.value));
  }

  private onMemberCurve(m: Membership, msg: InboundMessage, p: ContractPayload): void {
    const clock = this.services.clock;
    const w = p.delivery?.window;
    const k = w === undefined ? undefined : intervalOfWindow(clock, w);
    const curve = curveOf(p.contract);
    const release = (reason: string): void => this.services.net.callback(msg, 'on_update', this.memberPayload(m, withRoleInputs(m.contract ?? p.contract, 'AGGREGATOR', { refusal: `released: ${reason}` }), { deliveryId: `dl-${m.link.resource.id}-i${k ?? 'x'}`, status: 'FAILED', ...(w === undefined ? {} : { window: w }) }));
    if (k === undefined || curve === undefined || m.state !== 'active') return release('an offer names one interval of the run, carries an offer curve and comes from an active member');
    if (this.params.program === 'flexibility' && (this.need === undefined || k < this.need.first || k > this.need.last)) return release(`interval ${k} is outside the flexibility event`);
    const snap = this.portfolioSnapshot(k);
    if (snap.value !== 'collecting' || this.curves.get(k)?.has(m.link.resource.id) === true) return release(`the portfolio of interval ${k} is no longer collecting`);
    let list = this.curves.get(k);
    if (list === undefined) this.curves.set(k, (list = new Map()));
    list.set(m.link.resource.id, { curve, baselineKW: numericRoleInput(p.contract, 'PROSUMER', 'baselineKW') ?? 0, msg, resourceType: stringRoleInput(p.contract, 'PROSUMER', 'resourceType') });
    if (this.expectedAt(k).every((id) => list.has(id))) this.drivePortfolio(k, { type: 'COMPLETE' });
  }

  /** Members whose curve the portfolio waits for in interval k: every member not refused whose contract covers k (or is not formed yet). */
  private expectedAt(k: number): string[] {
    const out: string[] = [];
    for (const [id, m] of this.members) {
      if (m.state === 'refused') continue;
      if (m.state === 'active' && m.span !== undefined && (k < m.span[0] || k > m.span[1])) continue;
      out.push(id);
    }
    return out;
  }

  private onMemberReading(m: Membership, msg: InboundMessage, p: ContractPayload): void {
    this.services.net.callback(msg, 'on_update', this.memberPayload(m, m.contract ?? p.contract));
    const clock = this.services.clock;
    for (const r of p.delivery?.meterReadings ?? []) {
      const k = intervalOfWindow(clock, r.interval);
      if (k === undefined || r.meterId !== m.link.meterId) continue;
      let byMeter = this.readings.get(k);
      if (byMeter === undefined) this.readings.set(k, (byMeter = new Map()));
      byMeter.set(r.meterId, r);
      let own = this.memberReadings.get(m.link.resource.id);
      if (own === undefined) this.memberReadings.set(m.link.resource.id, (own = new Map()));
      own.set(k, r.netKWh);
      // The utility needs readings up to the end of the event (its baseline days come before it).
      const reporting = [...this.members.values()].filter((x) => x.state === 'active');
      if (this.need !== undefined && k <= this.need.last && reporting.every((x) => byMeter.has(x.link.meterId))) this.forwardReadings(k, [...byMeter.values()]);
    }
  }

  private forwardReadings(k: number, readings: readonly MeterReading[]): void {
    const utility = this.services.directory.utilityId;
    const need = this.need;
    if (utility === undefined || need === undefined || this.flexActive === undefined) return;
    const sorted = [...readings].sort((a, b) => (a.meterId < b.meterId ? -1 : a.meterId > b.meterId ? 1 : 0));
    const delivery: EnergyDelivery = { deliveryId: `dl-${this.flexActive.contractId}-meter-i${k}`, status: 'IN_PROGRESS', window: intervalWindow(this.services.clock, k), meterReadings: sorted };
    this.services.net.request({ to: utility, action: 'update', transactionId: setupTransactionId(this.id, 'flexibility'), payload: { ...this.gridPayload(this.flexActive, need.offer.offerId), delivery } });
  }

  // --- the portfolio's interval --------------------------------------------------------------

  private portfolioSnapshot(k: number): PortfolioSnapshot {
    let s = this.portfolio.get(k);
    if (s === undefined) {
      s = start<typeof portfolioIntervalMachine, PortfolioEffect>(portfolioIntervalMachine, undefined as never).snapshot;
      this.portfolio.set(k, s);
    }
    return s;
  }

  private drivePortfolio(k: number, event: PortfolioEvent): void {
    const r = step<typeof portfolioIntervalMachine, PortfolioEffect>(portfolioIntervalMachine, this.portfolioSnapshot(k), event);
    this.portfolio.set(k, r.snapshot);
    for (const e of r.effects) {
      if (e.type === 'trade') this.trade(k);
      else if (e.type === 'instruct') this.instruct(k, e.pricePerKWh, e.targetKW);
      else this.release(k, e.reason);
    }
  }

  private offeredCurves(k: number): { readonly id: string; readonly curve: OfferCurve; readonly baselineKW: number }[] {
    return [...(this.curves.get(k)?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, o]) => ({ id, curve: o.curve, baselineKW: o.baselineKW }));
  }

  private trade(k: number): void {
    if (this.params.program === 'market') return this.bid(k);
    this.nominate(k);
  }

  private bid(k: number): void {
    const offer = this.marketOffer;
    const mca = this.services.directory.mcaId;
    if (offer === undefined || mca === undefined) return this.drivePortfolio(k, { type: 'NO_DEAL', reason: 'the market is not known' });
    // The sum to the milliwatt: a bid states powers a meter can tell apart, not floating-point noise.
    const exact = sumCurves(this.offeredCurves(k).map((c) => c.curve), this.services.scenario.currency, this.economics);
    const aggregate = { ...exact, minExport: round6(exact.minExport), maxExport: round6(exact.maxExport), curve: exact.curve.map((p) => ({ price: p.price, powerKW: round6(p.powerKW) })) };
    const built = bidContract({
      offerContract: offer.contract,
      contractId: payAsClearContractId(k, this.id),
      createdAt: this.nowIso(),
      window: intervalWindow(this.services.clock, k),
      participantId: this.id,
      meterId: this.portfolioMeter,
      offerCurve: aggregate,
      governmentId: this.services.directory.governmentId,
      feeTaxPct: this.services.scenario.utility.feeTaxPct,
      dutyPerKWh: this.services.scenario.utility.dutyPerKWh,
    });
    if (!built.ok) return this.drivePortfolio(k, { type: 'NO_DEAL', reason: `cannot bid: ${built.errors.map((d) => d.message).join('; ')}` });
    this.driveMarket(k, { type: 'BID', contract: built.value });
  }

  private market(k: number): MarketStep {
    let m = this.markets.get(k);
    if (m === undefined) {
      m = start<typeof participantMarketMachine, MarketEffect>(participantMarketMachine, undefined as never);
      this.markets.set(k, m);
    }
    return m;
  }

  private driveMarket(k: number, event: MarketEvent): void {
    if (this.params.program !== 'market') return;
    const next = step<typeof participantMarketMachine, MarketEffect>(participantMarketMachine, this.market(k).snapshot, event);
    this.markets.set(k, next);
    const mca = this.services.directory.mcaId;
    for (const e of next.effects) {
      if ((e.type === 'sendInit' || e.type === 'sendConfirm') && mca !== undefined && this.marketOffer !== undefined) {
        const curve = curveOf(e.contract);
        const span = curve === undefined ? 0 : Math.abs(curve.maxExport - curve.minExport);
        const payload: ContractPayload = { kind: 'contract', contract: e.contract, offerId: this.marketOffer.offerId, providerId: this.marketOffer.providerId, resources: [{ resourceId: this.portfolioMeter, quantity: span, unit: 'kW' }] };
        this.services.net.request({ to: mca, action: e.type === 'sendInit' ? 'init' : 'confirm', transactionId: marketTransactionId(k, this.id), payload });
      } else if (e.type === 'cleared') {
        const outcome = clearedOutcome(e.contract, e.delivery, this.portfolioMeter, this.services.clock.intervalHours);
        this.drivePortfolio(k, { type: 'DEAL', pricePerKWh: outcome.pricePerKWh, targetKW: outcome.clearedKW });
      } else if (e.type === 'noDeal') this.drivePortfolio(k, { type: 'NO_DEAL', reason: `${e.reason}: ${e.detail}` });
    }
    if (next.snapshot.value === 'noDeal') this.drivePortfolio(k, { type: 'NO_DEAL', reason: `the market gave no deal (${next.snapshot.context.reason}: ${next.snapshot.context.detail})` });
  }

  private nominate(k: number): void {
    const utility = this.services.directory.utilityId;
    const need = this.need;
    if (utility === undefined || need === undefined || this.flexActive === undefined) return this.drivePortfolio(k, { type: 'NO_DEAL', reason: 'no active flexibility contract' });
    const members = this.offeredCurves(k);
    const reference = this.economics.retailPerKWh(k);
    const grid = this.economics;
    const top = grid.priceCap - reference;
    const breakpoints: number[] = [];
    for (const m of members) for (const pt of m.curve.curve) if (pt.price - reference > 0 && pt.price - reference < top) breakpoints.push(priceNearest(grid, pt.price - reference));
    const offered = (flexPrice: number): number => (flexPrice <= 0 ? 0 : members.reduce((s, m) => s + upwardFlexKW(m, reference, flexPrice), 0));
    const curve = curveFromFunction(offered, breakpoints, grid);
    const baselineKW = members.reduce((s, m) => s + m.baselineKW, 0);
    const contract = withRoleInputs(this.flexActive, 'AGGREGATOR', { offerCurve: curve, baselineKW: round6(baselineKW) });
    const delivery: EnergyDelivery = { deliveryId: `dl-${this.flexActive.contractId}-i${k}`, status: 'PENDING', window: intervalWindow(this.services.clock, k) };
    this.services.net.request({ to: utility, action: 'update', transactionId: setupTransactionId(this.id, 'flexibility'), payload: { ...this.gridPayload(contract, need.offer.offerId), delivery } });
  }

  private onNominationAnswer(p: ContractPayload): void {
    const w = p.delivery?.window;
    const k = w === undefined ? undefined : intervalOfWindow(this.services.clock, w);
    if (k === undefined || p.delivery?.meterReadings !== undefined || this.portfolio.get(k)?.value !== 'trading') return;
    const sp = p.delivery?.setpoints?.find((s) => s.resourceId === this.portfolioMeter);
    if (sp === undefined) return this.drivePortfolio(k, { type: 'NO_DEAL', reason: refusalOf(p.contract) ?? 'the grid operator accepted nothing' });
    this.drivePortfolio(k, { type: 'DEAL', pricePerKWh: sp.atPricePerKWh ?? this.need?.pricePerKWh ?? 0, targetKW: sp.offsetKW ?? 0 });
  }

  /** Splits the deal of interval k into member setpoints and sends them. */
  private instruct(k: number, pricePerKWh: number, targetKW: number): void {
    const members = this.offeredCurves(k);
    let split: Split;
    if (this.params.program === 'market') split = disaggregate(members, pricePerKWh, targetKW);
    else {
      const flexMembers: MemberFlexibility[] = members.map((m) => ({ id: m.id, baselineKW: m.baselineKW, curve: m.curve }));
      split = splitFlexibility(flexMembers, this.economics.retailPerKWh(k), pricePerKWh, targetKW);
    }
    this.deals.set(k, { pricePerKWh, targetKW, baselineKW: members.reduce((sum, m) => sum + m.baselineKW, 0), split });
    if (Math.abs(split.unallocatedKW) > 1e-6) this.services.record.note(k, `${this.id}: ${split.unallocatedKW.toFixed(3)} kW of interval ${k} could not be placed with the members`);
    const clock = this.services.clock;
    const window = intervalWindow(clock, k);
    const now = this.nowIso();
    for (const s of split.shares) {
      const m = this.members.get(s.id);
      const o = this.curves.get(k)?.get(s.id);
      if (m === undefined || o === undefined) continue;
      const type = o.resourceType === 'PV' || o.resourceType === 'BATTERY' || o.resourceType === 'EV' || o.resourceType === 'EVSE' ? o.resourceType : 'HOUSEHOLD';
      const setpoint: Setpoint = setpointWithCommand({ setpointId: `sp-i${k}-${s.id}`, resourceId: m.link.meterId, resourceType: type, window, targetPowerKW: round6(s.powerKW), atPricePerKWh: pricePerKWh, issuedAt: now, chargingProfileId: k + 1 });
      const signal = this.params.program === 'market' ? [{ signalId: CLEARING_PRICE_SIGNAL, value: pricePerKWh, unit: `${this.services.scenario.currency}/kWh`, observedAt: now, interval: window }] : [];
      const delivery: EnergyDelivery = { deliveryId: `dl-${s.id}-i${k}`, status: 'PENDING', window, ...(signal.length > 0 ? { signalValues: signal } : {}), setpoints: [setpoint] };
      this.services.net.callback(o.msg, 'on_update', this.memberPayload(m, m.contract ?? (o.msg.payload as ContractPayload).contract, delivery));
      if (this.params.program === 'market') this.signal(m, k, pricePerKWh);
    }
  }

  private release(k: number, reason: string): void {
    for (const [id, o] of this.curves.get(k) ?? []) {
      const m = this.members.get(id);
      if (m === undefined) continue;
      const w = intervalWindow(this.services.clock, k);
      this.services.net.callback(o.msg, 'on_update', this.memberPayload(m, withRoleInputs(m.contract ?? (o.msg.payload as ContractPayload).contract, 'AGGREGATOR', { refusal: `released: ${reason}` }), { deliveryId: `dl-${id}-i${k}`, status: 'FAILED', window: w }));
    }
    if (this.curves.has(k)) this.services.record.note(k, `${this.id}: members released for interval ${k}: ${reason}`);
  }

  // --- settlement inputs ---------------------------------------------------------------------

  private signal(m: Membership, k: number, pricePerKWh: number): void {
    const c = m.contract;
    if (c === undefined || m.state !== 'active' || m.span === undefined || k < m.span[0] || k > m.span[1]) return;
    const key = `${c.contractId}\u0000${k}`;
    if (this.signalled.has(key)) return;
    this.signalled.add(key);
    // Only the price: the member's energy is read from its meter.
    this.services.record.periodInputs(c.contractId, k, { signals: { [CLEARING_PRICE_SIGNAL]: pricePerKWh } });
  }

  /**
   * Market program: an interval without a deal still settles each member's metered energy; it is
   * valued at what the portfolio pays or gets for it under its deviation contract — retail for a
   * member that runs as a load, feed-in for one that exports.
   */
  private fallbackSignals(k: number): void {
    if (this.params.program !== 'market') return;
    for (const m of this.members.values()) {
      const o = this.curves.get(k)?.get(m.link.resource.id);
      const exporting = o !== undefined && o.baselineKW > 0;
      this.signal(m, k, exporting ? this.economics.feedInPerKWh : this.economics.retailPerKWh(k));
    }
  }

  /** Flexibility program: each member's own verified reduction, from its readings, for its revenue share. */
  private memberShares(evalK: number): void {
    const need = this.need;
    if (need === undefined) return;
    const clock = this.services.clock;
    const minutes = clock.intervalMinutes;
    const method = { days: numericParam(need.contract, 'baselineDays') ?? 1, adjustmentIntervals: Math.round(((numericParam(need.contract, 'adjustmentHours') ?? 0) * 60) / minutes), intervalsPerDay: Math.round(1440 / minutes) };
    for (const m of this.members.values()) {
      if (m.state !== 'active' || m.contract === undefined) continue;
      const own = this.memberReadings.get(m.link.resource.id);
      const read = (j: number): number | undefined => own?.get(j);
      const baseline = meterBaseline(read, need.first, need.last, method);
      let actual = 0;
      let complete = true;
      for (let j = need.first; j <= need.last; j++) {
        const v = read(j);
        if (v === undefined) complete = false;
        else actual += v;
      }
      const reduction = baseline === undefined || !complete ? 0 : actual - baseline.totalKWh;
      this.services.record.periodInputs(m.contract.contractId, evalK, { telemetry: { member: { reductionKWh: round6(reduction) } } });
    }
  }

  private reportToMembers(k: number): void {
    const reports = this.services.record.settlementReports(this.id, k);
    for (const r of reports) {
      const member = [...this.members.values()].find((m) => m.contract?.contractId === r.contractId);
      if (member?.confirmMsg === undefined || member.contract === undefined) continue;
      const last = member.span === undefined || k >= member.span[1];
      if (last && member.contract.status === 'ACTIVE') {
        const done = contractTransition(member.contract, 'COMPLETED');
        if (done.ok) {
          member.contract = done.value;
          this.services.record.contractStatus(r.contractId, 'COMPLETED');
        }
      }
      this.services.net.callback(member.confirmMsg, 'on_status', { ...this.memberPayload(member, member.contract), settlement: r });
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private portfolioMeters(): readonly PortfolioMeter[] {
    return [...this.members.values()].map((m) => ({ memberId: m.link.resource.id, meterId: m.link.meterId }));
  }

  private memberPayload(m: Membership, contract: EnergyContract, delivery?: EnergyDelivery): ContractPayload {
    return { kind: 'contract', contract, offerId: `${this.id}-membership`, providerId: this.id, resources: [{ resourceId: m.link.meterId, quantity: 0, unit: 'kW' }], ...(delivery === undefined ? {} : { delivery }) };
  }

  private gridPayload(contract: EnergyContract, offerId: string): ContractPayload {
    const utility = this.services.directory.utilityId ?? 'utility';
    return { kind: 'contract', contract, offerId, providerId: utility, resources: [{ resourceId: this.portfolioMeter, quantity: 0, unit: 'kW' }] };
  }

  private forget(k: number): void {
    for (const map of [this.curves, this.markets, this.portfolio, this.readings] as Map<number, unknown>[]) for (const j of [...map.keys()]) if (j < k - KEEP) map.delete(j);
    for (const key of [...this.signalled]) {
      const j = Number(key.slice(key.lastIndexOf('\u0000') + 1));
      if (j < k - KEEP) this.signalled.delete(key);
    }
  }

  private nowIso(): string {
    return isoOf(this.services.net.nowMs());
  }

  private currentInterval(): number {
    const c = this.services.clock;
    return Math.min(c.intervals - 1, Math.max(0, Math.floor((this.services.net.nowMs() - c.startMs) / c.intervalMs)));
  }

  private defect(k: number, where: string, e: unknown): void {
    this.services.record.metric('aggregatorInternalErrors', 1);
    this.services.record.note(k, `${this.id}: internal error in ${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function numericParam(c: EnergyContract, name: string): number | undefined {
  const v = c.inputParameters?.[name]?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function round6(x: number): number {
  const v = Math.round(x * 1e6) / 1e6;
  return Object.is(v, -0) ? 0 : v;
}
