import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { fail, ok, type Result } from '../diagnostics.js';
import { compareScalars, overrideFor, valueText, type SweepParameter, type SweepScalar } from './values.js';

/**
 * The job list of a sweep, shared by every executor: one job per (setting, seed), identified by a
 * hash of the resolved scenario, the parameter values and the seed, so the same run gets the same
 * id on any machine and a re-submitted or resumed sweep recognises work already done.
 */

/** One parameter's value in a job. */
export interface ParameterValue {
  readonly path: string;
  readonly value: SweepScalar;
}

/** One run of a sweep. Plain data: it crosses worker-thread and queue boundaries as it is. */
export interface SweepJob {
  /** 16 hex digits of SHA-256 over (scenario digest, values, seed); also the run folder's name. */
  readonly id: string;
  /** Absolute path of the scenario file the runner loads. */
  readonly scenarioPath: string;
  /** Values of the varied parameters, in the sweep's parameter order. */
  readonly values: readonly ParameterValue[];
  readonly seed: number;
  /** `path=value` overrides in `--set` syntax, one per parameter. */
  readonly overrides: readonly string[];
  /** Absolute run folder the runner writes into. */
  readonly outDir: string;
}

/** JSON with object keys sorted at every level: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 hex of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reads a scenario into the value its digest is taken over. Replaceable once scenarios resolve defaults and includes. */
export type ScenarioResolver = (scenarioPath: string) => Result<unknown>;

/**
 * The default resolver: the scenario file parsed as YAML (JSON is YAML). Comments, key order and
 * formatting do not change the digest; any change of a value does.
 */
export const resolveScenarioDocument: ScenarioResolver = (scenarioPath) => {
  if (!existsSync(scenarioPath)) return fail([{ code: 'sweep.scenario.missing', path: '', message: 'scenario file not found', file: scenarioPath }]);
  const doc = parseDocument(readFileSync(scenarioPath, 'utf8'));
  if (doc.errors.length > 0) {
    return fail(doc.errors.map((e) => ({ code: 'yaml.syntax', path: '', message: e.message.split('\n')[0] ?? e.message, file: scenarioPath })));
  }
  return ok(doc.toJS() as unknown);
};

/** Digest of a resolved scenario: SHA-256 of its canonical JSON. */
export function scenarioDigest(resolved: unknown): string {
  return sha256(canonicalJson(resolved));
}

/** The id of the job that runs the scenario with `digest` at these values and seed. */
export function jobId(digest: string, values: readonly ParameterValue[], seed: number): string {
  const key = canonicalJson({ scenario: digest, values: values.map((v) => [v.path, v.value]), seed });
  return sha256(key).slice(0, 16);
}

/** Compares two value lists parameter by parameter (same parameter order on both sides). */
export function compareValueLists(a: readonly ParameterValue[], b: readonly ParameterValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareScalars(a[i]?.value ?? null, b[i]?.value ?? null);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Every combination of parameter values (the first parameter varies slowest), in canonical order. */
export function settings(parameters: readonly SweepParameter[]): readonly (readonly ParameterValue[])[] {
  let out: ParameterValue[][] = [[]];
  for (const p of parameters) {
    const next: ParameterValue[][] = [];
    for (const prefix of out) for (const value of p.values) next.push([...prefix, { path: p.path, value }]);
    out = next;
  }
  return out;
}

/** Human text of a setting: `market.fee=0.05, utility.deviationPenalty=1.5` (or `(base scenario)`). */
export function settingText(values: readonly ParameterValue[]): string {
  return values.length === 0 ? '(base scenario)' : values.map((v) => `${v.path}=${valueText(v.value)}`).join(', ');
}

/**
 * Builds the job list: the cross product of parameter values × seeds, sorted by (values, seed).
 * Run folders are `runsDir/<job id>`.
 */
export function buildJobs(opts: {
  readonly scenarioPath: string;
  readonly digest: string;
  readonly parameters: readonly SweepParameter[];
  readonly seeds: readonly number[];
  readonly runsDir: string;
}): readonly SweepJob[] {
  const jobs: SweepJob[] = [];
  const seeds = [...opts.seeds].sort((a, b) => a - b);
  for (const values of settings(opts.parameters)) {
    for (const seed of seeds) {
      const id = jobId(opts.digest, values, seed);
      jobs.push({
        id,
        scenarioPath: opts.scenarioPath,
        values,
        seed,
        overrides: values.map((v) => overrideFor(v.path, v.value)),
        outDir: join(opts.runsDir, id),
      });
    }
  }
  return jobs.sort((a, b) => compareValueLists(a.values, b.values) || a.seed - b.seed);
}
