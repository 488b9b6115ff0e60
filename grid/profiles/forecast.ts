import type { RandomStream } from '../../src/kernel/random.js';

export interface ForecastOptions {
  /** Lag-1 autocorrelation of the relative error between intervals, [0, 1). Default 0.8. */
  readonly autocorrelation?: number;
}

/**
 * A forecast of a series: truth × (1 + e_t), where e_t is a stationary AR(1) process with standard
 * deviation `relErrorSd` (forecast errors persist: a cloudy hour is mis-forecast as a block).
 * The factor is floored at 0, so a forecast never changes the sign of the truth and is zero
 * where the truth is zero (PV at night). Draws one normal per value from `stream`.
 */
export function forecast(truth: Float64Array, relErrorSd: number, stream: RandomStream, opts: ForecastOptions = {}): Float64Array {
  if (!(relErrorSd >= 0 && Number.isFinite(relErrorSd))) throw new RangeError(`relErrorSd must be ≥ 0, got ${relErrorSd}`);
  const phi = opts.autocorrelation ?? 0.8;
  if (!(phi >= 0 && phi < 1)) throw new RangeError(`autocorrelation must be within [0, 1), got ${phi}`);
  const innovation = Math.sqrt(1 - phi * phi);
  const out = new Float64Array(truth.length);
  let e = 0;
  for (let k = 0; k < truth.length; k++) {
    const z = stream.normal();
    e = k === 0 ? z : phi * e + innovation * z;
    out[k] = truth[k]! * Math.max(0, 1 + relErrorSd * e);
  }
  return out;
}
