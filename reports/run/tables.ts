import type { ClearingResult } from '../../src/market/types.js';
import type { DispatchRow } from '../../src/run/recorder.js';
import type { IntervalFlowRow } from '../../src/run/simulate.js';
import type { SimClock } from '../../src/kernel/clock.js';
import { csv, num, type Cell } from './csv.js';

/** Columns of `clearing.csv`. */
export const CLEARING_COLUMNS = ['interval', 'start', 'node', 'price', 'adderPerKWh', 'clearedSupplyKW', 'clearedDemandKW', 'netKW', 'participants', 'status'] as const;

/**
 * `clearing.csv`: per interval one row for the market root and one per grid node, prices with 4
 * decimals, powers with 3. An interval without a clearing (no MCA, or no confirmed curve) has a
 * root row with status `none`.
 */
export function clearingCsv(clock: SimClock, clearings: ReadonlyMap<number, ClearingResult>, rootId: string): string {
  const rows: Cell[][] = [];
  for (let k = 0; k < clock.intervals; k++) {
    const start = clock.intervalStartIso(k);
    const r = clearings.get(k);
    if (r === undefined) {
      rows.push([k, start, rootId, null, null, num(0, 3), num(0, 3), num(0, 3), 0, 'none']);
      continue;
    }
    const root = r.nodes.find((x) => x.parent === null);
    rows.push([k, start, root?.id ?? rootId, num(r.price, 4), num(0, 4), num(r.clearedSupplyKW, 3), num(r.clearedDemandKW, 3), num(r.netKW, 3), r.participants.length, r.status]);
    for (const node of r.nodes) {
      if (node.parent === null) continue;
      rows.push([k, start, node.id, num(node.price, 4), num(node.adder, 4), num(node.clearedSupplyKW, 3), num(node.clearedDemandKW, 3), num(node.flowKW, 3), node.participants, node.binding === null ? 'cleared' : `binding-${node.binding}`]);
    }
  }
  return csv(CLEARING_COLUMNS, rows);
}

/** Columns of `dispatch.csv`. */
export const DISPATCH_COLUMNS = ['interval', 'start', 'participant', 'kind', 'node', 'meterId', 'offeredMinKW', 'offeredMaxKW', 'clearedKW', 'pricePerKWh', 'actualKW', 'deviationKW'] as const;

/** `dispatch.csv`: one row per participant and interval; powers with 3 decimals, price with 4. */
export function dispatchCsv(clock: SimClock, rows: readonly DispatchRow[]): string {
  return csv(
    DISPATCH_COLUMNS,
    rows.map((r) => [
      r.interval,
      clock.intervalStartIso(r.interval),
      r.participant,
      r.kind,
      r.node,
      r.meterId,
      num(r.offeredMinKW, 3),
      num(r.offeredMaxKW, 3),
      num(r.clearedKW, 3),
      num(r.pricePerKWh, 4),
      num(r.actualKW, 3),
      num(r.deviationKW, 3),
    ]),
  );
}

/** Columns of `flows.csv`. */
export const FLOWS_COLUMNS = ['interval', 'start', 'element', 'kind', 'loadingKW', 'limitKW', 'loadingPct', 'reverse', 'voltagePu', 'lossesKW'] as const;

/** `flows.csv`: per interval the feeder head and every transformer (and lines/buses when reported). */
export function flowsCsv(clock: SimClock, rows: readonly IntervalFlowRow[]): string {
  return csv(
    FLOWS_COLUMNS,
    rows.map((r) => [
      r.interval,
      clock.intervalStartIso(r.interval),
      r.element,
      r.kind,
      num(r.loadingKW, 3),
      r.limitKW === null ? null : num(r.limitKW, 3),
      r.loadingPct === null || !Number.isFinite(r.loadingPct) ? null : num(r.loadingPct, 2),
      r.reverse,
      num(r.voltagePu, 5),
      num(r.lossesKW, 3),
    ]),
  );
}
