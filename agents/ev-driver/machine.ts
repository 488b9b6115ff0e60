import { emit, enqueueActions, setup } from 'xstate';

/**
 * One stay of an EV driver at a destination charger (BAP), as a pure machine — the DEG guide's EV
 * flow: discover, then down the ranked EVSEs select → init → confirm until one is booked; on
 * arrival an update starts the session (then track, and status after every interval), on leaving
 * an update stops it and the session is rated. A booking may be cancelled before arrival.
 *
 * `idle ─SEARCH─▶ discovering ─RANKED─▶ selecting ─QUOTED─▶ initiating ─HELD─▶ confirming ─BOOKED─▶
 * booked ─ARRIVE─▶ starting ─STARTED─▶ charging ─LEAVE─▶ stopping ─STOPPED─▶ stopped`
 */

export type DriverEvent =
  | { readonly type: 'SEARCH' }
  | { readonly type: 'RANKED'; readonly count: number }
  | { readonly type: 'QUOTED' }
  | { readonly type: 'HELD' }
  | { readonly type: 'BOOKED' }
  | { readonly type: 'REFUSED'; readonly reason: string }
  | { readonly type: 'ARRIVE' }
  | { readonly type: 'STARTED' }
  /** An interval of charging was settled: time to ask for the status. */
  | { readonly type: 'TICK' }
  | { readonly type: 'LEAVE' }
  | { readonly type: 'STOPPED' }
  | { readonly type: 'CANCEL_PLANS' }
  | { readonly type: 'CANCELLED' };

export type DriverEffect =
  | { readonly type: 'sendDiscover' }
  | { readonly type: 'sendSelect'; readonly at: number }
  | { readonly type: 'sendInit' }
  | { readonly type: 'sendConfirm' }
  | { readonly type: 'sendStart' }
  | { readonly type: 'sendTrack' }
  | { readonly type: 'sendStatus' }
  | { readonly type: 'sendStop' }
  | { readonly type: 'sendRating' }
  | { readonly type: 'sendCancel' }
  | { readonly type: 'refused'; readonly at: number; readonly reason: string }
  | { readonly type: 'noBooking'; readonly reason: string };

interface DriverContext {
  readonly count: number;
  readonly at: number;
}

export const driverMachine = setup({
  types: { context: {} as DriverContext, events: {} as DriverEvent, emitted: {} as DriverEffect },
  guards: { moreOptions: ({ context }) => context.at + 1 < context.count },
  actions: {
    nextOption: enqueueActions(({ enqueue, context, event }) => {
      enqueue.emit({ type: 'refused', at: context.at, reason: event.type === 'REFUSED' ? event.reason : 'refused' });
      enqueue.emit({ type: 'sendSelect', at: context.at + 1 });
      enqueue.assign({ at: context.at + 1 });
    }),
    giveUp: enqueueActions(({ enqueue, context, event }) => {
      const reason = event.type === 'REFUSED' ? event.reason : 'refused';
      enqueue.emit({ type: 'refused', at: context.at, reason });
      enqueue.emit({ type: 'noBooking', reason: `every option refused, the last: ${reason}` });
    }),
  },
}).createMachine({
  id: 'evDriverStay',
  initial: 'idle',
  context: { count: 0, at: 0 },
  states: {
    idle: { on: { SEARCH: { target: 'discovering', actions: emit({ type: 'sendDiscover' }) } } },
    discovering: {
      on: {
        RANKED: [
          { guard: ({ event }) => event.count > 0, target: 'selecting', actions: enqueueActions(({ enqueue, event }) => {
            enqueue.assign({ count: event.count, at: 0 });
            enqueue.emit({ type: 'sendSelect', at: 0 });
          }) },
          { target: 'noBooking', actions: emit({ type: 'noBooking', reason: 'no EVSE for the car near the destination' }) },
        ],
      },
    },
    selecting: { on: { QUOTED: { target: 'initiating', actions: emit({ type: 'sendInit' }) }, REFUSED: [{ guard: 'moreOptions', target: 'selecting', reenter: true, actions: 'nextOption' }, { target: 'noBooking', actions: 'giveUp' }] } },
    initiating: { on: { HELD: { target: 'confirming', actions: emit({ type: 'sendConfirm' }) }, REFUSED: [{ guard: 'moreOptions', target: 'selecting', actions: 'nextOption' }, { target: 'noBooking', actions: 'giveUp' }] } },
    confirming: { on: { BOOKED: { target: 'booked' }, REFUSED: [{ guard: 'moreOptions', target: 'selecting', actions: 'nextOption' }, { target: 'noBooking', actions: 'giveUp' }] } },
    booked: { on: { ARRIVE: { target: 'starting', actions: emit({ type: 'sendStart' }) }, CANCEL_PLANS: { target: 'cancelling', actions: emit({ type: 'sendCancel' }) } } },
    starting: { on: { STARTED: { target: 'charging', actions: emit({ type: 'sendTrack' }) }, REFUSED: { target: 'failed', actions: emit(({ event }) => ({ type: 'noBooking' as const, reason: `start refused: ${event.reason}` })) } } },
    charging: { on: { TICK: { actions: emit({ type: 'sendStatus' }) }, LEAVE: { target: 'stopping', actions: emit({ type: 'sendStop' }) } } },
    stopping: { on: { STOPPED: { target: 'stopped', actions: emit({ type: 'sendRating' }) } } },
    cancelling: { on: { CANCELLED: { target: 'cancelled' }, REFUSED: { target: 'booked' } } },
    stopped: { type: 'final' },
    cancelled: { type: 'final' },
    noBooking: { type: 'final' },
    failed: { type: 'final' },
  },
});
