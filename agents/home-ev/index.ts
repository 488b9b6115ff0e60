import { evSessions, forecast, householdLoad, pvProfile } from '../../grid/profiles/index.js';
import type { AgentFactory, AgentServices } from '../../src/run/agent.js';
import { meterOrThrow, sanctionedLoad, valueOrThrow } from '../participant/factory.js';
import { HomeEvAgent, type HomeEvProfiles } from './agent.js';
import { homeEvParams, resolveHomeEvSite, type HomeEvEntry, type HomeEvSite } from './params.js';
import { oneCarSessions } from './policy.js';

export { HomeEvAgent, type HomeEvOptions, type HomeEvProfiles, type SessionOutcome } from './agent.js';
export { homeEvParams, resolveHomeEvSite, HOME_EV_KEYS, type HomeEvEntry, type HomeEvSite } from './params.js';
export { availableChargeKW, energyDueInRun, importPricesOf, oneCarSessions, planCharging, type ChargePlan, type ChargeSlot, type SlotOrder } from './policy.js';

/**
 * Draws a home's household load (and its forecast), PV and the car's plug-ins from the agent's own
 * streams: sessionsPerDay × the run's days (rounded) plug-ins arriving inside the run, at the times
 * and with the energy of the home-charging statistics of the EV profiles, at the charger's power.
 */
export function homeEvProfiles(site: HomeEvSite, e: HomeEvEntry, svc: Pick<AgentServices, 'scenario' | 'clock' | 'stream'>): HomeEvProfiles {
  const { scenario, clock } = svc;
  const grid = { startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: clock.intervals, longitude: scenario.location.longitude };
  const load = householdLoad({ ...grid, annualKWh: site.annualKWh }, svc.stream('load'));
  const pv = site.pvKWp > 0 ? pvProfile({ ...grid, latitude: scenario.location.latitude, kWp: site.pvKWp, cloudiness: e.cloudiness }, svc.stream('pv')) : new Float64Array(clock.intervals);
  const count = Math.round((e.sessionsPerDay * clock.intervals * clock.intervalHours) / 24);
  const sessions = count > 0 ? oneCarSessions(evSessions({ ...grid, kind: 'home', count, maxPowerKW: site.chargerKW, idPrefix: 'plug-in' }, svc.stream('ev'))) : [];
  return { loadKW: load, loadForecastKW: forecast(load, e.loadForecastErrorSd, svc.stream('load-forecast')), pvKW: pv, sessions };
}

/** Factory of kind `home-ev`. */
export const create: AgentFactory = (spec, ids, services, ctx) => {
  if (ids.length === 0) return [];
  const e = valueOrThrow(homeEvParams(spec));
  return ids.map((id) => {
    const svc = services(id);
    const meter = meterOrThrow(ctx, id, spec);
    const site = resolveHomeEvSite(e, meter);
    return new HomeEvAgent({ id, meterId: meter.meterId, services: svc, entry: e, site, sanctionedLoadKW: sanctionedLoad(e.sanctionedLoadKW, meter, svc), profiles: homeEvProfiles(site, e, svc) });
  });
};
