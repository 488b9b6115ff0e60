import { describe, expect, it } from 'vitest';
import { start, step } from '../shared/machine.js';
import { sellerTradeMachine, type SellerTradeEffect, type SellerTradeEvent } from './machine.js';

/** Runs events from the start; returns the final state and every effect type, in order. */
function run(...events: SellerTradeEvent[]): { state: string; effects: string[] } {
  let s = start<typeof sellerTradeMachine, SellerTradeEffect>(sellerTradeMachine, undefined);
  const effects: string[] = [];
  for (const e of events) {
    s = step<typeof sellerTradeMachine, SellerTradeEffect>(sellerTradeMachine, s.snapshot, e);
    for (const x of s.effects) effects.push(x.type === 'refuse' ? `refuse ${x.answer}: ${x.reason}` : x.type === 'answerCancel' ? `answerCancel ${String(x.accepted)}` : x.type);
  }
  return { state: String(s.snapshot.value), effects };
}

describe('seller trade machine', () => {
  it('goes quoted → approving → offered → locking → active → completed', () => {
    expect(run({ type: 'INIT' }, { type: 'GRID_APPROVED' }, { type: 'CONFIRM' }, { type: 'GRID_LOCKED' }, { type: 'DELIVERY_STARTS' }, { type: 'DELIVERED' })).toEqual({
      state: 'completed',
      effects: ['sendGridInit', 'answerInit', 'sendGridConfirm', 'activate', 'complete'],
    });
  });

  it('passes the grid operator’s refusal on to the buyer and releases the held block', () => {
    expect(run({ type: 'INIT' }, { type: 'GRID_REFUSED', reason: 'meter m9 is not a connection' })).toEqual({ state: 'refused', effects: ['sendGridInit', 'refuse on_init: meter m9 is not a connection', 'release'] });
    expect(run({ type: 'INIT' }, { type: 'GRID_APPROVED' }, { type: 'CONFIRM' }, { type: 'GRID_REFUSED', reason: 'exceeds' })).toEqual({ state: 'refused', effects: ['sendGridInit', 'answerInit', 'sendGridConfirm', 'refuse on_confirm: exceeds', 'release'] });
  });

  it('refuses a confirm that changes the contract', () => {
    expect(run({ type: 'INIT' }, { type: 'GRID_APPROVED' }, { type: 'CONFIRM_DIFFERS', reason: 'changed' }).effects.slice(-2)).toEqual(['refuse on_confirm: changed', 'release']);
  });

  it('lets the buyer withdraw before confirming, not after the trade is locked', () => {
    expect(run({ type: 'CANCEL' })).toEqual({ state: 'cancelled', effects: ['release', 'answerCancel true'] });
    expect(run({ type: 'INIT' }, { type: 'GRID_APPROVED' }, { type: 'CANCEL' }).state).toBe('cancelled');
    expect(run({ type: 'INIT' }, { type: 'GRID_APPROVED' }, { type: 'CONFIRM' }, { type: 'GRID_LOCKED' }, { type: 'CANCEL' })).toEqual({ state: 'active', effects: ['sendGridInit', 'answerInit', 'sendGridConfirm', 'activate', 'answerCancel false'] });
  });

  it('expires when delivery starts before the trade is locked', () => {
    expect(run({ type: 'DELIVERY_STARTS' })).toEqual({ state: 'expired', effects: ['release'] });
    expect(run({ type: 'INIT' }, { type: 'DELIVERY_STARTS' }).effects.slice(-2)).toEqual(['refuse on_init: delivery started before the grid operator approved', 'release']);
    expect(run({ type: 'INIT' }, { type: 'GRID_APPROVED' }, { type: 'DELIVERY_STARTS' }).state).toBe('expired');
  });

  it('ignores events out of turn', () => {
    expect(run({ type: 'CONFIRM' }, { type: 'GRID_LOCKED' }, { type: 'DELIVERED' })).toEqual({ state: 'quoted', effects: [] });
  });
});
