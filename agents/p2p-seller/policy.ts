/**
 * The economics of a bilateral block trade, shared by seller and buyer: a constant power `q` (kW)
 * over a window of intervals, settled on the contracted energy, with each side's difference
 * between metered and contracted energy settled under its standing deviation contract.
 *
 * Both sides face the same shape of problem. Per interval k, with the uncertain quantity X_k that
 * backs the trade (the seller's PV surplus, the buyer's load):
 *
 *   gain_k(q) = h · ( margin_k · q − risk_k · E[(q − X_k)⁺] )
 *
 * - seller: margin = price − value of excess export, risk = shortfall cost − excess value
 *   (a shortfall is bought back at the shortfall cost; without the trade every kWh would have
 *   been excess);
 * - buyer: margin = shortfall cost (what it would have paid) − price − wheeling, risk = shortfall
 *   cost − excess value (energy bought beyond the load is excess, paid back at its value).
 *
 * The gain is concave in q; its derivative Σ h·(margin_k − risk_k·P(X_k < q)) falls with q, so the
 * best block is where it crosses zero (a newsvendor choice over several intervals). X_k is taken
 * as normal with the forecast as mean and the forecast error as sd; sd 0 is certainty.
 */

/** One interval of a block: the trade's margin and risk per kWh, and the backing quantity X ~ N(mean, sd²), kW. */
export interface BlockInterval {
  readonly marginPerKWh: number;
  readonly riskPerKWh: number;
  readonly meanKW: number;
  readonly sdKW: number;
}

/** Standard normal CDF Φ(z) (complementary error function of Numerical Recipes, |error| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** E[(q − X)⁺] for X ~ N(mean, sd²), kW (the expected shortfall of X below q); sd 0 gives max(0, q − mean). */
export function expectedShortfallKW(q: number, meanKW: number, sdKW: number): number {
  if (!(sdKW > 0)) return Math.max(0, q - meanKW);
  const z = (q - meanKW) / sdKW;
  return (q - meanKW) * normalCdf(z) + sdKW * normalPdf(z);
}

/** P(X < q) for X ~ N(mean, sd²); sd 0 gives 1 when q > mean, 0 otherwise. */
function below(q: number, meanKW: number, sdKW: number): number {
  if (!(sdKW > 0)) return q > meanKW ? 1 : 0;
  return normalCdf((q - meanKW) / sdKW);
}

/** Expected gain of a block of `q` kW over the intervals, in money (intervals of `hours` each). */
export function blockGain(q: number, intervals: readonly BlockInterval[], hours: number): number {
  let g = 0;
  for (const b of intervals) g += hours * (b.marginPerKWh * q - b.riskPerKWh * expectedShortfallKW(q, b.meanKW, b.sdKW));
  return g;
}

function slope(q: number, intervals: readonly BlockInterval[]): number {
  let d = 0;
  for (const b of intervals) d += b.marginPerKWh - b.riskPerKWh * below(q, b.meanKW, b.sdKW);
  return d;
}

/** The best block and its expected gain. */
export interface Block {
  readonly powerKW: number;
  readonly gain: number;
}

/**
 * The block power in [0, maxKW] that maximises the expected gain, in whole steps of `stepKW` (a
 * trade is a round quantity). Risks must be ≥ 0 so the gain is concave; the slope is bisected to
 * where it turns negative, and the better of the two steps around that point is taken (the lower
 * one on a tie).
 */
export function optimalBlock(intervals: readonly BlockInterval[], hours: number, maxKW: number, stepKW = 0.01): Block {
  if (intervals.length === 0 || !(maxKW > 0)) return { powerKW: 0, gain: 0 };
  let q: number;
  if (slope(0, intervals) <= 0) q = 0;
  else if (slope(maxKW, intervals) >= 0) q = maxKW;
  else {
    let lo = 0;
    let hi = maxKW;
    for (let i = 0; i < 60 && hi - lo > stepKW / 16; i++) {
      const mid = (lo + hi) / 2;
      if (slope(mid, intervals) > 0) lo = mid;
      else hi = mid;
    }
    q = (lo + hi) / 2;
  }
  // The gain is concave, so the best whole step is one of the two around the optimum.
  const down = Number(Math.min(maxKW, Math.floor(q / stepKW + 1e-9) * stepKW).toFixed(6));
  const up = Number(Math.min(maxKW, down + stepKW).toFixed(6));
  const gDown = blockGain(down, intervals, hours);
  const gUp = blockGain(up, intervals, hours);
  return gUp > gDown + 1e-12 ? { powerKW: up, gain: gUp } : { powerKW: down, gain: gDown };
}

/** A run of intervals [first, last] of the run. */
export interface IntervalWindow {
  readonly first: number;
  readonly last: number;
}

/**
 * Candidate trade windows: every run of whole hours of `minHours`…`maxHours` that starts on an hour
 * at or after interval `earliest` and ends at or before interval `end` (exclusive). `isHourStart(k)`
 * tells whether interval k starts on a whole hour. Sorted by start, then length.
 */
export function hourWindows(earliest: number, end: number, intervalsPerHour: number, minHours: number, maxHours: number, isHourStart: (k: number) => boolean): IntervalWindow[] {
  const out: IntervalWindow[] = [];
  for (let k = Math.max(0, earliest); k < end; k++) {
    if (!isHourStart(k)) continue;
    for (let hrs = minHours; hrs <= maxHours; hrs++) {
      const last = k + hrs * intervalsPerHour - 1;
      if (last < end) out.push({ first: k, last });
    }
  }
  return out;
}

/** A window with its best block. */
export interface WindowBlock extends IntervalWindow, Block {}

/**
 * The window whose best block gains the most (earlier, then shorter, among equal gains), or
 * undefined when no window's block reaches `minKW`.
 */
export function bestWindow(windows: readonly IntervalWindow[], intervalsOf: (w: IntervalWindow) => readonly BlockInterval[], hours: number, maxKW: number, minKW: number): WindowBlock | undefined {
  let best: WindowBlock | undefined;
  for (const w of windows) {
    const b = optimalBlock(intervalsOf(w), hours, maxKW);
    if (b.powerKW < minKW || !(b.gain > 0)) continue;
    if (best === undefined || b.gain > best.gain + 1e-9) best = { ...w, ...b };
  }
  return best;
}
