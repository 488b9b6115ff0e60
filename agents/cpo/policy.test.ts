import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateCurve } from '../../src/market/curve.js';
import { curveFromFunction } from '../participant/curve.js';
import { allocateEarliestDeadlineFirst, cpoWillingness, flexThresholdPerKWh, mustChargeKW, sessionBid, type SessionNeed } from './policy.js';

const grid = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01 };
const h = 0.25;

describe('must-charge power', () => {
  // 20 kWh still to go at 11 kW, departing at the start of interval 10, now interval 5: the four
  // later intervals (6–9) give 11 kWh at most, so 9 kWh must come now — more than 11 kW × 0.25 h
  // allows, so all 11 kW now (and the departure will be missed).
  const s: SessionNeed = { id: 'a', departure: 10, remainingKWh: 20, maxKW: 11 };

  it('is what the later intervals at full power cannot deliver', () => {
    expect(mustChargeKW(s, 5, h)).toBe(11);
    expect(mustChargeKW({ ...s, remainingKWh: 13 }, 5, h)).toBeCloseTo(8, 12);
    expect(mustChargeKW({ ...s, remainingKWh: 11 }, 5, h)).toBe(0);
    // In its last interval everything left is must-charge, up to what it can take.
    expect(mustChargeKW({ ...s, remainingKWh: 1 }, 9, h)).toBe(4);
  });

  it('waits for the cheapest later intervals it needs: 5.5 kWh needs two of intervals 6–9, so it pays up to the 2nd cheapest', () => {
    const prices = [0, 0, 0, 0, 0, 0, 9, 4, 6, 8];
    const t = flexThresholdPerKWh({ ...s, remainingKWh: 5.5 }, 5, h, 0, (j) => prices[j]!);
    expect(t).toBe(6);
    expect(sessionBid({ ...s, remainingKWh: 5.5 }, 5, h, (j) => prices[j]!)).toEqual({ mustKW: 0, flexKW: 11, thresholdPerKWh: 6 });
    expect(flexThresholdPerKWh({ ...s, remainingKWh: 3 }, 9, h, 3 / h, () => 1)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('CPO curve', () => {
  it('bids must power up to the cap and each flexible part below its threshold, within the site limit', () => {
    const w = cpoWillingness(
      {
        sessions: [
          { mustKW: 4, flexKW: 7, thresholdPerKWh: 6.004 },
          { mustKW: 0, flexKW: 11, thresholdPerKWh: 3.5 },
        ],
        siteLimitKW: 20,
        pvKW: 0,
        reservationPerKWh: 3,
        tradingCostPerKWh: 0.118,
      },
      grid,
    );
    expect(curveFromFunction(w.powerAt, w.breakpoints, grid)).toEqual({
      currency: 'INR',
      minExport: -20,
      maxExport: -4,
      curve: [
        { price: 3.5, powerKW: -20 },
        { price: 3.5, powerKW: -11 },
        { price: 6, powerKW: -11 },
        { price: 6, powerKW: -4 },
      ],
    });
  });

  it('serves its chargers from site PV first and sells a surplus only from the reservation price', () => {
    const w = cpoWillingness({ sessions: [{ mustKW: 3, flexKW: 0, thresholdPerKWh: Number.NEGATIVE_INFINITY }], siteLimitKW: 44, pvKW: 10, reservationPerKWh: 3, tradingCostPerKWh: 0.118 }, grid);
    expect(w.powerAt(-1)).toBe(-3);
    expect(w.powerAt(2)).toBe(0);
    expect(w.powerAt(3.2)).toBe(7);
  });

  it('always gives a valid curve that never imports more than the site limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ mustKW: fc.double({ min: 0, max: 22, noNaN: true }), flexKW: fc.double({ min: 0, max: 22, noNaN: true }), thresholdPerKWh: fc.double({ min: -10, max: 30, noNaN: true }) }), { maxLength: 8 }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 30, noNaN: true }),
        (sessions, limit, pvKW) => {
          const w = cpoWillingness({ sessions, siteLimitKW: limit, pvKW, reservationPerKWh: 3, tradingCostPerKWh: 0.118 }, grid);
          const c = curveFromFunction(w.powerAt, w.breakpoints, grid);
          expect(validateCurve(c, '')).toEqual([]);
          expect(c.minExport).toBeGreaterThanOrEqual(-limit - 1e-9);
        },
      ),
    );
  });
});

describe('earliest-deadline-first allocation', () => {
  const a: SessionNeed = { id: 'a', departure: 8, remainingKWh: 2, maxKW: 11 };
  const b: SessionNeed = { id: 'b', departure: 6, remainingKWh: 10, maxKW: 22 };
  const c: SessionNeed = { id: 'c', departure: 20, remainingKWh: 30, maxKW: 22 };

  it('gives must-charge power first, earliest departure first, then flexible power the same way', () => {
    // At interval 5, b must take 10 kWh by 6 (all of it now: 22 kW cap → 22 kW, 40 kW wanted);
    // a and c need nothing now. 30 kW: b 22 (must), then flexible: a 8 (its 2 kWh), c gets 0.
    const m = allocateEarliestDeadlineFirst([c, a, b], 5, h, 30, 100);
    expect(Object.fromEntries(m)).toEqual({ b: 22, a: 8 });
  });

  it('never gives more than is available, the site limit, or what a session can take', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ departure: fc.integer({ min: 1, max: 30 }), remainingKWh: fc.double({ min: 0, max: 40, noNaN: true }), maxKW: fc.double({ min: 1, max: 50, noNaN: true }) }), { maxLength: 6 }), fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 1, max: 150, noNaN: true }), (raw, avail, limit) => {
        const sessions = raw.map((r, i) => ({ ...r, id: `s${i}` }));
        const m = allocateEarliestDeadlineFirst(sessions, 0, h, avail, limit);
        const total = [...m.values()].reduce((s, v) => s + v, 0);
        expect(total).toBeLessThanOrEqual(Math.min(avail, limit) + 1e-9);
        for (const s of sessions) expect(m.get(s.id) ?? 0).toBeLessThanOrEqual(Math.min(s.maxKW, s.remainingKWh / h) + 1e-9);
      }),
    );
  });
});
