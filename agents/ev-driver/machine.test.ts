import { describe, expect, it } from 'vitest';
import { start, step } from '../shared/machine.js';
import { driverMachine, type DriverEffect, type DriverEvent } from './machine.js';

function run(...events: DriverEvent[]): { state: string; effects: string[] } {
  let s = start<typeof driverMachine, DriverEffect>(driverMachine, undefined);
  const effects: string[] = [];
  for (const e of events) {
    s = step<typeof driverMachine, DriverEffect>(driverMachine, s.snapshot, e);
    for (const x of s.effects) effects.push('at' in x ? `${x.type} ${x.at}` : x.type);
  }
  return { state: String(s.snapshot.value), effects };
}

describe('EV driver stay machine', () => {
  it('follows the DEG EV flow from discover to rating', () => {
    expect(
      run({ type: 'SEARCH' }, { type: 'RANKED', count: 2 }, { type: 'QUOTED' }, { type: 'HELD' }, { type: 'BOOKED' }, { type: 'ARRIVE' }, { type: 'STARTED' }, { type: 'TICK' }, { type: 'TICK' }, { type: 'LEAVE' }, { type: 'STOPPED' }),
    ).toEqual({ state: 'stopped', effects: ['sendDiscover', 'sendSelect 0', 'sendInit', 'sendConfirm', 'sendStart', 'sendTrack', 'sendStatus', 'sendStatus', 'sendStop', 'sendRating'] });
  });

  it('tries the next station when one refuses, and goes without when none is left', () => {
    expect(run({ type: 'SEARCH' }, { type: 'RANKED', count: 2 }, { type: 'REFUSED', reason: 'full' }, { type: 'QUOTED' }).effects).toEqual(['sendDiscover', 'sendSelect 0', 'refused 0', 'sendSelect 1', 'sendInit']);
    expect(run({ type: 'SEARCH' }, { type: 'RANKED', count: 1 }, { type: 'REFUSED', reason: 'full' })).toEqual({ state: 'noBooking', effects: ['sendDiscover', 'sendSelect 0', 'refused 0', 'noBooking'] });
    expect(run({ type: 'SEARCH' }, { type: 'RANKED', count: 0 })).toEqual({ state: 'noBooking', effects: ['sendDiscover', 'noBooking'] });
  });

  it('cancels a booking before arriving, and keeps it when the station refuses the cancel', () => {
    const booked: DriverEvent[] = [{ type: 'SEARCH' }, { type: 'RANKED', count: 1 }, { type: 'QUOTED' }, { type: 'HELD' }, { type: 'BOOKED' }];
    expect(run(...booked, { type: 'CANCEL_PLANS' }, { type: 'CANCELLED' }, { type: 'ARRIVE' }).state).toBe('cancelled');
    expect(run(...booked, { type: 'CANCEL_PLANS' }, { type: 'REFUSED', reason: 'x' }, { type: 'ARRIVE' }).state).toBe('starting');
  });

  it('does not start without a booking', () => {
    expect(run({ type: 'SEARCH' }, { type: 'ARRIVE' }, { type: 'LEAVE' })).toEqual({ state: 'discovering', effects: ['sendDiscover'] });
  });
});
