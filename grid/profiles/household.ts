import type { RandomStream } from '../../src/kernel/random.js';
import { DAY_MS, dayOfWeek, gridTimes, HOUR_MS, hourOfDay, localOffsetMinutes, MINUTE_MS, type IntervalGrid, type LocalClock } from './time.js';

export interface HouseholdLoadParams extends IntervalGrid, LocalClock {
  /** Yearly consumption, kWh; the mean load is annualKWh / 8760 kW. */
  readonly annualKWh: number;
  /** Size of the interval-to-interval noise (relative sd). Default 0.2. */
  readonly noise?: number;
}

/** A daily shape: a base plus Gaussian bumps (amplitude, centre hour, width in hours). */
interface DayShape {
  readonly base: number;
  readonly bumps: readonly (readonly [amplitude: number, hour: number, widthH: number])[];
}

/**
 * Residential shapes with the features of standard load profiles (e.g. BDEW H0, Elexon profile
 * class 1): a night trough near 40 % of the mean, a morning peak (07–08 h on weekdays, later and
 * broader at weekends), a midday shoulder (higher at weekends) and the evening peak (19–20 h)
 * near twice the mean.
 */
const WEEKDAY: DayShape = { base: 0.42, bumps: [[0.6, 7.4, 1.0], [0.22, 13, 2.2], [1.2, 19.6, 1.8]] };
const WEEKEND: DayShape = { base: 0.44, bumps: [[0.5, 9.4, 1.5], [0.45, 13.2, 2.4], [1.1, 19.2, 1.9]] };

function shapeAt(shape: DayShape, hour: number): number {
  let v = shape.base;
  for (const [a, mu, w] of shape.bumps) {
    // Circular distance so the evening peak's tail continues past midnight.
    let d = Math.abs(hour - mu) % 24;
    if (d > 12) d = 24 - d;
    v += a * Math.exp((-d * d) / (2 * w * w));
  }
  return v;
}

/** Mean of the raw shapes over a week (5 weekdays, 2 weekend days), for normalising to mean 1. */
const WEEKLY_MEAN = ((): number => {
  let sumWd = 0;
  let sumWe = 0;
  for (let m = 0; m < 1440; m++) {
    sumWd += shapeAt(WEEKDAY, (m + 0.5) / 60);
    sumWe += shapeAt(WEEKEND, (m + 0.5) / 60);
  }
  return (5 * sumWd + 2 * sumWe) / (7 * 1440);
})();

/** Largest value of the normalised shapes (for rejection sampling of event start times). */
const SHAPE_MAX = ((): number => {
  let m = 0;
  for (let k = 0; k < 1440; k++) m = Math.max(m, shapeAt(WEEKDAY, k / 60), shapeAt(WEEKEND, k / 60));
  return (1.01 * m) / WEEKLY_MEAN;
})();

/** The normalised daily shape (weekly mean 1) at a local hour; exported for tests and plots. */
export function householdShape(hour: number, weekend: boolean): number {
  return shapeAt(weekend ? WEEKEND : WEEKDAY, hour) / WEEKLY_MEAN;
}

/** Share of energy in short appliance events (kettle, oven, washing machine heat-up). */
const EVENT_SHARE = 0.2;
const EVENT_MIN_KW = 1;
const EVENT_MAX_KW = 2.5;
const EVENT_MIN_MIN = 5;
const EVENT_MAX_MIN = 40;

/**
 * One household's load, kW averaged over each interval. The mean over a week is annualKWh/8760.
 * 80 % of the energy follows the normalised daily shape (weekday or weekend by local day), with
 * per-day random shifts of the peaks (sd 30 min) and level (±12 %), times AR(1) noise (correlation
 * time 1 h); 20 % comes as appliance events (1–2.5 kW, 5–40 min) whose start times follow the shape.
 * Local time is `utcOffsetMinutes`, else mean solar time from `longitude`, else UTC.
 */
export function householdLoad(params: HouseholdLoadParams, stream: RandomStream): Float64Array {
  const { startMs, stepMs } = gridTimes(params);
  if (!(params.annualKWh >= 0)) throw new RangeError(`annualKWh must be ≥ 0, got ${params.annualKWh}`);
  const offsetMs = localOffsetMinutes(params) * MINUTE_MS;
  const meanKW = params.annualKWh / 8760;
  const noise = params.noise ?? 0.2;
  const n = params.intervals;
  const out = new Float64Array(n);
  if (n === 0 || meanKW === 0) return out;
  const endMs = startMs + n * stepMs;
  const firstDay = Math.floor((startMs + offsetMs) / DAY_MS);
  const lastDay = Math.floor((endMs - 1 + offsetMs) / DAY_MS);
  const days = lastDay - firstDay + 1;
  const shiftH = new Float64Array(days);
  const level = new Float64Array(days);
  const eventEnergyKWh = ((EVENT_MIN_KW + EVENT_MAX_KW) / 2) * ((EVENT_MIN_MIN + EVENT_MAX_MIN) / 2 / 60);
  const eventsPerDay = (EVENT_SHARE * 24 * meanKW) / eventEnergyKWh;
  const events = stream.child('events');
  for (let d = 0; d < days; d++) {
    shiftH[d] = stream.normal(0, 0.5);
    level[d] = Math.exp(stream.normal(0, 0.12) - 0.0072);
    const dayStartLocal = (firstDay + d) * DAY_MS;
    const weekend = isWeekend(dayStartLocal);
    // Poisson number of events by exponential gaps; start hours by rejection from the shape.
    let t = events.exponential(eventsPerDay);
    while (t < 1) {
      let hour = events.uniform(0, 24);
      while (events.uniform(0, SHAPE_MAX) >= householdShape(hour, weekend)) hour = events.uniform(0, 24);
      const kw = events.uniform(EVENT_MIN_KW, EVENT_MAX_KW);
      const durMs = events.uniform(EVENT_MIN_MIN, EVENT_MAX_MIN) * MINUTE_MS;
      const s = dayStartLocal - offsetMs + hour * HOUR_MS;
      addSpan(out, startMs, stepMs, s, s + durMs, kw);
      t += events.exponential(eventsPerDay);
    }
  }
  const phi = Math.exp(-stepMs / HOUR_MS);
  const innovation = Math.sqrt(1 - phi * phi);
  let x = stream.normal();
  for (let k = 0; k < n; k++) {
    if (k > 0) x = phi * x + innovation * stream.normal();
    const local = startMs + (k + 0.5) * stepMs + offsetMs;
    const d = Math.floor(local / DAY_MS) - firstDay;
    const hour = hourOfDay(local) - shiftH[d]!;
    const base = (1 - EVENT_SHARE) * meanKW * householdShape(((hour % 24) + 24) % 24, isWeekend(local)) * level[d]!;
    out[k] = out[k]! + base * Math.max(0.3, 1 + noise * x);
  }
  return out;
}

function isWeekend(localMs: number): boolean {
  const dow = dayOfWeek(localMs);
  return dow === 0 || dow === 6;
}

/** Adds a constant `kw` over [fromMs, toMs) to the interval averages it overlaps. */
function addSpan(out: Float64Array, startMs: number, stepMs: number, fromMs: number, toMs: number, kw: number): void {
  const first = Math.max(0, Math.floor((fromMs - startMs) / stepMs));
  const last = Math.min(out.length - 1, Math.floor((toMs - startMs) / stepMs));
  for (let k = first; k <= last; k++) {
    const a = Math.max(fromMs, startMs + k * stepMs);
    const b = Math.min(toMs, startMs + (k + 1) * stepMs);
    if (b > a) out[k] = out[k]! + (kw * (b - a)) / stepMs;
  }
}
