import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { SweepJob } from './job.js';
import { computeRunMetrics } from './metrics.js';
import type { SweepRecord } from './record.js';
import type { RunScenarioFn } from './runner.js';

/**
 * Runs one job and turns its run folder into a record. This is the unit of work of every
 * executor: a worker thread here, a queue worker elsewhere. It never throws: a runner that throws
 * or returns errors, and a folder without readable metrics, become a failed record.
 */
export async function executeJob(job: SweepJob, run: RunScenarioFn): Promise<SweepRecord> {
  const base = { jobId: job.id, values: job.values, seed: job.seed };
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  try {
    rmSync(job.outDir, { recursive: true, force: true });
    const outcome = await run({ scenarioPath: job.scenarioPath, overrides: job.overrides, seed: job.seed, outDir: job.outDir, quiet: true });
    if (!outcome.ok) {
      const errors = outcome.errors.length > 0 ? outcome.errors : [{ code: 'sweep.run.failed', path: '', message: 'the run failed without diagnostics' }];
      return { ...base, status: 'failed', errors, runTimeMs: elapsed() };
    }
    const metrics = computeRunMetrics(outcome.outDir);
    const runTimeMs = elapsed();
    return metrics.ok ? { ...base, status: 'ok', metrics: metrics.value, runTimeMs } : { ...base, status: 'failed', errors: metrics.errors, runTimeMs };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ...base, status: 'failed', errors: [{ code: 'sweep.run.threw', path: '', message: `the runner threw: ${message}` }], runTimeMs: elapsed() };
  }
}
