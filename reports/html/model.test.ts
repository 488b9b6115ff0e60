import { describe, expect, it } from 'vitest';
import type { ReportModel, Section } from './model.js';
import { buildReportModel, fixed, rootNodeOf, round } from './model.js';
import type { ClearingRow, DispatchRow, FlowsRow, RunFolder, SettlementRow } from './run-folder.js';

const T0 = Date.parse('2025-06-01T10:00:00Z') / 1000;
const t = (i: number): number => T0 + i * 900;

const clearing: ClearingRow[] = [
  { interval: 0, start: t(0), node: 'market', price: 3, adderPerKWh: 0, clearedSupplyKW: 10, clearedDemandKW: 10, netKW: 0, participants: 2, status: 'cleared' },
  { interval: 0, start: t(0), node: 'n1', price: 2, adderPerKWh: -1, clearedSupplyKW: 10, clearedDemandKW: 0, netKW: 10, participants: 1, status: 'cleared' },
  { interval: 1, start: t(1), node: 'market', price: 5, adderPerKWh: 0, clearedSupplyKW: 6, clearedDemandKW: -6, netKW: 0, participants: 2, status: 'cap' },
  { interval: 1, start: t(1), node: 'n1', price: null, adderPerKWh: null, clearedSupplyKW: 0, clearedDemandKW: 0, netKW: 0, participants: 0, status: 'none' },
  { interval: 1, start: t(1), node: 'n2', price: 4, adderPerKWh: -1, clearedSupplyKW: 3, clearedDemandKW: 0, netKW: 3, participants: 1, status: 'binding-reverse' },
];
const dispatch: DispatchRow[] = [
  { interval: 0, start: t(0), participant: 'p1', kind: 'prosumer', node: 'n1', meterId: 'm1', offeredMinKW: 0, offeredMaxKW: 9, clearedKW: 4, pricePerKWh: 2, actualKW: 5, deviationKW: 1 },
  { interval: 1, start: t(1), participant: 'p1', kind: 'prosumer', node: 'n1', meterId: 'm1', offeredMinKW: 0, offeredMaxKW: 9, clearedKW: 8, pricePerKWh: 5, actualKW: 7, deviationKW: -1 },
  { interval: 0, start: t(0), participant: 'c1', kind: 'consumer', node: 'n2', meterId: null, offeredMinKW: -10, offeredMaxKW: 0, clearedKW: -2, pricePerKWh: 3, actualKW: -2, deviationKW: 0 },
];
const flows: FlowsRow[] = [
  { interval: 0, start: t(0), element: 't1', kind: 'transformer', loadingKW: 50, limitKW: 100, loadingPct: 50, reverse: false, voltagePu: null, lossesKW: 1 },
  { interval: 1, start: t(1), element: 't1', kind: 'transformer', loadingKW: -120, limitKW: 100, loadingPct: null, reverse: true, voltagePu: null, lossesKW: 2 },
  { interval: 0, start: t(0), element: 'b1', kind: 'bus', loadingKW: null, limitKW: null, loadingPct: null, reverse: null, voltagePu: 0.97, lossesKW: null },
  { interval: 0, start: t(0), element: 'b2', kind: 'bus', loadingKW: null, limitKW: null, loadingPct: null, reverse: null, voltagePu: 1.02, lossesKW: null },
  { interval: 1, start: t(1), element: 'b1', kind: 'bus', loadingKW: null, limitKW: null, loadingPct: null, reverse: null, voltagePu: 0.94, lossesKW: null },
  { interval: 1, start: t(1), element: 'b2', kind: 'bus', loadingKW: null, limitKW: null, loadingPct: null, reverse: null, voltagePu: 1.06, lossesKW: null },
];
const line = (payer: string, payee: string, kind: string, amount: number): SettlementRow => ({
  interval: 0,
  contractId: 'k',
  payer,
  payee,
  kind,
  quantity: null,
  unit: null,
  ratePerUnit: null,
  amount,
  currency: 'INR',
  formula: null,
});
const settlement: SettlementRow[] = [line('a', 'b', 'energy', 10), line('b', 'c', 'fee', 2), line('c', 'a', 'deviation', 1), line('a', 'b', 'energy', 0.5)];

function run(overrides: Partial<RunFolder> = {}): RunFolder {
  return {
    dir: '/runs/worked',
    summary: { state: 'ok', file: 'summary.json', value: { scenario: 'worked', seed: 3, profile: 'beckn-2.0.0', intervals: 2, intervalMinutes: 15, start: '2025-06-01T10:00:00Z', currency: 'INR' } },
    scenario: { state: 'missing', file: 'scenario.resolved.json' },
    clearing: { state: 'ok', file: 'clearing.csv', value: clearing },
    dispatch: { state: 'ok', file: 'dispatch.csv', value: dispatch },
    flows: { state: 'ok', file: 'flows.csv', value: flows },
    settlement: { state: 'ok', file: 'settlement.csv', value: settlement },
    messages: { state: 'missing', file: '/runs/worked/messages.ndjson' },
    acks: { state: 'missing', file: '/runs/worked/acks.ndjson' },
    diagnostics: [],
    ...overrides,
  };
}

function data<T>(s: Section<T>): T {
  if (s.status !== 'ok') throw new Error(`section empty: ${s.reason}`);
  return s.data;
}

describe('buildReportModel on a worked example', () => {
  const m: ReportModel = buildReportModel(run());

  it('charts the price per node on a time axis extended by one interval for the last step', () => {
    const price = data(m.price);
    expect(price.chart.x).toEqual([t(0), t(1), t(2)]);
    expect(price.chart.series.map((s) => [s.label, s.values])).toEqual([
      ['market (root)', [3, 5, 5]],
      ['n1', [2, null, null]],
      ['n2', [null, 4, 4]],
    ]);
    expect(price.table.rows).toEqual([
      ['market (root)', '4.0000', '3.0000', '5.0000', '0.0000', '1', '0', '1', '0', '0'],
      ['n1', '2.0000', '2.0000', '2.0000', '-1.0000', '1', '0', '0', '0', '1'],
      ['n2', '4.0000', '4.0000', '4.0000', '-1.0000', '0', '1', '0', '0', '0'],
    ]);
  });

  it('shows cleared demand as a magnitude and energy from 15-minute intervals', () => {
    const v = data(m.volumes);
    expect(v.chart.series[1]?.values).toEqual([10, 6, 6]);
    expect(v.table.rows).toEqual([
      ['cleared supply', '8.00', '10.00', '4.00'],
      ['cleared demand', '8.00', '10.00', '4.00'],
    ]);
  });

  it('computes loading from kW and limit when the percentage is missing, and counts violations', () => {
    const l = data(m.loading);
    expect(l.chart.series[0]?.values).toEqual([50, 120, 120]);
    expect(l.chart.series[1]).toMatchObject({ label: 'limit 100 %', style: 'threshold', values: [100, 100, 100] });
    expect(l.table.rows).toEqual([['t1', 'transformer', '100.0', '120.00', '120.0', '1', '1']]);
    expect(m.facts.find((f) => f.label === 'element-intervals over limit')).toEqual({ label: 'element-intervals over limit', value: '1', tone: 'bad' });
  });

  it('draws the voltage band from the lowest and highest bus per interval', () => {
    const v = data(m.voltage);
    expect(v.chart.series.slice(0, 2).map((s) => s.values)).toEqual([
      [1.02, 1.06, 1.06],
      [0.97, 0.94, 0.94],
    ]);
    expect(v.chart.yRange).toEqual([0.88, 1.12]);
    expect(v.table.rows).toEqual([
      ['lowest voltage (p.u.)', '0.9400', 'b1, interval 1'],
      ['highest voltage (p.u.)', '1.0600', 'b2, interval 1'],
      ['intervals outside ±5 %', '1', ''],
      ['intervals outside ±10 %', '0', ''],
    ]);
  });

  it('tabulates dispatch energy per participant, largest first, and starts the picker on it', () => {
    const d = data(m.dispatch);
    expect(d.table.rows).toEqual([
      ['p1', 'prosumer', 'n1', '3.00', '3.00', '0.50'],
      ['c1', 'consumer', 'n2', '-0.50', '-0.50', '0.00'],
    ]);
    expect(d.chart.choices.map((c) => c.label)).toEqual(['c1 (consumer, n2)', 'p1 (prosumer, n1)']);
    expect(d.chart.initial).toBe(1);
    expect(d.chart.choices[1]?.series.find((s) => s.label === 'actual')?.values).toEqual([5, 7, 7]);
  });

  it('nets money flows per party and checks that they sum to zero', () => {
    const money = data(m.money);
    expect(money.flows.rows).toEqual([
      ['a', 'b', 'energy', '2', '10.50'],
      ['b', 'c', 'fee', '1', '2.00'],
      ['c', 'a', 'deviation', '1', '1.00'],
    ]);
    expect(money.net.rows).toEqual([
      ['a', '1.00', '10.50', '-9.50'],
      ['b', '10.50', '2.00', '8.50'],
      ['c', '2.00', '1.00', '1.00'],
    ]);
    expect(money.chart.categories).toEqual(['a', 'b', 'c']);
    expect(money.chart.series.map((s) => s.values)).toEqual([
      [null, 8.5, 1],
      [-9.5, null, null],
    ]);
    expect(money.balance).toEqual({ label: 'ledger lines', value: '4', tone: 'good' });
  });

  it('checks the ledger against the summary’s net positions and flags negative amounts', () => {
    const summary = (netByParty: Record<string, string>): RunFolder['summary'] => ({ state: 'ok', file: 's', value: { currency: 'INR', netByParty } });
    const same = data(buildReportModel(run({ summary: summary({ a: '-9.50', b: '8.50', c: '1.00' }) })).money);
    expect(same.balance).toEqual({ label: 'ledger matches summary', value: 'yes (3 parties)', tone: 'good' });
    const off = data(buildReportModel(run({ summary: summary({ a: '-9.50', b: '8.49', c: '1.00', d: '0.01' }) })).money);
    expect(off.balance).toEqual({ label: 'ledger matches summary', value: 'NO: 2 parties differ', tone: 'bad' });
    expect(off.note).toBe('Net positions differ from summary.json for: b, d.');
    const negative = data(buildReportModel(run({ settlement: { state: 'ok', file: 'x', value: [...settlement, line('c', 'b', 'fee', -1)] } })).money);
    expect(negative.balance).toEqual({ label: 'ledger lines', value: '5, 1 negative', tone: 'bad' });
  });

  it('adds many small amounts exactly', () => {
    const lines = Array.from({ length: 1000 }, () => line('a', 'b', 'fee', 0.01));
    const money = data(buildReportModel(run({ settlement: { state: 'ok', file: 'x', value: lines } })).money);
    expect(money.flows.rows).toEqual([['a', 'b', 'fee', '1000', '10.00']]);
    expect(money.chart.series.map((x) => x.values)).toEqual([
      [null, 10],
      [-10, null],
    ]);
  });

  it('lists the key facts of the summary', () => {
    expect(m.title).toBe('degsim report: worked');
    expect(m.subtitle).toBe('from 2025-06-01T10:00:00Z · profile beckn-2.0.0 · seed 3'); // no folder name: a copied run gives the same report
    expect(m.facts.slice(0, 5)).toEqual([
      { label: 'seed', value: '3' },
      { label: 'profile', value: 'beckn-2.0.0' },
      { label: 'intervals', value: '2 × 15 min' },
      { label: 'start (UTC)', value: '2025-06-01 10:00' },
      { label: 'currency', value: 'INR' },
    ]);
  });
});

describe('missing and broken files', () => {
  it('says "no data in this run" for each missing file instead of failing', () => {
    const m = buildReportModel(
      run({
        summary: { state: 'missing', file: '/r/summary.json' },
        clearing: { state: 'missing', file: '/r/clearing.csv' },
        dispatch: { state: 'invalid', file: '/r/dispatch.csv' },
        flows: { state: 'ok', file: '/r/flows.csv', value: [] },
        settlement: { state: 'missing', file: '/r/settlement.csv' },
        diagnostics: [{ code: 'csv.missing-column', path: '', message: 'the header lacks "clearedKW"', file: '/r/dispatch.csv', line: 1 }],
      }),
    );
    expect(m.price).toEqual({ status: 'empty', reason: 'No data in this run: clearing.csv was not written.' });
    expect(m.dispatch).toEqual({ status: 'empty', reason: 'No data in this run: dispatch.csv could not be read (see Problems).' });
    expect(m.loading).toEqual({ status: 'empty', reason: 'No data in this run: flows.csv has no transformer or feeder-head rows.' });
    expect(m.money.status).toBe('empty');
    expect(m.sequence).toEqual({ status: 'empty', reason: 'No data in this run: messages.ndjson was not written.' });
    expect(m.problems).toEqual(['/r/dispatch.csv:1: the header lacks "clearedKW" [csv.missing-column]']);
    expect(m.title).toBe('degsim report: worked');
  });
});

describe('helpers', () => {
  it('rounds and formats without float noise or negative zero', () => {
    expect(round(0.1 + 0.2, 4)).toBe(0.3);
    expect(round(-0.00001, 3)).toBe(0);
    expect(fixed(-0.0001, 2)).toBe('0.00');
    expect(fixed(2.5, 1)).toBe('2.5');
    expect(fixed(null, 2)).toBe('–');
  });

  it('finds the root node: market, else the feeder head, else the first node', () => {
    expect(rootNodeOf(clearing, [])).toBe('market');
    const noMarket = clearing.map((r) => ({ ...r, node: r.node === 'market' ? 'fh' : r.node }));
    expect(rootNodeOf(noMarket, [{ ...flows[0], element: 'n1', kind: 'feeder-head' } as FlowsRow])).toBe('n1');
    expect(rootNodeOf(noMarket, [])).toBe('fh');
  });
});
