/**
 * The simulated clock: fixed intervals from a start instant. All simulation time is expressed
 * as ms since the Unix epoch (UTC) and formatted as RFC 3339 UTC; the wall clock is never read.
 */
export interface SimClock {
  /** Start of interval 0, ms since the Unix epoch. */
  readonly startMs: number;
  readonly intervalMinutes: number;
  readonly intervalMs: number;
  /** Number of delivery intervals in the run. */
  readonly intervals: number;
  /** Length of one interval in hours (for kW → kWh). */
  readonly intervalHours: number;
  /** Start of interval `k` in ms. */
  intervalStartMs(k: number): number;
  /** Start of interval `k` as RFC 3339 UTC, e.g. `2026-06-21T10:15:00Z`. */
  intervalStartIso(k: number): string;
  /** End of the run in ms. */
  readonly endMs: number;
}

/** Creates a clock. `startIso` must be an RFC 3339 instant; interval minutes must divide a day. */
export function createClock(startIso: string, intervalMinutes: number, intervals: number): SimClock {
  const startMs = parseIsoMs(startIso);
  if (!Number.isFinite(startMs)) throw new RangeError(`invalid start time ${startIso}`);
  if (!(intervalMinutes > 0) || 1440 % intervalMinutes !== 0) {
    throw new RangeError(`interval length must divide a day, got ${intervalMinutes} min`);
  }
  const intervalMs = intervalMinutes * 60_000;
  return {
    startMs,
    intervalMinutes,
    intervalMs,
    intervals,
    intervalHours: intervalMinutes / 60,
    intervalStartMs: (k) => startMs + k * intervalMs,
    intervalStartIso: (k) => isoOf(startMs + k * intervalMs),
    endMs: startMs + intervals * intervalMs,
  };
}

/** Parses an RFC 3339 timestamp to ms since the epoch (NaN if invalid). */
export function parseIsoMs(iso: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(iso)) return Number.NaN;
  return Date.parse(iso);
}

/** Formats ms since the epoch as RFC 3339 UTC with second precision, milliseconds only when non-zero. */
export function isoOf(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}
