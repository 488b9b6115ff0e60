import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formContract } from '../../src/contracts/form.js';
import { evaluatePeriod, initialState } from '../../src/contracts/evaluate.js';
import { transition } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { ContractPayload } from '../../src/protocol/payloads.js';
import type { TouBand } from '../../src/scenario/types.js';
import { touRetail } from '../participant/economics.js';
import { deviationContract, runWindow } from '../shared/standing.js';
import { refusalOf } from '../shared/terms.js';
import { Probe, TestRun, testScenario, type TestGrid } from '../shared/testing.js';
import { UtilityAgent } from './agent.js';
import type { MeterRecord } from './policy.js';
import { tariffContract, tariffContractId, tariffOffer, touBandsOf, TARIFF_OFFER_ID } from './tariff.js';

/** Evening peak 12:30–16:30 UTC (18:00–22:00 IST), night off-peak 16:30–00:30 UTC, flat 8 elsewhere. */
const BANDS: readonly TouBand[] = [
  { fromHour: 12.5, toHour: 16.5, pricePerKWh: 10.5 },
  { fromHour: 16.5, toHour: 24, pricePerKWh: 5 },
  { fromHour: 0, toHour: 0.5, pricePerKWh: 5 },
];

describe('touBandsOf', () => {
  it('is one flat band without time-of-use bands', () => {
    expect(touBandsOf({ retailPerKWh: 8 })).toEqual([{ fromHour: 0, pricePerKWh: 8 }]);
  });

  it('turns from/to bands into a daily table with flat retail in the gaps', () => {
    expect(touBandsOf({ retailPerKWh: 8, touPerKWh: BANDS })).toEqual([
      { fromHour: 0, pricePerKWh: 5 },
      { fromHour: 0.5, pricePerKWh: 8 },
      { fromHour: 12.5, pricePerKWh: 10.5 },
      { fromHour: 16.5, pricePerKWh: 5 },
    ]);
  });

  it('lets the first band win where bands overlap, and wraps a band across midnight', () => {
    expect(touBandsOf({ retailPerKWh: 8, touPerKWh: [{ fromHour: 10, toHour: 14, pricePerKWh: 6 }, { fromHour: 12, toHour: 16, pricePerKWh: 9 }] })).toEqual([
      { fromHour: 0, pricePerKWh: 8 },
      { fromHour: 10, pricePerKWh: 6 },
      { fromHour: 14, pricePerKWh: 9 },
      { fromHour: 16, pricePerKWh: 8 },
    ]);
    expect(touBandsOf({ retailPerKWh: 8, touPerKWh: [{ fromHour: 22, toHour: 6, pricePerKWh: 4 }] })).toEqual([
      { fromHour: 0, pricePerKWh: 4 },
      { fromHour: 6, pricePerKWh: 8 },
      { fromHour: 22, pricePerKWh: 4 },
    ]);
  });

  it('gives the scenario’s price at every hour of the day (random bands)', () => {
    const band = fc.record({ fromHour: fc.integer({ min: 0, max: 95 }).map((q) => q / 4), toHour: fc.integer({ min: 1, max: 96 }).map((q) => q / 4), pricePerKWh: fc.integer({ min: -200, max: 2000 }).map((c) => c / 100) });
    fc.assert(
      fc.property(fc.array(band, { maxLength: 5 }), (bands) => {
        const table = touBandsOf({ retailPerKWh: 8, touPerKWh: bands });
        for (let q = 0; q < 96; q++) {
          const h = q / 4;
          const inForce = [...table].reverse().find((b) => b.fromHour <= h);
          expect(inForce?.pricePerKWh).toBe(touRetail(bands, 8, h));
        }
      }),
      { numRuns: 200 },
    );
  });
});

const WINDOW = { start: '2026-06-21T00:00:00Z', end: '2026-06-22T00:00:00Z' };

function active(c: EnergyContract): EnergyContract {
  const r = transition(c, 'ACTIVE');
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.value;
}

function bill(c: EnergyContract, start: string, end: string, meterKWh: number): Record<string, string> {
  const compiled = formContract(active(c));
  if (!compiled.ok) throw new Error(compiled.errors[0]?.message);
  const r = evaluatePeriod(compiled.value, { start, end, index: 0 }, { telemetry: { meter: { energyKWh: meterKWh } } }, initialState(compiled.value));
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return Object.fromEntries(r.value.lines.map((l) => [l.flowId, `${l.payer}→${l.payee} ${l.quantity} × ${l.ratePerUnit}`]));
}

describe('tariffContract', () => {
  const u = { ...testScenario().utility, touPerKWh: BANDS };
  const c = tariffContract({ contractId: 'tou-home-1', createdAt: WINDOW.start, currency: 'INR', validity: WINDOW, utilityId: 'utility', customerId: 'home-1', meterId: 'm1', utility: u });

  it('bills imports at the band of the interval and pays exports at feed-in', () => {
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value.template).toBe('tariff/time-of-use');
    expect(c.value.status).toBe('PENDING');
    // 2 kWh drawn at 13:00 UTC (peak), at 02:00 (flat) and at 20:00 (off-peak)
    const noExport = { export: 'utility→home-1 0 × 3' };
    expect(bill(c.value, '2026-06-21T13:00:00Z', '2026-06-21T13:15:00Z', -2)).toEqual({ import: 'home-1→utility 2 × 10.5', ...noExport });
    expect(bill(c.value, '2026-06-21T02:00:00Z', '2026-06-21T02:15:00Z', -2)).toEqual({ import: 'home-1→utility 2 × 8', ...noExport });
    expect(bill(c.value, '2026-06-21T20:00:00Z', '2026-06-21T20:15:00Z', -2)).toEqual({ import: 'home-1→utility 2 × 5', ...noExport });
    // 1.5 kWh exported: the utility pays feed-in, the import line is zero
    expect(bill(c.value, '2026-06-21T06:00:00Z', '2026-06-21T06:15:00Z', 1.5)).toEqual({ import: 'home-1→utility 0 × 8', export: 'utility→home-1 1.5 × 3' });
  });
});

describe('tariffOffer', () => {
  const meters = new Map<string, MeterRecord>([
    ['m1', { meterId: 'm1', participantId: 'home-1', nodeId: 'tx-1', sanctionedLoadKW: 10, maxExportKW: 10 }],
    ['m2', { meterId: 'm2', participantId: 'home-2', nodeId: 'tx-1', sanctionedLoadKW: 10, maxExportKW: 10 }],
  ]);
  const base = { createdAt: WINDOW.start, currency: 'INR', validity: WINDOW, utilityId: 'utility', utility: testScenario().utility };
  const request = (customerId: string, meterId: string, contractId = tariffContractId(customerId)): EnergyContract => {
    const r = tariffContract({ ...base, contractId, customerId, meterId });
    if (!r.ok) throw new Error('template');
    return r.value;
  };
  const problem = (r: ReturnType<typeof tariffOffer>): string => (r.ok ? 'ok' : (r.errors[0]?.message ?? ''));

  it('offers the published tariff for the sender’s own meter', () => {
    const r = tariffOffer(request('home-1', 'm1'), { from: 'home-1', meters, hasDeviationContract: false, base });
    expect(r.ok && r.value).toEqual(request('home-1', 'm1'));
  });

  it('refuses a misnamed contract, someone else’s role or meter, an unknown meter and a meter already under a deviation contract', () => {
    expect(problem(tariffOffer(request('home-1', 'm1', 'tou-x'), { from: 'home-1', meters, hasDeviationContract: false, base }))).toBe('a tariff contract of home-1 is named tou-home-1');
    expect(problem(tariffOffer(request('home-2', 'm2', 'tou-home-1'), { from: 'home-1', meters, hasDeviationContract: false, base }))).toBe('the CONSUMER role must be filled by the sender home-1');
    expect(problem(tariffOffer(request('home-1', 'm2'), { from: 'home-1', meters, hasDeviationContract: false, base }))).toBe("meter m2 is not home-1's connection");
    expect(problem(tariffOffer(request('home-1', 'm9'), { from: 'home-1', meters, hasDeviationContract: false, base }))).toBe('meter m9 is not a connection of this utility');
    expect(problem(tariffOffer(request('home-1', 'm1'), { from: 'home-1', meters, hasDeviationContract: true, base }))).toMatch(/already settles its meter under a deviation contract/);
  });
});

describe('utility agent: tariff contracts', () => {
  const GRID: TestGrid = { nodes: [{ id: 'feeder-head', kind: 'feeder-head' }, { id: 'tx-1', parent: 'feeder-head', kind: 'transformer' }], meterNodes: { m1: 'tx-1' } };

  function bench(): { run: TestRun; utility: UtilityAgent; home: Probe } {
    const scenario = testScenario({ utility: { ...testScenario().utility, touPerKWh: BANDS } });
    const run = new TestRun(scenario, GRID, { utility: 'utility', 'home-1': 'home-ev' });
    const meters = new Map<string, MeterRecord>([['m1', { meterId: 'm1', participantId: 'home-1', nodeId: 'tx-1', sanctionedLoadKW: 10, maxExportKW: 10 }]]);
    const utility = new UtilityAgent('utility', { name: 'U', currency: 'INR', rules: scenario.utility, gridMode: 'exact', priceTick: 0.01, meters }, run.services('utility'));
    const home = new Probe('home-1', 'home-ev', run.services('home-1'));
    run.add(utility);
    run.add(home);
    return { run, utility, home };
  }

  function payload(run: TestRun, contract: EnergyContract): ContractPayload {
    return { kind: 'contract', contract, offerId: TARIFF_OFFER_ID, providerId: 'utility', resources: [{ resourceId: 'm1', quantity: 10, unit: 'kW' }] };
  }

  it('forms the contract through init and confirm, records it once and reports each interval’s bill', () => {
    const { run, utility, home } = bench();
    const c = tariffContract({ contractId: 'tou-home-1', createdAt: run.clock.intervalStartIso(0), currency: 'INR', validity: runWindow(run.clock), utilityId: 'utility', customerId: 'home-1', meterId: 'm1', utility: run.scenario.utility });
    if (!c.ok) throw new Error('template');
    home.request('utility', 'init', 'txn-setup-home-1-tariff', payload(run, c.value));
    run.deliverUntil(run.clock.startMs - 600_000);
    const offered = home.lastContract('on_init');
    expect(offered?.status).toBe('PENDING');
    home.request('utility', 'confirm', 'txn-setup-home-1-tariff', payload(run, offered as EnergyContract));
    run.deliverUntil(run.clock.startMs - 500_000);
    expect(home.lastContract('on_confirm')?.status).toBe('ACTIVE');
    expect(utility.contractState('tou-home-1')).toBe('active');
    expect([...run.recorder.contracts.keys()]).toEqual(['tou-home-1']);
    // the home draws 3 kWh in interval 0 (00:00 UTC, off-peak at 5)
    run.run(1, () => new Map([['m1', -3]]));
    const report = home.inbox.filter((m) => m.action === 'on_status').map((m) => (m.payload as ContractPayload).settlement)[0];
    expect(report?.lines.map((l) => [l.flowId, l.payer, l.payee, l.amount])).toEqual([
      ['import', 'home-1', 'utility', '15.00'],
      ['export', 'utility', 'home-1', '0.00'],
    ]);
    expect(run.invalid).toEqual([]);
  });

  it('refuses a tariff to a meter that already has a deviation contract', () => {
    const { run, home } = bench();
    const dev = deviationContract({ contractId: 'dev-home-1', createdAt: run.clock.intervalStartIso(0), currency: 'INR', validity: runWindow(run.clock), utilityId: 'utility', utility: run.scenario.utility, participantId: 'home-1', meterId: 'm1' });
    const devPayload: ContractPayload = { kind: 'contract', contract: dev, offerId: 'grid-deviation', providerId: 'utility', resources: [{ resourceId: 'm1', quantity: 10, unit: 'kW' }] };
    home.request('utility', 'init', 'txn-setup-home-1-deviation', devPayload);
    run.deliverUntil(run.clock.startMs - 800_000);
    const c = tariffContract({ contractId: 'tou-home-1', createdAt: run.clock.intervalStartIso(0), currency: 'INR', validity: runWindow(run.clock), utilityId: 'utility', customerId: 'home-1', meterId: 'm1', utility: run.scenario.utility });
    if (!c.ok) throw new Error('template');
    home.request('utility', 'init', 'txn-setup-home-1-tariff', payload(run, c.value));
    run.deliverUntil(run.clock.startMs - 600_000);
    const answer = home.lastContract('on_init');
    expect(answer?.contractId).toBe('tou-home-1');
    expect(answer?.status).toBe('TERMINATED');
    expect(refusalOf(answer as EnergyContract)).toMatch(/already settles its meter under a deviation contract/);
    expect(run.invalid).toEqual([]);
  });
});
