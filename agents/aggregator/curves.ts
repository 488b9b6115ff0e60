import type { OfferCurve, OfferCurvePoint } from '../../src/market/curve-types.js';
import { curvePowerRange } from '../../src/market/curve.js';
import { priceNearest, type PriceGrid } from '../participant/curve.js';

/**
 * The aggregator's arithmetic on offer curves, all pure: adding members' curves into the one curve
 * it trades (bid-curve aggregation), and splitting what it cleared or committed back into one
 * setpoint per member, each member at its own curve at the price. Sign: + export, kW.
 */

/** Power below this (1 µW) is treated as zero when comparing or sharing. */
const EPS_KW = 1e-9;

/**
 * The points of a curve with its [minExport, maxExport] clip made explicit: points outside are held
 * at the bound, and where a segment crosses a bound a point is added at the crossing price. With a
 * price grid the added prices are rounded to its tick (so the curve stays on the market's grid).
 */
export function explicitPoints(curve: OfferCurve, grid?: PriceGrid): OfferCurvePoint[] {
  const lo = curve.minExport;
  const hi = curve.maxExport;
  const clip = (v: number): number => (v < lo ? lo : v > hi ? hi : v);
  const out: OfferCurvePoint[] = [];
  const pts = curve.curve;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    const prev = i > 0 ? pts[i - 1]! : undefined;
    if (prev !== undefined && prev.price < p.price) {
      for (const bound of [lo, hi]) {
        const crosses = (prev.powerKW < bound && p.powerKW > bound) || (prev.powerKW > bound && p.powerKW < bound);
        if (!crosses) continue;
        const t = (bound - prev.powerKW) / (p.powerKW - prev.powerKW);
        const raw = prev.price + t * (p.price - prev.price);
        const price = grid === undefined ? raw : Math.min(p.price, Math.max(prev.price, priceNearest(grid, raw)));
        out.push({ price, powerKW: bound });
      }
    }
    out.push({ price: p.price, powerKW: clip(p.powerKW) });
  }
  return out;
}

/**
 * The sum of curves: at every price the sum of the members' powers, steps included. Exact for
 * curves on one price grid: every member is linear between its own points and flat beyond its
 * ends, so the sum is linear between the union of their prices; at a price where any member steps
 * the sum takes the sums of the lower and of the upper ends. minExport and maxExport are the sums
 * of the members'. With no curves the result is the zero curve. One sweep over the members'
 * points sorted by price: each segment adds its slope from its first price to its last, each step
 * its jump at its price, O(points · log points).
 */
export function sumCurves(curves: readonly OfferCurve[], currency: string, grid?: PriceGrid): OfferCurve {
  let base = 0;
  let minExport = 0;
  let maxExport = 0;
  // Events at a price: slope change (kW per price unit) and jump (kW).
  const slope = new Map<number, number>();
  const jump = new Map<number, number>();
  const add = (m: Map<number, number>, price: number, v: number): void => void m.set(price, (m.get(price) ?? 0) + v);
  for (const c of curves) {
    const pts = explicitPoints(c, grid);
    minExport += c.minExport;
    maxExport += c.maxExport;
    if (pts.length === 0) continue;
    base += pts[0]!.powerKW;
    add(slope, pts[0]!.price, 0);
    for (let j = 1; j < pts.length; j++) {
      const a = pts[j - 1]!;
      const b = pts[j]!;
      if (b.price === a.price) add(jump, a.price, b.powerKW - a.powerKW);
      else {
        const s = (b.powerKW - a.powerKW) / (b.price - a.price);
        add(slope, a.price, s);
        add(slope, b.price, -s);
      }
    }
  }
  const prices = [...new Set([...slope.keys(), ...jump.keys()])].sort((a, b) => a - b);
  if (prices.length === 0) return { currency, minExport: 0, maxExport: 0, curve: [{ price: grid?.priceFloor ?? 0, powerKW: 0 }] };
  const points: OfferCurvePoint[] = [];
  let value = base;
  let rate = 0;
  let at = prices[0]!;
  for (const price of prices) {
    value += rate * (price - at);
    at = price;
    const low = value;
    value += jump.get(price) ?? 0;
    points.push({ price, powerKW: low });
    if (value - low > EPS_KW) points.push({ price, powerKW: value });
    rate += slope.get(price) ?? 0;
  }
  let run = Number.NEGATIVE_INFINITY;
  const monotone = points.map((p) => {
    run = Math.max(run, p.powerKW);
    return { price: p.price, powerKW: run };
  });
  return { currency, minExport: Math.min(minExport, monotone[0]!.powerKW), maxExport: Math.max(maxExport, monotone[monotone.length - 1]!.powerKW), curve: monotone };
}

/** A member's setpoint from a split. */
export interface MemberShare {
  readonly id: string;
  /** Setpoint, kW (+ export). */
  readonly powerKW: number;
}

/** How a target was split. */
export interface Split {
  readonly shares: readonly MemberShare[];
  /** Target − Σ shares, kW: 0 when the members can reach the target, else what they cannot. */
  readonly unallocatedKW: number;
}

/**
 * Splits a target power (kW) at a price among members, each at its own curve at that price:
 * every member starts at its power just below the price; if the target lies within the members'
 * indifference at the price (their steps there), each step is taken pro rata, the same rule the
 * market rations a plateau with; a target beyond what the curves give at the price (an operator's
 * offset, or an approval clip) is spread over the members' remaining room up to their
 * minExport/maxExport, pro rata to that room. Σ shares = target whenever the members can reach it.
 */
export function disaggregate(members: readonly { readonly id: string; readonly curve: OfferCurve }[], pricePerKWh: number, targetKW: number): Split {
  const ranges = members.map((m) => curvePowerRange(m.curve, pricePerKWh));
  const low = ranges.reduce((s, r) => s + r[0], 0);
  const high = ranges.reduce((s, r) => s + r[1], 0);
  let shares: number[];
  if (targetKW >= low - EPS_KW && targetKW <= high + EPS_KW) {
    const span = high - low;
    const theta = span > EPS_KW ? Math.min(1, Math.max(0, (targetKW - low) / span)) : 0;
    shares = ranges.map(([a, b]) => a + theta * (b - a));
  } else if (targetKW > high) {
    const room = members.map((m, i) => Math.max(0, m.curve.maxExport - ranges[i]![1]));
    shares = spread(ranges.map((r) => r[1]), room, targetKW - high);
  } else {
    const room = members.map((m, i) => Math.max(0, ranges[i]![0] - m.curve.minExport));
    shares = spread(ranges.map((r) => r[0]), room, targetKW - low);
  }
  const total = shares.reduce((s, x) => s + x, 0);
  return { shares: members.map((m, i) => ({ id: m.id, powerKW: clean(shares[i]!) })), unallocatedKW: clean(targetKW - total) };
}

/** Adds `extraKW` (any sign) to `base`, pro rata to `room` (≥ 0), each member at most its room. */
function spread(base: readonly number[], room: readonly number[], extraKW: number): number[] {
  const total = room.reduce((s, r) => s + r, 0);
  if (total <= EPS_KW) return [...base];
  const f = Math.min(1, Math.abs(extraKW) / total) * Math.sign(extraKW);
  return base.map((b, i) => b + f * room[i]!);
}

function clean(x: number): number {
  return Math.abs(x) < 1e-12 ? 0 : x;
}

/** One member's flexibility in an interval: what it would do anyway, and what it would do for a price. */
export interface MemberFlexibility {
  readonly id: string;
  /** Power it runs at without an instruction (its baseline), kW (+ export). */
  readonly baselineKW: number;
  readonly curve: OfferCurve;
}

/**
 * Upward flexibility (less import or more export) a member offers when every kWh it moves up is
 * paid `flexPricePerKWh` on top of `referencePricePerKWh` (what energy is worth to it anyway, e.g.
 * its retail tariff): its curve at the sum of the two, less its baseline; never negative.
 */
export function upwardFlexKW(m: MemberFlexibility, referencePricePerKWh: number, flexPricePerKWh: number): number {
  const at = curvePowerRange(m.curve, referencePricePerKWh + flexPricePerKWh)[1];
  return Math.max(0, at - m.baselineKW);
}

/**
 * Splits an accepted upward flexibility (kW ≥ 0) among members: each member's setpoint is its
 * baseline plus its share, shares pro rata to what each offered at the price, so no member moves
 * further than it offered. When the members offered less than accepted, each gives all it offered.
 */
export function splitFlexibility(members: readonly MemberFlexibility[], referencePricePerKWh: number, flexPricePerKWh: number, acceptedKW: number): Split {
  const offered = members.map((m) => upwardFlexKW(m, referencePricePerKWh, flexPricePerKWh));
  const total = offered.reduce((s, x) => s + x, 0);
  const f = total > EPS_KW ? Math.min(1, Math.max(0, acceptedKW) / total) : 0;
  const shares = members.map((m, i) => ({ id: m.id, powerKW: clean(m.baselineKW + f * offered[i]!) }));
  return { shares, unallocatedKW: clean(Math.max(0, acceptedKW) - f * total) };
}
