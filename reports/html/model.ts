import { basename } from 'node:path';
import type { Diagnostic } from '../../src/diagnostics.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import type { IntervalClock } from '../diagram/build.js';
import { buildSequenceDiagram, intervalsInTrace } from '../diagram/build.js';
import { isRecord } from '../diagram/context.js';
import { clockFrom } from '../diagram/load.js';
import { toMermaid } from '../diagram/mermaid.js';
import { participantsFromScenario } from '../diagram/roles.js';
import { toSvg } from '../diagram/svg.js';
import type { ClearingRow, DispatchRow, FlowsRow, RunFile, RunFolder, SettlementRow } from './run-folder.js';

/** How a series is drawn: per-interval values as steps, bars by category, or a constant limit line. */
export type SeriesStyle = 'step' | 'line' | 'bars' | 'threshold';

export interface SeriesSpec {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly style: SeriesStyle;
  readonly dash?: readonly number[];
  readonly width?: number;
  /** Area fill under the series (CSS colour), e.g. for a quantity that another line overlays. */
  readonly fill?: string;
}

/** A chart as data: the browser script turns it into a uPlot chart. Series indices in `bands` are 0-based. */
export interface ChartSpec {
  readonly xKind: 'time' | 'category';
  /** Unix seconds (time) or 0…n−1 (category). */
  readonly x: readonly number[];
  readonly categories?: readonly string[];
  readonly yLabel: string;
  /** Decimals of the values shown in the legend. */
  readonly decimals: number;
  readonly series: readonly SeriesSpec[];
  readonly bands?: readonly { readonly upper: number; readonly lower: number; readonly fill: string }[];
  readonly yRange?: readonly [number, number];
}

/** A chart whose series are chosen from a list (one participant at a time). */
export interface SelectableChartSpec {
  readonly chart: Omit<ChartSpec, 'series'>;
  readonly choices: readonly { readonly id: string; readonly label: string; readonly series: readonly SeriesSpec[] }[];
  readonly initial: number;
}

/** A table as preformatted text cells (fixed decimals per column). */
export interface TableSpec {
  readonly columns: readonly { readonly label: string; readonly numeric: boolean }[];
  readonly rows: readonly (readonly string[])[];
  /** Shown under the table, e.g. that rows were cut. */
  readonly note?: string;
}

/** A report section: its data, or the reason there is nothing to show. */
export type Section<T> = { readonly status: 'ok'; readonly data: T } | { readonly status: 'empty'; readonly reason: string };

export interface Fact {
  readonly label: string;
  readonly value: string;
  readonly tone?: 'good' | 'warn' | 'bad';
}

export interface ReportModel {
  readonly title: string;
  readonly subtitle: string;
  readonly facts: readonly Fact[];
  readonly price: Section<{ readonly chart: ChartSpec; readonly table: TableSpec; readonly note?: string }>;
  readonly volumes: Section<{ readonly chart: ChartSpec; readonly table: TableSpec }>;
  readonly loading: Section<{ readonly chart: ChartSpec; readonly table: TableSpec; readonly note?: string }>;
  readonly voltage: Section<{ readonly chart: ChartSpec; readonly table: TableSpec }>;
  readonly dispatch: Section<{ readonly chart: SelectableChartSpec; readonly table: TableSpec }>;
  readonly money: Section<{ readonly chart: ChartSpec; readonly flows: TableSpec; readonly net: TableSpec; readonly balance: Fact; readonly note?: string }>;
  readonly sequence: Section<{ readonly caption: string; readonly svg: string; readonly mermaid: string }>;
  readonly messages: Section<{ readonly byAction: TableSpec; readonly nacks?: TableSpec }>;
  readonly problems: readonly string[];
}

export interface ReportOptions {
  /** Interval whose messages the sequence diagram shows; default the first interval in the trace. */
  readonly diagramInterval?: number;
}

/** Qualitative palette (Tableau 10, red last: red marks limits), assigned in series order. */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac', '#e15759'] as const;
const color = (i: number): string => PALETTE[i % PALETTE.length] ?? '#4e79a7';

const MAX_PRICE_NODES = 12;
const MAX_LOADING_ELEMENTS = 8;
const MAX_BARS = 24;
const MAX_TABLE_ROWS = 60;
const MAX_DIAGRAM_MESSAGES = 4000;

/** Rounds to `d` decimals for embedding, so the JSON carries no float noise. */
export function round(x: number, d: number): number {
  const f = 10 ** d;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

/** Fixed decimals with an en-dash for missing values; `-0.00` prints as `0.00`. */
export function fixed(x: number | null | undefined, d: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const s = x.toFixed(d);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

function roundSeries(values: readonly (number | null)[], d: number): (number | null)[] {
  return values.map((v) => (v === null ? null : round(v, d)));
}

/** `2025-06-01T10:00:00Z` → `2025-06-01 10:00`; other text unchanged. */
function readableTime(t: string | undefined): string | undefined {
  if (t === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::00(?:\.0+)?)?Z$/.exec(t);
  return m === null ? t : `${m[1] ?? ''} ${m[2] ?? ''}`;
}

/** Natural order: `node-2` before `node-10`. */
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const byName = (a: string, b: string): number => natural.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

function rowsOf<T>(f: RunFile<readonly T[]>): readonly T[] {
  return f.state === 'ok' ? f.value : [];
}

function emptyReason(f: RunFile<unknown>, what: string): string {
  if (f.state === 'missing') return `No data in this run: ${basename(f.file)} was not written.`;
  if (f.state === 'invalid') return `No data in this run: ${basename(f.file)} could not be read (see Problems).`;
  return `No data in this run: ${basename(f.file)} has no ${what}.`;
}

/** The interval axis: sorted interval indices and their start times (Unix seconds). */
interface Axis {
  readonly intervals: readonly number[];
  readonly index: ReadonlyMap<number, number>;
  readonly x: readonly number[];
  /** x with one more point one interval after the last, so steps show the last interval's width. */
  readonly xStep: readonly number[];
}

function axisOf(rows: readonly { readonly interval: number; readonly start: number }[], stepSeconds: number | undefined): Axis {
  const starts = new Map<number, number>();
  for (const r of rows) if (!starts.has(r.interval)) starts.set(r.interval, r.start);
  const intervals = [...starts.keys()].sort((a, b) => a - b);
  const x = intervals.map((i) => starts.get(i) ?? 0);
  const last = x[x.length - 1];
  const prev = x[x.length - 2];
  const step = stepSeconds ?? (last !== undefined && prev !== undefined ? last - prev : undefined);
  const xStep = last !== undefined && step !== undefined && step > 0 ? [...x, last + step] : [...x];
  return { intervals, index: new Map(intervals.map((iv, i) => [iv, i])), x, xStep };
}

/** Values per interval on an axis, extended by one repeated point to match `xStep`. */
function onAxis<T extends { readonly interval: number }>(axis: Axis, rows: readonly T[], pick: (r: T) => number | null, d: number): (number | null)[] {
  const out: (number | null)[] = axis.intervals.map(() => null);
  for (const r of rows) {
    const i = axis.index.get(r.interval);
    if (i !== undefined) out[i] = pick(r);
  }
  if (axis.xStep.length > axis.x.length) out.push(out[out.length - 1] ?? null);
  return roundSeries(out, d);
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Smallest value, by a loop (spreading a long array into Math.min overflows the stack). */
function minOf(xs: readonly number[]): number | undefined {
  let m: number | undefined;
  for (const x of xs) if (m === undefined || x < m) m = x;
  return m;
}

/** Largest value, by a loop. */
function maxOf(xs: readonly number[]): number | undefined {
  let m: number | undefined;
  for (const x of xs) if (m === undefined || x > m) m = x;
  return m;
}

function mean(xs: readonly number[]): number | undefined {
  return xs.length === 0 ? undefined : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** The root node of clearing.csv: `market`, else a feeder head of flows.csv, else the first node of the first interval. */
export function rootNodeOf(clearing: readonly ClearingRow[], flows: readonly FlowsRow[]): string | undefined {
  const nodes = new Set(clearing.map((r) => r.node));
  if (nodes.has('market')) return 'market';
  const head = flows.find((f) => f.kind === 'feeder-head' && nodes.has(f.element));
  if (head !== undefined) return head.element;
  let first: ClearingRow | undefined;
  for (const r of clearing) if (first === undefined || r.interval < first.interval) first = r;
  return first?.node;
}

function priceSection(clearing: RunFile<readonly ClearingRow[]>, root: string | undefined, stepSeconds: number | undefined): ReportModel['price'] {
  const rows = rowsOf(clearing);
  if (rows.length === 0 || root === undefined) return { status: 'empty', reason: emptyReason(clearing, 'rows') };
  const axis = axisOf(rows, stepSeconds);
  const byNode = new Map<string, ClearingRow[]>();
  for (const r of rows) {
    let list = byNode.get(r.node);
    if (list === undefined) byNode.set(r.node, (list = []));
    list.push(r);
  }
  const rootPrice = new Map<number, number>();
  for (const r of byNode.get(root) ?? []) if (r.price !== null) rootPrice.set(r.interval, r.price);
  const others = [...byNode.keys()].filter((n) => n !== root).sort(byName);
  // With many nodes, chart those whose price departs most from the root (largest locational adders).
  const spread = (node: string): number =>
    mean((byNode.get(node) ?? []).flatMap((r) => (r.price === null || !rootPrice.has(r.interval) ? [] : [Math.abs(r.price - (rootPrice.get(r.interval) ?? 0))]))) ?? 0;
  const charted =
    others.length + 1 <= MAX_PRICE_NODES
      ? others
      : [...others].sort((a, b) => spread(b) - spread(a) || byName(a, b)).slice(0, MAX_PRICE_NODES - 1).sort(byName);
  const series: SeriesSpec[] = [root, ...charted].map((node, i) => ({
    label: node === root ? `${node} (root)` : node,
    values: onAxis(axis, byNode.get(node) ?? [], (r) => r.price, 4),
    color: color(i),
    style: 'step',
    width: node === root ? 2.5 : 1.5,
  }));
  const tableRows = [root, ...others].map((node) => {
    const list = byNode.get(node) ?? [];
    const prices = list.flatMap((r) => (r.price === null ? [] : [r.price]));
    const adders = list.flatMap((r) => (r.adderPerKWh === null ? [] : [r.adderPerKWh]));
    const count = (s: string): string => String(list.filter((r) => r.status === s).length);
    const binding = String(list.filter((r) => r.status.startsWith('binding')).length);
    return [
      node === root ? `${node} (root)` : node,
      fixed(mean(prices), 4),
      fixed(minOf(prices), 4),
      fixed(maxOf(prices), 4),
      fixed(mean(adders), 4),
      count('cleared'),
      binding,
      count('cap'),
      count('floor'),
      count('none'),
    ];
  });
  const note =
    charted.length < others.length
      ? `The chart shows the root and the ${charted.length} nodes whose price departs most from it; the table lists all ${others.length + 1}.`
      : undefined;
  return {
    status: 'ok',
    data: {
      chart: { xKind: 'time', x: axis.xStep, yLabel: 'price per kWh', decimals: 4, series },
      table: limitTable({
        columns: [
          { label: 'node', numeric: false },
          { label: 'mean price', numeric: true },
          { label: 'min', numeric: true },
          { label: 'max', numeric: true },
          { label: 'mean adder', numeric: true },
          { label: 'cleared', numeric: true },
          { label: 'limit binds', numeric: true },
          { label: 'at cap', numeric: true },
          { label: 'at floor', numeric: true },
          { label: 'no trade', numeric: true },
        ],
        rows: tableRows,
      }),
      ...(note === undefined ? {} : { note }),
    },
  };
}

function limitTable(t: TableSpec): TableSpec {
  if (t.rows.length <= MAX_TABLE_ROWS) return t;
  return { ...t, rows: t.rows.slice(0, MAX_TABLE_ROWS), note: `${t.note === undefined ? '' : `${t.note} `}First ${MAX_TABLE_ROWS} of ${t.rows.length} rows.` };
}

function volumesSection(clearing: RunFile<readonly ClearingRow[]>, root: string | undefined, stepSeconds: number | undefined, hours: number | undefined): ReportModel['volumes'] {
  const rows = rowsOf(clearing).filter((r) => r.node === root);
  if (rows.length === 0) return { status: 'empty', reason: emptyReason(clearing, 'root rows') };
  const axis = axisOf(rows, stepSeconds);
  const supply = rows.flatMap((r) => (r.clearedSupplyKW === null ? [] : [r.clearedSupplyKW]));
  const demand = rows.flatMap((r) => (r.clearedDemandKW === null ? [] : [Math.abs(r.clearedDemandKW)]));
  const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
  return {
    status: 'ok',
    data: {
      chart: {
        xKind: 'time',
        x: axis.xStep,
        yLabel: 'kW',
        decimals: 2,
        series: [
          { label: 'cleared supply (export)', values: onAxis(axis, rows, (r) => r.clearedSupplyKW, 3), color: '#59a14f', style: 'step', width: 2, fill: 'rgba(89,161,79,0.16)' },
          { label: 'cleared demand (import)', values: onAxis(axis, rows, (r) => (r.clearedDemandKW === null ? null : Math.abs(r.clearedDemandKW)), 3), color: '#4e79a7', style: 'step', width: 2, dash: [6, 3] },
          { label: 'net', values: onAxis(axis, rows, (r) => r.netKW, 3), color: '#9c755f', style: 'step', width: 1 },
        ],
      },
      table: {
        columns: [
          { label: 'quantity', numeric: false },
          { label: 'mean kW', numeric: true },
          { label: 'peak kW', numeric: true },
          { label: 'energy kWh', numeric: true },
        ],
        rows: [
          ['cleared supply', fixed(mean(supply), 2), fixed(maxOf(supply), 2), fixed(hours === undefined ? undefined : sum(supply) * hours, 2)],
          ['cleared demand', fixed(mean(demand), 2), fixed(maxOf(demand), 2), fixed(hours === undefined ? undefined : sum(demand) * hours, 2)],
        ],
      },
    },
  };
}

/** Loading in percent of the limit: the file's value, else |loadingKW| / limitKW. */
function loadingPctOf(r: FlowsRow): number | null {
  if (r.loadingPct !== null) return r.loadingPct;
  if (r.loadingKW !== null && r.limitKW !== null && r.limitKW > 0) return (Math.abs(r.loadingKW) / r.limitKW) * 100;
  return null;
}

function loadingSection(flows: RunFile<readonly FlowsRow[]>, stepSeconds: number | undefined): { readonly section: ReportModel['loading']; readonly violations: number } {
  const rows = rowsOf(flows).filter((r) => r.kind === 'transformer' || r.kind === 'feeder-head');
  if (rows.length === 0) return { section: { status: 'empty', reason: emptyReason(flows, 'transformer or feeder-head rows') }, violations: 0 };
  const axis = axisOf(rows, stepSeconds);
  const byElement = new Map<string, FlowsRow[]>();
  for (const r of rows) {
    let list = byElement.get(r.element);
    if (list === undefined) byElement.set(r.element, (list = []));
    list.push(r);
  }
  const stats = [...byElement.entries()].map(([element, list]) => {
    const pcts = list.flatMap((r) => {
      const p = loadingPctOf(r);
      return p === null ? [] : [p];
    });
    const kws = list.flatMap((r) => (r.loadingKW === null ? [] : [Math.abs(r.loadingKW)]));
    return {
      element,
      kind: list[0]?.kind ?? '',
      limit: list.find((r) => r.limitKW !== null)?.limitKW ?? null,
      peakKW: maxOf(kws) ?? null,
      peakPct: maxOf(pcts) ?? null,
      over: list.filter((r) => (loadingPctOf(r) ?? 0) > 100).length,
      reverse: list.filter((r) => r.reverse === true).length,
      list,
    };
  });
  stats.sort((a, b) => (b.peakPct ?? -Infinity) - (a.peakPct ?? -Infinity) || byName(a.element, b.element));
  const charted = stats.slice(0, MAX_LOADING_ELEMENTS);
  const series: SeriesSpec[] = charted.map((s, i) => ({
    label: `${s.element} (${s.kind})`,
    values: onAxis(axis, s.list, loadingPctOf, 2),
    color: color(i),
    style: 'step',
    width: 1.75,
  }));
  series.push({ label: 'limit 100 %', values: axis.xStep.map(() => 100), color: '#cf222e', style: 'threshold', dash: [8, 4], width: 1.5 });
  const violations = stats.reduce((s, x) => s + x.over, 0);
  const note = stats.length > charted.length ? `The chart shows the ${charted.length} most loaded of ${stats.length} elements.` : undefined;
  return {
    violations,
    section: {
      status: 'ok',
      data: {
        chart: { xKind: 'time', x: axis.xStep, yLabel: 'loading % of limit', decimals: 1, series },
        table: limitTable({
          columns: [
            { label: 'element', numeric: false },
            { label: 'kind', numeric: false },
            { label: 'limit kW', numeric: true },
            { label: 'peak kW', numeric: true },
            { label: 'peak %', numeric: true },
            { label: 'intervals over limit', numeric: true },
            { label: 'intervals reverse', numeric: true },
          ],
          rows: stats.map((s) => [s.element, s.kind, fixed(s.limit, 1), fixed(s.peakKW, 2), fixed(s.peakPct, 1), String(s.over), String(s.reverse)]),
        }),
        ...(note === undefined ? {} : { note }),
      },
    },
  };
}

function voltageSection(flows: RunFile<readonly FlowsRow[]>, stepSeconds: number | undefined): { readonly section: ReportModel['voltage']; readonly excursions: number } {
  const all = rowsOf(flows).filter((r) => r.voltagePu !== null);
  const buses = all.filter((r) => r.kind === 'bus');
  const rows = buses.length > 0 ? buses : all;
  if (rows.length === 0) return { section: { status: 'empty', reason: emptyReason(flows, 'voltages') }, excursions: 0 };
  const axis = axisOf(rows, stepSeconds);
  interface Extreme {
    readonly interval: number;
    lo: number;
    hi: number;
    loAt: string;
    hiAt: string;
  }
  const per = new Map<number, Extreme>();
  for (const r of rows) {
    const v = r.voltagePu ?? 1;
    const e = per.get(r.interval);
    if (e === undefined) per.set(r.interval, { interval: r.interval, lo: v, hi: v, loAt: r.element, hiAt: r.element });
    else {
      if (v < e.lo) [e.lo, e.loAt] = [v, r.element];
      if (v > e.hi) [e.hi, e.hiAt] = [v, r.element];
    }
  }
  const ext = [...per.values()];
  const outside = (lo: number, hi: number): number => ext.filter((e) => e.lo < lo || e.hi > hi).length;
  const minV = minOf(ext.map((e) => e.lo)) ?? 1;
  const maxV = maxOf(ext.map((e) => e.hi)) ?? 1;
  const worstLo = ext.reduce((a, b) => (b.lo < a.lo ? b : a));
  const worstHi = ext.reduce((a, b) => (b.hi > a.hi ? b : a));
  const flat = (v: number): number[] => axis.xStep.map(() => v);
  const excursions = outside(0.95, 1.05);
  return {
    excursions,
    section: {
      status: 'ok',
      data: {
        chart: {
          xKind: 'time',
          x: axis.xStep,
          yLabel: 'voltage (p.u.)',
          decimals: 4,
          series: [
            { label: 'max bus voltage', values: onAxis(axis, ext, (e) => e.hi, 4), color: '#e15759', style: 'step', width: 2 },
            { label: 'min bus voltage', values: onAxis(axis, ext, (e) => e.lo, 4), color: '#4e79a7', style: 'step', width: 2 },
            { label: '±5 % band', values: flat(1.05), color: '#d4a72c', style: 'threshold', dash: [6, 4], width: 1.25 },
            { label: '−5 %', values: flat(0.95), color: '#d4a72c', style: 'threshold', dash: [6, 4], width: 1.25 },
            { label: '±10 % band', values: flat(1.1), color: '#cf222e', style: 'threshold', dash: [2, 3], width: 1.25 },
            { label: '−10 %', values: flat(0.9), color: '#cf222e', style: 'threshold', dash: [2, 3], width: 1.25 },
          ],
          bands: [{ upper: 0, lower: 1, fill: 'rgba(78,121,167,0.12)' }],
          yRange: [round(Math.min(0.88, minV - 0.01), 3), round(Math.max(1.12, maxV + 0.01), 3)],
        },
        table: {
          columns: [
            { label: 'measure', numeric: false },
            { label: 'value', numeric: true },
            { label: 'where', numeric: false },
          ],
          rows: [
            ['lowest voltage (p.u.)', fixed(worstLo.lo, 4), `${worstLo.loAt}, interval ${worstLo.interval}`],
            ['highest voltage (p.u.)', fixed(worstHi.hi, 4), `${worstHi.hiAt}, interval ${worstHi.interval}`],
            ['intervals outside ±5 %', String(excursions), ''],
            ['intervals outside ±10 %', String(outside(0.9, 1.1)), ''],
          ],
        },
      },
    },
  };
}

function dispatchSection(dispatch: RunFile<readonly DispatchRow[]>, stepSeconds: number | undefined, hours: number | undefined): ReportModel['dispatch'] {
  const rows = rowsOf(dispatch);
  if (rows.length === 0) return { status: 'empty', reason: emptyReason(dispatch, 'rows') };
  const axis = axisOf(rows, stepSeconds);
  const byParticipant = new Map<string, DispatchRow[]>();
  for (const r of rows) {
    let list = byParticipant.get(r.participant);
    if (list === undefined) byParticipant.set(r.participant, (list = []));
    list.push(r);
  }
  const h = hours ?? 0;
  const stats = [...byParticipant.entries()].map(([id, list]) => {
    const sum = (pick: (r: DispatchRow) => number | null): number => list.reduce((s, r) => s + (pick(r) ?? 0), 0);
    const cleared = sum((r) => r.clearedKW);
    const actual = sum((r) => r.actualKW);
    const dev = sum((r) => (r.deviationKW === null ? (r.actualKW !== null && r.clearedKW !== null ? Math.abs(r.actualKW - r.clearedKW) : null) : Math.abs(r.deviationKW)));
    return { id, kind: list[0]?.kind ?? '', node: list[0]?.node ?? '', list, cleared, actual, dev, absCleared: sum((r) => (r.clearedKW === null ? null : Math.abs(r.clearedKW))) };
  });
  stats.sort((a, b) => b.absCleared - a.absCleared || byName(a.id, b.id));
  const choices = [...stats]
    .sort((a, b) => byName(a.id, b.id))
    .map((s) => ({
      id: s.id,
      label: `${s.id} (${s.kind}${s.node === '' ? '' : `, ${s.node}`})`,
      series: [
        { label: 'offered max', values: onAxis(axis, s.list, (r) => r.offeredMaxKW, 3), color: '#8c959f', style: 'step', width: 1, dash: [3, 3] },
        { label: 'offered min', values: onAxis(axis, s.list, (r) => r.offeredMinKW, 3), color: '#8c959f', style: 'step', width: 1, dash: [3, 3] },
        { label: 'cleared', values: onAxis(axis, s.list, (r) => r.clearedKW, 3), color: '#4e79a7', style: 'step', width: 2.5 },
        { label: 'actual', values: onAxis(axis, s.list, (r) => r.actualKW, 3), color: '#f28e2b', style: 'step', width: 2 },
      ] satisfies SeriesSpec[],
    }));
  const initialId = stats[0]?.id;
  const initial = Math.max(0, choices.findIndex((c) => c.id === initialId));
  const energy = (kwSum: number): string => (hours === undefined ? '–' : fixed(kwSum * h, 2));
  return {
    status: 'ok',
    data: {
      chart: {
        chart: { xKind: 'time', x: axis.xStep, yLabel: 'kW (+ export, − import)', decimals: 2, bands: [{ upper: 0, lower: 1, fill: 'rgba(140,149,159,0.15)' }] },
        choices,
        initial,
      },
      table: limitTable({
        columns: [
          { label: 'participant', numeric: false },
          { label: 'kind', numeric: false },
          { label: 'node', numeric: false },
          { label: 'cleared kWh', numeric: true },
          { label: 'actual kWh', numeric: true },
          { label: '|deviation| kWh', numeric: true },
        ],
        rows: stats.map((s) => [s.id, s.kind, s.node, energy(s.cleared), energy(s.actual), energy(s.dev)]),
        note: 'Sorted by cleared energy; positive is export.',
      }),
    },
  };
}

/**
 * Money flows of the ledger. Every line moves money between two parties, so the lines alone always
 * net to zero; the checks that can fail are against the run's own summary (`netByParty`, the
 * settlement engine's positions) and the convention that amounts are not negative.
 */
function moneySection(
  settlement: RunFile<readonly SettlementRow[]>,
  currencyHint: string | undefined,
  summaryNet: Readonly<Record<string, unknown>> | undefined,
): { readonly section: ReportModel['money']; readonly balance: Fact | undefined } {
  const all = rowsOf(settlement);
  if (all.length === 0) return { section: { status: 'empty', reason: emptyReason(settlement, 'ledger lines') }, balance: undefined };
  const counts = new Map<string, number>();
  for (const r of all) counts.set(r.currency ?? '', (counts.get(r.currency ?? '') ?? 0) + 1);
  const currencies = [...counts.keys()].filter((c) => c !== '').sort();
  const currency =
    currencyHint !== undefined && counts.has(currencyHint) ? currencyHint : ([...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '');
  const rows = all.filter((r) => (r.currency ?? '') === currency || (r.currency ?? '') === '');
  // Sums in integer micro-units, so thousands of two-decimal amounts add up exactly.
  const micro = (x: number): number => Math.round(x * 1e6);
  const flows = new Map<string, Map<string, Map<string, { payer: string; payee: string; kind: string; amountMicro: number; lines: number }>>>();
  const net = new Map<string, { receivedMicro: number; paidMicro: number }>();
  const partyOf = (id: string): { receivedMicro: number; paidMicro: number } => {
    let p = net.get(id);
    if (p === undefined) net.set(id, (p = { receivedMicro: 0, paidMicro: 0 }));
    return p;
  };
  let totalMicro = 0;
  for (const r of rows) {
    const m = micro(r.amount);
    totalMicro += m;
    let byPayee = flows.get(r.payer);
    if (byPayee === undefined) flows.set(r.payer, (byPayee = new Map()));
    let byKind = byPayee.get(r.payee);
    if (byKind === undefined) byPayee.set(r.payee, (byKind = new Map()));
    let f = byKind.get(r.kind);
    if (f === undefined) byKind.set(r.kind, (f = { payer: r.payer, payee: r.payee, kind: r.kind, amountMicro: 0, lines: 0 }));
    f.amountMicro += m;
    f.lines++;
    partyOf(r.payer).paidMicro += m;
    partyOf(r.payee).receivedMicro += m;
  }
  const flowList = [...flows.values()]
    .flatMap((byPayee) => [...byPayee.values()].flatMap((byKind) => [...byKind.values()]))
    .map((f) => ({ payer: f.payer, payee: f.payee, kind: f.kind, lines: f.lines, amount: f.amountMicro / 1e6 }))
    .sort((a, b) => b.amount - a.amount || byName(a.payer, b.payer) || byName(a.payee, b.payee) || byName(a.kind, b.kind));
  const parties = [...net.entries()].map(([party, v]) => ({ party, received: v.receivedMicro / 1e6, paid: v.paidMicro / 1e6, net: (v.receivedMicro - v.paidMicro) / 1e6 }));
  parties.sort((a, b) => Math.abs(b.net) - Math.abs(a.net) || byName(a.party, b.party));
  const total = totalMicro / 1e6;
  const negative = rows.filter((r) => r.amount < 0).length;
  const mismatched: string[] = [];
  if (summaryNet !== undefined) {
    const names = new Set([...net.keys(), ...Object.keys(summaryNet)]);
    for (const party of [...names].sort(byName)) {
      const raw = summaryNet[party];
      const expected = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : 0;
      const own = net.get(party);
      const actual = own === undefined ? 0 : own.receivedMicro - own.paidMicro;
      if (!Number.isFinite(expected) || Math.abs(micro(expected) - actual) >= 5_000) mismatched.push(party);
    }
  }
  const balance: Fact =
    summaryNet !== undefined
      ? {
          label: 'ledger matches summary',
          value: mismatched.length === 0 ? `yes (${net.size} parties)` : `NO: ${mismatched.length} parties differ`,
          tone: mismatched.length === 0 && negative === 0 ? 'good' : 'bad',
        }
      : { label: 'ledger lines', value: `${rows.length}${negative === 0 ? '' : `, ${negative} negative`}`, tone: negative === 0 ? 'good' : 'bad' };
  let bars = parties.slice(0, MAX_BARS);
  const rest = parties.slice(MAX_BARS);
  if (rest.length > 0) {
    bars = [...parties.slice(0, MAX_BARS - 1), { party: `others (${rest.length + 1})`, received: 0, paid: 0, net: [parties[MAX_BARS - 1], ...rest].reduce((s, p) => s + (p?.net ?? 0), 0) }];
  }
  const notes: string[] = [];
  if (mismatched.length > 0) notes.push(`Net positions differ from summary.json for: ${mismatched.slice(0, 10).join(', ')}${mismatched.length > 10 ? ', …' : ''}.`);
  if (negative > 0) notes.push(`${negative} ledger lines have a negative amount; amounts should be ≥ 0 with payer and payee swapped instead.`);
  if (currencies.length > 1) notes.push(`Amounts in ${currency} only; the run also settled in ${currencies.filter((c) => c !== currency).join(', ')}.`);
  if (rest.length > 0) notes.push(`The chart shows the ${MAX_BARS - 1} parties with the largest net positions; the rest are summed.`);
  return {
    balance,
    section: {
      status: 'ok',
      data: {
        chart: {
          xKind: 'category',
          x: bars.map((_, i) => i),
          categories: bars.map((b) => b.party),
          yLabel: `net position (${currency === '' ? 'currency' : currency})`,
          decimals: 2,
          series: [
            { label: 'receives', values: bars.map((b) => (b.net >= 0 ? round(b.net, 2) : null)), color: '#59a14f', style: 'bars' },
            { label: 'pays', values: bars.map((b) => (b.net < 0 ? round(b.net, 2) : null)), color: '#e15759', style: 'bars' },
          ],
        },
        flows: limitTable({
          columns: [
            { label: 'payer', numeric: false },
            { label: 'payee', numeric: false },
            { label: 'kind', numeric: false },
            { label: 'lines', numeric: true },
            { label: `amount ${currency}`, numeric: true },
          ],
          rows: flowList.map((f) => [f.payer, f.payee, f.kind, String(f.lines), fixed(f.amount, 2)]),
          note: `Total settled: ${fixed(total, 2)} ${currency} in ${rows.length} ledger lines.`,
        }),
        net: limitTable({
          columns: [
            { label: 'party', numeric: false },
            { label: 'receives', numeric: true },
            { label: 'pays', numeric: true },
            { label: 'net', numeric: true },
          ],
          rows: parties.map((p) => [p.party, fixed(p.received, 2), fixed(p.paid, 2), fixed(p.net, 2)]),
        }),
        balance,
        ...(notes.length === 0 ? {} : { note: notes.join(' ') }),
      },
    },
  };
}

function sequenceSection(run: RunFolder, clock: IntervalClock | undefined, opts: ReportOptions, problems: Diagnostic[]): ReportModel['sequence'] {
  const messages = rowsOf(run.messages);
  if (messages.length === 0) return { status: 'empty', reason: emptyReason(run.messages, 'messages') };
  const participants = run.scenario.state === 'ok' ? participantsFromScenario(run.scenario.value) : [];
  const acks = rowsOf(run.acks);
  const intervals = intervalsInTrace(messages, clock);
  const interval = opts.diagramInterval ?? intervals[0];
  const base = { participants, acks, collapse: true, collapseMinGroup: 3, ...(clock === undefined ? {} : { clock }) };
  const diagram =
    interval === undefined
      ? buildSequenceDiagram(messages.slice(0, MAX_DIAGRAM_MESSAGES), { ...base, title: 'Message sequence' })
      : buildSequenceDiagram(messages, { ...base, interval, includeUnscoped: interval === intervals[0], title: `Message sequence of interval ${interval}` });
  problems.push(...diagram.diagnostics.slice(0, 20));
  if (diagram.messageCount === 0) {
    return { status: 'empty', reason: `No data in this run: no messages belong to interval ${interval ?? '?'}.` };
  }
  const caption =
    interval === undefined
      ? `No interval could be told from the transaction ids or contract validity, so the first ${Math.min(messages.length, MAX_DIAGRAM_MESSAGES)} messages are drawn, similar ones merged.`
      : `${diagram.messageCount} messages of interval ${interval}${interval === intervals[0] ? ' (with the discovery before it)' : ''}, participants of one kind merged when there are three or more. Solid arrows are requests, dashed ones callbacks; red crosses are NACKs.`;
  return { status: 'ok', data: { caption, svg: toSvg(diagram, { idPrefix: 'seq' }), mermaid: toMermaid(diagram) } };
}

function messagesSection(run: RunFolder): { readonly section: ReportModel['messages']; readonly total: number; readonly nacks: number } {
  const messages = rowsOf(run.messages);
  const acks = rowsOf(run.acks);
  if (messages.length === 0 && acks.length === 0) return { section: { status: 'empty', reason: emptyReason(run.messages, 'messages') }, total: 0, nacks: 0 };
  const byAction = new Map<string, { count: number; nack: number }>();
  const actionOf = (m: unknown): string => {
    if (!isRecord(m) || !isRecord(m['context'])) return '(unreadable)';
    return text(m['context']['action']) ?? '(no action)';
  };
  for (const m of messages) {
    const a = actionOf(m);
    const e = byAction.get(a) ?? { count: 0, nack: 0 };
    e.count++;
    byAction.set(a, e);
  }
  const nackRows: string[][] = [];
  let nacks = 0;
  for (const a of acks) {
    if (!isRecord(a) || a['ack'] !== 'NACK') continue;
    nacks++;
    const action = text(a['action']) ?? '?';
    const e = byAction.get(action) ?? { count: 0, nack: 0 };
    e.nack++;
    byAction.set(action, e);
    const err = isRecord(a['error']) ? a['error'] : {};
    nackRows.push([text(a['messageId']) ?? '?', action, text(a['from']) ?? '?', text(a['to']) ?? '?', String(err['code'] ?? ''), text(err['message']) ?? '']);
  }
  const order = (a: string): number => {
    const base = a.replace(/^on_/, '');
    const i = ['discover', 'select', 'init', 'confirm', 'status', 'update', 'track', 'cancel', 'rating', 'support'].indexOf(base);
    return (i < 0 ? 100 : i) * 2 + (a.startsWith('on_') ? 1 : 0);
  };
  const actions = [...byAction.entries()].sort((a, b) => order(a[0]) - order(b[0]) || byName(a[0], b[0]));
  const nackTable: TableSpec | undefined =
    nackRows.length === 0
      ? undefined
      : limitTable({
          columns: ['message', 'action', 'from', 'to', 'code', 'error'].map((label) => ({ label, numeric: false })),
          rows: nackRows,
        });
  return {
    total: messages.length,
    nacks,
    section: {
      status: 'ok',
      data: {
        byAction: {
          columns: [
            { label: 'action', numeric: false },
            { label: 'messages', numeric: true },
            { label: 'NACK', numeric: true },
          ],
          rows: actions.map(([a, e]) => [a, String(e.count), String(e.nack)]),
        },
        ...(nackTable === undefined ? {} : { nacks: nackTable }),
      },
    },
  };
}

/**
 * Builds the report model of a run folder: every chart as data with fixed decimals, every table as
 * formatted text, and for each missing or empty file a section that says so. Pure: the same run
 * folder gives the same model.
 */
export function buildReportModel(run: RunFolder, opts: ReportOptions = {}): ReportModel {
  const summary = run.summary.state === 'ok' && isRecord(run.summary.value) ? run.summary.value : {};
  const scenario = run.scenario.state === 'ok' ? run.scenario.value : undefined;
  const clock = clockFrom(summary, scenario);
  const clearing = rowsOf(run.clearing);
  const flows = rowsOf(run.flows);
  const root = rootNodeOf(clearing, flows);
  const stepSeconds = clock === undefined ? undefined : clock.intervalMinutes * 60;
  const inferredStep = ((): number | undefined => {
    if (stepSeconds !== undefined) return stepSeconds;
    const axis = axisOf([...clearing, ...rowsOf(run.dispatch)], undefined);
    const [a, b] = axis.x;
    return a !== undefined && b !== undefined && b > a ? b - a : undefined;
  })();
  const hours = inferredStep === undefined ? undefined : inferredStep / 3600;
  const currency = text(summary['currency']);

  const problems: Diagnostic[] = [...run.diagnostics];
  const loading = loadingSection(run.flows, inferredStep);
  const voltage = voltageSection(run.flows, inferredStep);
  const money = moneySection(run.settlement, currency, isRecord(summary['netByParty']) ? summary['netByParty'] : undefined);
  const messages = messagesSection(run);
  const sequence = sequenceSection(run, clock, opts, problems);

  const scenarioName = text(summary['scenario']) ?? (isRecord(scenario) ? text(scenario['name']) : undefined) ?? basename(run.dir);
  const facts: Fact[] = [];
  const add = (label: string, value: string | undefined, tone?: Fact['tone']): void => {
    if (value !== undefined) facts.push(tone === undefined ? { label, value } : { label, value, tone });
  };
  const seed = num(summary['seed']);
  add('seed', seed === undefined ? undefined : String(seed));
  add('profile', text(summary['profile']));
  const intervals = num(summary['intervals']);
  add('intervals', intervals === undefined ? undefined : `${intervals}${clock === undefined ? '' : ` × ${clock.intervalMinutes} min`}`);
  add('start (UTC)', readableTime(clock?.start ?? text(summary['start'])));
  add('currency', currency);
  const traded = num(summary['energyTradedKWh']);
  add('energy traded', traded === undefined ? undefined : `${fixed(traded, 2)} kWh`);
  const price = isRecord(summary['price']) ? summary['price'] : undefined;
  if (price !== undefined) {
    const p = (k: string): string => fixed(num(price[k]), 4);
    add('clearing price mean', p('mean'));
    add('price min / max', `${p('min')} / ${p('max')}`);
    add('price volatility', p('volatility'));
  }
  add('messages', messages.section.status === 'ok' ? String(messages.total) : undefined);
  add('NACKs', messages.section.status === 'ok' ? String(messages.nacks) : undefined, messages.nacks > 0 ? 'warn' : 'good');
  add('element-intervals over limit', loading.section.status === 'ok' ? String(loading.violations) : undefined, loading.violations > 0 ? 'bad' : 'good');
  add('intervals outside ±5 % voltage', voltage.section.status === 'ok' ? String(voltage.excursions) : undefined, voltage.excursions > 0 ? 'warn' : 'good');
  if (money.balance !== undefined) facts.push(money.balance);

  // The folder's own name is left out: a run copied or written elsewhere gives the same report.
  const subtitleParts: string[] = [];
  const start = text(summary['start']);
  if (start !== undefined) subtitleParts.push(`from ${start}`);
  if (text(summary['profile']) !== undefined) subtitleParts.push(`profile ${text(summary['profile'])}`);
  if (seed !== undefined) subtitleParts.push(`seed ${seed}`);
  return {
    title: `degsim report: ${scenarioName}`,
    subtitle: subtitleParts.join(' · '),
    facts,
    price: priceSection(run.clearing, root, inferredStep),
    volumes: volumesSection(run.clearing, root, inferredStep, hours),
    loading: loading.section,
    voltage: voltage.section,
    dispatch: dispatchSection(run.dispatch, inferredStep, hours),
    money: money.section,
    sequence,
    messages: messages.section,
    problems: problems.map(formatDiagnostic),
  };
}
