import type { OfferCurve, OfferCurvePoint } from '../../src/market/curve-types.js';
import { curvePowerRange } from '../../src/market/curve.js';

/**
 * Building valid offer curves from a participant's willingness to trade. A policy states its
 * wish as a function of price — net export in kW (+ sell, − buy), non-decreasing in price — plus
 * the prices where that function bends or jumps; {@link curveFromFunction} turns it into an
 * {@link OfferCurve} on the market's price tick with steps exactly where the function jumps.
 */

/** The market's price grid: every curve price is floor + n × tick, inside [floor, cap]. */
export interface PriceGrid {
  readonly currency: string;
  readonly priceFloor: number;
  readonly priceCap: number;
  readonly priceTick: number;
}

/** Decimal places of a tick such as 0.01 (2) or 0.5 (1); at most 9. */
export function tickDecimals(tick: number): number {
  for (let d = 0; d <= 9; d++) {
    const s = tick * 10 ** d;
    if (Math.abs(s - Math.round(s)) <= 1e-9 * Math.max(1, s)) return d;
  }
  return 9;
}

function onGrid(g: PriceGrid, n: number): number {
  const scale = 10 ** Math.max(tickDecimals(g.priceTick), tickDecimals(Math.abs(g.priceFloor) || 1));
  return Math.round((g.priceFloor + n * g.priceTick) * scale) / scale;
}

function clampPrice(g: PriceGrid, p: number): number {
  return p < g.priceFloor ? g.priceFloor : p > g.priceCap ? g.priceCap : p;
}

/** The highest grid price ≤ p, clamped to [floor, cap]. A buyer's limit is rounded this way. */
export function priceDown(g: PriceGrid, p: number): number {
  const n = Math.floor((clampPrice(g, p) - g.priceFloor) / g.priceTick + 1e-9);
  return clampPrice(g, onGrid(g, n));
}

/** The lowest grid price ≥ p, clamped to [floor, cap]. A seller's limit is rounded this way. */
export function priceUp(g: PriceGrid, p: number): number {
  const n = Math.ceil((clampPrice(g, p) - g.priceFloor) / g.priceTick - 1e-9);
  return clampPrice(g, onGrid(g, n));
}

/** The nearest grid price, clamped to [floor, cap]. */
export function priceNearest(g: PriceGrid, p: number): number {
  const n = Math.round((clampPrice(g, p) - g.priceFloor) / g.priceTick);
  return clampPrice(g, onGrid(g, n));
}

/** A power value with −0 and sub-nanowatt noise around 0 made 0. */
export function cleanKW(kw: number): number {
  return Math.abs(kw) < 1e-12 ? 0 : kw;
}

/** A change of power across a breakpoint smaller than this (1 mW) is a bend, not a step. */
const JUMP_KW = 1e-6;

/**
 * A curve from a willingness function `f(price) → kW` (non-decreasing; + export). `breakpoints`
 * are the prices where `f` bends or jumps; each is rounded to the nearest tick (policies round
 * their own thresholds up or down first, so nothing moves). At each breakpoint the curve takes
 * the limits of `f` just below and just above it, so a jump becomes a step at that price and the
 * value exactly at a threshold never matters. Between breakpoints the curve is linear, so a
 * smooth `f` needs enough breakpoints. Any decrease (a policy defect) is lifted to the running
 * maximum, so the result is always a valid curve; min/maxExport are its lowest and highest power.
 */
export function curveFromFunction(f: (pricePerKWh: number) => number, breakpoints: readonly number[], g: PriceGrid): OfferCurve {
  const prices = [...new Set([g.priceFloor, g.priceCap, ...breakpoints.filter((p) => Number.isFinite(p)).map((p) => priceNearest(g, p))])].sort((a, b) => a - b);
  const eps = g.priceTick * 1e-9;
  const raw: OfferCurvePoint[] = [];
  for (const p of prices) {
    const below = cleanKW(p > g.priceFloor ? f(p - eps) : f(p));
    const above = cleanKW(p < g.priceCap ? f(p + eps) : f(p));
    if (Math.abs(below - above) <= JUMP_KW) raw.push({ price: p, powerKW: cleanKW(f(p)) });
    else {
      raw.push({ price: p, powerKW: below });
      raw.push({ price: p, powerKW: above });
    }
  }
  let run = Number.NEGATIVE_INFINITY;
  const monotone = raw.map((pt) => {
    run = Math.max(run, pt.powerKW);
    return run === pt.powerKW ? pt : { price: pt.price, powerKW: run };
  });
  const points = simplify(monotone);
  const first = points[0]?.powerKW ?? 0;
  const last = points[points.length - 1]?.powerKW ?? 0;
  return { currency: g.currency, minExport: first, maxExport: last, curve: points };
}

/**
 * Drops points that carry no information: exact duplicates, the inner points of a flat run, and
 * inner points on a straight line between their neighbours. Steps are kept.
 */
function simplify(points: readonly OfferCurvePoint[]): OfferCurvePoint[] {
  const dedup: OfferCurvePoint[] = [];
  for (const p of points) {
    const last = dedup[dedup.length - 1];
    if (last !== undefined && last.price === p.price && last.powerKW === p.powerKW) continue;
    dedup.push(p);
  }
  const out: OfferCurvePoint[] = [];
  for (let i = 0; i < dedup.length; i++) {
    const p = dedup[i]!;
    const a = out[out.length - 1];
    const b = dedup[i + 1];
    if (a !== undefined && b !== undefined && a.price < p.price && p.price < b.price) {
      const t = (p.price - a.price) / (b.price - a.price);
      const onLine = a.powerKW + t * (b.powerKW - a.powerKW);
      if (Math.abs(onLine - p.powerKW) <= 1e-9) continue;
    }
    out.push(p);
  }
  // Flat beyond the ends says the rest: a flat first or last segment is dropped.
  while (out.length >= 2 && out[0]!.powerKW === out[1]!.powerKW && out[0]!.price < out[1]!.price) out.shift();
  while (out.length >= 2 && out[out.length - 1]!.powerKW === out[out.length - 2]!.powerKW && out[out.length - 2]!.price < out[out.length - 1]!.price) out.pop();
  return out;
}

/**
 * The curve clipped to the grid operator's approval: it may import at most `maxImportKW` and
 * export at most `maxExportKW` (both ≥ 0; undefined = no limit). Both clip bounds are held inside
 * [−maxImport, maxExport] (the market applies them to the points), so a curve that must import
 * more than allowed is held at the allowed import, and one that must export more at the allowed
 * export.
 */
export function clipCurve(curve: OfferCurve, maxImportKW: number | undefined, maxExportKW: number | undefined): OfferCurve {
  const lo = maxImportKW === undefined ? Number.NEGATIVE_INFINITY : -Math.max(0, maxImportKW);
  const hi = maxExportKW === undefined ? Number.POSITIVE_INFINITY : Math.max(0, maxExportKW);
  const clamp = (v: number): number => cleanKW(v < lo ? lo : v > hi ? hi : v);
  const minExport = clamp(curve.minExport);
  const maxExport = clamp(curve.maxExport);
  if (minExport === curve.minExport && maxExport === curve.maxExport) return curve;
  return { ...curve, minExport, maxExport };
}

/**
 * The least and most power a curve offers over the market's price range: its value at the floor
 * (lower end of a step there) and at the cap (upper end of a step there), both clipped.
 */
export function offeredRange(curve: OfferCurve, g: Pick<PriceGrid, 'priceFloor' | 'priceCap'>): readonly [minKW: number, maxKW: number] {
  if (curve.curve.length === 0) return [curve.minExport, curve.maxExport];
  return [curvePowerRange(curve, g.priceFloor)[0], curvePowerRange(curve, g.priceCap)[1]];
}
