import type { SweepJob } from './job.js';
import type { SweepRecord } from './record.js';

/**
 * The executor interface: how a sweep's jobs get run. The coordinator (`runSweep`) owns the job
 * list, the checkpoint and the tables; an executor only runs jobs and reports each outcome once.
 * The local executor runs them in worker threads; a queue executor can implement the same
 * interface without changing either.
 */

/** Callbacks from an executor to the coordinator. */
export interface ExecutorHooks {
  /** A job started (for progress display). */
  readonly onStart?: (job: SweepJob) => void;
  /** A job finished, successfully or not. Called exactly once per job that finishes. */
  readonly onRecord: (record: SweepRecord) => void;
  /** Aborting stops handing out jobs and stops running ones; their records are not reported. */
  readonly signal?: AbortSignal;
}

/** What an executor reports when it returns. */
export interface ExecutionSummary {
  /** Jobs whose record was reported. */
  readonly completed: number;
  /** True when the signal aborted the execution before every job finished. */
  readonly aborted: boolean;
}

export interface SweepExecutor {
  /** Short name for messages: `local`, `queue`. */
  readonly name: string;
  /** Runs `jobs`, reporting every finished one through `hooks.onRecord`. Never rejects because a job failed. */
  execute(jobs: readonly SweepJob[], hooks: ExecutorHooks): Promise<ExecutionSummary>;
}
