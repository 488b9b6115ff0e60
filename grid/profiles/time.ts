/**
 * Time helpers for profiles. All instants are UTC ISO strings of the simulated clock, turned into
 * epoch milliseconds by arithmetic only (never the wall clock).
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The interval grid of a profile: `intervals` steps of `intervalMinutes` from `startIso`. */
export interface IntervalGrid {
  /** Start of the first interval, RFC 3339 UTC (e.g. `2025-06-01T00:00:00Z`). */
  readonly startIso: string;
  readonly intervalMinutes: number;
  readonly intervals: number;
}

/** Local clock of the place a profile describes. */
export interface LocalClock {
  /** Offset of local civil time from UTC, minutes (India: 330). */
  readonly utcOffsetMinutes?: number;
  /** Longitude, degrees east; used for local mean solar time when no offset is given. */
  readonly longitude?: number;
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an RFC 3339 timestamp with `Z` or an explicit offset. Throws RangeError otherwise. */
export function parseIsoMs(iso: string): number {
  const m = ISO_UTC.exec(iso);
  const ms = m === null ? Number.NaN : Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`expected an RFC 3339 timestamp with a zone (e.g. 2025-06-01T00:00:00Z), got '${iso}'`);
  return ms;
}

/** RFC 3339 UTC text of epoch milliseconds, without fractional seconds when they are zero. */
export function isoOfMs(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}

/** Start (epoch ms) and step (ms) of a grid; throws RangeError on a malformed grid. */
export function gridTimes(g: IntervalGrid): { readonly startMs: number; readonly stepMs: number } {
  if (!(g.intervalMinutes > 0) || !Number.isFinite(g.intervalMinutes)) throw new RangeError(`intervalMinutes must be positive, got ${g.intervalMinutes}`);
  if (!Number.isInteger(g.intervals) || g.intervals < 0) throw new RangeError(`intervals must be a whole number ≥ 0, got ${g.intervals}`);
  return { startMs: parseIsoMs(g.startIso), stepMs: g.intervalMinutes * MINUTE_MS };
}

/** Local offset in minutes: the stated one, else mean solar time from longitude (4 min per degree), else 0. */
export function localOffsetMinutes(clock: LocalClock): number {
  if (clock.utcOffsetMinutes !== undefined) return clock.utcOffsetMinutes;
  if (clock.longitude !== undefined) return clock.longitude * 4;
  return 0;
}

/** Day of week of a local instant (epoch ms already shifted to local time): 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(localMs: number): number {
  // 1970-01-01 was a Thursday.
  return (((Math.floor(localMs / DAY_MS) + 4) % 7) + 7) % 7;
}

/** Hours since local midnight, [0, 24). */
export function hourOfDay(localMs: number): number {
  const d = localMs - Math.floor(localMs / DAY_MS) * DAY_MS;
  return d / HOUR_MS;
}

/** 1-based day of the year of a UTC instant, with the fraction of the day. */
export function dayOfYear(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  return 1 + (ms - Date.UTC(year, 0, 1)) / DAY_MS;
}
