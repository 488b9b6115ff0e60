import { describe, expect, it } from 'vitest';
import { start, step } from '../shared/machine.js';
import { buyerDealMachine, type BuyerDealEffect, type BuyerDealEvent } from './machine.js';

function run(...events: BuyerDealEvent[]): { state: string; effects: string[] } {
  let s = start<typeof buyerDealMachine, BuyerDealEffect>(buyerDealMachine, undefined);
  const effects: string[] = [];
  for (const e of events) {
    s = step<typeof buyerDealMachine, BuyerDealEffect>(buyerDealMachine, s.snapshot, e);
    for (const x of s.effects) effects.push('at' in x ? `${x.type} ${x.at}` : x.type);
  }
  return { state: String(s.snapshot.value), effects };
}

describe('buyer deal machine', () => {
  it('discovers, selects the best offer, inits, confirms and asks for the status until delivery completes', () => {
    expect(run({ type: 'DISCOVER' }, { type: 'RANKED', count: 2 }, { type: 'QUOTED' }, { type: 'APPROVED' }, { type: 'ACTIVATED' }, { type: 'SETTLED' }, { type: 'SETTLED' }, { type: 'COMPLETED' })).toEqual({
      state: 'completed',
      effects: ['sendDiscover', 'sendSelect 0', 'sendInit', 'sendConfirm', 'active 0', 'sendStatus', 'sendStatus', 'completed'],
    });
  });

  it('moves on to the next offer when one is refused, at any step before it is active', () => {
    expect(run({ type: 'DISCOVER' }, { type: 'RANKED', count: 3 }, { type: 'REFUSED', reason: 'sold out' }, { type: 'QUOTED' }, { type: 'REFUSED', reason: 'grid' }, { type: 'QUOTED' }, { type: 'APPROVED' }, { type: 'ACTIVATED' })).toEqual({
      state: 'active',
      effects: ['sendDiscover', 'sendSelect 0', 'refused 0', 'sendSelect 1', 'sendInit', 'refused 1', 'sendSelect 2', 'sendInit', 'sendConfirm', 'active 2'],
    });
  });

  it('ends without a deal when nothing is worth taking or every offer refuses', () => {
    expect(run({ type: 'DISCOVER' }, { type: 'RANKED', count: 0 })).toEqual({ state: 'noDeal', effects: ['sendDiscover', 'noDeal'] });
    expect(run({ type: 'DISCOVER' }, { type: 'RANKED', count: 1 }, { type: 'QUOTED' }, { type: 'APPROVED' }, { type: 'REFUSED', reason: 'x' })).toEqual({ state: 'noDeal', effects: ['sendDiscover', 'sendSelect 0', 'sendInit', 'sendConfirm', 'refused 0', 'noDeal'] });
  });

  it('ignores status ticks before the trade is active and answers out of turn', () => {
    expect(run({ type: 'DISCOVER' }, { type: 'SETTLED' }, { type: 'APPROVED' })).toEqual({ state: 'discovering', effects: ['sendDiscover'] });
  });
});
