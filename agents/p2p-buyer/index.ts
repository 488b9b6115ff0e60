import { forecast, householdLoad } from '../../grid/profiles/index.js';
import type { AgentFactory, AgentServices } from '../../src/run/agent.js';
import { meterOrThrow, sanctionedLoad, valueOrThrow } from '../participant/factory.js';
import { P2pBuyerAgent, type BuyerProfiles } from './agent.js';
import { buyerAnnualKWh, buyerParams, type BuyerEntry } from './params.js';

export { P2pBuyerAgent, type BuyerOptions, type BuyerProfiles, type DealOutcome } from './agent.js';
export { buyerDealMachine, type BuyerDealEffect, type BuyerDealEvent } from './machine.js';
export { buyerAnnualKWh, buyerParams, BUYER_KEYS, type BuyerEntry } from './params.js';
export { buyerBlockIntervals, rankOffers, type BuyerInterval, type RankedOffer, type RankOptions } from './policy.js';

/** Draws a buyer's household load and its forecast from its own streams. */
export function buyerProfiles(annualKWh: number, e: BuyerEntry, svc: Pick<AgentServices, 'scenario' | 'clock' | 'stream'>): BuyerProfiles {
  const { scenario, clock } = svc;
  const load = householdLoad({ startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: clock.intervals, longitude: scenario.location.longitude, annualKWh }, svc.stream('load'));
  return { loadKW: load, loadForecastKW: forecast(load, e.forecastErrorSd, svc.stream('load-forecast')) };
}

/** Factory of kind `p2p-buyer`. */
export const create: AgentFactory = (spec, ids, services, ctx) => {
  if (ids.length === 0) return [];
  const e = valueOrThrow(buyerParams(spec, services(ids[0]!).scenario));
  return ids.map((id) => {
    const svc = services(id);
    const meter = meterOrThrow(ctx, id, spec);
    return new P2pBuyerAgent({ id, meterId: meter.meterId, services: svc, entry: e, sanctionedLoadKW: sanctionedLoad(e.sanctionedLoadKW, meter, svc), profiles: buyerProfiles(buyerAnnualKWh(e, meter), e, svc) });
  });
};
