import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, isMap, isSeq, parseDocument, type Document } from 'yaml';
import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import sweepSchema from '../../schemas/sweep.schema.json' with { type: 'json' };
import { checkScalar, checkSeeds, normaliseValues, parseSeeds, parseValueList, type SweepParameter, type SweepScalar } from './values.js';

/**
 * Sweep files: the YAML form of `degsim sweep`, validated against `schemas/sweep.schema.json`,
 * every problem reported with its line and column.
 */

/** A sweep file's contents, paths made absolute against the file's folder. */
export interface SweepFile {
  readonly file: string;
  readonly scenarioPath: string;
  readonly parameters: readonly SweepParameter[];
  readonly seeds?: readonly number[];
  readonly jobs?: number;
  readonly outDir?: string;
}

const validate = new Ajv({ allErrors: true, strict: false }).compile(sweepSchema);

const ONE_OF_MESSAGES: readonly [RegExp, string][] = [
  [/^\/vary\/[^/]+$/, 'expected a list of values, a range "lo..hi:step", a list "a,b,c", or a single value'],
  [/^\/seeds$/, 'expected a non-negative integer, a list of them, or text such as 1..10 or 1,4,9'],
];

function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Line and column of the deepest YAML node along a JSON pointer (of the last key itself with `onKey`). */
function position(doc: Document.Parsed, lines: LineCounter, pointer: string, onKey = false): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let at: [number, number, number] | undefined = (node as { range?: [number, number, number] } | null)?.range;
  const segs = segments(pointer);
  for (const [i, seg] of segs.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value) === seg);
      if (pair === undefined) break;
      node = pair.value;
      const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
      const r = onKey && i === segs.length - 1 ? keyRange : ((node as { range?: [number, number, number] } | null)?.range ?? keyRange);
      if (r !== undefined) at = r;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
      const r = (node as { range?: [number, number, number] } | null)?.range;
      if (r === undefined) break;
      at = r;
    } else {
      break;
    }
  }
  if (at === undefined) return undefined;
  const p = lines.linePos(at[0]);
  return { line: p.line, column: p.col };
}

function dotted(pointer: string): string {
  return segments(pointer).reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc === '' ? s : `${acc}.${s}`), '');
}

function schemaDiagnostics(errors: readonly ErrorObject[], doc: Document.Parsed, lines: LineCounter, file: string): Diagnostic[] {
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const under = oneOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
    if (under && e.keyword !== 'oneOf') continue;
    let pointer = e.instancePath;
    let message = e.message ?? 'is invalid';
    let onKey = false;
    if (e.keyword === 'oneOf') message = ONE_OF_MESSAGES.find(([re]) => re.test(pointer))?.[1] ?? message;
    else if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty?: unknown }).additionalProperty);
      pointer = `${pointer}/${extra}`;
      onKey = true;
      message = `unknown field "${extra}" (fields: scenario, vary, seeds, jobs, out)`;
    } else if (e.keyword === 'required') message = `missing field "${String((e.params as { missingProperty?: unknown }).missingProperty)}"`;
    else if (e.keyword === 'propertyNames') {
      const name = String((e.params as { propertyName?: unknown }).propertyName);
      pointer = `${pointer}/${name}`;
      onKey = true;
      message = `"${name}" is not a scenario path such as market.fee or participants[2].pvKWp`;
    } else if (e.keyword === 'pattern' && e.instancePath.startsWith('/vary')) continue;
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code: `sweep.schema.${e.keyword}`, path: dotted(pointer), message, file, ...position(doc, lines, pointer, onKey) });
  }
  return out;
}

/** Parses and checks sweep-file text; `file` names it in diagnostics and anchors relative paths. */
export function parseSweepFile(text: string, file: string): Result<SweepFile> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => {
        const p = lines.linePos(e.pos[0]);
        return { code: 'yaml.syntax', path: '', message: e.message.split('\n')[0] ?? e.message, file, line: p.line, column: p.col };
      }),
    );
  }
  const raw: unknown = doc.toJS();
  if (!validate(raw)) return fail(schemaDiagnostics(validate.errors ?? [], doc, lines, file));
  const data = raw as { scenario: string; vary: Record<string, unknown>; seeds?: number | string | number[]; jobs?: number; out?: string };
  const errors: Diagnostic[] = [];
  const at = (pointer: string): { line: number; column: number } | Record<string, never> => position(doc, lines, pointer) ?? {};
  const parameters: SweepParameter[] = [];
  for (const [path, spec] of Object.entries(data.vary)) {
    const where = `vary.${path}`;
    const pointer = `/vary/${path.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    let values: Result<readonly SweepScalar[]>;
    if (typeof spec === 'string') values = parseValueList(spec, where);
    else if (Array.isArray(spec)) {
      const checked = spec.map((v: unknown) => checkScalar(v, String(v), where));
      const bad = checked.flatMap((c) => (c.ok ? [] : c.errors));
      values = bad.length > 0 ? fail(bad) : normaliseValues(checked.map((c) => (c.ok ? c.value : null)), where);
    } else {
      const single = checkScalar(spec, String(spec), where);
      values = single.ok ? ok([single.value]) : fail(single.errors);
    }
    if (values.ok) parameters.push({ path, values: values.value });
    else errors.push(...values.errors.map((d) => ({ ...d, file, ...at(pointer) })));
  }
  let seeds: readonly number[] | undefined;
  if (data.seeds !== undefined) {
    const s = typeof data.seeds === 'string' ? parseSeeds(data.seeds) : checkSeeds(typeof data.seeds === 'number' ? [data.seeds] : data.seeds);
    if (s.ok) seeds = s.value;
    else errors.push(...s.errors.map((d) => ({ ...d, file, ...at('/seeds') })));
  }
  if (errors.length > 0) return fail(errors);
  const base = dirname(resolve(file));
  return ok({
    file,
    scenarioPath: resolve(base, data.scenario),
    parameters,
    ...(seeds === undefined ? {} : { seeds }),
    ...(data.jobs === undefined ? {} : { jobs: data.jobs }),
    ...(data.out === undefined ? {} : { outDir: resolve(base, data.out) }),
  });
}

/** Reads and checks a sweep file. */
export function loadSweepFile(file: string): Result<SweepFile> {
  if (!existsSync(file)) return fail([{ code: 'sweep.file.missing', path: '', message: 'no such file', file }]);
  return parseSweepFile(readFileSync(file, 'utf8'), file);
}

/**
 * True when the YAML file at `path` is a sweep file (a mapping with a `vary` field) rather than a
 * scenario, which is how `degsim sweep <file>` tells the two apart.
 */
export function isSweepFile(path: string): boolean {
  if (!existsSync(path)) return false;
  const doc = parseDocument(readFileSync(path, 'utf8'));
  return isMap(doc.contents) && doc.contents.has('vary');
}
