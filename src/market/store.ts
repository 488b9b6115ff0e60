import type { OfferCurve } from './curve-types.js';

/**
 * A price grid (tick) over [floor, cap]. Grid prices are computed as exact decimal fractions when
 * the floor and the tick have at most 12 decimals, so tick k of a 0.01 grid from 0 is exactly the
 * double nearest to k/100 (the same double a person writes as a curve price).
 */
export interface PriceGrid {
  readonly floor: number;
  readonly tick: number;
  /** Number of tick intervals between floor and cap (grid points 0..ticks). */
  readonly ticks: number;
  /** Decimal scale 10^d, or 0 when floor or tick is not a short decimal. */
  readonly scale: number;
  readonly floorUnits: number;
  readonly tickUnits: number;
}

/** Builds the grid for [floor, cap] with the given tick; floor and cap are assumed on the grid. */
export function makePriceGrid(floor: number, cap: number, tick: number): PriceGrid {
  let scale = 0;
  for (let d = 0, s = 1; d <= 12; d++, s *= 10) {
    const fu = floor * s;
    const tu = tick * s;
    if (Math.abs(fu - Math.round(fu)) <= 1e-6 && Math.abs(tu - Math.round(tu)) <= 1e-6 && Math.abs(Math.round(fu)) < 2 ** 50 && Math.round(tu) >= 1) {
      scale = s;
      break;
    }
  }
  const ticks = Math.round((cap - floor) / tick);
  return { floor, tick, ticks, scale, floorUnits: scale === 0 ? 0 : Math.round(floor * scale), tickUnits: scale === 0 ? 0 : Math.round(tick * scale) };
}

/** Price of grid point k (k may lie outside 0..ticks). */
export function gridPrice(g: PriceGrid, k: number): number {
  return g.scale === 0 ? g.floor + k * g.tick : (g.floorUnits + k * g.tickUnits) / g.scale;
}

/** Relative tolerance for "this price lies on the tick". */
export const TICK_TOLERANCE = 1e-9;

/** The grid index of `price` if it lies on the grid (within {@link TICK_TOLERANCE} of a tick), else undefined. */
export function gridIndexOf(g: PriceGrid, price: number): number | undefined {
  const k = Math.round((price - g.floor) / g.tick);
  return Math.abs(gridPrice(g, k) - price) <= TICK_TOLERANCE * Math.max(1, Math.abs(price), g.tick) ? k : undefined;
}

/**
 * Offer curves normalised for clearing, packed in flat typed arrays. Curve i owns knots
 * `start[i] .. start[i+1]-1`: strictly increasing prices, each with the power just below/at the
 * price (`lo`) and at/just above it (`hi`); linear from `hi[j]` to `lo[j+1]`; flat outside. Points at
 * one price are merged into one knot (a step), the clip to [minExport, maxExport] is applied, and
 * where a linear piece crosses a clip bound a knot is inserted, so each curve is exactly piecewise
 * linear between its knots.
 */
export interface CurveStore {
  readonly count: number;
  readonly start: Uint32Array;
  readonly price: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/**
 * Packs curves in the given order. `shift[i]` (price per kWh) is subtracted from curve i's prices
 * (policy mode: a participant behind adder a sees root price + a). With a grid, prices are snapped
 * to their tick so equal ticks compare equal.
 */
export function buildCurveStore(curves: readonly OfferCurve[], shift?: Float64Array, grid?: PriceGrid): CurveStore {
  const count = curves.length;
  let cap = 0;
  for (let i = 0; i < count; i++) cap += curves[i]!.curve.length + 2;
  const start = new Uint32Array(count + 1);
  let price = new Float64Array(cap);
  let lo = new Float64Array(cap);
  let hi = new Float64Array(cap);
  let rp = new Float64Array(16);
  let rl = new Float64Array(16);
  let rh = new Float64Array(16);
  let w = 0;
  for (let i = 0; i < count; i++) {
    start[i] = w;
    const c = curves[i]!;
    const pts = c.curve;
    const n = pts.length;
    if (n > rp.length) {
      rp = new Float64Array(n * 2);
      rl = new Float64Array(n * 2);
      rh = new Float64Array(n * 2);
    }
    const s = shift === undefined ? 0 : shift[i]!;
    // 1. merge points at one price into raw knots
    let m = 0;
    for (let q = 0; q < n; q++) {
      const pt = pts[q]!;
      let p = pt.price - s;
      if (grid !== undefined) {
        const k = Math.round((p - grid.floor) / grid.tick);
        const g = gridPrice(grid, k);
        if (Math.abs(g - p) <= TICK_TOLERANCE * Math.max(1, Math.abs(p), grid.tick)) p = g;
      }
      if (m > 0 && p === rp[m - 1]) {
        rh[m - 1] = pt.powerKW;
      } else {
        rp[m] = p;
        rl[m] = pt.powerKW;
        rh[m] = pt.powerKW;
        m++;
      }
    }
    // 2. clip, inserting knots where a linear piece crosses a bound
    const min = c.minExport;
    const max = c.maxExport;
    if (w + 3 * m > price.length) {
      const grow = Math.max(price.length * 2, w + 3 * m);
      price = resize(price, grow);
      lo = resize(lo, grow);
      hi = resize(hi, grow);
    }
    for (let j = 0; j < m; j++) {
      if (j > 0) {
        const xa = rp[j - 1]!;
        const va = rh[j - 1]!;
        const xb = rp[j]!;
        const vb = rl[j]!;
        if (va < min && vb > min) {
          const xc = xa + ((min - va) * (xb - xa)) / (vb - va);
          if (xc > price[w - 1]! && xc < xb) {
            price[w] = xc;
            lo[w] = min;
            hi[w] = min;
            w++;
          }
        }
        if (va < max && vb > max) {
          const xc = xa + ((max - va) * (xb - xa)) / (vb - va);
          if (xc > price[w - 1]! && xc < xb) {
            price[w] = xc;
            lo[w] = max;
            hi[w] = max;
            w++;
          }
        }
      }
      const l = rl[j]!;
      const h = rh[j]!;
      price[w] = rp[j]!;
      lo[w] = l < min ? min : l > max ? max : l;
      hi[w] = h < min ? min : h > max ? max : h;
      w++;
    }
  }
  start[count] = w;
  return { count, start, price, lo, hi };
}

function resize(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

/** Writes curve i's power range at price p into out[0] (low end) and out[1] (high end). */
export function rangeAt(s: CurveStore, i: number, p: number, out: Float64Array): void {
  const a = s.start[i]!;
  const b = s.start[i + 1]!;
  const price = s.price;
  if (p < price[a]!) {
    out[0] = out[1] = s.lo[a]!;
    return;
  }
  let j = a;
  while (j < b && price[j]! < p) j++;
  if (j === b) {
    out[0] = out[1] = s.hi[b - 1]!;
    return;
  }
  if (price[j] === p) {
    out[0] = s.lo[j]!;
    out[1] = s.hi[j]!;
    return;
  }
  const xa = price[j - 1]!;
  const va = s.hi[j - 1]!;
  out[0] = out[1] = va + ((s.lo[j]! - va) * (p - xa)) / (price[j]! - xa);
}

/** Largest |power| curve i can take, kW (its scale, for tolerances). */
export function curveMagnitude(s: CurveStore, i: number): number {
  const a = s.start[i]!;
  const b = s.start[i + 1]!;
  return Math.max(Math.abs(s.lo[a]!), Math.abs(s.hi[b - 1]!));
}
