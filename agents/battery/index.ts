import type { AgentFactory, AgentServices, MeterAssignment } from '../../src/run/agent.js';
import { createParticipantAgent, type ParticipantBehaviour } from '../participant/agent.js';
import { curveFromFunction } from '../participant/curve.js';
import { intervalsIn, meterOrThrow, sanctionedLoad, valueOrThrow } from '../participant/factory.js';
import { participantPriceEstimator } from '../participant/prices.js';
import { ArbitrageBattery } from './controller.js';
import { batteryParams, DEFAULT_BATTERY_KW, DEFAULT_BATTERY_KWH, resolveBatterySpec, type BatteryEntry, type StandAloneBatteryParams } from './params.js';
import type { BatterySpec } from './policy.js';

/** An arbitrage battery with its owner's own price estimate (tariffs and sun first, then clearing prices). */
export function newArbitrageBattery(spec: BatterySpec, entry: BatteryEntry, svc: Pick<AgentServices, 'scenario' | 'clock'>): ArbitrageBattery {
  const prices = participantPriceEstimator(svc, entry.priceLearningRate);
  return new ArbitrageBattery(spec, entry.initialSocPct, svc.clock.intervalHours, prices, intervalsIn(entry.lookaheadHours, svc.clock.intervalMinutes));
}

/**
 * The stand-alone battery: no PV, no load, arbitrage only. It offers to charge below and to
 * discharge above thresholds set by the value of its stored energy under its own price forecast,
 * learns from the clearing prices it is told, and follows its setpoint within its SoC limits
 * (idle when it has no deal).
 */
export function batteryBehaviour(p: StandAloneBatteryParams, meter: MeterAssignment | undefined, svc: Pick<AgentServices, 'scenario' | 'clock'>): { readonly behaviour: ParticipantBehaviour; readonly battery: ArbitrageBattery } {
  const spec = resolveBatterySpec(p.battery, meter, { kWh: DEFAULT_BATTERY_KWH, kW: DEFAULT_BATTERY_KW });
  if (spec === undefined) throw new RangeError('a stand-alone battery needs a capacity > 0');
  const battery = newArbitrageBattery(spec, p.battery, svc);
  const behaviour: ParticipantBehaviour = {
    resourceType: 'BATTERY',
    offerCurve(k, e) {
      const w = battery.willingness(k, e);
      return curveFromFunction(w.powerAt, w.breakpoints, e);
    },
    onCleared(k, outcome) {
      battery.prices.observe(k, outcome.pricePerKWh);
      battery.state.plan(k, outcome.clearedKW);
    },
    operate(k, target) {
      const lim = battery.state.limits();
      const want = target?.powerKW ?? 0;
      const kw = want < -lim.chargeKW ? -lim.chargeKW : want > lim.dischargeKW ? lim.dischargeKW : want;
      battery.state.operate(k, kw);
      return kw;
    },
  };
  return { behaviour, battery };
}

/** Factory of kind `battery`. */
export const create: AgentFactory = (spec, ids, services, ctx) => {
  const p = valueOrThrow(batteryParams(spec));
  return ids.map((id) => {
    const svc = services(id);
    const meter = meterOrThrow(ctx, id, spec);
    const { behaviour } = batteryBehaviour(p, meter, svc);
    return createParticipantAgent({ id, kind: 'battery', meterId: meter.meterId, node: meter.node, services: svc, behaviour, sanctionedLoadKW: sanctionedLoad(p.sanctionedLoadKW, meter, svc) });
  });
};
