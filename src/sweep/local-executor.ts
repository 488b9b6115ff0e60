import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { ExecutionSummary, ExecutorHooks, SweepExecutor } from './executor.js';
import type { SweepJob } from './job.js';
import { failedRecord } from './record.js';
import { DEFAULT_RUNNER, needsTypeScriptLoader, type RunnerRef } from './runner.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

/** The local executor: jobs run in a pool of worker threads on this machine. */

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './worker.ts' : './worker.js', import.meta.url);

/** Default number of worker threads: the machine's cores minus one for the coordinator, at least 1. */
export function defaultJobCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface LocalExecutorOptions {
  /** Worker threads (default {@link defaultJobCount}). */
  readonly jobs?: number;
  /** The runner each worker imports (default {@link DEFAULT_RUNNER}). */
  readonly runner?: RunnerRef;
}

/** URL of tsx's ESM API module (the `import` condition of its `./esm/api` export). */
function tsxEsmApi(): string {
  const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } } | string> };
  const entry = pkg.exports?.['./esm/api'];
  const rel = typeof entry === 'object' ? entry.import?.default : undefined;
  return pathToFileURL(join(dirname(pkgPath), rel ?? 'dist/esm/api/index.mjs')).href;
}

/**
 * Starts a worker on `url`. A TypeScript entry (running from source, in tests) is loaded through a
 * small bootstrap that first registers tsx's ESM hooks in the new thread, since Node 20 does not
 * apply `--import` from a worker's execArgv before resolving its entry.
 */
function startWorker(url: URL, typescript: boolean): Worker {
  const options: WorkerOptions = { execArgv: [], stdout: true, stderr: false };
  if (!typescript) return new Worker(url, options);
  const code = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

interface Slot {
  readonly worker: Worker;
  job: SweepJob | undefined;
  error: string | undefined;
}

/**
 * Creates the local executor. Each worker runs one job at a time; a worker that dies mid-job
 * reports that job as failed (`sweep.worker.exit`) and is replaced, so the other jobs go on.
 */
export function createLocalExecutor(options: LocalExecutorOptions = {}): SweepExecutor {
  const threads = Math.max(1, Math.floor(options.jobs ?? defaultJobCount()));
  const runner = options.runner ?? DEFAULT_RUNNER;
  const typescript = FROM_SOURCE || needsTypeScriptLoader(runner.module);

  return {
    name: 'local',
    execute(jobs: readonly SweepJob[], hooks: ExecutorHooks): Promise<ExecutionSummary> {
      return new Promise((resolve) => {
        let next = 0;
        let completed = 0;
        let aborted = hooks.signal?.aborted ?? false;
        const slots = new Set<Slot>();
        let resolved = false;
        const done = (): void => {
          if (!resolved && slots.size === 0) {
            resolved = true;
            hooks.signal?.removeEventListener('abort', onAbort);
            resolve({ completed, aborted });
          }
        };
        const dispatch = (slot: Slot): void => {
          const job = aborted ? undefined : jobs[next];
          if (job === undefined) {
            slot.job = undefined;
            void slot.worker.terminate();
            return;
          }
          next++;
          slot.job = job;
          hooks.onStart?.(job);
          const req: WorkerRequest = { job, runner };
          slot.worker.postMessage(req);
        };
        const spawn = (): void => {
          const worker = startWorker(WORKER_URL, typescript);
          worker.stdout.resume();
          const slot: Slot = { worker, job: undefined, error: undefined };
          slots.add(slot);
          worker.on('message', (reply: WorkerReply) => {
            if (slot.job === undefined || reply.record.jobId !== slot.job.id || aborted) return;
            slot.job = undefined;
            completed++;
            hooks.onRecord(reply.record);
            dispatch(slot);
          });
          worker.on('error', (err) => {
            slot.error = err.message;
          });
          worker.on('exit', (code) => {
            slots.delete(slot);
            const lost = slot.job;
            if (lost !== undefined && !aborted) {
              completed++;
              hooks.onRecord(failedRecord(lost, 'sweep.worker.exit', `the worker thread died during the run (exit code ${code}${slot.error === undefined ? '' : `: ${slot.error}`})`));
              if (next < jobs.length) spawn();
            }
            done();
          });
          dispatch(slot);
        };
        const onAbort = (): void => {
          aborted = true;
          for (const slot of slots) void slot.worker.terminate();
        };
        hooks.signal?.addEventListener('abort', onAbort);
        const count = aborted ? 0 : Math.min(threads, jobs.length);
        for (let i = 0; i < count; i++) spawn();
        done();
      });
    },
  };
}
