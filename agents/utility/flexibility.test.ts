import { describe, expect, it } from 'vitest';
import { evaluatePeriod, initialState } from '../../src/contracts/evaluate.js';
import { formContract } from '../../src/contracts/form.js';
import { flexibilityInputs } from '../../src/contracts/templates/index.js';
import { createClock } from '../../src/kernel/clock.js';
import { formatMinor } from '../../src/settlement/money.js';
import { eventIntervals, flexibilityNeedParams, flexibilityOfferContract, meterBaseline, needKW, seeksNeed } from './flexibility.js';

const need = {
  node: 'T001',
  start: '2026-06-24T18:00:00+05:30',
  end: '2026-06-24T21:00:00+05:30',
  pricePerKWh: 12,
};

describe('flexibility need parameters', () => {
  it('reads the window in UTC and keeps the local offset it was written in', () => {
    const r = flexibilityNeedParams(need);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({
      node: 'T001',
      window: { start: '2026-06-24T12:30:00Z', end: '2026-06-24T15:30:00Z' },
      utcOffsetMinutes: 330,
      pricePerKWh: 12,
      marginPct: 0,
      shortfallPenaltyPerKWh: undefined,
      baselineDays: 5,
      adjustmentHours: 2,
    });
  });

  it('reports every problem at once', () => {
    const r = flexibilityNeedParams({ node: '', start: 'tomorrow', end: '2026-06-24T12:00:00Z', pricePerKWh: 0, baselineDays: 1.5, colour: 'red' });
    expect(r.ok ? [] : r.errors.map((d) => d.path).sort()).toEqual(['flexibility.baselineDays', 'flexibility.colour', 'flexibility.node', 'flexibility.pricePerKWh', 'flexibility.start']);
  });
});

describe('the need', () => {
  it('is what the forecast puts above the limit less the margin', () => {
    expect(needKW(13.4, 9, 0)).toBeCloseTo(4.4, 12);
    expect(needKW(13.4, 10, 10)).toBeCloseTo(4.4, 12);
    expect(needKW(8, 9, 0)).toBe(0);
  });

  it('covers the intervals of the event window', () => {
    const clock = createClock('2026-06-23T00:00:00Z', 30, 96);
    expect(eventIntervals(clock, { start: '2026-06-24T12:30:00Z', end: '2026-06-24T15:30:00Z' })).toEqual([73, 78]);
    expect(eventIntervals(clock, { start: '2026-06-26T12:30:00Z', end: '2026-06-26T15:30:00Z' })).toBeUndefined();
  });

  it('answers a discover for upward flexibility at its node and in its window only', () => {
    const p = flexibilityNeedParams(need);
    if (!p.ok) throw new Error('params');
    expect(seeksNeed({ seek: 'flexibility', direction: 'UP' }, p.value)).toBe(true);
    expect(seeksNeed({ seek: 'flexibility', direction: 'UP', gridNodeId: 'T002' }, p.value)).toBe(false);
    expect(seeksNeed({ seek: 'flexibility', direction: 'DOWN' }, p.value)).toBe(false);
    expect(seeksNeed({ seek: 'flexibility', direction: 'UP', window: { start: '2026-06-24T15:30:00Z', end: '2026-06-24T18:00:00Z' } }, p.value)).toBe(false);
  });
});

describe('meter baseline', () => {
  // A toy day of 4 intervals. The portfolio's readings (kWh, + export) on three days; the event is
  // intervals 10-11 of day 3, the adjustment window interval 9.
  const readings = new Map<number, number>([
    [1, -1.0], [2, -2.0], [3, -3.0],
    [5, -1.2], [6, -2.2], [7, -2.6],
    [9, -1.5], [10, 0.5], [11, 0.2],
  ]);
  const read = (k: number): number | undefined => readings.get(k);

  it('averages the same intervals of earlier days and shifts them by the morning’s difference (worked example)', () => {
    // Days 1 and 2: interval 10 ↔ 2, 6 → mean −2.1; interval 11 ↔ 3, 7 → mean −2.8.
    // Adjustment: interval 9 read −1.5 against its earlier mean (−1.0 − 1.2)/2 = −1.1 → −0.4.
    const b = meterBaseline(read, 10, 11, { days: 5, adjustmentIntervals: 1, intervalsPerDay: 4 });
    expect(b?.daysUsed).toBe(2);
    expect(b?.adjustmentKWh).toBeCloseTo(-0.4, 12);
    expect(b?.perIntervalKWh[0]).toBeCloseTo(-2.5, 12);
    expect(b?.perIntervalKWh[1]).toBeCloseTo(-3.2, 12);
    expect(b?.totalKWh).toBeCloseTo(-5.7, 12);
  });

  it('uses only the days every event interval has, and no adjustment without its readings', () => {
    const b = meterBaseline((k) => (k === 3 ? undefined : read(k)), 10, 11, { days: 5, adjustmentIntervals: 1, intervalsPerDay: 4 });
    expect(b?.daysUsed).toBe(1);
    expect(b?.totalKWh).toBeCloseTo(-2.2 - 2.6 + 2 * (-1.5 + 1.2), 12);
    expect(meterBaseline(read, 10, 11, { days: 1, adjustmentIntervals: 2, intervalsPerDay: 4 })?.adjustmentKWh).toBe(0);
    expect(meterBaseline((k) => (k >= 9 ? read(k) : undefined), 10, 11, { days: 2, adjustmentIntervals: 0, intervalsPerDay: 4 })).toBeUndefined();
  });
});

describe('the offered contract', () => {
  it('is settled once, after the event, on the verified reduction up to what was accepted', () => {
    const p = flexibilityNeedParams(need);
    if (!p.ok) throw new Error('params');
    const offer = flexibilityOfferContract({ utilityId: 'utility', need: p.value, currency: 'INR', createdAt: '2026-06-23T00:00:00Z', intervalMinutes: 30 });
    expect(offer.validity).toEqual({ start: '2026-06-24T12:30:00Z', end: '2026-06-24T16:00:00Z' });
    expect(offer.roles.find((r) => r.role === 'AGGREGATOR')?.filled).toBe(false);
    const c = formContract({ ...offer, status: 'ACTIVE', roles: offer.roles.map((r) => (r.role === 'AGGREGATOR' ? { ...r, filled: true, filledBy: 'agg' } : r)) });
    if (!c.ok) throw new Error(c.errors.map((d) => d.message).join('\n'));
    // Baseline −30 kWh, metered −4 kWh over the event: 26 kWh reduction, 25.9 accepted → 25.9 × 12 = 310.80.
    const r = evaluatePeriod(c.value, { start: '2026-06-24T12:30:00Z', end: '2026-06-24T16:00:00Z', index: 79 }, flexibilityInputs(-30, -4, 25.9), initialState(c.value));
    if (!r.ok) throw new Error(r.errors.map((d) => d.message).join('\n'));
    expect(r.value.lines.map((l) => [l.flowId, l.payer, l.payee, l.quantity, formatMinor(l.amountMinor, 2)])).toEqual([['flexibility', 'utility', 'agg', 25.9, '310.80']]);
  });
});
