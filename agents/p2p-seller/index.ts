import { forecast, householdLoad, pvProfile } from '../../grid/profiles/index.js';
import type { AgentFactory, AgentServices } from '../../src/run/agent.js';
import { meterOrThrow, sanctionedLoad, valueOrThrow } from '../participant/factory.js';
import { P2pSellerAgent, type SellerProfiles } from './agent.js';
import { resolveSellerSite, sellerParams, type SellerEntry, type SellerSite } from './params.js';

export { P2pSellerAgent, intervalsPerRound, type SellerOptions, type SellerProfiles } from './agent.js';
export { DeviationLink } from './deviation.js';
export { sellerTradeMachine, type SellerTradeEffect, type SellerTradeEvent } from './machine.js';
export { resolveSellerSite, sellerParams, SELLER_KEYS, type SellerEntry, type SellerSite } from './params.js';
export { bestWindow, blockGain, expectedShortfallKW, hourWindows, normalCdf, optimalBlock, type Block, type BlockInterval, type IntervalWindow, type WindowBlock } from './policy.js';
export * from './trade.js';

/** Draws a seller's PV and load, and its forecasts of both, from its own streams. */
export function sellerProfiles(site: SellerSite, e: SellerEntry, svc: Pick<AgentServices, 'scenario' | 'clock' | 'stream'>): SellerProfiles {
  const { scenario, clock } = svc;
  const grid = { startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: clock.intervals, longitude: scenario.location.longitude };
  const pv = pvProfile({ ...grid, latitude: scenario.location.latitude, kWp: site.pvKWp, cloudiness: e.cloudiness }, svc.stream('pv'));
  const load = householdLoad({ ...grid, annualKWh: site.annualKWh }, svc.stream('load'));
  return { pvKW: pv, loadKW: load, pvForecastKW: forecast(pv, e.forecastErrorSd, svc.stream('pv-forecast')), loadForecastKW: forecast(load, e.forecastErrorSd, svc.stream('load-forecast')) };
}

/** Factory of kind `p2p-seller`. */
export const create: AgentFactory = (spec, ids, services, ctx) => {
  if (ids.length === 0) return [];
  const e = valueOrThrow(sellerParams(spec, services(ids[0]!).scenario));
  return ids.map((id) => {
    const svc = services(id);
    const meter = meterOrThrow(ctx, id, spec);
    const sanctioned = sanctionedLoad(e.sanctionedLoadKW, meter, svc);
    const site = resolveSellerSite(e, meter, sanctioned);
    return new P2pSellerAgent({ id, meterId: meter.meterId, node: meter.node, services: svc, entry: e, site, sanctionedLoadKW: sanctioned, profiles: sellerProfiles(site, e, svc) });
  });
};
