import { describe, expect, it } from 'vitest';
import { createClock } from '../../src/kernel/clock.js';
import { gridTransactionId, intervalOfPayAsClear, intervalOfWindow, intervalsOverlapping, intervalWindow, marketTransactionId, participantIdsOf, payAsClearContractId, setupTransactionId } from './ids.js';

const CLOCK = createClock('2026-06-21T00:00:00Z', 15, 96);

describe('ids', () => {
  it('names transactions and contracts as the flow prescribes', () => {
    expect([marketTransactionId(12, 'pv-3'), gridTransactionId(12, 'pv-3'), payAsClearContractId(12, 'pv-3'), setupTransactionId('pv-3'), setupTransactionId('mca', 'grid')]).toEqual([
      'txn-i12-pv-3',
      'txn-i12-pv-3-grid',
      'pac-i12-pv-3',
      'txn-setup-pv-3',
      'txn-setup-mca-grid',
    ]);
  });

  it('reads the interval back only from the owner’s own contract id', () => {
    expect([intervalOfPayAsClear('pac-i12-pv-3', 'pv-3'), intervalOfPayAsClear('pac-i12-pv-3', 'pv-30'), intervalOfPayAsClear('pac-i012-pv-3', 'pv-3'), intervalOfPayAsClear('dev-pv-3', 'pv-3')]).toEqual([12, undefined, undefined, undefined]);
  });

  it('maps intervals to windows and back', () => {
    expect(intervalWindow(CLOCK, 48)).toEqual({ start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z' });
    expect(intervalOfWindow(CLOCK, { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z' })).toBe(48);
    expect(intervalOfWindow(CLOCK, { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:30:00Z' })).toBeUndefined();
    expect(intervalOfWindow(CLOCK, { start: '2026-06-22T00:00:00Z', end: '2026-06-22T00:15:00Z' })).toBeUndefined();
  });

  it('finds the intervals a window overlaps, clipped to the run', () => {
    expect(intervalsOverlapping(CLOCK, { start: '2026-06-21T00:10:00Z', end: '2026-06-21T00:31:00Z' })).toEqual([0, 2]);
    expect(intervalsOverlapping(CLOCK, { start: '2026-06-20T23:00:00Z', end: '2026-06-21T00:15:00Z' })).toEqual([0, 0]);
    expect(intervalsOverlapping(CLOCK, { start: '2026-06-23T00:00:00Z', end: '2026-06-23T01:00:00Z' })).toBeUndefined();
  });

  it('expands participant entries the way the scenario does', () => {
    expect(participantIdsOf({ kind: 'prosumer', idPrefix: 'pv', count: 3 })).toEqual(['pv-1', 'pv-2', 'pv-3']);
    expect(participantIdsOf({ kind: 'consumer', count: 2 })).toEqual(['consumer-1', 'consumer-2']);
    expect(participantIdsOf({ kind: 'mca', id: 'market', count: 1 })).toEqual(['market']);
    expect(participantIdsOf({ kind: 'utility', count: 1 })).toEqual(['utility']);
  });
});
