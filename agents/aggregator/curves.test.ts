import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { curvePowerAt, curvePowerRange, validateCurve } from '../../src/market/index.js';
import { disaggregate, explicitPoints, splitFlexibility, sumCurves, upwardFlexKW } from './curves.js';

const grid = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01 };
const curve = (points: readonly (readonly [number, number])[], min?: number, max?: number): OfferCurve => ({
  currency: 'INR',
  minExport: min ?? Math.min(...points.map((p) => p[1])),
  maxExport: max ?? Math.max(...points.map((p) => p[1])),
  curve: points.map(([price, powerKW]) => ({ price, powerKW })),
});

describe('sumCurves', () => {
  it('adds a buyer and a seller step by step (worked example)', () => {
    // Buys 2 kW below 5; sells 3 kW from 4.
    const buyer = curve([[5, -2], [5, 0]]);
    const seller = curve([[4, 0], [4, 3]]);
    const sum = sumCurves([buyer, seller], 'INR');
    expect(sum.curve).toEqual([
      { price: 4, powerKW: -2 },
      { price: 4, powerKW: 1 },
      { price: 5, powerKW: 1 },
      { price: 5, powerKW: 3 },
    ]);
    expect([sum.minExport, sum.maxExport]).toEqual([-2, 3]);
    expect(validateCurve(sum, '')).toEqual([]);
  });

  it('adds linear pieces exactly between the union of the prices', () => {
    const a = curve([[0, -4], [10, 4]]);
    const b = curve([[5, 0], [15, 5]]);
    const sum = sumCurves([a, b], 'INR');
    expect(sum.curve.map((p) => [p.price, p.powerKW])).toEqual([[0, -4], [5, 0], [10, 6.5], [15, 9]]);
    expect(curvePowerAt(sum, 7.5)).toBeCloseTo(2 + 1.25, 12);
  });

  it('makes a member clip explicit so the sum bends where the member does', () => {
    const clipped = curve([[0, -10], [10, 10]], -5, 5);
    expect(explicitPoints(clipped)).toEqual([
      { price: 0, powerKW: -5 },
      { price: 2.5, powerKW: -5 },
      { price: 7.5, powerKW: 5 },
      { price: 10, powerKW: 5 },
    ]);
    expect(curvePowerAt(sumCurves([clipped], 'INR'), 5)).toBe(0);
  });

  it('is the zero curve for no members', () => {
    const sum = sumCurves([], 'INR', grid);
    expect(sum).toEqual({ currency: 'INR', minExport: 0, maxExport: 0, curve: [{ price: -5, powerKW: 0 }] });
  });

  it('equals the members’ sum at every price (property)', () => {
    const points = fc
      .array(fc.tuple(fc.integer({ min: -500, max: 2000 }), fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 1, maxLength: 5 })
      .map((pts) => {
        const prices = pts.map((p) => p[0] / 100).sort((x, y) => x - y);
        const powers = pts.map((p) => p[1]).sort((x, y) => x - y);
        return curve(prices.map((p, i) => [p, powers[i]!] as const));
      });
    fc.assert(
      fc.property(fc.array(points, { minLength: 1, maxLength: 6 }), fc.integer({ min: -600, max: 2100 }), (curves, cents) => {
        const sum = sumCurves(curves, 'INR');
        expect(validateCurve(sum, '')).toEqual([]);
        const price = cents / 100;
        const [lo, hi] = curvePowerRange(sum, price);
        const wantLo = curves.reduce((s, c) => s + curvePowerRange(c, price)[0], 0);
        const wantHi = curves.reduce((s, c) => s + curvePowerRange(c, price)[1], 0);
        expect(lo).toBeCloseTo(wantLo, 9);
        expect(hi).toBeCloseTo(wantHi, 9);
      }),
      { numRuns: 200 },
    );
  });
});

describe('disaggregate', () => {
  it('takes every member at its own curve at the price', () => {
    const a = curve([[0, -4], [10, 4]]);
    const b = curve([[5, 0], [15, 5]]);
    const split = disaggregate([{ id: 'a', curve: a }, { id: 'b', curve: b }], 10, 6.5);
    expect(split.shares).toEqual([{ id: 'a', powerKW: 4 }, { id: 'b', powerKW: 2.5 }]);
    expect(split.unallocatedKW).toBe(0);
  });

  it('shares a plateau pro rata to each member’s step (worked example)', () => {
    // At 5 the buyer is indifferent in [-2, 0] and the seller in [0, 4]; the portfolio cleared 0 kW:
    // the plateau [-2, 4] is taken a third of the way: buyer -2 + 2/6·2, seller 0 + 2/6·4.
    const split = disaggregate([{ id: 'buyer', curve: curve([[5, -2], [5, 0]]) }, { id: 'seller', curve: curve([[5, 0], [5, 4]]) }], 5, 0);
    expect(split.shares[0]!.powerKW).toBeCloseTo(-4 / 3, 12);
    expect(split.shares[1]!.powerKW).toBeCloseTo(4 / 3, 12);
  });

  it('places an operator’s offset beyond the curves on the members’ remaining room', () => {
    // At 2 both members run at their lowest point; 3 kW more is asked: member a has 8 kW of room, b has 4.
    const a = curve([[3, -4], [10, 4]]);
    const b = curve([[3, 0], [8, 4]]);
    const split = disaggregate([{ id: 'a', curve: a }, { id: 'b', curve: b }], 2, -1);
    expect(split.shares[0]!.powerKW).toBeCloseTo(-4 + 3 * (8 / 12), 12);
    expect(split.shares[1]!.powerKW).toBeCloseTo(0 + 3 * (4 / 12), 12);
    expect(split.unallocatedKW).toBe(0);
  });

  it('reports what the members cannot reach', () => {
    const split = disaggregate([{ id: 'a', curve: curve([[0, -1], [10, 1]]) }], 5, 3);
    expect(split.shares[0]!.powerKW).toBe(1);
    expect(split.unallocatedKW).toBe(2);
  });

  it('sums to any reachable target, each member within its bounds (property)', () => {
    const member = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.double({ min: -8, max: 8, noNaN: true })), { minLength: 1, maxLength: 4 })
      .map((pts) => {
        const prices = pts.map((p) => p[0] / 100).sort((x, y) => x - y);
        const powers = pts.map((p) => p[1]).sort((x, y) => x - y);
        return curve(prices.map((p, i) => [p, powers[i]!] as const));
      });
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), fc.integer({ min: -100, max: 1100 }), fc.double({ min: 0, max: 1, noNaN: true }), (curves, cents, where) => {
        const members = curves.map((c, i) => ({ id: `m${i}`, curve: c }));
        const lo = curves.reduce((s, c) => s + c.minExport, 0);
        const hi = curves.reduce((s, c) => s + c.maxExport, 0);
        const target = lo + where * (hi - lo);
        const split = disaggregate(members, cents / 100, target);
        const total = split.shares.reduce((s, x) => s + x.powerKW, 0);
        expect(total).toBeCloseTo(target, 8);
        expect(split.unallocatedKW).toBeCloseTo(0, 8);
        split.shares.forEach((s, i) => {
          expect(s.powerKW).toBeGreaterThanOrEqual(curves[i]!.minExport - 1e-9);
          expect(s.powerKW).toBeLessThanOrEqual(curves[i]!.maxExport + 1e-9);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('upward flexibility', () => {
  // A battery that discharges 5 kW above 9 and charges 5 kW below 4; a home that runs at -1 kW
  // anyway and gives up 2 kW of load above 12.
  const battery = { id: 'bat', baselineKW: 0, curve: curve([[4, -5], [4, 0], [9, 0], [9, 5]]) };
  const home = { id: 'home', baselineKW: -1, curve: curve([[12, -1], [12, 1]]) };

  it('is the curve at reference + flexibility price less the baseline', () => {
    expect(upwardFlexKW(battery, 8, 12)).toBe(5);
    expect(upwardFlexKW(home, 8, 12)).toBe(2);
    expect(upwardFlexKW(home, 8, 3)).toBe(0);
    expect(upwardFlexKW({ ...battery, baselineKW: 6 }, 8, 12)).toBe(0);
  });

  it('splits an accepted reduction pro rata to what each offered (worked example)', () => {
    // Offered 5 + 2 = 7 kW, accepted 3.5: each gives half of what it offered.
    const split = splitFlexibility([battery, home], 8, 12, 3.5);
    expect(split.shares).toEqual([{ id: 'bat', powerKW: 2.5 }, { id: 'home', powerKW: 0 }]);
    expect(split.unallocatedKW).toBe(0);
  });

  it('gives all it was offered when more is accepted, and reports the rest', () => {
    const split = splitFlexibility([battery, home], 8, 12, 9);
    expect(split.shares).toEqual([{ id: 'bat', powerKW: 5 }, { id: 'home', powerKW: 1 }]);
    expect(split.unallocatedKW).toBe(2);
  });
});
