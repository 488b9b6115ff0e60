import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { SweepJob } from '../job.js';
import type { SweepRecord } from '../record.js';
import { needsTypeScriptLoader, type RunnerRef } from '../runner.js';
import type { WorkerReply, WorkerRequest } from '../worker.js';

/**
 * A pool of long-lived worker threads running sweep jobs one at a time each, on the same thread
 * entry and messages as the local executor (`src/sweep/worker.ts`). Unlike the local executor,
 * which is handed a fixed job list, the pool takes jobs as they come (from the queue), and a thread
 * that dies rejects its job instead of turning it into a record, so the queue can retry it.
 */

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const THREAD_URL = new URL(FROM_SOURCE ? '../worker.ts' : '../worker.js', import.meta.url);

/** The job's thread ended before replying (the runner exited the thread, ran out of memory, …). */
export class ThreadExitError extends Error {
  constructor(readonly exitCode: number, readonly detail: string | undefined) {
    super(`the worker thread died during the run (exit code ${exitCode}${detail === undefined ? '' : `: ${detail}`})`);
    this.name = 'ThreadExitError';
  }
}

/** The pool was closed while the job waited or ran. */
export class PoolClosedError extends Error {
  constructor() {
    super('the thread pool was closed');
    this.name = 'PoolClosedError';
  }
}

/** URL of tsx's ESM API module (the `import` condition of its `./esm/api` export). */
function tsxEsmApi(): string {
  const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } } | string> };
  const entry = pkg.exports?.['./esm/api'];
  const rel = typeof entry === 'object' ? entry.import?.default : undefined;
  return pathToFileURL(join(dirname(pkgPath), rel ?? 'dist/esm/api/index.mjs')).href;
}

/** Starts a thread; a TypeScript entry first registers tsx's hooks in the new thread (Node 20 ignores `--import` there). */
function startThread(typescript: boolean): Worker {
  const options: WorkerOptions = { execArgv: [], stdout: true, stderr: false };
  if (!typescript) return new Worker(THREAD_URL, options);
  const code = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(THREAD_URL.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

interface Task {
  readonly job: SweepJob;
  readonly resolve: (r: SweepRecord) => void;
  readonly reject: (e: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  task: Task | undefined;
  error: string | undefined;
}

/** Runs sweep jobs on a fixed number of threads. */
export interface ThreadPool {
  readonly size: number;
  /** Runs `job` on a free thread (waiting for one). Rejects with {@link ThreadExitError} or {@link PoolClosedError}. */
  run(job: SweepJob): Promise<SweepRecord>;
  /** Threads alive now (started lazily, replaced after a death). */
  readonly threads: number;
  /** Terminates every thread; waiting and running jobs reject with {@link PoolClosedError}. */
  close(): Promise<void>;
}

/** Creates a pool of `size` threads that import `runner` (threads start on first use). */
export function createThreadPool(size: number, runner: RunnerRef): ThreadPool {
  const n = Math.max(1, Math.floor(size));
  const typescript = FROM_SOURCE || needsTypeScriptLoader(runner.module);
  const threads = new Set<Thread>();
  const idle: Thread[] = [];
  const waiting: Task[] = [];
  let closed = false;

  const give = (t: Thread, task: Task): void => {
    t.task = task;
    const req: WorkerRequest = { job: task.job, runner };
    t.worker.postMessage(req);
  };
  const release = (t: Thread): void => {
    const next = waiting.shift();
    if (next === undefined) idle.push(t);
    else give(t, next);
  };
  const spawn = (): Thread => {
    const worker = startThread(typescript);
    worker.stdout.resume();
    const t: Thread = { worker, task: undefined, error: undefined };
    threads.add(t);
    worker.on('message', (reply: WorkerReply) => {
      const task = t.task;
      if (task === undefined || reply.record.jobId !== task.job.id) return;
      t.task = undefined;
      task.resolve(reply.record);
      if (!closed) release(t);
    });
    worker.on('error', (err) => {
      t.error = err.message;
    });
    worker.on('exit', (code) => {
      threads.delete(t);
      const i = idle.indexOf(t);
      if (i >= 0) idle.splice(i, 1);
      const task = t.task;
      t.task = undefined;
      if (task !== undefined) task.reject(closed ? new PoolClosedError() : new ThreadExitError(code, t.error));
      if (!closed && waiting.length > 0 && threads.size < n) {
        const next = waiting.shift();
        if (next !== undefined) give(spawn(), next);
      }
    });
    return t;
  };

  return {
    size: n,
    get threads() {
      return threads.size;
    },
    run(job: SweepJob): Promise<SweepRecord> {
      return new Promise<SweepRecord>((resolve, reject) => {
        if (closed) {
          reject(new PoolClosedError());
          return;
        }
        const task: Task = { job, resolve, reject };
        const free = idle.pop();
        if (free !== undefined) give(free, task);
        else if (threads.size < n) give(spawn(), task);
        else waiting.push(task);
      });
    },
    async close(): Promise<void> {
      closed = true;
      for (const task of waiting.splice(0)) task.reject(new PoolClosedError());
      idle.length = 0;
      await Promise.all([...threads].map((t) => t.worker.terminate()));
    },
  };
}
