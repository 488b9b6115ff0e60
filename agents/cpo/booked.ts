import { pvProfile } from '../../grid/profiles/index.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { Agent, AgentFactory, AgentServices, InboundMessage, MeterAssignment, NackNotice } from '../../src/run/agent.js';
import { createParticipantAgent, type ParticipantAgent, type ParticipantBehaviour } from '../participant/agent.js';
import { curveFromFunction } from '../participant/curve.js';
import { intervalsIn, meterOrThrow, sanctionedLoad, valueOrThrow } from '../participant/factory.js';
import { participantPriceEstimator } from '../participant/prices.js';
import { cpoParams, resolveCpoSite, type CpoEntry } from './params.js';
import { cpoWillingness, sessionBid } from './policy.js';
import { ChargingStation } from './station.js';
import { stationParams, withoutStationKeys, type StationEntry } from './station-params.js';
import { StationSite } from './station-site.js';

/**
 * A CPO whose sessions drivers book over Beckn (`bookings: true`): the CPO kind's market side (its
 * bids, the deviation contract, following its setpoint) over the sessions its charging station has
 * booked, and the station answering the drivers. Without a market the vehicles charge as fast as
 * the site allows, earliest departure first.
 */

/** The behaviour of a booking CPO in the market runtime: bids from the booked sessions, charging through the site, the station's phases. */
export function bookedCpoBehaviour(e: CpoEntry, meter: MeterAssignment | undefined, svc: AgentServices, site: StationSite, station: ChargingStation): ParticipantBehaviour {
  const { clock, scenario } = svc;
  const h = clock.intervalHours;
  const facts = resolveCpoSite(e, meter);
  const grid = { startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: clock.intervals };
  const pv = facts.pvKWp > 0 ? pvProfile({ ...grid, latitude: scenario.location.latitude, longitude: scenario.location.longitude, kWp: facts.pvKWp, cloudiness: e.cloudiness }, svc.stream('pv')) : undefined;
  const prices = participantPriceEstimator(svc, e.priceLearningRate);
  const lookahead = intervalsIn(e.lookaheadHours, clock.intervalMinutes);
  return {
    resourceType: 'EVSE',
    offerCurve(k, econ) {
      const expected = (j: number): number => (j - k <= lookahead ? prices.expected(j) : prices.expected(k + lookahead));
      const bids = site.needsAt(k).map((n) => sessionBid(n, k, h, expected));
      const w = cpoWillingness({ sessions: bids, siteLimitKW: facts.siteLimitKW, pvKW: pv?.[k] ?? 0, reservationPerKWh: e.reservationPricePerKWh, tradingCostPerKWh: econ.tradingCostPerKWh }, econ);
      return curveFromFunction(w.powerAt, w.breakpoints, econ);
    },
    onCleared(k, outcome) {
      prices.observe(k, outcome.pricePerKWh);
      site.plan(k, Math.max(0, (pv?.[k] ?? 0) - outcome.clearedKW));
    },
    operate(k, target) {
      const pvKW = pv?.[k] ?? 0;
      const available = target === undefined ? undefined : Math.max(0, pvKW - target.powerKW);
      const r = site.dispatch(k, available, { start: clock.intervalStartIso(k), durationSeconds: clock.intervalMs / 1000 });
      station.chargerProfiles(r.profiles);
      if (target === undefined) return pvKW - r.chargingKW;
      // Charging exactly the import the market cleared puts the meter exactly on the setpoint.
      if (available !== undefined && available > 0 && Math.abs(r.chargingKW - available) <= 1e-12) return target.powerKW;
      const net = pvKW - r.chargingKW;
      return net > target.powerKW ? net - Math.min(net - target.powerKW, pvKW) : net;
    },
    onPhase(ctx: PhaseContext) {
      station.onPhase(ctx);
    },
  };
}

/** The booking CPO: drivers' requests go to its station, everything else to its market runtime. */
export class BookedCpoAgent implements Agent {
  readonly kind = 'cpo';

  constructor(
    private readonly inner: ParticipantAgent,
    readonly station: ChargingStation,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  get meterIds(): readonly string[] {
    return this.inner.meterIds;
  }

  onPhase(ctx: PhaseContext): void {
    this.inner.onPhase?.(ctx);
  }

  onMessage(msg: InboundMessage): void {
    if (this.station.handles(msg)) this.station.onMessage(msg);
    else this.inner.onMessage(msg);
  }

  onNack(n: NackNotice): void {
    if (n.action.startsWith('on_')) this.station.onNack(n);
    else this.inner.onNack?.(n);
  }

  actualPowerKW(meterId: string, k: number): number {
    return this.inner.actualPowerKW?.(meterId, k) ?? 0;
  }
}

/** Builds one booking CPO from its entry's CPO and station parameters. */
export function bookedCpo(id: string, e: CpoEntry, station: StationEntry, meter: MeterAssignment, svc: AgentServices, sanctionedLoadKW: number): BookedCpoAgent {
  const facts = resolveCpoSite(e, meter);
  const site = new StationSite(svc.clock.intervalHours, facts.siteLimitKW);
  const s = new ChargingStation({
    cpoId: id,
    meterId: meter.meterId,
    node: meter.node,
    services: svc,
    entry: station,
    evses: facts.evses,
    chargerKW: facts.chargerKW,
    tariff: { currency: svc.scenario.currency, energyPerKWh: e.tariffPerKWh, timePerHour: station.timePricePerHour, idleFeePerMinute: e.idleFeePerMinute ?? 0, idleGraceMinutes: e.idleGraceMinutes, sessionFee: e.sessionFee ?? 0, taxPct: e.driverTaxPct },
    site,
  });
  const behaviour = bookedCpoBehaviour(e, meter, svc, site, s);
  const inner = createParticipantAgent({ id, kind: 'cpo', meterId: meter.meterId, node: meter.node, services: svc, behaviour, sanctionedLoadKW });
  return new BookedCpoAgent(inner, s);
}

/** Factory of a `cpo` entry with `bookings: true`. */
export const createBookedCpo: AgentFactory = (spec, ids, services, ctx) => {
  if (ids.length === 0) return [];
  const scenario = services(ids[0]!).scenario;
  const station = valueOrThrow(stationParams(spec, scenario));
  const e = valueOrThrow(cpoParams(withoutStationKeys(spec), scenario));
  return ids.map((id) => {
    const svc = services(id);
    const meter = meterOrThrow(ctx, id, spec);
    return bookedCpo(id, e, station, meter, svc, sanctionedLoad(e.sanctionedLoadKW, meter, svc));
  });
};
