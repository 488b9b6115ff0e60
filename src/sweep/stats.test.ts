import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { confidenceInterval, logGamma, mean, regularizedBeta, sampleStandardDeviation, studentTCdf, studentTQuantile } from './stats.js';

describe('Student t', () => {
  it('matches published 97.5 % quantiles', () => {
    // Two-sided 95 % critical values from any t table.
    const table: [number, number][] = [
      [1, 12.7062],
      [2, 4.3027],
      [3, 3.1824],
      [4, 2.7764],
      [9, 2.2622],
      [19, 2.093],
      [30, 2.0423],
      [120, 1.9799],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 4);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.96, 3);
  });

  it('has the closed forms for 1 and 2 degrees of freedom', () => {
    for (const p of [0.6, 0.9, 0.99]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 8);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 8);
    }
  });

  it('is symmetric and inverts the CDF (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.integer({ min: 1, max: 200 }), (p, df) => {
        const t = studentTQuantile(p, df);
        expect(studentTCdf(t, df)).toBeCloseTo(p, 9);
        expect(studentTQuantile(1 - p, df)).toBeCloseTo(-t, 6);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects p outside (0, 1)', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
  });

  it('log-gamma and the incomplete beta agree with known values', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
    expect(regularizedBeta(0.2, 2, 3)).toBeCloseTo(0.1808, 12);
  });
});

describe('confidenceInterval', () => {
  it('worked example: 2, 4, 6 gives 4 ± 4.3027 · 2 / √3', () => {
    const ci = confidenceInterval([2, 4, 6]);
    const half = (4.302652729911275 * 2) / Math.sqrt(3);
    expect(ci.n).toBe(3);
    expect(ci.mean).toBe(4);
    expect(ci.low).toBeCloseTo(4 - half, 8);
    expect(ci.high).toBeCloseTo(4 + half, 8);
  });

  it('has no bounds for a single seed and zero width for constant samples', () => {
    expect(confidenceInterval([3])).toEqual({ n: 1, mean: 3, low: null, high: null });
    expect(confidenceInterval([5, 5, 5])).toEqual({ n: 3, mean: 5, low: 5, high: 5 });
  });

  it('contains the mean; mean and sd are translation-consistent (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 20 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), (xs, shift) => {
        const ci = confidenceInterval(xs);
        expect(ci.low ?? NaN).toBeLessThanOrEqual(ci.mean + 1e-9);
        expect(ci.high ?? NaN).toBeGreaterThanOrEqual(ci.mean - 1e-9);
        const moved = xs.map((x) => x + shift);
        expect(mean(moved)).toBeCloseTo(mean(xs) + shift, 6);
        expect(sampleStandardDeviation(moved)).toBeCloseTo(sampleStandardDeviation(xs), 6);
      }),
      { numRuns: 60 },
    );
  });
});
