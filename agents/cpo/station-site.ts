import { ocppSetChargingProfile, type SetpointCommand } from '../../src/protocol/payloads.js';
import { allocateEarliestDeadlineFirst, chargeableKW, type SessionNeed } from './policy.js';

/**
 * The physical side of a charging station whose sessions drivers book: which booked session is
 * plugged into which EVSE, what each has received, and the charging of every interval — the power
 * shared earliest deadline first (must-charge before flexible, the CPO's own policy) within the
 * site limit and sent to each charger as an OCPP SetChargingProfile. A vehicle draws what it is
 * given until it has the energy its driver asked for; plugged in after that, it is idle.
 */

/** A confirmed booking. */
export interface BookedSession {
  readonly id: string;
  readonly contractId: string;
  readonly driverId: string;
  /** EVSE number at the site, 1-based (the OCPP evseId). */
  readonly evse: number;
  /** First interval booked. */
  readonly arrival: number;
  /** First interval after the booking (the driver leaves at its start). */
  readonly departure: number;
  /** Energy the driver asked for, kWh. */
  readonly requestedKWh: number;
  /** Most the session can take, kW: the smaller of the vehicle's and the EVSE's power. */
  readonly maxKW: number;
}

/** What the site did in one interval. */
export interface StationInterval {
  readonly chargingKW: number;
  readonly allocationKW: ReadonlyMap<string, number>;
  /** One OCPP SetChargingProfile per plugged session, by session id (a limit of 0 W pauses it). */
  readonly profiles: ReadonlyMap<string, SetpointCommand>;
}

interface Live {
  readonly s: BookedSession;
  plugged: boolean;
  started: boolean;
  cancelled: boolean;
  delivered: number;
  connected: number;
  idle: number;
  readonly energyByInterval: Map<number, number>;
}

export class StationSite {
  private readonly sessions = new Map<string, Live>();
  private readonly plans = new Map<number, ReadonlyMap<string, number>>();
  private dispatchedUpTo = -1;

  constructor(
    private readonly hours: number,
    private readonly siteLimitKW: number,
  ) {}

  /** Adds a confirmed booking (known to the site from then on, for planning). */
  book(s: BookedSession): void {
    if (!this.sessions.has(s.id)) this.sessions.set(s.id, { s, plugged: false, started: false, cancelled: false, delivered: 0, connected: 0, idle: 0, energyByInterval: new Map() });
  }

  /** Drops a booking that was withdrawn before the vehicle plugged in. */
  cancel(id: string): void {
    const x = this.sessions.get(id);
    if (x !== undefined && !x.started) x.cancelled = true;
  }

  /** The vehicle plugs in: charging may start. */
  plug(id: string): void {
    const x = this.sessions.get(id);
    if (x !== undefined && !x.cancelled) {
      x.plugged = true;
      x.started = true;
    }
  }

  /** The vehicle leaves. */
  unplug(id: string): void {
    const x = this.sessions.get(id);
    if (x !== undefined) x.plugged = false;
  }

  isPlugged(id: string): boolean {
    return this.sessions.get(id)?.plugged === true;
  }

  /** What a session has received, kWh; how long it was connected (intervals) and idle (intervals, plugged in with nothing left to charge). */
  usage(id: string): { readonly deliveredKWh: number; readonly connectedIntervals: number; readonly idleIntervals: number; readonly started: boolean; readonly energyByInterval: ReadonlyMap<number, number> } {
    const x = this.sessions.get(id);
    return { deliveredKWh: x?.delivered ?? 0, connectedIntervals: x?.connected ?? 0, idleIntervals: x?.idle ?? 0, started: x?.started ?? false, energyByInterval: x?.energyByInterval ?? new Map() };
  }

  private remaining(x: Live): number {
    return Math.max(0, x.s.requestedKWh - x.delivered);
  }

  /**
   * The sessions the CPO expects at the site in interval k: plugged in, or booked to be there by
   * then and not withdrawn; each with what is still to deliver after the intervals already
   * planned before k.
   */
  needsAt(k: number): SessionNeed[] {
    const out: SessionNeed[] = [];
    for (const x of this.sessions.values()) {
      const expected = x.plugged || (!x.started && !x.cancelled && x.s.arrival <= k && k < x.s.departure);
      if (!expected || k >= x.s.departure) continue;
      let planned = 0;
      for (let j = this.dispatchedUpTo + 1; j < k; j++) planned += (this.plans.get(j)?.get(x.s.id) ?? 0) * this.hours;
      out.push({ id: x.s.id, departure: x.s.departure, remainingKWh: Math.max(0, this.remaining(x) - planned), maxKW: x.s.maxKW });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Records how a cleared interval's import is expected to be shared (for later bids). */
  plan(k: number, importKW: number): void {
    if (k <= this.dispatchedUpTo) return;
    this.plans.set(k, allocateEarliestDeadlineFirst(this.needsAt(k), k, this.hours, importKW, this.siteLimitKW));
  }

  /**
   * Charges interval k: `availableKW` (the import the market cleared for the chargers), or without
   * a market everything the plugged vehicles can take, shared earliest deadline first within the
   * site limit. `window` is the interval for the charging profiles.
   */
  dispatch(k: number, availableKW: number | undefined, window: { readonly start: string; readonly durationSeconds: number }): StationInterval {
    const plugged = [...this.sessions.values()].filter((x) => x.plugged).sort((a, b) => (a.s.id < b.s.id ? -1 : a.s.id > b.s.id ? 1 : 0));
    const needs: SessionNeed[] = plugged.map((x) => ({ id: x.s.id, departure: x.s.departure, remainingKWh: this.remaining(x), maxKW: x.s.maxKW }));
    const everything = needs.reduce((t, n) => t + chargeableKW(n, this.hours), 0);
    const allocation = allocateEarliestDeadlineFirst(needs, k, this.hours, availableKW ?? everything, this.siteLimitKW);
    let total = 0;
    const profiles = new Map<string, SetpointCommand>();
    for (const x of plugged) {
      const alloc = allocation.get(x.s.id) ?? 0;
      x.connected++;
      if (this.remaining(x) <= 1e-12) x.idle++;
      if (alloc > 0) {
        const kwh = alloc * this.hours;
        x.delivered += kwh;
        x.energyByInterval.set(k, kwh);
        total += alloc;
      }
      profiles.set(x.s.id, ocppSetChargingProfile({ evseId: x.s.evse, profileId: k + 1, purpose: 'TxProfile', transactionId: x.s.id, start: window.start, durationSeconds: window.durationSeconds, powerKW: -alloc }));
    }
    this.dispatchedUpTo = Math.max(this.dispatchedUpTo, k);
    for (const j of this.plans.keys()) if (j <= k) this.plans.delete(j);
    return { chargingKW: total, allocationKW: allocation, profiles };
  }
}
