import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { fail, ok, type Diagnostic, type Result } from '../../diagnostics.js';
import { resolveScenarioDocument, scenarioDigest, type ParameterValue, type SweepJob } from '../job.js';
import type { SweepRecord } from '../record.js';
import { DEFAULT_RUNNER, type RunnerRef } from '../runner.js';
import { bundleHash, parseBundle, unpackBundle } from './bundle.js';
import { DEFAULT_QUEUE_NAME, KEY_PREFIX, openRedis, type QueueTarget } from './connection.js';
import { bundleKey, crashReason, KEEP_FINISHED_S, MAX_STALLED, parseJobData, type QueueJobData } from './protocol.js';
import { createThreadPool, PoolClosedError, ThreadExitError } from './thread-pool.js';

/**
 * The queue worker behind `degsim worker`: takes runs from the sweep queue, runs each in a worker
 * thread with the named runner (the scenario comes with the job, as a bundle in Redis), and
 * returns the run's record as the job's result. A run that fails is a completed job with a failed
 * record, never retried; a dying thread is a failed attempt BullMQ retries; a dying worker process
 * leaves a stalled job that another worker picks up once its lock expires.
 */

export interface QueueWorkerOptions {
  readonly target: QueueTarget;
  readonly queueName?: string;
  /** Runs at a time, each in its own worker thread (default 1). */
  readonly concurrency?: number;
  /** The run function (default {@link DEFAULT_RUNNER}: this installation's `runScenario`). */
  readonly runner?: RunnerRef;
  /** Keep each run folder as `storeDir/<job id>`; without it run folders are deleted once read. */
  readonly storeDir?: string;
  /** Where scenario bundles and scratch run folders go (default: a temporary folder removed on close). */
  readonly workDir?: string;
  /**
   * How long a job stays locked without renewal (ms, default 30 000). A killed worker's job is
   * retried after at most about 1.5 × this; runs may last far longer, since locks are renewed.
   */
  readonly lockDurationMs?: number;
  readonly onEvent?: (e: QueueWorkerEvent) => void;
}

/** What a worker reports as it goes (for logs). */
export type QueueWorkerEvent =
  | { readonly kind: 'ready'; readonly queueName: string; readonly concurrency: number; readonly name: string }
  | { readonly kind: 'start'; readonly jobId: string; readonly values: readonly ParameterValue[]; readonly seed: number; readonly attempt: number }
  | { readonly kind: 'finish'; readonly record: SweepRecord }
  | { readonly kind: 'crash'; readonly jobId: string; readonly values: readonly ParameterValue[]; readonly seed: number; readonly message: string; readonly willRetry: boolean }
  | { readonly kind: 'reject'; readonly jobId: string; readonly errors: readonly Diagnostic[] }
  | { readonly kind: 'error'; readonly message: string };

/** A running queue worker. */
export interface QueueWorker {
  readonly name: string;
  /** Runs finished by this worker (records returned, ok or failed). */
  readonly finished: number;
  /** Settles once the worker has stopped. */
  readonly closed: Promise<void>;
  /**
   * Stops taking jobs. Graceful (default): waits for running runs to finish and return their
   * records. Forced (also after a graceful close began): ends the threads at once; their runs
   * count as a crashed attempt and are retried by other workers.
   */
  close(force?: boolean): Promise<void>;
}

const DEFAULT_LOCK_MS = 30_000;

/** Unpacked scenarios by bundle hash: the scenario file's path on this machine, or why not. */
class BundleCache {
  private readonly entries = new Map<string, Promise<Result<string>>>();

  constructor(private readonly client: Redis, private readonly queueName: string, private readonly dir: string) {}

  get(hash: string): Promise<Result<string>> {
    let e = this.entries.get(hash);
    if (e === undefined) {
      e = this.load(hash);
      this.entries.set(hash, e);
      // a missing bundle may be stored later by a re-submitted sweep: do not remember the failure
      void e.then((r) => {
        if (!r.ok) this.entries.delete(hash);
      });
    }
    return e;
  }

  private async load(hash: string): Promise<Result<string>> {
    const text = await this.client.get(bundleKey(this.queueName, hash));
    if (text === null) return fail([{ code: 'queue.bundle.missing', path: '', message: `scenario bundle ${hash} is not in Redis (expired or removed); re-submit the sweep` }]);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return fail([{ code: 'queue.bundle.json', path: '', message: `scenario bundle ${hash} is not JSON` }]);
    }
    const bundle = parseBundle(raw);
    if (!bundle.ok) return bundle;
    if (bundleHash(bundle.value) !== hash) return fail([{ code: 'queue.bundle.hash', path: '', message: `scenario bundle ${hash} does not match its hash` }]);
    return ok(unpackBundle(bundle.value, join(this.dir, 'scenarios', hash)));
  }
}

function reasonOf(errors: readonly Diagnostic[]): string {
  const first = errors[0];
  const text = errors.map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`)).join('; ');
  return crashReason(first?.code ?? 'queue.job.invalid', text);
}

/**
 * Connects to the queue and starts taking jobs. Fails (with diagnostics) only when Redis cannot
 * be reached; bad jobs are rejected one by one without stopping the worker.
 */
export async function startQueueWorker(opts: QueueWorkerOptions): Promise<Result<QueueWorker>> {
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  const runner = opts.runner ?? DEFAULT_RUNNER;
  const lockDuration = Math.max(1_000, Math.floor(opts.lockDurationMs ?? DEFAULT_LOCK_MS));
  const emit = (e: QueueWorkerEvent): void => opts.onEvent?.(e);
  const opened = await openRedis(opts.target);
  if (!opened.ok) return fail(opened.errors);
  const client = opened.value;
  const ownWorkDir = opts.workDir === undefined;
  const workDir = opts.workDir === undefined ? mkdtempSync(join(tmpdir(), 'degsim-worker-')) : resolve(opts.workDir);
  const storeDir = opts.storeDir === undefined ? undefined : resolve(opts.storeDir);
  const bundles = new BundleCache(client, queueName, workDir);
  const pool = createThreadPool(concurrency, runner);
  const name = `${hostname()}:${process.pid}`;
  let finished = 0;

  const processor = async (job: Job<unknown, unknown>): Promise<SweepRecord> => {
    const id = job.id ?? '';
    const data = parseJobData(job.data, id);
    if (!data.ok) {
      emit({ kind: 'reject', jobId: id, errors: data.errors });
      throw new UnrecoverableError(reasonOf(data.errors));
    }
    const d: QueueJobData = data.value;
    const entry = await bundles.get(d.bundle);
    if (!entry.ok) {
      emit({ kind: 'reject', jobId: id, errors: entry.errors });
      throw new UnrecoverableError(reasonOf(entry.errors));
    }
    const resolved = resolveScenarioDocument(entry.value);
    if (!resolved.ok || scenarioDigest(resolved.value) !== d.scenarioDigest) {
      const errors: Diagnostic[] = resolved.ok ? [{ code: 'queue.bundle.digest', path: '', message: 'the bundled scenario is not the one the job id was computed from' }] : [...resolved.errors];
      emit({ kind: 'reject', jobId: id, errors });
      throw new UnrecoverableError(reasonOf(errors));
    }
    const outDir = storeDir === undefined ? join(workDir, 'runs', id) : join(storeDir, id);
    const sweepJob: SweepJob = { id, scenarioPath: entry.value, values: d.values, seed: d.seed, overrides: d.overrides, outDir };
    emit({ kind: 'start', jobId: id, values: d.values, seed: d.seed, attempt: job.attemptsStarted });
    try {
      const record = await pool.run(sweepJob);
      finished++;
      emit({ kind: 'finish', record });
      return record;
    } catch (e) {
      if (e instanceof ThreadExitError) {
        const attempts = job.opts.attempts ?? 1;
        emit({ kind: 'crash', jobId: id, values: d.values, seed: d.seed, message: e.message, willRetry: job.attemptsMade + 1 < attempts });
        throw new Error(crashReason('sweep.worker.exit', e.message), { cause: e });
      }
      if (e instanceof PoolClosedError) throw e;
      throw e instanceof Error ? e : new Error(String(e));
    } finally {
      if (storeDir === undefined) rmSync(outDir, { recursive: true, force: true });
    }
  };

  const worker = new Worker(queueName, processor, {
    connection: client,
    prefix: KEY_PREFIX,
    name,
    concurrency,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    maxStalledCount: MAX_STALLED,
    removeOnComplete: { age: KEEP_FINISHED_S },
    removeOnFail: { age: KEEP_FINISHED_S },
    autorun: false,
  });
  worker.on('error', (e: Error) => emit({ kind: 'error', message: e.message }));
  await worker.waitUntilReady();
  emit({ kind: 'ready', queueName, concurrency, name });
  void worker.run().catch((e: unknown) => emit({ kind: 'error', message: e instanceof Error ? e.message : String(e) }));

  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  return ok({
    name,
    closed,
    get finished() {
      return finished;
    },
    close(force = false): Promise<void> {
      // forcing ends the threads now: their runs fail this attempt and go back to the queue
      if (force) void pool.close();
      closing ??= (async () => {
        await worker.close(force);
        await pool.close();
        client.disconnect();
        if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
        markClosed();
      })();
      return closing;
    },
  });
}
