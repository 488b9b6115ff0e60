import { evSessions, pvProfile } from '../../grid/profiles/index.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { cpoSession, cpoSessionInputs } from '../../src/contracts/templates/index.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { SetpointCommand } from '../../src/protocol/payloads.js';
import type { AgentFactory, AgentServices, MeterAssignment } from '../../src/run/agent.js';
import { createParticipantAgent, type ParticipantBehaviour } from '../participant/agent.js';
import { curveFromFunction } from '../participant/curve.js';
import { intervalsIn, meterOrThrow, sanctionedLoad, valueOrThrow } from '../participant/factory.js';
import { participantPriceEstimator, type PriceEstimator } from '../participant/prices.js';
import { cpoParams, resolveCpoSite, type CpoEntry, type CpoSite } from './params.js';
import { cpoWillingness, sessionBid } from './policy.js';
import { ChargingSite, plugSessions, type PluggedSession } from './site.js';
import { createBookedCpo } from './booked.js';
import { isBookingEntry } from './station-params.js';

/** Name of the metric of energy EV drivers asked for and did not get by their departure, kWh. */
export const UNMET_EV_ENERGY_METRIC = 'unmetEvEnergyKWh';
/** Name of the metric of sessions that found every charge point busy. */
export const TURNED_AWAY_METRIC = 'evSessionsTurnedAway';

/** Party id of the driver of a session at a CPO. */
export function driverPartyId(cpoId: string, sessionId: string): string {
  return `${cpoId}/driver-${sessionId}`;
}

/** Contract id of a charging session at a CPO. */
export function sessionContractId(cpoId: string, sessionId: string): string {
  return `ses-${cpoId}-${sessionId}`;
}

/** What a CPO behaviour exposes besides the runtime's interface (for tests and reports). */
export interface CpoInternals {
  readonly site: ChargingSite;
  readonly siteFacts: CpoSite;
  readonly prices: PriceEstimator;
  readonly turnedAway: number;
  /** OCPP profiles sent to the chargers in interval k (kept for the last few intervals). */
  chargerProfiles(k: number): readonly SetpointCommand[] | undefined;
  /** Called with each interval's charger profiles as they are sent. */
  onProfiles: ((k: number, profiles: readonly SetpointCommand[]) => void) | undefined;
}

/**
 * The CPO's behaviour. Bids: every session it knows of splits into must-charge power (bid up to
 * the cap) and flexible power (bid below the price of the later intervals it would otherwise use,
 * by its own price forecast), within the site limit, net of site PV. Delivery: the cleared import
 * is shared earliest deadline first and sent to the chargers as OCPP SetChargingProfile; without
 * a deal every vehicle charges at once. Each session is a contract with its driver (billed from
 * its charge data record at the end); energy missing at a departure is reported.
 */
export function cpoBehaviour(id: string, e: CpoEntry, meter: MeterAssignment | undefined, svc: AgentServices): { readonly behaviour: ParticipantBehaviour; readonly internals: CpoInternals } {
  const { clock, scenario, record, directory } = svc;
  const h = clock.intervalHours;
  const facts = resolveCpoSite(e, meter);
  const grid = { startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: clock.intervals };
  const drawn = evSessions({ ...grid, longitude: scenario.location.longitude, kind: e.pattern, perDay: facts.sessionsPerDay, maxPowerKW: facts.chargerKW, idPrefix: 's' }, svc.stream('ev'));
  const { plugged, turnedAway } = plugSessions(drawn, facts.evses, e.forecastErrorSd, svc.stream('ev-need'));
  const site = new ChargingSite(plugged, h, facts.siteLimitKW);
  const pv = facts.pvKWp > 0 ? pvProfile({ ...grid, latitude: scenario.location.latitude, longitude: scenario.location.longitude, kWp: facts.pvKWp, cloudiness: e.cloudiness }, svc.stream('pv')) : undefined;
  const prices = participantPriceEstimator(svc, e.priceLearningRate);
  const lookahead = intervalsIn(e.lookaheadHours, clock.intervalMinutes);
  const profiles = new Map<number, readonly SetpointCommand[]>();
  const lastInterval = (s: PluggedSession): number => Math.min(s.departure, clock.intervals) - 1;
  const byArrival = new Map<number, PluggedSession[]>();
  const byEnd = new Map<number, PluggedSession[]>();
  for (const s of plugged) {
    byArrival.set(s.arrival, [...(byArrival.get(s.arrival) ?? []), s]);
    byEnd.set(lastInterval(s), [...(byEnd.get(lastInterval(s)) ?? []), s]);
  }
  for (const s of turnedAway) {
    record.metric(TURNED_AWAY_METRIC, 1);
    record.note(s.arrival, `${id}: session ${s.id} arriving ${s.arrivalIso} found every charge point busy`);
  }

  function sessionContract(s: PluggedSession): EnergyContract | undefined {
    const r = cpoSession({
      contractId: sessionContractId(id, s.id),
      createdAt: s.arrivalIso,
      currency: scenario.currency,
      validity: { start: clock.intervalStartIso(s.arrival), end: clock.intervalStartIso(lastInterval(s) + 1) },
      cpo: id,
      driver: driverPartyId(id, s.id),
      energyPricePerKWh: e.tariffPerKWh,
      ...(e.sessionFee === undefined ? {} : { sessionFee: e.sessionFee }),
      ...(e.idleFeePerMinute === undefined ? {} : { idleFeePerMinute: e.idleFeePerMinute, idleGraceMinutes: e.idleGraceMinutes }),
      ...(e.driverTaxPct > 0 ? { tax: { government: directory.governmentId, ratePercent: e.driverTaxPct } } : {}),
      evseId: `${id}*${s.evse}`,
    });
    if (!r.ok) {
      record.note(s.arrival, `${id}: no contract for session ${s.id}: ${r.errors.map((d) => d.message).join('; ')}`);
      return undefined;
    }
    return r.value;
  }

  const internals: CpoInternals = { site, siteFacts: facts, prices, turnedAway: turnedAway.length, chargerProfiles: (k) => profiles.get(k), onProfiles: undefined };
  const behaviour: ParticipantBehaviour = {
    resourceType: 'EVSE',
    offerCurve(k, econ) {
      const now = svc.net.nowMs();
      const expected = (j: number): number => (j - k <= lookahead ? prices.expected(j) : prices.expected(k + lookahead));
      const bids = site.needsAt(k, now).map((n) => sessionBid(n, k, h, expected));
      const w = cpoWillingness({ sessions: bids, siteLimitKW: facts.siteLimitKW, pvKW: pv?.[k] ?? 0, reservationPerKWh: e.reservationPricePerKWh, tradingCostPerKWh: econ.tradingCostPerKWh }, econ);
      return curveFromFunction(w.powerAt, w.breakpoints, econ);
    },
    onCleared(k, outcome) {
      prices.observe(k, outcome.pricePerKWh);
      site.plan(k, Math.max(0, (pv?.[k] ?? 0) - outcome.clearedKW), svc.net.nowMs());
    },
    operate(k, target) {
      for (const s of byArrival.get(k) ?? []) {
        const c = sessionContract(s);
        if (c !== undefined) record.contractActive(c, id, 'at-end');
      }
      const pvKW = pv?.[k] ?? 0;
      const window = { start: clock.intervalStartIso(k), durationSeconds: clock.intervalMs / 1000 };
      const available = target === undefined ? undefined : Math.max(0, pvKW - target.powerKW);
      const r = site.dispatch(k, available, window);
      profiles.set(k, r.profiles);
      profiles.delete(k - 8);
      internals.onProfiles?.(k, r.profiles);
      if (target === undefined) return pvKW - r.chargingKW;
      // Charging exactly the import the market cleared puts the meter exactly on the setpoint.
      if (available !== undefined && Math.abs(r.chargingKW - available) <= 1e-12 && available > 0) return target.powerKW;
      // Site PV beyond the setpoint is curtailed; charging less than cleared shows as deviation.
      const net = pvKW - r.chargingKW;
      return net > target.powerKW ? net - Math.min(net - target.powerKW, pvKW) : net;
    },
    onPhase(ctx: PhaseContext) {
      if (ctx.phase !== 'meter') return;
      for (const s of byEnd.get(ctx.interval) ?? []) {
        const delivered = site.deliveredKWh(s.id);
        const idleMinutes = site.idleIntervalsOf(s.id) * clock.intervalMinutes;
        record.periodInputs(sessionContractId(id, s.id), ctx.interval, cpoSessionInputs({ energyKWh: delivered, connectedHours: (lastInterval(s) - s.arrival + 1) * h, idleMinutes, sessionsStarted: 1 }));
        if (s.departure <= clock.intervals) {
          const unmet = s.acceptsKWh - delivered;
          if (unmet > 1e-9) {
            record.metric(UNMET_EV_ENERGY_METRIC, unmet);
            record.note(ctx.interval, `${id}: session ${s.id} left at ${s.departureIso} ${unmet.toFixed(3)} kWh short of ${s.declaredKWh.toFixed(3)} kWh`);
          }
        }
      }
    },
  };
  return { behaviour, internals };
}

/** Factory of kind `cpo`; an entry with `bookings: true` is a station that drivers book (`booked.ts`). */
export const create: AgentFactory = (spec, ids, services, ctx) => {
  if (isBookingEntry(spec)) return createBookedCpo(spec, ids, services, ctx);
  if (ids.length === 0) return [];
  const e = valueOrThrow(cpoParams(spec, services(ids[0]!).scenario));
  return ids.map((id) => {
    const svc = services(id);
    const meter = meterOrThrow(ctx, id, spec);
    const { behaviour } = cpoBehaviour(id, e, meter, svc);
    return createParticipantAgent({ id, kind: 'cpo', meterId: meter.meterId, node: meter.node, services: svc, behaviour, sanctionedLoadKW: sanctionedLoad(e.sanctionedLoadKW, meter, svc) });
  });
};
