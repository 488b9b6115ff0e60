import { emit, setup } from 'xstate';

/**
 * One booking at a charging station, from the CPO's side (BPP to the driver), as a pure machine:
 *
 * `quoted ─INIT─▶ held ─CONFIRM─▶ booked ─START─▶ charging ─STOP / END─▶ ended ─SETTLED─▶ completed`
 *
 * The EVSE is held for the driver from the quote (select) on. A booking not confirmed before its
 * start expires; a confirm that changes the contract is refused; the driver may cancel until it
 * plugs in. `END` is the end of the booked time: the session is closed (the vehicle unplugged if
 * still there, the charge data record taken) whether the driver stopped, never came, or is still
 * plugged in; `SETTLED` comes once the contract is billed from that record.
 */

export type StationEvent =
  | { readonly type: 'INIT' }
  | { readonly type: 'CONFIRM' }
  | { readonly type: 'CONFIRM_DIFFERS'; readonly reason: string }
  /** The booked start passed before the booking was confirmed. */
  | { readonly type: 'EXPIRE' }
  /** The driver plugged in (update with a Started session event). */
  | { readonly type: 'START' }
  /** The driver stopped (update with an Ended session event). */
  | { readonly type: 'STOP' }
  | { readonly type: 'CANCEL' }
  /** The booked time is over. */
  | { readonly type: 'END' }
  /** The session's contract was settled from its charge data record. */
  | { readonly type: 'SETTLED' };

export type StationEffect =
  | { readonly type: 'answerInit' }
  /** Record the contract ACTIVE and answer on_confirm. */
  | { readonly type: 'activate' }
  | { readonly type: 'answerStart' }
  /** Answer the stop with the charge data record. */
  | { readonly type: 'answerStop' }
  | { readonly type: 'answerCancel'; readonly accepted: boolean; readonly reason: string }
  | { readonly type: 'refuse'; readonly answer: 'on_init' | 'on_confirm' | 'on_update'; readonly reason: string }
  /** Free the EVSE for others. */
  | { readonly type: 'release' }
  /** Unplug the vehicle if it is still there and take the charge data record. */
  | { readonly type: 'close' }
  /** Send the driver the charge data record with the settlement (on_status). */
  | { readonly type: 'report' };

export const stationBookingMachine = setup({
  types: { context: {} as Record<string, never>, events: {} as StationEvent, emitted: {} as StationEffect },
}).createMachine({
  id: 'stationBooking',
  initial: 'quoted',
  context: {},
  states: {
    quoted: {
      on: {
        INIT: { target: 'held', actions: emit({ type: 'answerInit' }) },
        EXPIRE: { target: 'expired', actions: emit({ type: 'release' }) },
        CANCEL: { target: 'cancelled', actions: [emit({ type: 'release' }), emit({ type: 'answerCancel', accepted: true, reason: 'withdrawn by the driver' })] },
      },
    },
    held: {
      on: {
        CONFIRM: { target: 'booked', actions: emit({ type: 'activate' }) },
        CONFIRM_DIFFERS: { target: 'refused', actions: [emit(({ event }) => ({ type: 'refuse' as const, answer: 'on_confirm' as const, reason: event.reason })), emit({ type: 'release' })] },
        EXPIRE: { target: 'expired', actions: emit({ type: 'release' }) },
        CANCEL: { target: 'cancelled', actions: [emit({ type: 'release' }), emit({ type: 'answerCancel', accepted: true, reason: 'withdrawn by the driver' })] },
      },
    },
    booked: {
      on: {
        START: { target: 'charging', actions: emit({ type: 'answerStart' }) },
        CANCEL: { target: 'cancelled', actions: [emit({ type: 'release' }), emit({ type: 'answerCancel', accepted: true, reason: 'booking cancelled before the session started' })] },
        END: { target: 'ended', actions: [emit({ type: 'close' }), emit({ type: 'release' })] },
        STOP: { actions: emit({ type: 'refuse', answer: 'on_update', reason: 'the session has not started' }) },
      },
    },
    charging: {
      on: {
        STOP: { target: 'ended', actions: [emit({ type: 'close' }), emit({ type: 'release' }), emit({ type: 'answerStop' })] },
        END: { target: 'ended', actions: [emit({ type: 'close' }), emit({ type: 'release' })] },
        START: { actions: emit({ type: 'answerStart' }) },
        CANCEL: { actions: emit({ type: 'answerCancel', accepted: false, reason: 'the session is charging; stop it instead' }) },
      },
    },
    ended: {
      on: {
        STOP: { actions: emit({ type: 'answerStop' }) },
        SETTLED: { target: 'completed', actions: emit({ type: 'report' }) },
        CANCEL: { actions: emit({ type: 'answerCancel', accepted: false, reason: 'the session is over' }) },
        START: { actions: emit({ type: 'refuse', answer: 'on_update', reason: 'the booking is over' }) },
      },
    },
    completed: {
      on: {
        STOP: { actions: emit({ type: 'answerStop' }) },
        CANCEL: { actions: emit({ type: 'answerCancel', accepted: false, reason: 'the session is over' }) },
        START: { actions: emit({ type: 'refuse', answer: 'on_update', reason: 'the booking is over' }) },
      },
    },
    expired: { type: 'final' },
    refused: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
