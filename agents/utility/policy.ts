import type { EnergyContract } from '../../src/contracts/model.js';
import type { CatalogPayload, GridNode } from '../../src/protocol/payloads.js';
import type { GridNodeInfo } from '../../src/run/agent.js';
import { numericRoleInput, roleOf, stringRoleInput } from '../shared/terms.js';

/**
 * The grid operator's pure decisions: how much a meter may still trade in an interval (its
 * sanctioned load less the trades already locked, no double dipping), the policy-mode locational
 * adder of a node from the operator's own load forecast, the GridNode catalogue, and which meters
 * and intervals a contract's trades lock.
 */

/** A meter the utility serves, with its connection limits. */
export interface MeterRecord {
  readonly meterId: string;
  readonly participantId: string;
  /** Grid node the meter hangs under. */
  readonly nodeId: string;
  /** Sanctioned load, kW: the largest import the connection may draw. */
  readonly sanctionedLoadKW: number;
  /** Largest export, kW: the inverter rating, at most the sanctioned load. */
  readonly maxExportKW: number;
}

/** What is already locked at one meter in one interval, kW (both ≥ 0). */
export interface LockedTrades {
  readonly importKW: number;
  readonly exportKW: number;
}

export const NO_LOCKS: LockedTrades = { importKW: 0, exportKW: 0 };

/** Approved limits for a new trade at a meter, kW (both ≥ 0). */
export interface Approval {
  readonly maxImportKW: number;
  readonly maxExportKW: number;
}

/**
 * Room left at a meter: import up to the sanctioned load less the imports already locked, export up
 * to the export limit less the exports already locked. Directions are counted apart (gross, as the
 * DEG trade caps are), so a sale cannot be used to buy more than the connection carries.
 */
export function approvalFor(meter: MeterRecord, locked: LockedTrades): Approval {
  return { maxImportKW: Math.max(0, meter.sanctionedLoadKW - locked.importKW), maxExportKW: Math.max(0, meter.maxExportKW - locked.exportKW) };
}

/** Relative tolerance when comparing a trade with an approval (cleared powers are doubles). */
export const APPROVAL_TOLERANCE = 1e-9;

/** True when a signed trade (kW, + export) fits the approval. */
export function fitsApproval(powerKW: number, a: Approval): boolean {
  const tol = APPROVAL_TOLERANCE * Math.max(1, Math.abs(powerKW));
  return powerKW >= 0 ? powerKW <= a.maxExportKW + tol : -powerKW <= a.maxImportKW + tol;
}

/**
 * The trades locked per meter and interval. Mutable book-keeping behind a small interface: the
 * utility adds locks as it confirms trades and drops intervals once they are settled.
 */
export class LockBook {
  private readonly locks = new Map<string, { importKW: number; exportKW: number }>();

  private static key(meterId: string, k: number): string {
    return `${meterId}\u0000${k}`;
  }

  /** Locked trades at a meter in interval k. */
  at(meterId: string, k: number): LockedTrades {
    return this.locks.get(LockBook.key(meterId, k)) ?? NO_LOCKS;
  }

  /** Adds a signed trade (kW, + export) at a meter in interval k. */
  lock(meterId: string, k: number, powerKW: number): void {
    const key = LockBook.key(meterId, k);
    const cur = this.locks.get(key) ?? { importKW: 0, exportKW: 0 };
    if (powerKW >= 0) cur.exportKW += powerKW;
    else cur.importKW -= powerKW;
    this.locks.set(key, cur);
  }

  /** Removes a trade locked earlier (a cancelled bilateral trade), kW (+ export). */
  release(meterId: string, k: number, powerKW: number): void {
    const cur = this.locks.get(LockBook.key(meterId, k));
    if (cur === undefined) return;
    if (powerKW >= 0) cur.exportKW = Math.max(0, cur.exportKW - powerKW);
    else cur.importKW = Math.max(0, cur.importKW + powerKW);
  }

  /** Net locked energy of a meter in interval k, kWh (+ export). */
  netKWh(meterId: string, k: number, hours: number): number {
    const l = this.at(meterId, k);
    return (l.exportKW - l.importKW) * hours;
  }

  /** Forgets interval k (after it is settled). */
  forget(k: number): void {
    const suffix = `\u0000${k}`;
    for (const key of [...this.locks.keys()]) if (key.endsWith(suffix)) this.locks.delete(key);
  }
}

/** The utility's locational adder rule (scenario `utility.adderPolicy`). */
export interface AdderRule {
  readonly basePerKWh: number;
  readonly perPctPerKWh: number;
  readonly thresholdPct: number;
}

/** A node's policy adder for one interval, with the loading it came from. */
export interface PolicyAdder {
  /** Own adder of the node on top of its parent's price, per kWh, on the price tick. */
  readonly adderPerKWh: number;
  /** Forecast loading, percent of the limit in the direction of the forecast flow. */
  readonly loadPercent: number;
  readonly direction: 'forward' | 'reverse';
}

/**
 * Policy-mode adder of a node from the operator's forecast net load (kW, + into the subtree):
 * loading = |forecast| / limit in the forecast direction × 100; adder = base + s × perPct ×
 * max(0, loading − threshold), with s = +1 for forward flow (import congestion raises the local
 * price) and −1 for reverse flow (export congestion lowers it, to attract local use). A node without
 * a limit in that direction has loading 0. Snapped to `tick`.
 */
export function policyAdder(node: GridNodeInfo, forecastLoadKW: number, rule: AdderRule, tick: number): PolicyAdder {
  const direction = forecastLoadKW >= 0 ? 'forward' : 'reverse';
  const limit = direction === 'forward' ? node.maxForwardFlowKW : node.maxReverseFlowKW;
  const loadPercent = limit === undefined || limit <= 0 ? 0 : (Math.abs(forecastLoadKW) / limit) * 100;
  const s = direction === 'forward' ? 1 : -1;
  const raw = rule.basePerKWh + s * rule.perPctPerKWh * Math.max(0, loadPercent - rule.thresholdPct);
  return { adderPerKWh: snap(raw, tick), loadPercent, direction };
}

function snap(x: number, tick: number): number {
  let d = 0;
  while (d < 12 && Math.abs(tick * 10 ** d - Math.round(tick * 10 ** d)) >= 1e-9) d++;
  const v = Number((Math.round(x / tick) * tick).toFixed(d));
  return v === 0 ? 0 : v;
}

/**
 * The adder a participant under `nodeId` sees on top of the market price: the sum of the own
 * adders of its node and every ancestor below the root (the root's price is the market price).
 */
export function pathAdder(nodeId: string, nodes: readonly GridNodeInfo[], ownAdder: (nodeId: string) => number, tick: number): number {
  const parent = new Map(nodes.map((n) => [n.id, n.parent]));
  let sum = 0;
  for (let at: string | undefined = nodeId; at !== undefined && parent.get(at) !== undefined; at = parent.get(at)) sum += ownAdder(at);
  return snap(sum, tick);
}

/**
 * Flow limits the utility publishes for each node: the stated ones, and where a direction has no
 * stated limit, the most the trading meters below could ever move that way (Σ sanctioned loads for
 * import, Σ export limits for export) — a bound that can never bind, since approvals keep every
 * trade within it.
 */
export function publishedLimits(nodes: readonly GridNodeInfo[], meters: readonly MeterRecord[]): ReadonlyMap<string, { readonly maxForwardFlowKW: number; readonly maxReverseFlowKW: number }> {
  const parent = new Map(nodes.map((n) => [n.id, n.parent]));
  const importBelow = new Map<string, number>();
  const exportBelow = new Map<string, number>();
  for (const m of meters) {
    for (let at: string | undefined = m.nodeId; at !== undefined; at = parent.get(at)) {
      importBelow.set(at, (importBelow.get(at) ?? 0) + m.sanctionedLoadKW);
      exportBelow.set(at, (exportBelow.get(at) ?? 0) + m.maxExportKW);
    }
  }
  return new Map(nodes.map((n) => [n.id, { maxForwardFlowKW: n.maxForwardFlowKW ?? importBelow.get(n.id) ?? 0, maxReverseFlowKW: n.maxReverseFlowKW ?? exportBelow.get(n.id) ?? 0 }]));
}

export interface GridCatalogOptions {
  readonly utilityId: string;
  readonly name: string;
  readonly currency: string;
  readonly nodes: readonly GridNodeInfo[];
  readonly meters: readonly MeterRecord[];
  /** Policy mode: each node's adder now in force and the rule it follows. */
  readonly adders?: { readonly rule: AdderRule; readonly of: (nodeId: string) => PolicyAdder };
}

/** The utility's answer to a grid-topology discover: the feeder head and every transformer as GridNodes. */
export function gridCatalog(o: GridCatalogOptions): CatalogPayload {
  const limits = publishedLimits(o.nodes, o.meters);
  return {
    kind: 'catalog',
    catalogs: [
      {
        catalogId: `${o.utilityId}-grid`,
        name: `${o.name}: grid nodes`,
        description: 'Feeder head and distribution transformers with the flow limits trades must respect; in policy mode, the locational price adder of each node.',
        provider: { id: o.utilityId, name: o.name },
        resources: o.nodes.map((n) => {
          const a = o.adders?.of(n.id);
          const value: GridNode = {
            nodeId: n.id,
            nodeType: n.kind === 'feeder-head' ? 'FEEDER' : 'TRANSFORMER',
            ...(n.parent === undefined ? {} : { parentNodeId: n.parent }),
            ...(n.ratingKVA === undefined ? {} : { ratedKVA: n.ratingKVA }),
            limits: limits.get(n.id) ?? { maxForwardFlowKW: 0, maxReverseFlowKW: 0 },
            ...(a === undefined || o.adders === undefined || n.parent === undefined
              ? {}
              : {
                  locationalPriceAdder: {
                    currency: o.currency,
                    basePricePerKWh: o.adders.rule.basePerKWh,
                    loadPercent: Number(a.loadPercent.toFixed(2)),
                    adderPerPercentPerKWh: o.adders.rule.perPctPerKWh,
                    adderPerKWh: a.adderPerKWh,
                  },
                }),
          };
          return { resourceId: n.id, name: n.kind === 'feeder-head' ? `Feeder head ${n.id}` : `Transformer ${n.id}`, attributes: { type: 'GridNode' as const, value } };
        }),
        offers: [],
      },
    ],
  };
}

/** One meter's part in a contract's trade, in one direction over a run of intervals. */
export interface TradeLeg {
  readonly meterId: string;
  /** Party the meter must belong to. */
  readonly partyId: string;
  /** Signed power per interval, kW (+ export); undefined while the quantity is still open. */
  readonly powerKW: number | undefined;
  /** Which way the leg may go: a market bid either way, a bilateral seller out, a buyer in. */
  readonly direction: 'both' | 'export' | 'import';
  readonly firstInterval: number;
  readonly lastInterval: number;
}

/**
 * The legs a contract trades through meters, for the intervals `[first, last]` it covers:
 * - `pay-as-clear/participant`: the PROSUMER's meter, either way, `clearedKWh / h`;
 * - `p2p/bilateral`: the SELLER's `sourceMeterId` exporting and the BUYER's `targetMeterId`
 *   importing `contractedKWh / h` each interval.
 * Undefined for a template that trades nothing through meters, or a leg whose meter is not named.
 */
export function tradeLegs(contract: EnergyContract, first: number, last: number, hours: number): readonly TradeLeg[] | undefined {
  const perHour = (kwh: number | undefined): number | undefined => (kwh === undefined ? undefined : kwh / hours);
  if (contract.template === 'pay-as-clear/participant') {
    const meterId = stringRoleInput(contract, 'PROSUMER', 'meterId');
    const party = roleOf(contract, 'PROSUMER')?.filledBy;
    if (meterId === undefined || party === undefined) return undefined;
    return [{ meterId, partyId: party, powerKW: perHour(numericRoleInput(contract, 'PROSUMER', 'clearedKWh')), direction: 'both', firstInterval: first, lastInterval: last }];
  }
  if (contract.template === 'p2p/bilateral') {
    const sellerMeter = stringRoleInput(contract, 'SELLER', 'sourceMeterId');
    const buyerMeter = stringRoleInput(contract, 'BUYER', 'targetMeterId');
    const seller = roleOf(contract, 'SELLER')?.filledBy;
    const buyer = roleOf(contract, 'BUYER')?.filledBy;
    const kw = perHour(numericRoleInput(contract, 'BUYER', 'contractedKWh'));
    if (sellerMeter === undefined || buyerMeter === undefined || seller === undefined || buyer === undefined) return undefined;
    return [
      { meterId: sellerMeter, partyId: seller, powerKW: kw === undefined ? undefined : Math.abs(kw), direction: 'export', firstInterval: first, lastInterval: last },
      { meterId: buyerMeter, partyId: buyer, powerKW: kw === undefined ? undefined : -Math.abs(kw), direction: 'import', firstInterval: first, lastInterval: last },
    ];
  }
  return undefined;
}
