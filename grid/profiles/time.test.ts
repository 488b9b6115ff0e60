import { describe, expect, it } from 'vitest';
import { dayOfWeek, dayOfYear, gridTimes, hourOfDay, isoOfMs, localOffsetMinutes, parseIsoMs } from './time.js';

describe('profile time helpers', () => {
  it('parses zoned RFC 3339 only', () => {
    expect(parseIsoMs('2025-06-01T05:30:00+05:30')).toBe(Date.UTC(2025, 5, 1, 0, 0, 0));
    expect(() => parseIsoMs('2025-06-01')).toThrow(RangeError);
    expect(() => parseIsoMs('2025-06-01T00:00:00')).toThrow(RangeError);
  });

  it('formats UTC without zero milliseconds', () => {
    expect(isoOfMs(Date.UTC(2025, 0, 2, 3, 4, 5))).toBe('2025-01-02T03:04:05Z');
    expect(isoOfMs(Date.UTC(2025, 0, 2, 3, 4, 5, 250))).toBe('2025-01-02T03:04:05.250Z');
  });

  it('knows weekdays, hours and days of the year', () => {
    expect(dayOfWeek(Date.UTC(2025, 5, 2))).toBe(1); // Monday
    expect(dayOfWeek(Date.UTC(2025, 5, 8, 23, 59))).toBe(0); // Sunday
    expect(dayOfWeek(Date.UTC(1969, 11, 31))).toBe(3); // Wednesday, before the epoch
    expect(hourOfDay(Date.UTC(2025, 5, 2, 19, 30))).toBe(19.5);
    expect(dayOfYear(Date.UTC(2025, 0, 1, 12))).toBe(1.5);
    expect(dayOfYear(Date.UTC(2024, 11, 31))).toBe(366);
  });

  it('takes the local offset from the clock, else from longitude', () => {
    expect(localOffsetMinutes({ utcOffsetMinutes: 330, longitude: 0 })).toBe(330);
    expect(localOffsetMinutes({ longitude: 77.2 })).toBeCloseTo(308.8, 9);
    expect(localOffsetMinutes({})).toBe(0);
  });

  it('rejects malformed grids', () => {
    expect(gridTimes({ startIso: '2025-06-01T00:00:00Z', intervalMinutes: 15, intervals: 4 })).toEqual({ startMs: Date.UTC(2025, 5, 1), stepMs: 900_000 });
    expect(() => gridTimes({ startIso: '2025-06-01T00:00:00Z', intervalMinutes: 0, intervals: 4 })).toThrow(RangeError);
    expect(() => gridTimes({ startIso: '2025-06-01T00:00:00Z', intervalMinutes: 15, intervals: -1 })).toThrow(RangeError);
  });
});
