import { parse as parseYaml } from 'yaml';
import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';

/**
 * Parameter values of a sweep: the `--vary` and `--seeds` syntaxes, exact decimal ranges, and the
 * canonical text and ordering of values that make job ids and tables independent of how a value
 * was spelled.
 */

/** One value a parameter takes: a YAML scalar. */
export type SweepScalar = number | string | boolean | null;

/** A varied scenario path and the values it takes, in canonical (sorted) order. */
export interface SweepParameter {
  /** Dotted scenario path with `[index]` parts, as `--set` takes it: `participants[2].pvKWp`. */
  readonly path: string;
  readonly values: readonly SweepScalar[];
}

/** Most values one range may expand to; a larger range is almost always a typo in the step. */
export const MAX_RANGE_VALUES = 10_000;

const PATH_RE = /^[A-Za-z_][\w-]*(\[\d+\])*(\.[A-Za-z_][\w-]*(\[\d+\])*)*$/;
const DECIMAL_RE = /^[+-]?(\d+)(\.\d+)?$/;
const RANGE_RE = /^\s*([+-]?\d+(?:\.\d+)?)\s*\.\.\s*([+-]?\d+(?:\.\d+)?)\s*(?::\s*(\S+)\s*)?$/;

/** True when `path` is a well-formed dotted scenario path (`a.b[2].c`). */
export function isScenarioPath(path: string): boolean {
  return PATH_RE.test(path);
}

/**
 * The canonical display text of a value: the shortest round-trip decimal for numbers, the string
 * itself, `true`/`false`, `null`. Two spellings of one number (`0.10`, `0.1`) share one text.
 */
export function valueText(value: SweepScalar): string {
  if (value === null) return 'null';
  return String(value);
}

/**
 * The value as a YAML scalar for a `--set path=value` override: strings that YAML would read as
 * something else (a number, `true`, `null`) or that hold a comma are double-quoted.
 */
export function overrideText(value: SweepScalar): string {
  if (typeof value !== 'string') return valueText(value);
  let reread: unknown;
  try {
    reread = parseYaml(value);
  } catch {
    reread = undefined;
  }
  return reread === value && !value.includes(',') && value.trim() === value && value !== '' ? value : JSON.stringify(value);
}

/** `path=value` in `--set` syntax. */
export function overrideFor(path: string, value: SweepScalar): string {
  return `${path}=${overrideText(value)}`;
}

function typeRank(v: SweepScalar): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  return 3;
}

/**
 * Total order on values: numbers (numerically) before strings (by UTF-16 code units, independent
 * of locale) before booleans (false first) before null.
 */
export function compareScalars(a: SweepScalar, b: SweepScalar): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

/** A decimal as an integer count of 10^-scale units, so stepping is exact. */
interface ScaledDecimal {
  readonly units: bigint;
  readonly scale: number;
}

function parseDecimal(text: string): ScaledDecimal | undefined {
  const m = DECIMAL_RE.exec(text.trim());
  if (m === null) return undefined;
  const frac = m[2] === undefined ? '' : m[2].slice(1);
  const sign = text.trim().startsWith('-') ? -1n : 1n;
  return { units: sign * BigInt(`${m[1] ?? '0'}${frac}`), scale: frac.length };
}

function rescale(d: ScaledDecimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, digits.length - scale);
  const fracPart = digits.slice(digits.length - scale).replace(/0+$/, '');
  const body = fracPart === '' ? intPart : `${intPart}.${fracPart}`;
  return negative && body !== '0' ? `-${body}` : body;
}

/**
 * Expands `lo..hi:step` (step defaults to 1) into the exact decimals lo, lo+step, … ≤ hi, computed
 * in integer units of the finest decimal place given, so `0..0.3:0.1` yields 0, 0.1, 0.2, 0.3.
 * `where` names the source in diagnostics.
 */
export function expandRange(text: string, where: string): Result<readonly number[]> {
  const m = RANGE_RE.exec(text);
  if (m === null) {
    return fail([{ code: 'sweep.range.syntax', path: where, message: `"${text}" is not a range; expected lo..hi or lo..hi:step with plain decimals, e.g. 1..3:0.5` }]);
  }
  const lo = parseDecimal(m[1] ?? '');
  const hi = parseDecimal(m[2] ?? '');
  const step = parseDecimal(m[3] ?? '1');
  if (lo === undefined || hi === undefined || step === undefined) {
    return fail([{ code: 'sweep.range.syntax', path: where, message: `"${text}": bounds and step must be plain decimals such as 0.05 (no exponents)` }]);
  }
  const scale = Math.max(lo.scale, hi.scale, step.scale);
  const a = rescale(lo, scale);
  const b = rescale(hi, scale);
  const s = rescale(step, scale);
  if (s <= 0n) return fail([{ code: 'sweep.range.step', path: where, message: `"${text}": the step must be positive` }]);
  if (a > b) return fail([{ code: 'sweep.range.order', path: where, message: `"${text}": the low bound is above the high bound` }]);
  const count = (b - a) / s + 1n;
  if (count > BigInt(MAX_RANGE_VALUES)) {
    return fail([{ code: 'sweep.range.size', path: where, message: `"${text}" expands to ${count} values; at most ${MAX_RANGE_VALUES} are allowed` }]);
  }
  const out: number[] = [];
  for (let u = a; u <= b; u += s) out.push(Number(formatScaled(u, scale)));
  return ok(out);
}

/** Splits on commas outside single or double quotes. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const ch of text) {
    if (quote !== undefined) {
      cur += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ',') {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts;
}

/** Reads one YAML scalar (`0.05`, `true`, `'abc'`); maps, lists and non-finite numbers are rejected. */
export function parseScalar(text: string, where: string): Result<SweepScalar> {
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch (e) {
    return fail([{ code: 'sweep.value.syntax', path: where, message: `"${text}" is not a YAML scalar: ${(e as Error).message.split('\n')[0] ?? ''}` }]);
  }
  return checkScalar(v, text, where);
}

/** Checks that an already-parsed value (from a sweep file) is a usable scalar. */
export function checkScalar(v: unknown, shown: string, where: string): Result<SweepScalar> {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return fail([{ code: 'sweep.value.number', path: where, message: `"${shown}" is not a finite number` }]);
    return ok(Object.is(v, -0) ? 0 : v);
  }
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return ok(v);
  return fail([{ code: 'sweep.value.type', path: where, message: `"${shown}" must be a single scalar (number, string, boolean or null), not a list or map` }]);
}

/** Sorts values canonically and reports duplicates (`0.1` and `0.10` are the same value). */
export function normaliseValues(values: readonly SweepScalar[], where: string): Result<readonly SweepScalar[]> {
  if (values.length === 0) return fail([{ code: 'sweep.vary.empty', path: where, message: 'a varied parameter needs at least one value' }]);
  const sorted = [...values].sort(compareScalars);
  const errors: Diagnostic[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] ?? null;
    const cur = sorted[i] ?? null;
    if (compareScalars(prev, cur) === 0 && typeof prev === typeof cur) {
      errors.push({ code: 'sweep.vary.duplicate', path: where, message: `value ${valueText(cur)} is listed twice` });
    }
  }
  return errors.length > 0 ? fail(errors) : ok(sorted);
}

/**
 * Parses the right-hand side of a `--vary` (or a sweep file's string form): `a,b,c` (YAML scalars)
 * or `lo..hi[:step]` (exact decimal range).
 */
export function parseValueList(text: string, where: string): Result<readonly SweepScalar[]> {
  if (text.includes('..') && !text.includes(',') && /^\s*[+-]?\d/.test(text)) {
    const r = expandRange(text, where);
    return r.ok ? normaliseValues(r.value, where) : r;
  }
  const errors: Diagnostic[] = [];
  const values: SweepScalar[] = [];
  for (const item of splitList(text)) {
    if (item.trim() === '') {
      errors.push({ code: 'sweep.value.empty', path: where, message: `empty value in "${text}"; to vary over the empty string write ''` });
      continue;
    }
    const r = parseScalar(item.trim(), where);
    if (r.ok) values.push(r.value);
    else errors.push(...r.errors);
  }
  if (errors.length > 0) return fail(errors);
  return normaliseValues(values, where);
}

/** Parses one `--vary path=values` flag. */
export function parseVary(flag: string): Result<SweepParameter> {
  const eq = flag.indexOf('=');
  if (eq < 0) {
    return fail([{ code: 'sweep.vary.syntax', path: '--vary', message: `"${flag}" must be path=a,b,c or path=lo..hi:step` }]);
  }
  const path = flag.slice(0, eq).trim();
  if (!isScenarioPath(path)) {
    return fail([{ code: 'sweep.vary.path', path: '--vary', message: `"${path}" is not a scenario path such as market.fee or participants[2].pvKWp` }]);
  }
  const values = parseValueList(flag.slice(eq + 1), `vary.${path}`);
  return values.ok ? ok({ path, values: values.value }) : values;
}

/** Parses several `--vary` flags, reporting every problem and any path varied twice. */
export function parseVaryFlags(flags: readonly string[]): Result<readonly SweepParameter[]> {
  const errors: Diagnostic[] = [];
  const params: SweepParameter[] = [];
  for (const flag of flags) {
    const r = parseVary(flag);
    if (!r.ok) {
      errors.push(...r.errors);
    } else if (params.some((p) => p.path === r.value.path)) {
      errors.push({ code: 'sweep.vary.repeated', path: `vary.${r.value.path}`, message: `${r.value.path} is varied twice; give all its values in one --vary` });
    } else {
      params.push(r.value);
    }
  }
  return errors.length > 0 ? fail(errors) : ok(params);
}

/**
 * Parses seeds: `1..10`, `1..20:2`, `1,4,9` or a mix (`1..5,9`). Seeds are integers in
 * [0, 2^53); the result is sorted and free of duplicates.
 */
export function parseSeeds(text: string, where = 'seeds'): Result<readonly number[]> {
  const errors: Diagnostic[] = [];
  const seeds: number[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') {
      errors.push({ code: 'sweep.seeds.syntax', path: where, message: `empty seed in "${text}"` });
    } else if (item.includes('..')) {
      const r = expandRange(item, where);
      if (r.ok) seeds.push(...r.value);
      else errors.push(...r.errors);
    } else if (/^\d+$/.test(item)) {
      seeds.push(Number(item));
    } else {
      errors.push({ code: 'sweep.seeds.syntax', path: where, message: `"${item}" is not a seed; seeds are non-negative integers, e.g. 1..10 or 1,4,9` });
    }
  }
  return errors.length > 0 ? fail(errors) : checkSeeds(seeds, where);
}

/** Checks seeds from a sweep file or a parsed list: integers, non-negative, safe, distinct. */
export function checkSeeds(seeds: readonly number[], where = 'seeds'): Result<readonly number[]> {
  const errors: Diagnostic[] = [];
  for (const s of seeds) {
    if (!Number.isSafeInteger(s) || s < 0) errors.push({ code: 'sweep.seeds.value', path: where, message: `seed ${s} must be a non-negative integer below 2^53` });
  }
  const sorted = [...seeds].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) errors.push({ code: 'sweep.seeds.duplicate', path: where, message: `seed ${sorted[i]} is listed twice` });
  }
  if (seeds.length === 0) errors.push({ code: 'sweep.seeds.empty', path: where, message: 'at least one seed is needed' });
  return errors.length > 0 ? fail(errors) : ok(sorted);
}
