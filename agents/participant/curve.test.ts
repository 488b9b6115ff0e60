import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateCurve } from '../../src/market/curve.js';
import { clipCurve, curveFromFunction, offeredRange, priceDown, priceNearest, priceUp, tickDecimals } from './curve.js';

const grid = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01 };

describe('price tick', () => {
  it('rounds sellers up and buyers down onto clean tick prices inside [floor, cap]', () => {
    expect(tickDecimals(0.01)).toBe(2);
    expect(tickDecimals(0.5)).toBe(1);
    expect(priceUp(grid, 3.118)).toBe(3.12);
    expect(priceDown(grid, 7.882)).toBe(7.88);
    expect(priceDown(grid, -0.118)).toBe(-0.12);
    expect(priceNearest(grid, 0.1 + 0.2)).toBe(0.3);
    expect(priceUp(grid, 25)).toBe(20);
    expect(priceDown(grid, -9)).toBe(-5);
    expect(priceUp({ ...grid, priceFloor: -4.95, priceTick: 0.05 }, 1.01)).toBe(1.05);
  });
});

describe('curve from a willingness function', () => {
  it('puts a step exactly at each jump and a point at each bend', () => {
    // Buys 4 kW below 2, ramps linearly from 0 at 5 to 6 kW at 8, flat above.
    const f = (p: number): number => (p < 2 ? -4 : p < 5 ? 0 : p < 8 ? (2 * (p - 5)) : 6);
    expect(curveFromFunction(f, [2, 5, 8], grid)).toEqual({
      currency: 'INR',
      minExport: -4,
      maxExport: 6,
      curve: [
        { price: 2, powerKW: -4 },
        { price: 2, powerKW: 0 },
        { price: 5, powerKW: 0 },
        { price: 8, powerKW: 6 },
      ],
    });
  });

  it('is one point for a constant willingness', () => {
    expect(curveFromFunction(() => -2.5, [], grid)).toEqual({ currency: 'INR', minExport: -2.5, maxExport: -2.5, curve: [{ price: 20, powerKW: -2.5 }] });
  });

  it('lifts a decreasing willingness to its running maximum, so any policy gives a valid curve', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -5, max: 20, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })), { maxLength: 12 }), (steps) => {
        const f = (p: number): number => steps.filter(([at]) => p > at).reduce((s, [, v]) => s + v, 0);
        const c = curveFromFunction(f, steps.map(([at]) => at), grid);
        expect(validateCurve(c, '')).toEqual([]);
        for (const pt of c.curve) expect(Math.round((pt.price - grid.priceFloor) / grid.priceTick) * grid.priceTick + grid.priceFloor).toBeCloseTo(pt.price, 9);
      }),
    );
  });
});

describe('clipping to the approval', () => {
  const c = { currency: 'INR', minExport: -6, maxExport: 5, curve: [{ price: 3, powerKW: -6 }, { price: 3, powerKW: 5 }] };
  it('holds both bounds inside [−import, export]', () => {
    expect(clipCurve(c, 4, 2)).toMatchObject({ minExport: -4, maxExport: 2 });
    expect(clipCurve(c, undefined, undefined)).toBe(c);
    // A curve that must import 2–3 kW with only 1 kW approved is held at −1.
    expect(clipCurve({ ...c, minExport: -3, maxExport: -2 }, 1, 10)).toMatchObject({ minExport: -1, maxExport: -1 });
  });

  it('reports the offered range at the floor and the cap', () => {
    expect(offeredRange(c, grid)).toEqual([-6, 5]);
    expect(offeredRange(clipCurve(c, 4, 2), grid)).toEqual([-4, 2]);
  });
});
