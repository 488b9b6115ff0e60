import type { SimClock } from '../../src/kernel/clock.js';
import type { TimeWindow } from '../../src/protocol/payloads.js';

/**
 * Deterministic transaction and contract ids shared by every agent kind, so that the same scenario
 * and seed give the same ids in every run and any agent can tell which interval and participant a
 * message is about from its ids alone.
 */

/** Offer id of the market clearing agent's pay-as-clear offer. */
export const PAY_AS_CLEAR_OFFER_ID = 'pay-as-clear';

/** Transaction of participant `participantId` in the market of interval `k`. */
export function marketTransactionId(k: number, participantId: string): string {
  return `txn-i${k}-${participantId}`;
}

/** The MCA's cascade of that transaction to the utility. */
export function gridTransactionId(k: number, participantId: string): string {
  return `txn-i${k}-${participantId}-grid`;
}

/** The participant's pay-as-clear contract for interval `k`. */
export function payAsClearContractId(k: number, participantId: string): string {
  return `pac-i${k}-${participantId}`;
}

/** The participant's standing deviation contract with the utility. */
export function deviationContractId(participantId: string): string {
  return `dev-${participantId}`;
}

/** The market's standing wheeling contract with the utility. */
export function wheelingContractId(mcaId: string): string {
  return `whl-${mcaId}`;
}

/** The market's standing imbalance contract with the utility. */
export function imbalanceContractId(mcaId: string): string {
  return `imb-${mcaId}`;
}

/** A one-time setup transaction of agent `id`, optionally named by what it sets up. */
export function setupTransactionId(id: string, what?: string): string {
  return what === undefined ? `txn-setup-${id}` : `txn-setup-${id}-${what}`;
}

/**
 * Interval of a pay-as-clear contract id `pac-i<k>-<participantId>` when it belongs to
 * `participantId`; undefined for any other id.
 */
export function intervalOfPayAsClear(contractId: string, participantId: string): number | undefined {
  const m = /^pac-i(0|[1-9]\d*)-(.+)$/.exec(contractId);
  if (m === null || m[2] !== participantId) return undefined;
  return Number(m[1]);
}

/** Delivery window of interval `k`, RFC 3339 UTC. */
export function intervalWindow(clock: SimClock, k: number): TimeWindow {
  return { start: clock.intervalStartIso(k), end: clock.intervalStartIso(k + 1) };
}

/** The interval a window covers exactly (start and end on the interval's bounds), if any. */
export function intervalOfWindow(clock: SimClock, w: TimeWindow): number | undefined {
  const startMs = Date.parse(w.start);
  const endMs = Date.parse(w.end);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) return undefined;
  const k = (startMs - clock.startMs) / clock.intervalMs;
  if (!Number.isInteger(k) || k < 0 || k >= clock.intervals || endMs - startMs !== clock.intervalMs) return undefined;
  return k;
}

/** Intervals a window overlaps, clipped to the run: `[first, last]` inclusive, or undefined when none. */
export function intervalsOverlapping(clock: SimClock, w: TimeWindow): readonly [number, number] | undefined {
  const startMs = Date.parse(w.start);
  const endMs = Date.parse(w.end);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || !(endMs > startMs)) return undefined;
  const first = Math.max(0, Math.floor((startMs - clock.startMs) / clock.intervalMs));
  const last = Math.min(clock.intervals - 1, Math.ceil((endMs - clock.startMs) / clock.intervalMs) - 1);
  return first <= last ? [first, last] : undefined;
}

/**
 * Ids of the participants of one scenario entry, in order: `<idPrefix>-1 … <idPrefix>-N` for a
 * group (count > 1, prefix defaulting to the kind), else the entry's id (or prefix, or kind) — the
 * rule the scenario loader checks ids with.
 */
export function participantIdsOf(spec: { readonly kind: string; readonly id?: string; readonly idPrefix?: string; readonly count: number }): string[] {
  if (spec.count > 1) return Array.from({ length: spec.count }, (_, i) => `${spec.idPrefix ?? spec.kind}-${i + 1}`);
  return [spec.id ?? spec.idPrefix ?? spec.kind];
}
