import { describe, expect, it } from 'vitest';
import { start, step } from '../shared/machine.js';
import { stationBookingMachine, type StationEffect, type StationEvent } from './station-machine.js';

function run(...events: StationEvent[]): { state: string; effects: string[] } {
  let s = start<typeof stationBookingMachine, StationEffect>(stationBookingMachine, undefined);
  const effects: string[] = [];
  for (const e of events) {
    s = step<typeof stationBookingMachine, StationEffect>(stationBookingMachine, s.snapshot, e);
    for (const x of s.effects) effects.push(x.type === 'refuse' ? `refuse ${x.answer}` : x.type === 'answerCancel' ? `answerCancel ${String(x.accepted)}` : x.type);
  }
  return { state: String(s.snapshot.value), effects };
}

describe('station booking machine', () => {
  it('books, charges, stops with the charge data record and reports the settlement', () => {
    expect(run({ type: 'INIT' }, { type: 'CONFIRM' }, { type: 'START' }, { type: 'STOP' }, { type: 'END' }, { type: 'SETTLED' })).toEqual({
      state: 'completed',
      effects: ['answerInit', 'activate', 'answerStart', 'close', 'release', 'answerStop', 'report'],
    });
  });

  it('closes a session still plugged in when the booked time is over, and answers a late stop', () => {
    expect(run({ type: 'INIT' }, { type: 'CONFIRM' }, { type: 'START' }, { type: 'END' }, { type: 'STOP' }, { type: 'SETTLED' }, { type: 'STOP' }).effects.slice(3)).toEqual(['close', 'release', 'answerStop', 'report', 'answerStop']);
  });

  it('closes a booking nobody started (no-show) with an empty record', () => {
    expect(run({ type: 'INIT' }, { type: 'CONFIRM' }, { type: 'END' }, { type: 'SETTLED' })).toEqual({ state: 'completed', effects: ['answerInit', 'activate', 'close', 'release', 'report'] });
  });

  it('lets the driver cancel until it plugs in, not after', () => {
    expect(run({ type: 'INIT' }, { type: 'CONFIRM' }, { type: 'CANCEL' })).toEqual({ state: 'cancelled', effects: ['answerInit', 'activate', 'release', 'answerCancel true'] });
    expect(run({ type: 'CANCEL' }).state).toBe('cancelled');
    expect(run({ type: 'INIT' }, { type: 'CONFIRM' }, { type: 'START' }, { type: 'CANCEL' })).toEqual({ state: 'charging', effects: ['answerInit', 'activate', 'answerStart', 'answerCancel false'] });
  });

  it('expires a booking not confirmed before its start and refuses a confirm that changes the contract', () => {
    expect(run({ type: 'INIT' }, { type: 'EXPIRE' })).toEqual({ state: 'expired', effects: ['answerInit', 'release'] });
    expect(run({ type: 'INIT' }, { type: 'CONFIRM_DIFFERS', reason: 'changed' })).toEqual({ state: 'refused', effects: ['answerInit', 'refuse on_confirm', 'release'] });
  });

  it('refuses a stop before the start, and ignores a start before the booking is confirmed', () => {
    expect(run({ type: 'INIT' }, { type: 'CONFIRM' }, { type: 'STOP' }).effects.at(-1)).toBe('refuse on_update');
    expect(run({ type: 'START' })).toEqual({ state: 'quoted', effects: [] });
  });
});
