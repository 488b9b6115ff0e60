import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import type { OfferCurve } from './curve-types.js';
import { validateCurve } from './curve.js';
import { gridIndexOf, makePriceGrid, type PriceGrid } from './store.js';
import type { GridClearingMode, MarketGridNode, MarketInput, MarketParticipant, PriceRule } from './types.js';

const TOP_FIELDS = new Set(['currency', 'priceFloor', 'priceCap', 'priceRule', 'priceTick', 'participants', 'grid']);
const PARTICIPANT_FIELDS = new Set(['id', 'node', 'offerCurve']);
const GRID_FIELDS = new Set(['mode', 'nodes']);
const NODE_FIELDS = new Set(['id', 'parent', 'maxForwardFlowKW', 'maxReverseFlowKW', 'adderPerKWh']);
const RULES: readonly PriceRule[] = ['midpoint', 'low', 'high'];
const MODES: readonly GridClearingMode[] = ['exact', 'policy'];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function unknownFields(obj: Record<string, unknown>, allowed: ReadonlySet<string>, path: string, what: string, out: Diagnostic[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) {
      out.push({ code: 'market.unknown-field', path: path === '' ? key : `${path}.${key}`, message: `unknown field "${key}" (${what} has ${[...allowed].join(', ')})` });
    }
  }
}

/**
 * Reads a market document (parsed JSON or YAML) into a {@link MarketInput}, returning every problem
 * at once with paths such as `participants[2].offerCurve.curve[1].price`. Besides each curve's own
 * rules (see `validateCurve`) it checks: unique participant and node ids; every curve in the
 * market's currency; floor ≤ cap; with `priceTick`, the floor, the cap, every curve price and (policy
 * mode) every adder on the tick; a grid that is one tree (exactly one root, known parents, no
 * cycles) with non-negative limits; every participant's node in the grid. An `adderPerKWh` in exact
 * mode is reported as a warning (exact mode computes adders).
 */
export function parseMarketInput(doc: unknown, file?: string): Result<MarketInput> {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const withFile = (ds: Diagnostic[]): Diagnostic[] => (file === undefined ? ds : ds.map((d) => ({ ...d, file })));
  if (!isRecord(doc)) {
    return fail(withFile([{ code: 'market.type', path: '', message: 'a market must be an object with currency, priceFloor, priceCap and participants' }]));
  }
  unknownFields(doc, TOP_FIELDS, '', 'a market', errors);

  const currency = doc.currency;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    errors.push({ code: 'market.currency', path: 'currency', message: 'currency must be an ISO 4217 code such as "INR"' });
  }
  for (const key of ['priceFloor', 'priceCap'] as const) {
    if (!isFiniteNumber(doc[key])) errors.push({ code: 'market.number', path: key, message: `${key} must be a finite price per kWh` });
  }
  const floor = doc.priceFloor;
  const cap = doc.priceCap;
  const bounds = isFiniteNumber(floor) && isFiniteNumber(cap);
  if (bounds && floor > cap) errors.push({ code: 'market.price-range', path: 'priceFloor', message: `priceFloor (${floor}) must not exceed priceCap (${cap})` });
  const rule = doc.priceRule;
  if (rule !== undefined && !RULES.includes(rule as PriceRule)) {
    errors.push({ code: 'market.price-rule', path: 'priceRule', message: `priceRule must be one of ${RULES.join(', ')}` });
  }
  const tick = doc.priceTick;
  let grid: PriceGrid | undefined;
  if (tick !== undefined) {
    if (!isFiniteNumber(tick) || tick <= 0) errors.push({ code: 'market.number', path: 'priceTick', message: 'priceTick must be a positive price per kWh, e.g. 0.01' });
    else if (bounds && floor <= cap) {
      grid = makePriceGrid(floor, cap, tick);
      if (gridIndexOf(grid, floor) === undefined) errors.push({ code: 'market.off-tick', path: 'priceFloor', message: `priceFloor ${floor} is not a multiple of priceTick ${tick}` });
      if (gridIndexOf(grid, cap) === undefined) {
        errors.push({ code: 'market.off-tick', path: 'priceCap', message: `priceCap ${cap} is not on the tick grid from priceFloor ${floor} in steps of ${tick}` });
      }
    }
  }
  const onTick = (price: number): boolean => grid === undefined || gridIndexOf(grid, price) !== undefined;

  // grid
  const nodeIds = new Set<string>();
  let gridOut: MarketInput['grid'];
  let mode: GridClearingMode = 'exact';
  const rawGrid = doc.grid;
  if (rawGrid !== undefined) {
    if (!isRecord(rawGrid)) errors.push({ code: 'grid.type', path: 'grid', message: 'grid must be an object with nodes (and optionally mode)' });
    else {
      unknownFields(rawGrid, GRID_FIELDS, 'grid', 'a grid', errors);
      if (rawGrid.mode !== undefined) {
        if (MODES.includes(rawGrid.mode as GridClearingMode)) mode = rawGrid.mode as GridClearingMode;
        else errors.push({ code: 'grid.mode', path: 'grid.mode', message: `grid.mode must be one of ${MODES.join(', ')}` });
      }
      const nodesOut = parseNodes(rawGrid.nodes, mode, onTick, errors, warnings, nodeIds);
      if (nodesOut !== undefined) gridOut = { ...(rawGrid.mode === undefined ? {} : { mode }), nodes: nodesOut };
    }
  }

  // participants
  const participantsOut: MarketParticipant[] = [];
  const raw = doc.participants;
  if (!Array.isArray(raw)) {
    errors.push({ code: 'market.participants', path: 'participants', message: 'participants must be a list of {id, node?, offerCurve}' });
  } else {
    const seen = new Map<string, number>();
    raw.forEach((p: unknown, i: number) => {
      const path = `participants[${i}]`;
      if (!isRecord(p)) {
        errors.push({ code: 'market.type', path, message: 'a participant must be an object {id, node?, offerCurve}' });
        return;
      }
      unknownFields(p, PARTICIPANT_FIELDS, path, 'a participant', errors);
      const id = p.id;
      if (typeof id !== 'string' || id === '') errors.push({ code: 'market.id', path: `${path}.id`, message: 'id must be a non-empty string' });
      else if (seen.has(id)) errors.push({ code: 'market.duplicate-id', path: `${path}.id`, message: `participant id "${id}" is already used by participants[${seen.get(id)}]` });
      else seen.set(id, i);
      const node = p.node;
      if (node !== undefined) {
        if (typeof node !== 'string') errors.push({ code: 'market.node', path: `${path}.node`, message: 'node must be a grid node id' });
        else if (rawGrid === undefined) errors.push({ code: 'market.unknown-node', path: `${path}.node`, message: `node "${node}" given but the market has no grid` });
        else if (gridOut !== undefined && !nodeIds.has(node)) errors.push({ code: 'market.unknown-node', path: `${path}.node`, message: `no grid node "${node}"` });
      }
      const cpath = `${path}.offerCurve`;
      const curveErrors = validateCurve(p.offerCurve, cpath);
      errors.push(...curveErrors);
      const curve = p.offerCurve;
      if (isRecord(curve)) {
        if (typeof curve.currency === 'string' && typeof currency === 'string' && /^[A-Z]{3}$/.test(curve.currency) && curve.currency !== currency) {
          errors.push({ code: 'market.currency', path: `${cpath}.currency`, message: `curve currency ${curve.currency} differs from the market's ${currency}` });
        }
        if (grid !== undefined && Array.isArray(curve.curve)) {
          curve.curve.forEach((pt: unknown, j: number) => {
            if (isRecord(pt) && isFiniteNumber(pt.price) && !onTick(pt.price)) {
              errors.push({ code: 'market.off-tick', path: `${cpath}.curve[${j}].price`, message: `price ${pt.price} is not on the market's price tick ${String(tick)}` });
            }
          });
        }
      }
      if (curveErrors.length === 0 && typeof id === 'string') {
        participantsOut.push({ id, ...(typeof node === 'string' ? { node } : {}), offerCurve: curve as OfferCurve });
      }
    });
  }

  if (errors.length > 0) return fail(withFile(errors));
  const value: MarketInput = {
    currency: currency as string,
    priceFloor: floor as number,
    priceCap: cap as number,
    ...(rule === undefined ? {} : { priceRule: rule as PriceRule }),
    ...(tick === undefined ? {} : { priceTick: tick as number }),
    participants: participantsOut,
    ...(gridOut === undefined ? {} : { grid: gridOut }),
  };
  return ok(value, withFile(warnings));
}

function parseNodes(
  raw: unknown,
  mode: GridClearingMode,
  onTick: (price: number) => boolean,
  errors: Diagnostic[],
  warnings: Diagnostic[],
  ids: Set<string>,
): MarketGridNode[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.push({ code: 'grid.nodes', path: 'grid.nodes', message: 'grid.nodes must be a non-empty list of {id, parent?, limits}' });
    return undefined;
  }
  const before = errors.length;
  const out: MarketGridNode[] = [];
  const firstIndex = new Map<string, number>();
  raw.forEach((n: unknown, i: number) => {
    const path = `grid.nodes[${i}]`;
    if (!isRecord(n)) {
      errors.push({ code: 'grid.type', path, message: 'a grid node must be an object {id, parent?, maxForwardFlowKW?, maxReverseFlowKW?, adderPerKWh?}' });
      return;
    }
    unknownFields(n, NODE_FIELDS, path, 'a grid node', errors);
    const id = n.id;
    if (typeof id !== 'string' || id === '') errors.push({ code: 'grid.id', path: `${path}.id`, message: 'id must be a non-empty string' });
    else if (firstIndex.has(id)) errors.push({ code: 'grid.duplicate-id', path: `${path}.id`, message: `node id "${id}" is already used by grid.nodes[${firstIndex.get(id)}]` });
    else {
      firstIndex.set(id, i);
      ids.add(id);
    }
    if (n.parent !== undefined && typeof n.parent !== 'string') errors.push({ code: 'grid.parent', path: `${path}.parent`, message: 'parent must be a node id' });
    for (const key of ['maxForwardFlowKW', 'maxReverseFlowKW'] as const) {
      const v = n[key];
      if (v !== undefined && (!isFiniteNumber(v) || v < 0)) errors.push({ code: 'grid.limit', path: `${path}.${key}`, message: `${key} must be a number of kW ≥ 0 (omit it for no limit)` });
    }
    const adder = n.adderPerKWh;
    if (adder !== undefined) {
      if (!isFiniteNumber(adder)) errors.push({ code: 'grid.adder', path: `${path}.adderPerKWh`, message: 'adderPerKWh must be a finite price per kWh' });
      else if (mode === 'exact') {
        warnings.push({ code: 'grid.adder-ignored', path: `${path}.adderPerKWh`, message: 'adderPerKWh is ignored in exact mode, which computes each node\'s adder from its limits' });
      } else if (!onTick(adder) || !onTick(-adder)) {
        errors.push({ code: 'market.off-tick', path: `${path}.adderPerKWh`, message: `adder ${adder} is not a multiple of the market's price tick` });
      }
    }
    if (typeof id === 'string') {
      out.push({
        id,
        ...(typeof n.parent === 'string' ? { parent: n.parent } : {}),
        ...(isFiniteNumber(n.maxForwardFlowKW) ? { maxForwardFlowKW: n.maxForwardFlowKW } : {}),
        ...(isFiniteNumber(n.maxReverseFlowKW) ? { maxReverseFlowKW: n.maxReverseFlowKW } : {}),
        ...(isFiniteNumber(adder) ? { adderPerKWh: adder } : {}),
      });
    }
  });
  // tree shape: one root, known parents, every node reachable from the root
  const roots: number[] = [];
  raw.forEach((n: unknown, i: number) => {
    if (!isRecord(n)) return;
    if (n.parent === undefined) roots.push(i);
    else if (typeof n.parent === 'string') {
      if (n.parent === n.id) errors.push({ code: 'grid.cycle', path: `grid.nodes[${i}].parent`, message: 'a node cannot be its own parent' });
      else if (!ids.has(n.parent)) errors.push({ code: 'grid.parent', path: `grid.nodes[${i}].parent`, message: `no grid node "${n.parent}"` });
    }
  });
  if (roots.length === 0) errors.push({ code: 'grid.root', path: 'grid.nodes', message: 'the grid needs exactly one root node (a node without parent); found none' });
  for (const r of roots.slice(1)) {
    errors.push({ code: 'grid.root', path: `grid.nodes[${r}]`, message: `a second root: only one node may have no parent (the first is grid.nodes[${roots[0]}])` });
  }
  if (roots.length === 1 && errors.length === before) {
    const kids = new Map<string, string[]>();
    for (const n of out) if (n.parent !== undefined) kids.set(n.parent, [...(kids.get(n.parent) ?? []), n.id]);
    const reached = new Set<string>();
    const stack = [out.find((n) => n.parent === undefined)!.id];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (reached.has(id)) continue;
      reached.add(id);
      stack.push(...(kids.get(id) ?? []));
    }
    raw.forEach((n: unknown, i: number) => {
      if (isRecord(n) && typeof n.id === 'string' && !reached.has(n.id)) {
        errors.push({ code: 'grid.cycle', path: `grid.nodes[${i}].parent`, message: `node "${n.id}" is on a cycle of parents and not under the root` });
      }
    });
  }
  return out;
}
