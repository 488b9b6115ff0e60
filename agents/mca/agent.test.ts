import { describe, expect, it } from 'vitest';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { clearMarket, parseMarketInput, type ClearingResult, type MarketInput } from '../../src/market/index.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { ContractPayload } from '../../src/protocol/payloads.js';
import { intervalWindow } from '../shared/ids.js';
import { bidContract } from '../shared/market-contract.js';
import { Probe, ScriptedParticipant, TestRun, testScenario, type ScriptOptions, type TestGrid } from '../shared/testing.js';
import { marketCatalog } from './catalog.js';
import { refusalOf } from '../shared/terms.js';
import { UtilityAgent } from '../utility/agent.js';
import type { MeterRecord } from '../utility/policy.js';
import { MarketClearingAgent } from './agent.js';
import { mcaParams } from './params.js';

/**
 * The market end to end over a real profile: two sellers under a transformer whose reverse-flow
 * limit binds, one buyer under another. Worked by hand:
 *   each seller offers 0 kW at ≤ 2.00 rising to 6 kW at 4.00 (3 kW per INR), the buyer takes 8 kW at
 *   ≤ 3.00 falling to 0 at 5.00 (4 kW per INR). Copper plate: 6(p − 2) = 4(5 − p) → p = 3.20.
 *   tx-1 may export only 6 kW: its sellers clear where 6(p − 2) = 6 → 3.00 (3 kW each); the root
 *   clears the buyer against those 6 kW: 4(5 − q) = 6 → q = 3.50. Locational adder of tx-1: −0.50.
 */
const SELLER: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 6, curve: [{ price: 2, powerKW: 0 }, { price: 4, powerKW: 6 }] };
const BUYER: OfferCurve = { currency: 'INR', minExport: -8, maxExport: 0, curve: [{ price: 3, powerKW: -8 }, { price: 5, powerKW: 0 }] };

const GRID: TestGrid = {
  nodes: [
    { id: 'feeder-head', kind: 'feeder-head' },
    { id: 'tx-1', parent: 'feeder-head', kind: 'transformer', ratingKVA: 100, maxForwardFlowKW: 90, maxReverseFlowKW: 6 },
    { id: 'tx-2', parent: 'feeder-head', kind: 'transformer', ratingKVA: 100, maxForwardFlowKW: 90, maxReverseFlowKW: 90 },
  ],
  meterNodes: { m1: 'tx-1', m2: 'tx-1', m3: 'tx-2' },
};

interface Setup {
  readonly run: TestRun;
  readonly mca: MarketClearingAgent;
  /** Every market the MCA cleared, by interval. */
  readonly markets: Map<number, MarketInput>;
  readonly utility: UtilityAgent;
  readonly p: { readonly p1: ScriptedParticipant; readonly p2: ScriptedParticipant; readonly p3: ScriptedParticipant };
}

function meter(meterId: string, participantId: string, nodeId: string, sanctionedLoadKW = 10): MeterRecord {
  return { meterId, participantId, nodeId, sanctionedLoadKW, maxExportKW: sanctionedLoadKW };
}

function setup(o: { scenario?: Scenario; scripts?: Partial<Record<'p1' | 'p2' | 'p3', Partial<ScriptOptions>>>; meters?: readonly MeterRecord[]; grid?: TestGrid } = {}): Setup {
  const scenario = o.scenario ?? testScenario();
  const run = new TestRun(scenario, o.grid ?? GRID, { mca: 'mca', utility: 'utility', p1: 'prosumer', p2: 'prosumer', p3: 'consumer' });
  const spec: ParticipantSpec = { kind: 'mca', id: 'mca', count: 1 };
  const params = mcaParams(spec, scenario, 'mca');
  if (!params.ok) throw new Error('bad params');
  const markets = new Map<number, MarketInput>();
  const mca = new MarketClearingAgent('mca', params.value, run.services('mca'), (k, input) => markets.set(k, input));
  const meters = o.meters ?? [meter('m1', 'p1', 'tx-1'), meter('m2', 'p2', 'tx-1'), meter('m3', 'p3', 'tx-2')];
  const utility = new UtilityAgent(
    'utility',
    { name: 'Test utility', currency: 'INR', rules: scenario.utility, gridMode: scenario.market.gridMode, priceTick: scenario.market.priceTick, meters: new Map(meters.map((m) => [m.meterId, m])) },
    run.services('utility'),
  );
  const script = (id: 'p1' | 'p2' | 'p3', meterId: string, curve: OfferCurve): ScriptedParticipant =>
    new ScriptedParticipant(id, run.services(id), { meterId, curve: () => curve, ...(o.scripts?.[id] ?? {}) });
  const p = { p1: script('p1', 'm1', SELLER), p2: script('p2', 'm2', SELLER), p3: script('p3', 'm3', BUYER) };
  for (const a of [mca, utility, p.p1, p.p2, p.p3]) run.add(a);
  return { run, mca, markets, utility, p };
}

describe('market clearing agent, end to end over the beckn-2.0.0 profile', () => {
  it('runs the pay-as-clear flow of one interval in the exact order of DESIGN.md, with no select', () => {
    const { run } = setup();
    run.run(1);
    expect(run.invalid).toEqual([]);
    const market = run.trace((d) => d.transactionId.startsWith('txn-i0-p1'));
    expect(market).toEqual([
      'p1→mca init',
      'mca→utility init',
      'utility→mca on_init',
      'mca→p1 on_init',
      'p1→mca confirm',
      'mca→utility confirm',
      'utility→mca on_confirm',
      'mca→p1 on_confirm',
      'mca→p1 on_status',
    ]);
    const gate = run.clock.intervalStartMs(0) - 5 * 60_000;
    const at = (from: string, action: string): number => run.delivered.find((d) => d.transactionId.startsWith('txn-i0-p1') && d.from === from && d.action === action)?.atMs ?? NaN;
    expect(at('p1', 'confirm')).toBeLessThan(gate);
    expect(at('mca', 'confirm')).toBeGreaterThanOrEqual(gate);
    expect(at('mca', 'on_confirm')).toBeLessThan(run.clock.intervalStartMs(0));
    expect(run.trace((d) => d.transactionId === 'txn-setup-p1')).toEqual(['p1→mca discover', 'mca→p1 on_discover']);
    expect(run.trace((d) => d.transactionId === 'txn-setup-mca-grid')).toEqual(['mca→utility discover', 'utility→mca on_discover']);
    expect(run.delivered.filter((d) => d.action === 'select' || d.action === 'on_select')).toEqual([]);
    expect(run.recorder.notes.filter((n) => n.text.includes('internal error'))).toEqual([]);
  });

  it('discovers once and trades every interval: four intervals, one discover per participant', () => {
    const { run } = setup();
    run.run();
    expect(run.invalid).toEqual([]);
    expect(run.delivered.filter((d) => d.action === 'discover').map((d) => d.from)).toEqual(['mca', 'p1', 'p2', 'p3']);
    for (let k = 0; k < 4; k++) expect(run.trace((d) => d.transactionId === `txn-i${k}-p3` && d.action === 'on_confirm')).toEqual(['mca→p3 on_confirm']);
  });

  it('clears at the hand-computed locational prices: tx-1 at 3.00 (adder −0.50), the root at 3.50', () => {
    const { run, p } = setup();
    run.run(1);
    const r = run.recorder.clearings.get(0) as ClearingResult;
    expect(r.price).toBeCloseTo(3.5, 9);
    expect(r.nodes.map((n) => [n.id, Number(n.price.toFixed(6)), Number(n.adder.toFixed(6)), n.binding])).toEqual([
      ['feeder-head', 3.5, 0, null],
      ['tx-1', 3, -0.5, 'reverse'],
      ['tx-2', 3.5, 0, null],
    ]);
    expect(p.p1.outcomes.get(0)?.clearedKW).toBeCloseTo(3, 9);
    expect(p.p2.outcomes.get(0)?.clearedKW).toBeCloseTo(3, 9);
    expect(p.p3.outcomes.get(0)?.clearedKW).toBeCloseTo(-6, 9);
    expect(p.p1.outcomes.get(0)?.pricePerKWh).toBeCloseTo(3, 9);
    expect(p.p3.outcomes.get(0)?.pricePerKWh).toBeCloseTo(3.5, 9);
  });

  it('dispatches exactly what degsim clear gives for the same curves and limits', () => {
    const { run, markets } = setup();
    run.run(1, () => new Map());
    expect(markets.get(0)?.participants.map((q) => q.id)).toEqual(['p1', 'p2', 'p3']);
    const doc = JSON.parse(JSON.stringify(markets.get(0))) as unknown;
    const parsed = parseMarketInput(doc);
    if (!parsed.ok) throw new Error('market input does not parse');
    const again = clearMarket(parsed.value);
    // to the 9 decimals the market states numbers in (dispatch.csv prints fewer)
    const dispatched = run.recorder.dispatches.filter((d) => d.interval === 0).map((d) => [d.participant, d.clearedKW, d.pricePerKWh]);
    expect(dispatched).toEqual(again.participants.map((q) => [q.id, expect.closeTo(q.powerKW, 9), expect.closeTo(q.price, 9)]));
  });

  it('keeps the binding transformer within its limit when participants follow their setpoints exactly', () => {
    const { run } = setup();
    run.run(1);
    const tx1 = run.recorder.dispatches.filter((d) => d.interval === 0 && d.node === 'tx-1').reduce((s, d) => s + d.clearedKW, 0);
    expect(tx1).toBeLessThanOrEqual(6 + 1e-9);
    expect(tx1).toBeCloseTo(6, 9);
  });

  it('carries the offsets the grid operator commands where the limit binds inside a plateau: 5 kW steps at 3.00 each cut by 2 kW', () => {
    const step: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 5, curve: [{ price: 3, powerKW: 0 }, { price: 3, powerKW: 5 }] };
    const { run, p } = setup({ scripts: { p1: { curve: () => step }, p2: { curve: () => step } } });
    run.run(1);
    const sp = p.p1.outcomes.get(0)?.delivery?.setpoints?.[0];
    expect([sp?.targetPowerKW, sp?.offsetKW, sp?.atPricePerKWh]).toEqual([3, -2, 3]);
    expect(run.recorder.metrics.get('gridOffsetsKW')).toBe(4);
    expect(run.recorder.notes.filter((n) => n.text.startsWith('utility: offset')).map((n) => n.interval)).toEqual([0, 0]);
  });

  it('sends the price as a signal and the setpoint as an IEEE 2030.5 DERControl; an EVSE gets an OCPP charging profile', () => {
    const { run, p } = setup({ scripts: { p3: { resourceType: 'EVSE' } } });
    run.run(1);
    const d1 = p.p1.outcomes.get(0)?.delivery;
    expect(d1?.signalValues?.map((s) => [s.signalId, s.value, s.unit, s.interval?.start])).toEqual([['market-clearing-price', 3, 'INR/kWh', '2026-06-21T00:00:00Z']]);
    const sp = d1?.setpoints?.[0];
    expect(sp?.resourceId).toBe('m1');
    expect(sp?.targetPowerKW).toBeCloseTo(3, 9);
    const cmd = sp?.commands?.[0];
    expect(cmd?.standard).toBe('IEEE_2030_5');
    if (cmd?.standard === 'IEEE_2030_5') {
      expect(cmd.derControl.DERControlBase.opModTargetW).toEqual({ multiplier: 0, value: 3000 });
      expect(cmd.derControl.interval).toEqual({ start: Date.parse('2026-06-21T00:00:00Z') / 1000, duration: 900 });
      expect(cmd.derControl.deviceCategory).toBe('00200000');
    }
    const ev = p.p3.outcomes.get(0)?.delivery?.setpoints?.[0]?.commands?.[0];
    expect(ev?.standard).toBe('OCPP');
    if (ev?.standard === 'OCPP') {
      expect(ev.setChargingProfile.evseId).toBe(0);
      expect(ev.setChargingProfile.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 6000 }]);
    }
  });

  it('settles each contract by hand: seller paid 2.25, fee 0.08 with 0.01 tax; buyer pays 5.25, fee 0.15, tax 0.03', () => {
    const { run, p } = setup();
    run.run(1);
    const lines = (id: string): string[][] => (p[id as 'p1' | 'p3'].reports.find((r) => r.contractId === `pac-i0-${id}`)?.lines ?? []).map((l) => [l.flowId, l.payer, l.payee, l.amount]);
    expect(lines('p1')).toEqual([
      ['energy', 'mca', 'p1', '2.25'],
      ['fee', 'p1', 'mca', '0.08'],
      ['tax-fee', 'p1', 'government', '0.01'],
    ]);
    expect(lines('p3')).toEqual([
      ['energy', 'p3', 'mca', '5.25'],
      ['fee', 'p3', 'mca', '0.15'],
      ['tax-fee', 'p3', 'government', '0.03'],
    ]);
    expect(run.recorder.errors).toEqual([]);
  });

  it('feeds the standing contracts: 1.5 kWh wheeled at 0.50 (+18 % tax), a virtual meter that nets zero', () => {
    const { run } = setup();
    run.run(1);
    expect(run.recorder.inputsOf('whl-mca', 0).signals).toEqual({ 'market-traded-energy': expect.closeTo(1.5, 9) as unknown as number });
    expect(run.recorder.inputsOf('imb-mca', 0).telemetry?.['virtualMeter']?.['energyKWh']).toBeCloseTo(0, 9);
    expect([...run.recorder.contracts.keys()].filter((id) => !id.startsWith('pac-')).sort()).toEqual(['dev-p1', 'dev-p2', 'dev-p3', 'imb-mca', 'whl-mca']);
  });

  it('clips a curve to the sanctioned load the utility approves: a 4 kW connection clears at most 4 kW', () => {
    const { run, p } = setup({ meters: [meter('m1', 'p1', 'tx-1', 4), meter('m2', 'p2', 'tx-1'), meter('m3', 'p3', 'tx-2')], grid: { ...GRID, nodes: GRID.nodes.map((n) => (n.id === 'tx-1' ? { ...n, maxReverseFlowKW: 90 } : n)) } });
    run.run(1);
    const offered = p.p1.initAnswers.get(0);
    const curve = offered?.roles.find((r) => r.role === 'PROSUMER')?.roleInputs?.['offerCurve'] as OfferCurve | undefined;
    expect(curve?.maxExport).toBe(4);
    expect(offered?.inputParameters?.['approvedMaxExportKW']?.value).toBe(4);
    expect(p.p1.outcomes.get(0)?.clearedKW).toBeLessThanOrEqual(4 + 1e-9);
  });

  it('refuses an off-tick curve at init with a TERMINATED contract that names the problem', () => {
    const bad: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 6, curve: [{ price: 2.005, powerKW: 0 }, { price: 4, powerKW: 6 }] };
    const { run, p } = setup({ scripts: { p2: { curve: () => bad } } });
    run.run(1);
    const answer = p.p2.initAnswers.get(0);
    expect(answer?.status).toBe('TERMINATED');
    expect(refusalOf(answer ?? ({} as never))).toMatch(/^market\.off-tick: .*tick/);
    expect(run.trace((d) => d.transactionId.startsWith('txn-i0-p2'))).toEqual(['p2→mca init', 'mca→p2 on_init']);
    expect(p.p2.outcomes.get(0)?.status).toBe('NONE');
  });

  it('lets a bid lapse when its participant never confirms, and clears the others without it', () => {
    const { run, p, mca } = setup({ scripts: { p2: { confirm: () => false } } });
    run.run(1);
    expect(run.recorder.metrics.get('marketLapsedBids')).toBe(1);
    const r = run.recorder.clearings.get(0) as ClearingResult;
    expect(r.participants.map((x) => x.id)).toEqual(['p1', 'p3']);
    expect(p.p2.outcomes.get(0)?.clearedKW).toBe(0);
    expect(mca.transactionState(0, 'p2')).toBeUndefined();
  });

  it('clears without grid constraints in gridMode none: one copper-plate price 3.20', () => {
    const base = testScenario();
    const { run, markets } = setup({ scenario: { ...base, market: { ...base.market, gridMode: 'none' } } });
    run.run(1, () => new Map());
    expect(markets.get(0)?.participants.length).toBe(3);
    expect(markets.get(0)?.grid).toBeUndefined();
    expect((run.recorder.clearings.get(0) as ClearingResult).price).toBeCloseTo(3.2, 9);
  });

  it('gives byte-identical traces for the same scenario', () => {
    const a = setup();
    a.run.run();
    const b = setup();
    b.run.run();
    expect(JSON.stringify(b.run.delivered)).toBe(JSON.stringify(a.run.delivered));
  });

  it('speaks the deg-order-draft profile as well: every message valid', () => {
    const base = testScenario();
    const { run, p } = setup({ scenario: { ...base, protocol: { ...base.protocol, profile: 'deg-order-draft' } } });
    run.run(1);
    expect(run.invalid).toEqual([]);
    expect(p.p3.outcomes.get(0)?.clearedKW).toBeCloseTo(-6, 9);
  });
});

describe('market clearing agent: requests outside the happy path', () => {
  /** The MCA and the utility with one probe participant p9 on meter m1 that the test drives by hand. */
  function probeSetup(): { run: TestRun; p9: Probe; bid: (k: number) => ContractPayload } {
    const scenario = testScenario();
    const run = new TestRun(scenario, GRID, { mca: 'mca', utility: 'utility', p9: 'prosumer' });
    const params = mcaParams({ kind: 'mca', id: 'mca', count: 1 }, scenario, 'mca');
    if (!params.ok) throw new Error('params');
    const mca = new MarketClearingAgent('mca', params.value, run.services('mca'));
    const utility = new UtilityAgent(
      'utility',
      { name: 'U', currency: 'INR', rules: scenario.utility, gridMode: 'exact', priceTick: 0.01, meters: new Map([['m1', meter('m1', 'p9', 'tx-1')]]) },
      run.services('utility'),
    );
    const p9 = new Probe('p9', 'prosumer', run.services('p9'));
    for (const a of [mca, utility, p9]) run.add(a);
    const offer = marketCatalog('mca', 'https://mca.degsim.local/beckn', params.value, '2026-06-21T00:00:00Z').catalogs[0]?.offers[0]?.attributes.contract as EnergyContract;
    const bid = (k: number): ContractPayload => {
      const c = bidContract({ offerContract: offer, contractId: `pac-i${k}-p9`, createdAt: '2026-06-20T23:45:00Z', window: intervalWindow(run.clock, k), participantId: 'p9', meterId: 'm1', offerCurve: SELLER, governmentId: 'government', feeTaxPct: 18, dutyPerKWh: 0 });
      if (!c.ok) throw new Error('bid');
      return { kind: 'contract', contract: c.value, offerId: 'pay-as-clear', providerId: 'mca', resources: [{ resourceId: 'm1', quantity: 6, unit: 'kW' }] };
    };
    return { run, p9, bid };
  }
  const gate = (run: TestRun): number => run.clock.intervalStartMs(0) - 5 * 60_000;

  it('answers a confirm after gate closure with the contract TERMINATED: gate-closed', () => {
    const { run, p9, bid } = probeSetup();
    p9.request('mca', 'init', 'txn-i0-p9', bid(0));
    run.deliverUntil(gate(run) - 60_000);
    const offered = p9.lastContract('on_init');
    expect(offered?.status).toBe('PENDING');
    run.advanceTo(gate(run) + 60_000, 1);
    p9.request('mca', 'confirm', 'txn-i0-p9', { ...bid(0), contract: offered });
    run.advanceTo(gate(run) + 120_000, 1);
    expect(p9.lastContract('on_confirm')?.status).toBe('TERMINATED');
    expect(refusalOf(p9.lastContract('on_confirm') as EnergyContract)).toBe('gate-closed: the gate of this interval has closed; the bid was not cleared');
  });

  it('refuses an init after gate closure, and one for someone else’s contract', () => {
    const { run, p9, bid } = probeSetup();
    run.deliverUntil(gate(run) + 1);
    p9.request('mca', 'init', 'txn-i0-p9', bid(0));
    const other = bid(1);
    p9.request('mca', 'init', 'txn-i1-p1', { ...other, contract: { ...other.contract, contractId: 'pac-i1-p1' } });
    run.deliverUntil(gate(run) + 60_000);
    const answers = p9.inbox.filter((m) => m.action === 'on_init').map((m) => refusalOf((m.payload as ContractPayload).contract)?.split(':')[0]);
    expect(answers).toEqual(['bid.gate-closed', 'bid.contract-id']);
  });

  it('cancels an open bid before gate closure; afterwards the outcome is binding', () => {
    const { run, p9, bid } = probeSetup();
    p9.request('mca', 'init', 'txn-i0-p9', bid(0));
    p9.request('mca', 'init', 'txn-i1-p9', bid(1));
    run.deliverUntil(gate(run) - 60_000);
    p9.request('mca', 'confirm', 'txn-i1-p9', { ...bid(1), contract: p9.lastContract('on_init') });
    p9.request('mca', 'cancel', 'txn-i0-p9', { kind: 'contractRef', contractId: 'pac-i0-p9' });
    run.deliverUntil(gate(run) - 30_000);
    expect(p9.lastContract('on_cancel')?.status).toBe('TERMINATED');
    run.advanceTo(run.clock.intervalStartMs(1) - 60_000, 2);
    p9.request('mca', 'cancel', 'txn-i1-p9', { kind: 'contractRef', contractId: 'pac-i1-p9' });
    run.advanceTo(run.clock.intervalStartMs(1) - 30_000, 2);
    expect(refusalOf(p9.lastContract('on_cancel') as EnergyContract)).toBe('not-cancellable: the bid is active; after gate closure the clearing outcome is binding');
  });

  it('answers select, status of an unknown bid, rating and support instead of staying silent', () => {
    const { run, p9, bid } = probeSetup();
    p9.request('mca', 'select', 'txn-x', bid(0));
    p9.request('mca', 'status', 'txn-x', { kind: 'contractRef', contractId: 'pac-i9-p9' });
    p9.request('mca', 'support', 'txn-x', { kind: 'supportRequest', refId: 'pac-i0-p9', refType: 'ORDER' });
    p9.request('mca', 'rating', 'txn-x', { kind: 'rating', ratings: [{ targetId: 'mca', category: 'PROVIDER', value: 5, best: 5, worst: 1 }] });
    run.deliverUntil(run.clock.startMs - 10 * 60_000);
    expect(p9.inbox.map((m) => m.action)).toEqual(['on_select', 'on_status', 'on_support', 'on_rating']);
    expect(refusalOf(p9.lastContract('on_select') as EnergyContract)).toBe('unsupported-select: the market has no select: send init with an offer curve');
    expect(refusalOf(p9.lastContract('on_status') as EnergyContract)).toMatch(/^unknown-contract: /);
    expect(run.invalid).toEqual([]);
  });
});

describe('market clearing agent: its objective', () => {
  it('balances its virtual meter whenever supply can meet demand, and pays the imbalance penalty only when it cannot', () => {
    // interval 0: the usual market, balanced. interval 1: the sellers sit out and the buyer must have 2 kW at any price.
    const mustBuy: OfferCurve = { currency: 'INR', minExport: -2, maxExport: -2, curve: [{ price: 20, powerKW: -2 }] };
    const { run } = setup({ scripts: { p1: { curve: (k) => (k === 0 ? SELLER : undefined) }, p2: { curve: (k) => (k === 0 ? SELLER : undefined) }, p3: { curve: (k) => (k === 0 ? BUYER : mustBuy) } } });
    run.run(2);
    const imbalance = (k: number): string[][] =>
      (run.recorder.settlementReports('utility', k).find((r) => r.contractId === 'imb-mca')?.lines ?? []).map((l) => [l.payer, l.payee, String(l.quantity), l.amount]);
    expect(imbalance(0)).toEqual([['mca', 'utility', '0', '0.00']]);
    expect((run.recorder.clearings.get(1) as ClearingResult).status).toBe('cap');
    expect(imbalance(1)).toEqual([['mca', 'utility', '0.5', '2.00']]);
  });
});
