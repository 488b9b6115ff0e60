import type { EnergyContract } from '../../src/contracts/model.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { CatalogPayload, ContractPayload, DiscoverPayload, EnergyResourceType, Setpoint } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { intervalWindow, marketTransactionId, payAsClearContractId, setupTransactionId, deviationContractId } from '../shared/ids.js';
import { start, step, type Step } from '../shared/machine.js';
import { bidContract } from '../shared/market-contract.js';
import { deviationContract, runWindow, standingContractMachine, type StandingEffect } from '../shared/standing.js';
import { refusalOf } from '../shared/terms.js';
import { offeredRange } from './curve.js';
import { discoveryMachine, findMarketOffer, type DiscoveryEffect, type MarketOffer } from './discovery.js';
import { marketEconomics, type MarketEconomics } from './economics.js';
import { participantMarketMachine, type MarketEffect, type MarketEvent } from './market-machine.js';
import { clearedOutcome, curveOf, type ClearedOutcome } from './terms.js';

/**
 * The runtime every market participant shares (CPO, prosumer, consumer, battery): it finds the
 * market, forms the standing deviation contract with the grid operator, runs one
 * {@link participantMarketMachine} per interval, records the dispatch row, and asks its
 * {@link ParticipantBehaviour} — the only part that differs between kinds — for offer curves and
 * for the physics of following a setpoint.
 */

/** What an agent kind decides: its curve (objective) and its physics (what it can follow). */
export interface ParticipantBehaviour {
  /** What the participant controls behind its meter; picks the device command of its setpoints. */
  readonly resourceType: EnergyResourceType;
  /** Offer curve for interval k (+ export kW), built at the interval's bid phase. */
  offerCurve(k: number, economics: MarketEconomics): OfferCurve;
  /** The market's outcome of interval k, as soon as on_confirm arrives (before delivery). */
  onCleared?(k: number, outcome: ClearedOutcome): void;
  /**
   * Runs interval k (called once, at its dispatch phase): follows `target` when the market cleared
   * the interval for it, runs free when `target` is undefined. Returns the actual average power at
   * the meter over the interval, kW (+ export).
   */
  operate(k: number, target: FollowTarget | undefined): number;
  /** Called at every phase after the runtime's own handling. */
  onPhase?(ctx: PhaseContext): void;
}

/** What to follow in an interval: the commanded power and the pack it came in. */
export interface FollowTarget {
  /** Target net power at the meter, kW (+ export), offsets included, as the device command states it. */
  readonly powerKW: number;
  readonly pricePerKWh: number;
  readonly setpoint: Setpoint | undefined;
}

export interface ParticipantOptions {
  readonly id: string;
  readonly kind: string;
  readonly meterId: string;
  /** Grid node of the meter from the feeder (the grid operator's on_init may restate it). */
  readonly node: string;
  readonly services: AgentServices;
  readonly behaviour: ParticipantBehaviour;
  /** Sanctioned load of the connection, kW: the resource quantity of the deviation contract. */
  readonly sanctionedLoadKW: number;
  /** Discovery attempts before the participant gives up on the market (default 3). */
  readonly maxDiscoverAttempts?: number;
}

/** Offer id under which the grid operator provides standing deviation contracts. */
export const DEVIATION_OFFER_ID = 'grid-deviation';

type MarketStep = Step<ReturnType<typeof start<typeof participantMarketMachine, MarketEffect>>['snapshot'], MarketEffect>;
type DiscoveryStep = Step<ReturnType<typeof start<typeof discoveryMachine, DiscoveryEffect>>['snapshot'], DiscoveryEffect>;
type StandingStep = Step<ReturnType<typeof start<typeof standingContractMachine, StandingEffect>>['snapshot'], StandingEffect>;

/** A participant agent and a read-only view of its protocol state (for tests and reports). */
export interface ParticipantAgent extends Agent {
  /** State name of interval k's market machine, or undefined before it exists / after it is dropped. */
  marketState(k: number): string | undefined;
  /** State of the deviation contract formation. */
  deviationState(): string;
  /** The market offer once known. */
  offer(): MarketOffer | undefined;
  /** Actual power of interval k once operated. */
  actualKW(k: number): number | undefined;
}

/** How many finished intervals' machines are kept (late on_status messages still find theirs). */
const KEEP_INTERVALS = 8;

/** Creates the agent. Nothing is sent before its first bid phase. */
export function createParticipantAgent(o: ParticipantOptions): ParticipantAgent {
  const { id, kind, meterId, services: svc, behaviour } = o;
  const { clock, record, directory, scenario } = svc;
  const mcaId = directory.mcaId;
  const utilityId = directory.utilityId;
  const deviationTxn = setupTransactionId(id, 'deviation');
  const discoveryTxn = setupTransactionId(id, 'market');
  const txnPattern = new RegExp(`^txn-i(0|[1-9][0-9]*)-${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

  let economics = marketEconomics(scenario, clock);
  let setupDone = false;
  let discovery: DiscoveryStep = start<typeof discoveryMachine, DiscoveryEffect>(discoveryMachine, { maxAttempts: o.maxDiscoverAttempts ?? 3 });
  let standing: StandingStep = start<typeof standingContractMachine, StandingEffect>(standingContractMachine, undefined as never);
  let deviationOffered: EnergyContract | undefined;
  let offer: MarketOffer | undefined;
  const markets = new Map<number, MarketStep>();
  const bids = new Map<number, OfferCurve>();
  const pendingBids = new Set<number>();
  const targets = new Map<number, FollowTarget>();
  const actual = new Map<number, number>();

  const nowIso = (): string => isoOf(svc.net.nowMs());

  function market(k: number): MarketStep {
    let m = markets.get(k);
    if (m === undefined) {
      m = start<typeof participantMarketMachine, MarketEffect>(participantMarketMachine, undefined as never);
      markets.set(k, m);
    }
    return m;
  }

  function drive(k: number, event: MarketEvent): void {
    const next = step<typeof participantMarketMachine, MarketEffect>(participantMarketMachine, market(k).snapshot, event);
    markets.set(k, next);
    for (const e of next.effects) marketEffect(k, e);
  }

  function marketEffect(k: number, e: MarketEffect): void {
    switch (e.type) {
      case 'sendInit':
      case 'sendConfirm': {
        if (mcaId === undefined || offer === undefined) return;
        const curve = curveOf(e.contract);
        const span = curve === undefined ? 0 : Math.abs(curve.maxExport - curve.minExport);
        const payload: ContractPayload = { kind: 'contract', contract: e.contract, offerId: offer.offerId, providerId: offer.providerId, resources: [{ resourceId: meterId, quantity: span, unit: 'kW' }] };
        svc.net.request({ to: mcaId, action: e.type === 'sendInit' ? 'init' : 'confirm', transactionId: marketTransactionId(k, id), payload });
        return;
      }
      case 'cleared': {
        const outcome = clearedOutcome(e.contract, e.delivery, meterId, clock.intervalHours);
        const curve = curveOf(e.contract) ?? bids.get(k);
        const [minKW, maxKW] = curve === undefined ? [0, 0] : offeredRange(curve, economics);
        record.dispatch({ interval: k, participant: id, kind, node: outcome.gridNodeId ?? o.node, meterId, offeredMinKW: minKW, offeredMaxKW: maxKW, clearedKW: outcome.clearedKW, pricePerKWh: outcome.pricePerKWh });
        targets.set(k, { powerKW: outcome.followKW, pricePerKWh: outcome.pricePerKWh, setpoint: outcome.setpoint });
        if (outcome.commandMismatch !== undefined) record.note(k, `${id}: ${outcome.commandMismatch}; the device follows its command`);
        behaviour.onCleared?.(k, outcome);
        return;
      }
      case 'noDeal': {
        const curve = bids.get(k);
        const [minKW, maxKW] = curve === undefined ? [0, 0] : offeredRange(curve, economics);
        record.dispatch({ interval: k, participant: id, kind, node: o.node, meterId, offeredMinKW: minKW, offeredMaxKW: maxKW, clearedKW: 0, pricePerKWh: Number.NaN });
        if (mcaId !== undefined && e.reason !== 'no-offer') record.note(k, `${id}: no deal for interval ${k} (${e.reason}): ${e.detail}`);
        return;
      }
      case 'settled':
        return;
    }
  }

  function sendBid(k: number): void {
    if (offer === undefined || mcaId === undefined) return;
    if (market(k).snapshot.value !== 'idle') return;
    const curve = behaviour.offerCurve(k, economics);
    const built = bidContract({
      offerContract: offer.contract,
      contractId: payAsClearContractId(k, id),
      createdAt: nowIso(),
      window: intervalWindow(clock, k),
      participantId: id,
      meterId,
      offerCurve: curve,
      resourceType: behaviour.resourceType,
      governmentId: directory.governmentId,
      feeTaxPct: scenario.utility.feeTaxPct,
      dutyPerKWh: scenario.utility.dutyPerKWh,
    });
    if (!built.ok) {
      record.note(k, `${id}: cannot bid for interval ${k}: ${built.errors.map((d) => d.message).join('; ')}`);
      return;
    }
    bids.set(k, curve);
    drive(k, { type: 'BID', contract: built.value });
  }

  function discoveryStep(event: Parameters<typeof step<typeof discoveryMachine, DiscoveryEffect>>[2]): void {
    discovery = step<typeof discoveryMachine, DiscoveryEffect>(discoveryMachine, discovery.snapshot, event);
    for (const e of discovery.effects) {
      if (e.type === 'sendDiscover' && mcaId !== undefined) {
        const payload: DiscoverPayload = { kind: 'discover', intent: { seek: 'energy-market', pricingModel: 'PAY_AS_CLEAR' } };
        svc.net.request({ to: mcaId, action: 'discover', transactionId: discoveryTxn, payload });
      } else if (e.type === 'offerKnown') {
        offer = e.offer;
        economics = marketEconomics(scenario, clock, e.offer.feePerKWh);
        for (const k of [...pendingBids].sort((a, b) => a - b)) sendBid(k);
        pendingBids.clear();
      } else if (e.type === 'gaveUp') {
        record.note(0, `${id}: gave up finding the market: ${e.detail}`);
        pendingBids.clear();
      }
    }
  }

  function standingStep(event: Parameters<typeof step<typeof standingContractMachine, StandingEffect>>[2]): void {
    standing = step<typeof standingContractMachine, StandingEffect>(standingContractMachine, standing.snapshot, event);
    for (const e of standing.effects) {
      if (utilityId === undefined) return;
      if (e.type === 'sendInit') {
        const contract = deviationContract({
          contractId: deviationContractId(id),
          createdAt: nowIso(),
          currency: scenario.currency,
          validity: runWindow(clock),
          utilityId,
          utility: scenario.utility,
          participantId: id,
          meterId,
        });
        svc.net.request({ to: utilityId, action: 'init', transactionId: deviationTxn, payload: deviationPayload(contract, utilityId) });
      } else if (e.type === 'sendConfirm' && deviationOffered !== undefined) {
        svc.net.request({ to: utilityId, action: 'confirm', transactionId: deviationTxn, payload: deviationPayload(deviationOffered, utilityId) });
      } else if (e.type === 'refused') {
        record.note(0, `${id}: deviation contract refused: ${e.reason}`);
      }
    }
  }

  function deviationPayload(contract: EnergyContract, utility: string): ContractPayload {
    return { kind: 'contract', contract, offerId: DEVIATION_OFFER_ID, providerId: utility, resources: [{ resourceId: meterId, quantity: o.sanctionedLoadKW, unit: 'kW' }] };
  }

  function onBid(k: number): void {
    if (!setupDone) {
      setupDone = true;
      if (utilityId !== undefined) standingStep({ type: 'REQUEST' });
      if (mcaId !== undefined) discoveryStep({ type: 'DISCOVER' });
    } else if (offer === undefined && mcaId !== undefined) {
      const v = discovery.snapshot.value;
      if (v === 'searching' || v === 'failed') discoveryStep({ type: 'DISCOVER' });
    }
    if (offer !== undefined) sendBid(k);
    else if (mcaId !== undefined && discovery.snapshot.value !== 'unavailable') pendingBids.add(k);
  }

  function onDispatch(k: number): void {
    drive(k, { type: 'DISPATCH' });
    operate(k);
    for (const old of markets.keys()) if (old < k - KEEP_INTERVALS) markets.delete(old);
    for (const old of bids.keys()) if (old < k - KEEP_INTERVALS) bids.delete(old);
  }

  function operate(k: number): number {
    const done = actual.get(k);
    if (done !== undefined) return done;
    const a = behaviour.operate(k, targets.get(k));
    actual.set(k, a);
    targets.delete(k);
    for (const old of actual.keys()) if (old < k - KEEP_INTERVALS) actual.delete(old);
    return a;
  }

  function onContractMessage(msg: InboundMessage, payload: ContractPayload): void {
    if (msg.transactionId === deviationTxn) {
      const c = payload.contract;
      if (msg.action === 'on_init') {
        if (c.status === 'TERMINATED') standingStep({ type: 'REFUSED', reason: refusalOf(c) ?? 'on_init TERMINATED' });
        else {
          deviationOffered = c;
          standingStep({ type: 'OFFERED' });
        }
      } else if (msg.action === 'on_confirm') {
        if (c.status === 'ACTIVE') standingStep({ type: 'ACTIVATED' });
        else standingStep({ type: 'REFUSED', reason: refusalOf(c) ?? `on_confirm ${c.status}` });
      }
      return;
    }
    const m = txnPattern.exec(msg.transactionId);
    if (m === null) return;
    const k = Number(m[1]);
    if (msg.action === 'on_init') drive(k, { type: 'ON_INIT', contract: payload.contract });
    else if (msg.action === 'on_confirm') drive(k, { type: 'ON_CONFIRM', contract: payload.contract, ...(payload.delivery === undefined ? {} : { delivery: payload.delivery }) });
    else if (msg.action === 'on_status' && payload.settlement !== undefined) drive(k, { type: 'ON_STATUS', report: payload.settlement });
  }

  return {
    id,
    kind,
    meterIds: [meterId],
    onPhase(ctx) {
      if (ctx.phase === 'bid') onBid(ctx.interval);
      else if (ctx.phase === 'clear') drive(ctx.interval, { type: 'GATE_CLOSED' });
      else if (ctx.phase === 'dispatch') onDispatch(ctx.interval);
      behaviour.onPhase?.(ctx);
    },
    onMessage(msg) {
      const payload = msg.payload as { readonly kind?: string };
      if (msg.action === 'on_discover' && payload.kind === 'catalog') {
        if (msg.from === mcaId) discoveryStep({ type: 'CATALOG', offer: findMarketOffer(msg.payload as CatalogPayload, msg.from) });
        return;
      }
      if (payload.kind === 'contract') onContractMessage(msg, msg.payload as ContractPayload);
    },
    onNack(n: NackNotice) {
      const reason = `${n.action} refused: ${n.code} ${n.message}`;
      if (n.transactionId === deviationTxn) standingStep({ type: 'REFUSED', reason });
      else if (n.transactionId === discoveryTxn) discoveryStep({ type: 'NACK', code: n.code, message: n.message });
      else {
        const m = txnPattern.exec(n.transactionId);
        if (m !== null) drive(Number(m[1]), { type: 'NACK', action: n.action, code: n.code, message: n.message });
        else record.note(0, `${id}: ${reason} (message ${n.messageId})`);
      }
    },
    actualPowerKW(meter, k) {
      return meter === meterId ? operate(k) : 0;
    },
    marketState: (k) => {
      const m = markets.get(k);
      return m === undefined ? undefined : String(m.snapshot.value);
    },
    deviationState: () => String(standing.snapshot.value),
    offer: () => offer,
    actualKW: (k) => actual.get(k),
  };
}
