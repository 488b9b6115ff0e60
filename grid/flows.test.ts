import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Feeder } from './feeder.js';
import { flowReport, flowRowsToCsv, type FlowRow } from './flows.js';
import { loadFeederFile } from './load.js';
import { parseFeeder } from './parse.js';
import { solveFeeder, type PowerFlowResult, type PowerFlowSolution } from './powerflow.js';

function parsed(doc: unknown): Feeder {
  const r = parseFeeder(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function converged(r: PowerFlowResult): PowerFlowSolution {
  if (!r.converged) throw new Error(r.message);
  return r;
}

/** Two 100 kVA transformers: T1 feeds a 50 kW load, T2 a 120 kW PV plant (reverse flow beyond its 90 kW limit). */
const feeder = parsed({
  name: 'two-transformers',
  baseKV: 11,
  slackBus: 'S',
  headLimits: { maxForwardFlowKW: 1000, maxReverseFlowKW: 50 },
  lines: [
    { id: 'MV', from: 'S', to: 'M', rOhm: 0.3, xOhm: 0.3 },
    { id: 'LV1', from: 'B1', to: 'C1', rOhm: 0.02, xOhm: 0.005, ratedA: 60 },
    { id: 'LV2', from: 'B2', to: 'C2', rOhm: 0.02, xOhm: 0.005 },
  ],
  transformers: [
    { id: 'T1', from: 'M', to: 'B1', ratingKVA: 100, impedancePct: 4 },
    { id: 'T2', from: 'M', to: 'B2', ratingKVA: 100, impedancePct: 4 },
  ],
  loads: [
    { bus: 'C1', pKW: 50, qKVAr: 10 },
    { bus: 'C2', pKW: -120, qKVAr: 0 },
  ],
});

describe('flowReport', () => {
  const result = solveFeeder(feeder);
  const { compiled } = result;
  const s = converged(result);
  const report = flowReport(compiled, s);
  const row = (id: string): FlowRow => report.rows.find((r) => r.element === id)!;

  it('lists the feeder head and every transformer, in order', () => {
    expect(report.rows.map((r) => `${r.kind}:${r.element}`)).toEqual(['feeder-head:feeder-head', 'transformer:T1', 'transformer:T2']);
  });

  it('gives transformer loading with direction, limit and percentages', () => {
    const t1 = row('T1');
    // Load plus the LV cable and transformer losses, a little above 50 kW.
    expect(t1.loadingKW).toBeGreaterThan(50);
    expect(t1.loadingKW).toBeLessThan(52);
    expect(t1.reverse).toBe(false);
    expect(t1.limitKW).toBe(90);
    expect(t1.loadingPct).toBeCloseTo((100 * t1.loadingKW) / 90, 10);
    const t2 = row('T2');
    expect(t2.reverse).toBe(true);
    expect(t2.loadingKW).toBeLessThan(-110);
    expect(t2.loadingKW).toBeGreaterThan(-120);
    expect(t2.ratingPct).toBeGreaterThan(100);
    expect(t2.voltagePu).toBeGreaterThan(row('T1').voltagePu);
  });

  it('puts total losses and the slack injection on the head row', () => {
    const head = row('feeder-head');
    expect(head.loadingKW).toBeCloseTo(s.slackPKW, 10);
    expect(head.loadingKW).toBeCloseTo(50 - 120 + s.lossesKW, 6);
    expect(head.reverse).toBe(true);
    expect(head.limitKW).toBe(50);
    expect(head.lossesKW).toBeCloseTo(s.lossesKW, 10);
  });

  it('lists limit violations separately: T2 reverse and thermal, the head reverse, the overloaded cable', () => {
    expect(report.limitViolations.map((v) => `${v.kind}:${v.element}`)).toEqual([
      'reverse-limit:feeder-head',
      'reverse-limit:T2',
      'thermal-limit:T2',
      'thermal-limit:LV1',
    ]);
    const lv1 = report.limitViolations.find((v) => v.element === 'LV1')!;
    // 51 kVA at ≈ 0.4 kV ≈ 74 A on a 60 A cable.
    expect(lv1.value).toBeGreaterThan(115);
    expect(lv1.value).toBeLessThan(130);
  });

  it('honours per-interval transformer limits', () => {
    const tight = flowReport(compiled, s, { transformerLimits: new Map([['T1', { maxForwardFlowKW: 40, maxReverseFlowKW: 40 }]]) });
    expect(tight.limitViolations.some((v) => v.kind === 'forward-limit' && v.element === 'T1' && v.limit === 40)).toBe(true);
  });

  it('adds line and bus rows on request, bus rows carrying the net consumption', () => {
    const full = flowReport(compiled, s, { includeLines: true, includeBuses: true });
    const c1 = full.rows.find((r) => r.kind === 'bus' && r.element === 'C1')!;
    const c2 = full.rows.find((r) => r.kind === 'bus' && r.element === 'C2')!;
    expect(c1.loadingKW).toBeCloseTo(50, 6);
    expect(c2.loadingKW).toBeCloseTo(-120, 6);
    expect(c2.reverse).toBe(true);
    const m = full.rows.find((r) => r.kind === 'bus' && r.element === 'M')!;
    expect(m.loadingKW).toBeCloseTo(0, 6);
    expect(full.rows.filter((r) => r.kind === 'line').map((r) => r.element)).toEqual(['MV', 'LV1', 'LV2']);
  });
});

describe('voltage band', () => {
  const r = loadFeederFile(fileURLToPath(new URL('./cases/ieee33.json', import.meta.url)));
  if (!r.ok) throw new Error('fixture');

  it('flags IEEE 33 buses under 0.95 pu as warnings and none beyond the ±10 % limit', () => {
    const result = solveFeeder(r.value);
    const { compiled } = result;
    const s = converged(result);
    const report = flowReport(compiled, s);
    const flagged = new Set(report.voltageViolations.map((v) => v.bus));
    expect(flagged.has('18')).toBe(true);
    expect(report.voltageViolations.every((v) => v.kind === 'under-voltage' && v.severity === 'warning' && v.boundPu === 0.95)).toBe(true);
    for (let i = 0; i < compiled.busCount; i++) {
      const v = Math.hypot(s.vRe[i]!, s.vIm[i]!);
      expect(flagged.has(compiled.busIds[i]!)).toBe(v < 0.95);
    }
  });

  it('marks buses beyond 10 % as limit violations under heavier load', () => {
    const result = solveFeeder(r.value, { loadScale: 1.5 });
    const { compiled } = result;
    const report = flowReport(compiled, converged(result));
    const worst = report.voltageViolations.find((v) => v.bus === '18')!;
    expect(worst.severity).toBe('limit');
    expect(worst.boundPu).toBe(0.9);
    expect(worst.voltagePu).toBeLessThan(0.9);
  });
});

describe('flows.csv', () => {
  it('prints fixed decimals, empty cells for missing limits, and optional leading columns', () => {
    const rows: FlowRow[] = [
      { element: 'T1', kind: 'transformer', loadingKW: 51.23456, limitKW: 90, loadingPct: 56.927289, reverse: false, voltagePu: 0.987654321, lossesKW: 0.4, ratingPct: 52.1 },
      { element: 'L,1', kind: 'line', loadingKW: -0.0000001, limitKW: null, loadingPct: null, reverse: true, voltagePu: 1, lossesKW: 0, ratingPct: null },
    ];
    expect(flowRowsToCsv(rows, { columns: ['interval'], values: ['7'] })).toBe(
      [
        'interval,element,kind,loadingKW,limitKW,loadingPct,reverse,voltagePu,lossesKW,ratingPct',
        '7,T1,transformer,51.235,90.000,56.93,false,0.98765,0.400,52.10',
        '7,"L,1",line,0.000,,,true,1.00000,0.000,',
        '',
      ].join('\n'),
    );
  });
});

describe('the lv-demo case', () => {
  it('shows midday reverse flow through T1 beyond its 100 kW reverse limit and voltage rise', () => {
    const r = loadFeederFile(fileURLToPath(new URL('./cases/lv-demo.yaml', import.meta.url)));
    expect(r.ok && r.warnings).toEqual([]);
    if (!r.ok) return;
    const solved = solveFeeder(r.value);
    const s = converged(solved);
    const report = flowReport(solved.compiled, s);
    const t1 = report.rows.find((x) => x.element === 'T1')!;
    expect(t1.reverse).toBe(true);
    expect(t1.loadingKW).toBeLessThan(-130);
    expect(report.limitViolations.find((v) => v.element === 'T1')).toMatchObject({ kind: 'reverse-limit', limit: 100 });
    expect(s.maxVoltagePu).toBeGreaterThan(1.03);
    expect(solved.compiled.busIds[s.maxVoltageBus]).toBe('PV');
  });
});
