import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFeeder, emptyBusLoads } from './compile.js';
import type { Feeder } from './feeder.js';
import { loadFeederFile } from './load.js';
import { parseFeeder } from './parse.js';
import { branchFlows, createPowerFlowWorkspace, solveFeeder, solvePowerFlow, type PowerFlowResult, type PowerFlowSolution } from './powerflow.js';

const IEEE33 = fileURLToPath(new URL('./cases/ieee33.json', import.meta.url));

function parsed(doc: unknown): Feeder {
  const r = parseFeeder(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function converged(r: PowerFlowResult): PowerFlowSolution {
  if (!r.converged) throw new Error(r.message);
  return r;
}

/** Two buses at 10 kV: Zbase = 10² kV² / 1 MVA = 100 Ω, so 1 + j2 Ω is 0.01 + j0.02 pu. */
function twoBus(pKW: number, qKVAr: number): Feeder {
  return parsed({
    name: 'two-bus',
    baseKV: 10,
    slackBus: 'A',
    lines: [{ from: 'A', to: 'B', rOhm: 1, xOhm: 2 }],
    loads: [{ bus: 'B', pKW, qKVAr }],
  });
}

describe('IEEE 33-bus reference (Baran & Wu 1989)', () => {
  const r = loadFeederFile(IEEE33);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const feeder = r.value;

  it('has the published data: 33 buses, 32 closed branches, 5 open ties, 3715 kW / 2300 kVAr', () => {
    expect(feeder.buses).toHaveLength(33);
    expect(feeder.lines.filter((l) => l.status === 'closed')).toHaveLength(32);
    expect(feeder.lines.filter((l) => l.status === 'open').map((l) => l.id)).toEqual(['TS1', 'TS2', 'TS3', 'TS4', 'TS5']);
    expect(feeder.loads.reduce((a, l) => a + l.pKW, 0)).toBe(3715);
    expect(feeder.loads.reduce((a, l) => a + l.qKVAr, 0)).toBe(2300);
  });

  it('reproduces total losses ≈ 202.7 kW and minimum voltage ≈ 0.9131 pu at bus 18', () => {
    const result = solveFeeder(feeder);
    const { compiled } = result;
    const s = converged(result);
    expect(s.lossesKW).toBeGreaterThan(202.2);
    expect(s.lossesKW).toBeLessThan(203.2);
    expect(s.minVoltagePu).toBeCloseTo(0.9131, 4);
    expect(compiled.busIds[s.minVoltageBus]).toBe('18');
    expect(s.maxMismatchPu).toBeLessThanOrEqual(1e-8);
    expect(s.iterations).toBeLessThan(20);
  });

  it('balances energy: slack injection = loads + losses', () => {
    const s = converged(solveFeeder(feeder));
    expect(s.slackPKW).toBeCloseTo(3715 + s.lossesKW, 4);
    expect(s.slackQKVAr).toBeCloseTo(2300 + s.lossesKVAr, 4);
  });

  it('reports voltage collapse with loads ×4, within a bounded number of iterations', () => {
    const result = solveFeeder(feeder, { loadScale: 4 });
    expect(result.converged).toBe(false);
    if (result.converged) return;
    expect(result.reason).toBe('voltage-collapse');
    expect(result.iterations).toBeLessThanOrEqual(200);
    expect(result.message).toMatch(/voltage collapse/);
  });

  it('still solves heavily loaded cases below the nose (loads ×3)', () => {
    const s = converged(solveFeeder(feeder, { loadScale: 3 }));
    expect(s.minVoltagePu).toBeGreaterThan(0.6);
    expect(s.minVoltagePu).toBeLessThan(0.7);
  });

  it('gives max-iterations, not a hang, when the cap is too small', () => {
    const result = solveFeeder(feeder, { maxIterations: 3 });
    expect(result.converged).toBe(false);
    if (!result.converged) {
      expect(result.reason).toBe('max-iterations');
      expect(result.iterations).toBe(3);
    }
  });
});

describe('two-bus hand calculation', () => {
  // |V2|² solves |V2|⁴ − (1 − 2(rP + xQ))|V2|² + |Z|²|S|² = 0 with r = 0.01, x = 0.02, P = 1, Q = 0.5 pu:
  // |V2|² = (0.96 + √(0.96² − 4·0.0005·1.25)) / 2 = 0.9593485…, |V2| = 0.9794634 pu,
  // losses = |S|²/|V2|²·r = 1.25 / 0.9593485 · 0.01 pu = 13.0297 kW, |I| = 1.1412 pu = 65.903 A.
  it('matches the closed-form solution', () => {
    const result = solveFeeder(twoBus(1000, 500));
    const { compiled } = result;
    const s = converged(result);
    const b = compiled.busIndex.get('B')!;
    expect(Math.hypot(s.vRe[b]!, s.vIm[b]!)).toBeCloseTo(0.9794634, 7);
    expect((Math.atan2(s.vIm[b]!, s.vRe[b]!) * 180) / Math.PI).toBeCloseTo(-0.877491, 5);
    expect(s.lossesKW).toBeCloseTo(13.029676, 5);
    expect(s.lossesKVAr).toBeCloseTo(26.059351, 5);
    expect(s.slackPKW).toBeCloseTo(1013.029676, 5);
    const flows = branchFlows(compiled, s);
    expect(flows.currentA[b]).toBeCloseTo(65.90315, 4);
    expect(flows.pReceiveKW[b]).toBeCloseTo(1000, 6);
    expect(flows.qReceiveKVAr[b]).toBeCloseTo(500, 6);
  });

  it('handles reverse flow: 500 kW of generation lifts the voltage and exports upstream', () => {
    // Same formula with P = -0.5, Q = 0: |V2| = 1.0049260 pu, losses 2.47555 kW.
    const result = solveFeeder(twoBus(-500, 0));
    const { compiled } = result;
    const s = converged(result);
    const b = compiled.busIndex.get('B')!;
    expect(Math.hypot(s.vRe[b]!, s.vIm[b]!)).toBeCloseTo(1.004926, 6);
    expect(s.lossesKW).toBeCloseTo(2.475551, 5);
    expect(s.slackPKW).toBeCloseTo(-500 + 2.475551, 5);
    expect(branchFlows(compiled, s).pSendKW[b]).toBeLessThan(0);
  });
});

describe('transformers', () => {
  const feeder = parsed({
    name: 'mv-lv',
    baseKV: 11,
    slackBus: 'S',
    lines: [
      { from: 'S', to: 'M', rOhm: 0.5, xOhm: 0.4 },
      { from: 'L', to: 'C', rOhm: 0.01, xOhm: 0.002 },
    ],
    transformers: [{ id: 'T1', from: 'M', to: 'L', ratingKVA: 250, impedancePct: 4, xOverR: 3, secondaryKV: 0.4 }],
    loads: [{ bus: 'C', pKW: 100, qKVAr: 30 }],
  });

  it('puts LV buses on their own base and balances energy through the transformer', () => {
    const result = solveFeeder(feeder);
    const { compiled } = result;
    const s = converged(result);
    expect(compiled.busBaseKV[compiled.busIndex.get('L')!]).toBe(0.4);
    expect(compiled.busBaseKV[compiled.busIndex.get('M')!]).toBe(11);
    expect(s.slackPKW).toBeCloseTo(100 + s.lossesKW, 6);
    const flows = branchFlows(compiled, s);
    const t = compiled.transformerBranch[0]!;
    // LV current ≈ |S| / (√3·V): 104.4 kVA at ≈ 0.4 kV is ≈ 150 A.
    expect(flows.currentA[t]).toBeGreaterThan(148);
    expect(flows.currentA[t]).toBeLessThan(160);
    // Drop across the transformer ≈ R%·P + X%·Q in pu of its rating: small but visible.
    const vm = Math.hypot(s.vRe[compiled.busIndex.get('M')!]!, s.vIm[compiled.busIndex.get('M')!]!);
    const vl = Math.hypot(s.vRe[t]!, s.vIm[t]!);
    expect(vm - vl).toBeGreaterThan(0.005);
    expect(vm - vl).toBeLessThan(0.02);
  });

  it('applies an off-nominal tap as a voltage ratio', () => {
    const tapped = parsed({
      name: 'tap',
      baseKV: 11,
      slackBus: 'S',
      transformers: [{ id: 'T', from: 'S', to: 'L', ratingKVA: 100, rOhm: 0, xOhm: 0, tapRatio: 0.975 }],
    });
    const s = converged(solveFeeder(tapped));
    expect(s.vRe[1]).toBeCloseTo(1 / 0.975, 12);
  });
});

describe('solver behaviour', () => {
  it('rejects bad load arrays as a value', () => {
    const compiled = compileFeeder(twoBus(10, 0));
    const loads = emptyBusLoads(compiled);
    loads.pKW[1] = Number.NaN;
    const r = solvePowerFlow(compiled, loads);
    expect(r.converged).toBe(false);
    if (!r.converged) expect(r.reason).toBe('invalid-input');
    const short = solvePowerFlow(compiled, { pKW: new Float64Array(1), qKVAr: new Float64Array(1) });
    expect(short.converged ? 'converged' : short.reason).toBe('invalid-input');
  });

  it('warm starts from the previous solution and needs fewer sweeps', () => {
    const r = loadFeederFile(IEEE33);
    if (!r.ok) throw new Error('fixture');
    const compiled = compileFeeder(r.value);
    const workspace = createPowerFlowWorkspace(compiled);
    const cold = converged(solvePowerFlow(compiled, compiled.baseLoads, { workspace }));
    const lossesCold = cold.lossesKW;
    const warm = converged(solvePowerFlow(compiled, compiled.baseLoads, { workspace, warmStart: true }));
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(warm.lossesKW).toBeCloseTo(lossesCold, 6);
  });

  it('keeps KVL and energy balance on random radial feeders with loads and generation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.double({ min: 0.01, max: 0.5, noNaN: true })), { minLength: 1, maxLength: 25 }),
        fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -40, max: 60, noNaN: true })), { minLength: 26, maxLength: 26 }),
        (edges, loads) => {
          // Bus k+1 hangs off a random earlier bus: always a tree.
          const lines = edges.map(([p, r, x], k) => ({ from: `b${p % (k + 1)}`, to: `b${k + 1}`, rOhm: r, xOhm: x }));
          const feeder = parsed({
            name: 'random',
            baseKV: 11,
            slackBus: 'b0',
            lines,
            loads: edges.map((_, k) => ({ bus: `b${k + 1}`, pKW: loads[k]![0], qKVAr: loads[k]![1] })),
          });
          const result = solveFeeder(feeder);
          const { compiled } = result;
          const s = converged(result);
          const sumP = feeder.loads.reduce((a, l) => a + l.pKW, 0);
          const sumQ = feeder.loads.reduce((a, l) => a + l.qKVAr, 0);
          expect(Math.abs(s.slackPKW - (sumP + s.lossesKW))).toBeLessThan(1e-6);
          expect(Math.abs(s.slackQKVAr - (sumQ + s.lossesKVAr))).toBeLessThan(1e-6);
          expect(s.lossesKW).toBeGreaterThanOrEqual(0);
          for (let i = 1; i < compiled.busCount; i++) {
            const p = compiled.parent[i]!;
            const dr = s.vRe[p]! - compiled.branchR[i]! * s.iRe[i]! + compiled.branchX[i]! * s.iIm[i]! - s.vRe[i]!;
            const di = s.vIm[p]! - compiled.branchR[i]! * s.iIm[i]! - compiled.branchX[i]! * s.iRe[i]! - s.vIm[i]!;
            expect(Math.hypot(dr, di)).toBeLessThan(1e-7);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
