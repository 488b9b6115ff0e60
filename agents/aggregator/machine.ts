import { assign, emit, setup } from 'xstate';

/**
 * Protocol state of an aggregator program, one machine per interval on each side. Pure: agents
 * keep the snapshots and step them with `agents/shared/machine.ts`; the machines emit what should
 * happen (send, follow, instruct) and never read a clock — gate closure and dispatch are events.
 */

// --- member side ------------------------------------------------------------------------------

export type MemberEvent =
  /** The member's curve for the interval is ready to go out (update). */
  | { readonly type: 'OFFER' }
  /** The aggregator's on_update with the member's setpoint. */
  | { readonly type: 'INSTRUCTED'; readonly targetKW: number; readonly pricePerKWh: number }
  /** The aggregator's on_update without a setpoint: the member runs free. */
  | { readonly type: 'RELEASED'; readonly reason: string }
  | { readonly type: 'NACK'; readonly reason: string }
  | { readonly type: 'DISPATCH' };

export type MemberEffect =
  | { readonly type: 'sendOffer' }
  | { readonly type: 'instructed'; readonly targetKW: number; readonly pricePerKWh: number }
  /** Delivery starts with a setpoint: follow it. */
  | { readonly type: 'follow'; readonly targetKW: number; readonly pricePerKWh: number }
  /** Delivery starts without one: run free. */
  | { readonly type: 'runFree'; readonly reason: string };

/**
 * A member's interval: `idle ─OFFER─▶ offered ─INSTRUCTED─▶ instructed ─DISPATCH─▶ done (follow)`;
 * a release, a refusal of its update, or no answer by delivery ends in `done (runFree)`, exactly
 * one `follow` or `runFree` per interval.
 */
export const memberIntervalMachine = setup({
  types: {
    context: {} as { readonly targetKW: number; readonly pricePerKWh: number; readonly reason: string },
    events: {} as MemberEvent,
    emitted: {} as MemberEffect,
  },
}).createMachine({
  id: 'memberInterval',
  initial: 'idle',
  context: { targetKW: 0, pricePerKWh: Number.NaN, reason: 'no curve was offered' },
  states: {
    idle: {
      on: {
        OFFER: { target: 'offered', actions: emit({ type: 'sendOffer' }) },
        DISPATCH: { target: 'done', actions: emit(({ context }) => ({ type: 'runFree' as const, reason: context.reason })) },
      },
    },
    offered: {
      on: {
        INSTRUCTED: {
          target: 'instructed',
          actions: [
            assign({ targetKW: ({ event }) => event.targetKW, pricePerKWh: ({ event }) => event.pricePerKWh }),
            emit(({ event }) => ({ type: 'instructed' as const, targetKW: event.targetKW, pricePerKWh: event.pricePerKWh })),
          ],
        },
        RELEASED: { target: 'released', actions: assign({ reason: ({ event }) => event.reason }) },
        NACK: { target: 'released', actions: assign({ reason: ({ event }) => event.reason }) },
        DISPATCH: { target: 'done', actions: emit({ type: 'runFree', reason: 'no instruction by delivery' }) },
      },
    },
    instructed: {
      on: { DISPATCH: { target: 'done', actions: emit(({ context }) => ({ type: 'follow' as const, targetKW: context.targetKW, pricePerKWh: context.pricePerKWh })) } },
    },
    released: {
      on: { DISPATCH: { target: 'done', actions: emit(({ context }) => ({ type: 'runFree' as const, reason: context.reason })) } },
    },
    done: { type: 'final' },
  },
});

// --- aggregator side --------------------------------------------------------------------------

export type PortfolioEvent =
  /** Every expected member curve for the interval has arrived. */
  | { readonly type: 'COMPLETE' }
  /** The trade settled how much the portfolio runs at: the cleared or accepted power and its price. */
  | { readonly type: 'DEAL'; readonly pricePerKWh: number; readonly targetKW: number }
  | { readonly type: 'NO_DEAL'; readonly reason: string }
  /** Gate closure: curves still missing now will not be traded. */
  | { readonly type: 'GATE' }
  | { readonly type: 'DISPATCH' };

export type PortfolioEffect =
  /** Aggregate the curves and trade them (bid to the market, nominate to the grid operator). */
  | { readonly type: 'trade' }
  /** Split the deal into member setpoints and send them. */
  | { readonly type: 'instruct'; readonly pricePerKWh: number; readonly targetKW: number }
  /** Tell every member that offered a curve to run free. */
  | { readonly type: 'release'; readonly reason: string };

/**
 * The aggregator's interval: `collecting ─COMPLETE─▶ trading ─DEAL─▶ instructed`, or `released`
 * when curves are still missing at gate closure or the trade fails. Every member that offered a
 * curve gets exactly one answer: its setpoint (instruct) or a release.
 */
export const portfolioIntervalMachine = setup({
  types: { context: {} as { readonly reason: string }, events: {} as PortfolioEvent, emitted: {} as PortfolioEffect },
}).createMachine({
  id: 'portfolioInterval',
  initial: 'collecting',
  context: { reason: '' },
  states: {
    collecting: {
      on: {
        COMPLETE: { target: 'trading', actions: emit({ type: 'trade' }) },
        GATE: { target: 'released', actions: emit({ type: 'release', reason: 'member curves were missing at gate closure' }) },
        DISPATCH: { target: 'done', actions: emit({ type: 'release', reason: 'member curves were missing at delivery' }) },
      },
    },
    trading: {
      on: {
        DEAL: { target: 'instructed', actions: emit(({ event }) => ({ type: 'instruct' as const, pricePerKWh: event.pricePerKWh, targetKW: event.targetKW })) },
        NO_DEAL: { target: 'released', actions: emit(({ event }) => ({ type: 'release' as const, reason: event.reason })) },
        DISPATCH: { target: 'done', actions: emit({ type: 'release', reason: 'the trade had no outcome at delivery' }) },
      },
    },
    instructed: { on: { DISPATCH: 'done' } },
    released: { on: { DISPATCH: 'done' } },
    done: { type: 'final' },
  },
});

// --- finding an offer -------------------------------------------------------------------------

export type SearchEvent = { readonly type: 'SEARCH' } | { readonly type: 'FOUND' } | { readonly type: 'MISSED'; readonly reason: string };
export type SearchEffect = { readonly type: 'sendDiscover'; readonly attempt: number } | { readonly type: 'gaveUp'; readonly reason: string };

/**
 * Looking for an offer (the market's, the grid operator's need): `idle ─SEARCH─▶ searching
 * ─FOUND─▶ found`. A catalogue without the offer or a refusal is a miss; the next SEARCH (at the
 * next bid phase) tries again, up to `maxAttempts`, after which it stops in `unavailable`.
 */
export const searchMachine = setup({
  types: { context: {} as { readonly attempts: number; readonly maxAttempts: number; readonly reason: string }, events: {} as SearchEvent, emitted: {} as SearchEffect, input: {} as { readonly maxAttempts: number } },
  guards: { canRetry: ({ context }) => context.attempts < context.maxAttempts },
}).createMachine({
  id: 'search',
  initial: 'idle',
  context: ({ input }) => ({ attempts: 0, maxAttempts: input.maxAttempts, reason: '' }),
  states: {
    idle: { on: { SEARCH: { target: 'searching', actions: [assign({ attempts: 1 }), emit({ type: 'sendDiscover', attempt: 1 })] } } },
    searching: {
      on: {
        FOUND: 'found',
        MISSED: { target: 'missed', actions: assign({ reason: ({ event }) => event.reason }) },
        SEARCH: [
          { guard: 'canRetry', target: 'searching', reenter: true, actions: [assign({ attempts: ({ context }) => context.attempts + 1 }), emit(({ context }) => ({ type: 'sendDiscover' as const, attempt: context.attempts }))] },
          { target: 'unavailable', actions: emit(({ context }) => ({ type: 'gaveUp' as const, reason: `no catalogue after ${context.attempts} attempts` })) },
        ],
      },
    },
    missed: {
      on: {
        SEARCH: [
          { guard: 'canRetry', target: 'searching', actions: [assign({ attempts: ({ context }) => context.attempts + 1 }), emit(({ context }) => ({ type: 'sendDiscover' as const, attempt: context.attempts }))] },
          { target: 'unavailable', actions: emit(({ context }) => ({ type: 'gaveUp' as const, reason: context.reason })) },
        ],
      },
    },
    found: { type: 'final' },
    unavailable: { type: 'final' },
  },
});
