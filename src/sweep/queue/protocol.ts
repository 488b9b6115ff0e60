import { fail, ok, type Diagnostic, type Result } from '../../diagnostics.js';
import { jobId, type ParameterValue, type SweepJob } from '../job.js';
import { failedRecord, parseRecord, type SweepRecord } from '../record.js';
import { checkScalar, overrideFor } from '../values.js';
import { KEY_PREFIX } from './connection.js';

/**
 * What crosses the queue: the data of one job (a run), the record a worker returns, the Redis key
 * of a scenario bundle, and the retry and retention settings both sides agree on.
 */

/** Name of every job a sweep enqueues. */
export const RUN_JOB_NAME = 'run';

/** Version of {@link QueueJobData}; a worker rejects jobs of a format it does not know. */
export const JOB_FORMAT = 1;

/** The data of one queued run. Plain JSON. */
export interface QueueJobData {
  readonly format: typeof JOB_FORMAT;
  /** Digest of the resolved scenario that the job id was computed from. */
  readonly scenarioDigest: string;
  /** Hash of the scenario bundle in Redis ({@link bundleKey}). */
  readonly bundle: string;
  readonly values: readonly ParameterValue[];
  readonly seed: number;
  /** `path=value` overrides, one per parameter. */
  readonly overrides: readonly string[];
}

/** Attempts a run gets when its worker thread dies (a crash, not a failed run): the first and two retries. */
export const RUN_ATTEMPTS = 3;

/** Delay before a crashed run is retried (ms). */
export const RETRY_DELAY_MS = 1_000;

/** How long finished jobs (and their records) stay in Redis for re-submitted sweeps: 30 days (s). */
export const KEEP_FINISHED_S = 30 * 24 * 3600;

/** How long a scenario bundle stays in Redis after the last sweep that stored it: 30 days (s). */
export const BUNDLE_TTL_S = KEEP_FINISHED_S;

/** Times a job may lose its worker (lock expired) and still be retried; one more and it fails. */
export const MAX_STALLED = 2;

/** Code of the failure reported when a run kept killing its workers. */
export const STALLED_CODE = 'sweep.queue.stalled';

/** Redis key of a scenario bundle in queue `queueName`. */
export function bundleKey(queueName: string, hash: string): string {
  return `${KEY_PREFIX}:${queueName}:scenario:${hash}`;
}

/** The job data for a sweep job. */
export function jobData(job: SweepJob, scenarioDigest: string, bundle: string): QueueJobData {
  return { format: JOB_FORMAT, scenarioDigest, bundle, values: job.values, seed: job.seed, overrides: job.overrides };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks job data a worker received against its job id: the shape, the format, and that the id
 * is the hash of (scenario digest, values, seed), so a worker runs exactly the run the id names.
 * Overrides must be the ones the values imply.
 */
export function parseJobData(v: unknown, id: string): Result<QueueJobData> {
  const errors: Diagnostic[] = [];
  if (!isObj(v)) return fail([{ code: 'queue.job.shape', path: '', message: 'job data must be an object' }]);
  if (v['format'] !== JOB_FORMAT) errors.push({ code: 'queue.job.format', path: 'format', message: `unknown job format ${JSON.stringify(v['format'])}; this worker reads format ${JOB_FORMAT} (upgrade the worker or the sweep)` });
  const digest = v['scenarioDigest'];
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) errors.push({ code: 'queue.job.digest', path: 'scenarioDigest', message: 'expected 64 hex digits' });
  const bundle = v['bundle'];
  if (typeof bundle !== 'string' || !/^[0-9a-f]{32}$/.test(bundle)) errors.push({ code: 'queue.job.bundle', path: 'bundle', message: 'expected 32 hex digits' });
  const seed = v['seed'];
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) errors.push({ code: 'queue.job.seed', path: 'seed', message: 'expected a whole number ≥ 0' });
  const values: ParameterValue[] = [];
  const rawValues = v['values'];
  if (!Array.isArray(rawValues)) {
    errors.push({ code: 'queue.job.values', path: 'values', message: 'expected a list of {path, value}' });
  } else {
    rawValues.forEach((pv: unknown, i) => {
      const at = `values[${i}]`;
      if (!isObj(pv) || typeof pv['path'] !== 'string') {
        errors.push({ code: 'queue.job.values', path: at, message: 'expected {path, value}' });
        return;
      }
      const s = checkScalar(pv['value'], String(pv['value']), at);
      if (!s.ok) errors.push(...s.errors);
      else values.push({ path: pv['path'], value: s.value });
    });
  }
  const overrides = v['overrides'];
  if (!Array.isArray(overrides) || !overrides.every((o) => typeof o === 'string')) {
    errors.push({ code: 'queue.job.overrides', path: 'overrides', message: 'expected a list of path=value strings' });
  } else if (errors.length === 0 && overrides.join('\n') !== values.map((pv) => overrideFor(pv.path, pv.value)).join('\n')) {
    errors.push({ code: 'queue.job.overrides', path: 'overrides', message: 'the overrides do not match the values' });
  }
  if (errors.length > 0) return fail(errors);
  const data: QueueJobData = { format: JOB_FORMAT, scenarioDigest: digest as string, bundle: bundle as string, values, seed: seed as number, overrides: overrides as string[] };
  if (jobId(data.scenarioDigest, data.values, data.seed) !== id) {
    return fail([{ code: 'queue.job.id', path: '', message: `job id ${id} is not the hash of its scenario, values and seed` }]);
  }
  return ok(data);
}

/**
 * The record for `job` from a worker's return value: parsed, checked to belong to this job, and
 * given the coordinator's own values so the tables are built from exactly the planned values.
 */
export function recordFromReply(job: SweepJob, reply: unknown): SweepRecord {
  const rec = parseRecord(reply);
  if (rec === undefined) return failedRecord(job, 'sweep.queue.reply', 'the worker returned a record this sweep cannot read (is the worker a different degsim version?)');
  if (rec.jobId !== job.id || rec.seed !== job.seed) return failedRecord(job, 'sweep.queue.reply', `the worker returned the record of another job (${rec.jobId})`);
  return { ...rec, jobId: job.id, values: job.values, seed: job.seed };
}

/**
 * Splits a failure reason a worker gave BullMQ (`code: message`, as {@link crashReason} writes
 * it) back into a diagnostic; other reasons (BullMQ's own) get `fallbackCode`.
 */
export function diagnosticFromReason(reason: string, fallbackCode: string): Diagnostic {
  const m = /^([a-z][\w.-]*\.[\w.-]+): ([\s\S]*)$/.exec(reason);
  if (m !== null) return { code: m[1] ?? fallbackCode, path: '', message: m[2] ?? reason };
  return { code: fallbackCode, path: '', message: reason === '' ? 'the job failed without a reason' : reason };
}

/** The failure reason a worker records for a crash: `code: message`. */
export function crashReason(code: string, message: string): string {
  return `${code}: ${message}`;
}
