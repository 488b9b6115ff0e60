import { describe, expect, it } from 'vitest';
import { randomStream } from '../../src/kernel/random.js';
import { evSessions, type EvSession } from './ev.js';

const week = { startIso: '2025-06-02T00:00:00Z', intervalMinutes: 15, intervals: 96 * 7 };
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const arrivalHour = (s: EvSession): number => (s.arrival % 96) / 4;

describe('evSessions', () => {
  it('draws exactly `count` sessions inside the horizon, sorted, with deliverable energy', () => {
    const s = evSessions({ ...week, kind: 'home', count: 40 }, randomStream(1, 'ev'));
    expect(s).toHaveLength(40);
    for (let k = 0; k < s.length; k++) {
      const x = s[k]!;
      expect(x.id).toBe(`home-${k + 1}`);
      expect(x.arrival).toBeGreaterThanOrEqual(0);
      expect(x.arrival).toBeLessThan(week.intervals);
      expect(x.departure).toBeGreaterThan(x.arrival);
      expect(x.energyKWh).toBeLessThanOrEqual(x.maxPowerKW * (x.departure - x.arrival) * 0.25 + 1e-9);
      expect(x.energyKWh).toBeGreaterThan(0);
      if (k > 0) expect(x.arrival).toBeGreaterThanOrEqual(s[k - 1]!.arrival);
    }
  });

  it('puts home arrivals in the evening with overnight stays', () => {
    const s = evSessions({ ...week, kind: 'home', perDay: 200 }, randomStream(2, 'ev')).filter((x) => x.arrival > 96);
    const evening = s.filter((x) => arrivalHour(x) >= 16 && arrivalHour(x) <= 21);
    expect(evening.length / s.length).toBeGreaterThan(0.55);
    expect(mean(evening.map((x) => (x.departure - x.arrival) / 4))).toBeGreaterThan(10);
    expect(mean(s.map((x) => x.energyKWh))).toBeGreaterThan(7);
    expect(mean(s.map((x) => x.energyKWh))).toBeLessThan(12);
  });

  it('puts workplace arrivals in the morning on weekdays, with working-day stays', () => {
    const s = evSessions({ ...week, kind: 'workplace', perDay: 200 }, randomStream(3, 'ev'));
    const weekday = s.filter((x) => x.arrival < 96 * 5);
    const weekend = s.filter((x) => x.arrival >= 96 * 5);
    expect(weekend.length).toBeLessThan(0.1 * weekday.length);
    expect(mean(weekday.map(arrivalHour))).toBeGreaterThan(8.5);
    expect(mean(weekday.map(arrivalHour))).toBeLessThan(10.5);
    expect(mean(weekday.map((x) => (x.departure - x.arrival) / 4))).toBeGreaterThan(5.5);
  });

  it('gives destination charging short afternoon stays, busier at weekends', () => {
    const s = evSessions({ ...week, kind: 'destination', perDay: 200 }, randomStream(4, 'ev'));
    expect(mean(s.map((x) => (x.departure - x.arrival) / 4))).toBeLessThan(2.5);
    expect(mean(s.map(arrivalHour))).toBeGreaterThan(12.5);
    expect(mean(s.map(arrivalHour))).toBeLessThan(16.5);
    const weekendPerDay = s.filter((x) => x.arrival >= 96 * 5).length / 2;
    const weekdayPerDay = s.filter((x) => x.arrival < 96 * 5).length / 5;
    expect(weekendPerDay).toBeGreaterThan(weekdayPerDay);
  });

  it('keeps sessions still plugged in at the start, with only the remaining need', () => {
    const s = evSessions({ ...week, intervals: 8, kind: 'home', perDay: 50 }, randomStream(5, 'ev'));
    const carried = s.filter((x) => x.arrival === 0 && x.arrivalIso === '2025-06-02T00:00:00Z');
    expect(carried.length).toBeGreaterThan(10);
  });

  it('uses the local clock and a fixed charger power when given', () => {
    const s = evSessions({ ...week, kind: 'workplace', count: 30, utcOffsetMinutes: 330, maxPowerKW: 11 }, randomStream(6, 'ev'));
    expect(s.every((x) => x.maxPowerKW === 11)).toBe(true);
    // Arrivals around 08:30 IST are around 03:00 UTC.
    expect(mean(s.map(arrivalHour))).toBeLessThan(6);
  });

  it('is deterministic and validates its parameters', () => {
    const p = { ...week, kind: 'destination' as const, count: 10 };
    expect(evSessions(p, randomStream(8, 'ev'))).toEqual(evSessions(p, randomStream(8, 'ev')));
    expect(() => evSessions({ ...week, kind: 'home' }, randomStream(1, 'ev'))).toThrow(/count or perDay/);
    expect(() => evSessions({ ...week, kind: 'home', count: 1.5 }, randomStream(1, 'ev'))).toThrow(RangeError);
  });
});
