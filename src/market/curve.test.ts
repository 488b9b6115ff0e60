import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { curvePowerAt, curvePowerRange, validateCurve } from './curve.js';
import type { OfferCurve } from './curve-types.js';

const buyer: OfferCurve = {
  currency: 'INR',
  minExport: -50,
  maxExport: 0,
  curve: [
    { price: 4, powerKW: -50 },
    { price: 8, powerKW: 0 },
  ],
};

describe('curvePowerAt', () => {
  it('interpolates linearly between points', () => {
    expect(curvePowerAt(buyer, 5.5)).toBeCloseTo(-31.25, 12);
    expect(curvePowerAt(buyer, 6.4)).toBeCloseTo(-20, 12);
  });

  it('is flat beyond the ends', () => {
    expect(curvePowerAt(buyer, -3)).toBe(-50);
    expect(curvePowerAt(buyer, 100)).toBe(0);
  });

  it('clips to [minExport, maxExport]', () => {
    const c: OfferCurve = { ...buyer, minExport: -30 };
    // unclipped −50 + 12.5 (p − 4) stays below −30 until p = 5.6
    expect(curvePowerAt(c, 5)).toBe(-30);
    expect(curvePowerAt(c, 5.6)).toBeCloseTo(-30, 12);
    expect(curvePowerAt(c, 6)).toBeCloseTo(-25, 12);
  });

  it('reports the whole step at a step price and the upper end as the point value', () => {
    const seller: OfferCurve = {
      currency: 'INR',
      minExport: 0,
      maxExport: 10,
      curve: [
        { price: 3, powerKW: 0 },
        { price: 3, powerKW: 4 },
        { price: 3, powerKW: 10 },
      ],
    };
    expect(curvePowerRange(seller, 3)).toEqual([0, 10]);
    expect(curvePowerAt(seller, 3)).toBe(10);
    expect(curvePowerRange(seller, 2.999)).toEqual([0, 0]);
    expect(curvePowerRange(seller, 3.001)).toEqual([10, 10]);
  });

  it('treats a one-point curve as a constant', () => {
    const c: OfferCurve = { currency: 'INR', minExport: -100, maxExport: 100, curve: [{ price: 5, powerKW: -12 }] };
    expect(curvePowerRange(c, 0)).toEqual([-12, -12]);
    expect(curvePowerRange(c, 5)).toEqual([-12, -12]);
    expect(curvePowerRange(c, 9)).toEqual([-12, -12]);
  });

  it('is non-decreasing in price for any valid curve (property)', () => {
    const curveArb = fc
      .array(fc.record({ price: fc.integer({ min: -20, max: 20 }), powerKW: fc.integer({ min: -50, max: 50 }) }), { minLength: 1, maxLength: 6 })
      .map((pts) => {
        const prices = pts.map((p) => p.price).sort((a, b) => a - b);
        const powers = pts.map((p) => p.powerKW).sort((a, b) => a - b);
        return prices.map((price, i) => ({ price, powerKW: powers[i]! }));
      });
    fc.assert(
      fc.property(curveArb, fc.integer({ min: -60, max: 0 }), fc.integer({ min: 0, max: 60 }), fc.double({ min: -25, max: 25, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (pts, min, max, p, dp) => {
        const c: OfferCurve = { currency: 'INR', minExport: min, maxExport: max, curve: pts };
        const [l1, h1] = curvePowerRange(c, p);
        const [l2, h2] = curvePowerRange(c, p + dp);
        expect(l1).toBeLessThanOrEqual(h1);
        expect(h1).toBeLessThanOrEqual(l2 + 1e-9);
        expect(l2).toBeLessThanOrEqual(h2);
        expect(l1).toBeGreaterThanOrEqual(min);
        expect(h2).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe('validateCurve', () => {
  it('accepts a valid curve, negative prices included', () => {
    expect(validateCurve({ ...buyer, curve: [{ price: -2, powerKW: -50 }, { price: 1, powerKW: 0 }] }, 'c')).toEqual([]);
  });

  it('reports every problem at once with its path', () => {
    const ds = validateCurve(
      {
        currency: 'inr',
        minExport: 5,
        maxExport: 0,
        curve: [
          { price: 4, powerKW: -10 },
          { price: 3, powerKW: -20 },
          { price: 'x', powerKW: 0, extra: 1 },
        ],
      },
      'participants[2].offerCurve',
    );
    expect(ds.map((d) => [d.code, d.path])).toEqual([
      ['curve.currency', 'participants[2].offerCurve.currency'],
      ['curve.bounds', 'participants[2].offerCurve.minExport'],
      ['curve.unsorted', 'participants[2].offerCurve.curve[1].price'],
      ['curve.decreasing', 'participants[2].offerCurve.curve[1].powerKW'],
      ['curve.unknown-field', 'participants[2].offerCurve.curve[2].extra'],
      ['curve.number', 'participants[2].offerCurve.curve[2].price'],
    ]);
  });

  it('rejects a missing or empty point list and non-objects', () => {
    expect(validateCurve({ currency: 'INR', minExport: 0, maxExport: 1, curve: [] }, '').map((d) => d.code)).toEqual(['curve.empty']);
    expect(validateCurve({ currency: 'INR', minExport: 0, maxExport: 1 }, '').map((d) => d.code)).toEqual(['curve.type']);
    expect(validateCurve(7, 'x').map((d) => d.path)).toEqual(['x']);
  });

  it('accepts steps (equal prices) with rising power but not falling power', () => {
    const step = (a: number, b: number): unknown => ({ currency: 'INR', minExport: -10, maxExport: 10, curve: [{ price: 3, powerKW: a }, { price: 3, powerKW: b }] });
    expect(validateCurve(step(0, 10), '')).toEqual([]);
    expect(validateCurve(step(10, 0), '').map((d) => d.code)).toEqual(['curve.decreasing']);
  });
});
