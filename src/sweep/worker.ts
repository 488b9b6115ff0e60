import { parentPort } from 'node:worker_threads';
import type { Result } from '../diagnostics.js';
import type { SweepJob } from './job.js';
import { executeJob } from './run-job.js';
import { loadRunner, type RunnerRef, type RunScenarioFn } from './runner.js';
import type { SweepRecord } from './record.js';

/**
 * Worker-thread entry of the local executor: receives one job at a time, runs it with the named
 * runner (imported once per thread) and posts back the record.
 */

/** Main thread → worker. */
export interface WorkerRequest {
  readonly job: SweepJob;
  readonly runner: RunnerRef;
}

/** Worker → main thread. */
export interface WorkerReply {
  readonly record: SweepRecord;
}

const runners = new Map<string, Promise<Result<RunScenarioFn>>>();

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  const key = `${req.runner.module}#${req.runner.exportName}`;
  let loading = runners.get(key);
  if (loading === undefined) {
    loading = loadRunner(req.runner);
    runners.set(key, loading);
  }
  const run = await loading;
  if (!run.ok) return { record: { jobId: req.job.id, values: req.job.values, seed: req.job.seed, status: 'failed', errors: run.errors, runTimeMs: 0 } };
  return { record: await executeJob(req.job, run.value) };
}

const port = parentPort;
if (port !== null) {
  port.on('message', (req: WorkerRequest) => {
    void handle(req).then((reply) => port.postMessage(reply));
  });
}
