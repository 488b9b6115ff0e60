import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { writeFileAtomic } from './atomic.js';
import { appendCheckpoint, readCheckpoint, repairCheckpointTail, resetCheckpoint } from './checkpoint.js';
import type { SweepExecutor } from './executor.js';
import { buildJobs, resolveScenarioDocument, scenarioDigest, type ScenarioResolver, type SweepJob } from './job.js';
import type { SweepRecord } from './record.js';
import { writeSweepTables, type SweepTableFiles, type SweepTableMeta } from './table.js';
import { checkSeeds, type SweepParameter } from './values.js';

/**
 * The sweep coordinator, the same for every executor: plans the job grid, skips what the
 * checkpoint says is done, hands the rest to an executor, checkpoints each record as it arrives
 * and writes the tables.
 */

/** A sweep as the user describes it (CLI flags or a sweep file). */
export interface SweepSpec {
  readonly scenarioPath: string;
  readonly parameters: readonly SweepParameter[];
  readonly seeds: readonly number[];
  /** Sweep folder: tables, checkpoint, and `runs/<job id>/` run folders. */
  readonly outDir: string;
}

/** A planned sweep: absolute paths, the scenario digest and every job in table order. */
export interface SweepPlan {
  readonly scenarioPath: string;
  readonly outDir: string;
  readonly digest: string;
  readonly parameters: readonly SweepParameter[];
  readonly seeds: readonly number[];
  readonly jobs: readonly SweepJob[];
}

/** Manifest written beside the tables. */
export const SWEEP_MANIFEST = 'sweep.json';

/** Largest grid one sweep may plan; beyond this a typo in a range is far more likely than intent. */
export const MAX_JOBS = 1_000_000;

/**
 * Plans a sweep: resolves the scenario (for the digest that goes into every job id) and builds the
 * cross product of parameter values × seeds. Paths are resolved against `cwd`.
 */
export function planSweep(spec: SweepSpec, opts: { readonly cwd?: string; readonly resolver?: ScenarioResolver } = {}): Result<SweepPlan> {
  const cwd = opts.cwd ?? process.cwd();
  const scenarioPath = resolve(cwd, spec.scenarioPath);
  const outDir = resolve(cwd, spec.outDir);
  const errors: Diagnostic[] = [];
  const seeds = checkSeeds(spec.seeds);
  if (!seeds.ok) errors.push(...seeds.errors);
  const paths = new Set<string>();
  for (const p of spec.parameters) {
    if (paths.has(p.path)) errors.push({ code: 'sweep.vary.repeated', path: `vary.${p.path}`, message: `${p.path} is varied twice` });
    paths.add(p.path);
  }
  const size = spec.parameters.reduce((n, p) => n * p.values.length, spec.seeds.length);
  if (size > MAX_JOBS) errors.push({ code: 'sweep.size', path: '', message: `the grid has ${size} runs; at most ${MAX_JOBS} are allowed in one sweep` });
  const resolved = (opts.resolver ?? resolveScenarioDocument)(scenarioPath);
  if (!resolved.ok) errors.push(...resolved.errors);
  if (errors.length > 0 || !resolved.ok || !seeds.ok) return fail(errors);
  const digest = scenarioDigest(resolved.value);
  const jobs = buildJobs({ scenarioPath, digest, parameters: spec.parameters, seeds: seeds.value, runsDir: join(outDir, 'runs') });
  return ok({ scenarioPath, outDir, digest, parameters: spec.parameters, seeds: seeds.value, jobs });
}

/** The table header facts of a plan. */
export function tableMeta(plan: SweepPlan): SweepTableMeta {
  return { scenario: basename(plan.scenarioPath), parameters: plan.parameters, seeds: plan.seeds, totalJobs: plan.jobs.length };
}

/** Progress of a running sweep. Counts cover only jobs run now, not those skipped by `--resume`. */
export interface SweepProgress {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  readonly elapsedMs: number;
}

export interface RunSweepOptions {
  readonly executor: SweepExecutor;
  /** Skip jobs the checkpoint records as succeeded (failed ones run again). */
  readonly resume?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: SweepProgress) => void;
  /** Called with each record as it arrives (after it is checkpointed). */
  readonly onRecord?: (r: SweepRecord) => void;
}

/** What a sweep did. */
export interface SweepOutcome {
  readonly outDir: string;
  readonly files: SweepTableFiles;
  readonly total: number;
  /** Jobs skipped because the checkpoint had them. */
  readonly skipped: number;
  readonly succeeded: number;
  readonly failed: number;
  /** True when the signal stopped the sweep; the tables then hold what finished. */
  readonly interrupted: boolean;
  /** Every record in the tables, in table order. */
  readonly records: readonly SweepRecord[];
  /** Unreadable checkpoint lines and the like. */
  readonly warnings: readonly Diagnostic[];
}

/**
 * Runs a planned sweep with `executor` and writes sweep.csv, sweep.md and sweep-timings.csv. Each
 * record is appended to the checkpoint as it arrives, so an interrupted sweep resumes where it
 * stopped. The tables depend only on the records, never on arrival order or timing.
 */
export async function runSweep(plan: SweepPlan, options: RunSweepOptions): Promise<SweepOutcome> {
  mkdirSync(plan.outDir, { recursive: true });
  const inPlan = new Set(plan.jobs.map((j) => j.id));
  const records = new Map<string, SweepRecord>();
  const warnings: Diagnostic[] = [];
  if (options.resume === true) {
    repairCheckpointTail(plan.outDir);
    const cp = readCheckpoint(plan.outDir);
    warnings.push(...cp.warnings);
    for (const [id, r] of cp.records) if (inPlan.has(id)) records.set(id, r);
  } else {
    resetCheckpoint(plan.outDir);
  }
  const todo = plan.jobs.filter((j) => records.get(j.id)?.status !== 'ok');
  const skipped = plan.jobs.length - todo.length;
  writeFileAtomic(
    join(plan.outDir, SWEEP_MANIFEST),
    `${JSON.stringify(
      {
        scenario: basename(plan.scenarioPath),
        scenarioDigest: plan.digest,
        parameters: plan.parameters.map((p) => ({ path: p.path, values: p.values })),
        seeds: plan.seeds,
        jobs: plan.jobs.length,
      },
      null,
      2,
    )}\n`,
  );

  const started = performance.now();
  let done = 0;
  let failed = 0;
  let running = 0;
  const progress = (): void => options.onProgress?.({ total: todo.length, done, failed, running, elapsedMs: performance.now() - started });
  progress();
  const summary = await options.executor.execute(todo, {
    onStart: () => {
      running++;
      progress();
    },
    onRecord: (r) => {
      if (!inPlan.has(r.jobId)) return;
      appendCheckpoint(plan.outDir, r);
      records.set(r.jobId, r);
      running = Math.max(0, running - 1);
      done++;
      if (r.status === 'failed') failed++;
      options.onRecord?.(r);
      progress();
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });

  const all = [...records.values()];
  const files = writeSweepTables(plan.outDir, tableMeta(plan), all);
  const byId = new Map(all.map((r) => [r.jobId, r]));
  const ordered = plan.jobs.map((j) => byId.get(j.id)).filter((r): r is SweepRecord => r !== undefined);
  return {
    outDir: plan.outDir,
    files,
    total: plan.jobs.length,
    skipped,
    succeeded: ordered.filter((r) => r.status === 'ok').length,
    failed: ordered.filter((r) => r.status === 'failed').length,
    interrupted: summary.aborted && ordered.length < plan.jobs.length,
    records: ordered,
    warnings,
  };
}
