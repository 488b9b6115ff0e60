import { describe, expect, it } from 'vitest';
import { randomStream } from '../../src/kernel/random.js';
import { forecast } from './forecast.js';

describe('forecast', () => {
  const truth = new Float64Array(5000).map((_, k) => (k % 10 === 0 ? 0 : 2 + Math.sin(k / 50)));

  it('has the requested relative error spread, persistence and no bias', () => {
    const f = forecast(truth, 0.15, randomStream(1, 'fc'));
    const rel: number[] = [];
    for (let k = 0; k < truth.length; k++) if (truth[k]! > 0) rel.push(f[k]! / truth[k]! - 1);
    const m = rel.reduce((a, b) => a + b, 0) / rel.length;
    const sd = Math.sqrt(rel.reduce((a, b) => a + (b - m) ** 2, 0) / rel.length);
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(sd).toBeGreaterThan(0.12);
    expect(sd).toBeLessThan(0.18);
  });

  it('keeps zeros at zero and never flips the sign', () => {
    const f = forecast(truth, 2, randomStream(2, 'fc'));
    truth.forEach((t, k) => {
      if (t === 0) expect(f[k]).toBe(0);
      expect(f[k]).toBeGreaterThanOrEqual(0);
    });
  });

  it('is the truth with zero error, deterministic per stream', () => {
    expect(forecast(truth, 0, randomStream(3, 'fc'))).toEqual(truth);
    expect(forecast(truth, 0.1, randomStream(3, 'fc'))).toEqual(forecast(truth, 0.1, randomStream(3, 'fc')));
    expect(() => forecast(truth, -1, randomStream(3, 'fc'))).toThrow(RangeError);
  });

  it('persists errors between intervals with the given autocorrelation', () => {
    const flat = new Float64Array(20000).fill(1);
    const f = forecast(flat, 0.1, randomStream(4, 'fc'), { autocorrelation: 0.9 });
    let num = 0;
    let den = 0;
    for (let k = 1; k < f.length; k++) num += (f[k]! - 1) * (f[k - 1]! - 1);
    for (const x of f) den += (x - 1) ** 2;
    expect(num / den).toBeCloseTo(0.9, 1);
  });
});
