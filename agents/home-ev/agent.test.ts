import { describe, expect, it } from 'vitest';
import type { EvSession } from '../../grid/profiles/index.js';
import type { TouBand } from '../../src/scenario/types.js';
import { TestRun, testScenario, type TestGrid } from '../shared/testing.js';
import { UtilityAgent } from '../utility/agent.js';
import type { MeterRecord } from '../utility/policy.js';
import { HomeEvAgent } from './agent.js';
import { homeEvParams, resolveHomeEvSite } from './params.js';
import type { SlotOrder } from './policy.js';

/** Peak at 10.5 until 16:30 UTC, off-peak at 5 after it; the run covers 16:00–19:00 UTC. */
const BANDS: readonly TouBand[] = [
  { fromHour: 12.5, toHour: 16.5, pricePerKWh: 10.5 },
  { fromHour: 16.5, toHour: 24, pricePerKWh: 5 },
];
const GRID: TestGrid = { nodes: [{ id: 'feeder-head', kind: 'feeder-head' }, { id: 'tx-1', parent: 'feeder-head', kind: 'transformer' }], meterNodes: { m1: 'tx-1' } };

/** The car plugs in at 16:00, leaves at 18:00 and needs 3 kWh; the house draws a steady 0.5 kW. */
function bench(policy: SlotOrder, sanctionedLoadKW = 10, energyKWh = 3): { run: TestRun; home: HomeEvAgent } {
  const scenario = testScenario({ start: '2026-06-21T16:00:00Z', horizonHours: 3, utility: { ...testScenario().utility, touPerKWh: BANDS } });
  const run = new TestRun(scenario, GRID, { utility: 'utility', 'home-1': 'home-ev' });
  const meters = new Map<string, MeterRecord>([['m1', { meterId: 'm1', participantId: 'home-1', nodeId: 'tx-1', sanctionedLoadKW, maxExportKW: sanctionedLoadKW }]]);
  run.add(new UtilityAgent('utility', { name: 'U', currency: 'INR', rules: scenario.utility, gridMode: 'exact', priceTick: 0.01, meters }, run.services('utility')));
  const entry = homeEvParams({ kind: 'home-ev', count: 1, policy, chargerKW: 4 });
  if (!entry.ok) throw new Error('params');
  const n = run.clock.intervals;
  const session: EvSession = { id: 'plug-in-1', kind: 'home', arrival: 0, departure: 8, arrivalIso: '2026-06-21T16:00:00Z', departureIso: '2026-06-21T18:00:00Z', energyKWh, maxPowerKW: 4 };
  const home = new HomeEvAgent({
    id: 'home-1',
    meterId: 'm1',
    services: run.services('home-1'),
    entry: entry.value,
    site: resolveHomeEvSite(entry.value, undefined),
    sanctionedLoadKW,
    profiles: { loadKW: new Float64Array(n).fill(0.5), loadForecastKW: new Float64Array(n).fill(0.5), pvKW: new Float64Array(n), sessions: [session] },
  });
  run.add(home);
  return { run, home };
}

/** The home's bill per interval from the utility's reports: import amount. */
function importBill(home: HomeEvAgent): number {
  return home.bills.reduce((a, r) => a + r.lines.filter((l) => l.flowId === 'import').reduce((b, l) => b + Number(l.amount), 0), 0);
}

describe('home EV agent', () => {
  it('forms the tariff contract at setup and charges only once the off-peak starts', () => {
    const { run, home } = bench('cheapest');
    run.run();
    expect(run.invalid).toEqual([]);
    expect(home.tariffState()).toBe('active');
    expect(run.trace((d) => d.transactionId === 'txn-setup-home-1-tariff')).toEqual([
      'home-1→utility init',
      'utility→home-1 on_init',
      'home-1→utility confirm',
      'utility→home-1 on_confirm',
      ...Array<string>(12).fill('utility→home-1 on_status'),
    ]);
    // 16:00 and 16:15 are peak; the 3 kWh go into the first three off-peak quarters at 4 kW
    expect(home.sessionOutcomes()).toEqual([{ sessionId: 'plug-in-1', arrival: 0, departure: 8, dueKWh: 3, deliveredKWh: 3, unmetKWh: 0, powerKW: [0, 0, 4, 4, 4, 0, 0, 0] }]);
    // the house draws 0.125 kWh a quarter; each line is rounded half to even to the paisa:
    // 2 peak quarters 0.125 × 10.5 = 1.3125 → 1.31, 3 charging quarters 1.125 × 5 = 5.625 → 5.62,
    // 7 other quarters 0.125 × 5 = 0.625 → 0.62: 2.62 + 16.86 + 4.34
    expect(home.bills).toHaveLength(12);
    expect(importBill(home)).toBeCloseTo(23.82, 9);
    expect(run.recorder.metrics.get('unmetEvEnergyKWh')).toBeUndefined();
  });

  it('pays the peak when it charges immediately', () => {
    const { run, home } = bench('immediate');
    run.run();
    expect(home.sessionOutcomes()[0]?.powerKW).toEqual([4, 4, 4, 0, 0, 0, 0, 0]);
    // 2 peak quarters 1.125 × 10.5 = 11.8125 → 11.81, one quarter 1.125 × 5 → 5.62, 9 × 0.62
    expect(importBill(home)).toBeCloseTo(34.82, 9);
  });

  it('keeps the import under the sanctioned load, and reports what the car could not get before it left', () => {
    // 4 kW sanctioned, 0.5 kW headroom, 0.5 kW house: the car may draw 3 kW; 8 kWh needed, 2 h × 3 kW = 6 kWh possible
    const { run, home } = bench('cheapest', 4, 8);
    run.run();
    const o = home.sessionOutcomes()[0];
    expect(o?.powerKW).toEqual([3, 3, 3, 3, 3, 3, 3, 3]);
    expect(o?.deliveredKWh).toBeCloseTo(6, 9);
    expect(o?.unmetKWh).toBeCloseTo(2, 9);
    expect(run.recorder.metrics.get('unmetEvEnergyKWh')).toBeCloseTo(2, 9);
  });
});
