import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateCurve } from '../../src/market/curve.js';
import { curveFromFunction } from '../participant/curve.js';
import { normalQuantile, operateSite, prosumerWillingness, type ProsumerCurveInput } from './policy.js';

const grid = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01 };
/** Feed-in 3, retail 8, fee 0.1 with 18 % tax: 0.118 per traded kWh. */
const base: ProsumerCurveInput = { pvKW: 6, loadKW: 1, relErrorSd: 0, reservationPerKWh: 3, shortfallCostPerKWh: 8, excessValuePerKWh: 3, tradingCostPerKWh: 0.118 };
const curveOf = (i: ProsumerCurveInput): ReturnType<typeof curveFromFunction> => {
  const w = prosumerWillingness(i, grid);
  return curveFromFunction(w.powerAt, w.breakpoints, grid);
};

describe('normal quantile', () => {
  it('matches tabulated values', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6);
    expect(normalQuantile(0.02)).toBeCloseTo(-2.053748911, 6);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621234, 6);
  });
});

describe('prosumer curve (forecasts known exactly)', () => {
  it('sells its 5 kW surplus from 3.12 (feed-in + 0.118 cost), and below −0.12 curtails PV and buys its 1 kW load', () => {
    expect(curveOf(base)).toEqual({
      currency: 'INR',
      minExport: -1,
      maxExport: 5,
      curve: [
        { price: -0.12, powerKW: -1 },
        { price: -0.12, powerKW: 0 },
        { price: 3.12, powerKW: 0 },
        { price: 3.12, powerKW: 5 },
      ],
    });
  });

  it('buys its 2 kW deficit up to 7.88 (retail less cost) and takes it under its deviation contract above', () => {
    expect(curveOf({ ...base, pvKW: 1, loadKW: 3 }).curve).toEqual([
      { price: -0.12, powerKW: -3 },
      { price: -0.12, powerKW: -2 },
      { price: 7.88, powerKW: -2 },
      { price: 7.88, powerKW: 0 },
    ]);
  });

  it('with a reservation price of 5 it holds its surplus back below 5.12', () => {
    expect(curveOf({ ...base, reservationPerKWh: 5 }).curve.filter((p) => p.powerKW > 0)).toEqual([{ price: 5.12, powerKW: 5 }]);
  });
});

describe('prosumer curve under forecast uncertainty', () => {
  const uncertain = { ...base, relErrorSd: 0.2 };

  it('commits more the higher the price: the median at (3 + 8)/2 + cost, the firm part near the reservation price', () => {
    const w = prosumerWillingness(uncertain, grid);
    const sigma = 0.2 * Math.hypot(6, 1);
    // At 5.618 the level is (5.618 − 0.118 − 3) / 5 = 0.5: the median, 5 kW.
    expect(w.powerAt(5.618)).toBeCloseTo(5, 8);
    // At 3.618 the level is 0.1: 5 + σ·Φ⁻¹(0.1).
    expect(w.powerAt(3.618)).toBeCloseTo(5 + sigma * normalQuantile(0.1), 9);
    expect(w.powerAt(3.1)).toBe(0);
    const c = curveOf(uncertain);
    expect(validateCurve(c, '')).toEqual([]);
    expect(c.maxExport).toBeCloseTo(5 + sigma * normalQuantile(0.98), 3);
  });

  it('always yields a valid curve, sells only at or above its reservation plus cost, and buys only at or below retail less cost', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 8, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 6, noNaN: true }),
        fc.double({ min: 4, max: 12, noNaN: true }),
        (pv, load, sd, reservation, retail) => {
          const i = { ...base, pvKW: pv, loadKW: load, relErrorSd: sd, reservationPerKWh: reservation, shortfallCostPerKWh: retail };
          const c = curveOf(i);
          expect(validateCurve(c, '')).toEqual([]);
          for (const p of c.curve) {
            if (p.powerKW > 0) expect(p.price).toBeGreaterThanOrEqual(reservation + 0.118 - 0.01);
            if (p.powerKW < 0 && p.price > 0) expect(p.price).toBeLessThanOrEqual(retail - 0.118 + 0.01);
          }
        },
      ),
    );
  });
});

describe('operating the site', () => {
  it('hits the target exactly when the battery can close the gap', () => {
    // PV 4.2, load 1: natural +3.2; target 5 → battery discharges 1.8.
    const op = operateSite(4.2, 1, { chargeKW: 3, dischargeKW: 3 }, 5);
    expect(op.netKW).toBe(5);
    expect(op.batteryKW).toBeCloseTo(1.8, 12);
    expect(op.curtailedKW).toBe(0);
  });

  it('curtails PV to the target when it would export more, and shows a shortfall it cannot close', () => {
    expect(operateSite(6, 1, { chargeKW: 0, dischargeKW: 0 }, 2)).toEqual({ netKW: 2, batteryKW: 0, curtailedKW: 3 });
    expect(operateSite(6, 1, { chargeKW: 2, dischargeKW: 0 }, 2)).toEqual({ netKW: 2, batteryKW: -2, curtailedKW: 1 });
    expect(operateSite(3, 1, { chargeKW: 0, dischargeKW: 1 }, 4)).toEqual({ netKW: 3, batteryKW: 1, curtailedKW: 0 });
  });

  it('runs for self-consumption without a deal', () => {
    expect(operateSite(6, 1, { chargeKW: 2, dischargeKW: 2 }, undefined)).toEqual({ netKW: 3, batteryKW: -2, curtailedKW: 0 });
    expect(operateSite(0, 1.5, { chargeKW: 2, dischargeKW: 2 }, undefined)).toEqual({ netKW: 0, batteryKW: 1.5, curtailedKW: 0 });
  });
});
