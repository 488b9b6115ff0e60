import { describe, expect, it } from 'vitest';
import { createClock, isoOf, parseIsoMs } from './clock.js';
import { PHASES, phaseTimes } from './phases.js';

describe('simulated clock', () => {
  it('steps fixed intervals from the start, in UTC', () => {
    const c = createClock('2026-06-21T00:00:00Z', 15, 96);
    expect(c.intervalStartIso(0)).toBe('2026-06-21T00:00:00Z');
    expect(c.intervalStartIso(1)).toBe('2026-06-21T00:15:00Z');
    expect(c.intervalStartIso(95)).toBe('2026-06-21T23:45:00Z');
    expect(isoOf(c.endMs)).toBe('2026-06-22T00:00:00Z');
    expect(c.intervalHours).toBe(0.25);
  });

  it('rejects interval lengths that do not divide a day and bad timestamps', () => {
    expect(() => createClock('2026-06-21T00:00:00Z', 7, 10)).toThrow(/divide a day/);
    expect(Number.isNaN(parseIsoMs('21/06/2026'))).toBe(true);
    expect(isoOf(parseIsoMs('2026-06-21T05:30:00+05:30'))).toBe('2026-06-21T00:00:00Z');
  });
});

describe('phases', () => {
  it('run in the documented order', () => {
    expect(PHASES).toEqual(['bid', 'exchange', 'clear', 'dispatch', 'physics', 'meter', 'settle']);
  });

  it('place bids before gate closure before delivery, and settle at the end of delivery', () => {
    const start = parseIsoMs('2026-06-21T10:00:00Z');
    const t = phaseTimes(start, 15 * 60_000, 15 * 60_000, 5 * 60_000);
    expect(isoOf(t.bid)).toBe('2026-06-21T09:45:00Z');
    expect(isoOf(t.clear)).toBe('2026-06-21T09:55:00Z');
    expect(isoOf(t.dispatch)).toBe('2026-06-21T10:00:00Z');
    expect(isoOf(t.settle)).toBe('2026-06-21T10:15:00Z');
    const order = PHASES.map((p) => t[p]);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(() => phaseTimes(start, 900_000, 60_000, 120_000)).toThrow(/gate closure/);
  });
});
