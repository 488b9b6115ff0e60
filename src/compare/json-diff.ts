import { formatPath, IGNORE_NOTHING, shapePath, type Ignore, type PathSegment } from './paths.js';

/**
 * Field-by-field difference of two JSON values, with JSON paths, a numeric tolerance and ignored
 * subtrees; and the "shape" of a value (its set of leaf paths and types), which tells a change of
 * structure from a change of values.
 */

/** How two numbers are compared: equal when |a − b| ≤ max(tol, relTol · max(|a|, |b|)). */
export interface Tolerance {
  readonly tol: number;
  readonly relTol: number;
}

export const EXACT: Tolerance = { tol: 0, relTol: 0 };

/** True when the numbers differ beyond the tolerance. */
export function numbersDiffer(a: number, b: number, t: Tolerance): boolean {
  if (a === b) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return true;
  return Math.abs(a - b) > Math.max(t.tol, t.relTol * Math.max(Math.abs(a), Math.abs(b)));
}

/** One difference. `removed`: only in A; `added`: only in B; `type`: different JSON types. */
export interface JsonDifference {
  readonly path: string;
  readonly kind: 'changed' | 'added' | 'removed' | 'type';
  readonly a?: unknown;
  readonly b?: unknown;
}

/** The JSON type name of a value: object, array, string, number, boolean, null. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Every difference between `a` and `b` below `prefix`. Object keys are visited in A's order, then
 * keys only B has; arrays index by index. Ignored paths and their subtrees are skipped.
 */
export function diffJson(a: unknown, b: unknown, opts: { readonly tolerance?: Tolerance; readonly ignore?: Ignore; readonly prefix?: readonly PathSegment[] } = {}): JsonDifference[] {
  const out: JsonDifference[] = [];
  const t = opts.tolerance ?? EXACT;
  const ignore = opts.ignore ?? IGNORE_NOTHING;
  const walk = (x: unknown, y: unknown, path: PathSegment[]): void => {
    if (ignore.ignores(path)) return;
    if (isObject(x) && isObject(y)) {
      for (const k of Object.keys(x)) {
        if (Object.hasOwn(y, k)) walk(x[k], y[k], [...path, k]);
        else if (!ignore.ignores([...path, k])) out.push({ path: formatPath([...path, k]), kind: 'removed', a: x[k] });
      }
      for (const k of Object.keys(y)) if (!Object.hasOwn(x, k) && !ignore.ignores([...path, k])) out.push({ path: formatPath([...path, k]), kind: 'added', b: y[k] });
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      const n = Math.max(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const p = [...path, i];
        if (i >= y.length) {
          if (!ignore.ignores(p)) out.push({ path: formatPath(p), kind: 'removed', a: x[i] });
        } else if (i >= x.length) {
          if (!ignore.ignores(p)) out.push({ path: formatPath(p), kind: 'added', b: y[i] });
        } else walk(x[i], y[i], p);
      }
      return;
    }
    const tx = jsonType(x);
    const ty = jsonType(y);
    if (tx !== ty) out.push({ path: formatPath(path), kind: 'type', a: x, b: y });
    else if (tx === 'number' ? numbersDiffer(x as number, y as number, t) : x !== y) out.push({ path: formatPath(path), kind: 'changed', a: x, b: y });
  };
  walk(a, b, [...(opts.prefix ?? [])]);
  return out;
}

/**
 * The shape of a value: the set of `leafPath:type` with list indices folded to `[]` (so a longer
 * list of the same items keeps its shape). Empty objects and lists count as leaves.
 */
export function shapeOf(v: unknown, ignore: Ignore = IGNORE_NOTHING): ReadonlySet<string> {
  const out = new Set<string>();
  const walk = (x: unknown, path: PathSegment[]): void => {
    if (ignore.ignores(path)) return;
    if (isObject(x) && Object.keys(x).length > 0) {
      for (const [k, y] of Object.entries(x)) walk(y, [...path, k]);
    } else if (Array.isArray(x) && x.length > 0) {
      x.forEach((y, i) => walk(y, [...path, i]));
    } else {
      out.add(`${shapePath(path)}:${jsonType(x)}`);
    }
  };
  walk(v, []);
  return out;
}

/** True when two shapes hold the same entries. */
export function sameShape(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const s of a) if (!b.has(s)) return false;
  return true;
}
