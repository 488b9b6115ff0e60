import type {
  BindingLimit,
  ClearingResult,
  MarketInput,
  NodeClearingResult,
  ParticipantClearingResult,
  RationingResult,
} from './types.js';
import { makePriceGrid, packMarket } from './store.js';
import type { SolveNode } from './solve.js';
import { solveTree } from './solve.js';
import { scratchPool, scratchUint32, Slot } from './scratch.js';

/** Id of the single node of a market without a grid. */
export const MARKET_NODE_ID = 'market';

/** Relative tolerance: aggregate values within this × market size (kW) of a target are equal to it. */
export const RELATIVE_TOLERANCE = 1e-10;

interface Tree {
  /** Node ids in depth-first order from the root, children by id. */
  readonly ids: readonly string[];
  readonly parent: Int32Array;
  readonly children: readonly number[][];
  readonly minFlowKW: Float64Array;
  readonly maxFlowKW: Float64Array;
  readonly maxForwardKW: Float64Array;
  readonly maxReverseKW: Float64Array;
  readonly adder: Float64Array;
  readonly index: ReadonlyMap<string, number>;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function buildTree(input: MarketInput): Tree {
  const nodes = input.grid?.nodes ?? [{ id: MARKET_NODE_ID }];
  const kids = new Map<string, string[]>();
  let rootId = nodes[0]!.id;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    if (n.parent === undefined) rootId = n.id;
    else {
      const list = kids.get(n.parent);
      if (list === undefined) kids.set(n.parent, [n.id]);
      else list.push(n.id);
    }
  }
  const ids: string[] = [];
  const parentIds: (string | undefined)[] = [];
  const stack: string[] = [rootId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    ids.push(id);
    parentIds.push(byId.get(id)?.parent);
    const ch = (kids.get(id) ?? []).slice().sort(byCodeUnits);
    for (let i = ch.length - 1; i >= 0; i--) stack.push(ch[i]!);
  }
  const index = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  const parent = new Int32Array(n);
  const children: number[][] = ids.map(() => []);
  const minFlowKW = new Float64Array(n);
  const maxFlowKW = new Float64Array(n);
  const maxForwardKW = new Float64Array(n);
  const maxReverseKW = new Float64Array(n);
  const adder = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const node = byId.get(ids[i]!);
    const pid = parentIds[i];
    parent[i] = pid === undefined ? -1 : index.get(pid)!;
    if (parent[i]! >= 0) children[parent[i]!]!.push(i);
    maxForwardKW[i] = node?.maxForwardFlowKW ?? Infinity;
    maxReverseKW[i] = node?.maxReverseFlowKW ?? Infinity;
    minFlowKW[i] = -maxForwardKW[i]!;
    maxFlowKW[i] = maxReverseKW[i]!;
    adder[i] = node?.adderPerKWh ?? 0;
  }
  return { ids, parent, children, minFlowKW, maxFlowKW, maxForwardKW, maxReverseKW, adder, index };
}

function neumaierSum(values: Float64Array): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/**
 * Clears one market: the uniform pay-as-clear price where supply meets demand within
 * [priceFloor, priceCap], each participant's cleared power on its own curve at its own price, and,
 * with a grid, locational prices (exact mode) or policy adders with flow checks (policy mode).
 *
 * - A price interval (aggregate exactly 0 over a range) is resolved by `priceRule`.
 * - A quantity jump at the price trades the largest volume, rationing the side in excess pro rata
 *   to each participant's step (`rationed`, `rationedKW`).
 * - No crossing: the floor (long) or the cap (short), participants on their curves, the imbalance
 *   in `curtailedKW` / `unservedKW`.
 * - Exact mode: a subtree whose net export would break its `maxReverseFlowKW` / `maxForwardFlowKW`
 *   gets the nearest price at which it meets the limit (its adder is that limit's shadow price);
 *   when the limit binds inside a step, the subtree's indifferent participants are offset pro rata
 *   to their steps so the flow meets the limit exactly (`offsetKW`, the grid operator's command
 *   offsets); when even the floor/cap cannot meet it, power beyond the curve is cut pro rata
 *   (`curtailedKW` / `unservedKW` of the node, also in `offsetKW`).
 *   An offset is the signed change from the power the participant would have at its own price
 *   without the limit: for a limit binding at its parent's price, the allocation the parent's
 *   zone gives; for a subtree whose price moved, the end of its step the limit pushes against
 *   (the top of the step under an export limit, the bottom under an import limit).
 * - Policy mode: node price = parent price + `adderPerKWh` (the root's parent being the market
 *   price, which floor and cap bound); limits are checked and breaches reported (`overloadKW`).
 *
 * Pure and deterministic: participants are processed in id order, so the result does not depend
 * on their order in the input. The input is assumed valid (see `parseMarketInput`).
 */
export function clearMarket(input: MarketInput): ClearingResult {
  const rule = input.priceRule ?? 'midpoint';
  const tree = buildTree(input);
  const mode = input.grid === undefined ? 'flat' : (input.grid.mode ?? 'exact');
  const pool = scratchPool();
  const nn = tree.ids.length;
  const ps = input.participants;
  const P = ps.length;

  // policy mode: cumulative adder per node; participants see root price + adder
  const cumAdder = new Float64Array(nn);
  if (mode === 'policy') {
    for (let n = 0; n < nn; n++) cumAdder[n] = (tree.parent[n]! < 0 ? 0 : cumAdder[tree.parent[n]!]!) + tree.adder[n]!;
  }
  const grid = input.priceTick === undefined ? undefined : makePriceGrid(input.priceFloor, input.priceCap, input.priceTick);
  const { store, ids, nodeOf } = packMarket(ps, {
    ...(nn > 1 ? { nodeIndex: tree.index } : {}),
    ...(mode === 'policy' ? { nodeShift: cumAdder } : {}),
    ...(grid === undefined ? {} : { grid }),
    pool,
  });
  // market size for the tolerance: Σ largest |power| of each curve (its first or last knot)
  let scale = 0;
  const { start, lo: klo, hi: khi } = store;
  for (let q = 0; q < P; q++) {
    const a = Math.abs(klo[start[q]!]!);
    const b = Math.abs(khi[start[q + 1]! - 1]!);
    scale += a > b ? a : b;
  }
  const tolKW = RELATIVE_TOLERANCE * Math.max(1, scale);

  // the tree the solver sees: the real one in exact mode, one node otherwise
  const solveNodes: SolveNode[] = [];
  if (mode === 'exact') {
    // one buffer, each node's members a consecutive view of it
    const counts = new Uint32Array(nn + 1);
    for (let q = 0; q < P; q++) counts[nodeOf[q]! + 1]!++;
    for (let n = 0; n < nn; n++) counts[n + 1]! += counts[n]!;
    const all = scratchUint32(pool, Slot.Members, P);
    const fill = counts.slice(0, nn);
    for (let q = 0; q < P; q++) all[fill[nodeOf[q]!]!++] = q;
    const members = Array.from({ length: nn }, (_, n) => all.subarray(counts[n]!, counts[n + 1]!));
    for (let n = 0; n < nn; n++) {
      solveNodes.push({ parent: tree.parent[n]!, children: tree.children[n]!, members: members[n]!, minFlowKW: tree.minFlowKW[n]!, maxFlowKW: tree.maxFlowKW[n]! });
    }
  } else {
    const all = scratchUint32(pool, Slot.Members, P);
    for (let q = 0; q < P; q++) all[q] = q;
    solveNodes.push({ parent: -1, children: [], members: all, minFlowKW: -Infinity, maxFlowKW: Infinity });
  }

  const floor = input.priceFloor;
  const cap = input.priceCap;
  const out = solveTree({ floor, cap, rule, grid, store, nodes: solveNodes, tolKW }, pool);

  // node prices and bindings on the real tree
  const nodePrice = new Float64Array(nn);
  const binding: BindingLimit[] = new Array<BindingLimit>(nn).fill(null);
  if (mode === 'exact') {
    for (let n = 0; n < nn; n++) {
      nodePrice[n] = out.nodePrice[n]!;
      const b = out.nodeBinding[n]!;
      binding[n] = b === 1 ? 'reverse' : b === -1 ? 'forward' : null;
    }
  } else {
    for (let n = 0; n < nn; n++) nodePrice[n] = out.price + cumAdder[n]!;
  }

  // participants and per-node sums
  const participants: ParticipantClearingResult[] = new Array<ParticipantClearingResult>(P);
  const flow = new Float64Array(nn);
  const supply = new Float64Array(nn);
  const demand = new Float64Array(nn);
  const count = new Float64Array(nn);
  const curtailed = new Float64Array(nn);
  const unserved = new Float64Array(nn);
  const rationedAt: number[][] = tree.ids.map(() => []);
  for (let q = 0; q < P; q++) {
    const n = nodeOf[q]!;
    const x = out.powerKW[q]!;
    const r = out.rationedKW[q]!;
    participants[q] = {
      id: ids[q]!,
      node: tree.ids[n]!,
      price: nodePrice[n]!,
      powerKW: x,
      offsetKW: out.offsetKW[q]!,
      rationedKW: r,
    };
    flow[n] = flow[n]! + x;
    if (x > 0) supply[n] = supply[n]! + x;
    else demand[n] = demand[n]! - x;
    count[n]!++;
    const f = out.forcedKW[q]!;
    if (f > 0) curtailed[n] = curtailed[n]! + f;
    else if (f < 0) unserved[n] = unserved[n]! - f;
    if (r > tolKW) rationedAt[n]!.push(q);
  }
  for (let n = nn - 1; n > 0; n--) {
    const p = tree.parent[n]!;
    flow[p] = flow[p]! + flow[n]!;
    supply[p] = supply[p]! + supply[n]!;
    demand[p] = demand[p]! + demand[n]!;
    count[p] = count[p]! + count[n]!;
    curtailed[p] = curtailed[p]! + curtailed[n]!;
    unserved[p] = unserved[p]! + unserved[n]!;
  }

  const nodes: NodeClearingResult[] = [];
  for (let n = 0; n < nn; n++) {
    const p = tree.parent[n]!;
    let b = binding[n]!;
    let overload = 0;
    if (mode === 'policy') {
      if (flow[n]! > tree.maxReverseKW[n]! + tolKW) {
        b = 'reverse';
        overload = flow[n]! - tree.maxReverseKW[n]!;
      } else if (flow[n]! < -tree.maxForwardKW[n]! - tolKW) {
        b = 'forward';
        overload = -tree.maxForwardKW[n]! - flow[n]!;
      }
    }
    const price = nodePrice[n]!;
    const node: NodeClearingResult = {
      id: tree.ids[n]!,
      parent: p < 0 ? null : tree.ids[p]!,
      price,
      adder: p < 0 ? (mode === 'policy' ? tree.adder[n]! : 0) : price - nodePrice[p]!,
      flowKW: flow[n]!,
      binding: b,
      ...(b === null ? {} : { limitKW: b === 'reverse' ? tree.maxReverseKW[n]! : tree.maxForwardKW[n]! }),
      clearedSupplyKW: supply[n]!,
      clearedDemandKW: demand[n]!,
      participants: count[n]!,
      curtailedKW: curtailed[n]!,
      unservedKW: unserved[n]!,
      overloadKW: overload,
    };
    nodes.push(node);
  }

  const rationed: RationingResult[] = [];
  if (out.status === 'cleared' && out.marketT !== 1) {
    const side = out.marketT < 1 ? 'supply' : 'demand';
    for (let n = 0; n < nn; n++) {
      const qs = rationedAt[n]!;
      if (qs.length === 0) continue;
      let excess = 0;
      const list = qs.map((q) => {
        const r = out.rationedKW[q]!;
        excess += r;
        return { id: participants[q]!.id, reductionKW: r };
      });
      rationed.push({ side, node: tree.ids[n]!, price: nodePrice[n]!, excessKW: excess, participants: list });
    }
  }

  const netKW = neumaierSum(out.powerKW);
  let totalSupply = 0;
  let totalDemand = 0;
  for (let q = 0; q < P; q++) {
    const x = out.powerKW[q]!;
    if (x > 0) totalSupply += x;
    else totalDemand -= x;
  }
  return {
    currency: input.currency,
    status: out.status,
    price: out.price,
    priceInterval: out.interval,
    priceRule: rule,
    netKW,
    clearedSupplyKW: totalSupply,
    clearedDemandKW: totalDemand,
    unservedKW: out.status === 'cap' ? Math.max(0, -netKW) : 0,
    curtailedKW: out.status === 'floor' ? Math.max(0, netKW) : 0,
    rationed,
    nodes,
    participants,
  };
}
