import { describe, expect, it } from 'vitest';
import { randomStream } from '../../src/kernel/random.js';
import { householdLoad, householdShape } from './household.js';

describe('householdShape', () => {
  it('has a weekly mean of 1, a night trough and an evening peak near twice the mean', () => {
    let sum = 0;
    for (let m = 0; m < 1440; m++) sum += 5 * householdShape((m + 0.5) / 60, false) + 2 * householdShape((m + 0.5) / 60, true);
    expect(sum / (7 * 1440)).toBeCloseTo(1, 6);
    expect(householdShape(3, false)).toBeLessThan(0.6);
    expect(householdShape(19.6, false)).toBeGreaterThan(1.8);
    expect(householdShape(7.4, false)).toBeGreaterThan(householdShape(7.4, true));
    expect(householdShape(13, true)).toBeGreaterThan(householdShape(13, false));
  });
});

describe('householdLoad', () => {
  // 2025-06-02 is a Monday.
  const grid = { startIso: '2025-06-02T00:00:00Z', intervalMinutes: 15, intervals: 96 * 28 };

  it('averages annualKWh / 8760 across households and weeks', () => {
    let sum = 0;
    let n = 0;
    for (let h = 0; h < 8; h++) {
      const load = householdLoad({ ...grid, annualKWh: 3500 }, randomStream(5, `load/h${h}`));
      for (const x of load) sum += x;
      n += load.length;
    }
    expect(sum / n).toBeGreaterThan(0.97 * (3500 / 8760));
    expect(sum / n).toBeLessThan(1.03 * (3500 / 8760));
  });

  it('peaks in the evening and is lowest at night, in local time', () => {
    const byHour = new Float64Array(24);
    const offset = 330;
    for (let h = 0; h < 8; h++) {
      const load = householdLoad({ ...grid, annualKWh: 3000, utcOffsetMinutes: offset }, randomStream(6, `load/h${h}`));
      load.forEach((x, k) => {
        const localHour = Math.floor(((k * 15 + offset) % 1440) / 60);
        byHour[localHour] = byHour[localHour]! + x;
      });
    }
    const peak = byHour.indexOf(Math.max(...byHour));
    const trough = byHour.indexOf(Math.min(...byHour));
    expect(peak).toBeGreaterThanOrEqual(18);
    expect(peak).toBeLessThanOrEqual(21);
    expect(trough).toBeGreaterThanOrEqual(1);
    expect(trough).toBeLessThanOrEqual(5);
  });

  it('is positive, has appliance spikes above 1 kW, and is deterministic per stream', () => {
    const a = householdLoad({ ...grid, annualKWh: 3000 }, randomStream(7, 'load/x'));
    expect(Math.min(...a)).toBeGreaterThan(0);
    expect(Math.max(...a)).toBeGreaterThan(1);
    expect(householdLoad({ ...grid, annualKWh: 3000 }, randomStream(7, 'load/x'))).toEqual(a);
    expect(householdLoad({ ...grid, annualKWh: 3000 }, randomStream(7, 'load/y'))).not.toEqual(a);
  });

  it('is zero for zero consumption and empty for no intervals', () => {
    expect(Array.from(householdLoad({ ...grid, intervals: 4, annualKWh: 0 }, randomStream(1, 'l')))).toEqual([0, 0, 0, 0]);
    expect(householdLoad({ ...grid, intervals: 0, annualKWh: 3000 }, randomStream(1, 'l'))).toHaveLength(0);
  });
});
