import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateCurve } from '../../src/market/curve.js';
import { curveFromFunction } from '../participant/curve.js';
import { arbitrageThresholds, batteryWillingness, BatteryState, chargeLimitKW, dischargeLimitKW, socAfter, type BatterySpec } from './policy.js';

const spec: BatterySpec = { capacityKWh: 10, powerKW: 5, roundTripEfficiency: 0.81, socMinPct: 10, socMaxPct: 90 };
const grid = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01 };

describe('battery physics', () => {
  it('limits power by the inverter and by the energy above the floor / below the ceiling', () => {
    expect(dischargeLimitKW(spec, 5, 0.25)).toBe(5);
    // 1.2 kWh above the 1 kWh floor, 0.9 of it delivered over 0.25 h: 4.32 kW.
    expect(dischargeLimitKW(spec, 2.2, 0.25)).toBeCloseTo(4.32, 12);
    // 0.5 kWh of room below the 9 kWh ceiling takes 0.5 / 0.9 kWh in over 0.25 h: 2.222 kW.
    expect(chargeLimitKW(spec, 8.5, 0.25)).toBeCloseTo(2.2222222222, 9);
    expect(dischargeLimitKW(spec, 1, 0.25)).toBe(0);
  });

  it('loses energy both ways: 1.25 kWh out costs 1.389 kWh of charge, 1.25 kWh in stores 1.125 kWh', () => {
    expect(socAfter(spec, 5, 5, 0.25)).toBeCloseTo(5 - 1.25 / 0.9, 12);
    expect(socAfter(spec, 5, -5, 0.25)).toBeCloseTo(6.125, 12);
  });

  it('keeps a SoC range for intervals bid but not cleared, and narrows it with plans and operation', () => {
    const s = new BatteryState(spec, 50, 0.25);
    expect(s.socRangeAt(0)).toEqual([5, 5]);
    const [lo, hi] = s.socRangeAt(2);
    expect(lo).toBeCloseTo(socAfter(spec, socAfter(spec, 5, 5, 0.25), 5, 0.25), 12);
    expect(hi).toBeCloseTo(7.25, 12);
    s.plan(0, -5);
    s.plan(1, 0);
    expect(s.socRangeAt(2)).toEqual([6.125, 6.125]);
    s.operate(0, -2);
    expect(s.soc).toBeCloseTo(5.45, 12);
    expect(s.socRangeAt(2)[0]).toBeCloseTo(5.45, 12);
  });
});

describe('arbitrage thresholds (water value)', () => {
  it('values stored energy at the m-th best price ahead: a worked example', () => {
    // 4 kWh above the floor deliver 3.6 kWh: 2.88 intervals at 5 kW × 0.25 h → m = 3.
    // Prices ahead, best first: 10, 8, 8, 3, 3, 3 → discharge above the 3rd (8); one more kWh
    // would be sold at the 4th (3): charge below 0.81 × (3 − 0.1) − 0.1 = 2.249.
    const t = arbitrageThresholds(spec, 5, [8, 8, 3, 3, 3, 10], 0.25, 0.1);
    expect(t.dischargeAbovePerKWh).toBe(8);
    expect(t.chargeBelowPerKWh).toBeCloseTo(2.249, 12);
  });

  it('values energy beyond what the expensive hours can take at the lower prices, and waits for the cheap hours to charge', () => {
    // SoC 8.5 of 9: 6.75 kWh deliverable = 5.4 intervals → m = 6, more than the four expensive
    // intervals can take, so the marginal stored kWh is worth only the 6th-highest price (3):
    // discharge above 3. One more kWh would also sell at 3: charging pays only below 0.81 × 3.
    const t = arbitrageThresholds(spec, 8.5, [3, 3, 9, 9, 9, 9], 0.25, 0);
    expect(t.dischargeAbovePerKWh).toBe(3);
    expect(t.chargeBelowPerKWh).toBeCloseTo(2.43, 12);
    // Half full, with cheap hours ahead: it would profit from charging below 0.81 × 9 = 7.29 now,
    // but four intervals fill it and the four cheapest ahead are at 4, so it waits for them.
    const w = arbitrageThresholds(spec, 5, [9, 9, 9, 9, 4, 4, 4, 4, 9, 9], 0.25, 0);
    expect(w.chargeBelowPerKWh).toBe(4);
  });

  it('an empty battery does not discharge; an empty lookahead does nothing', () => {
    expect(arbitrageThresholds(spec, 1, [5, 9], 0.25, 0).dischargeAbovePerKWh).toBe(Number.POSITIVE_INFINITY);
    expect(arbitrageThresholds(spec, 5, [], 0.25, 0)).toEqual({ chargeBelowPerKWh: Number.NEGATIVE_INFINITY, dischargeAbovePerKWh: Number.POSITIVE_INFINITY });
  });

  it('gives a curve: charge 5 kW below 2.25 (2.249 to the nearest tick), idle to 8, discharge 5 kW above 8', () => {
    const w = batteryWillingness(spec, 5, 5, { chargeBelowPerKWh: 2.249, dischargeAbovePerKWh: 8 }, 0.25, grid);
    expect(curveFromFunction(w.powerAt, w.breakpoints, grid)).toEqual({
      currency: 'INR',
      minExport: -5,
      maxExport: 5,
      curve: [
        { price: 2.25, powerKW: -5 },
        { price: 2.25, powerKW: 0 },
        { price: 8, powerKW: 0 },
        { price: 8, powerKW: 5 },
      ],
    });
  });

  it('never charges above the price it discharges at, and its curve is valid, for any prices and SoC', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 20, noNaN: true }), { minLength: 1, maxLength: 96 }), fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (prices, soc, tc) => {
        const t = arbitrageThresholds(spec, soc, prices, 0.25, tc);
        expect(t.chargeBelowPerKWh).toBeLessThanOrEqual(t.dischargeAbovePerKWh);
        const w = batteryWillingness(spec, soc, soc, t, 0.25, grid);
        expect(validateCurve(curveFromFunction(w.powerAt, w.breakpoints, grid), '')).toEqual([]);
      }),
    );
  });
});
