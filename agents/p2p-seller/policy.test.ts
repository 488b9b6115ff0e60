import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalQuantile } from '../prosumer/policy.js';
import { bestWindow, blockGain, expectedShortfallKW, hourWindows, normalCdf, optimalBlock, type BlockInterval } from './policy.js';

describe('normal distribution helpers', () => {
  it('gives Φ at known points', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  it('gives E[(q − X)⁺]: certain X, q at the mean, q far above', () => {
    expect(expectedShortfallKW(3, 2, 0)).toBe(1);
    expect(expectedShortfallKW(1, 2, 0)).toBe(0);
    expect(expectedShortfallKW(2, 2, 0.5)).toBeCloseTo(0.5 * 0.398942, 6); // σ·φ(0)
    expect(expectedShortfallKW(10, 2, 0.5)).toBeCloseTo(8, 9);
  });
});

describe('block economics', () => {
  // a seller selling at 5.5 with feed-in 3 and retail 8: margin 2.5, risk 5 per kWh
  const certain: BlockInterval = { marginPerKWh: 2.5, riskPerKWh: 5, meanKW: 2, sdKW: 0 };

  it('gains the margin on what the surplus covers and loses the risk on the shortfall', () => {
    expect(blockGain(1, [certain], 0.25)).toBe(0.625); // 0.25 h × 2.5 × 1 kW
    expect(blockGain(2, [certain], 0.25)).toBe(1.25);
    expect(blockGain(3, [certain], 0.25)).toBe(0.625); // 0.25 × (2.5 × 3 − 5 × 1)
  });

  it('sells exactly a certain surplus', () => {
    expect(optimalBlock([certain], 0.25, 10)).toEqual({ powerKW: 2, gain: 1.25 });
  });

  it('sizes an uncertain block at the newsvendor quantile: P(X < q) = margin / risk', () => {
    // margin 4, risk 5: q = μ + σ·Φ⁻¹(0.8) = 2 + 0.5 × 0.841621 = 2.4208 → 2.42 kW
    const b = optimalBlock([{ marginPerKWh: 4, riskPerKWh: 5, meanKW: 2, sdKW: 0.5 }], 0.25, 10);
    expect(2 + 0.5 * normalQuantile(0.8)).toBeCloseTo(2.4208, 4);
    expect(b.powerKW).toBe(2.42);
  });

  it('sells nothing without a margin, and stops at the export limit', () => {
    expect(optimalBlock([{ ...certain, marginPerKWh: -0.1 }], 0.25, 10).powerKW).toBe(0);
    expect(optimalBlock([certain], 0.25, 1.5).powerKW).toBe(1.5);
  });

  it('never leaves more than a step of gain on the table (random windows)', () => {
    const interval = fc.record({ marginPerKWh: fc.integer({ min: -300, max: 800 }).map((x) => x / 100), riskPerKWh: fc.integer({ min: 0, max: 1000 }).map((x) => x / 100), meanKW: fc.integer({ min: -500, max: 800 }).map((x) => x / 100), sdKW: fc.integer({ min: 0, max: 300 }).map((x) => x / 100) });
    fc.assert(
      fc.property(fc.array(interval, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (xs, maxCenti, probe) => {
        const maxKW = maxCenti / 100;
        const b = optimalBlock(xs, 0.25, maxKW);
        expect(b.powerKW).toBeGreaterThanOrEqual(0);
        expect(b.powerKW).toBeLessThanOrEqual(maxKW);
        const q = (probe / 1000) * maxKW;
        const bound = xs.reduce((a, x) => a + Math.abs(x.marginPerKWh) + x.riskPerKWh, 0) * 0.25 * 0.01;
        expect(b.gain).toBeGreaterThanOrEqual(blockGain(q, xs, 0.25) - bound - 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});

describe('trade windows', () => {
  it('lists whole-hour windows from the earliest interval inside the round', () => {
    const w = hourWindows(3, 20, 4, 1, 2, (k) => k % 4 === 0);
    expect(w.map((x) => [x.first, x.last])).toEqual([
      [4, 7],
      [4, 11],
      [8, 11],
      [8, 15],
      [12, 15],
      [12, 19],
      [16, 19],
    ]);
  });

  it('picks the window whose block gains most, the earlier and shorter among equals', () => {
    // surplus 1 kW in intervals 0–3, 3 kW in 4–7: the second window sells a bigger block
    const mean = (k: number): number => (k < 4 ? 1 : 3);
    const of = (w: { first: number; last: number }): BlockInterval[] => Array.from({ length: w.last - w.first + 1 }, (_, i) => ({ marginPerKWh: 2.5, riskPerKWh: 5, meanKW: mean(w.first + i), sdKW: 0 }));
    const best = bestWindow(
      [
        { first: 0, last: 3 },
        { first: 4, last: 7 },
        { first: 0, last: 7 },
      ],
      of,
      0.25,
      10,
      0.1,
    );
    // 4 × 0.25 × 2.5 × 3 = 7.5 beats 0–7 at 1 kW (5) or at 3 kW (15 − 10 = 5)
    expect(best).toEqual({ first: 4, last: 7, powerKW: 3, gain: 7.5 });
    expect(bestWindow([{ first: 4, last: 7 }, { first: 8, last: 11 }], () => of({ first: 4, last: 7 }), 0.25, 10, 0.1)).toMatchObject({ first: 4, last: 7 });
    expect(bestWindow([{ first: 0, last: 3 }], of, 0.25, 10, 1.5)).toBeUndefined();
  });
});
