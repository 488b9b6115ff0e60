/**
 * Reusable scratch buffers for clearing. A market of a million curves needs a few hundred MB of
 * typed arrays for one clearing; allocating them afresh each time makes the engine pay for full
 * garbage collections of the caller's whole heap (V8 collects on external-memory growth). The
 * buffers are grow-only and held through a WeakRef: reused by back-to-back clearings, released by
 * the collector when the process needs the memory. Nothing computed lives in them after a call
 * returns, so results never depend on them.
 */

/** Named buffer slots; each clearing uses each slot for one array at a time. */
export const Slot = {
  KnotPrice: 0,
  KnotLo: 1,
  KnotHi: 2,
  KnotTick: 3,
  CurveStart: 4,
  Power: 5,
  Offset: 6,
  Rationed: 7,
  Forced: 8,
  Members: 9,
  NodeOf: 10,
  Shift: 11,
  EventPrice: 12,
  EventJump: 13,
  EventSlope: 14,
  EventSorted: 15,
  Order: 16,
  RangeLo: 17,
  RangeHi: 18,
} as const;
export type Slot = (typeof Slot)[keyof typeof Slot];
const SLOTS = 19;

/** Grow-only typed-array buffers by slot (an object literal: one stable shape). */
export interface ScratchPool {
  readonly f64: (Float64Array | undefined)[];
  readonly i32: (Int32Array | undefined)[];
  readonly u32: (Uint32Array | undefined)[];
}

function newPool(): ScratchPool {
  return {
    f64: new Array<Float64Array | undefined>(SLOTS).fill(undefined),
    i32: new Array<Int32Array | undefined>(SLOTS).fill(undefined),
    u32: new Array<Uint32Array | undefined>(SLOTS).fill(undefined),
  };
}

function grown(length: number | undefined, n: number): number {
  return Math.max(n, Math.ceil((length ?? 0) * 1.5), 16);
}

/** A Float64Array view of length n from the pool (contents unspecified unless `zero`). */
export function scratchFloat64(pool: ScratchPool, slot: Slot, n: number, zero = false): Float64Array {
  const b = pool.f64[slot];
  if (b === undefined || b.length < n) {
    const fresh = new Float64Array(grown(b?.length, n));
    pool.f64[slot] = fresh;
    return fresh.subarray(0, n);
  }
  const v = b.subarray(0, n);
  if (zero) v.fill(0);
  return v;
}

/** An Int32Array view of length n from the pool (contents unspecified unless `zero`). */
export function scratchInt32(pool: ScratchPool, slot: Slot, n: number, zero = false): Int32Array {
  const b = pool.i32[slot];
  if (b === undefined || b.length < n) {
    const fresh = new Int32Array(grown(b?.length, n));
    pool.i32[slot] = fresh;
    return fresh.subarray(0, n);
  }
  const v = b.subarray(0, n);
  if (zero) v.fill(0);
  return v;
}

/** A Uint32Array view of length n from the pool (contents unspecified unless `zero`). */
export function scratchUint32(pool: ScratchPool, slot: Slot, n: number, zero = false): Uint32Array {
  const b = pool.u32[slot];
  if (b === undefined || b.length < n) {
    const fresh = new Uint32Array(grown(b?.length, n));
    pool.u32[slot] = fresh;
    return fresh.subarray(0, n);
  }
  const v = b.subarray(0, n);
  if (zero) v.fill(0);
  return v;
}

let shared: WeakRef<ScratchPool> | undefined;

/** The shared pool (a new one when the collector has released the last). */
export function scratchPool(): ScratchPool {
  let pool = shared?.deref();
  if (pool === undefined) {
    pool = newPool();
    shared = new WeakRef(pool);
  }
  return pool;
}
