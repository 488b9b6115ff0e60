/**
 * The clearing engine on normalised curves and a radial tree of nodes.
 *
 * Notation. Each participant's curve is a monotone set-valued function of price: at a step price p
 * it takes every value in [l, h]. To name points *inside* a step, the price axis is extended with a
 * position t: the point z = (p, t) of the "augmented" axis orders lexicographically, and participant
 * i's power at z is x_i(p, t), continuous and non-decreasing in z:
 *
 *   t ∈ [0, 1]  its demand at its fullest (x = l at t = 0) while its supply room u = h − b opens up,
 *   t ∈ [1, 2]  supply at its fullest while its demand room w = b − l closes (x = h at t = 2),
 *
 * where b = clamp(0, l, h) is the point of the step nearest to no trade. t = 1 is the largest traded
 * volume the step allows; t < 1 rations supply, t > 1 rations demand, each pro rata to every
 * participant's room. Two forced extensions exist only where prices cannot move further: at the
 * floor, t ∈ [−1, 0] cuts positive power pro rata down to 0 (curtailment), and at the cap,
 * t ∈ [2, 3] cuts negative power pro rata up to 0 (unserved demand). Grid limits use them when even
 * the floor or the cap cannot bring a subtree's flow within its limit.
 *
 * Node n's aggregate is A_n(z) = Σ own x_i(z) + Σ children clamp(A_c(z), −F_c, R_c). The market
 * clears where A_root(z) = 0. Top-down, a child whose aggregate at its parent's point lies outside
 * its limits moves to the nearest point z_c of the augmented axis where it meets the limit: a lower
 * price (reverse limit) or a higher one (forward limit) — its locational price — or, when the limit
 * binds inside a step at the same price, a different t, which is the grid operator's offset.
 *
 * Exactness. Aggregates over price are built as explicit piecewise-linear functions (pl.ts): with a
 * price tick by difference arrays over the grid (O(points + ticks), no sorting), otherwise from the
 * sorted knots. Either only locates the one grid interval (or knot segment) holding an answer; the
 * answer itself comes from a fresh build of that interval from direct sums over the participants
 * (with the few knots inside it), solved on its linear pieces — no iteration to a tolerance.
 * Values within `tolKW` of a target (scale × 1e-10) count as equal, so rounding noise never
 * invents or hides a price interval.
 */
import type { PriceRule } from './types.js';
import type { CurveStore, PriceGrid } from './store.js';
import { gridPrice, OFF_GRID, rangeAt } from './store.js';
import type { Pl } from './pl.js';
import { scratchFloat64, Slot, type ScratchPool } from './scratch.js';
import { plClamp, plFirstAtLeast, plLastAtMost, plSum, plValue } from './pl.js';

export interface SolveNode {
  /** Parent index, −1 for the root (index 0). Parents come before children. */
  readonly parent: number;
  readonly children: readonly number[];
  /** Participant indices (into the store) connected directly at this node. */
  readonly members: Uint32Array;
  /** −maxForwardFlowKW, or −Infinity. */
  readonly minFlowKW: number;
  /** maxReverseFlowKW, or +Infinity. */
  readonly maxFlowKW: number;
}

export interface SolveProblem {
  readonly floor: number;
  readonly cap: number;
  readonly rule: PriceRule;
  /** Price grid (or undefined); every curve knot except clip kinks lies on it. */
  readonly grid: PriceGrid | undefined;
  readonly store: CurveStore;
  readonly nodes: readonly SolveNode[];
  /** Values within this many kW of a target count as equal. */
  readonly tolKW: number;
}

/** 0: none, 1: reverse (export) limit, −1: forward (import) limit. */
export type BindingCode = -1 | 0 | 1;

export interface SolveOutcome {
  readonly status: 'cleared' | 'cap' | 'floor';
  readonly price: number;
  readonly interval: readonly [number, number];
  /** Market position inside the step at the clearing price. */
  readonly marketT: number;
  readonly nodePrice: Float64Array;
  readonly nodeT: Float64Array;
  readonly nodeBinding: Int8Array;
  /** Participant results, indexed like the store. */
  readonly powerKW: Float64Array;
  readonly offsetKW: Float64Array;
  /** Market rationing (> 0 only in the root's price zone when cleared inside a step). */
  readonly rationedKW: Float64Array;
  /** Forced cuts at the floor (> 0: supply curtailed) or the cap (< 0: demand unserved). */
  readonly forcedKW: Float64Array;
}

/**
 * Largest grid size (nodes × ticks) aggregated on the tick grid; beyond it (or when the floor and
 * the cap are not exactly grid points) clearing sorts the knots instead.
 */
const MAX_GRID_CELLS = 1 << 25;

/** Power at augmented position t for a participant whose range at the price is [l, h]. */
export function positionPower(l: number, h: number, t: number): number {
  if (t < 0) return l + t * (l > 0 ? l : 0);
  if (t >= 2) return t === 2 ? h : h + (t - 2) * (h < 0 ? -h : 0);
  const b = l > 0 ? l : h < 0 ? h : 0;
  if (t <= 1) return l + t * (h - b);
  return l + (h - b) + (t - 1) * (b - l);
}

const T_KNOTS = Float64Array.from([-1, 0, 1, 2, 3]);

function clampNum(v: number, a: number, b: number): number {
  return v < a ? a : v > b ? b : v;
}

/** Per-call solver state: an object literal (one stable shape), used by the functions below. */
interface SolverState {
  readonly prob: SolveProblem;
  readonly pool: ScratchPool | undefined;
  readonly coarseCache: (Pl | undefined)[];
  readonly localCache: Map<string, Pl>[];
  readonly tCache: Map<number, Pl>[];
  readonly scratch: Float64Array;
  readonly useGrid: boolean;
  /** The last range [l, h] of every participant evaluated by tFn, and the price each node's were taken at. */
  readonly rangeLo: Float64Array;
  readonly rangeHi: Float64Array;
  readonly rangePrice: Float64Array;
}

function createSolver(prob: SolveProblem, pool: ScratchPool | undefined): SolverState {
  const n = prob.nodes.length;
  const count = prob.store.count;
  const sv: SolverState = {
    prob,
    pool,
    coarseCache: new Array<Pl | undefined>(n).fill(undefined),
    localCache: Array.from({ length: n }, () => new Map<string, Pl>()),
    tCache: Array.from({ length: n }, () => new Map<number, Pl>()),
    scratch: new Float64Array(2),
    useGrid:
      prob.grid !== undefined &&
      prob.store.tickIndex !== undefined &&
      prob.grid.ticks > 0 &&
      n * (prob.grid.ticks + 1) <= MAX_GRID_CELLS &&
      gridPrice(prob.grid, 0) === prob.floor &&
      gridPrice(prob.grid, prob.grid.ticks) === prob.cap,
    rangeLo: pool === undefined ? new Float64Array(count) : scratchFloat64(pool, Slot.RangeLo, count),
    rangeHi: pool === undefined ? new Float64Array(count) : scratchFloat64(pool, Slot.RangeHi, count),
    rangePrice: new Float64Array(n).fill(NaN),
  };
  if (sv.useGrid) buildGridCoarse(sv);
  return sv;
}

/** Node n's aggregate over [floor, cap], exact at its knots (grid points or curve knots). */
function coarse(sv: SolverState, n: number): Pl {
  let c = sv.coarseCache[n];
  if (c === undefined) {
    c = local(sv, n, sv.prob.floor, sv.prob.cap);
    sv.coarseCache[n] = c;
  }
  return c;
}

/** Every node's aggregate sampled on the tick grid by difference arrays, bottom-up. */
function buildGridCoarse(sv: SolverState): void {
  const g = sv.prob.grid!;
  const K = g.ticks;
  const xs = new Float64Array(K + 1);
  for (let k = 0; k <= K; k++) xs[k] = gridPrice(g, k);
  const nodes = sv.prob.nodes;
  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n]!;
    const { lo, hi } = ownGrid(sv, node.members, g, xs);
    for (const c of node.children) {
      const cc = sv.coarseCache[c]!;
      const min = nodes[c]!.minFlowKW;
      const max = nodes[c]!.maxFlowKW;
      for (let k = 0; k <= K; k++) {
        const a = cc.lo[k]!;
        const b = cc.hi[k]!;
        lo[k] = lo[k]! + (a < min ? min : a > max ? max : a);
        hi[k] = hi[k]! + (b < min ? min : b > max ? max : b);
      }
    }
    sv.coarseCache[n] = { x: xs, lo, hi };
  }
}

/**
 * Own participants' aggregate at every tick. Each curve is sampled at ticks exactly: its knots are
 * on ticks except clip kinks, which are replaced by the two ticks around them with their exact
 * values, so between consecutive sample ticks the sampled curve is linear and one slope per run
 * goes into a difference array.
 */
function ownGrid(sv: SolverState, members: Uint32Array, g: PriceGrid, xs: Float64Array): { lo: Float64Array; hi: Float64Array } {
  const K = g.ticks;
  const { start, price, lo: klo, hi: khi } = sv.prob.store;
  const tickIndex = sv.prob.store.tickIndex!;
  const jump = new Float64Array(K + 1);
  const dd = new Float64Array(K + 1);
  const out = sv.scratch;
  const floor = g.floor;
  const tick = g.tick;
  let base = 0;
  let comp = 0;
  for (let m = 0; m < members.length; m++) {
    const i = members[m]!;
    const a = start[i]!;
    const b = start[i + 1]!;
    // left value at the floor
    let v0: number;
    if (floor <= price[a]!) v0 = klo[a]!;
    else {
      rangeAt(sv.prob.store, i, floor, out);
      v0 = out[0]!;
    }
    const s = base + v0;
    comp += Math.abs(base) >= Math.abs(v0) ? base - s + v0 : v0 - s + base;
    base = s;
    let started = false;
    let prevK = 0;
    let prevH = 0;
    for (let j = a; j < b; j++) {
      const k = tickIndex[j]!;
      if (k !== OFF_GRID) {
        if (!started || k > prevK) {
          const L = klo[j]!;
          const H = khi[j]!;
          if (started) addSlope(dd, K, prevK, k, (L - prevH) / (k - prevK));
          if (k >= 0 && k <= K) jump[k] = jump[k]! + (H - L);
          started = true;
          prevK = k;
          prevH = H;
        }
      } else {
        // clip kink between ticks k0 and k0 + 1: sample both ticks exactly
        const p = price[j]!;
        let k0 = Math.floor((p - floor) / tick);
        if (gridPrice(g, k0) > p) k0--;
        else if (gridPrice(g, k0 + 1) <= p) k0++;
        for (const kk of [k0, k0 + 1]) {
          if (started && kk <= prevK) continue;
          rangeAt(sv.prob.store, i, kk >= 0 && kk <= K ? xs[kk]! : gridPrice(g, kk), out);
          const L = out[0]!;
          const H = out[1]!;
          if (started) addSlope(dd, K, prevK, kk, (L - prevH) / (kk - prevK));
          if (kk >= 0 && kk <= K) jump[kk] = jump[kk]! + (H - L);
          started = true;
          prevK = kk;
          prevH = H;
        }
      }
    }
  }
  base += comp;
  const lo = new Float64Array(K + 1);
  const hi = new Float64Array(K + 1);
  let d = dd[0]!;
  lo[0] = base;
  hi[0] = base + jump[0]!;
  for (let k = 1; k <= K; k++) {
    const l = hi[k - 1]! + d;
    lo[k] = l;
    hi[k] = l + jump[k]!;
    d += dd[k]!;
  }
  return { lo, hi };
}

/** Node n's aggregate on [a, b] as an explicit PL, from direct sums (cached). */
function local(sv: SolverState, n: number, a: number, b: number): Pl {
  const key = `${a}|${b}`;
  const cache = sv.localCache[n]!;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const node = sv.prob.nodes[n]!;
  const parts: Pl[] = [ownLocal(sv, node.members, a, b)];
  for (const c of node.children) {
    const cn = sv.prob.nodes[c]!;
    parts.push(plClamp(local(sv, c, a, b), cn.minFlowKW, cn.maxFlowKW));
  }
  const f = plSum(parts);
  cache.set(key, f);
  return f;
}

/**
 * Own participants' aggregate on [a, b]: the left value at a (a compensated sum), the slope just
 * left of a, and every knot in [a, b] as a jump and a slope change, swept in price order.
 */
function ownLocal(sv: SolverState, members: Uint32Array, a: number, b: number): Pl {
  const { start, price, lo, hi } = sv.prob.store;
  // interior knots: every knot on [floor, cap], only a few (clip kinks) on one tick interval
  let room = 64;
  const full = a === sv.prob.floor && b === sv.prob.cap;
  if (full) {
    room = 1;
    for (let m = 0; m < members.length; m++) room += start[members[m]! + 1]! - start[members[m]!]!;
  }
  const pool = full ? sv.pool : undefined;
  let ep = pool === undefined ? new Float64Array(room) : scratchFloat64(pool, Slot.EventPrice, room);
  let ej = pool === undefined ? new Float64Array(room) : scratchFloat64(pool, Slot.EventJump, room);
  let eds = pool === undefined ? new Float64Array(room) : scratchFloat64(pool, Slot.EventSlope, room);
  let ne = 0;
  let V = 0;
  let comp = 0;
  let S = 0;
  let Ja = 0;
  let dSa = 0;
  let Jb = 0;
  for (let m = 0; m < members.length; m++) {
    const i = members[m]!;
    const s = start[i]!;
    const e = start[i + 1]!;
    let j = s;
    while (j < e && price[j]! < a) j++;
    let v: number;
    let slopeLeft = 0;
    if (j === s) v = lo[s]!;
    else if (j === e) v = hi[e - 1]!;
    else {
      const xa = price[j - 1]!;
      const xb = price[j]!;
      slopeLeft = (lo[j]! - hi[j - 1]!) / (xb - xa);
      v = xb === a ? lo[j]! : hi[j - 1]! + slopeLeft * (a - xa);
    }
    const sum = V + v;
    comp += Math.abs(V) >= Math.abs(v) ? V - sum + v : v - sum + V;
    V = sum;
    S += slopeLeft;
    for (let k = j; k < e && price[k]! <= b; k++) {
      const pk = price[k]!;
      const jumpK = hi[k]! - lo[k]!;
      const sl = k === s ? 0 : (lo[k]! - hi[k - 1]!) / (pk - price[k - 1]!);
      const sr = k === e - 1 ? 0 : (lo[k + 1]! - hi[k]!) / (price[k + 1]! - pk);
      if (pk === a) {
        Ja += jumpK;
        dSa += sr - sl;
      } else if (pk === b) {
        Jb += jumpK;
      } else {
        if (ne === room) {
          room *= 2;
          ep = grow(ep, room);
          ej = grow(ej, room);
          eds = grow(eds, room);
        }
        ep[ne] = pk;
        ej[ne] = jumpK;
        eds[ne] = sr - sl;
        ne++;
      }
    }
  }
  V += comp;
  if (a === b) return { x: Float64Array.of(a), lo: Float64Array.of(V), hi: Float64Array.of(V + Ja + Jb) };
  // unique interior prices, sorted (only interior knots are sorted: none on a tick interval
  // except clip kinks)
  const ux = pool === undefined ? ep.slice(0, ne) : scratchFloat64(pool, Slot.EventSorted, ne);
  if (pool !== undefined) ux.set(ep.subarray(0, ne));
  ux.sort();
  let u = 0;
  for (let q = 0; q < ne; q++) if (u === 0 || ux[q] !== ux[u - 1]) ux[u++] = ux[q]!;
  const J = new Float64Array(u);
  const DS = new Float64Array(u);
  for (let q = 0; q < ne; q++) {
    const p = ep[q]!;
    let l = 0;
    let r = u - 1;
    while (l < r) {
      const mid = (l + r) >> 1;
      if (ux[mid]! < p) l = mid + 1;
      else r = mid;
    }
    J[l] = J[l]! + ej[q]!;
    DS[l] = DS[l]! + eds[q]!;
  }
  const x = new Float64Array(u + 2);
  const flo = new Float64Array(u + 2);
  const fhi = new Float64Array(u + 2);
  x[0] = a;
  flo[0] = V;
  fhi[0] = V + Ja;
  let slope = S + dSa;
  let prevX = a;
  let prevV = V + Ja;
  for (let q = 0; q < u; q++) {
    const px = ux[q]!;
    const l = prevV + slope * (px - prevX);
    x[q + 1] = px;
    flo[q + 1] = l;
    fhi[q + 1] = l + J[q]!;
    slope += DS[q]!;
    prevX = px;
    prevV = l + J[q]!;
  }
  const lb = prevV + slope * (b - prevX);
  x[u + 1] = b;
  flo[u + 1] = lb;
  fhi[u + 1] = lb + Jb;
  return { x, lo: flo, hi: fhi };
}

/** Node n's aggregate at price p as a function of the augmented position t ∈ [−1, 3] (cached). */
function tFn(sv: SolverState, n: number, p: number): Pl {
  const cache = sv.tCache[n]!;
  const hit = cache.get(p);
  if (hit !== undefined) return hit;
  const node = sv.prob.nodes[n]!;
  const out = sv.scratch;
  const store = sv.prob.store;
  // compensated sums of l, the supply rooms, h, the forced supply and the forced demand
  let sl = 0, cl = 0, su = 0, cu = 0, sh = 0, ch = 0, sf = 0, cf = 0, sd = 0, cd = 0;
  const mem = node.members;
  const keepLo = sv.rangeLo;
  const keepHi = sv.rangeHi;
  sv.rangePrice[n] = p;
  for (let m = 0; m < mem.length; m++) {
    const i = mem[m]!;
    rangeAt(store, i, p, out);
    const l = out[0]!;
    const h = out[1]!;
    keepLo[i] = l;
    keepHi[i] = h;
    const bb = l > 0 ? l : h < 0 ? h : 0;
    const uu = h - bb;
    const lp = l > 0 ? l : 0;
    const hn = h < 0 ? -h : 0;
    let t = sl + l;
    cl += Math.abs(sl) >= Math.abs(l) ? sl - t + l : l - t + sl;
    sl = t;
    t = su + uu;
    cu += Math.abs(su) >= Math.abs(uu) ? su - t + uu : uu - t + su;
    su = t;
    t = sh + h;
    ch += Math.abs(sh) >= Math.abs(h) ? sh - t + h : h - t + sh;
    sh = t;
    t = sf + lp;
    cf += sf >= lp ? sf - t + lp : lp - t + sf;
    sf = t;
    t = sd + hn;
    cd += sd >= hn ? sd - t + hn : hn - t + sd;
    sd = t;
  }
  sl += cl;
  su += cu;
  sh += ch;
  sf += cf;
  sd += cd;
  const v = Float64Array.of(sl - sf, sl, sl + su, sh, sh + sd);
  const parts: Pl[] = [{ x: T_KNOTS, lo: v, hi: v }];
  for (const c of node.children) {
    const cn = sv.prob.nodes[c]!;
    parts.push(plClamp(tFn(sv, c, p), cn.minFlowKW, cn.maxFlowKW));
  }
  const f = plSum(parts);
  cache.set(p, f);
  return f;
}

/** sup{p ∈ [floor, cap] : lowest value of A_n at p ≤ target}, or undefined (A_n above target at the floor). */
function priceLastAtMost(sv: SolverState, n: number, target: number): number | undefined {
  const C = coarse(sv, n);
  const N = C.x.length;
  const tol = sv.prob.tolKW;
  if (N === 1) return local(sv, n, C.x[0]!, C.x[0]!).lo[0]! <= target + tol ? C.x[0]! : undefined;
  let k = lastIndexAtMost(C.lo, target + tol);
  k = clampNum(k, 0, N - 2);
  let dir = 0;
  for (let iter = 0; iter < N + 2; iter++) {
    const L = local(sv, n, C.x[k]!, C.x[k + 1]!);
    const m = L.x.length;
    if (L.lo[0]! > target + tol) {
      if (k === 0) return undefined;
      if (dir === 1) return C.x[k]!;
      dir = -1;
      k--;
      continue;
    }
    if (L.lo[m - 1]! <= target + tol) {
      if (k === N - 2) return C.x[N - 1]!;
      if (dir === -1) return C.x[k + 1]!;
      dir = 1;
      k++;
      continue;
    }
    return plLastAtMost(L, target, tol);
  }
  return C.x[k]!;
}

/** inf{p ∈ [floor, cap] : highest value of A_n at p ≥ target}, or undefined (A_n below target at the cap). */
function priceFirstAtLeast(sv: SolverState, n: number, target: number): number | undefined {
  const C = coarse(sv, n);
  const N = C.x.length;
  const tol = sv.prob.tolKW;
  if (N === 1) return local(sv, n, C.x[0]!, C.x[0]!).hi[0]! >= target - tol ? C.x[0]! : undefined;
  let k = firstIndexAtLeast(C.hi, target - tol) - 1;
  k = clampNum(k, 0, N - 2);
  let dir = 0;
  for (let iter = 0; iter < N + 2; iter++) {
    const L = local(sv, n, C.x[k]!, C.x[k + 1]!);
    const m = L.x.length;
    if (L.hi[m - 1]! < target - tol) {
      if (k === N - 2) return undefined;
      if (dir === -1) return C.x[k + 1]!;
      dir = 1;
      k++;
      continue;
    }
    if (L.hi[0]! >= target - tol) {
      if (k === 0) return C.x[0]!;
      if (dir === 1) return C.x[k]!;
      dir = -1;
      k--;
      continue;
    }
    return plFirstAtLeast(L, target, tol);
  }
  return C.x[k]!;
}

/**
 * Where child c sits given its parent's point (p, t): the same point when its aggregate there is
 * within its limits, else the nearest point at which the aggregate equals the limit.
 */
function place(sv: SolverState, c: number, p: number, t: number): { p: number; t: number; binding: BindingCode } {
  const node = sv.prob.nodes[c]!;
  const { minFlowKW: min, maxFlowKW: max } = node;
  if (min === -Infinity && max === Infinity) return { p, t, binding: 0 };
  const { floor, cap, tolKW: tol } = sv.prob;
  const tf = tFn(sv, c, p);
  const v = plValue(tf, t);
  if (v > max + tol) {
    // reverse limit: the nearest point below (p, t) where the subtree exports exactly max
    const cand = plLastAtMost(tf, max, tol);
    if (cand !== undefined && cand >= (p === floor ? -1 : 0)) return { p, t: Math.min(cand, t), binding: 1 };
    const pc = priceLastAtMost(sv, c, max);
    if (pc === undefined) return { p: floor, t: clampNum(plLastAtMost(tFn(sv, c, floor), max, tol) ?? -1, -1, 0), binding: 1 };
    if (pc >= p) return { p, t: clampNum(cand ?? 0, 0, t), binding: 1 };
    return { p: pc, t: clampNum(plLastAtMost(tFn(sv, c, pc), max, tol) ?? 0, 0, 2), binding: 1 };
  }
  if (v < min - tol) {
    // forward limit: the nearest point above (p, t) where the subtree imports exactly −min
    const cand = plFirstAtLeast(tf, min, tol);
    if (cand !== undefined && cand <= (p === cap ? 3 : 2)) return { p, t: Math.max(cand, t), binding: -1 };
    const pc = priceFirstAtLeast(sv, c, min);
    if (pc === undefined) return { p: cap, t: clampNum(plFirstAtLeast(tFn(sv, c, cap), min, tol) ?? 3, 2, 3), binding: -1 };
    if (pc <= p) return { p, t: clampNum(cand ?? 2, t, 2), binding: -1 };
    return { p: pc, t: clampNum(plFirstAtLeast(tFn(sv, c, pc), min, tol) ?? 2, 0, 2), binding: -1 };
  }
  return { p, t, binding: 0 };
}

function grow(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function addSlope(dd: Float64Array, K: number, ka: number, kb: number, s: number): void {
  const a = ka < 0 ? 0 : ka;
  const b = kb > K ? K : kb;
  if (a < b && s !== 0) {
    dd[a] = dd[a]! + s;
    dd[b] = dd[b]! - s;
  }
}

/** Last index k with v[k] ≤ x in a non-decreasing array, −1 when none. */
function lastIndexAtMost(v: Float64Array, x: number): number {
  let l = 0;
  let r = v.length;
  while (l < r) {
    const m = (l + r) >> 1;
    if (v[m]! <= x) l = m + 1;
    else r = m;
  }
  return l - 1;
}

/** First index k with v[k] ≥ x in a non-decreasing array, v.length when none. */
function firstIndexAtLeast(v: Float64Array, x: number): number {
  let l = 0;
  let r = v.length;
  while (l < r) {
    const m = (l + r) >> 1;
    if (v[m]! >= x) r = m;
    else l = m + 1;
  }
  return l;
}

/**
 * Clears the market on a tree: the market point at the root, then every node's point top-down,
 * then every participant's power, offset and rationing. Pure; the problem is assumed valid. With a
 * pool, the outcome's per-participant arrays are views into its buffers, valid until its next use.
 */
export function solveTree(prob: SolveProblem, pool?: ScratchPool): SolveOutcome {
  const sv = createSolver(prob, pool);
  const { floor, cap, rule, tolKW: tol, nodes, store } = prob;
  let status: SolveOutcome['status'];
  let price: number;
  let interval: [number, number];
  let marketT: number;
  const pLow = priceFirstAtLeast(sv, 0, 0);
  const pHigh = priceLastAtMost(sv, 0, 0);
  if (pLow === undefined) {
    status = 'cap';
    price = cap;
    interval = [cap, cap];
    marketT = 2;
  } else if (pHigh === undefined) {
    status = 'floor';
    price = floor;
    interval = [floor, floor];
    marketT = 0;
  } else {
    status = 'cleared';
    const a = Math.min(pLow, pHigh);
    const b = Math.max(pLow, pHigh);
    interval = [a, b];
    price = rule === 'low' ? a : rule === 'high' ? b : a === b ? a : a + (b - a) / 2;
    const tf = tFn(sv, 0, price);
    const tL = clampNum(plFirstAtLeast(tf, 0, tol) ?? 2, 0, 2);
    const tH = clampNum(plLastAtMost(tf, 0, tol) ?? 0, 0, 2);
    marketT = tL <= tH ? clampNum(1, tL, tH) : (tL + tH) / 2;
  }

  const nn = nodes.length;
  const nodePrice = new Float64Array(nn);
  const nodeT = new Float64Array(nn);
  const nodeRef = new Float64Array(nn);
  const nodeBinding = new Int8Array(nn);
  const rootZone = new Uint8Array(nn);
  const root = place(sv, 0, price, marketT);
  nodePrice[0] = root.p;
  nodeT[0] = root.t;
  nodeBinding[0] = root.binding;
  nodeRef[0] = marketT;
  rootZone[0] = 1;
  for (let n = 0; n < nn; n++) {
    for (const c of nodes[n]!.children) {
      const z = place(sv, c, nodePrice[n]!, nodeT[n]!);
      nodePrice[c] = z.p;
      nodeT[c] = z.t;
      nodeBinding[c] = z.binding;
      if (z.p === nodePrice[n]) {
        nodeRef[c] = nodeRef[n]!;
        rootZone[c] = rootZone[n]!;
      } else {
        nodeRef[c] = z.binding === 1 ? 2 : 0;
        rootZone[c] = 0;
      }
    }
  }

  const count = store.count;
  const powerKW = pool === undefined ? new Float64Array(count) : scratchFloat64(pool, Slot.Power, count);
  const offsetKW = pool === undefined ? new Float64Array(count) : scratchFloat64(pool, Slot.Offset, count, true);
  const rationedKW = pool === undefined ? new Float64Array(count) : scratchFloat64(pool, Slot.Rationed, count, true);
  const forcedKW = pool === undefined ? new Float64Array(count) : scratchFloat64(pool, Slot.Forced, count, true);
  const out = new Float64Array(2);
  const ration = status === 'cleared' && marketT !== 1;
  for (let n = 0; n < nn; n++) {
    const p = nodePrice[n]!;
    const t = nodeT[n]!;
    const tr = nodeRef[n]!;
    const mem = nodes[n]!.members;
    const rz = ration && rootZone[n] === 1;
    // ranges at this price were kept when the node's t-function was taken there
    const kept = sv.rangePrice[n] === p;
    const keptLo = sv.rangeLo;
    const keptHi = sv.rangeHi;
    for (let m = 0; m < mem.length; m++) {
      const i = mem[m]!;
      let l: number;
      let h: number;
      if (kept) {
        l = keptLo[i]!;
        h = keptHi[i]!;
      } else {
        rangeAt(store, i, p, out);
        l = out[0]!;
        h = out[1]!;
      }
      if (l === h) {
        powerKW[i] = t < 0 ? l + t * (l > 0 ? l : 0) : t > 2 ? h + (t - 2) * (h < 0 ? -h : 0) : l;
        if (t < 0 || t > 2) {
          offsetKW[i] = powerKW[i]! - positionPower(l, h, tr);
          forcedKW[i] = t < 0 ? l - powerKW[i]! : h - powerKW[i]!;
        }
        continue;
      }
      const x = positionPower(l, h, t);
      powerKW[i] = x;
      if (t !== tr) offsetKW[i] = x - positionPower(l, h, tr);
      if (t < 0) forcedKW[i] = positionPower(l, h, 0) - x;
      else if (t > 2) forcedKW[i] = h - x;
      if (rz) {
        const b = l > 0 ? l : h < 0 ? h : 0;
        rationedKW[i] = marketT < 1 ? (1 - marketT) * (h - b) : (marketT - 1) * (b - l);
      }
    }
  }
  return { status, price, interval, marketT, nodePrice, nodeT, nodeBinding, powerKW, offsetKW, rationedKW, forcedKW };
}
