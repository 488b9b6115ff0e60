import { assign, emit, enqueueActions, setup } from 'xstate';

/**
 * The buyer's side of one trading round, as a pure machine: discover the sellers' offers, then
 * work down the ranked offers — select, init, confirm — until one becomes an ACTIVE trade, then ask
 * for its status after every delivered interval until the seller reports it completed.
 *
 * `idle ─DISCOVER─▶ discovering ─RANKED(n)─▶ selecting ─QUOTED─▶ initiating ─APPROVED─▶ confirming
 * ─ACTIVATED─▶ active ─COMPLETED─▶ completed`. A refusal (TERMINATED answer or NACK) while
 * selecting, initiating or confirming moves on to the next offer; when none is left, or none was
 * worth taking, the round ends in `noDeal`.
 */

export type BuyerDealEvent =
  | { readonly type: 'DISCOVER' }
  /** The catalogues are in; `count` offers are worth taking, best first. */
  | { readonly type: 'RANKED'; readonly count: number }
  /** on_select with the seller's quote. */
  | { readonly type: 'QUOTED' }
  /** on_init with the grid operator's approval. */
  | { readonly type: 'APPROVED' }
  /** on_confirm: the trade is ACTIVE. */
  | { readonly type: 'ACTIVATED' }
  | { readonly type: 'REFUSED'; readonly reason: string }
  /** A delivered interval was settled: time to ask for the status. */
  | { readonly type: 'SETTLED' }
  /** on_status says the delivery is completed. */
  | { readonly type: 'COMPLETED' };

export type BuyerDealEffect =
  | { readonly type: 'sendDiscover' }
  /** Select offer number `at` of the ranking (0 = best). */
  | { readonly type: 'sendSelect'; readonly at: number }
  | { readonly type: 'sendInit' }
  | { readonly type: 'sendConfirm' }
  | { readonly type: 'sendStatus' }
  | { readonly type: 'active'; readonly at: number }
  | { readonly type: 'completed' }
  | { readonly type: 'refused'; readonly at: number; readonly reason: string }
  | { readonly type: 'noDeal'; readonly reason: string };

interface DealContext {
  readonly count: number;
  readonly at: number;
  readonly reason: string | undefined;
}

export const buyerDealMachine = setup({
  types: { context: {} as DealContext, events: {} as BuyerDealEvent, emitted: {} as BuyerDealEffect },
  guards: { moreOffers: ({ context }) => context.at + 1 < context.count },
  actions: {
    /** Note the refusal and select the next offer of the ranking. */
    nextOffer: enqueueActions(({ enqueue, context, event }) => {
      enqueue.emit({ type: 'refused', at: context.at, reason: event.type === 'REFUSED' ? event.reason : 'refused' });
      enqueue.emit({ type: 'sendSelect', at: context.at + 1 });
      enqueue.assign({ at: context.at + 1 });
    }),
    /** Note the refusal of the last offer: the round ends without a deal. */
    giveUp: enqueueActions(({ enqueue, context, event }) => {
      const reason = event.type === 'REFUSED' ? event.reason : 'refused';
      enqueue.emit({ type: 'refused', at: context.at, reason });
      enqueue.assign({ reason });
      enqueue.emit({ type: 'noDeal', reason: `every offer refused, the last: ${reason}` });
    }),
  },
}).createMachine({
  id: 'p2pBuyerDeal',
  initial: 'idle',
  context: { count: 0, at: 0, reason: undefined },
  states: {
    idle: { on: { DISCOVER: { target: 'discovering', actions: emit({ type: 'sendDiscover' }) } } },
    discovering: {
      on: {
        RANKED: [
          { guard: ({ event }) => event.count > 0, target: 'selecting', actions: [assign({ count: ({ event }) => event.count, at: 0 }), emit({ type: 'sendSelect', at: 0 })] },
          { target: 'noDeal', actions: [assign({ reason: 'no offer worth taking' }), emit({ type: 'noDeal', reason: 'no offer worth taking' })] },
        ],
      },
    },
    selecting: { on: { QUOTED: { target: 'initiating', actions: emit({ type: 'sendInit' }) }, REFUSED: [{ guard: 'moreOffers', target: 'selecting', reenter: true, actions: 'nextOffer' }, { target: 'noDeal', actions: 'giveUp' }] } },
    initiating: { on: { APPROVED: { target: 'confirming', actions: emit({ type: 'sendConfirm' }) }, REFUSED: [{ guard: 'moreOffers', target: 'selecting', reenter: true, actions: 'nextOffer' }, { target: 'noDeal', actions: 'giveUp' }] } },
    confirming: { on: { ACTIVATED: { target: 'active', actions: emit(({ context }) => ({ type: 'active' as const, at: context.at })) }, REFUSED: [{ guard: 'moreOffers', target: 'selecting', reenter: true, actions: 'nextOffer' }, { target: 'noDeal', actions: 'giveUp' }] } },
    active: {
      on: {
        SETTLED: { actions: emit({ type: 'sendStatus' }) },
        COMPLETED: { target: 'completed', actions: emit({ type: 'completed' }) },
      },
    },
    completed: { type: 'final' },
    noDeal: { type: 'final' },
  },
});
