import { describe, expect, it } from 'vitest';
import { start, step } from '../shared/machine.js';
import { memberIntervalMachine, portfolioIntervalMachine, searchMachine, type MemberEffect, type MemberEvent, type PortfolioEffect, type PortfolioEvent, type SearchEffect, type SearchEvent } from './machine.js';

function runMember(events: readonly MemberEvent[]): { state: string; effects: MemberEffect[] } {
  let s = start<typeof memberIntervalMachine, MemberEffect>(memberIntervalMachine, undefined as never);
  const effects: MemberEffect[] = [...s.effects];
  for (const e of events) {
    s = step<typeof memberIntervalMachine, MemberEffect>(memberIntervalMachine, s.snapshot, e);
    effects.push(...s.effects);
  }
  return { state: String(s.snapshot.value), effects };
}

function runPortfolio(events: readonly PortfolioEvent[]): { state: string; effects: PortfolioEffect[] } {
  let s = start<typeof portfolioIntervalMachine, PortfolioEffect>(portfolioIntervalMachine, undefined as never);
  const effects: PortfolioEffect[] = [...s.effects];
  for (const e of events) {
    s = step<typeof portfolioIntervalMachine, PortfolioEffect>(portfolioIntervalMachine, s.snapshot, e);
    effects.push(...s.effects);
  }
  return { state: String(s.snapshot.value), effects };
}

describe('member interval', () => {
  it('offers, is instructed and follows at delivery', () => {
    expect(runMember([{ type: 'OFFER' }, { type: 'INSTRUCTED', targetKW: -2.5, pricePerKWh: 6.4 }, { type: 'DISPATCH' }])).toEqual({
      state: 'done',
      effects: [{ type: 'sendOffer' }, { type: 'instructed', targetKW: -2.5, pricePerKWh: 6.4 }, { type: 'follow', targetKW: -2.5, pricePerKWh: 6.4 }],
    });
  });

  it('runs free when released, refused, unanswered or never offered: one runFree each', () => {
    expect(runMember([{ type: 'OFFER' }, { type: 'RELEASED', reason: 'no deal' }, { type: 'DISPATCH' }]).effects.at(-1)).toEqual({ type: 'runFree', reason: 'no deal' });
    expect(runMember([{ type: 'OFFER' }, { type: 'NACK', reason: 'update refused' }, { type: 'DISPATCH' }]).effects.at(-1)).toEqual({ type: 'runFree', reason: 'update refused' });
    expect(runMember([{ type: 'OFFER' }, { type: 'DISPATCH' }]).effects.at(-1)).toEqual({ type: 'runFree', reason: 'no instruction by delivery' });
    expect(runMember([{ type: 'DISPATCH' }])).toEqual({ state: 'done', effects: [{ type: 'runFree', reason: 'no curve was offered' }] });
  });

  it('ignores a late instruction after delivery started', () => {
    const r = runMember([{ type: 'OFFER' }, { type: 'DISPATCH' }, { type: 'INSTRUCTED', targetKW: 1, pricePerKWh: 3 }]);
    expect(r.effects.filter((e) => e.type === 'follow' || e.type === 'instructed')).toEqual([]);
  });
});

describe('portfolio interval', () => {
  it('trades when every curve is in and instructs on the deal', () => {
    expect(runPortfolio([{ type: 'COMPLETE' }, { type: 'DEAL', pricePerKWh: 5.5, targetKW: 3 }, { type: 'GATE' }, { type: 'DISPATCH' }])).toEqual({
      state: 'done',
      effects: [{ type: 'trade' }, { type: 'instruct', pricePerKWh: 5.5, targetKW: 3 }],
    });
  });

  it('releases the members when curves are missing at gate closure or the trade fails', () => {
    expect(runPortfolio([{ type: 'GATE' }, { type: 'COMPLETE' }]).effects).toEqual([{ type: 'release', reason: 'member curves were missing at gate closure' }]);
    expect(runPortfolio([{ type: 'COMPLETE' }, { type: 'NO_DEAL', reason: 'refused' }, { type: 'DEAL', pricePerKWh: 1, targetKW: 1 }]).effects).toEqual([{ type: 'trade' }, { type: 'release', reason: 'refused' }]);
    expect(runPortfolio([{ type: 'COMPLETE' }, { type: 'DISPATCH' }]).effects.at(-1)).toEqual({ type: 'release', reason: 'the trade had no outcome at delivery' });
  });
});

describe('search', () => {
  function run(events: readonly SearchEvent[], maxAttempts = 2): { state: string; effects: SearchEffect[] } {
    let s = start<typeof searchMachine, SearchEffect>(searchMachine, { maxAttempts });
    const effects: SearchEffect[] = [];
    for (const e of events) {
      s = step<typeof searchMachine, SearchEffect>(searchMachine, s.snapshot, e);
      effects.push(...s.effects);
    }
    return { state: String(s.snapshot.value), effects };
  }

  it('finds the offer on the first answer', () => {
    expect(run([{ type: 'SEARCH' }, { type: 'FOUND' }])).toEqual({ state: 'found', effects: [{ type: 'sendDiscover', attempt: 1 }] });
  });

  it('retries a miss or a silence and gives up after its attempts', () => {
    expect(run([{ type: 'SEARCH' }, { type: 'MISSED', reason: 'no need' }, { type: 'SEARCH' }, { type: 'FOUND' }])).toEqual({
      state: 'found',
      effects: [{ type: 'sendDiscover', attempt: 1 }, { type: 'sendDiscover', attempt: 2 }],
    });
    expect(run([{ type: 'SEARCH' }, { type: 'SEARCH' }, { type: 'SEARCH' }])).toEqual({
      state: 'unavailable',
      effects: [{ type: 'sendDiscover', attempt: 1 }, { type: 'sendDiscover', attempt: 2 }, { type: 'gaveUp', reason: 'no catalogue after 2 attempts' }],
    });
  });
});
