import { assign, emit, enqueueActions, setup } from 'xstate';

/**
 * The seller's side of one bilateral trade (BPP to the buyer, BAP to the grid operator), as a pure
 * machine: it decides which message goes out next; the agent sends it and keeps the books.
 *
 * `quoted ─INIT─▶ approving ─GRID_APPROVED─▶ offered ─CONFIRM─▶ locking ─GRID_LOCKED─▶ active
 * ─DELIVERED─▶ completed`. The grid operator refusing (at init or confirm), a confirm that changes
 * the offered terms, or delivery starting before the trade is locked ends in `refused` or
 * `expired`, releasing the quantity held for the buyer. The buyer may withdraw (cancel) until it
 * confirms; a locked trade is binding.
 */

export type SellerTradeEvent =
  /** The buyer's init for the quoted trade: ask the grid operator to approve the meters. */
  | { readonly type: 'INIT' }
  /** The grid operator's on_init: approved (with limits already applied by the agent). */
  | { readonly type: 'GRID_APPROVED' }
  /** The grid operator refused, or could not be reached. */
  | { readonly type: 'GRID_REFUSED'; readonly reason: string }
  /** The buyer's confirm carries exactly the contract of on_init. */
  | { readonly type: 'CONFIRM' }
  /** The buyer's confirm changes the contract. */
  | { readonly type: 'CONFIRM_DIFFERS'; readonly reason: string }
  /** The grid operator locked the trade against the meters (on_confirm ACTIVE). */
  | { readonly type: 'GRID_LOCKED' }
  /** Delivery of the first interval starts. */
  | { readonly type: 'DELIVERY_STARTS' }
  /** The buyer withdraws (cancel) before the trade is locked. */
  | { readonly type: 'CANCEL' }
  /** The last interval of the window is settled. */
  | { readonly type: 'DELIVERED' };

export type SellerTradeEffect =
  | { readonly type: 'sendGridInit' }
  | { readonly type: 'answerInit' }
  | { readonly type: 'sendGridConfirm' }
  | { readonly type: 'activate' }
  | { readonly type: 'complete' }
  /** Answer the pending request (`on_init` or `on_confirm`) with the contract TERMINATED. */
  | { readonly type: 'refuse'; readonly answer: 'on_init' | 'on_confirm'; readonly reason: string }
  /** Give the held quantity back to the offer. */
  | { readonly type: 'release' }
  /** Answer the buyer's cancel: withdrawn, or refused once the trade is locked. */
  | { readonly type: 'answerCancel'; readonly accepted: boolean; readonly reason: string };

export const sellerTradeMachine = setup({
  types: { context: {} as { readonly reason: string | undefined }, events: {} as SellerTradeEvent, emitted: {} as SellerTradeEffect },
  actions: {
    /** Refuse the pending request with the event's reason and release the held block. */
    refuse: enqueueActions(({ enqueue, event }, params: { readonly answer: 'on_init' | 'on_confirm' }) => {
      const reason = 'reason' in event ? event.reason : 'refused';
      enqueue.assign({ reason });
      enqueue.emit({ type: 'refuse', answer: params.answer, reason });
      enqueue.emit({ type: 'release' });
    }),
    /** The buyer withdrew: release the block and confirm the cancel. */
    withdraw: enqueueActions(({ enqueue }) => {
      enqueue.assign({ reason: 'withdrawn by the buyer' });
      enqueue.emit({ type: 'release' });
      enqueue.emit({ type: 'answerCancel', accepted: true, reason: 'withdrawn by the buyer' });
    }),
  },
}).createMachine({
  id: 'p2pSellerTrade',
  initial: 'quoted',
  context: { reason: undefined },
  states: {
    quoted: {
      on: {
        INIT: { target: 'approving', actions: emit({ type: 'sendGridInit' }) },
        DELIVERY_STARTS: { target: 'expired', actions: [assign({ reason: 'delivery started before the buyer sent init' }), emit({ type: 'release' })] },
        CANCEL: { target: 'cancelled', actions: 'withdraw' },
      },
    },
    approving: {
      on: {
        GRID_APPROVED: { target: 'offered', actions: emit({ type: 'answerInit' }) },
        GRID_REFUSED: { target: 'refused', actions: { type: 'refuse', params: { answer: 'on_init' } } },
        DELIVERY_STARTS: { target: 'expired', actions: [assign({ reason: 'delivery started before the grid operator approved' }), emit({ type: 'refuse', answer: 'on_init', reason: 'delivery started before the grid operator approved' }), emit({ type: 'release' })] },
      },
    },
    offered: {
      on: {
        CONFIRM: { target: 'locking', actions: emit({ type: 'sendGridConfirm' }) },
        CONFIRM_DIFFERS: { target: 'refused', actions: { type: 'refuse', params: { answer: 'on_confirm' } } },
        DELIVERY_STARTS: { target: 'expired', actions: [assign({ reason: 'delivery started before the buyer confirmed' }), emit({ type: 'release' })] },
        CANCEL: { target: 'cancelled', actions: 'withdraw' },
      },
    },
    locking: {
      on: {
        GRID_LOCKED: { target: 'active', actions: emit({ type: 'activate' }) },
        GRID_REFUSED: { target: 'refused', actions: { type: 'refuse', params: { answer: 'on_confirm' } } },
        DELIVERY_STARTS: { target: 'expired', actions: [assign({ reason: 'delivery started before the grid operator locked the trade' }), emit({ type: 'refuse', answer: 'on_confirm', reason: 'delivery started before the grid operator locked the trade' }), emit({ type: 'release' })] },
      },
    },
    active: {
      on: {
        DELIVERED: { target: 'completed', actions: emit({ type: 'complete' }) },
        CANCEL: { actions: emit({ type: 'answerCancel', accepted: false, reason: 'the trade is locked with the grid operator and binding' }) },
      },
    },
    completed: { type: 'final' },
    cancelled: { type: 'final' },
    refused: { type: 'final' },
    expired: { type: 'final' },
  },
});
