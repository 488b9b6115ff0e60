import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { parseMarketInput, type MarketGridNode, type MarketInput, type MarketParticipant } from '../../src/market/index.js';
import type { CatalogPayload } from '../../src/protocol/payloads.js';
import type { GridMode, PriceRule } from '../../src/scenario/types.js';

/**
 * The market clearing agent's pure decisions: how an approved limit clips a curve, which market the
 * confirmed curves form (the exact input `degsim clear` would read), how policy adders map onto the
 * grid tree, and what the market owes its standing contracts. No messages, no clock.
 */

/** Limits the grid operator approved for one meter and interval, kW (both ≥ 0). */
export interface ApprovedLimits {
  readonly maxImportKW: number;
  readonly maxExportKW: number;
}

/**
 * The curve clipped to the approved limits: its bounds become
 * `[clamp(minExport, −maxImport, maxExport), clamp(maxExport, −maxImport, maxExport)]`, so a
 * participant can never clear outside what the grid operator approved, and a forced position the
 * operator does not allow moves to the nearest allowed one. Points are kept (the market clips).
 */
export function clipCurve(curve: OfferCurve, limits: ApprovedLimits | undefined): OfferCurve {
  if (limits === undefined) return curve;
  const lo = -Math.max(0, limits.maxImportKW);
  const hi = Math.max(0, limits.maxExportKW);
  const clamp = (v: number): number => (v < lo ? lo : v > hi ? hi : v);
  const minExport = clamp(curve.minExport);
  const maxExport = clamp(curve.maxExport);
  if (minExport === curve.minExport && maxExport === curve.maxExport) return curve;
  return { ...curve, minExport, maxExport };
}

/** A grid node as the utility's catalogue describes it. */
export interface CatalogGridNode {
  readonly id: string;
  readonly parent?: string;
  readonly maxForwardFlowKW: number;
  readonly maxReverseFlowKW: number;
}

/**
 * The GridNodes of a `grid-topology` catalogue, checked as a market grid (one root, known parents,
 * no cycles, limits ≥ 0). Every problem is returned, with paths into the catalogue.
 */
export function gridNodesFromCatalog(payload: CatalogPayload): Result<readonly CatalogGridNode[]> {
  const nodes: CatalogGridNode[] = [];
  payload.catalogs.forEach((c) => {
    for (const r of c.resources) {
      if (r.attributes.type !== 'GridNode') continue;
      const g = r.attributes.value;
      nodes.push({
        id: g.nodeId,
        ...(g.parentNodeId === undefined ? {} : { parent: g.parentNodeId }),
        maxForwardFlowKW: g.limits.maxForwardFlowKW,
        maxReverseFlowKW: g.limits.maxReverseFlowKW,
      });
    }
  });
  if (nodes.length === 0) return fail([{ code: 'grid.empty', path: 'catalogs', message: 'the grid catalogue lists no GridNode resources' }]);
  const probe = parseMarketInput({ currency: 'XXX', priceFloor: 0, priceCap: 1, participants: [], grid: { mode: 'exact', nodes } });
  if (!probe.ok) return fail(probe.errors.map((d): Diagnostic => ({ ...d, path: d.path.replace(/^grid\.nodes/, 'catalogs.resources') })));
  return ok(nodes);
}

/** Number of decimals of a tick such as 0.01 (at most 12). */
function tickDecimals(tick: number): number {
  for (let d = 0; d <= 12; d++) if (Math.abs(tick * 10 ** d - Math.round(tick * 10 ** d)) < 1e-9) return d;
  return 12;
}

/** `x` rounded to the nearest multiple of `tick`, written with the tick's decimals (no float noise). */
export function snapToTick(x: number, tick: number): number {
  const v = Number((Math.round(x / tick) * tick).toFixed(tickDecimals(tick)));
  return v === 0 ? 0 : v;
}

/**
 * Per-node policy adders from the adders participants were told (each participant's is the sum of
 * the adders on the path from below the root down to its node). A node's own adder is its value
 * minus that of its nearest ancestor with a known value (the root's is 0: the market price is the
 * price at the root); nodes nobody reported get 0. Results are snapped to the tick.
 */
export function nodeAddersFromPaths(nodes: readonly CatalogGridNode[], pathAdderByNode: ReadonlyMap<string, number>, tick: number): ReadonlyMap<string, number> {
  const parent = new Map(nodes.map((n) => [n.id, n.parent]));
  const known = (id: string | undefined): number => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      if (parent.get(at) === undefined) return 0;
      const v = pathAdderByNode.get(at);
      if (v !== undefined) return v;
    }
    return 0;
  };
  const out = new Map<string, number>();
  for (const n of nodes) {
    const mine = pathAdderByNode.get(n.id);
    out.set(n.id, n.parent === undefined || mine === undefined ? 0 : snapToTick(mine - known(n.parent), tick));
  }
  return out;
}

/** A confirmed, clipped bid ready for clearing. */
export interface ClearingBid {
  readonly participantId: string;
  /** Grid node the utility placed the meter under. */
  readonly nodeId?: string;
  readonly curve: OfferCurve;
  /** Policy mode: the adder the utility told this participant (path sum), per kWh. */
  readonly pathAdderPerKWh?: number;
}

export interface MarketRules {
  readonly currency: string;
  readonly priceFloor: number;
  readonly priceCap: number;
  readonly priceTick: number;
  readonly priceRule: PriceRule;
  readonly gridMode: GridMode;
}

/**
 * The market of one interval: every confirmed bid (ordered by participant id) on the grid of the
 * utility's catalogue — limits in `exact` mode, adders and limits (checked only) in `policy` mode,
 * no grid in `none` mode or when no catalogue arrived. A bid under a node the catalogue does not
 * list sits at the root. This is the document `degsim clear` reads, so both give the same result.
 */
export function marketInputFor(bids: readonly ClearingBid[], grid: readonly CatalogGridNode[] | undefined, rules: MarketRules): MarketInput {
  const sorted = [...bids].sort((a, b) => (a.participantId < b.participantId ? -1 : a.participantId > b.participantId ? 1 : 0));
  const useGrid = rules.gridMode !== 'none' && grid !== undefined && grid.length > 0;
  const ids = new Set(useGrid ? grid.map((n) => n.id) : []);
  const participants: MarketParticipant[] = sorted.map((b) => ({
    id: b.participantId,
    ...(useGrid && b.nodeId !== undefined && ids.has(b.nodeId) ? { node: b.nodeId } : {}),
    offerCurve: b.curve,
  }));
  const base = { currency: rules.currency, priceFloor: rules.priceFloor, priceCap: rules.priceCap, priceRule: rules.priceRule, priceTick: rules.priceTick, participants };
  if (!useGrid) return base;
  if (rules.gridMode === 'exact') {
    return { ...base, grid: { mode: 'exact', nodes: grid.map((n): MarketGridNode => ({ ...n })) } };
  }
  const paths = new Map<string, number>();
  for (const b of sorted) if (b.nodeId !== undefined && b.pathAdderPerKWh !== undefined && ids.has(b.nodeId)) paths.set(b.nodeId, b.pathAdderPerKWh);
  const adders = nodeAddersFromPaths(grid, paths, rules.priceTick);
  return {
    ...base,
    grid: { mode: 'policy', nodes: grid.map((n): MarketGridNode => ({ ...n, ...(n.parent === undefined ? {} : { adderPerKWh: adders.get(n.id) ?? 0 }) })) },
  };
}

/** What the market owes its standing contracts for one interval. */
export interface MarketTotals {
  /** Energy matched: min(kWh sold, kWh bought) over the locked trades. */
  readonly tradedKWh: number;
  /** Net of the virtual meter, kWh: Σ cleared kWh (+ = the market took in more than it gave out). */
  readonly virtualMeterNetKWh: number;
}

/** Totals over the cleared energies (kWh, + export) of the trades that were locked, stated to 9 decimals. */
export function marketTotals(clearedKWh: readonly number[]): MarketTotals {
  let sold = 0;
  let bought = 0;
  for (const e of clearedKWh) {
    if (e > 0) sold += e;
    else bought -= e;
  }
  return { tradedKWh: marketNumber(Math.min(sold, bought)), virtualMeterNetKWh: marketNumber(sold - bought) };
}

/**
 * A number as the market states it on the wire and to settlement: rounded to 9 decimals, which
 * removes the float noise of the engine's arithmetic (7.9399999999999995 → 7.94) and is the
 * precision settlement reads quantities and rates at, so what a participant is told and what it is
 * billed are the same number.
 */
export function marketNumber(x: number): number {
  const v = Number(x.toFixed(9));
  return v === 0 ? 0 : v;
}
