import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import { schemaPath } from '../util/package-root.js';
import { parseYamlSource, positionOf, joinPath, splitPath, type YamlSource } from './yaml-source.js';
import { applyOverrides, parseOverrides } from './overrides.js';
import type { Scenario } from './types.js';
import { checkScenarioSemantics } from './semantics.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let validator: ValidateFunction | undefined;

function scenarioValidator(): ValidateFunction {
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(schemaPath('scenario.schema.json'), 'utf8')) as object);
  }
  return validator;
}

/** Options for loading a scenario. */
export interface LoadOptions {
  /** `path=value` overrides applied before validation. */
  readonly overrides?: readonly string[];
  /** Replaces the scenario's seed. */
  readonly seed?: number;
}

/**
 * Reads, overrides, validates and resolves a scenario file. Returns every problem at once, each
 * with the file, the line and column, the field path and what was expected.
 */
export function loadScenarioFile(file: string, opts: LoadOptions = {}): Result<Scenario> {
  if (!existsSync(file)) return fail([{ code: 'file.missing', path: '', message: `no such file`, file }]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail([{ code: 'file.unreadable', path: '', message: (e as Error).message, file }]);
  }
  return loadScenarioText(text, file, opts);
}

/** Like {@link loadScenarioFile}, from text already read. `file` names it in diagnostics and resolves relative paths. */
export function loadScenarioText(text: string, file: string, opts: LoadOptions = {}): Result<Scenario> {
  const src = parseYamlSource(text, file);
  if (src.errors.length > 0) return fail(src.errors);
  const raw: unknown = src.doc.toJS();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail([{ code: 'schema.type', path: '', message: 'a scenario must be a mapping of fields (name, start, participants, …)', file, line: 1, column: 1 }]);
  }
  const parsed = parseOverrides(opts.overrides ?? []);
  const applied = applyOverrides(raw, parsed.overrides);
  const errors: Diagnostic[] = [...parsed.errors, ...applied.errors];
  const doc = applied.doc as Record<string, unknown>;
  if (opts.seed !== undefined) doc['seed'] = opts.seed;
  const overridden = new Set(parsed.overrides.map((o) => o.pathText));

  const validate = scenarioValidator();
  if (!validate(doc)) errors.push(...schemaDiagnostics(validate.errors ?? [], src, overridden));
  if (errors.length > 0) return fail(sortDiagnostics(errors));

  const scenario = resolvePaths(doc as unknown as Scenario, file);
  const semantic = checkScenarioSemantics(scenario).map((d) => locate(d, src, overridden));
  if (semantic.length > 0) return fail(sortDiagnostics(semantic));
  return ok(scenario);
}

function resolvePaths(s: Scenario, file: string): Scenario {
  const base = dirname(resolve(file));
  const feeder = s.feeder.file === undefined ? s.feeder : { ...s.feeder, file: resolve(base, s.feeder.file) };
  const protocol = s.protocol.registry === undefined ? s.protocol : { ...s.protocol, registry: resolve(base, s.protocol.registry) };
  return { ...s, feeder, protocol };
}

/** Attaches line/column to a diagnostic from its path (or marks it as coming from `--set`). */
function locate(d: Diagnostic, src: YamlSource, overridden: ReadonlySet<string>): Diagnostic {
  if (overridden.has(d.path)) return { ...d, file: '--set' };
  const pos = positionOf(src, splitPath(d.path));
  return pos === undefined ? { ...d, file: src.file } : { ...d, file: src.file, line: pos.line, column: pos.column };
}

function schemaDiagnostics(errs: readonly ErrorObject[], src: YamlSource, overridden: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errs) {
    const parts = e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
    let message: string;
    let path = joinPath(parts);
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        message = `missing required field "${String(params['missingProperty'])}"`;
        break;
      case 'additionalProperties':
        path = joinPath([...parts, String(params['additionalProperty'])]);
        message = `unknown field "${String(params['additionalProperty'])}"${suggest(String(params['additionalProperty']), e.parentSchema)}`;
        break;
      case 'enum':
        message = `expected one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(valueAt(src, parts))}`;
        break;
      case 'type':
        message = `expected ${String(params['type'])}, got ${describe(valueAt(src, parts))}`;
        break;
      case 'format':
        message = `expected ${String(params['format'])} (e.g. 2026-06-21T00:00:00Z), got ${JSON.stringify(valueAt(src, parts))}`;
        break;
      default:
        message = `${e.message ?? 'invalid'}${e.keyword === 'minimum' || e.keyword === 'maximum' || e.keyword.startsWith('exclusive') ? `, got ${JSON.stringify(valueAt(src, parts))}` : ''}`;
    }
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(locate({ code: `schema.${e.keyword}`, path, message }, src, overridden));
  }
  return out;
}

function valueAt(src: YamlSource, parts: readonly (string | number)[]): unknown {
  let v: unknown = src.doc.toJS();
  for (const p of parts) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function suggest(name: string, parentSchema: unknown): string {
  const props = (parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (props === undefined) return '';
  const names = Object.keys(props);
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const d = editDistance(name.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best === undefined ? ` (known fields: ${names.join(', ')})` : ` (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min((dp[j] as number) + 1, (dp[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}

function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.line ?? 1e9) - (b.line ?? 1e9) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path));
}
