import { assign, emit, setup } from 'xstate';

/**
 * The utility's protocol machines. Both are pure: they decide and emit effects; the agent sends
 * the messages and keeps the books.
 */

// --- a cascaded approval (the MCA's bid cascade, or a bilateral trade's) ---------------------------

export interface ApprovalInput {
  /** Whether the meters and the terms passed the checks at init. */
  readonly approvable: boolean;
  /** Why not, when not. */
  readonly reason?: string;
}

export type ApprovalEvent =
  /** The confirmed trade fits what is still free at every meter and interval. */
  | { readonly type: 'CONFIRM_FITS' }
  /** The confirmed trade does not fit (or names no quantity). */
  | { readonly type: 'CONFIRM_EXCEEDS'; readonly reason: string }
  /** The trade's delivery started without a confirm: the approval lapses. */
  | { readonly type: 'EXPIRE' }
  /** A party withdrew the trade before delivery. */
  | { readonly type: 'CANCEL' };

export type ApprovalEffect =
  /** on_init with the approved limits. */
  | { readonly type: 'approve' }
  /** on_init or on_confirm with the contract TERMINATED. */
  | { readonly type: 'refuse'; readonly answer: 'on_init' | 'on_confirm' | 'on_cancel'; readonly reason: string }
  /** Lock the trade at its meters, then on_confirm. */
  | { readonly type: 'lock' }
  /** Release the locks (if any), then on_cancel. */
  | { readonly type: 'release' };

/**
 * `start ─▶ approved ─CONFIRM_FITS─▶ locked ─CANCEL─▶ released`, with `refused` when the init or
 * the confirm does not pass, `expired` when delivery starts unconfirmed and `released` when the
 * trade is withdrawn. Any confirm outside `approved` is refused with the reason.
 */
export const approvalMachine = setup({
  types: { context: {} as { readonly refusal: string | undefined }, input: {} as ApprovalInput, events: {} as ApprovalEvent, emitted: {} as ApprovalEffect },
  guards: { approvable: ({ context }) => context.refusal === undefined },
}).createMachine({
  id: 'gridApproval',
  initial: 'start',
  context: ({ input }) => ({ refusal: input.approvable ? undefined : (input.reason ?? 'not approved') }),
  states: {
    start: {
      always: [
        { guard: 'approvable', target: 'approved', actions: emit({ type: 'approve' }) },
        { target: 'refused', actions: emit(({ context }) => ({ type: 'refuse' as const, answer: 'on_init' as const, reason: context.refusal ?? 'not approved' })) },
      ],
    },
    approved: {
      on: {
        CONFIRM_FITS: { target: 'locked', actions: emit({ type: 'lock' }) },
        CONFIRM_EXCEEDS: {
          target: 'refused',
          actions: [assign({ refusal: ({ event }) => event.reason }), emit(({ event }) => ({ type: 'refuse' as const, answer: 'on_confirm' as const, reason: event.reason }))],
        },
        EXPIRE: { target: 'expired', actions: assign({ refusal: 'delivery started before the trade was confirmed' }) },
        CANCEL: { target: 'released', actions: [assign({ refusal: 'the trade was withdrawn' }), emit({ type: 'release' })] },
      },
    },
    locked: {
      on: {
        CANCEL: { target: 'released', actions: [assign({ refusal: 'the trade was withdrawn' }), emit({ type: 'release' })] },
        CONFIRM_FITS: { actions: emit({ type: 'refuse', answer: 'on_confirm', reason: 'the trade is already locked' }) },
        CONFIRM_EXCEEDS: { actions: emit({ type: 'refuse', answer: 'on_confirm', reason: 'the trade is already locked' }) },
      },
    },
    refused: { on: { CONFIRM_FITS: { actions: emit(({ context }) => ({ type: 'refuse' as const, answer: 'on_confirm' as const, reason: context.refusal ?? 'refused' })) }, CONFIRM_EXCEEDS: { actions: emit(({ context }) => ({ type: 'refuse' as const, answer: 'on_confirm' as const, reason: context.refusal ?? 'refused' })) } } },
    expired: { on: { CONFIRM_FITS: { actions: emit({ type: 'refuse', answer: 'on_confirm', reason: 'delivery started before the trade was confirmed' }) }, CONFIRM_EXCEEDS: { actions: emit({ type: 'refuse', answer: 'on_confirm', reason: 'delivery started before the trade was confirmed' }) } } },
    released: { on: { CONFIRM_FITS: { actions: emit({ type: 'refuse', answer: 'on_confirm', reason: 'the trade was withdrawn' }) }, CONFIRM_EXCEEDS: { actions: emit({ type: 'refuse', answer: 'on_confirm', reason: 'the trade was withdrawn' }) } } },
  },
});

// --- a standing contract the utility provides (deviation, wheeling, imbalance) ------------------

export type ProvidedEvent =
  /** The confirm carries exactly the terms offered in on_init. */
  | { readonly type: 'CONFIRM_MATCHES' }
  | { readonly type: 'CONFIRM_DIFFERS'; readonly reason: string }
  /** Its validity is over. */
  | { readonly type: 'COMPLETE' };

export type ProvidedEffect =
  | { readonly type: 'offer' }
  | { readonly type: 'activate' }
  | { readonly type: 'refuse'; readonly reason: string }
  | { readonly type: 'complete' }
  | { readonly type: 'ignored'; readonly reason: string };

/**
 * `offered ─CONFIRM_MATCHES─▶ active ─COMPLETE─▶ completed`, or `refused` when the confirm
 * changes the offered terms. Entering `offered` emits the on_init offer.
 */
export const providedContractMachine = setup({
  types: { context: {} as Record<string, never>, events: {} as ProvidedEvent, emitted: {} as ProvidedEffect },
}).createMachine({
  id: 'providedContract',
  initial: 'offered',
  context: {},
  entry: emit({ type: 'offer' }),
  states: {
    offered: {
      on: {
        CONFIRM_MATCHES: { target: 'active', actions: emit({ type: 'activate' }) },
        CONFIRM_DIFFERS: { target: 'refused', actions: emit(({ event }) => ({ type: 'refuse' as const, reason: event.reason })) },
      },
    },
    active: {
      on: {
        COMPLETE: { target: 'completed', actions: emit({ type: 'complete' }) },
        CONFIRM_MATCHES: { actions: emit({ type: 'ignored', reason: 'repeated confirm of an active contract' }) },
        CONFIRM_DIFFERS: { actions: emit({ type: 'ignored', reason: 'confirm with other terms for an active contract' }) },
      },
    },
    refused: {},
    completed: {},
  },
});
