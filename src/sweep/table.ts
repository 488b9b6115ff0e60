import { join } from 'node:path';
import { formatDiagnostic } from '../diagnostics.js';
import { writeFileAtomic } from './atomic.js';
import { compareValueLists, settingText, type ParameterValue } from './job.js';
import { metricColumns, type MetricColumn } from './metrics.js';
import type { SucceededRecord, SweepRecord } from './record.js';
import { confidenceInterval, mean, type Interval } from './stats.js';
import { valueText, type SweepParameter } from './values.js';

/**
 * The sweep tables, shared by every executor: `sweep.csv` (one row per run), `sweep.md` (mean and
 * 95 % interval over seeds per setting and per parameter value, best setting per metric) and
 * `sweep-timings.csv` (wall-clock run times, kept apart so the other two are byte-identical for
 * the same grid whatever the executor or the number of workers).
 */

export const SWEEP_CSV = 'sweep.csv';
export const SWEEP_MD = 'sweep.md';
export const SWEEP_TIMINGS_CSV = 'sweep-timings.csv';

/** What the tables say about the sweep as a whole. */
export interface SweepTableMeta {
  /** Scenario name shown in sweep.md (a file name, not an absolute path, so output does not depend on where it ran). */
  readonly scenario: string;
  readonly parameters: readonly SweepParameter[];
  readonly seeds: readonly number[];
  /** Jobs in the grid; more than the records when the sweep was interrupted. */
  readonly totalJobs: number;
}

/** Fixed-decimal text of a number; never `-0.00`. */
export function fixed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Sorts records by (parameter values, seed), the order of every table. */
export function sortRecords(records: Iterable<SweepRecord>): SweepRecord[] {
  return [...records].sort((a, b) => compareValueLists(a.values, b.values) || a.seed - b.seed);
}

/** The metric columns for these records (revenue columns for every party kind any run saw). */
export function columnsFor(records: readonly SweepRecord[]): readonly MetricColumn[] {
  const kinds = new Set<string>();
  for (const r of records) if (r.status === 'ok') for (const k of Object.keys(r.metrics.revenueByKind)) kinds.add(k);
  return metricColumns(kinds);
}

function firstError(r: SweepRecord): string {
  if (r.status === 'ok') return '';
  const d = r.errors[0];
  return d === undefined ? 'failed' : formatDiagnostic(d) + (r.errors.length > 1 ? ` (+${r.errors.length - 1} more)` : '');
}

/** `sweep.csv`: parameter columns, seed, jobId, status, metrics at fixed decimals, error. */
export function formatSweepCsv(parameters: readonly SweepParameter[], records: readonly SweepRecord[]): string {
  const sorted = sortRecords(records);
  const columns = columnsFor(sorted);
  const header = [...parameters.map((p) => p.path), 'seed', 'jobId', 'status', ...columns.map((c) => c.header), 'error'];
  const lines = [header.map(csvCell).join(',')];
  for (const r of sorted) {
    const cells = [...r.values.map((v) => valueText(v.value)), String(r.seed), r.jobId, r.status];
    for (const c of columns) {
      const v = r.status === 'ok' ? c.get(r.metrics) : null;
      cells.push(v === null ? '' : fixed(v, c.decimals));
    }
    cells.push(firstError(r));
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** `sweep-timings.csv`: the wall-clock seconds of each run, in table order. */
export function formatTimingsCsv(parameters: readonly SweepParameter[], records: readonly SweepRecord[]): string {
  const header = [...parameters.map((p) => p.path), 'seed', 'jobId', 'status', 'runTimeS'];
  const lines = [header.map(csvCell).join(',')];
  for (const r of sortRecords(records)) {
    lines.push([...r.values.map((v) => valueText(v.value)), String(r.seed), r.jobId, r.status, fixed(r.runTimeMs / 1000, 3)].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

interface SettingStats {
  readonly values: readonly ParameterValue[];
  readonly runs: readonly SucceededRecord[];
  /** Records of the setting, failed ones included. */
  readonly total: number;
}

function settingKey(values: readonly ParameterValue[]): string {
  return JSON.stringify(values.map((v) => v.value));
}

function groupBySetting(records: readonly SweepRecord[]): SettingStats[] {
  const groups = new Map<string, { values: readonly ParameterValue[]; runs: SucceededRecord[]; total: number }>();
  for (const r of sortRecords(records)) {
    const key = settingKey(r.values);
    let g = groups.get(key);
    if (g === undefined) {
      g = { values: r.values, runs: [], total: 0 };
      groups.set(key, g);
    }
    g.total++;
    if (r.status === 'ok') g.runs.push(r);
  }
  return [...groups.values()];
}

function sample(runs: readonly SucceededRecord[], c: MetricColumn): number[] {
  const xs: number[] = [];
  for (const r of runs) {
    const v = c.get(r.metrics);
    if (v !== null) xs.push(v);
  }
  return xs;
}

function intervalText(ci: Interval, decimals: number): string {
  if (ci.n === 0) return '—';
  if (ci.low === null || ci.high === null) return `${fixed(ci.mean, decimals)} (n=1)`;
  return `${fixed(ci.mean, decimals)} [${fixed(ci.low, decimals)}, ${fixed(ci.high, decimals)}]`;
}

interface Best {
  readonly setting: readonly ParameterValue[];
  readonly ci: Interval;
  readonly ties: number;
}

/**
 * The setting whose mean is best for `c`, comparing means at the column's printed precision. Only
 * settings whose every seed succeeded compete (a mean over the seeds that happened to survive is
 * not comparable), unless no setting is complete.
 */
function bestSetting(groups: readonly SettingStats[], seeds: number, c: MetricColumn): Best | undefined {
  const complete = groups.filter((g) => g.runs.length === g.total && g.total === seeds);
  let best: Best | undefined;
  let bestKey = 0;
  for (const g of complete.length > 0 ? complete : groups) {
    const xs = sample(g.runs, c);
    if (xs.length === 0) continue;
    const ci = confidenceInterval(xs);
    const key = Number(fixed(ci.mean, c.decimals));
    if (best === undefined || (c.better === 'lower' ? key < bestKey : key > bestKey)) {
      best = { setting: g.values, ci, ties: 0 };
      bestKey = key;
    } else if (key === bestKey) {
      best = { ...best, ties: best.ties + 1 };
    }
  }
  return best;
}

/**
 * Per-seed means of a metric over the settings where `path` has `value` (averaging out the other
 * parameters), so the interval for a parameter value is again an interval over seeds.
 */
function marginalBySeed(records: readonly SweepRecord[], path: string, value: string, c: MetricColumn): number[] {
  const bySeed = new Map<number, number[]>();
  for (const r of records) {
    if (r.status !== 'ok') continue;
    const pv = r.values.find((v) => v.path === path);
    if (pv === undefined || valueText(pv.value) !== value) continue;
    const x = c.get(r.metrics);
    if (x === null) continue;
    const list = bySeed.get(r.seed) ?? [];
    list.push(x);
    bySeed.set(r.seed, list);
  }
  return [...bySeed.keys()].sort((a, b) => a - b).map((s) => mean(bySeed.get(s) ?? []));
}

function seedText(seeds: readonly number[]): string {
  const s = [...seeds].sort((a, b) => a - b);
  const first = s[0];
  const last = s[s.length - 1];
  if (first !== undefined && last !== undefined && s.length > 2 && last - first === s.length - 1) return `${first}..${last} (${s.length})`;
  return `${s.join(', ')} (${s.length})`;
}

/** `sweep.md`: the sweep summarised per setting and per parameter value, with the best setting per metric. */
export function formatSweepMarkdown(meta: SweepTableMeta, records: readonly SweepRecord[]): string {
  const sorted = sortRecords(records);
  const columns = columnsFor(sorted);
  const groups = groupBySetting(sorted);
  const okCount = sorted.filter((r) => r.status === 'ok').length;
  const failed = sorted.filter((r) => r.status === 'failed');
  const out: string[] = [];
  out.push(`# Sweep of ${meta.scenario}`, '');
  for (const p of meta.parameters) out.push(`- \`${p.path}\` ∈ {${p.values.map(valueText).join(', ')}}`);
  out.push(`- seeds: ${seedText(meta.seeds)}`);
  const missing = meta.totalJobs - sorted.length;
  out.push(`- runs: ${meta.totalJobs} in the grid, ${okCount} succeeded, ${failed.length} failed${missing > 0 ? `, ${missing} not run (interrupted; resume with --resume)` : ''}`);
  out.push(
    '',
    'Values are the mean over seeds with its 95 % interval (Student t over seeds) in brackets; money is in the scenario currency.',
    'Only settings whose every seed succeeded are ranked.',
    '',
  );

  out.push('## Best setting per metric', '');
  out.push('| metric | better | best setting | mean [95 % interval] |', '|---|---|---|---|');
  for (const c of columns) {
    const b = bestSetting(groups, meta.seeds.length, c);
    const setting = b === undefined ? '—' : `${settingText(b.setting)}${b.ties > 0 ? ` (tied with ${b.ties} other${b.ties > 1 ? 's' : ''})` : ''}`;
    out.push(`| ${mdCell(c.label)} | ${c.better} | ${mdCell(setting)} | ${b === undefined ? '—' : intervalText(b.ci, c.decimals)} |`);
  }

  if (meta.parameters.length > 1) {
    out.push('', '## By parameter value', '', 'Each seed is first averaged over the other parameters, then the interval is taken over seeds.');
    for (const p of meta.parameters) {
      const vals = p.values.map(valueText);
      out.push('', `### \`${p.path}\``, '', `| metric | better | ${vals.map(mdCell).join(' | ')} |`, `|---|---|${vals.map(() => '---|').join('')}`);
      for (const c of columns) {
        const cells = vals.map((v) => intervalText(confidenceInterval(marginalBySeed(sorted, p.path, v, c)), c.decimals));
        out.push(`| ${mdCell(c.label)} | ${c.better} | ${cells.join(' | ')} |`);
      }
    }
  }

  out.push('', '## By setting');
  const paramHeads = meta.parameters.map((p) => `\`${mdCell(p.path)}\``);
  for (const c of columns) {
    const b = bestSetting(groups, meta.seeds.length, c);
    const bestKey = b === undefined ? undefined : Number(fixed(b.ci.mean, c.decimals));
    out.push('', `### ${c.label} (\`${c.header}\`, ${c.better} is better)`, '');
    out.push(`| ${[...paramHeads, 'n', 'mean', '95 % low', '95 % high', 'best'].join(' | ')} |`, `|${[...paramHeads, 1, 2, 3, 4, 5].map(() => '---|').join('')}`);
    for (const g of groups) {
      const ci = confidenceInterval(sample(g.runs, c));
      const has = ci.n > 0;
      const isBest = has && bestKey !== undefined && Number(fixed(ci.mean, c.decimals)) === bestKey;
      const cells = [
        ...g.values.map((v) => mdCell(valueText(v.value))),
        String(ci.n),
        has ? fixed(ci.mean, c.decimals) : '—',
        ci.low === null ? '—' : fixed(ci.low, c.decimals),
        ci.high === null ? '—' : fixed(ci.high, c.decimals),
        isBest ? '✓' : '',
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
  }

  if (failed.length > 0) {
    out.push('', '## Failed runs', '', `| ${[...paramHeads, 'seed', 'job', 'error'].join(' | ')} |`, `|${[...paramHeads, 1, 2, 3].map(() => '---|').join('')}`);
    for (const r of failed) out.push(`| ${[...r.values.map((v) => mdCell(valueText(v.value))), String(r.seed), r.jobId, mdCell(firstError(r))].join(' | ')} |`);
  }
  return `${out.join('\n')}\n`;
}

/** Paths of the three table files of a sweep folder. */
export interface SweepTableFiles {
  readonly csv: string;
  readonly md: string;
  readonly timings: string;
}

/** Writes sweep.csv, sweep.md and sweep-timings.csv into `dir`, each atomically. */
export function writeSweepTables(dir: string, meta: SweepTableMeta, records: readonly SweepRecord[]): SweepTableFiles {
  const files = { csv: join(dir, SWEEP_CSV), md: join(dir, SWEEP_MD), timings: join(dir, SWEEP_TIMINGS_CSV) };
  writeFileAtomic(files.csv, formatSweepCsv(meta.parameters, records));
  writeFileAtomic(files.md, formatSweepMarkdown(meta, records));
  writeFileAtomic(files.timings, formatTimingsCsv(meta.parameters, records));
  return files;
}
