import { describe, expect, it } from 'vitest';
import type { EnergyContract } from '../../src/contracts/model.js';
import { bilateralP2P } from '../../src/contracts/templates/index.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { ClearingResult } from '../../src/market/index.js';
import type { CatalogPayload, ContractPayload } from '../../src/protocol/payloads.js';
import type { Scenario } from '../../src/scenario/types.js';
import { gridTransactionId, intervalWindow, payAsClearContractId } from '../shared/ids.js';
import { bidContract } from '../shared/market-contract.js';
import { deviationContract, runWindow, wheelingContract } from '../shared/standing.js';
import { refusalOf, withRoleInputs } from '../shared/terms.js';
import { Probe, ScriptedParticipant, TestRun, testScenario, type TestGrid } from '../shared/testing.js';
import { marketCatalog } from '../mca/catalog.js';
import { MarketClearingAgent } from '../mca/agent.js';
import { mcaParams } from '../mca/params.js';
import { UtilityAgent } from './agent.js';
import type { MeterRecord } from './policy.js';

const GRID: TestGrid = {
  nodes: [
    { id: 'feeder-head', kind: 'feeder-head' },
    { id: 'tx-1', parent: 'feeder-head', kind: 'transformer', ratingKVA: 100, maxForwardFlowKW: 100, maxReverseFlowKW: 100 },
    { id: 'tx-2', parent: 'feeder-head', kind: 'transformer', ratingKVA: 100, maxForwardFlowKW: 100, maxReverseFlowKW: 100 },
  ],
  meterNodes: { m1: 'tx-1', m2: 'tx-1', m3: 'tx-2' },
  // the operator expects tx-1 to push 90 kW back (90 % of its reverse limit), tx-2 to draw 20 kW
  forecastKW: (n) => (n === 'tx-1' ? -90 : n === 'tx-2' ? 20 : -70),
};
const METERS: readonly MeterRecord[] = [
  { meterId: 'm1', participantId: 'p1', nodeId: 'tx-1', sanctionedLoadKW: 10, maxExportKW: 10 },
  { meterId: 'm2', participantId: 'p2', nodeId: 'tx-1', sanctionedLoadKW: 10, maxExportKW: 5 },
  { meterId: 'm3', participantId: 'p3', nodeId: 'tx-2', sanctionedLoadKW: 10, maxExportKW: 10 },
];

function utilityOf(run: TestRun, scenario: Scenario): UtilityAgent {
  return new UtilityAgent(
    'utility',
    { name: 'Test utility', currency: 'INR', rules: scenario.utility, gridMode: scenario.market.gridMode, priceTick: scenario.market.priceTick, meters: new Map(METERS.map((m) => [m.meterId, m])) },
    run.services('utility'),
  );
}

/** A utility and probes that play the MCA and participants by hand. */
function bench(scenario: Scenario = testScenario()): { run: TestRun; utility: UtilityAgent; mca: Probe; p1: Probe; p3: Probe } {
  const run = new TestRun(scenario, GRID, { utility: 'utility', mca: 'mca', p1: 'p2p-seller', p3: 'p2p-buyer' });
  const utility = utilityOf(run, scenario);
  const mca = new Probe('mca', 'mca', run.services('mca'));
  const p1 = new Probe('p1', 'p2p-seller', run.services('p1'));
  const p3 = new Probe('p3', 'p2p-buyer', run.services('p3'));
  for (const a of [utility, mca, p1, p3]) run.add(a);
  return { run, utility, mca, p1, p3 };
}

const SELL: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 8, curve: [{ price: 2, powerKW: 0 }, { price: 4, powerKW: 8 }] };

/** The MCA's bid of p1 for interval k as it cascades it, optionally with the cleared energy. */
function marketBid(run: TestRun, k: number, clearedKWh?: number): ContractPayload {
  const offer = marketCatalog('mca', 'https://mca.degsim.local/beckn', { name: 'm', virtualMeterId: 'vm-mca', currency: 'INR', feePerKWh: 0.1, priceFloor: -5, priceCap: 20, priceTick: 0.01, priceRule: 'midpoint', gridMode: 'exact', gateClosureMinutes: 5, feeTaxPct: 18, dutyPerKWh: 0, wheelingPerKWh: 0.5, imbalancePenaltyPerKWh: 4 }, '2026-06-21T00:00:00Z').catalogs[0]?.offers[0]?.attributes.contract as EnergyContract;
  const c = bidContract({ offerContract: offer, contractId: payAsClearContractId(k, 'p1'), createdAt: '2026-06-20T23:45:00Z', window: intervalWindow(run.clock, k), participantId: 'p1', meterId: 'm1', offerCurve: SELL, governmentId: 'government', feeTaxPct: 18, dutyPerKWh: 0 });
  if (!c.ok) throw new Error('bid');
  const contract = clearedKWh === undefined ? c.value : withRoleInputs(c.value, 'PROSUMER', { clearedKWh });
  return { kind: 'contract', contract, offerId: 'pay-as-clear', providerId: 'mca', resources: [{ resourceId: 'm1', quantity: 8, unit: 'kW' }] };
}

/** p1 sells p3 `kwh` per interval over intervals 0–1 at 5.00. */
function bilateral(kwh: number | undefined): ContractPayload {
  const contract = bilateralP2P({ contractId: 'p2p-1', createdAt: '2026-06-20T23:45:00Z', currency: 'INR', status: 'PENDING', validity: { start: '2026-06-21T00:00:00Z', end: '2026-06-21T00:30:00Z' }, seller: 'p1', buyer: 'p3', gridOperator: 'utility', pricePerKWh: 5, wheelingPerKWh: 0.5, ...(kwh === undefined ? {} : { contractedKWh: kwh }), settleOn: 'contracted', sellerMeterId: 'm1', buyerMeterId: 'm3' });
  return { kind: 'contract', contract, offerId: 'p1-offer', providerId: 'p1', resources: [{ resourceId: 'm1', quantity: 6, unit: 'kW' }] };
}

describe('utility: grid topology', () => {
  it('publishes the feeder head and every transformer as GridNodes with their limits', () => {
    const { run, mca } = bench();
    mca.request('utility', 'discover', 'txn-setup-mca-grid', { kind: 'discover', intent: { seek: 'grid-topology' } });
    run.deliverUntil(run.clock.startMs);
    const c = (mca.last('on_discover')?.payload as CatalogPayload).catalogs[0];
    expect(c?.resources.map((r) => (r.attributes.type === 'GridNode' ? [r.attributes.value.nodeId, r.attributes.value.nodeType, r.attributes.value.parentNodeId, r.attributes.value.limits] : []))).toEqual([
      // the head states no limits: it publishes what the trading meters below could ever move (3 × 10 kW in; 10 + 5 + 10 kW out)
      ['feeder-head', 'FEEDER', undefined, { maxForwardFlowKW: 30, maxReverseFlowKW: 25 }],
      ['tx-1', 'TRANSFORMER', 'feeder-head', { maxForwardFlowKW: 100, maxReverseFlowKW: 100 }],
      ['tx-2', 'TRANSFORMER', 'feeder-head', { maxForwardFlowKW: 100, maxReverseFlowKW: 100 }],
    ]);
    expect(run.invalid).toEqual([]);
  });

  it('answers any other discover with no catalogue', () => {
    const { run, p1 } = bench();
    p1.request('utility', 'discover', 'txn-setup-p1', { kind: 'discover', intent: { seek: 'energy-market' } });
    run.deliverUntil(run.clock.startMs);
    expect(p1.last('on_discover')?.payload).toEqual({ kind: 'catalog', catalogs: [] });
  });

  it('in policy mode publishes each node’s adder from its forecast: tx-1 at 90 % reverse → −0.50, tx-2 at 20 % → 0', () => {
    const s = testScenario();
    const { run, mca } = bench({ ...s, market: { ...s.market, gridMode: 'policy' } });
    mca.request('utility', 'discover', 'txn-setup-mca-grid', { kind: 'discover', intent: { seek: 'grid-topology' } });
    run.deliverUntil(run.clock.startMs);
    const res = (mca.last('on_discover')?.payload as CatalogPayload).catalogs[0]?.resources ?? [];
    expect(res.map((r) => (r.attributes.type === 'GridNode' ? [r.attributes.value.nodeId, r.attributes.value.locationalPriceAdder?.adderPerKWh, r.attributes.value.locationalPriceAdder?.loadPercent] : []))).toEqual([
      ['feeder-head', undefined, undefined],
      ['tx-1', -0.5, 90],
      ['tx-2', 0, 20],
    ]);
  });
});

describe('utility: cascaded approvals and locks', () => {
  it('approves a market bid up to the sanctioned load and names the meter’s node', () => {
    const { run, mca } = bench();
    mca.request('utility', 'init', gridTransactionId(0, 'p1'), marketBid(run, 0));
    run.deliverUntil(run.clock.startMs - 10 * 60_000);
    const c = mca.lastContract('on_init');
    expect(c?.status).toBe('PENDING');
    expect([c?.inputParameters?.['approvedMaxImportKW']?.value, c?.inputParameters?.['approvedMaxExportKW']?.value]).toEqual([10, 10]);
    expect(c?.roles.find((r) => r.role === 'PROSUMER')?.roleInputs?.['gridNodeId']).toBe('tx-1');
    expect(c?.inputParameters?.['locationalAdderPerKWh']).toBeUndefined();
  });

  it('adds the locational adder in policy mode', () => {
    const s = testScenario();
    const { run, mca } = bench({ ...s, market: { ...s.market, gridMode: 'policy' } });
    mca.request('utility', 'init', gridTransactionId(0, 'p1'), marketBid(run, 0));
    run.deliverUntil(run.clock.startMs - 10 * 60_000);
    expect(mca.lastContract('on_init')?.inputParameters?.['locationalAdderPerKWh']?.value).toBe(-0.5);
  });

  it('never double-dips: a 6 kW bilateral sale leaves 4 kW of m1’s 10 kW for the market, and a 5 kW market lock is refused', () => {
    const { run, utility, mca, p1 } = bench();
    p1.request('utility', 'init', 'txn-p2p-1-grid', bilateral(1.5));
    run.deliverUntil(run.clock.startMs - 14 * 60_000);
    const offered = p1.lastContract('on_init');
    expect([offered?.inputParameters?.['approvedMaxExportKW']?.value, offered?.inputParameters?.['approvedMaxImportKW']?.value, offered?.inputParameters?.['approvedMaxTradeKW']?.value]).toEqual([10, 10, 10]);
    p1.request('utility', 'confirm', 'txn-p2p-1-grid', { ...bilateral(1.5), contract: offered });
    run.deliverUntil(run.clock.startMs - 13 * 60_000);
    expect(p1.lastContract('on_confirm')?.status).toBe('ACTIVE');
    expect(utility.lockedAt('m1', 0)).toEqual({ importKW: 0, exportKW: 6 });
    expect(utility.lockedAt('m3', 1)).toEqual({ importKW: 6, exportKW: 0 });

    mca.request('utility', 'init', gridTransactionId(0, 'p1'), marketBid(run, 0));
    run.deliverUntil(run.clock.startMs - 12 * 60_000);
    expect(mca.lastContract('on_init')?.inputParameters?.['approvedMaxExportKW']?.value).toBe(4);
    mca.request('utility', 'confirm', gridTransactionId(0, 'p1'), marketBid(run, 0, 5 * 0.25));
    run.deliverUntil(run.clock.startMs - 4 * 60_000);
    const refused = mca.lastContract('on_confirm');
    expect(refused?.status).toBe('TERMINATED');
    expect(refusalOf(refused as EnergyContract)).toBe('refused: 5.000 kW at meter m1 in interval 0 exceeds the 4.000 kW still free of its connection');
    expect(utility.lockedAt('m1', 0)).toEqual({ importKW: 0, exportKW: 6 });
  });

  it('locks a fitting market trade and feeds the deviation contract the net of all locks at the meter', () => {
    const { run, utility, mca, p1 } = bench();
    const dev = deviationContract({ contractId: 'dev-p1', createdAt: '2026-06-20T23:45:00Z', currency: 'INR', validity: runWindow(run.clock), utilityId: 'utility', utility: run.scenario.utility, participantId: 'p1', meterId: 'm1' });
    p1.request('utility', 'init', 'txn-setup-p1-deviation', { kind: 'contract', contract: dev, offerId: 'deviation', providerId: 'utility', resources: [{ resourceId: 'm1', quantity: 0, unit: 'kWh' }] });
    run.deliverUntil(run.clock.startMs - 14 * 60_000);
    p1.request('utility', 'confirm', 'txn-setup-p1-deviation', { kind: 'contract', contract: p1.lastContract('on_init'), offerId: 'deviation', providerId: 'utility', resources: [{ resourceId: 'm1', quantity: 0, unit: 'kWh' }] });
    p1.request('utility', 'init', 'txn-p2p-1-grid', bilateral(1.5));
    mca.request('utility', 'init', gridTransactionId(0, 'p1'), marketBid(run, 0));
    run.deliverUntil(run.clock.startMs - 13 * 60_000);
    p1.request('utility', 'confirm', 'txn-p2p-1-grid', { ...bilateral(1.5), contract: p1.lastContract('on_init') });
    mca.request('utility', 'confirm', gridTransactionId(0, 'p1'), marketBid(run, 0, 1));
    run.run(1);
    expect(utility.contractState('dev-p1')).toBe('active');
    expect(utility.lockedAt('m1', 1)).toEqual({ importKW: 0, exportKW: 6 });
    // interval 0: 6 kW bilateral + 4 kW market = 10 kW → 2.5 kWh
    expect(run.recorder.inputsOf('dev-p1', 0).roleInputs?.PROSUMER?.['clearedKWh']).toBeCloseTo(2.5, 12);
  });

  it('refuses a bid for a meter that is not the participant’s, and a bilateral trade with another wheeling rate', () => {
    const { run, mca, p1 } = bench();
    const stolen = marketBid(run, 0);
    mca.request('utility', 'init', gridTransactionId(0, 'p1'), { ...stolen, contract: withRoleInputs(stolen.contract, 'PROSUMER', { meterId: 'm3' }) });
    const cheap = bilateral(1);
    p1.request('utility', 'init', 'txn-p2p-1-grid', { ...cheap, contract: withRoleInputs(cheap.contract, 'GRID_OPERATOR', { wheelingPerKWh: 0.1 }) });
    run.deliverUntil(run.clock.startMs - 10 * 60_000);
    expect(refusalOf(mca.lastContract('on_init') as EnergyContract)).toBe("refused: meter m3 is not p1's connection");
    expect(refusalOf(p1.lastContract('on_init') as EnergyContract)).toBe('grid-refused: the wheeling charge is 0.5 per kWh');
    expect(run.invalid).toEqual([]);
  });

  it('releases a bilateral trade cancelled before delivery, and refuses to cancel it once delivery started', () => {
    const { run, utility, p1 } = bench();
    p1.request('utility', 'init', 'txn-p2p-1-grid', bilateral(1.5));
    run.deliverUntil(run.clock.startMs - 14 * 60_000);
    p1.request('utility', 'confirm', 'txn-p2p-1-grid', { ...bilateral(1.5), contract: p1.lastContract('on_init') });
    run.deliverUntil(run.clock.startMs - 13 * 60_000);
    p1.request('utility', 'cancel', 'txn-p2p-1-grid', { kind: 'contractRef', contractId: 'p2p-1' });
    run.deliverUntil(run.clock.startMs - 12 * 60_000);
    expect(p1.lastContract('on_cancel')?.status).toBe('TERMINATED');
    expect(utility.lockedAt('m1', 0)).toEqual({ importKW: 0, exportKW: 0 });

    const late = bench();
    late.p1.request('utility', 'init', 'txn-p2p-1-grid', bilateral(1.5));
    late.run.deliverUntil(late.run.clock.startMs - 14 * 60_000);
    late.p1.request('utility', 'confirm', 'txn-p2p-1-grid', { ...bilateral(1.5), contract: late.p1.lastContract('on_init') });
    late.run.deliverUntil(late.run.clock.startMs + 60_000);
    late.p1.request('utility', 'cancel', 'txn-p2p-1-grid', { kind: 'contractRef', contractId: 'p2p-1' });
    late.run.deliverUntil(late.run.clock.startMs + 2 * 60_000);
    expect(refusalOf(late.p1.lastContract('on_cancel') as EnergyContract)).toBe('not-cancellable: delivery has started');
    expect(late.utility.lockedAt('m1', 1)).toEqual({ importKW: 0, exportKW: 6 });
  });
});

describe('utility: standing contracts', () => {
  it('answers a deviation request with its own tariff, and activates it when confirmed as offered', () => {
    const { run, utility, p1 } = bench();
    const mine = deviationContract({ contractId: 'dev-p1', createdAt: '2026-06-20T23:45:00Z', currency: 'INR', validity: runWindow(run.clock), utilityId: 'utility', utility: { ...run.scenario.utility, retailPerKWh: 1, feedInPerKWh: 7 }, participantId: 'p1', meterId: 'm1' });
    p1.request('utility', 'init', 'txn-setup-p1-deviation', { kind: 'contract', contract: mine, offerId: 'deviation', providerId: 'utility', resources: [{ resourceId: 'm1', quantity: 0, unit: 'kWh' }] });
    run.deliverUntil(run.clock.startMs - 14 * 60_000);
    const offered = p1.lastContract('on_init');
    expect(offered?.roles.find((r) => r.role === 'GRID_OPERATOR')?.roleInputs).toEqual({ retailPerKWh: 8, feedInPerKWh: 3 });
    p1.request('utility', 'confirm', 'txn-setup-p1-deviation', { kind: 'contract', contract: mine, offerId: 'deviation', providerId: 'utility', resources: [{ resourceId: 'm1', quantity: 0, unit: 'kWh' }] });
    run.deliverUntil(run.clock.startMs - 13 * 60_000);
    expect(p1.lastContract('on_confirm')?.status).toBe('TERMINATED');
    expect(utility.contractState('dev-p1')).toBe('refused');
    p1.request('utility', 'init', 'txn-setup-p1-deviation-2', { kind: 'contract', contract: mine, offerId: 'deviation', providerId: 'utility', resources: [{ resourceId: 'm1', quantity: 0, unit: 'kWh' }] });
    run.deliverUntil(run.clock.startMs - 12 * 60_000);
    p1.request('utility', 'confirm', 'txn-setup-p1-deviation-2', { kind: 'contract', contract: p1.lastContract('on_init'), offerId: 'deviation', providerId: 'utility', resources: [{ resourceId: 'm1', quantity: 0, unit: 'kWh' }] });
    run.deliverUntil(run.clock.startMs - 11 * 60_000);
    expect(p1.lastContract('on_confirm')?.status).toBe('ACTIVE');
    expect(run.recorder.contracts.get('dev-p1')?.formedBy).toBe('utility');
  });

  it('forms wheeling and imbalance contracts with the market clearing agent only', () => {
    const { run, p1, mca } = bench();
    const w = wheelingContract({ contractId: 'whl-mca', createdAt: '2026-06-20T23:45:00Z', currency: 'INR', validity: runWindow(run.clock), utilityId: 'utility', utility: run.scenario.utility, mcaId: 'mca', governmentId: 'government' });
    if (!w.ok) throw new Error('wheeling');
    const payload = { kind: 'contract', contract: w.value, offerId: 'market-wheeling', providerId: 'utility', resources: [{ resourceId: 'feeder-head', quantity: 0, unit: 'kWh' }] };
    p1.request('utility', 'init', 'txn-x', payload);
    mca.request('utility', 'init', 'txn-setup-mca-wheeling', payload);
    run.deliverUntil(run.clock.startMs - 14 * 60_000);
    expect(refusalOf(p1.lastContract('on_init') as EnergyContract)).toBe('refused: wheeling and imbalance contracts are formed with the market clearing agent only');
    expect(mca.lastContract('on_init')?.status).toBe('PENDING');
  });

  it('reports the deviation settlement to each participant every interval: 0.25 kWh short bought at retail = 2.00', () => {
    const s = { ...testScenario(), horizonHours: 0.5 };
    const run = new TestRun(s, { ...GRID, nodes: GRID.nodes.map((n) => (n.id === 'tx-1' ? { ...n, maxReverseFlowKW: 6 } : n)) }, { mca: 'mca', utility: 'utility', p1: 'prosumer', p2: 'prosumer', p3: 'consumer' });
    const params = mcaParams({ kind: 'mca', id: 'mca', count: 1 }, s, 'mca');
    if (!params.ok) throw new Error('params');
    const mcaAgent = new MarketClearingAgent('mca', params.value, run.services('mca'));
    const buyer: OfferCurve = { currency: 'INR', minExport: -8, maxExport: 0, curve: [{ price: 3, powerKW: -8 }, { price: 5, powerKW: 0 }] };
    const seller: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 6, curve: [{ price: 2, powerKW: 0 }, { price: 4, powerKW: 6 }] };
    const p1 = new ScriptedParticipant('p1', run.services('p1'), { meterId: 'm1', curve: () => seller, actualKW: (_k, cleared) => cleared - 1 });
    const p2 = new ScriptedParticipant('p2', run.services('p2'), { meterId: 'm2', curve: () => seller });
    const p3 = new ScriptedParticipant('p3', run.services('p3'), { meterId: 'm3', curve: () => buyer });
    for (const a of [mcaAgent, utilityOf(run, s), p1, p2, p3]) run.add(a);
    run.run();
    expect(run.invalid).toEqual([]);
    const dev = p1.reports.filter((r) => r.contractId === 'dev-p1');
    expect(dev.map((r) => [r.period.start, r.lines.map((l) => [l.flowId, l.payer, l.payee, l.quantity, l.amount])])).toEqual([
      ['2026-06-21T00:00:00Z', [['deviation', 'p1', 'utility', expect.closeTo(0.25, 9), '2.00']]],
      ['2026-06-21T00:15:00Z', [['deviation', 'p1', 'utility', expect.closeTo(0.25, 9), '2.00']]],
    ]);
    expect(p2.reports.filter((r) => r.contractId === 'dev-p2').map((r) => r.lines[0]?.amount)).toEqual(['0.00', '0.00']);
    expect(run.recorder.contracts.get('dev-p1')?.status).toBe('COMPLETED');
  });
});

describe('utility: its objective drives the market', () => {
  it('relieves a transformer forecast to be congested: with its policy adder the sellers under tx-1 export 6.0 kW instead of 7.2', () => {
    const cleared = (mode: 'policy' | 'none'): number => {
      const base = testScenario();
      const s: Scenario = { ...base, market: { ...base.market, gridMode: mode } };
      const run = new TestRun(s, GRID, { mca: 'mca', utility: 'utility', p1: 'prosumer', p2: 'prosumer', p3: 'consumer' });
      const params = mcaParams({ kind: 'mca', id: 'mca', count: 1 }, s, 'mca');
      if (!params.ok) throw new Error('params');
      const seller: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 6, curve: [{ price: 2, powerKW: 0 }, { price: 4, powerKW: 6 }] };
      const buyer: OfferCurve = { currency: 'INR', minExport: -8, maxExport: 0, curve: [{ price: 3, powerKW: -8 }, { price: 5, powerKW: 0 }] };
      run.add(new MarketClearingAgent('mca', params.value, run.services('mca')));
      run.add(utilityOf(run, s));
      run.add(new ScriptedParticipant('p1', run.services('p1'), { meterId: 'm1', curve: () => seller }));
      run.add(new ScriptedParticipant('p2', run.services('p2'), { meterId: 'm2', curve: () => seller }));
      run.add(new ScriptedParticipant('p3', run.services('p3'), { meterId: 'm3', curve: () => buyer }));
      run.run(1);
      const r = run.recorder.clearings.get(0) as ClearingResult;
      return r.participants.filter((q) => q.id === 'p1' || q.id === 'p2').reduce((sum, q) => sum + q.powerKW, 0);
    };
    expect(cleared('none')).toBeCloseTo(7.2, 9);
    expect(cleared('policy')).toBeCloseTo(6, 9);
  });
});
