import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Diagnostic } from '../../diagnostics.js';
import type { ExecutionSummary, ExecutorHooks, SweepExecutor } from '../executor.js';
import { jobId, resolveScenarioDocument, scenarioDigest, type SweepJob } from '../job.js';
import { failedRecord, type SweepRecord } from '../record.js';
import { bundleHash, buildScenarioBundle } from './bundle.js';
import { DEFAULT_QUEUE_NAME, KEY_PREFIX, openRedis, type QueueTarget } from './connection.js';
import {
  BUNDLE_TTL_S,
  bundleKey,
  diagnosticFromReason,
  jobData,
  KEEP_FINISHED_S,
  recordFromReply,
  RETRY_DELAY_MS,
  RUN_ATTEMPTS,
  RUN_JOB_NAME,
  STALLED_CODE,
  type QueueJobData,
} from './protocol.js';

/**
 * The queue executor: the sweep's jobs go to a BullMQ queue on Redis, workers anywhere run them,
 * and records come back as job results. Job ids are the sweep's content-hash job ids, so a
 * re-submitted sweep finds the runs already done (and reuses their records) or still queued (and
 * waits for them) instead of duplicating them. Records are reported once per job whatever
 * happens to the workers, from queue events and, as a safety net, from re-reading job states.
 */

export interface QueueExecutorOptions {
  readonly target: QueueTarget;
  readonly queueName?: string;
  /**
   * On abort, remove this sweep's jobs that no worker has started. Default: leave them queued, so
   * workers go on and re-submitting the sweep collects their records.
   */
  readonly cleanOnAbort?: boolean;
  /**
   * The scenario digest the job ids were computed from. Default: the digest of the scenario file as
   * `planSweep` resolves it by default. Jobs whose id does not match are reported as failed.
   */
  readonly scenarioDigest?: string;
  /** How often the states of outstanding jobs are re-read in case an event was missed (ms, default 2 000). */
  readonly pollIntervalMs?: number;
  readonly onEvent?: (e: QueueSweepEvent) => void;
}

/** What the executor tells about the queue (for the CLI's messages). */
export type QueueSweepEvent =
  | {
      readonly kind: 'submitted';
      /** Jobs added to the queue. */
      readonly enqueued: number;
      /** Jobs whose successful record was already in the queue. */
      readonly reused: number;
      /** Finished jobs (failed runs, crashed jobs) removed and added again. */
      readonly requeued: number;
      /** Jobs already waiting or running (an earlier submission). */
      readonly pending: number;
    }
  | { readonly kind: 'cleaned'; readonly removed: number; readonly left: number };

/** Options every run job is added with. */
export const RUN_JOB_OPTIONS: Readonly<JobsOptions> = {
  attempts: RUN_ATTEMPTS,
  backoff: { type: 'fixed', delay: RETRY_DELAY_MS },
  removeOnComplete: { age: KEEP_FINISHED_S },
  removeOnFail: { age: KEEP_FINISHED_S },
};

const PENDING_STATES = new Set(['waiting', 'delayed', 'prioritized', 'paused', 'waiting-children']);
const ADD_CHUNK = 500;
const READ_CHUNK = 500;

/** The failed record of a job BullMQ gave up on (crashed or stalled too often, or rejected by a worker). */
export function recordFromFailure(job: SweepJob, reason: string): SweepRecord {
  const stalled = /stalled more than allowable limit/i.test(reason);
  const d: Diagnostic = stalled
    ? { code: STALLED_CODE, path: '', message: 'the run lost its worker too many times (killed or hung) and was given up' }
    : diagnosticFromReason(reason, 'sweep.queue.failed');
  return { ...failedRecord(job, d.code, d.message), errors: [d] };
}

async function inChunks<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Creates the queue executor. Each `execute` opens its own connections and closes them before it returns. */
export function createQueueExecutor(options: QueueExecutorOptions): SweepExecutor {
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const pollMs = Math.max(50, options.pollIntervalMs ?? 2_000);
  const emit = (e: QueueSweepEvent): void => options.onEvent?.(e);

  return {
    name: 'queue',
    async execute(jobs: readonly SweepJob[], hooks: ExecutorHooks): Promise<ExecutionSummary> {
      let completed = 0;
      if (hooks.signal?.aborted === true) return { completed, aborted: true };
      const outstanding = new Map<string, SweepJob>();
      const started = new Set<string>();
      const report = (job: SweepJob, record: SweepRecord): void => {
        if (!outstanding.delete(job.id)) return;
        completed++;
        hooks.onRecord(record);
      };
      for (const j of jobs) outstanding.set(j.id, j);
      const failAll = (code: string, message: string): ExecutionSummary => {
        for (const j of [...outstanding.values()]) report(j, failedRecord(j, code, message));
        return { completed, aborted: false };
      };
      if (jobs.length === 0) return { completed, aborted: false };

      // the scenario bundle (and digest) of each scenario file: normally one per sweep
      const data = new Map<string, QueueJobData>();
      const bundles = new Map<string, string>();
      const byScenario = new Map<string, SweepJob[]>();
      for (const j of jobs) byScenario.set(j.scenarioPath, [...(byScenario.get(j.scenarioPath) ?? []), j]);
      for (const [scenarioPath, group] of byScenario) {
        let digest = options.scenarioDigest;
        if (digest === undefined) {
          const resolved = resolveScenarioDocument(scenarioPath);
          if (resolved.ok) digest = scenarioDigest(resolved.value);
        }
        const bundle = buildScenarioBundle(scenarioPath, group.flatMap((j) => j.values));
        for (const j of group) {
          if (!bundle.ok) report(j, { jobId: j.id, values: j.values, seed: j.seed, status: 'failed', errors: bundle.errors, runTimeMs: 0 });
          else if (digest === undefined || jobId(digest, j.values, j.seed) !== j.id) report(j, failedRecord(j, 'sweep.queue.id', 'the job id is not the hash of the scenario, values and seed; was the scenario changed during the sweep?'));
          else data.set(j.id, jobData(j, digest, bundleHash(bundle.value)));
        }
        if (bundle.ok) bundles.set(bundleHash(bundle.value), JSON.stringify(bundle.value));
      }
      if (outstanding.size === 0) return { completed, aborted: false };

      const opened = await openRedis(options.target);
      if (!opened.ok) return failAll('queue.connect', opened.errors.map((e) => e.message).join('; '));
      const listener = await openRedis(options.target);
      if (!listener.ok) {
        opened.value.disconnect();
        return failAll('queue.connect', listener.errors.map((e) => e.message).join('; '));
      }
      const client: Redis = opened.value;
      const queue = new Queue(queueName, { connection: client, prefix: KEY_PREFIX });
      const eventsKey = `${KEY_PREFIX}:${queueName}:events`;
      const last = (await client.xrevrange(eventsKey, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
      const events = new QueueEvents(queueName, { connection: listener.value, prefix: KEY_PREFIX, lastEventId: last });

      let aborted = false;
      let settle: () => void = () => undefined;
      const settled = new Promise<void>((resolve) => {
        settle = resolve;
      });
      const checkDone = (): void => {
        if (outstanding.size === 0 || aborted) settle();
      };
      const onAbort = (): void => {
        aborted = true;
        settle();
      };
      hooks.signal?.addEventListener('abort', onAbort);

      const add = async (ids: readonly string[]): Promise<void> => {
        for (let i = 0; i < ids.length && !aborted; i += ADD_CHUNK) {
          const chunk = ids.slice(i, i + ADD_CHUNK).flatMap((id) => {
            const d = data.get(id);
            return d === undefined ? [] : [{ name: RUN_JOB_NAME, data: d, opts: { ...RUN_JOB_OPTIONS, jobId: id } }];
          });
          await queue.addBulk(chunk);
        }
      };
      /** Reads a job's state; a finished one is reported (or, in the first pass, queued again if it failed). */
      const inspect = async (job: SweepJob, firstPass: boolean, toAdd: string[], counts: { reused: number; requeued: number; pending: number }): Promise<void> => {
        const state = await queue.getJobState(job.id);
        if (state === 'unknown') {
          toAdd.push(job.id);
          return;
        }
        if (state === 'active') {
          if (!started.has(job.id)) {
            started.add(job.id);
            hooks.onStart?.(job);
          }
          counts.pending++;
          return;
        }
        if (PENDING_STATES.has(state)) {
          counts.pending++;
          return;
        }
        const found = await queue.getJob(job.id);
        if (found === undefined) {
          toAdd.push(job.id);
          return;
        }
        const record = state === 'completed' ? recordFromReply(job, found.returnvalue) : recordFromFailure(job, found.failedReason);
        if (firstPass && record.status !== 'ok') {
          // a re-submitted sweep runs failed runs again, as a local --resume does
          try {
            await found.remove();
          } catch {
            // removed or re-added by another submission in the meantime: take its outcome as it stands
            report(job, record);
            return;
          }
          toAdd.push(job.id);
          counts.requeued++;
          return;
        }
        if (firstPass) counts.reused++;
        report(job, record);
      };

      events.on('active', ({ jobId: id }) => {
        const job = outstanding.get(id);
        if (job === undefined || started.has(id)) return;
        started.add(id);
        hooks.onStart?.(job);
      });
      events.on('completed', ({ jobId: id, returnvalue }) => {
        const job = outstanding.get(id);
        if (job === undefined) return;
        let reply: unknown = returnvalue;
        if (typeof reply === 'string') {
          try {
            reply = JSON.parse(reply) as unknown;
          } catch {
            // left as text: recordFromReply reports it as unreadable
          }
        }
        report(job, recordFromReply(job, reply));
        checkDone();
      });
      events.on('failed', ({ jobId: id, failedReason }) => {
        const job = outstanding.get(id);
        if (job === undefined) return;
        report(job, recordFromFailure(job, failedReason));
        checkDone();
      });
      events.on('error', () => undefined);

      let timer: NodeJS.Timeout | undefined;
      let polling = false;
      let cursor = 0;
      const poll = async (): Promise<void> => {
        if (polling || aborted) return;
        polling = true;
        try {
          const ids = [...outstanding.keys()];
          if (cursor >= ids.length) cursor = 0;
          const slice = ids.slice(cursor, cursor + READ_CHUNK);
          cursor += READ_CHUNK;
          const missing: string[] = [];
          const counts = { reused: 0, requeued: 0, pending: 0 };
          await Promise.all(slice.map(async (id) => {
            const job = outstanding.get(id);
            if (job !== undefined) await inspect(job, false, missing, counts);
          }));
          if (missing.length > 0) await add(missing);
        } catch {
          // Redis unreachable for a moment: ioredis reconnects; the next poll tries again
        } finally {
          polling = false;
          checkDone();
        }
      };

      try {
        await events.waitUntilReady();
        const counts = { reused: 0, requeued: 0, pending: 0 };
        const toAdd: string[] = [];
        for (const [hash, text] of bundles) await client.set(bundleKey(queueName, hash), text, 'EX', BUNDLE_TTL_S);
        const todo = [...outstanding.values()];
        await inChunks(todo, READ_CHUNK, (job) => (aborted ? Promise.resolve() : inspect(job, true, toAdd, counts)));
        await add(toAdd);
        emit({ kind: 'submitted', enqueued: toAdd.length - counts.requeued, reused: counts.reused, requeued: counts.requeued, pending: counts.pending });
        checkDone();
        timer = setInterval(() => void poll(), pollMs);
        await settled;
        if (aborted && options.cleanOnAbort === true) {
          let removed = 0;
          await inChunks([...outstanding.keys()], READ_CHUNK, async (id) => {
            const found = await queue.getJob(id);
            if (found === undefined || !PENDING_STATES.has(await found.getState())) return;
            try {
              await found.remove();
              removed++;
            } catch {
              // taken by a worker in the meantime: it will finish and stay for a re-submission
            }
          });
          emit({ kind: 'cleaned', removed, left: outstanding.size - removed });
        }
      } finally {
        if (timer !== undefined) clearInterval(timer);
        hooks.signal?.removeEventListener('abort', onAbort);
        await events.close().catch(() => undefined);
        await queue.close().catch(() => undefined);
        client.disconnect();
        listener.value.disconnect();
      }
      return { completed, aborted: aborted && outstanding.size > 0 };
    },
  };
}
