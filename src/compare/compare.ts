import { readdirSync } from 'node:fs';
import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { compareCsv, type CsvFileReport } from './csv-diff.js';
import { diffJson, type JsonDifference, type Tolerance } from './json-diff.js';
import { buildIgnore } from './paths.js';
import { isFolder, readCsv, readJsonObject, readNdjson, type CsvTable, type NdjsonLine } from './run-folder.js';
import { compareTraces, type IntervalClock, type TraceReport } from './trace-diff.js';

/**
 * `degsim compare`: the regression test of two run folders. Tables, summary and trace are
 * compared independently and gathered in one report; the runs are equal when all three are.
 */

export interface CompareOptions {
  /** Absolute tolerance on numbers (default 1e-9). */
  readonly tol?: number;
  /** Relative tolerance on numbers (default 0). */
  readonly relTol?: number;
  /** Paths to leave out: trace paths (`context.messageId`), `<file>.csv.<column>`, `summary.json.<path>`. */
  readonly ignore?: readonly string[];
  /** Compare only the domain content of messages (and not `summary.json.profile`). */
  readonly ignoreEnvelope?: boolean;
}

export interface SummaryReport {
  readonly status: 'equal' | 'different' | 'absent';
  readonly differences: readonly JsonDifference[];
}

export interface CompareReport {
  readonly equal: boolean;
  readonly runA: string;
  readonly runB: string;
  readonly options: { readonly tol: number; readonly relTol: number; readonly ignore: readonly string[]; readonly ignoreEnvelope: boolean };
  readonly tables: readonly CsvFileReport[];
  readonly summary: SummaryReport;
  /** Absent when neither run has messages.ndjson. */
  readonly trace?: TraceReport;
}

/** Default absolute tolerance. */
export const DEFAULT_TOL = 1e-9;

function csvFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.csv'));
}

function clockOf(summary: Readonly<Record<string, unknown>> | undefined): IntervalClock | undefined {
  const start = summary?.['start'];
  const minutes = summary?.['intervalMinutes'];
  if (typeof start !== 'string' || typeof minutes !== 'number' || !(minutes > 0)) return undefined;
  const startMs = Date.parse(start);
  return Number.isNaN(startMs) ? undefined : { startMs, intervalMinutes: minutes };
}

function take<T>(r: Result<T> | undefined, errors: Diagnostic[]): T | undefined {
  if (r === undefined) return undefined;
  if (!r.ok) {
    errors.push(...r.errors);
    return undefined;
  }
  return r.value;
}

/**
 * Compares run folders `a` and `b`. Fails (with every diagnostic) only when a folder is missing or
 * a file in it cannot be read; differences are the report's content, never a failure.
 */
export function compareRuns(a: string, b: string, options: CompareOptions = {}): Result<CompareReport> {
  const errors: Diagnostic[] = [];
  for (const dir of [a, b]) if (!isFolder(dir)) errors.push({ code: 'compare.folder', path: '', message: 'not a run folder (no such directory)', file: dir });
  const tol = options.tol ?? DEFAULT_TOL;
  const relTol = options.relTol ?? 0;
  if (!(tol >= 0) || !(relTol >= 0)) errors.push({ code: 'compare.tolerance', path: '--tol', message: 'tolerances must be non-negative numbers' });
  const ignoreEnvelope = options.ignoreEnvelope === true;
  const ignoreTexts = [...(options.ignore ?? [])];
  const ignore = buildIgnore([...ignoreTexts, ...(ignoreEnvelope ? ['summary.json.profile'] : [])]);
  if (!ignore.ok) errors.push(...ignore.errors);
  if (errors.length > 0 || !ignore.ok) return fail(errors);
  const tolerance: Tolerance = { tol, relTol };

  const files = [...new Set([...csvFiles(a), ...csvFiles(b)])].sort();
  const loaded: { file: string; a: CsvTable | undefined; b: CsvTable | undefined }[] = [];
  for (const file of files) {
    if (ignore.value.ignores(file.split('.'))) continue;
    loaded.push({ file, a: take(readCsv(a, file), errors), b: take(readCsv(b, file), errors) });
  }
  const summaryA = take(readJsonObject(a, 'summary.json'), errors);
  const summaryB = take(readJsonObject(b, 'summary.json'), errors);
  const traceA: readonly NdjsonLine[] | undefined = take(readNdjson(a, 'messages.ndjson'), errors);
  const traceB: readonly NdjsonLine[] | undefined = take(readNdjson(b, 'messages.ndjson'), errors);
  const acksA = take(readNdjson(a, 'acks.ndjson'), errors);
  const acksB = take(readNdjson(b, 'acks.ndjson'), errors);
  if (errors.length > 0) return fail(errors);

  const tables = loaded.map((f) => compareCsv(f.file, f.a, f.b, tolerance, ignore.value));
  const summaryDiffs = summaryA === undefined && summaryB === undefined ? [] : diffJson(summaryA ?? {}, summaryB ?? {}, { tolerance, ignore: ignore.value, prefix: ['summary', 'json'] });
  const summary: SummaryReport = {
    status: summaryA === undefined && summaryB === undefined ? 'absent' : summaryDiffs.length > 0 ? 'different' : 'equal',
    differences: summaryDiffs.map((d) => ({ ...d, path: d.path.replace(/^summary\.json\.?/, '') })),
  };
  const trace =
    traceA === undefined && traceB === undefined
      ? undefined
      : compareTraces({
          a: traceA ?? [],
          b: traceB ?? [],
          ...(clockOf(summaryA) === undefined ? {} : { clockA: clockOf(summaryA) as IntervalClock }),
          ...(clockOf(summaryB) === undefined ? {} : { clockB: clockOf(summaryB) as IntervalClock }),
          ...(acksA === undefined ? {} : { acksA }),
          ...(acksB === undefined ? {} : { acksB }),
          tolerance,
          ignore: ignore.value,
          ignoreEnvelope,
        });
  const equal = tables.every((t) => t.status === 'equal') && summary.status !== 'different' && (trace === undefined || trace.equal);
  return ok({
    equal,
    runA: a,
    runB: b,
    options: { tol, relTol, ignore: ignoreTexts, ignoreEnvelope },
    tables,
    summary,
    ...(trace === undefined ? {} : { trace }),
  });
}
