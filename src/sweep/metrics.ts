import { join } from 'node:path';
import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { sampleStandardDeviation } from './stats.js';
import { columnIndex, countLines, numericCell, readCsv, readJsonObject, type CsvTable } from '../compare/run-folder.js';

/**
 * The per-run metrics row of a sweep, computed only from the files of a run folder. Every
 * executor (local worker threads, a queue) produces the same row for the same folder.
 */

/** Metrics of one run. Money is in the scenario currency; `null` means "not defined for this run". */
export interface RunMetrics {
  /** Σ over intervals of the root's cleared supply (kW) × interval length (h). */
  readonly energyTradedKWh: number;
  /** Mean, min and max of the root clearing price over intervals that have one (currency/kWh). */
  readonly priceMeanPerKWh: number | null;
  readonly priceMinPerKWh: number | null;
  readonly priceMaxPerKWh: number | null;
  /** Sample standard deviation of the interval-to-interval change of the root price; 0 with < 2 changes. */
  readonly priceVolatilityPerKWh: number | null;
  /** Net money received per party kind (received − paid); the values sum to 0 when money is conserved. */
  readonly revenueByKind: Readonly<Record<string, number>>;
  /** Σ amount of settlement lines of kind `imbalance` (the MCA's imbalance cost). */
  readonly imbalanceCost: number;
  /** Σ amount of settlement lines of kind `deviation`. */
  readonly deviationCost: number;
  /** `summary.json` field `unmetEvEnergyKWh`, 0 when absent. */
  readonly unmetEvEnergyKWh: number;
  /** Rows of flows.csv with kind `transformer` and loadingPct > 100. */
  readonly transformerViolations: number;
  /** Lines of messages.ndjson. */
  readonly messages: number;
}

/** The fixed (non-revenue) metric names, in table order around the revenue columns. */
export type FixedMetric = Exclude<keyof RunMetrics, 'revenueByKind'>;

/** Which way a metric should move for a setting to count as better. */
export type Better = 'lower' | 'higher';

/** How a metric column is printed and judged. */
export interface MetricColumn {
  /** CSV header. */
  readonly header: string;
  /** Short human label for sweep.md. */
  readonly label: string;
  readonly decimals: number;
  readonly better: Better;
  /** Reads the value from a row (undefined/null: not available). */
  readonly get: (m: RunMetrics) => number | null;
}

/** Party kinds in table order; other kinds found in runs follow alphabetically. */
export const PARTY_KIND_ORDER = ['cpo', 'prosumer', 'consumer', 'battery', 'aggregator', 'p2p-seller', 'p2p-buyer', 'ev-driver', 'mca', 'utility', 'government', 'other'] as const;

function fixed(header: FixedMetric, label: string, decimals: number, better: Better): MetricColumn {
  return { header, label, decimals, better, get: (m) => m[header] };
}

const LEADING: readonly MetricColumn[] = [
  fixed('energyTradedKWh', 'energy traded (kWh)', 3, 'higher'),
  fixed('priceMeanPerKWh', 'mean price (per kWh)', 4, 'lower'),
  fixed('priceMinPerKWh', 'min price (per kWh)', 4, 'higher'),
  fixed('priceMaxPerKWh', 'max price (per kWh)', 4, 'lower'),
  fixed('priceVolatilityPerKWh', 'price volatility (per kWh)', 4, 'lower'),
];

const TRAILING: readonly MetricColumn[] = [
  fixed('imbalanceCost', 'MCA imbalance cost', 2, 'lower'),
  fixed('deviationCost', 'deviation cost', 2, 'lower'),
  fixed('unmetEvEnergyKWh', 'unmet EV energy (kWh)', 3, 'lower'),
  fixed('transformerViolations', 'transformer violations', 0, 'lower'),
  fixed('messages', 'messages', 0, 'lower'),
];

/** Orders party kinds: the known ones first in {@link PARTY_KIND_ORDER}, then the rest by code unit. */
export function sortPartyKinds(kinds: Iterable<string>): string[] {
  const known: readonly string[] = PARTY_KIND_ORDER;
  const rank = (k: string): number => {
    const i = known.indexOf(k);
    return i < 0 ? known.length : i;
  };
  return [...new Set(kinds)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The metric columns of a table whose runs saw these party kinds. Revenue is better higher for its kind. */
export function metricColumns(partyKinds: Iterable<string>): readonly MetricColumn[] {
  const revenue = sortPartyKinds(partyKinds).map(
    (kind): MetricColumn => ({ header: `revenue_${kind}`, label: `revenue of ${kind}`, decimals: 2, better: 'higher', get: (m) => m.revenueByKind[kind] ?? 0 }),
  );
  return [...LEADING, ...revenue, ...TRAILING];
}

/**
 * The kind of a party that has no dispatch row (it does not trade energy itself), from its id:
 * `mca` (market clearing agent), `utility` (grid operator) or `government`; otherwise `other`.
 */
export function roleKind(partyId: string): string {
  const id = partyId.toLowerCase();
  if (/(^|[^a-z])mca([^a-z]|$)|market-clearing|clearing-agent/.test(id)) return 'mca';
  if (/utility|grid-operator|(^|[^a-z])(dso|discom)([^a-z]|$)/.test(id)) return 'utility';
  if (/gov|(^|[^a-z])tax/.test(id)) return 'government';
  return 'other';
}

function need(table: CsvTable, names: readonly string[], errors: Diagnostic[]): number[] | undefined {
  const idx = names.map((n) => columnIndex(table, n));
  const missing = names.filter((_, i) => (idx[i] ?? -1) < 0);
  if (missing.length > 0) {
    errors.push({ code: 'sweep.metrics.columns', path: '', message: `missing column(s) ${missing.join(', ')}`, file: table.file });
    return undefined;
  }
  return idx;
}

function loadTable(dir: string, name: string, required: boolean, errors: Diagnostic[]): CsvTable | undefined {
  const r = readCsv(dir, name);
  if (r === undefined) {
    if (required) errors.push({ code: 'sweep.metrics.missing', path: '', message: `the run folder has no ${name}`, file: join(dir, name) });
    return undefined;
  }
  if (!r.ok) {
    errors.push(...r.errors);
    return undefined;
  }
  return r.value;
}

/**
 * Computes the metrics of the run folder `dir`. `clearing.csv` is required; dispatch, flows,
 * settlement, messages and summary are optional (absent ⇒ their metrics are 0). The root of
 * clearing.csv is the row whose node is `market` or a feeder head of flows.csv; when neither is
 * present, the first row of each interval.
 */
export function computeRunMetrics(dir: string): Result<RunMetrics> {
  const errors: Diagnostic[] = [];
  const clearing = loadTable(dir, 'clearing.csv', true, errors);
  const dispatch = loadTable(dir, 'dispatch.csv', false, errors);
  const flows = loadTable(dir, 'flows.csv', false, errors);
  const settlement = loadTable(dir, 'settlement.csv', false, errors);
  const summaryR = readJsonObject(dir, 'summary.json');
  if (summaryR !== undefined && !summaryR.ok) errors.push(...summaryR.errors);
  const summary = summaryR?.ok === true ? summaryR.value : {};

  const intervalMinutes = typeof summary['intervalMinutes'] === 'number' && summary['intervalMinutes'] > 0 ? summary['intervalMinutes'] : 15;
  const unmet = typeof summary['unmetEvEnergyKWh'] === 'number' && Number.isFinite(summary['unmetEvEnergyKWh']) ? summary['unmetEvEnergyKWh'] : 0;

  const feederHeads = new Set<string>();
  let transformerViolations = 0;
  if (flows !== undefined) {
    const idx = need(flows, ['element', 'kind', 'loadingPct'], errors);
    if (idx !== undefined) {
      const [iEl, iKind, iPct] = idx as [number, number, number];
      for (const row of flows.rows) {
        const kind = row[iKind];
        if (kind === 'feeder-head') feederHeads.add(row[iEl] ?? '');
        if (kind === 'transformer' && (numericCell(row[iPct]) ?? 0) > 100) transformerViolations++;
      }
    }
  }

  let energyTradedKWh = 0;
  const prices: { interval: number; price: number }[] = [];
  if (clearing !== undefined) {
    const idx = need(clearing, ['interval', 'node', 'price', 'clearedSupplyKW'], errors);
    if (idx !== undefined) {
      const [iInt, iNode, iPrice, iSupply] = idx as [number, number, number, number];
      const rootByInterval = new Map<number, readonly string[]>();
      const firstByInterval = new Map<number, readonly string[]>();
      for (const row of clearing.rows) {
        const interval = numericCell(row[iInt]);
        if (interval === undefined) {
          errors.push({ code: 'sweep.metrics.interval', path: '', message: `interval "${row[iInt] ?? ''}" is not a number`, file: clearing.file });
          continue;
        }
        const node = row[iNode] ?? '';
        if (!firstByInterval.has(interval)) firstByInterval.set(interval, row);
        if ((node === 'market' || feederHeads.has(node)) && !rootByInterval.has(interval)) rootByInterval.set(interval, row);
      }
      const roots = rootByInterval.size > 0 ? rootByInterval : firstByInterval;
      const hours = intervalMinutes / 60;
      for (const interval of [...roots.keys()].sort((a, b) => a - b)) {
        const row = roots.get(interval) ?? [];
        energyTradedKWh += (numericCell(row[iSupply]) ?? 0) * hours;
        const price = numericCell(row[iPrice]);
        if (price !== undefined) prices.push({ interval, price });
      }
    }
  }

  const revenueByKind = new Map<string, number>();
  let imbalanceCost = 0;
  let deviationCost = 0;
  if (settlement !== undefined) {
    const kindAt = new Map<string, string>();
    const kindOf = new Map<string, string>();
    if (dispatch !== undefined) {
      const idx = need(dispatch, ['interval', 'participant', 'kind'], errors);
      if (idx !== undefined) {
        const [iInt, iPart, iKind] = idx as [number, number, number];
        for (const row of dispatch.rows) {
          const party = row[iPart] ?? '';
          const kind = row[iKind] ?? '';
          kindAt.set(`${row[iInt] ?? ''}\u0000${party}`, kind);
          if (!kindOf.has(party)) kindOf.set(party, kind);
        }
      }
    }
    const partyKind = (interval: string, party: string): string => kindAt.get(`${interval}\u0000${party}`) ?? kindOf.get(party) ?? roleKind(party);
    const idx = need(settlement, ['interval', 'payer', 'payee', 'kind', 'amount'], errors);
    if (idx !== undefined) {
      const [iInt, iPayer, iPayee, iKind, iAmount] = idx as [number, number, number, number, number];
      for (const row of settlement.rows) {
        const amount = numericCell(row[iAmount]);
        if (amount === undefined) {
          errors.push({ code: 'sweep.metrics.amount', path: '', message: `amount "${row[iAmount] ?? ''}" is not a number`, file: settlement.file });
          continue;
        }
        const interval = row[iInt] ?? '';
        const payer = partyKind(interval, row[iPayer] ?? '');
        const payee = partyKind(interval, row[iPayee] ?? '');
        revenueByKind.set(payer, (revenueByKind.get(payer) ?? 0) - amount);
        revenueByKind.set(payee, (revenueByKind.get(payee) ?? 0) + amount);
        const kind = row[iKind];
        if (kind === 'imbalance') imbalanceCost += amount;
        else if (kind === 'deviation') deviationCost += amount;
      }
    }
  }

  if (errors.length > 0) return fail(errors);

  const changes: number[] = [];
  for (let i = 1; i < prices.length; i++) changes.push((prices[i]?.price ?? 0) - (prices[i - 1]?.price ?? 0));
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const p of prices) {
    sum += p.price;
    min = Math.min(min, p.price);
    max = Math.max(max, p.price);
  }
  const any = prices.length > 0;
  return ok({
    energyTradedKWh,
    priceMeanPerKWh: any ? sum / prices.length : null,
    priceMinPerKWh: any ? min : null,
    priceMaxPerKWh: any ? max : null,
    priceVolatilityPerKWh: any ? sampleStandardDeviation(changes) : null,
    revenueByKind: Object.fromEntries(sortPartyKinds(revenueByKind.keys()).map((k) => [k, revenueByKind.get(k) ?? 0])),
    imbalanceCost,
    deviationCost,
    unmetEvEnergyKWh: unmet,
    transformerViolations,
    messages: countLines(dir, 'messages.ndjson'),
  });
}
