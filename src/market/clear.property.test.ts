import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clearMarket } from './clear.js';
import { curvePowerRange } from './curve.js';
import type { OfferCurve } from './curve-types.js';
import type { ClearingResult, MarketGridNode, MarketInput, MarketParticipant } from './types.js';

const TICK = 0.5;
const EPS = 1e-6;

/**
 * A random valid curve: a seller, a buyer or two-sided; prices on the 0.5 grid (some beyond the
 * floor and the cap, often on a few shared prices so steps and plateaus coincide), steps, clipping.
 */
const priceArb = fc.oneof(fc.integer({ min: -8, max: 28 }), fc.constantFrom(4, 8, 12, 16));
const curveArb: fc.Arbitrary<OfferCurve> = fc
  .record({
    kind: fc.constantFrom('sell' as const, 'buy' as const, 'both' as const),
    prices: fc.array(priceArb, { minLength: 1, maxLength: 5 }),
    steps: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    powers: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 5, maxLength: 5 }),
    clipLow: fc.integer({ min: 0, max: 35 }),
    clipHigh: fc.integer({ min: 0, max: 35 }),
  })
  .map(({ kind, prices, steps, powers, clipLow, clipHigh }) => {
    const ps = [...prices].sort((a, b) => a - b).map((k, i, all) => (i > 0 && steps[i] ? all[i - 1]! : k));
    const mags = powers.slice(0, ps.length);
    const ws = (kind === 'sell' ? mags : kind === 'buy' ? mags.map((m) => -m) : mags.map((m, i) => (i % 2 === 0 ? m : -m))).sort((a, b) => a - b);
    const min = kind === 'sell' ? 0 : -clipLow;
    const max = kind === 'buy' ? 0 : clipHigh;
    return { currency: 'INR', minExport: min, maxExport: max, curve: ps.map((k, i) => ({ price: k * TICK, powerKW: ws[i]! })) };
  });

interface Shape {
  readonly nodes: number;
  readonly parents: readonly number[];
  readonly limits: readonly (readonly [number | null, number | null])[];
  readonly curves: readonly OfferCurve[];
  readonly where: readonly number[];
  readonly floor: number;
  readonly rule: 'midpoint' | 'low' | 'high';
}

const shapeArb: fc.Arbitrary<Shape> = fc
  .record({
    nodes: fc.integer({ min: 1, max: 5 }),
    parentSeeds: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
    limits: fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 40 }), { freq: 2 }), fc.option(fc.integer({ min: 0, max: 40 }), { freq: 2 })), { minLength: 5, maxLength: 5 }),
    curves: fc.array(curveArb, { minLength: 1, maxLength: 9 }),
    whereSeeds: fc.array(fc.nat(), { minLength: 9, maxLength: 9 }),
    floor: fc.constantFrom(-2, 0),
    rule: fc.constantFrom('midpoint' as const, 'low' as const, 'high' as const),
  })
  .map((r) => ({
    nodes: r.nodes,
    parents: r.parentSeeds.map((s, i) => (i === 0 ? -1 : s % i)),
    limits: r.limits,
    curves: r.curves,
    where: r.whereSeeds.map((s) => s % r.nodes),
    floor: r.floor,
    rule: r.rule,
  }));

function toInput(s: Shape, mode: 'exact' | 'policy' | 'flat', adders: readonly number[] = []): MarketInput {
  const participants: MarketParticipant[] = s.curves.map((c, i) => {
    const n = s.where[i]!;
    return { id: `p${String(i).padStart(2, '0')}`, offerCurve: c, ...(mode === 'flat' || n === 0 ? {} : { node: `n${n}` }) };
  });
  const nodes: MarketGridNode[] = [];
  for (let n = 0; n < s.nodes; n++) {
    const [fwd, rev] = s.limits[n]!;
    nodes.push({
      id: `n${n}`,
      ...(n === 0 ? {} : { parent: `n${s.parents[n]!}` }),
      ...(fwd === null ? {} : { maxForwardFlowKW: fwd }),
      ...(rev === null ? {} : { maxReverseFlowKW: rev }),
      ...(mode === 'policy' ? { adderPerKWh: adders[n] ?? 0 } : {}),
    });
  }
  return {
    currency: 'INR',
    priceFloor: s.floor,
    priceCap: 10,
    priceRule: s.rule,
    participants,
    ...(mode === 'flat' ? {} : { grid: { mode: mode === 'policy' ? 'policy' : 'exact', nodes } }),
  };
}

/** Deep comparison of two results with a numeric tolerance. */
function expectNear(a: unknown, b: unknown, path = 'result'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Math.abs(a - b) > EPS * Math.max(1, Math.abs(a))) throw new Error(`${path}: ${a} vs ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) throw new Error(`${path}: length ${a.length} vs ${b.length}`);
    a.forEach((v, i) => expectNear(v, b[i], `${path}[${i}]`));
    return;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    expect(Object.keys(b).sort(), path).toEqual(ka);
    for (const k of ka) expectNear((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(b, path).toEqual(a);
}

function checkBalance(r: ClearingResult): void {
  const net = r.participants.reduce((s, p) => s + p.powerKW, 0);
  expect(Math.abs(net - r.netKW)).toBeLessThan(EPS);
  if (r.status === 'cleared') expect(Math.abs(r.netKW)).toBeLessThan(EPS);
  if (r.status === 'floor') expect(r.netKW).toBeGreaterThan(-EPS);
  if (r.status === 'cap') expect(r.netKW).toBeLessThan(EPS);
}

/** Independent oracle for one bus: bisection on the summed curve ranges. */
function bisect(curves: readonly OfferCurve[], floor: number, cap: number, pred: (p: number) => boolean): number {
  let a = floor;
  let b = cap;
  for (let i = 0; i < 200; i++) {
    const m = (a + b) / 2;
    if (pred(m)) b = m;
    else a = m;
  }
  return b;
}
function sumRange(curves: readonly OfferCurve[], p: number): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const c of curves) {
    const [l, h] = curvePowerRange(c, p);
    lo += l;
    hi += h;
  }
  return [lo, hi];
}

describe('clearMarket properties over random markets', () => {
  it('one bus: the price interval matches a bisection oracle and the market balances', () => {
    fc.assert(
      fc.property(shapeArb, (s) => {
        const input = toInput(s, 'flat');
        const r = clearMarket(input);
        checkBalance(r);
        const [loF] = sumRange(s.curves, s.floor);
        const [, hiC] = sumRange(s.curves, 10);
        if (r.status === 'floor') expect(loF).toBeGreaterThan(0);
        else if (r.status === 'cap') expect(hiC).toBeLessThan(0);
        else {
          const tol = 1e-9;
          const pLow = sumRange(s.curves, s.floor)[1] >= -tol ? s.floor : bisect(s.curves, s.floor, 10, (p) => sumRange(s.curves, p)[1] >= -tol);
          const pHigh = sumRange(s.curves, 10)[0] <= tol ? 10 : -bisect(s.curves, -10, -s.floor, (q) => sumRange(s.curves, -q)[0] <= tol);
          expect(r.priceInterval[0]).toBeCloseTo(pLow, 6);
          expect(r.priceInterval[1]).toBeCloseTo(pHigh, 6);
          const [lo, hi] = sumRange(s.curves, r.price);
          expect(lo).toBeLessThanOrEqual(EPS);
          expect(hi).toBeGreaterThanOrEqual(-EPS);
        }
        // rationing happens on one side only, and the other side trades all it offers at the
        // price (the largest volume): buyers at full demand unless demand is rationed, sellers at
        // full supply unless supply is rationed
        const sides = new Set(r.rationed.map((g) => g.side));
        expect(sides.size).toBeLessThanOrEqual(1);
        if (r.status === 'cleared') {
          for (const p of r.participants) {
            const [l, h] = curvePowerRange(s.curves[Number(p.id.slice(1))]!, p.price);
            if (h <= 0 && !sides.has('demand')) expect(p.powerKW).toBeCloseTo(l, 6);
            if (l >= 0 && !sides.has('supply')) expect(p.powerKW).toBeCloseTo(h, 6);
          }
        }
        for (const p of r.participants) {
          const [l, h] = curvePowerRange(s.curves[Number(p.id.slice(1))]!, p.price);
          expect(p.powerKW).toBeGreaterThanOrEqual(l - EPS);
          expect(p.powerKW).toBeLessThanOrEqual(h + EPS);
          expect(p.rationedKW).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('exact grid mode: balance, curves, limits, adders only where limits bind, in the right direction', () => {
    fc.assert(
      fc.property(shapeArb, (s) => {
        const input = toInput(s, 'exact');
        const r = clearMarket(input);
        checkBalance(r);
        const forced = r.nodes.some((n) => n.curtailedKW > EPS || n.unservedKW > EPS);
        for (const p of r.participants) {
          const [l, h] = curvePowerRange(s.curves[Number(p.id.slice(1))]!, p.price);
          // without its offset the participant is on its own curve at its own price
          expect(p.powerKW - p.offsetKW).toBeGreaterThanOrEqual(l - EPS);
          expect(p.powerKW - p.offsetKW).toBeLessThanOrEqual(h + EPS);
          if (!forced) {
            expect(p.powerKW).toBeGreaterThanOrEqual(l - EPS);
            expect(p.powerKW).toBeLessThanOrEqual(h + EPS);
          }
        }
        const byId = new Map(r.nodes.map((n) => [n.id, n]));
        for (const n of r.nodes) {
          const i = Number(n.id.slice(1));
          const [fwd, rev] = s.limits[i]!;
          if (fwd !== null) expect(n.flowKW).toBeGreaterThanOrEqual(-fwd - EPS);
          if (rev !== null) expect(n.flowKW).toBeLessThanOrEqual(rev + EPS);
          if (n.parent === null) continue;
          const parent = byId.get(n.parent)!;
          expect(n.adder).toBeCloseTo(n.price - parent.price, 12);
          if (n.binding === null) expect(n.price).toBe(parent.price);
          // a leaf's own curves, to check that its price is the nearest one meeting its limit
          const leaf = !r.nodes.some((m) => m.parent === n.id);
          const own = s.curves.filter((_, k) => s.where[k] === i);
          if (n.binding === 'reverse') {
            expect(n.price).toBeLessThanOrEqual(parent.price);
            expect(n.flowKW).toBeCloseTo(rev!, 6);
            if (leaf && n.price < parent.price) expect(sumRange(own, n.price + 1e-7)[0]).toBeGreaterThan(rev! - EPS);
          }
          if (n.binding === 'forward') {
            expect(n.price).toBeGreaterThanOrEqual(parent.price);
            expect(n.flowKW).toBeCloseTo(-fwd!, 6);
            if (leaf && n.price > parent.price) expect(sumRange(own, n.price - 1e-7)[1]).toBeLessThan(-fwd! + EPS);
          }
        }
        // subtree counts add up
        expect(r.nodes[0]!.participants).toBe(s.curves.length);
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on participant order, and a price tick changes nothing', () => {
    fc.assert(
      fc.property(shapeArb, fc.constantFrom('exact' as const, 'flat' as const, 'policy' as const), fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 5, maxLength: 5 }), (s, mode, adders) => {
        const input = toInput(s, mode, adders.map((a) => a * TICK));
        const r = clearMarket(input);
        const reversed = clearMarket({ ...input, participants: [...input.participants].reverse() });
        expect(reversed).toEqual(r);
        const ticked = clearMarket({ ...input, priceTick: TICK });
        expectNear(r, ticked);
      }),
      { numRuns: 300 },
    );
  });

  it('policy mode: every node price is the root price plus the adders on its path, and the market balances', () => {
    fc.assert(
      fc.property(shapeArb, fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 5, maxLength: 5 }), (s, adders) => {
        const input = toInput(s, 'policy', adders.map((a) => a * TICK));
        const r = clearMarket(input);
        checkBalance(r);
        const byId = new Map(r.nodes.map((n) => [n.id, n]));
        for (const n of r.nodes) {
          const i = Number(n.id.slice(1));
          const expected = (n.parent === null ? r.price : byId.get(n.parent)!.price) + adders[i]! * TICK;
          expect(n.price).toBeCloseTo(expected, 9);
          const [fwd, rev] = s.limits[i]!;
          const over = rev !== null && n.flowKW > rev + EPS ? 'reverse' : fwd !== null && n.flowKW < -fwd - EPS ? 'forward' : null;
          expect(n.binding).toBe(over);
        }
        for (const p of r.participants) {
          const [l, h] = curvePowerRange(s.curves[Number(p.id.slice(1))]!, p.price);
          expect(p.powerKW).toBeGreaterThanOrEqual(l - EPS);
          expect(p.powerKW).toBeLessThanOrEqual(h + EPS);
          expect(p.offsetKW).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
