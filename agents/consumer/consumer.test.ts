import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FactoryContext } from '../../src/run/agent.js';
import { validateCurve } from '../../src/market/curve.js';
import type { ParticipantAgent } from '../participant/agent.js';
import { curveFromFunction } from '../participant/curve.js';
import { createFakeRun, runWithPrices, testScenario, type StandInOutcome } from '../participant/fake-run.js';
import { create } from './index.js';
import { consumerParams } from './params.js';
import { consumerWillingness, ShiftableLoad } from './policy.js';

const grid = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01 };

describe('consumer curve', () => {
  it('buys all 2 kW up to 7.88 (retail less cost), fades the 0.2 kW flexible part out by 11.88, keeps 1.8 kW to the cap', () => {
    const w = consumerWillingness({ inelasticKW: 1.8, flexibleKW: 0.2, retailPerKWh: 8, flexPriceFactor: 1, flexCutoffFactor: 1.5, maxPricePerKWh: 20, tradingCostPerKWh: 0.118 }, grid);
    expect(curveFromFunction(w.powerAt, w.breakpoints, grid)).toEqual({
      currency: 'INR',
      minExport: -2,
      maxExport: -1.8,
      curve: [
        { price: 7.88, powerKW: -2 },
        { price: 11.88, powerKW: -1.8 },
      ],
    });
  });

  it('drops its inelastic load above a price limit below the cap', () => {
    const w = consumerWillingness({ inelasticKW: 1, flexibleKW: 0, retailPerKWh: 8, flexPriceFactor: 1, flexCutoffFactor: 1.5, maxPricePerKWh: 15, tradingCostPerKWh: 0 }, grid);
    expect(w.powerAt(14.99)).toBe(-1);
    expect(w.powerAt(15.01)).toBeCloseTo(0, 12);
  });

  it('always gives a valid curve', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0.5, max: 15, noNaN: true }), (inel, flex, retail) => {
        const w = consumerWillingness({ inelasticKW: inel, flexibleKW: flex, retailPerKWh: retail, flexPriceFactor: 1, flexCutoffFactor: 1.5, maxPricePerKWh: 20, tradingCostPerKWh: 0.118 }, grid);
        expect(validateCurve(curveFromFunction(w.powerAt, w.breakpoints, grid), '')).toEqual([]);
      }),
    );
  });
});

describe('shiftable load', () => {
  it('shifts the unused flexible part and brings it back later, oldest first, within its deadline', () => {
    const l = new ShiftableLoad(0.1, 2, 2, 0.25);
    expect(l.operate(0, 2, 1.8)).toEqual({ consumedKW: 1.8, shiftedKWh: 0.05 });
    expect(l.split(1, 2)).toEqual({ inelasticKW: 1.8, flexibleKW: 0.4 });
    expect(l.operate(1, 2, 1.8)).toEqual({ consumedKW: 1.8, shiftedKWh: 0.05 });
    // Interval 2: the energy shifted out of interval 0 is due now and becomes inelastic.
    expect(l.split(2, 2)).toEqual({ inelasticKW: 2, flexibleKW: 0.4 });
    expect(l.operate(2, 2, undefined).consumedKW).toBeCloseTo(2.4, 12);
    expect(l.backlogKWh).toBeCloseTo(0, 12);
  });

  it('never loses energy: consumed + waiting = load, whatever the setpoints', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 5, noNaN: true }), fc.option(fc.double({ min: 0, max: 6, noNaN: true }), { nil: undefined })), { minLength: 1, maxLength: 40 }), (steps) => {
        const l = new ShiftableLoad(0.2, 3, 1, 0.25);
        let loadKWh = 0;
        let usedKWh = 0;
        steps.forEach(([load, imp], k) => {
          loadKWh += load * 0.25;
          usedKWh += l.operate(k, load, imp).consumedKW * 0.25;
        });
        expect(usedKWh + l.backlogKWh).toBeCloseTo(loadKWh, 9);
      }),
    );
  });
});

describe('household consumer in a market', () => {
  const scenario = testScenario({ participants: [{ kind: 'mca', id: 'mca' }, { kind: 'utility', id: 'utility' }, { kind: 'consumer', id: 'c1' }] });
  const ctx: FactoryContext = { meterOf: (id) => ({ meterId: `m-${id}`, node: 'tx-1', bus: `bus-${id}`, annualConsumptionKWh: 4000 }) };
  const runConsumer = (price: (k: number) => number): StandInOutcome[] => {
    const run = createFakeRun(scenario);
    const [agent] = create({ kind: 'consumer', id: 'c1', count: 1, forecastErrorSd: 0, flexibleShare: 0.2 }, ['c1'], run.services, ctx) as ParticipantAgent[];
    return runWithPrices(agent!, run, { price });
  };

  it('moves its flexible share out of an expensive evening and uses it within hours, not losing it', () => {
    const flat = runConsumer(() => 5);
    const peak = runConsumer((k) => (k >= 72 && k < 80 ? 15 : 5));
    const kwh = (o: readonly StandInOutcome[], from: number, to: number): number => -o.filter((x) => x.k >= from && x.k < to).reduce((s, x) => s + x.actualKW * 0.25, 0);
    // During the peak it uses 20 % less; in the three hours after, that energy comes back.
    expect(kwh(peak, 72, 80)).toBeCloseTo(0.8 * kwh(flat, 72, 80), 9);
    expect(kwh(peak, 80, 92)).toBeGreaterThan(kwh(flat, 80, 92));
    expect(kwh(peak, 0, 96)).toBeCloseTo(kwh(flat, 0, 96), 9);
    for (const o of peak) expect(o.actualKW).toBeCloseTo(o.clearedKW, 12);
  });

  it('reports every bad parameter at once', () => {
    const r = consumerParams({ kind: 'consumer', count: 1, flexibleShare: 1.5, flexPriceFactor: 2, flexCutoffFactor: 1 }, scenario);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((d) => d.path)).toEqual(['flexibleShare', 'flexCutoffFactor']);
  });
});
