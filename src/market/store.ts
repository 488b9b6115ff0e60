import type { OfferCurve } from './curve-types.js';
import type { MarketParticipant } from './types.js';
import { scratchFloat64, scratchInt32, scratchUint32, Slot, type ScratchPool } from './scratch.js';

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
  /** With a grid: each knot's tick index, or {@link OFF_GRID} for a knot between ticks (a clip kink). */
  readonly tickIndex?: Int32Array;
}

/** Tick index of a knot that is not on the grid. */
export const OFF_GRID = -0x80000000;

/** Participants packed for clearing, in id order. */
export interface PackedMarket {
  readonly store: CurveStore;
  /** Participant ids in code-unit order; packed curve i belongs to ids[i]. */
  readonly ids: readonly string[];
  /** Index into the input's participants of packed curve i. */
  readonly order: Uint32Array;
  /** Node index of packed curve i (0, the root, when no index is given or the node is absent). */
  readonly nodeOf: Int32Array;
}

export interface PackOptions {
  /** Node id → node index; participants without a node (or an unknown one) get 0. */
  readonly nodeIndex?: ReadonlyMap<string, number>;
  /** Per node index, a price per kWh subtracted from the curves there (policy adders). */
  readonly nodeShift?: Float64Array;
  readonly grid?: PriceGrid;
  readonly pool?: ScratchPool;
}

/** Growable knot arrays (from the pool when there is one); an object literal, one stable shape. */
interface KnotWriter {
  price: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  tick: Int32Array | undefined;
  w: number;
}

function knotWriter(capacity: number, gridded: boolean, pool: ScratchPool | undefined): KnotWriter {
  return {
    price: pool === undefined ? new Float64Array(capacity) : scratchFloat64(pool, Slot.KnotPrice, capacity),
    lo: pool === undefined ? new Float64Array(capacity) : scratchFloat64(pool, Slot.KnotLo, capacity),
    hi: pool === undefined ? new Float64Array(capacity) : scratchFloat64(pool, Slot.KnotHi, capacity),
    tick: gridded ? (pool === undefined ? new Int32Array(capacity) : scratchInt32(pool, Slot.KnotTick, capacity)) : undefined,
    w: 0,
  };
}

/**
 * Makes room for `extra` more knots, keeping what is written. Grown arrays are fresh, not pooled:
 * the pool keeps its buffers (sized by an estimate) for the next call.
 */
function ensureRoom(out: KnotWriter, extra: number): void {
  const need = out.w + extra;
  if (need <= out.price.length) return;
  const n = Math.max(need, Math.ceil(out.price.length * 1.5));
  const copy = (a: Float64Array): Float64Array => {
    const b = new Float64Array(n);
    b.set(a.subarray(0, out.w));
    return b;
  };
  out.price = copy(out.price);
  out.lo = copy(out.lo);
  out.hi = copy(out.hi);
  if (out.tick !== undefined) {
    const t = new Int32Array(n);
    t.set(out.tick.subarray(0, out.w));
    out.tick = t;
  }
}

/**
 * Appends one curve's knots: points at one price merged into a step, prices shifted by `shift`
 * and (with a grid) snapped to their tick, values clipped, a knot inserted where a linear piece
 * crosses a clip bound. The caller has made room for n + 2 knots.
 */
function appendCurve(out: KnotWriter, c: OfferCurve, shift: number, grid: PriceGrid | undefined, perTick: number): void {
  const pts = c.curve;
  const n = pts.length;
  const min = c.minExport;
  const max = c.maxExport;
  const { price, lo, hi, tick: tickIndex } = out;
  let w = out.w;
  const w0 = w;
  let prevP = 0;
  let prevV = 0;
  for (let q = 0; q < n; q++) {
    const pt = pts[q]!;
    let p = pt.price - shift;
    const v = pt.powerKW;
    let k = OFF_GRID;
    if (grid !== undefined) {
      const kk = Math.round((p - grid.floor) * perTick);
      if (kk > -MAX_TICK && kk < MAX_TICK) {
        const g = gridPrice(grid, kk);
        if (g === p || Math.abs(g - p) <= TICK_TOLERANCE * Math.max(1, Math.abs(p), grid.tick)) {
          p = g;
          k = kk;
        }
      }
    }
    const cv = v < min ? min : v > max ? max : v;
    if (w > w0) {
      if (p === prevP) {
        // another point at the same price: the step goes on
        hi[w - 1] = cv;
        prevV = v;
        continue;
      }
      // where the linear piece from the previous knot crosses a clip bound, insert a knot
      if (prevV < min && v > min) {
        const xc = prevP + ((min - prevV) * (p - prevP)) / (v - prevV);
        if (xc > price[w - 1]! && xc < p) {
          price[w] = xc;
          lo[w] = min;
          hi[w] = min;
          if (tickIndex !== undefined) tickIndex[w] = OFF_GRID;
          w++;
        }
      }
      if (prevV < max && v > max) {
        const xc = prevP + ((max - prevV) * (p - prevP)) / (v - prevV);
        if (xc > price[w - 1]! && xc < p) {
          price[w] = xc;
          lo[w] = max;
          hi[w] = max;
          if (tickIndex !== undefined) tickIndex[w] = OFF_GRID;
          w++;
        }
      }
    }
    price[w] = p;
    lo[w] = cv;
    hi[w] = cv;
    if (tickIndex !== undefined) tickIndex[w] = k;
    w++;
    prevP = p;
    prevV = v;
  }
  out.w = w;
}

const MAX_TICK = 2 ** 30;

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Packs participants for clearing in id order (code units), reading each participant once when
 * the ids already arrive sorted and twice otherwise. A curve of n points yields at most n + 2
 * knots (a monotone curve crosses each clip bound at most once). With a grid, prices within
 * {@link TICK_TOLERANCE} of a tick are snapped to it, so equal ticks compare equal, and each knot's
 * tick index is kept. With a pool, the arrays are views into its buffers, valid until its next use.
 */
export function packMarket(ps: readonly MarketParticipant[], opts: PackOptions = {}): PackedMarket {
  const { nodeIndex, nodeShift, grid, pool } = opts;
  const count = ps.length;
  const perTick = grid === undefined ? 1 : 1 / grid.tick;
  const start = pool === undefined ? new Uint32Array(count + 1) : scratchUint32(pool, Slot.CurveStart, count + 1);
  const order = pool === undefined ? new Uint32Array(count) : scratchUint32(pool, Slot.Order, count);
  const nodeOf = pool === undefined ? new Int32Array(count) : scratchInt32(pool, Slot.NodeOf, count);
  let ids = new Array<string>(count);
  const out = knotWriter(count * 10 + 16, grid !== undefined, pool);
  let sorted = true;
  let prev = '';
  for (let i = 0; i < count; i++) {
    const p = ps[i]!;
    const id = p.id;
    ids[i] = id;
    if (i > 0 && !(prev < id)) sorted = false;
    prev = id;
    order[i] = i;
    const node = nodeIndex === undefined || p.node === undefined ? 0 : (nodeIndex.get(p.node) ?? 0);
    nodeOf[i] = node;
    if (sorted) {
      const c = p.offerCurve;
      ensureRoom(out, c.curve.length + 2);
      start[i] = out.w;
      appendCurve(out, c, nodeShift === undefined ? 0 : nodeShift[node]!, grid, perTick);
    }
  }
  if (!sorted) {
    // a second pass in id order
    const idx = Array.from(order);
    idx.sort((a, b) => byCodeUnits(ids[a]!, ids[b]!));
    order.set(idx);
    ids = idx.map((i) => ids[i]!);
    const nodes = Int32Array.from(nodeOf);
    out.w = 0;
    for (let q = 0; q < count; q++) {
      const i = idx[q]!;
      nodeOf[q] = nodes[i]!;
      const c = ps[i]!.offerCurve;
      ensureRoom(out, c.curve.length + 2);
      start[q] = out.w;
      appendCurve(out, c, nodeShift === undefined ? 0 : nodeShift[nodeOf[q]!]!, grid, perTick);
    }
  }
  start[count] = out.w;
  const store: CurveStore = { count, start, price: out.price, lo: out.lo, hi: out.hi, ...(out.tick === undefined ? {} : { tickIndex: out.tick }) };
  return { store, ids, order, nodeOf };
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
