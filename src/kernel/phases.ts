/**
 * The phases of one delivery interval, in the order the kernel runs them:
 * bid → protocol exchange until gate closure → clear → dispatch → physics → meter → settle.
 */
export const PHASES = ['bid', 'exchange', 'clear', 'dispatch', 'physics', 'meter', 'settle'] as const;
export type Phase = (typeof PHASES)[number];

/** What a phase handler learns about the moment it runs in. */
export interface PhaseContext {
  readonly phase: Phase;
  /** The delivery interval being traded / delivered. */
  readonly interval: number;
  /** Simulated time at which the phase runs, ms since the epoch. */
  readonly nowMs: number;
}

/** A participant in the phase loop. Every method is optional: a handler runs only the phases it cares about. */
export type PhaseHandlers = { readonly [P in Phase]?: (ctx: PhaseContext) => void };

/**
 * Simulated instants of each phase for interval `k` whose delivery starts at `startMs`:
 * bids open `leadMs` before delivery, the gate closes `gateClosureMs` before delivery, and
 * dispatch, physics, meter and settle happen at the start, start, end and end of delivery.
 */
export function phaseTimes(startMs: number, intervalMs: number, leadMs: number, gateClosureMs: number): Readonly<Record<Phase, number>> {
  if (gateClosureMs > leadMs) throw new RangeError('gate closure must come after bids open (gate lead ≤ bid lead)');
  return {
    bid: startMs - leadMs,
    exchange: startMs - leadMs,
    clear: startMs - gateClosureMs,
    dispatch: startMs,
    physics: startMs + intervalMs,
    meter: startMs + intervalMs,
    settle: startMs + intervalMs,
  };
}
