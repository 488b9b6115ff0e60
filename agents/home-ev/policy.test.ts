import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createClock } from '../../src/kernel/clock.js';
import type { EvSession } from '../../grid/profiles/index.js';
import { testScenario } from '../shared/testing.js';
import { tariffContract } from '../utility/tariff.js';
import { availableChargeKW, energyDueInRun, importPricesOf, oneCarSessions, planCharging, type ChargeSlot } from './policy.js';

const slots = (prices: readonly number[], maxKW: number | readonly number[]): ChargeSlot[] => prices.map((p, k) => ({ k, pricePerKWh: p, maxKW: typeof maxKW === 'number' ? maxKW : (maxKW[k] ?? 0) }));

describe('planCharging', () => {
  // four quarter hours at 10.5, 5, 5, 8 per kWh; a 4 kW charger moves 1 kWh per quarter hour
  const day = slots([10.5, 5, 5, 8], 4);

  it('fills the cheapest intervals first: 2.5 kWh in the two 5.00 quarters and half the 8.00 one', () => {
    const p = planCharging(day, 2.5, 0.25, 'cheapest');
    expect(p.powerKW).toEqual([0, 4, 4, 2]);
    expect(p.plannedKWh).toBe(2.5);
    expect(p.shortfallKWh).toBe(0);
    expect(p.cost).toBe(14); // 1 × 5 + 1 × 5 + 0.5 × 8
  });

  it('charges at once when immediate, paying the peak', () => {
    const p = planCharging(day, 2.5, 0.25, 'immediate');
    expect(p.powerKW).toEqual([4, 4, 2, 0]);
    expect(p.cost).toBe(18); // 10.5 + 5 + 0.5 × 5
  });

  it('reports what does not fit as shortfall, and skips intervals without room', () => {
    const p = planCharging(slots([5, 6, 7], [4, 0, -1]), 3, 0.25, 'cheapest');
    expect(p.powerKW).toEqual([4, 0, 0]);
    expect(p.plannedKWh).toBe(1);
    expect(p.shortfallKWh).toBe(2);
  });

  it('prefers the earlier of equally priced intervals', () => {
    expect(planCharging(slots([5, 5, 5], 4), 1, 0.25, 'cheapest').powerKW).toEqual([4, 0, 0]);
  });

  it('delivers min(need, room), within each interval’s limit, never dearer than charging at once or than any other feasible plan', () => {
    const slotArb = fc.array(fc.record({ price: fc.integer({ min: -200, max: 2000 }), kw: fc.integer({ min: -10, max: 220 }) }), { minLength: 1, maxLength: 24 });
    fc.assert(
      fc.property(slotArb, fc.integer({ min: 0, max: 4000 }), fc.array(fc.nat(), { minLength: 24, maxLength: 24 }), (raw, needCenti, perm) => {
        const s: ChargeSlot[] = raw.map((x, k) => ({ k, pricePerKWh: x.price / 100, maxKW: x.kw / 10 }));
        const need = needCenti / 100;
        const h = 0.25;
        const room = s.reduce((a, x) => a + Math.max(0, x.maxKW) * h, 0);
        const best = planCharging(s, need, h, 'cheapest');
        const total = best.powerKW.reduce((a, p) => a + p * h, 0);
        expect(total).toBeCloseTo(Math.min(need, room), 9);
        expect(best.plannedKWh).toBeCloseTo(Math.min(need, room), 9);
        best.powerKW.forEach((p, i) => {
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(Math.max(0, s[i]?.maxKW ?? 0) + 1e-12);
        });
        expect(best.cost).toBeLessThanOrEqual(planCharging(s, need, h, 'immediate').cost + 1e-9);
        // any other order of filling is a feasible plan with the same energy; none is cheaper
        const shuffled = s.map((x, i) => ({ ...x, k: perm[i] ?? 0 }));
        expect(best.cost).toBeLessThanOrEqual(planCharging(shuffled, need, h, 'immediate').cost + 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});

describe('availableChargeKW', () => {
  it('keeps the import headroom below the sanctioned load, within the charger', () => {
    expect(availableChargeKW(7.4, 10, 0.5, 3, 0)).toBe(6.5); // 10 − 0.5 − 3
    expect(availableChargeKW(7.4, 10, 0.5, 1, 0)).toBe(7.4);
    expect(availableChargeKW(7.4, 10, 0.5, 12, 0)).toBe(0);
    expect(availableChargeKW(7.4, 6, 0.5, 4, 2.5)).toBe(4); // PV covers part of the house: 6 − 0.5 − 1.5
  });
});

const session = (id: string, arrival: number, departure: number, energyKWh = 5): EvSession => ({ id, kind: 'home', arrival, departure, arrivalIso: '', departureIso: '', energyKWh, maxPowerKW: 7.4 });

describe('oneCarSessions and energyDueInRun', () => {
  it('drops a plug-in while the car is still plugged in', () => {
    expect(oneCarSessions([session('b', 10, 20), session('a', 2, 12), session('c', 12, 30), session('d', 30, 40)]).map((s) => s.id)).toEqual(['a', 'c', 'd']);
  });

  it('asks for all of a session’s energy when the car leaves inside the run, else its share of the stay', () => {
    expect(energyDueInRun(session('a', 80, 96, 10), 96)).toBe(10);
    expect(energyDueInRun(session('a', 90, 100, 10), 96)).toBe(6);
  });
});

describe('importPricesOf', () => {
  it('reads each interval’s import price from the tariff contract itself', () => {
    const u = { ...testScenario().utility, touPerKWh: [{ fromHour: 12.5, toHour: 16.5, pricePerKWh: 10.5 }, { fromHour: 16.5, toHour: 24, pricePerKWh: 5 }] };
    const clock = createClock('2026-06-21T12:00:00Z', 15, 24 * 4);
    const c = tariffContract({ contractId: 'tou-home-1', createdAt: '2026-06-21T12:00:00Z', currency: 'INR', validity: { start: '2026-06-21T12:00:00Z', end: '2026-06-22T12:00:00Z' }, utilityId: 'utility', customerId: 'home-1', meterId: 'm1', utility: u });
    if (!c.ok) throw new Error('template');
    const p = importPricesOf(c.value, clock, 0, 49);
    expect(p.ok && [p.value[0], p.value[1], p.value[2], p.value[17], p.value[18], p.value[47], p.value[48], p.value[49]]).toEqual([8, 8, 10.5, 10.5, 5, 5, 8, 8]);
  });
});
