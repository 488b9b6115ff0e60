import { describe, expect, it } from 'vitest';
import { generateFeeder, TRANSFORMER_RATINGS_KVA, type FeederGenerationParams } from './generate.js';
import { flowReport } from './flows.js';
import { parseFeeder } from './parse.js';
import { solveFeeder } from './powerflow.js';

const params: FeederGenerationParams = { transformers: 8, customersPerTransformer: 30, pvShare: 0.3, evShare: 0.2, batteryShare: 0.1, cpoSites: 2 };

describe('generateFeeder', () => {
  const feeder = generateFeeder(params, 7);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateFeeder(params, 7)).toEqual(feeder);
    expect(JSON.stringify(generateFeeder(params, 8))).not.toBe(JSON.stringify(feeder));
  });

  it('builds substation → MV → transformers → LV poles → customer connections', () => {
    const kinds = new Map<string, number>();
    for (const b of feeder.buses) kinds.set(b.kind ?? '?', (kinds.get(b.kind ?? '?') ?? 0) + 1);
    expect(kinds.get('substation')).toBe(1);
    expect(kinds.get('mv')).toBe(8);
    expect(kinds.get('lv')).toBe(8);
    expect(kinds.get('customer')).toBe(8 * 30 + 2);
    expect(kinds.get('pole')).toBeGreaterThan(8 * 30 / 5);
    expect(feeder.transformers).toHaveLength(8);
    expect(feeder.lines).toHaveLength(feeder.buses.length - 1 - 8);
    expect(feeder.connections).toHaveLength(8 * 30 + 2);
    expect(new Set(feeder.connections.map((c) => c.meterId)).size).toBe(feeder.connections.length);
  });

  it('uses standard ratings, 4 % impedance and limits of rating × 0.9', () => {
    for (const t of feeder.transformers) {
      expect(TRANSFORMER_RATINGS_KVA).toContain(t.ratingKVA);
      const zBase = (0.4 * 0.4 * 1000) / t.ratingKVA;
      expect(Math.hypot(t.rOhm, t.xOhm) / zBase).toBeCloseTo(0.04, 5);
      expect(t.maxForwardFlowKW).toBeCloseTo(t.ratingKVA * 0.9, 9);
      expect(t.maxReverseFlowKW).toBeCloseTo(t.ratingKVA * 0.9, 9);
    }
  });

  it('gives realistic per-km impedances and lengths', () => {
    for (const l of feeder.lines) {
      const rPerKm = l.rOhm / l.lengthKm!;
      expect(rPerKm).toBeGreaterThan(0.1);
      expect(rPerKm).toBeLessThan(1.3);
      expect(l.lengthKm).toBeLessThan(1.5);
    }
  });

  it('hands out DER by exact shares, batteries to PV owners first, kinds matching', () => {
    const homes = feeder.connections.filter((c) => c.kind !== 'cpo');
    const n = homes.length;
    expect(homes.filter((c) => c.der.hasPV)).toHaveLength(Math.round(0.3 * n));
    expect(homes.filter((c) => c.der.hasEV)).toHaveLength(Math.round(0.2 * n));
    const batteries = homes.filter((c) => c.der.hasBattery);
    expect(batteries).toHaveLength(Math.round(0.1 * n));
    expect(batteries.every((c) => c.der.hasPV)).toBe(true);
    expect(homes.filter((c) => c.kind === 'commercial')).toHaveLength(Math.round(0.05 * n));
    for (const c of homes) {
      if (c.kind !== 'commercial') expect(c.kind).toBe(c.der.hasPV || c.der.hasBattery ? 'prosumer' : 'household');
      expect(c.der.hasPV).toBe(c.der.pvKWp > 0);
      if (c.der.hasEV) expect(c.der.evCharging).toBe(c.kind === 'commercial' ? 'workplace' : 'home');
      expect(c.sanctionedLoadKW).toBeGreaterThan(0);
      expect(c.annualConsumptionKWh).toBeGreaterThan(0);
    }
    const cpo = feeder.connections.filter((c) => c.kind === 'cpo');
    expect(cpo).toHaveLength(2);
    for (const c of cpo) expect(c.der).toMatchObject({ hasEV: true, evCharging: 'destination' });
  });

  it('round-trips through the feeder-file parser without warnings', () => {
    const r = parseFeeder(JSON.parse(JSON.stringify(feeder)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect(r.value).toEqual(feeder);
  });

  it('solves at its design load inside the ±10 % band with transformers within rating', () => {
    const result = solveFeeder(feeder);
    const { compiled } = result;
    expect(result.converged).toBe(true);
    if (!result.converged) return;
    expect(result.minVoltagePu).toBeGreaterThan(0.9);
    expect(result.maxVoltagePu).toBeCloseTo(1.02, 9);
    const report = flowReport(compiled, result);
    for (const row of report.rows.filter((r) => r.kind === 'transformer')) expect(row.ratingPct).toBeLessThan(100);
  });

  it('keeps the MV network when only the LV side changes', () => {
    const other = generateFeeder({ ...params, customersPerTransformer: 12, pvShare: 0.6 }, 7);
    const mv = (f: typeof feeder): unknown[] => f.lines.filter((l) => l.to.endsWith('-MV'));
    expect(mv(other)).toEqual(mv(feeder));
  });

  it('applies per-transformer limit overrides', () => {
    const f = generateFeeder({ ...params, transformerLimits: { T003: { maxReverseFlowKW: 12 } } }, 7);
    const t = f.transformers.find((x) => x.id === 'T003')!;
    expect(t.maxReverseFlowKW).toBe(12);
    expect(t.maxForwardFlowKW).toBeCloseTo(t.ratingKVA * 0.9, 9);
  });

  it('rejects impossible parameters', () => {
    expect(() => generateFeeder({ ...params, transformers: 0 }, 1)).toThrow(RangeError);
    expect(() => generateFeeder({ ...params, pvShare: 1.5 }, 1)).toThrow(/pvShare/);
  });
});
