import type { Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import type { ClearingResult } from '../market/types.js';
import { simulate, type Simulation } from '../run/simulate.js';
import type { GridMode, Scenario } from '../scenario/types.js';
import { currencyExponent, formatMinor } from '../settlement/money.js';

/**
 * Grid services compared: the same scenario and seed cleared with transformer limits enforced
 * (`exact`: locational prices from the limits' shadow prices, offsets on plateaus), with the
 * utility's forecast-based adders (`policy`: limits only checked afterwards) and without grid
 * awareness (`none`: one copper-plate price). For each mode: the limit violations the power flow
 * found, how far the worst transformer went, what was traded and at what price, the offsets the
 * operator commanded and what the participants' bills came to. Against `none`, the cost of the
 * violations avoided is the trade the limits held back: in each interval the energy `none` traded
 * beyond the mode's, valued at `none`'s clearing price.
 */

/** Parties that run the market or the grid, or collect taxes: not counted as participants. */
const NOT_PARTICIPANTS = new Set(['mca', 'utility']);

export interface GridModeRow {
  readonly mode: GridMode;
  /** Transformer-intervals whose flow broke a forward or reverse limit. */
  readonly violations: number;
  /** Highest transformer loading against its limit in the flow's direction, percent. */
  readonly maxLoadingPct: number;
  /** Largest reverse flow through any transformer, kW (≥ 0). */
  readonly maxReverseKW: number;
  /** Energy matched by the market, kWh. */
  readonly tradedKWh: number;
  /** Mean market (root) clearing price, per kWh. */
  readonly meanPricePerKWh: number;
  /** Lowest locational price at any node, per kWh. */
  readonly minNodePricePerKWh: number;
  /** Offsets the grid operator commanded on plateaus, Σ|offset| × interval hours, kWh. */
  readonly offsetsKWh: number;
  /** Money the market participants ended up with (Σ net over their bills), minor units. */
  readonly participantsNetMinor: bigint;
  /** Energy traded in each interval, kWh. */
  readonly tradedByIntervalKWh: readonly number[];
  /** Market (root) clearing price of each interval, per kWh (NaN when not cleared). */
  readonly priceByInterval: readonly number[];
}

/** What a grid-aware mode held back against `none`: energy and its value at `none`'s prices. */
export function heldBack(mode: GridModeRow, none: GridModeRow): { readonly kWh: number; readonly value: number } {
  let kWh = 0;
  let value = 0;
  none.tradedByIntervalKWh.forEach((t, k) => {
    const d = Math.max(0, t - (mode.tradedByIntervalKWh[k] ?? 0));
    kWh += d;
    value += d * (none.priceByInterval[k] ?? 0);
  });
  return { kWh, value };
}

/** The comparison, with the currency its money is in. */
export interface GridModeComparison {
  readonly currency: string;
  readonly rows: readonly GridModeRow[];
}

/** Reduces one finished run to its row. */
export function gridModeRow(mode: GridMode, sim: Simulation): GridModeRow {
  const h = sim.clock.intervalHours;
  const transformers = sim.flows.filter((f) => f.kind === 'transformer');
  let traded = 0;
  let priceSum = 0;
  let priced = 0;
  let minNode = Number.POSITIVE_INFINITY;
  let offsets = 0;
  const byInterval: number[] = [];
  const prices: number[] = [];
  for (let k = 0; k < sim.clock.intervals; k++) {
    const c = sim.recorder.clearings.get(k) as ClearingResult | undefined;
    byInterval.push(c === undefined ? 0 : Math.min(c.clearedSupplyKW, c.clearedDemandKW) * h);
    prices.push(c === undefined ? Number.NaN : c.price);
    if (c === undefined) continue;
    traded += Math.min(c.clearedSupplyKW, c.clearedDemandKW) * h;
    priceSum += c.price;
    priced++;
    for (const n of c.nodes) minNode = Math.min(minNode, n.price);
    for (const p of c.participants) offsets += Math.abs(p.offsetKW) * h;
  }
  let net = 0n;
  for (const p of sim.settlement.ledger.partyTotals()) {
    const kind = sim.directory.kindOf(p.party);
    if (kind === undefined || NOT_PARTICIPANTS.has(kind)) continue;
    net += p.netMinor;
  }
  return {
    mode,
    violations: transformers.filter((f) => f.loadingPct !== null && f.loadingPct > 100 + 1e-9).length,
    maxLoadingPct: transformers.reduce((m, f) => Math.max(m, f.loadingPct ?? 0), 0),
    maxReverseKW: transformers.reduce((m, f) => Math.max(m, f.reverse ? -f.loadingKW : 0), 0),
    tradedKWh: traded,
    meanPricePerKWh: priced === 0 ? Number.NaN : priceSum / priced,
    minNodePricePerKWh: Number.isFinite(minNode) ? minNode : Number.NaN,
    offsetsKWh: offsets,
    participantsNetMinor: net,
    tradedByIntervalKWh: byInterval,
    priceByInterval: prices,
  };
}

/** Runs the scenario once per grid mode (same seed) and compares them. */
export async function compareGridModes(scenario: Scenario, modes: readonly GridMode[] = ['exact', 'policy', 'none']): Promise<Result<GridModeComparison>> {
  const rows: GridModeRow[] = [];
  for (const mode of modes) {
    const sim = await simulate({ ...scenario, market: { ...scenario.market, gridMode: mode } });
    if (!sim.ok) return fail(sim.errors.map((d) => ({ ...d, message: `gridMode ${mode}: ${d.message}` })));
    rows.push(gridModeRow(mode, sim.value));
  }
  return ok({ currency: scenario.currency, rows });
}

const f = (x: number, d: number): string => (Number.isFinite(x) ? (Object.is(Number(x.toFixed(d)), -0) ? (0).toFixed(d) : x.toFixed(d)) : '–');

/**
 * The comparison as a Markdown table: one row per mode, then what each grid-aware mode avoided
 * and what it cost the participants against the run without grid awareness. Fixed decimals.
 */
export function gridModesMarkdown(c: GridModeComparison): string {
  const exp = currencyExponent(c.currency) ?? 2;
  const header = ['gridMode', 'limit violations', 'worst loading %', 'max reverse flow kW', 'traded kWh', `mean price ${c.currency}/kWh`, `lowest node price ${c.currency}/kWh`, 'offsets kWh', `participants' net ${c.currency}`];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of c.rows) {
    lines.push(`| ${[r.mode, String(r.violations), f(r.maxLoadingPct, 1), f(r.maxReverseKW, 3), f(r.tradedKWh, 3), f(r.meanPricePerKWh, 4), f(r.minNodePricePerKWh, 4), f(r.offsetsKWh, 3), formatMinor(r.participantsNetMinor, exp)].join(' | ')} |`);
  }
  const none = c.rows.find((r) => r.mode === 'none');
  if (none !== undefined) {
    lines.push('', `| compared with gridMode none | violations avoided | trade held back kWh | its value ${c.currency} | change in participants' net ${c.currency} |`, '|---|---:|---:|---:|---:|');
    for (const r of c.rows) {
      if (r.mode === 'none') continue;
      const held = heldBack(r, none);
      lines.push(`| ${r.mode} | ${none.violations - r.violations} | ${f(held.kWh, 3)} | ${f(held.value, 2)} | ${formatMinor(r.participantsNetMinor - none.participantsNetMinor, exp)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
