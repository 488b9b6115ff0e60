import { describe, expect, it } from 'vitest';
import type { FactoryContext, MeterAssignment } from '../../src/run/agent.js';
import type { ParticipantSpec } from '../../src/scenario/types.js';
import type { ParticipantAgent } from '../participant/agent.js';
import { createFakeRun, runWithPrices, testScenario, type StandInOutcome } from '../participant/fake-run.js';
import { create } from './index.js';
import { prosumerParams } from './params.js';

const scenario = testScenario({ participants: [{ kind: 'mca', id: 'mca' }, { kind: 'utility', id: 'utility' }, { kind: 'prosumer', id: 'p1' }] });

function runProsumer(entry: Partial<ParticipantSpec>, price: (k: number) => number, meter: Partial<MeterAssignment> = {}): StandInOutcome[] {
  const run = createFakeRun(scenario);
  const ctx: FactoryContext = { meterOf: (id) => ({ meterId: `m-${id}`, node: 'tx-1', bus: `bus-${id}`, pvKWp: 6, annualConsumptionKWh: 3600, ...meter }) };
  const [agent] = create({ kind: 'prosumer', id: 'p1', count: 1, ...entry }, ['p1'], run.services, ctx) as ParticipantAgent[];
  return runWithPrices(agent!, run, { price });
}

const soldKWh = (out: readonly StandInOutcome[]): number => out.reduce((s, o) => s + Math.max(0, o.clearedKW) * 0.25, 0);

describe('solar prosumer in a market', () => {
  it('sells more when prices rise: nothing below its reservation price, more firm energy the higher the price', () => {
    const sold = [2, 4, 6, 7.5].map((p) => soldKWh(runProsumer({ forecastErrorSd: 0.2 }, () => p)));
    expect(sold[0]).toBe(0);
    for (let i = 1; i < sold.length; i++) expect(sold[i]!).toBeGreaterThan(sold[i - 1]!);
  });

  it('follows its setpoint exactly when its forecasts are exact', () => {
    const out = runProsumer({ forecastErrorSd: 0 }, (k) => (k % 7 === 0 ? 1 : 5));
    expect(out.length).toBe(96);
    for (const o of out) expect(o.actualKW).toBeCloseTo(o.clearedKW, 9);
    expect(soldKWh(out)).toBeGreaterThan(10);
  });

  it('deviates from its setpoint when its forecasts are wrong, and never exports more than cleared when it can curtail', () => {
    const out = runProsumer({ forecastErrorSd: 0.3 }, () => 5);
    const dev = out.map((o) => o.actualKW - o.clearedKW);
    expect(dev.some((d) => Math.abs(d) > 0.05)).toBe(true);
    for (const o of out) if (o.clearedKW > 0) expect(o.actualKW).toBeLessThanOrEqual(o.clearedKW + 1e-9);
  });

  it('with a battery it moves midday surplus into the expensive evening', () => {
    // Cheap around local noon (05:00–11:00 UTC), expensive in the evening, middling otherwise.
    const price = (k: number): number => (k >= 72 && k < 88 ? 12 : k >= 20 && k < 44 ? 2 : 6);
    const evening = (out: readonly StandInOutcome[]): number => out.filter((o) => o.k >= 76 && o.k < 88).reduce((s, o) => s + o.actualKW * 0.25, 0);
    const without = runProsumer({ forecastErrorSd: 0 }, price);
    const withBattery = runProsumer({ forecastErrorSd: 0, batteryKWh: 10, batteryKW: 5 }, price);
    expect(evening(without)).toBeLessThan(0);
    expect(evening(withBattery)).toBeGreaterThan(2);
  });

  it('reports every bad parameter at once', () => {
    const r = prosumerParams({ kind: 'prosumer', count: 2, pvKWp: -3, cloudiness: 2, forecastErrorSd: 'low', sanctionedLoadKW: 0 }, scenario);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((d) => d.path).sort()).toEqual(['cloudiness', 'forecastErrorSd', 'pvKWp', 'sanctionedLoadKW']);
  });
});
