import { evSessions } from '../../grid/profiles/index.js';
import type { AgentFactory, AgentServices } from '../../src/run/agent.js';
import { valueOrThrow } from '../participant/factory.js';
import { energyDueInRun } from '../home-ev/policy.js';
import { EvDriverAgent, type DriverStay } from './agent.js';
import { driverParams, type DriverEntry } from './params.js';
import { offsetPoint } from './policy.js';

export { EvDriverAgent, type DriverOptions, type DriverStay, type StayOutcome } from './agent.js';
export { driverMachine, type DriverEffect, type DriverEvent } from './machine.js';
export { driverParams, DRIVER_KEYS, type DriverEntry } from './params.js';
export { chargingOptions, offsetPoint, sessionRating, stayCost, type ChargingOption, type StayNeed } from './policy.js';

/**
 * A driver's stays over the run, from its own streams: sessionsPerDay × the run's days (rounded)
 * arrivals with the destination-charging statistics of the EV profiles (arrival, stay, energy), the
 * car's connector (the entry's list taken in turn by driver number), a destination scattered around
 * the scenario's location, and whether each booking will be cancelled. A stay running past the end
 * of the run is cut there, with its energy pro rata.
 */
export function driverStays(driverId: string, index: number, e: DriverEntry, svc: Pick<AgentServices, 'scenario' | 'clock' | 'stream'>): DriverStay[] {
  const { scenario, clock } = svc;
  const n = clock.intervals;
  const count = Math.round((e.sessionsPerDay * n * clock.intervalHours) / 24);
  if (count === 0) return [];
  const drawn = evSessions({ startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: n, longitude: scenario.location.longitude, kind: 'destination', count, maxPowerKW: e.vehicleMaxKW, idPrefix: `${driverId}-s` }, svc.stream('ev'));
  const place = svc.stream('destination');
  const cancel = svc.stream('cancel');
  const connector = e.connectorTypes[index % e.connectorTypes.length] ?? 'IEC_62196_T2';
  return drawn.map((s, i) => {
    const destination = offsetPoint(scenario.location, e.destinationSpreadMeters * Math.sqrt(place.next()), 360 * place.next());
    return {
      sessionId: `${driverId}-s${i + 1}`,
      arrival: s.arrival,
      departure: Math.min(s.departure, n),
      energyKWh: Number(energyDueInRun(s, n).toFixed(3)),
      vehicleMaxKW: e.vehicleMaxKW,
      connectorType: connector,
      destination,
      cancels: cancel.bernoulli(e.cancelProbability),
    };
  });
}

/** Factory of kind `ev-driver` (no meter: the energy is metered at the station). */
export const create: AgentFactory = (spec, ids, services) => {
  if (ids.length === 0) return [];
  const e = valueOrThrow(driverParams(spec));
  return ids.map((id, i) => {
    const svc = services(id);
    return new EvDriverAgent({ id, services: svc, stays: driverStays(id, i, e, svc), searchRadiusMeters: e.searchRadiusMeters, leadIntervals: Math.round(e.bookingLeadMinutes / svc.clock.intervalMinutes) });
  });
};
