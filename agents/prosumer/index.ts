import { forecast, householdLoad, pvProfile } from '../../grid/profiles/index.js';
import type { AgentFactory, AgentServices, MeterAssignment } from '../../src/run/agent.js';
import { newArbitrageBattery } from '../battery/index.js';
import type { ArbitrageBattery } from '../battery/controller.js';
import { chargeLimitKW, dischargeLimitKW } from '../battery/policy.js';
import { createParticipantAgent, type ParticipantBehaviour } from '../participant/agent.js';
import { curveFromFunction } from '../participant/curve.js';
import { meterOrThrow, sanctionedLoad, valueOrThrow } from '../participant/factory.js';
import { prosumerParams, resolveProsumerSite, type ProsumerEntry, type ProsumerSite } from './params.js';
import { operateSite, prosumerWillingness } from './policy.js';

/** The profiles of one prosumer over the run: truth (what happens) and forecast (what it bids on), kW. */
export interface ProsumerProfiles {
  readonly pvKW: Float64Array;
  readonly loadKW: Float64Array;
  readonly pvForecastKW: Float64Array;
  readonly loadForecastKW: Float64Array;
}

/** Draws a prosumer's PV and load, and their forecasts, from its own streams. */
export function prosumerProfiles(site: ProsumerSite, e: ProsumerEntry, svc: Pick<AgentServices, 'scenario' | 'clock' | 'stream'>): ProsumerProfiles {
  const { scenario, clock } = svc;
  const grid = { startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: clock.intervals };
  const pv = pvProfile({ ...grid, latitude: scenario.location.latitude, longitude: scenario.location.longitude, kWp: site.pvKWp, cloudiness: e.cloudiness }, svc.stream('pv'));
  const load = householdLoad({ ...grid, longitude: scenario.location.longitude, annualKWh: site.annualKWh }, svc.stream('load'));
  return {
    pvKW: pv,
    loadKW: load,
    pvForecastKW: forecast(pv, e.forecastErrorSd, svc.stream('pv-forecast')),
    loadForecastKW: forecast(load, e.forecastErrorSd, svc.stream('load-forecast')),
  };
}

/**
 * The solar prosumer's behaviour: bids its forecast PV minus own load (plus its battery's
 * arbitrage) by {@link prosumerWillingness}; delivers on the true PV and load by
 * {@link operateSite}, the battery closing forecast errors first, then PV curtailment, the rest
 * showing as deviation. Without a deal it runs for self-consumption.
 */
export function prosumerBehaviour(e: ProsumerEntry, meter: MeterAssignment | undefined, svc: Pick<AgentServices, 'scenario' | 'clock' | 'stream'>): { readonly behaviour: ParticipantBehaviour; readonly profiles: ProsumerProfiles; readonly battery: ArbitrageBattery | undefined; readonly site: ProsumerSite } {
  const site = resolveProsumerSite(e, meter);
  const profiles = prosumerProfiles(site, e, svc);
  const battery = site.battery === undefined ? undefined : newArbitrageBattery(site.battery, e.battery, svc);
  const h = svc.clock.intervalHours;
  const behaviour: ParticipantBehaviour = {
    resourceType: 'PV',
    offerCurve(k, econ) {
      const w = prosumerWillingness(
        {
          pvKW: profiles.pvForecastKW[k] ?? 0,
          loadKW: profiles.loadForecastKW[k] ?? 0,
          relErrorSd: e.forecastErrorSd,
          reservationPerKWh: e.reservationPricePerKWh,
          shortfallCostPerKWh: econ.shortfallCostPerKWh(k),
          excessValuePerKWh: econ.excessValuePerKWh,
          tradingCostPerKWh: econ.tradingCostPerKWh,
          ...(battery === undefined ? {} : { battery: battery.willingness(k, econ) }),
        },
        econ,
      );
      return curveFromFunction(w.powerAt, w.breakpoints, econ);
    },
    onCleared(k, outcome) {
      if (battery === undefined) return;
      battery.prices.observe(k, outcome.pricePerKWh);
      const [lo, hi] = battery.state.socRangeAt(k);
      const want = outcome.clearedKW - ((profiles.pvForecastKW[k] ?? 0) - (profiles.loadForecastKW[k] ?? 0));
      battery.state.plan(k, Math.max(-chargeLimitKW(battery.spec, hi, h), Math.min(dischargeLimitKW(battery.spec, lo, h), want)));
    },
    operate(k, target) {
      const limits = battery?.state.limits() ?? { chargeKW: 0, dischargeKW: 0 };
      const op = operateSite(profiles.pvKW[k] ?? 0, profiles.loadKW[k] ?? 0, limits, target?.powerKW);
      battery?.state.operate(k, op.batteryKW);
      return op.netKW;
    },
  };
  return { behaviour, profiles, battery, site };
}

/** Factory of kind `prosumer`. */
export const create: AgentFactory = (spec, ids, services, ctx) => {
  if (ids.length === 0) return [];
  const e = valueOrThrow(prosumerParams(spec, services(ids[0]!).scenario));
  return ids.map((id) => {
    const svc = services(id);
    const meter = meterOrThrow(ctx, id, spec);
    const { behaviour } = prosumerBehaviour(e, meter, svc);
    return createParticipantAgent({ id, kind: 'prosumer', meterId: meter.meterId, node: meter.node, services: svc, behaviour, sanctionedLoadKW: sanctionedLoad(e.sanctionedLoadKW, meter, svc) });
  });
};
