import type { EvSession } from '../../grid/profiles/index.js';
import { parseIsoMs } from '../../src/kernel/clock.js';
import type { RandomStream } from '../../src/kernel/random.js';
import { ocppSetChargingProfile, type SetpointCommand } from '../../src/protocol/payloads.js';
import { allocateEarliestDeadlineFirst, chargeableKW, type SessionNeed } from './policy.js';

/**
 * The physical charging site of a CPO: sessions plugged into its EVSEs, the energy each has
 * received, the plans of cleared intervals, and the charging of each delivered interval with the
 * OCPP profiles sent to the chargers.
 */

/** A session at one of the site's EVSEs. */
export interface PluggedSession {
  readonly id: string;
  /** EVSE number at the site, 1-based (the OCPP evseId). */
  readonly evse: number;
  readonly arrival: number;
  readonly departure: number;
  /** When the EV plugged in, ms: the CPO knows the session from then on. */
  readonly arrivalMs: number;
  readonly arrivalIso: string;
  readonly departureIso: string;
  /** Energy the driver asked for, kWh. */
  readonly declaredKWh: number;
  /** Energy the vehicle will actually take (its battery may fill first), kWh ≤ declared. */
  readonly acceptsKWh: number;
  readonly maxKW: number;
}

/**
 * Puts sessions on EVSEs in arrival order, each on the lowest-numbered EVSE free at its arrival
 * interval; a session finding every EVSE busy is turned away. The energy a vehicle actually
 * accepts is its declared need scaled by 1 + sd·z (z standard normal, capped to [0.2, 1]): a
 * battery filling early stops drawing; a larger need than declared is not the CPO's to meet.
 */
export function plugSessions(sessions: readonly EvSession[], evses: number, needErrorSd: number, stream: RandomStream): { readonly plugged: PluggedSession[]; readonly turnedAway: EvSession[] } {
  const freeFrom = new Array<number>(evses).fill(0);
  const plugged: PluggedSession[] = [];
  const turnedAway: EvSession[] = [];
  for (const s of [...sessions].sort((a, b) => a.arrival - b.arrival || (a.id < b.id ? -1 : 1))) {
    const z = stream.normal();
    const evse = freeFrom.findIndex((t) => t <= s.arrival);
    if (evse < 0) {
      turnedAway.push(s);
      continue;
    }
    freeFrom[evse] = s.departure;
    const factor = Math.min(1, Math.max(0.2, 1 + needErrorSd * z));
    plugged.push({
      id: s.id,
      evse: evse + 1,
      arrival: s.arrival,
      departure: s.departure,
      arrivalMs: parseIsoMs(s.arrivalIso),
      arrivalIso: s.arrivalIso,
      departureIso: s.departureIso,
      declaredKWh: s.energyKWh,
      acceptsKWh: needErrorSd === 0 ? s.energyKWh : s.energyKWh * factor,
      maxKW: s.maxPowerKW,
    });
  }
  return { plugged, turnedAway };
}

/** What the site did in one interval. */
export interface SiteInterval {
  /** Total charging power, kW (≥ 0). */
  readonly chargingKW: number;
  /** Power given to each session, kW. */
  readonly allocationKW: ReadonlyMap<string, number>;
  /** Power each vehicle drew, kW (≤ allocation when its battery filled). */
  readonly drawKW: ReadonlyMap<string, number>;
  /** One OCPP SetChargingProfile per plugged session (a limit of 0 W pauses it). */
  readonly profiles: readonly SetpointCommand[];
}

export class ChargingSite {
  private readonly delivered = new Map<string, number>();
  private readonly idleIntervals = new Map<string, number>();
  /** Sessions whose vehicle stopped drawing with energy still declared (OCPP SuspendedEV): full. */
  private readonly full = new Set<string>();
  private readonly plans = new Map<number, ReadonlyMap<string, number>>();
  private dispatchedUpTo = -1;

  constructor(
    readonly sessions: readonly PluggedSession[],
    private readonly hours: number,
    private readonly siteLimitKW: number,
  ) {}

  /** Energy delivered to a session so far, kWh. */
  deliveredKWh(id: string): number {
    return this.delivered.get(id) ?? 0;
  }

  /** True once the session's vehicle stopped drawing because its battery is full. */
  isFull(id: string): boolean {
    return this.full.has(id);
  }

  /** Declared energy still to deliver, kWh: 0 once the vehicle is known to be full. */
  private remainingKWh(s: PluggedSession): number {
    return this.full.has(s.id) ? 0 : Math.max(0, s.declaredKWh - this.deliveredKWh(s.id));
  }

  /** Intervals a session stayed plugged in after its vehicle was full. */
  idleIntervalsOf(id: string): number {
    return this.idleIntervals.get(id) ?? 0;
  }

  /** Sessions plugged in during interval k. */
  presentAt(k: number): PluggedSession[] {
    return this.sessions.filter((s) => s.arrival <= k && k < s.departure);
  }

  /**
   * What the CPO knows at `nowMs` of the sessions plugged in during interval k: sessions that
   * have arrived by then, with the energy still to deliver after what was delivered and what is
   * planned for cleared intervals before k.
   */
  needsAt(k: number, nowMs: number): SessionNeed[] {
    return this.presentAt(k)
      .filter((s) => s.arrivalMs <= nowMs)
      .map((s) => {
        let planned = 0;
        for (let j = this.dispatchedUpTo + 1; j < k; j++) planned += (this.plans.get(j)?.get(s.id) ?? 0) * this.hours;
        return { id: s.id, departure: s.departure, remainingKWh: Math.max(0, this.remainingKWh(s) - planned), maxKW: s.maxKW };
      });
  }

  /** Records how a cleared interval's power is expected to be shared (for later bids). */
  plan(k: number, importKW: number, nowMs: number): void {
    if (k <= this.dispatchedUpTo) return;
    this.plans.set(k, allocateEarliestDeadlineFirst(this.needsAt(k, nowMs), k, this.hours, importKW, this.siteLimitKW));
  }

  /**
   * Charges interval k. With `availableKW` (the market's import for the chargers) the power is
   * shared earliest deadline first, must-charge before flexible; without it every vehicle charges
   * as fast as it can (earliest deadline first within the site limit). Each vehicle draws its
   * allocation unless its battery fills; from then on the session is known to be full and gets
   * nothing more.
   */
  dispatch(k: number, availableKW: number | undefined, window: { readonly start: string; readonly durationSeconds: number }): SiteInterval {
    const present = this.presentAt(k);
    const needs: SessionNeed[] = present.map((s) => ({ id: s.id, departure: s.departure, remainingKWh: this.remainingKWh(s), maxKW: s.maxKW }));
    const everything = needs.reduce((t, n) => t + chargeableKW(n, this.hours), 0);
    const allocation = allocateEarliestDeadlineFirst(needs, k, this.hours, availableKW ?? everything, this.siteLimitKW);
    const draw = new Map<string, number>();
    let total = 0;
    const profiles: SetpointCommand[] = [];
    for (const s of present) {
      const alloc = allocation.get(s.id) ?? 0;
      const room = Math.max(0, s.acceptsKWh - this.deliveredKWh(s.id)) / this.hours;
      const d = Math.min(alloc, room);
      if (room <= 1e-12) this.idleIntervals.set(s.id, this.idleIntervalsOf(s.id) + 1);
      // A vehicle that takes less than it is given has a full battery; its charger reports it.
      if (alloc > d + 1e-12) this.full.add(s.id);
      if (d > 0) {
        draw.set(s.id, d);
        total += d;
        this.delivered.set(s.id, this.deliveredKWh(s.id) + d * this.hours);
      }
      profiles.push(ocppSetChargingProfile({ evseId: s.evse, profileId: k + 1, purpose: 'TxProfile', transactionId: s.id, start: window.start, durationSeconds: window.durationSeconds, powerKW: -alloc }));
    }
    this.dispatchedUpTo = Math.max(this.dispatchedUpTo, k);
    for (const j of this.plans.keys()) if (j <= k) this.plans.delete(j);
    return { chargingKW: total, allocationKW: allocation, drawKW: draw, profiles };
  }
}
