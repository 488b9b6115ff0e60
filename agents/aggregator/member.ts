import type { EnergyContract } from '../../src/contracts/model.js';
import { CLEARING_PRICE_SIGNAL } from '../../src/contracts/templates/index.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { ContractPayload, EnergyDelivery, MeterReading } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { offeredRange } from '../participant/curve.js';
import { marketEconomics, type MarketEconomics } from '../participant/economics.js';
import { intervalOfWindow, intervalsOverlapping, intervalWindow, setupTransactionId } from '../shared/ids.js';
import { start, step, type Step } from '../shared/machine.js';
import { runWindow, standingContractMachine, type StandingEffect } from '../shared/standing.js';
import { refusalOf, withRoleInputs } from '../shared/terms.js';
import { membershipContract } from './contracts.js';
import type { MemberDevice } from './devices.js';
import { memberIntervalMachine, type MemberEffect, type MemberEvent } from './machine.js';
import type { MemberResource } from './members.js';

/**
 * A member of an aggregator: an ordinary metered connection that joins its aggregator by a
 * revenue-share contract (init/confirm) instead of trading in the market. In every interval its
 * contract covers it offers its curve — and the power it would run at anyway — to the aggregator
 * (update); the aggregator answers with its setpoint, carrying the device command of its standard
 * (on_update), which it follows; without one it runs free. In a flexibility program it also
 * reports its meter reading after every interval (update), from which the baseline and its
 * reduction are drawn. Settlement reports come back as on_status.
 */

type MemberStep = Step<ReturnType<typeof start<typeof memberIntervalMachine, MemberEffect>>['snapshot'], MemberEffect>;
type StandingStep = Step<ReturnType<typeof start<typeof standingContractMachine, StandingEffect>>['snapshot'], StandingEffect>;

/** A member agent with a read-only view of its state (for tests and reports). */
export interface MemberAgent extends Agent {
  readonly resource: MemberResource;
  /** State of the membership contract formation. */
  membershipState(): string;
  /** The membership contract once active. */
  membership(): EnergyContract | undefined;
  /** The setpoint of interval k, kW, when the aggregator sent one. */
  setpointKW(k: number): number | undefined;
  /** Actual power of interval k once operated, kW. */
  actualKW(k: number): number | undefined;
}

export interface MemberOptions {
  readonly resource: MemberResource;
  readonly meterId: string;
  readonly node: string;
  readonly device: MemberDevice;
  readonly services: AgentServices;
  /** The contract it proposes (the aggregator answers with its program's terms). */
  readonly sharePercent: number;
}

/** Intervals of finished machines kept for late messages. */
const KEEP = 8;

/** Creates a member agent. Nothing is sent before its first bid phase. */
export function createMemberAgent(o: MemberOptions): MemberAgent {
  const { resource, meterId, device, services: svc } = o;
  const { clock, record, scenario } = svc;
  const id = resource.id;
  const aggregatorId = resource.aggregatorId;
  const txn = setupTransactionId(id, 'membership');
  const h = clock.intervalHours;
  const economics: MarketEconomics = marketEconomics(scenario, clock);

  let standing: StandingStep = start<typeof standingContractMachine, StandingEffect>(standingContractMachine, undefined as never);
  let offered: EnergyContract | undefined;
  let active: EnergyContract | undefined;
  let confirmSent = false;
  let span: readonly [number, number] | undefined;
  const machines = new Map<number, MemberStep>();
  const curves = new Map<number, OfferCurve>();
  const setpoints = new Map<number, number>();
  const actual = new Map<number, number>();
  /** Actual power of every operated interval, kW (NaN before): one number per interval of the run. */
  const history = new Float64Array(clock.intervals).fill(Number.NaN);
  let setupDone = false;
  let ended = false;

  const nowIso = (): string => isoOf(svc.net.nowMs());
  const flexibilityProgram = (): boolean => active?.revenueFlows.flows.some((f) => f.flowId === 'flexibility') === true;

  function payload(contract: EnergyContract, delivery?: EnergyDelivery): ContractPayload {
    return { kind: 'contract', contract, offerId: `${aggregatorId}-membership`, providerId: aggregatorId, resources: [{ resourceId: meterId, quantity: 0, unit: 'kW' }], ...(delivery === undefined ? {} : { delivery }) };
  }

  function standingStep(event: Parameters<typeof step<typeof standingContractMachine, StandingEffect>>[2]): void {
    standing = step<typeof standingContractMachine, StandingEffect>(standingContractMachine, standing.snapshot, event);
    for (const e of standing.effects) {
      if (e.type === 'sendInit') {
        const proposal = membershipContract({ memberId: id, aggregatorId, memberMeterId: meterId, createdAt: nowIso(), currency: scenario.currency, validity: runWindow(clock), basis: { kind: 'market-energy' }, sharePercent: o.sharePercent });
        svc.net.request({ to: aggregatorId, action: 'init', transactionId: txn, payload: payload(withRoleInputs(proposal, 'PROSUMER', { resourceType: device.resourceType })) });
      } else if (e.type === 'sendConfirm' && offered !== undefined && !confirmSent) {
        confirmSent = true;
        svc.net.request({ to: aggregatorId, action: 'confirm', transactionId: txn, payload: payload(offered) });
      } else if (e.type === 'refused') {
        record.note(currentInterval(), `${id}: membership with ${aggregatorId} refused: ${e.reason}`);
      }
    }
  }

  function machine(k: number): MemberStep {
    let m = machines.get(k);
    if (m === undefined) {
      m = start<typeof memberIntervalMachine, MemberEffect>(memberIntervalMachine, undefined as never);
      machines.set(k, m);
    }
    return m;
  }

  function drive(k: number, event: MemberEvent): void {
    const next = step<typeof memberIntervalMachine, MemberEffect>(memberIntervalMachine, machine(k).snapshot, event);
    machines.set(k, next);
    for (const e of next.effects) effect(k, e);
  }

  function effect(k: number, e: MemberEffect): void {
    switch (e.type) {
      case 'sendOffer': {
        if (active === undefined) return;
        const curve = device.offerCurve(k, economics);
        curves.set(k, curve);
        const contract = withRoleInputs(active, 'PROSUMER', { offerCurve: curve, baselineKW: round6(device.freeRunKW(k)) });
        svc.net.request({ to: aggregatorId, action: 'update', transactionId: txn, payload: payload(contract, { deliveryId: `dl-${id}-i${k}`, status: 'PENDING', window: intervalWindow(clock, k) }) });
        return;
      }
      case 'instructed':
        setpoints.set(k, e.targetKW);
        device.onInstructed(k, e.pricePerKWh, e.targetKW);
        return;
      case 'follow':
      case 'runFree': {
        const target = e.type === 'follow' ? e.targetKW : undefined;
        const a = device.operate(k, target);
        actual.set(k, a);
        if (k < history.length) history[k] = a;
        const curve = curves.get(k);
        if (curve !== undefined) {
          const [minKW, maxKW] = offeredRange(curve, economics);
          record.dispatch({ interval: k, participant: id, kind: resource.memberKind, node: o.node, meterId, offeredMinKW: minKW, offeredMaxKW: maxKW, clearedKW: target ?? 0, pricePerKWh: e.type === 'follow' ? e.pricePerKWh : Number.NaN });
        }
        return;
      }
    }
  }

  /** Offers every interval of the contract whose bids are open now and not yet offered. */
  function offerOpenIntervals(): void {
    if (active === undefined || span === undefined || ended) return;
    const now = svc.net.nowMs();
    const lead = scenario.market.bidLeadMinutes * 60_000;
    const gate = scenario.market.gateClosureMinutes * 60_000;
    for (let k = span[0]; k <= span[1]; k++) {
      const opens = clock.intervalStartMs(k) - lead;
      if (opens > now) break;
      if (now < clock.intervalStartMs(k) - gate && machine(k).snapshot.value === 'idle') drive(k, { type: 'OFFER' });
    }
  }

  function onContract(msg: InboundMessage, p: ContractPayload): void {
    const c = p.contract;
    if (msg.action === 'on_init') {
      if (c.status === 'TERMINATED') standingStep({ type: 'REFUSED', reason: refusalOf(c) ?? 'on_init TERMINATED' });
      else {
        offered = c;
        standingStep({ type: 'OFFERED' });
      }
    } else if (msg.action === 'on_confirm') {
      if (c.status === 'ACTIVE') {
        active = c;
        span = c.validity === undefined ? [0, clock.intervals - 1] : intervalsOverlapping(clock, c.validity);
        standingStep({ type: 'ACTIVATED' });
        offerOpenIntervals();
      } else standingStep({ type: 'REFUSED', reason: refusalOf(c) ?? `on_confirm ${c.status}` });
    } else if (msg.action === 'on_status') {
      // A settled, completed membership needs no more offers or readings.
      if (c.status === 'COMPLETED' || c.status === 'TERMINATED') ended = true;
    } else if (msg.action === 'on_update') {
      const w = p.delivery?.window;
      const k = w === undefined ? undefined : intervalOfWindow(clock, w);
      if (k === undefined || p.delivery?.meterReadings !== undefined || !machines.has(k)) return;
      const sp = p.delivery?.setpoints?.find((s) => s.resourceId === meterId);
      if (sp === undefined) {
        drive(k, { type: 'RELEASED', reason: refusalOf(c) ?? 'the aggregator sent no setpoint' });
        return;
      }
      const price = p.delivery?.signalValues?.find((s) => s.signalId === CLEARING_PRICE_SIGNAL)?.value ?? sp.atPricePerKWh ?? Number.NaN;
      drive(k, { type: 'INSTRUCTED', targetKW: sp.targetPowerKW, pricePerKWh: price });
    }
  }

  function sendReading(k: number): void {
    const a = actual.get(k);
    if (active === undefined || a === undefined || ended) return;
    const net = round6(a * h);
    const reading: MeterReading = { meterId, interval: intervalWindow(clock, k), importKWh: Math.max(0, -net), exportKWh: Math.max(0, net), netKWh: net, averagePowerKW: round6(a), quality: 'MEASURED' };
    svc.net.request({ to: aggregatorId, action: 'update', transactionId: txn, payload: payload(active, { deliveryId: `dl-${id}-meter`, status: 'IN_PROGRESS', window: intervalWindow(clock, k), meterReadings: [reading] }) });
  }

  function operate(k: number): number {
    const done = actual.get(k);
    if (done !== undefined) return done;
    drive(k, { type: 'DISPATCH' });
    const a = actual.get(k) ?? device.operate(k, undefined);
    actual.set(k, a);
    if (k < history.length) history[k] = a;
    return a;
  }

  function currentInterval(): number {
    return Math.min(clock.intervals - 1, Math.max(0, Math.floor((svc.net.nowMs() - clock.startMs) / clock.intervalMs)));
  }

  return {
    id,
    kind: 'aggregator-member',
    meterIds: [meterId],
    resource,
    onPhase(ctx: PhaseContext) {
      const k = ctx.interval;
      if (ctx.phase === 'bid') {
        if (!setupDone) {
          setupDone = true;
          standingStep({ type: 'REQUEST' });
        }
        offerOpenIntervals();
      } else if (ctx.phase === 'dispatch') {
        operate(k);
        for (const old of [...machines.keys()]) if (old < k - KEEP) machines.delete(old);
        for (const old of [...curves.keys()]) if (old < k - KEEP) curves.delete(old);
        for (const old of [...actual.keys()]) if (old < k - KEEP) actual.delete(old);
      } else if (ctx.phase === 'meter' && flexibilityProgram()) sendReading(k);
    },
    onMessage(msg) {
      const p = msg.payload as { readonly kind?: string };
      if (msg.from !== aggregatorId || p.kind !== 'contract') return;
      onContract(msg, msg.payload as ContractPayload);
    },
    onNack(n: NackNotice) {
      const reason = `${n.action} refused: ${n.code} ${n.message}`;
      if (n.action === 'init' || n.action === 'confirm') {
        standingStep({ type: 'REFUSED', reason });
        return;
      }
      record.note(currentInterval(), `${id}: ${reason}`);
      for (const [k, m] of machines) if (m.snapshot.value === 'offered') drive(k, { type: 'NACK', reason });
    },
    actualPowerKW(meter, k) {
      return meter === meterId ? operate(k) : 0;
    },
    membershipState: () => String(standing.snapshot.value),
    membership: () => active,
    setpointKW: (k) => setpoints.get(k),
    actualKW: (k) => {
      const a = history[k];
      return a === undefined || Number.isNaN(a) ? undefined : a;
    },
  };
}

function round6(x: number): number {
  const v = Math.round(x * 1e6) / 1e6;
  return Object.is(v, -0) ? 0 : v;
}
