import { forecast, householdLoad } from '../../grid/profiles/index.js';
import type { AgentFactory, AgentServices, MeterAssignment } from '../../src/run/agent.js';
import { createParticipantAgent, type ParticipantBehaviour } from '../participant/agent.js';
import { curveFromFunction } from '../participant/curve.js';
import { intervalsIn, meterOrThrow, sanctionedLoad, valueOrThrow } from '../participant/factory.js';
import { consumerParams, DEFAULT_CONSUMER_KWH, type ConsumerEntry } from './params.js';
import { consumerWillingness, ShiftableLoad } from './policy.js';

/** A household's true load and its own forecast of it over the run, kW. */
export interface ConsumerProfiles {
  readonly loadKW: Float64Array;
  readonly loadForecastKW: Float64Array;
}

/**
 * The household consumer's behaviour: bids its forecast load, the inelastic part up to its price
 * limit and the flexible part fading out above retail; at delivery it uses its true load, follows
 * the setpoint with the flexible part and shifts what it did not use.
 */
export function consumerBehaviour(e: ConsumerEntry, meter: MeterAssignment | undefined, svc: Pick<AgentServices, 'scenario' | 'clock' | 'stream'>): { readonly behaviour: ParticipantBehaviour; readonly profiles: ConsumerProfiles; readonly load: ShiftableLoad } {
  const { clock, scenario } = svc;
  const annualKWh = e.annualKWh ?? meter?.annualConsumptionKWh ?? DEFAULT_CONSUMER_KWH;
  const truth = householdLoad({ startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: clock.intervals, longitude: scenario.location.longitude, annualKWh }, svc.stream('load'));
  const profiles: ConsumerProfiles = { loadKW: truth, loadForecastKW: forecast(truth, e.forecastErrorSd, svc.stream('load-forecast')) };
  const load = new ShiftableLoad(e.flexibleShare, intervalsIn(e.maxShiftHours, clock.intervalMinutes), e.maxReboundKW, clock.intervalHours);
  const behaviour: ParticipantBehaviour = {
    resourceType: 'HOUSEHOLD',
    offerCurve(k, econ) {
      const split = load.split(k, profiles.loadForecastKW[k] ?? 0);
      const w = consumerWillingness(
        { ...split, retailPerKWh: econ.retailPerKWh(k), flexPriceFactor: e.flexPriceFactor, flexCutoffFactor: e.flexCutoffFactor, maxPricePerKWh: e.maxPricePerKWh, tradingCostPerKWh: econ.tradingCostPerKWh },
        econ,
      );
      return curveFromFunction(w.powerAt, w.breakpoints, econ);
    },
    operate(k, target) {
      const importKW = target === undefined ? undefined : Math.max(0, -target.powerKW);
      return -load.operate(k, profiles.loadKW[k] ?? 0, importKW).consumedKW;
    },
  };
  return { behaviour, profiles, load };
}

/** Factory of kind `consumer`. */
export const create: AgentFactory = (spec, ids, services, ctx) => {
  if (ids.length === 0) return [];
  const e = valueOrThrow(consumerParams(spec, services(ids[0]!).scenario));
  return ids.map((id) => {
    const svc = services(id);
    const meter = meterOrThrow(ctx, id, spec);
    const { behaviour } = consumerBehaviour(e, meter, svc);
    return createParticipantAgent({ id, kind: 'consumer', meterId: meter.meterId, node: meter.node, services: svc, behaviour, sanctionedLoadKW: sanctionedLoad(e.sanctionedLoadKW, meter, svc) });
  });
};
