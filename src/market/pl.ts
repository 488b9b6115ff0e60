/**
 * Monotone piecewise-linear functions with jumps, the shape of every aggregate in clearing.
 *
 * A `Pl` is a list of knots at strictly increasing abscissae `x[j]`, each with a left value `lo[j]`
 * and a right value `hi[j]` (`lo ≤ hi`; `lo < hi` is a jump, where the function takes every value
 * in between). Between knots the function is linear from `hi[j]` to `lo[j+1]`; outside the first and
 * last knot it is flat. The functions are non-decreasing, so level sets are intervals.
 */
export interface Pl {
  readonly x: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/** A Pl from plain arrays (tests and small builders). */
export function plOf(x: readonly number[], lo: readonly number[], hi: readonly number[] = lo): Pl {
  return { x: Float64Array.from(x), lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
}

/** Value range [lo, hi] of `f` at `x` (a point range off the jumps). */
export function plRange(f: Pl, x: number): [number, number] {
  const n = f.x.length;
  const xs = f.x;
  if (x <= xs[0]!) return x === xs[0]! ? [f.lo[0]!, f.hi[0]!] : [f.lo[0]!, f.lo[0]!];
  if (x >= xs[n - 1]!) return x === xs[n - 1]! ? [f.lo[n - 1]!, f.hi[n - 1]!] : [f.hi[n - 1]!, f.hi[n - 1]!];
  let a = 0;
  let b = n - 1;
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (xs[m]! <= x) a = m;
    else b = m;
  }
  if (xs[a] === x) return [f.lo[a]!, f.hi[a]!];
  const v = interpolate(xs[a]!, f.hi[a]!, xs[b]!, f.lo[b]!, x);
  return [v, v];
}

/** Value of a continuous `f` (no jumps) at `x`. */
export function plValue(f: Pl, x: number): number {
  return plRange(f, x)[0];
}

/** Linear interpolation on the segment (xa, va)–(xb, vb) at x. */
export function interpolate(xa: number, va: number, xb: number, vb: number, x: number): number {
  if (x <= xa) return va;
  if (x >= xb) return vb;
  return va + ((vb - va) * (x - xa)) / (xb - xa);
}

/** The abscissa in [xa, xb] where the segment (xa, va)–(xb, vb) takes the value `target`. */
function crossing(xa: number, va: number, xb: number, vb: number, target: number): number {
  if (vb === va) return xa;
  const x = xa + ((target - va) * (xb - xa)) / (vb - va);
  return x < xa ? xa : x > xb ? xb : x;
}

/**
 * inf{x : hi(x) ≥ target}, or undefined when even the last knot's right value is below the target.
 * Values within `tol` of the target count as equal to it, so a knot whose value is the target up to
 * rounding is returned exactly rather than a point a rounding error away.
 */
export function plFirstAtLeast(f: Pl, target: number, tol: number): number | undefined {
  const n = f.x.length;
  const hi = f.hi;
  if (hi[n - 1]! < target - tol) return undefined;
  let a = 0;
  let b = n - 1;
  if (hi[0]! >= target - tol) return f.x[0]!;
  // invariant: hi[a] < target - tol ≤ hi[b]
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (hi[m]! >= target - tol) b = m;
    else a = m;
  }
  const lob = f.lo[b]!;
  if (lob <= target + tol) return f.x[b]!;
  return crossing(f.x[a]!, hi[a]!, f.x[b]!, lob, target);
}

/**
 * sup{x : lo(x) ≤ target}, or undefined when even the first knot's left value is above the target.
 * Same tolerance rule as {@link plFirstAtLeast}.
 */
export function plLastAtMost(f: Pl, target: number, tol: number): number | undefined {
  const n = f.x.length;
  const lo = f.lo;
  if (lo[0]! > target + tol) return undefined;
  if (lo[n - 1]! <= target + tol) return f.x[n - 1]!;
  let a = 0;
  let b = n - 1;
  // invariant: lo[a] ≤ target + tol < lo[b]
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (lo[m]! <= target + tol) a = m;
    else b = m;
  }
  const hia = f.hi[a]!;
  if (hia >= target - tol) return f.x[a]!;
  return crossing(f.x[a]!, hia, f.x[b]!, lo[b]!, target);
}

/**
 * `f` clamped to [min, max] (either may be infinite), with a knot inserted wherever a linear piece
 * crosses a bound, so the result is again exactly piecewise linear between its knots.
 */
export function plClamp(f: Pl, min: number, max: number): Pl {
  const n = f.x.length;
  if (min === -Infinity && max === Infinity) return f;
  const x: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  const clamp = (v: number): number => (v < min ? min : v > max ? max : v);
  for (let j = 0; j < n; j++) {
    if (j > 0) {
      const xa = f.x[j - 1]!;
      const va = f.hi[j - 1]!;
      const xb = f.x[j]!;
      const vb = f.lo[j]!;
      for (const bound of [min, max]) {
        if (va < bound && vb > bound) {
          const xc = crossing(xa, va, xb, vb, bound);
          if (xc > x[x.length - 1]! && xc < xb) {
            x.push(xc);
            lo.push(bound);
            hi.push(bound);
          }
        }
      }
    }
    x.push(f.x[j]!);
    lo.push(clamp(f.lo[j]!));
    hi.push(clamp(f.hi[j]!));
  }
  return { x: Float64Array.from(x), lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
}

/** Pointwise sum of functions (knots = the union of theirs). */
export function plSum(parts: readonly Pl[]): Pl {
  if (parts.length === 1) return parts[0]!;
  let total = 0;
  for (const p of parts) total += p.x.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const p of parts) {
    all.set(p.x, k);
    k += p.x.length;
  }
  all.sort();
  let u = 0;
  for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[u - 1]) all[u++] = all[i]!;
  const x = all.slice(0, u);
  const lo = new Float64Array(u);
  const hi = new Float64Array(u);
  for (const p of parts) {
    let j = 0;
    const m = p.x.length;
    for (let i = 0; i < u; i++) {
      const xi = x[i]!;
      while (j < m && p.x[j]! < xi) j++;
      if (j < m && p.x[j] === xi) {
        lo[i]! += p.lo[j]!;
        hi[i]! += p.hi[j]!;
      } else {
        const v = j === 0 ? p.lo[0]! : j === m ? p.hi[m - 1]! : interpolate(p.x[j - 1]!, p.hi[j - 1]!, p.x[j]!, p.lo[j]!, xi);
        lo[i]! += v;
        hi[i]! += v;
      }
    }
  }
  return { x, lo, hi };
}
