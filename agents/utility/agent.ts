import type { SnapshotFrom } from 'xstate';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import { transition as contractTransition } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { ContractPayload, ContractRefPayload, SettlementReport } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { deviationContractId, imbalanceContractId, intervalOfPayAsClear, intervalsOverlapping, wheelingContractId } from '../shared/ids.js';
import { start, step } from '../shared/machine.js';
import { termsOf } from '../shared/market-contract.js';
import { deviationContract, imbalanceContract, runWindow, wheelingContract } from '../shared/standing.js';
import { canonicalJson, numericRoleInput, refusedContract, roleOf, stringRoleInput, withParameters, withRoleInputs } from '../shared/terms.js';
import { approvalMachine, providedContractMachine, type ApprovalEffect, type ApprovalEvent, type ProvidedEffect, type ProvidedEvent } from './machine.js';
import type { UtilityParams } from './params.js';
import { approvalFor, fitsApproval, gridCatalog, LockBook, pathAdder, policyAdder, tradeLegs, type Approval, type MeterRecord, type PolicyAdder, type TradeLeg } from './policy.js';
import { tariffContractId, tariffOffer } from './tariff.js';
import { FlexibilityDesk } from './flexibility.js';
import { portfolioDeviationOffer } from './portfolio.js';

type ApprovalSnapshot = SnapshotFrom<typeof approvalMachine>;
type ProvidedSnapshot = SnapshotFrom<typeof providedContractMachine>;

/** A cascaded trade the utility approved (or refused), keyed by its contract id. */
interface Cascade {
  readonly contractId: string;
  readonly from: string;
  readonly firstInterval: number;
  readonly lastInterval: number;
  readonly initMsg: InboundMessage;
  readonly payload: ContractPayload;
  snapshot: ApprovalSnapshot;
  contract: EnergyContract;
  /** Legs with the power locked at each, once locked. */
  locked: readonly TradeLeg[];
}

/** A standing contract the utility provides. */
interface Provided {
  readonly contractId: string;
  readonly counterparty: string;
  /** The meter whose locked trades feed the contract (deviation contracts). */
  readonly meterId: string | undefined;
  readonly payload: ContractPayload;
  snapshot: ProvidedSnapshot;
  contract: EnergyContract;
  confirmMsg: InboundMessage | undefined;
  lastReport: SettlementReport | undefined;
}

/**
 * The utility / grid operator (BPP). It knows each trading meter's sanctioned load and locks
 * every confirmed trade per meter and interval, so a meter's approvals never add up to more than
 * its connection carries; it provides the standing contracts (each participant's deviation
 * contract, the market's wheeling and imbalance contracts) and reports their settlement after
 * every interval; it publishes its transformers as GridNodes (limits; adders in policy mode), sets
 * the policy adders from its own load forecast, and commands the offsets that clearing assigns
 * where a limit binds inside a plateau.
 */
export class UtilityAgent implements Agent {
  readonly kind = 'utility';
  readonly meterIds: readonly string[] = [];

  private readonly locks = new LockBook();
  private readonly cascades = new Map<string, Cascade>();
  private readonly provided = new Map<string, Provided>();
  private readonly adderCache = new Map<string, PolicyAdder>();
  /** The published flexibility need and the contracts taken under it, when the entry states a need. */
  readonly flexibility: FlexibilityDesk | undefined;

  constructor(
    readonly id: string,
    private readonly params: UtilityParams,
    private readonly services: AgentServices,
  ) {
    this.flexibility = params.flexibility === undefined ? undefined : new FlexibilityDesk(id, params.name, params.flexibility, params.meters, services);
  }

  /** Trades locked at a meter in interval k (kW), for tests and reports. */
  lockedAt(meterId: string, k: number): { readonly importKW: number; readonly exportKW: number } {
    return this.locks.at(meterId, k);
  }

  /** State of a standing contract the utility provides, or of a cascaded approval. */
  contractState(contractId: string): string | undefined {
    const p = this.provided.get(contractId);
    if (p !== undefined) return String(p.snapshot.value);
    const c = this.cascades.get(contractId);
    return c === undefined ? undefined : String(c.snapshot.value);
  }

  /** The policy adder of a node for interval k (own adder on top of its parent's price). */
  nodeAdder(nodeId: string, k: number): PolicyAdder {
    const key = `${nodeId}\u0000${k}`;
    const hit = this.adderCache.get(key);
    if (hit !== undefined) return hit;
    const node = this.services.grid.nodes.find((n) => n.id === nodeId);
    const a =
      node === undefined || node.parent === undefined
        ? { adderPerKWh: 0, loadPercent: 0, direction: 'forward' as const }
        : policyAdder(node, this.services.grid.forecastNodeLoadKW(nodeId, k), this.params.rules.adderPolicy, this.params.priceTick);
    this.adderCache.set(key, a);
    return a;
  }

  onPhase(ctx: PhaseContext): void {
    try {
      if (ctx.phase === 'dispatch') this.deliveryStarts(ctx.interval);
      else if (ctx.phase === 'settle') this.settle(ctx.interval);
      this.flexibility?.onPhase(ctx);
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
        this.services.net.callback(msg, `on_${msg.action}`, { ...(p as ContractPayload), providerId: this.id, contract: this.refusal(p.contract, 'internal-error', 'the utility could not process the request') });
      }
    }
  }

  onNack(n: NackNotice): void {
    this.services.record.metric('utilityNacks', 1);
    this.services.record.note(this.currentInterval(), `${this.id}: ${n.action} to ${n.to} refused (${n.code}: ${n.message})`);
  }

  // --- routing -------------------------------------------------------------------------------

  private handle(msg: InboundMessage): void {
    if (this.flexibility?.accepts(msg) === true) return this.flexibility.onMessage(msg);
    switch (msg.action) {
      case 'discover': {
        const p = msg.payload as { readonly kind: string; readonly intent?: { readonly seek: string } };
        const wanted = p.kind === 'discover' && p.intent?.seek === 'grid-topology';
        return this.services.net.callback(msg, 'on_discover', wanted ? this.catalog() : { kind: 'catalog', catalogs: [] });
      }
      case 'init':
        return this.onInit(msg);
      case 'confirm':
        return this.onConfirm(msg);
      case 'cancel':
        return this.onCancel(msg);
      case 'status':
        return this.onStatus(msg);
      case 'select':
      case 'update': {
        const p = this.contractPayload(msg);
        if (p !== undefined) this.services.net.callback(msg, `on_${msg.action}`, { ...p, providerId: this.id, contract: this.refusal(p.contract, `unsupported-${msg.action}`, `the utility takes contracts through init and confirm; ${msg.action} is not used`) });
        return;
      }
      case 'track': {
        const ref = msg.payload as ContractRefPayload;
        return this.services.net.callback(msg, 'on_track', { kind: 'tracking', contractId: ref.contractId, url: `${this.services.directory.uriOf(this.id)}/track/${ref.contractId}`, active: this.provided.get(ref.contractId)?.snapshot.value === 'active' });
      }
      case 'rating':
        return this.services.net.callback(msg, 'on_rating', { kind: 'ratingReceipt' });
      case 'support':
        return this.services.net.callback(msg, 'on_support', { kind: 'supportInfo', name: this.params.name, url: this.services.directory.uriOf(this.id), channels: ['WEB'] });
      default:
        this.services.record.note(this.currentInterval(), `${this.id}: ignored ${msg.action} from ${msg.from}`);
    }
  }

  private catalog(): ReturnType<typeof gridCatalog> {
    const meters = [...this.params.meters.values()];
    const policy = this.params.gridMode === 'policy';
    return gridCatalog({
      utilityId: this.id,
      name: this.params.name,
      currency: this.params.currency,
      nodes: this.services.grid.nodes,
      meters,
      ...(policy ? { adders: { rule: this.params.rules.adderPolicy, of: (nodeId: string) => this.nodeAdder(nodeId, this.currentInterval()) } } : {}),
    });
  }

  private onInit(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    switch (p.contract.template) {
      case 'grid/deviation':
      case 'grid/portfolio-deviation':
      case 'tariff/time-of-use':
      case 'pay-as-clear/wheeling':
      case 'pay-as-clear/imbalance':
        return this.onStandingInit(msg, p);
      case 'pay-as-clear/participant':
      case 'p2p/bilateral':
        return this.onCascadeInit(msg, p);
      default:
        this.services.net.callback(msg, 'on_init', { ...p, providerId: this.id, contract: this.refusal(p.contract, 'unknown-template', `the utility takes deviation, tariff, wheeling and imbalance contracts and approves market and bilateral trades, not ${p.contract.template ?? 'an untemplated contract'}`) });
    }
  }

  private onConfirm(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const c = p.contract;
    const prov = this.provided.get(c.contractId);
    if (prov !== undefined && prov.counterparty === msg.from) {
      const same = termsOf(c) === termsOf(prov.contract) && canonicalJson(c.roles) === canonicalJson(prov.contract.roles) && canonicalJson(c.validity) === canonicalJson(prov.contract.validity);
      this.stepProvided(prov, same ? { type: 'CONFIRM_MATCHES' } : { type: 'CONFIRM_DIFFERS', reason: 'the confirm changes the terms offered in on_init' }, msg);
      return;
    }
    const cascade = this.cascades.get(c.contractId);
    if (cascade !== undefined && cascade.from === msg.from) {
      this.stepCascade(cascade, this.checkLock(cascade, c), msg, c);
      return;
    }
    this.services.net.callback(msg, 'on_confirm', { ...p, providerId: this.id, contract: this.refusal(c, 'unknown-contract', `no contract ${c.contractId} was offered to ${msg.from}`) });
  }

  private onCancel(msg: InboundMessage): void {
    const ref = msg.payload as ContractRefPayload;
    const cascade = this.cascades.get(ref.contractId);
    if (cascade === undefined || cascade.from !== msg.from) {
      this.services.net.callback(msg, 'on_cancel', this.stubPayload(ref.contractId, this.provided.has(ref.contractId) ? 'not-cancellable' : 'unknown-contract', this.provided.has(ref.contractId) ? 'a standing contract runs to the end of the run' : `no trade ${ref.contractId} of ${msg.from}`));
      return;
    }
    const started = this.services.net.nowMs() >= this.services.clock.intervalStartMs(cascade.firstInterval);
    const market = cascade.contract.template === 'pay-as-clear/participant' && cascade.snapshot.value === 'locked';
    if (started || market) {
      const why = market ? 'a cleared market trade is binding' : 'delivery has started';
      this.services.net.callback(msg, 'on_cancel', { ...cascade.payload, providerId: this.id, contract: this.refusal(cascade.contract, 'not-cancellable', why) });
      return;
    }
    this.stepCascade(cascade, { type: 'CANCEL' }, msg, cascade.contract);
  }

  private onStatus(msg: InboundMessage): void {
    const ref = msg.payload as ContractRefPayload;
    const prov = this.provided.get(ref.contractId);
    if (prov !== undefined && prov.counterparty === msg.from) {
      this.services.net.callback(msg, 'on_status', { ...prov.payload, providerId: this.id, contract: prov.contract, ...(prov.lastReport === undefined ? {} : { settlement: prov.lastReport }) });
      return;
    }
    const cascade = this.cascades.get(ref.contractId);
    if (cascade !== undefined && cascade.from === msg.from) {
      this.services.net.callback(msg, 'on_status', { ...cascade.payload, providerId: this.id, contract: cascade.contract });
      return;
    }
    this.services.net.callback(msg, 'on_status', this.stubPayload(ref.contractId, 'unknown-contract', `the utility holds no contract ${ref.contractId} of ${msg.from}`));
  }

  // --- standing contracts --------------------------------------------------------------------

  private onStandingInit(msg: InboundMessage, p: ContractPayload): void {
    const c = p.contract;
    const from = msg.from;
    const base = { createdAt: this.nowIso(), currency: this.params.currency, validity: runWindow(this.services.clock), utilityId: this.id, utility: this.params.rules };
    let expected: EnergyContract | undefined;
    let meterId: string | undefined;
    let problem: string | undefined;
    if (c.template === 'grid/deviation') {
      meterId = stringRoleInput(c, 'PROSUMER', 'meterId');
      const meter = meterId === undefined ? undefined : this.params.meters.get(meterId);
      if (c.contractId !== deviationContractId(from)) problem = `a deviation contract of ${from} is named ${deviationContractId(from)}`;
      else if (roleOf(c, 'PROSUMER')?.filledBy !== from) problem = `the PROSUMER role must be filled by the sender ${from}`;
      else if (meterId === undefined || meter === undefined) problem = `meter ${meterId ?? '(none)'} is not a connection of this utility`;
      else if (meter.participantId !== from) problem = `meter ${meterId} is not ${from}'s connection`;
      else if (this.provided.has(tariffContractId(from))) problem = `${from} buys under a tariff contract; a meter has one retail arrangement`;
      else expected = deviationContract({ ...base, contractId: c.contractId, participantId: from, meterId });
    } else if (c.template === 'grid/portfolio-deviation') {
      const r = portfolioDeviationOffer(c, { from, scenario: this.services.scenario, meters: this.params.meters, base });
      if (r.ok) [expected, meterId] = [r.value, stringRoleInput(r.value, 'PROSUMER', 'meterId')];
      else problem = r.errors.map((d) => d.message).join('; ');
    } else if (c.template === 'tariff/time-of-use') {
      const r = tariffOffer(c, { from, meters: this.params.meters, hasDeviationContract: this.provided.has(deviationContractId(from)), base });
      if (r.ok) expected = r.value;
      else problem = r.errors.map((d) => d.message).join('; ');
    } else if (from !== this.services.directory.mcaId) {
      problem = 'wheeling and imbalance contracts are formed with the market clearing agent only';
    } else if (c.template === 'pay-as-clear/wheeling') {
      if (c.contractId !== wheelingContractId(from)) problem = `the market's wheeling contract is named ${wheelingContractId(from)}`;
      else {
        const r = wheelingContract({ ...base, contractId: c.contractId, mcaId: from, governmentId: this.services.directory.governmentId });
        if (r.ok) expected = r.value;
        else problem = r.errors.map((d) => d.message).join('; ');
      }
    } else {
      const vm = c.telemetrySources?.find((t) => t.sourceType === 'VIRTUAL_METER')?.source.meterId;
      if (c.contractId !== imbalanceContractId(from)) problem = `the market's imbalance contract is named ${imbalanceContractId(from)}`;
      else if (vm === undefined) problem = 'the imbalance contract must name the market’s virtual meter';
      else expected = imbalanceContract({ ...base, contractId: c.contractId, mcaId: from, virtualMeterId: vm });
    }
    const existing = this.provided.get(c.contractId);
    if (problem === undefined && existing !== undefined && existing.snapshot.value === 'active') problem = `contract ${c.contractId} is already active`;
    if (problem !== undefined || expected === undefined) {
      this.services.net.callback(msg, 'on_init', { ...p, providerId: this.id, contract: this.refusal(c, 'refused', problem ?? 'not a contract the utility provides') });
      return;
    }
    const first = start<typeof providedContractMachine, ProvidedEffect>(providedContractMachine, undefined);
    const prov: Provided = { contractId: c.contractId, counterparty: from, meterId, payload: { ...p, providerId: this.id }, snapshot: first.snapshot, contract: expected, confirmMsg: undefined, lastReport: undefined };
    this.provided.set(c.contractId, prov);
    this.runProvided(prov, first.effects, msg);
  }

  private stepProvided(prov: Provided, event: ProvidedEvent, replyTo: InboundMessage | undefined): void {
    const r = step<typeof providedContractMachine, ProvidedEffect>(providedContractMachine, prov.snapshot, event);
    prov.snapshot = r.snapshot;
    this.runProvided(prov, r.effects, replyTo);
  }

  private runProvided(prov: Provided, effects: readonly ProvidedEffect[], replyTo: InboundMessage | undefined): void {
    const net = this.services.net;
    for (const e of effects) {
      switch (e.type) {
        case 'offer':
          if (replyTo !== undefined) net.callback(replyTo, 'on_init', { ...prov.payload, contract: prov.contract });
          break;
        case 'activate': {
          const moved = contractTransition(prov.contract, 'ACTIVE');
          if (!moved.ok) {
            if (replyTo !== undefined) net.callback(replyTo, 'on_confirm', { ...prov.payload, contract: this.refusal(prov.contract, 'incomplete', moved.errors.map((d) => d.message).join('; ')) });
            break;
          }
          prov.contract = moved.value;
          prov.confirmMsg = replyTo;
          if (replyTo !== undefined) net.callback(replyTo, 'on_confirm', { ...prov.payload, contract: prov.contract });
          this.services.record.contractActive(prov.contract, this.id);
          break;
        }
        case 'refuse':
          if (replyTo !== undefined) net.callback(replyTo, 'on_confirm', { ...prov.payload, contract: this.refusal(prov.contract, 'terms-changed', e.reason) });
          break;
        case 'complete': {
          const moved = contractTransition(prov.contract, 'COMPLETED');
          if (moved.ok) prov.contract = moved.value;
          this.services.record.contractStatus(prov.contractId, 'COMPLETED');
          break;
        }
        case 'ignored':
          this.services.record.note(this.currentInterval(), `${this.id}: ${e.reason} (${prov.contractId})`);
          break;
      }
    }
  }

  // --- cascaded approvals --------------------------------------------------------------------

  private onCascadeInit(msg: InboundMessage, p: ContractPayload): void {
    const c = p.contract;
    const clock = this.services.clock;
    const h = clock.intervalHours;
    let problem: string | undefined;
    let first = 0;
    let last = -1;
    if (c.template === 'pay-as-clear/participant') {
      const pid = roleOf(c, 'PROSUMER')?.filledBy;
      const k = pid === undefined ? undefined : intervalOfPayAsClear(c.contractId, pid);
      if (msg.from !== this.services.directory.mcaId) problem = 'market bids are approved for the market clearing agent only';
      else if (k === undefined || k >= clock.intervals) problem = `${c.contractId} names no interval of the run`;
      else [first, last] = [k, k];
    } else {
      const seller = roleOf(c, 'SELLER')?.filledBy;
      const buyer = roleOf(c, 'BUYER')?.filledBy;
      const range = c.validity === undefined ? undefined : intervalsOverlapping(clock, c.validity);
      if (msg.from !== seller && msg.from !== buyer) problem = 'a bilateral trade is approved for its seller or buyer only';
      else if (roleOf(c, 'GRID_OPERATOR')?.filledBy !== this.id) problem = `the GRID_OPERATOR role must be filled by ${this.id}`;
      else if (numericRoleInput(c, 'GRID_OPERATOR', 'wheelingPerKWh') !== this.params.rules.wheelingPerKWh) problem = `the wheeling charge is ${this.params.rules.wheelingPerKWh} per kWh`;
      else if (range === undefined) problem = 'the trade’s validity covers no interval of the run';
      else [first, last] = range;
    }
    if (problem === undefined && this.services.net.nowMs() >= clock.intervalStartMs(first)) problem = `delivery of interval ${first} has started`;
    if (problem === undefined && this.cascades.has(c.contractId)) problem = `${c.contractId} was already submitted`;
    const legs = problem === undefined ? tradeLegs(c, first, last, h) : undefined;
    if (problem === undefined && legs === undefined) problem = 'the trade names no meter';
    const approvals: Approval[] = [];
    for (const leg of legs ?? []) {
      const meter = this.params.meters.get(leg.meterId);
      if (meter === undefined) problem ??= `meter ${leg.meterId} is not a connection of this utility`;
      else if (meter.participantId !== leg.partyId) problem ??= `meter ${leg.meterId} is not ${leg.partyId}'s connection`;
      else approvals.push(this.approvalOver(meter, first, last));
    }
    let contract = c;
    if (problem === undefined && legs !== undefined) contract = this.approved(c, legs, approvals, first);
    const cascade: Cascade = { contractId: c.contractId, from: msg.from, firstInterval: first, lastInterval: last, initMsg: msg, payload: { ...p, providerId: this.id }, snapshot: undefined as unknown as ApprovalSnapshot, contract, locked: [] };
    const begun = start<typeof approvalMachine, ApprovalEffect>(approvalMachine, problem === undefined ? { approvable: true } : { approvable: false, reason: problem });
    cascade.snapshot = begun.snapshot;
    if (problem === undefined) this.cascades.set(c.contractId, cascade);
    this.runCascade(cascade, begun.effects, msg, c);
  }

  /** The smallest room left at a meter over the intervals of a trade. */
  private approvalOver(meter: MeterRecord, first: number, last: number): Approval {
    let maxImportKW = Infinity;
    let maxExportKW = Infinity;
    for (let k = first; k <= last; k++) {
      const a = approvalFor(meter, this.locks.at(meter.meterId, k));
      maxImportKW = Math.min(maxImportKW, a.maxImportKW);
      maxExportKW = Math.min(maxExportKW, a.maxExportKW);
    }
    return { maxImportKW, maxExportKW };
  }

  /** The contract with the approval: limits as parameters, each meter's grid node as a role input, and the adder in policy mode. */
  private approved(c: EnergyContract, legs: readonly TradeLeg[], approvals: readonly Approval[], first: number): EnergyContract {
    const kw = (value: number, what: string): { value: number; unit: string; description: string } => ({ value, unit: 'kW', description: what });
    const nodeOf = (meterId: string): string => this.params.meters.get(meterId)?.nodeId ?? this.services.grid.nodeOfMeter(meterId);
    if (c.template === 'pay-as-clear/participant') {
      const leg = legs[0];
      const a = approvals[0];
      if (leg === undefined || a === undefined) return c;
      const node = nodeOf(leg.meterId);
      let out = withParameters(c, {
        approvedMaxImportKW: kw(a.maxImportKW, 'largest import the grid operator approves for the meter in this interval'),
        approvedMaxExportKW: kw(a.maxExportKW, 'largest export the grid operator approves for the meter in this interval'),
      });
      if (this.params.gridMode === 'policy') {
        const adder = pathAdder(node, this.services.grid.nodes, (n) => this.nodeAdder(n, first).adderPerKWh, this.params.priceTick);
        out = withParameters(out, { locationalAdderPerKWh: { value: adder, unit: `${this.params.currency}/kWh`, description: `locational adder at ${node} from the operator's load forecast` } });
      }
      return withRoleInputs(out, 'PROSUMER', { gridNodeId: node });
    }
    const [sell, buy] = approvals;
    const [sellLeg, buyLeg] = legs;
    if (sell === undefined || buy === undefined || sellLeg === undefined || buyLeg === undefined) return c;
    const out = withParameters(c, {
      approvedMaxExportKW: kw(sell.maxExportKW, 'largest export the grid operator approves at the seller’s meter over the trade'),
      approvedMaxImportKW: kw(buy.maxImportKW, 'largest import the grid operator approves at the buyer’s meter over the trade'),
      approvedMaxTradeKW: kw(Math.min(sell.maxExportKW, buy.maxImportKW), 'largest trade both meters can carry'),
    });
    return withRoleInputs(withRoleInputs(out, 'SELLER', { gridNodeId: nodeOf(sellLeg.meterId) }), 'BUYER', { gridNodeId: nodeOf(buyLeg.meterId) });
  }

  /** Whether a confirmed trade fits what is free now at each of its meters and intervals. */
  private checkLock(cascade: Cascade, c: EnergyContract): ApprovalEvent {
    if (c.template !== cascade.contract.template) return { type: 'CONFIRM_EXCEEDS', reason: 'the confirm is for another kind of contract' };
    const legs = tradeLegs(c, cascade.firstInterval, cascade.lastInterval, this.services.clock.intervalHours);
    if (legs === undefined) return { type: 'CONFIRM_EXCEEDS', reason: 'the trade names no meter' };
    for (const leg of legs) {
      if (leg.powerKW === undefined) return { type: 'CONFIRM_EXCEEDS', reason: `the trade at ${leg.meterId} has no quantity` };
      const meter = this.params.meters.get(leg.meterId);
      if (meter === undefined || meter.participantId !== leg.partyId) return { type: 'CONFIRM_EXCEEDS', reason: `meter ${leg.meterId} changed since init` };
      if ((leg.direction === 'export' && leg.powerKW < 0) || (leg.direction === 'import' && leg.powerKW > 0)) return { type: 'CONFIRM_EXCEEDS', reason: `the trade at ${leg.meterId} runs the wrong way` };
      for (let k = cascade.firstInterval; k <= cascade.lastInterval; k++) {
        const free = approvalFor(meter, this.locks.at(meter.meterId, k));
        if (!fitsApproval(leg.powerKW, free)) {
          const room = leg.powerKW >= 0 ? free.maxExportKW : free.maxImportKW;
          return { type: 'CONFIRM_EXCEEDS', reason: `${Math.abs(leg.powerKW).toFixed(3)} kW at meter ${leg.meterId} in interval ${k} exceeds the ${room.toFixed(3)} kW still free of its connection` };
        }
      }
    }
    return { type: 'CONFIRM_FITS' };
  }

  private stepCascade(cascade: Cascade, event: ApprovalEvent, replyTo: InboundMessage, received: EnergyContract): void {
    const r = step<typeof approvalMachine, ApprovalEffect>(approvalMachine, cascade.snapshot, event);
    cascade.snapshot = r.snapshot;
    this.runCascade(cascade, r.effects, replyTo, received);
  }

  private runCascade(cascade: Cascade, effects: readonly ApprovalEffect[], replyTo: InboundMessage, received: EnergyContract): void {
    const net = this.services.net;
    for (const e of effects) {
      switch (e.type) {
        case 'approve':
          net.callback(replyTo, 'on_init', { ...cascade.payload, contract: cascade.contract });
          break;
        case 'refuse':
          net.callback(replyTo, e.answer, { ...cascade.payload, contract: this.refusal(received, 'grid-refused', e.reason) });
          break;
        case 'lock': {
          const legs = tradeLegs(received, cascade.firstInterval, cascade.lastInterval, this.services.clock.intervalHours) ?? [];
          for (const leg of legs) for (let k = cascade.firstInterval; k <= cascade.lastInterval; k++) this.locks.lock(leg.meterId, k, leg.powerKW ?? 0);
          cascade.locked = legs;
          const moved = contractTransition(received, 'ACTIVE');
          cascade.contract = moved.ok ? moved.value : received;
          const delivery = (replyTo.payload as Partial<ContractPayload>).delivery;
          const offset = delivery?.setpoints?.reduce((s, sp) => s + Math.abs(sp.offsetKW ?? 0), 0) ?? 0;
          if (offset > 0) {
            this.services.record.metric('gridOffsetsKW', offset);
            this.services.record.note(cascade.firstInterval, `${this.id}: offset ${delivery?.setpoints?.map((sp) => `${(sp.offsetKW ?? 0).toFixed(3)} kW at ${sp.resourceId}`).join(', ')} commanded where a node limit binds inside a plateau`);
          }
          net.callback(replyTo, 'on_confirm', { ...cascade.payload, contract: cascade.contract, ...(delivery === undefined ? {} : { delivery }) });
          break;
        }
        case 'release': {
          for (const leg of cascade.locked) for (let k = cascade.firstInterval; k <= cascade.lastInterval; k++) this.locks.release(leg.meterId, k, leg.powerKW ?? 0);
          cascade.locked = [];
          const moved = contractTransition(cascade.contract, 'TERMINATED');
          if (moved.ok) cascade.contract = moved.value;
          net.callback(replyTo, 'on_cancel', { ...cascade.payload, contract: cascade.contract });
          break;
        }
      }
    }
  }

  // --- phases --------------------------------------------------------------------------------

  private deliveryStarts(k: number): void {
    for (const c of this.cascades.values()) {
      if (c.firstInterval === k && c.snapshot.value === 'approved') {
        const r = step<typeof approvalMachine, ApprovalEffect>(approvalMachine, c.snapshot, { type: 'EXPIRE' });
        c.snapshot = r.snapshot;
      }
    }
    const h = this.services.clock.intervalHours;
    for (const prov of this.provided.values()) {
      if (prov.meterId === undefined || prov.snapshot.value !== 'active') continue;
      this.services.record.periodInputs(prov.contractId, k, { roleInputs: { PROSUMER: { clearedKWh: this.locks.netKWh(prov.meterId, k, h) } } });
    }
  }

  private settle(k: number): void {
    const last = k === this.services.clock.intervals - 1;
    if (last) for (const prov of this.provided.values()) if (prov.snapshot.value === 'active') this.stepProvided(prov, { type: 'COMPLETE' }, undefined);
    for (const report of this.services.record.settlementReports(this.id, k)) {
      const prov = this.provided.get(report.contractId);
      if (prov === undefined || prov.confirmMsg === undefined) continue;
      prov.lastReport = report;
      this.services.net.callback(prov.confirmMsg, 'on_status', { ...prov.payload, contract: prov.contract, settlement: report });
    }
    this.locks.forget(k);
    for (const [id, c] of this.cascades) if (c.lastInterval <= k) this.cascades.delete(id);
    for (const key of [...this.adderCache.keys()]) if (key.endsWith(`\u0000${k}`)) this.adderCache.delete(key);
  }

  // --- helpers -------------------------------------------------------------------------------

  /**
   * A refusal: TERMINATED, and the reason in the GRID_OPERATOR role when the contract has one, else
   * (a market bid, where the utility holds no role) as zero approvals whose description says why.
   */
  private refusal(c: EnergyContract, code: string, reason: string): EnergyContract {
    if (roleOf(c, 'GRID_OPERATOR') !== undefined) return refusedContract(c, 'GRID_OPERATOR', code, reason);
    const zero = { value: 0, unit: 'kW', description: `refused: ${reason}` };
    return refusedContract(withParameters(c, { approvedMaxImportKW: zero, approvedMaxExportKW: zero }), undefined, code, reason);
  }

  private stubPayload(contractId: string, code: string, message: string): ContractPayload {
    const contract: EnergyContract = {
      contractId,
      status: 'TERMINATED',
      createdAt: this.nowIso(),
      currency: this.params.currency,
      roles: [{ role: 'GRID_OPERATOR', filled: true, filledBy: this.id, roleInputs: { refusal: `${code}: ${message}` } }],
      revenueFlows: { flows: [], netZero: true },
    };
    const root = this.services.grid.nodes.find((n) => n.parent === undefined)?.id ?? this.id;
    return { kind: 'contract', contract, offerId: 'grid', providerId: this.id, resources: [{ resourceId: root, quantity: 0, unit: 'kW' }] };
  }

  private contractPayload(msg: InboundMessage): ContractPayload | undefined {
    const p = msg.payload as Partial<ContractPayload>;
    if (p.kind === 'contract' && p.contract !== undefined) return p as ContractPayload;
    this.services.record.note(this.currentInterval(), `${this.id}: ${msg.action} from ${msg.from} carries no contract`);
    return undefined;
  }

  private nowIso(): string {
    return isoOf(this.services.net.nowMs());
  }

  private currentInterval(): number {
    const c = this.services.clock;
    return Math.min(c.intervals - 1, Math.max(0, Math.floor((this.services.net.nowMs() - c.startMs) / c.intervalMs)));
  }

  private defect(k: number, where: string, e: unknown): void {
    this.services.record.metric('utilityInternalErrors', 1);
    this.services.record.note(k, `${this.id}: internal error in ${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
