import { describe, expect, it } from 'vitest';
import type { FactoryContext } from '../../src/run/agent.js';
import { createFakeRun, runWithPrices, testScenario } from '../participant/fake-run.js';
import type { ParticipantAgent } from '../participant/agent.js';
import { batteryParams } from './params.js';
import { create } from './index.js';

const ctx: FactoryContext = { meterOf: (id) => ({ meterId: `m-${id}`, node: 'tx-1', bus: `bus-${id}` }) };

/** Night cheap (00–06 UTC), evening expensive (18–22 UTC), 6 otherwise. */
const price = (k: number): number => (k < 24 ? 2 : k >= 72 && k < 88 ? 14 : 6);

describe('stand-alone battery in a market', () => {
  const scenario = testScenario({ participants: [{ kind: 'mca', id: 'mca' }, { kind: 'utility', id: 'utility' }, { kind: 'battery', id: 'b1' }] });

  it('charges when prices are low and discharges when they are high, within its SoC window', () => {
    const run = createFakeRun(scenario);
    const [agent] = create({ kind: 'battery', id: 'b1', count: 1 }, ['b1'], run.services, ctx) as ParticipantAgent[];
    const out = runWithPrices(agent!, run, { price });
    const h = run.clock.intervalHours;
    const bought = out.filter((o) => o.actualKW < 0);
    const sold = out.filter((o) => o.actualKW > 0);
    expect(bought.length).toBeGreaterThan(0);
    expect(sold.length).toBeGreaterThan(0);
    // It buys only at prices below every price it sells at, and sells only in the expensive evening
    // (charging at 6 before it is rational too: its own forecast expects the evening at retail, 8).
    expect(Math.max(...bought.map((o) => o.pricePerKWh))).toBeLessThan(Math.min(...sold.map((o) => o.pricePerKWh)));
    expect(new Set(sold.map((o) => o.pricePerKWh))).toEqual(new Set([14]));
    expect(bought.some((o) => o.pricePerKWh === 2)).toBe(true);
    // It follows its setpoint exactly, and the energy it sells is its charge less losses.
    for (const o of out) expect(o.actualKW).toBe(o.clearedKW);
    const inKWh = -bought.reduce((s, o) => s + o.actualKW * h, 0);
    const outKWh = sold.reduce((s, o) => s + o.actualKW * h, 0);
    expect(outKWh).toBeLessThanOrEqual(inKWh * 0.9 + 13.5 * 0.4 + 1e-9);
    expect(outKWh * 14 - inKWh * 2).toBeGreaterThan(0);
  });

  it('records one dispatch row per interval and speaks the market flow in order', () => {
    const run = createFakeRun(scenario);
    const [agent] = create({ kind: 'battery', id: 'b1', count: 1 }, ['b1'], run.services, ctx) as ParticipantAgent[];
    runWithPrices(agent!, run, { price, intervals: 4 });
    expect(run.records.rows.map((r) => r.interval)).toEqual([0, 1, 2, 3]);
    expect(run.records.rows[0]).toMatchObject({ participant: 'b1', kind: 'battery', node: 'tx-1', meterId: 'm-b1', pricePerKWh: 2 });
    const seq = run.records.requests.map((r) => `${r.action}→${r.to} ${r.transactionId}`);
    expect(seq.slice(0, 6)).toEqual([
      'init→utility txn-setup-b1-deviation',
      'discover→mca txn-setup-b1-market',
      'confirm→utility txn-setup-b1-deviation',
      'init→mca txn-i0-b1',
      'confirm→mca txn-i0-b1',
      'init→mca txn-i1-b1',
    ]);
    expect(seq.filter((s) => s.startsWith('select'))).toEqual([]);
    expect(agent!.deviationState()).toBe('active');
    expect(agent!.marketState(3)).toBe('delivering');
  });

  it('reports every bad parameter at once, with paths relative to the entry', () => {
    const r = batteryParams({ kind: 'battery', count: 1, batteryKWh: -1, socMinPct: 90, socMaxPct: 20, colour: 'red' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => d.path).sort()).toEqual(['batteryKWh', 'colour', 'socMinPct']);
  });
});
