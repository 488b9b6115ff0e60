import { describe, expect, it } from 'vitest';
import { createClock } from '../../src/kernel/clock.js';
import { createPriceEstimator, sunShare } from './prices.js';

// Bengaluru, 21 June, 15-min intervals; local noon is near 06:50 UTC (interval 27).
const clock = createClock('2026-06-21T00:00:00Z', 15, 96);
const make = (learningRate = 0.5): ReturnType<typeof createPriceEstimator> =>
  createPriceEstimator({ clock, latitude: 12.97, longitude: 77.59, retailPerKWh: () => 8, feedInPerKWh: 3, tradingCostPerKWh: 0.2, learningRate });

describe('price estimator', () => {
  it('expects buyers’ limit at night and sellers’ floor under a full sun', () => {
    const e = make();
    expect(sunShare(clock, 12.97, 77.59, 80)).toBe(0);
    expect(e.expected(80)).toBeCloseTo(7.8, 12);
    expect(sunShare(clock, 12.97, 77.59, 27)).toBeGreaterThan(0.95);
    expect(e.expected(27)).toBeCloseTo(7.8 - 4.6 * sunShare(clock, 12.97, 77.59, 27), 12);
    expect(e.expected(27)).toBeLessThan(3.5);
  });

  it('learns per time-of-day slot: half of the first surprise, then the same slot next day', () => {
    const e = make(0.5);
    e.observe(80, 11.8);
    expect(e.expected(80)).toBeCloseTo(9.8, 12);
    expect(e.expected(80 + 96)).toBeCloseTo(9.8, 12);
    expect(e.expected(81)).toBeCloseTo(7.8, 12);
    e.observe(80 + 96, 11.8);
    expect(e.expected(80)).toBeCloseTo(10.8, 12);
    e.observe(81, Number.NaN);
    expect(e.expected(81)).toBeCloseTo(7.8, 12);
  });
});
