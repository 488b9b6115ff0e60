import { assign, emit, setup } from 'xstate';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { ApprovedLimits } from './policy.js';

/**
 * The market clearing agent's view of one participant's transaction for one interval:
 *
 *   start ─┬─(utility known)─▶ awaitingGrid ─GRID_APPROVED─▶ offered ─CONFIRM─▶ confirmed
 *          └─(no utility)───────────────────────────────────▶ offered
 *   confirmed ─CLEARED─▶ cleared ─▶ locking ─LOCKED─▶ active ─SETTLE─▶ settled
 *                                 (no utility: straight to active)
 *
 * and the ways out: `refused` (the utility refuses the meter or the lock, a confirm is malformed
 * or early, the lock never came), `lapsed` (no confirm by gate closure) and `cancelled` (the
 * participant withdrew before gate closure). A confirm in any state but `offered` is answered with
 * a TERMINATED contract naming why (gate closed, refused, cancelled), except a repeated confirm of a
 * bid already confirmed, which is ignored so that the first answer stands.
 *
 * The machine only decides; it emits effects ({@link McaEffect}) that the agent carries out.
 */

/** The outcome of clearing for this participant. */
export interface ClearedOutcome {
  /** Price per kWh at the participant's node. */
  readonly pricePerKWh: number;
  /** Cleared power, kW (+ export). */
  readonly powerKW: number;
  /** Grid operator offset included in the cleared power, kW. */
  readonly offsetKW: number;
}

export interface McaTxContext {
  readonly interval: number;
  readonly participantId: string;
  readonly hasUtility: boolean;
  readonly limits: ApprovedLimits | undefined;
  readonly gridNodeId: string | undefined;
  /** Policy mode: the adder the utility set for the participant's node, per kWh. */
  readonly pathAdderPerKWh: number | undefined;
  /** The curve committed by confirm, clipped to the limits. */
  readonly confirmedCurve: OfferCurve | undefined;
  readonly outcome: ClearedOutcome | undefined;
  readonly refusal: string | undefined;
}

export interface McaTxInput {
  readonly interval: number;
  readonly participantId: string;
  readonly hasUtility: boolean;
}

export type McaTxEvent =
  | { readonly type: 'GRID_APPROVED'; readonly limits: ApprovedLimits; readonly gridNodeId?: string; readonly pathAdderPerKWh?: number }
  | { readonly type: 'GRID_REFUSED'; readonly reason: string }
  | { readonly type: 'CONFIRM'; readonly curve: OfferCurve }
  | { readonly type: 'CONFIRM_INVALID'; readonly reason: string }
  | { readonly type: 'GATE' }
  | { readonly type: 'CLEARED'; readonly outcome: ClearedOutcome }
  | { readonly type: 'LOCKED' }
  | { readonly type: 'LOCK_REFUSED'; readonly reason: string }
  | { readonly type: 'DELIVERY_STARTED' }
  | { readonly type: 'CANCEL' }
  | { readonly type: 'SETTLE' };

/** What the agent must do after a transition. */
export type McaEffect =
  /** Send the bid to the utility for approval (cascaded init). */
  | { readonly type: 'cascadeInit' }
  /** Answer the participant's init: fees, approved limits, clipped curve. */
  | { readonly type: 'offer' }
  /** Answer the participant's last request with the contract TERMINATED. */
  | { readonly type: 'refuse'; readonly answer: 'on_init' | 'on_confirm'; readonly code: string; readonly message: string }
  /** Ask the utility to lock the cleared trade (cascaded confirm). */
  | { readonly type: 'cascadeConfirm' }
  /** on_confirm to the participant: contract ACTIVE, price signal, setpoint; record it. */
  | { readonly type: 'activate' }
  /** on_cancel to the participant. */
  | { readonly type: 'cancelled' }
  /** The bid was never confirmed; nothing to send. */
  | { readonly type: 'lapsed' }
  /** on_status with the interval's settlement report. */
  | { readonly type: 'report' }
  /** A repeated request that changes nothing; noted, not answered (the first answer stands). */
  | { readonly type: 'ignored'; readonly reason: string };

const refuse = (answer: 'on_init' | 'on_confirm', code: string, message: string): McaEffect => ({ type: 'refuse', answer, code, message });

const DUPLICATE_CONFIRM: McaEffect = { type: 'ignored', reason: 'duplicate confirm of a confirmed bid' };

/** The per-transaction machine of the market clearing agent. */
export const mcaTransactionMachine = setup({
  types: {
    context: {} as McaTxContext,
    input: {} as McaTxInput,
    events: {} as McaTxEvent,
    emitted: {} as McaEffect,
  },
  guards: {
    hasUtility: ({ context }) => context.hasUtility,
  },
}).createMachine({
  id: 'mcaTransaction',
  initial: 'start',
  context: ({ input }) => ({
    interval: input.interval,
    participantId: input.participantId,
    hasUtility: input.hasUtility,
    limits: undefined,
    gridNodeId: undefined,
    pathAdderPerKWh: undefined,
    confirmedCurve: undefined,
    outcome: undefined,
    refusal: undefined,
  }),
  states: {
    start: {
      always: [
        { guard: 'hasUtility', target: 'awaitingGrid', actions: emit({ type: 'cascadeInit' }) },
        { target: 'offered', actions: emit({ type: 'offer' }) },
      ],
    },
    awaitingGrid: {
      on: {
        GRID_APPROVED: {
          target: 'offered',
          actions: [
            assign({ limits: ({ event }) => event.limits, gridNodeId: ({ event }) => event.gridNodeId, pathAdderPerKWh: ({ event }) => event.pathAdderPerKWh }),
            emit({ type: 'offer' }),
          ],
        },
        GRID_REFUSED: {
          target: 'refused',
          actions: [assign({ refusal: ({ event }) => event.reason }), emit(({ event }) => refuse('on_init', 'grid-refused', event.reason))],
        },
        CONFIRM: { target: 'refused', actions: [assign({ refusal: 'confirm before on_init' }), emit(() => refuse('on_confirm', 'not-offered', 'confirm arrived before the market answered the init'))] },
        GATE: { target: 'lapsed', actions: emit({ type: 'lapsed' }) },
        CANCEL: { target: 'cancelled', actions: emit({ type: 'cancelled' }) },
      },
    },
    offered: {
      on: {
        CONFIRM: { target: 'confirmed', actions: assign({ confirmedCurve: ({ event }) => event.curve }) },
        CONFIRM_INVALID: { target: 'refused', actions: [assign({ refusal: ({ event }) => event.reason }), emit(({ event }) => refuse('on_confirm', 'bad-confirm', event.reason))] },
        GATE: { target: 'lapsed', actions: emit({ type: 'lapsed' }) },
        CANCEL: { target: 'cancelled', actions: emit({ type: 'cancelled' }) },
      },
    },
    confirmed: {
      on: {
        CLEARED: { target: 'cleared', actions: assign({ outcome: ({ event }) => event.outcome }) },
        CANCEL: { target: 'cancelled', actions: emit({ type: 'cancelled' }) },
        CONFIRM: { actions: emit(DUPLICATE_CONFIRM) },
      },
    },
    cleared: {
      always: [
        { guard: 'hasUtility', target: 'locking', actions: emit({ type: 'cascadeConfirm' }) },
        { target: 'active', actions: emit({ type: 'activate' }) },
      ],
    },
    locking: {
      on: {
        LOCKED: { target: 'active', actions: emit({ type: 'activate' }) },
        LOCK_REFUSED: {
          target: 'refused',
          actions: [assign({ refusal: ({ event }) => event.reason }), emit(({ event }) => refuse('on_confirm', 'grid-refused', event.reason))],
        },
        DELIVERY_STARTED: {
          target: 'refused',
          actions: [
            assign({ refusal: 'the grid operator did not lock the trade before delivery' }),
            emit(() => refuse('on_confirm', 'grid-timeout', 'the grid operator did not lock the trade before delivery')),
          ],
        },
        CONFIRM: { actions: emit(DUPLICATE_CONFIRM) },
      },
    },
    active: {
      on: {
        SETTLE: { target: 'settled', actions: emit({ type: 'report' }) },
        CONFIRM: { actions: emit(DUPLICATE_CONFIRM) },
      },
    },
    settled: { on: { CONFIRM: { actions: emit(DUPLICATE_CONFIRM) } } },
    refused: { on: { CONFIRM: { actions: emit(({ context }) => refuse('on_confirm', 'refused', context.refusal ?? 'the bid was refused')) } } },
    lapsed: { on: { CONFIRM: { actions: emit(() => refuse('on_confirm', 'gate-closed', 'the gate of this interval has closed; the bid was not cleared')) } } },
    cancelled: { on: { CONFIRM: { actions: emit(() => refuse('on_confirm', 'cancelled', 'the bid was cancelled')) } } },
  },
});

/** States in which the transaction is over (nothing more will happen in its interval). */
export const MCA_FINAL_STATES = ['settled', 'refused', 'lapsed', 'cancelled'] as const;
