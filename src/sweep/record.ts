import type { Diagnostic } from '../diagnostics.js';
import type { ParameterValue, SweepJob } from './job.js';
import type { RunMetrics } from './metrics.js';
import { checkScalar } from './values.js';

/**
 * The outcome of one sweep job, as every executor reports it and as the checkpoint stores it: the
 * job's values and seed, and either the run's metrics row or the diagnostics of its failure.
 */

interface RecordBase {
  readonly jobId: string;
  readonly values: readonly ParameterValue[];
  readonly seed: number;
  /** Wall-clock run time (ms); goes to sweep-timings.csv only, never into sweep.csv or sweep.md. */
  readonly runTimeMs: number;
}

/** A run that finished and whose folder yielded metrics. */
export interface SucceededRecord extends RecordBase {
  readonly status: 'ok';
  readonly metrics: RunMetrics;
}

/** A run that failed: the runner's diagnostics, a crash, or an unreadable run folder. */
export interface FailedRecord extends RecordBase {
  readonly status: 'failed';
  readonly errors: readonly Diagnostic[];
}

export type SweepRecord = SucceededRecord | FailedRecord;

/** A failed record for `job` with a single diagnostic. */
export function failedRecord(job: SweepJob, code: string, message: string, runTimeMs = 0): FailedRecord {
  return { jobId: job.id, values: job.values, seed: job.seed, status: 'failed', errors: [{ code, path: '', message }], runTimeMs };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNumOrNull(v: unknown): boolean {
  return v === null || (typeof v === 'number' && Number.isFinite(v));
}

function isMetrics(v: unknown): v is RunMetrics {
  if (!isRecord(v)) return false;
  const nums = ['energyTradedKWh', 'imbalanceCost', 'deviationCost', 'unmetEvEnergyKWh', 'transformerViolations', 'messages'];
  const nullable = ['priceMeanPerKWh', 'priceMinPerKWh', 'priceMaxPerKWh', 'priceVolatilityPerKWh'];
  if (!nums.every((k) => typeof v[k] === 'number' && Number.isFinite(v[k]))) return false;
  if (!nullable.every((k) => isNumOrNull(v[k]))) return false;
  const rev = v['revenueByKind'];
  return isRecord(rev) && Object.values(rev).every((x) => typeof x === 'number' && Number.isFinite(x));
}

function isDiagnostic(v: unknown): v is Diagnostic {
  return isRecord(v) && typeof v['code'] === 'string' && typeof v['path'] === 'string' && typeof v['message'] === 'string';
}

/** Checks a value read back from JSON (a checkpoint line, a queue reply) and returns it as a record. */
export function parseRecord(v: unknown): SweepRecord | undefined {
  if (!isRecord(v)) return undefined;
  const { jobId, values, seed, status, runTimeMs } = v;
  if (typeof jobId !== 'string' || typeof seed !== 'number' || typeof runTimeMs !== 'number' || !Array.isArray(values)) return undefined;
  const vals: ParameterValue[] = [];
  for (const pv of values) {
    if (!isRecord(pv) || typeof pv['path'] !== 'string') return undefined;
    const s = checkScalar(pv['value'], String(pv['value']), pv['path']);
    if (!s.ok) return undefined;
    vals.push({ path: pv['path'], value: s.value });
  }
  const base = { jobId, values: vals, seed, runTimeMs };
  if (status === 'ok' && isMetrics(v['metrics'])) return { ...base, status, metrics: v['metrics'] };
  if (status === 'failed' && Array.isArray(v['errors']) && v['errors'].every(isDiagnostic)) return { ...base, status, errors: v['errors'] };
  return undefined;
}
