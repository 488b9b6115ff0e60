import { describe, expect, it } from 'vitest';
import { parseFeeder } from './parse.js';
import { solveFeeder } from './powerflow.js';
import { formatPowerFlowTable, powerFlowSummary, roundTo } from './summary.js';

function solved(doc: unknown): ReturnType<typeof powerFlowSummary> {
  const r = parseFeeder(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const result = solveFeeder(r.value);
  const { compiled } = result;
  return powerFlowSummary(compiled, result);
}

describe('powerFlowSummary', () => {
  // A 1 + j2 Ω line at 10 kV written against the flow (from the load bus to the slack bus).
  const s = solved({
    name: 'reversed',
    baseKV: 10,
    slackBus: 'A',
    lines: [{ id: 'L', from: 'B', to: 'A', rOhm: 1, xOhm: 2 }],
    loads: [{ bus: 'B', pKW: 1000, qKVAr: 500 }],
  });

  it('reports branches in the file direction, rounded (two-bus hand values)', () => {
    expect(s.converged).toBe(true);
    if (!s.converged) return;
    expect(s.buses).toEqual([
      { id: 'A', voltagePu: 1, angleDeg: 0 },
      { id: 'B', voltagePu: 0.979463, angleDeg: -0.8775 },
    ]);
    // Power enters the line at its `from` end (B) negatively: 1000 kW flow from A into B.
    expect(s.branches).toEqual([{ id: 'L', kind: 'line', from: 'B', to: 'A', pKW: -1000, qKVAr: -500, currentA: 65.9, lossesKW: 13.03 }]);
    expect(s).toMatchObject({ lossesKW: 13.03, minVoltageBus: 'B', maxVoltageBus: 'A', slackPKW: 1013.03, slackQKVAr: 526.059 });
  });

  it('prints a table with totals, buses and branches', () => {
    const text = formatPowerFlowTable('reversed', s);
    expect(text).toContain('losses            13.030 kW');
    expect(text).toContain('min voltage       0.979463 pu at bus B');
    expect(text).toMatch(/L\s+line\s+B\s+A\s+-1000\.000\s+-500\.000\s+65\.90\s+13\.030/);
  });

  it('summarises a failure with its reason only', () => {
    const f = solved({ name: 'x', baseKV: 0.4, slackBus: 'A', lines: [{ from: 'A', to: 'B', rOhm: 1, xOhm: 1 }], loads: [{ bus: 'B', pKW: 500, qKVAr: 0 }] });
    expect(f).toMatchObject({ converged: false, reason: 'voltage-collapse' });
    expect(formatPowerFlowTable('x', f)).toMatch(/^x: NOT CONVERGED \(voltage-collapse\)/);
  });
});

describe('roundTo', () => {
  it('removes float noise and negative zero', () => {
    expect(roundTo(0.1 + 0.2, 3)).toBe(0.3);
    expect(Object.is(roundTo(-0.0000004, 3), 0)).toBe(true);
    expect(roundTo(202.67712642, 3)).toBe(202.677);
  });
});
