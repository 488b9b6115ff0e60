import { BRANCH_LINE, type CompiledFeeder } from './compile.js';
import { FEEDER_HEAD_ID, type FlowLimits } from './feeder.js';
import { branchFlows, type PowerFlowSolution } from './powerflow.js';

export type FlowElementKind = 'feeder-head' | 'transformer' | 'line' | 'bus';

/**
 * One row of `flows.csv` for one interval. Direction: forward = towards the customers (away from
 * the slack bus); `loadingKW` is signed (negative = reverse flow) and `reverse` says so plainly.
 */
export interface FlowRow {
  readonly element: string;
  readonly kind: FlowElementKind;
  /**
   * Feeder head: power drawn from the upstream grid. Transformer and line: active power entering
   * at the upstream end. Bus: net consumption at the bus. kW, negative = reverse / export.
   */
  readonly loadingKW: number;
  /** The limit for the present direction (forward or reverse), kW; null when the element has none. */
  readonly limitKW: number | null;
  /** |loadingKW| as % of `limitKW`; null without a limit. */
  readonly loadingPct: number | null;
  readonly reverse: boolean;
  /** Secondary bus of a transformer, downstream bus of a line, the slack bus for the head, pu. */
  readonly voltagePu: number;
  /** Series losses of the element (of the whole feeder for the head), kW. */
  readonly lossesKW: number;
  /**
   * Thermal loading: apparent power as % of a transformer's kVA rating, current as % of a line's
   * rated current; null when not rated.
   */
  readonly ratingPct: number | null;
}

/** A bus outside the voltage band: `warning` beyond ±5 %, `limit` beyond ±10 % (defaults). */
export interface VoltageViolation {
  readonly kind: 'under-voltage' | 'over-voltage';
  readonly severity: 'warning' | 'limit';
  readonly bus: string;
  readonly voltagePu: number;
  /** The band edge crossed, pu (e.g. 0.95 or 1.10). */
  readonly boundPu: number;
}

/** A transformer, the feeder head or a line beyond its limit. */
export interface LimitViolation {
  readonly kind: 'forward-limit' | 'reverse-limit' | 'thermal-limit';
  readonly element: string;
  readonly elementKind: 'feeder-head' | 'transformer' | 'line';
  /** kW for forward/reverse limits, % of rating for thermal limits. */
  readonly value: number;
  readonly limit: number;
}

export interface FlowReport {
  readonly rows: readonly FlowRow[];
  readonly voltageViolations: readonly VoltageViolation[];
  readonly limitViolations: readonly LimitViolation[];
}

/** Limits and bands the report checks against; everything defaults to the feeder's own data. */
export interface FlowRatings {
  /** Per-transformer limits for this interval (e.g. dynamic ratings), by transformer id. */
  readonly transformerLimits?: ReadonlyMap<string, FlowLimits>;
  /** Feeder-head limits; default `feeder.headLimits` (none: no head limit). */
  readonly headLimits?: FlowLimits;
  /** Half-width of the warning band around 1 pu. Default 0.05. */
  readonly voltageWarningPu?: number;
  /** Half-width of the statutory band around 1 pu. Default 0.10. */
  readonly voltageLimitPu?: number;
  /** Add a row per line. Default false. */
  readonly includeLines?: boolean;
  /** Add a row per bus. Default false (voltage violations are always listed). */
  readonly includeBuses?: boolean;
}

function pct(value: number, limit: number | null): number | null {
  if (limit === null) return null;
  if (limit === 0) return value === 0 ? 0 : Number.POSITIVE_INFINITY;
  return (100 * Math.abs(value)) / limit;
}

/**
 * The rows of `flows.csv` for one solved interval, in a stable order: the feeder head, every
 * transformer (feeder order), then optionally lines and buses; with every bus outside the voltage
 * band and every element beyond its limit (a limit is exceeded only strictly: at the limit is fine).
 */
export function flowReport(compiled: CompiledFeeder, result: PowerFlowSolution, ratings: FlowRatings = {}): FlowReport {
  const warnPu = ratings.voltageWarningPu ?? 0.05;
  const limitPu = ratings.voltageLimitPu ?? 0.1;
  const flows = branchFlows(compiled, result);
  const rows: FlowRow[] = [];
  const limitViolations: LimitViolation[] = [];
  const voltage = (i: number): number => Math.hypot(result.vRe[i]!, result.vIm[i]!);

  const checkDirectional = (element: string, elementKind: 'feeder-head' | 'transformer', loadingKW: number, lim: FlowLimits | undefined): number | null => {
    if (lim === undefined) return null;
    const reverse = loadingKW < 0;
    const limit = reverse ? lim.maxReverseFlowKW : lim.maxForwardFlowKW;
    if (Math.abs(loadingKW) > limit) {
      limitViolations.push({ kind: reverse ? 'reverse-limit' : 'forward-limit', element, elementKind, value: loadingKW, limit });
    }
    return limit;
  };

  const head = ratings.headLimits ?? compiled.feeder.headLimits;
  const headLimit = checkDirectional(FEEDER_HEAD_ID, 'feeder-head', result.slackPKW, head);
  rows.push({
    element: FEEDER_HEAD_ID,
    kind: 'feeder-head',
    loadingKW: result.slackPKW,
    limitKW: headLimit,
    loadingPct: pct(result.slackPKW, headLimit),
    reverse: result.slackPKW < 0,
    voltagePu: voltage(0),
    lossesKW: result.lossesKW,
    ratingPct: null,
  });

  compiled.transformers.forEach((t, k) => {
    const i = compiled.transformerBranch[k]!;
    const p = flows.pSendKW[i]!;
    const lim = ratings.transformerLimits?.get(t.id) ?? t;
    const limit = checkDirectional(t.id, 'transformer', p, lim);
    const ratingPct = (100 * Math.hypot(p, flows.qSendKVAr[i]!)) / t.ratingKVA;
    if (ratingPct > 100) limitViolations.push({ kind: 'thermal-limit', element: t.id, elementKind: 'transformer', value: ratingPct, limit: 100 });
    rows.push({
      element: t.id,
      kind: 'transformer',
      loadingKW: p,
      limitKW: limit,
      loadingPct: pct(p, limit),
      reverse: p < 0,
      voltagePu: voltage(i),
      lossesKW: flows.lossesKW[i]!,
      ratingPct,
    });
  });

  const includeLines = ratings.includeLines === true;
  compiled.lines.forEach((l, k) => {
    const i = compiled.lineBranch[k]!;
    if (i < 0 || compiled.branchKind[i] !== BRANCH_LINE) return;
    const ratingPct = l.ratedA === undefined ? null : (100 * flows.currentA[i]!) / l.ratedA;
    if (ratingPct !== null && ratingPct > 100) limitViolations.push({ kind: 'thermal-limit', element: l.id, elementKind: 'line', value: ratingPct, limit: 100 });
    if (!includeLines) return;
    const p = flows.pSendKW[i]!;
    rows.push({
      element: l.id,
      kind: 'line',
      loadingKW: p,
      limitKW: null,
      loadingPct: null,
      reverse: p < 0,
      voltagePu: voltage(i),
      lossesKW: flows.lossesKW[i]!,
      ratingPct,
    });
  });

  const voltageViolations: VoltageViolation[] = [];
  const includeBuses = ratings.includeBuses === true;
  const netKW = includeBuses ? netBusConsumptionKW(compiled, result.slackPKW, flows.pSendKW, flows.pReceiveKW) : undefined;
  for (const i of compiled.feederBusOrder) {
    const v = voltage(i);
    const dev = v - 1;
    if (Math.abs(dev) > warnPu) {
      const over = dev > 0;
      const severity = Math.abs(dev) > limitPu ? 'limit' : 'warning';
      const band = severity === 'limit' ? limitPu : warnPu;
      voltageViolations.push({
        kind: over ? 'over-voltage' : 'under-voltage',
        severity,
        bus: compiled.busIds[i]!,
        voltagePu: v,
        boundPu: over ? 1 + band : 1 - band,
      });
    }
    if (netKW !== undefined) {
      const net = netKW[i]!;
      rows.push({ element: compiled.busIds[i]!, kind: 'bus', loadingKW: net, limitKW: null, loadingPct: null, reverse: net < 0, voltagePu: v, lossesKW: 0, ratingPct: null });
    }
  }
  return { rows, voltageViolations, limitViolations };
}

/** Columns of `flows.csv` after any interval columns the caller puts in front. */
export const FLOW_CSV_COLUMNS = ['element', 'kind', 'loadingKW', 'limitKW', 'loadingPct', 'reverse', 'voltagePu', 'lossesKW', 'ratingPct'] as const;

/** Decimals per numeric column of `flows.csv`. */
export const FLOW_CSV_DECIMALS = { loadingKW: 3, limitKW: 3, loadingPct: 2, voltagePu: 5, lossesKW: 3, ratingPct: 2 } as const;

function fixed(x: number | null, decimals: number): string {
  if (x === null) return '';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const s = x.toFixed(decimals);
  return Number(s) === 0 ? (0).toFixed(decimals) : s;
}

function csvText(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The cells of one row, formatted with fixed decimals (empty cell for "no limit"). */
export function flowCsvCells(row: FlowRow): string[] {
  const d = FLOW_CSV_DECIMALS;
  return [
    csvText(row.element),
    row.kind,
    fixed(row.loadingKW, d.loadingKW),
    fixed(row.limitKW, d.limitKW),
    fixed(row.loadingPct, d.loadingPct),
    row.reverse ? 'true' : 'false',
    fixed(row.voltagePu, d.voltagePu),
    fixed(row.lossesKW, d.lossesKW),
    fixed(row.ratingPct, d.ratingPct),
  ];
}

/**
 * `flows.csv` text (header + rows, `\n` line ends). `prefix` adds leading columns with the same
 * values on every row, e.g. `{ columns: ['interval', 'start'], values: ['3', '2025-06-01T00:45:00Z'] }`.
 */
export function flowRowsToCsv(rows: readonly FlowRow[], prefix?: { readonly columns: readonly string[]; readonly values: readonly string[] }): string {
  const head = [...(prefix?.columns ?? []), ...FLOW_CSV_COLUMNS].join(',');
  const lead = prefix === undefined ? [] : prefix.values.map(csvText);
  return `${[head, ...rows.map((r) => [...lead, ...flowCsvCells(r)].join(','))].join('\n')}\n`;
}

/** Net consumption per bus implied by the solved flows (power in minus power out), kW. O(buses). */
function netBusConsumptionKW(compiled: CompiledFeeder, slackPKW: number, pSendKW: Float64Array, pReceiveKW: Float64Array): Float64Array {
  const n = compiled.busCount;
  const net = new Float64Array(n);
  net[0] = slackPKW;
  for (let i = 1; i < n; i++) net[i] = pReceiveKW[i]!;
  for (let i = 1; i < n; i++) {
    const p = compiled.parent[i]!;
    net[p] = net[p]! - pSendKW[i]!;
  }
  return net;
}
