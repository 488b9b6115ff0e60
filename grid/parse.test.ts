import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/diagnostics.js';
import { parseFeeder } from './parse.js';

const ieee33 = (): { lines: Record<string, unknown>[] } & Record<string, unknown> =>
  JSON.parse(readFileSync(fileURLToPath(new URL('./cases/ieee33.json', import.meta.url)), 'utf8')) as { lines: Record<string, unknown>[] } & Record<string, unknown>;

function errorsOf(doc: unknown): readonly Diagnostic[] {
  const r = parseFeeder(doc, 'f.json');
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

const base = { name: 'f', baseKV: 11, slackBus: 'S' };

describe('parseFeeder', () => {
  it('reads the issue example, inferring buses and ids and filling defaults', () => {
    const r = parseFeeder({
      name: 'example',
      baseKV: 12.66,
      slackBus: '1',
      slackVoltagePu: 1.0,
      lines: [{ from: '1', to: '2', rOhm: 0.0922, xOhm: 0.047 }],
      loads: [{ bus: '2', pKW: 100, qKVAr: 60 }],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect(r.value.buses).toEqual([{ id: '1' }, { id: '2' }]);
    expect(r.value.lines).toEqual([{ id: '1-2', from: '1', to: '2', rOhm: 0.0922, xOhm: 0.047, status: 'closed' }]);
    expect(r.value.slackAngleDeg).toBe(0);
    expect(r.value.transformers).toEqual([]);
    expect(r.value.connections).toEqual([]);
  });

  it('accepts integer bus ids and reads them as text', () => {
    const r = parseFeeder({ ...base, slackBus: 1, lines: [{ from: 1, to: 2, rOhm: 1, xOhm: 1 }] });
    expect(r.ok && r.value.lines[0]!.to).toBe('2');
  });

  it('returns every problem at once, with paths and the file', () => {
    const errors = errorsOf({
      name: 'bad',
      slackBus: 'S',
      lines: [
        { from: 'S', to: 'A', rOhm: 1, xOhm: 1 },
        { from: 'A', to: 'B', rOhm: 'one', xOhm: 1 },
        { from: 'B', to: 'C', rOhm: -1, xOhm: 1, status: 'shut' },
      ],
      transformers: [{ id: 'T', from: 'A', to: 'L', ratingKVA: -5, rOhm: 0.01, xOhm: 0.03 }],
      loads: [{ bus: 'Z', pKW: 5 }, { bus: 'A' }],
      connections: [
        { meterId: 'm1', bus: 'A', kind: 'household' },
        { meterId: 'm1', bus: 'A', kind: 'alien' },
      ],
    });
    const got = errors.map((e) => `${e.code} ${e.path}`);
    expect(got).toEqual(
      expect.arrayContaining([
        'schema.required baseKV',
        'schema.type lines[1].rOhm',
        'schema.range lines[2].rOhm',
        'schema.enum lines[2].status',
        'schema.range transformers[0].ratingKVA',
        'feeder.unknown-bus loads[0].bus',
        'schema.required loads[1].pKW',
        'feeder.duplicate-id connections[1].meterId',
        'schema.enum connections[1].kind',
      ]),
    );
    expect(errors.every((e) => e.file === 'f.json')).toBe(true);
  });

  it('rejects a meshed network, naming the tie line that closes the loop', () => {
    const doc = ieee33();
    const tie = doc.lines.findIndex((l) => l['id'] === 'TS4');
    doc.lines[tie] = { ...doc.lines[tie], status: 'closed' };
    const errors = errorsOf(doc);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('topology.mesh');
    expect(errors[0]!.message).toMatch(/'TS4'|'L\d+'/);
    expect(errors[0]!.path).toMatch(/^lines\[\d+\]$/);
  });

  it('rejects a disconnected network, naming the stranded buses', () => {
    const errors = errorsOf({
      ...base,
      lines: [
        { from: 'S', to: 'A', rOhm: 1, xOhm: 1 },
        { from: 'X', to: 'Y', rOhm: 1, xOhm: 1 },
      ],
    });
    expect(errors.map((e) => e.code)).toEqual(['topology.disconnected']);
    expect(errors[0]!.message).toMatch(/2 buses 'X', 'Y' are not connected to the slack bus 'S'/);
  });

  it('converts per-km impedances and transformer percent impedance to ohms', () => {
    const r = parseFeeder({
      ...base,
      lines: [{ id: 'L1', from: 'S', to: 'M', rOhmPerKm: 0.3, xOhmPerKm: 0.35, lengthKm: 2 }],
      transformers: [{ id: 'T1', from: 'M', to: 'L', ratingKVA: 250, impedancePct: 4, xOverR: 3 }],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.lines[0]!.rOhm).toBeCloseTo(0.6, 12);
    expect(r.value.lines[0]!.xOhm).toBeCloseTo(0.7, 12);
    // Zbase(0.4 kV, 250 kVA) = 0.16·1000/250 = 0.64 Ω; Z = 4 % → 0.0256 Ω; R = Z/√10, X = 3R.
    const t = r.value.transformers[0]!;
    expect(t.rOhm).toBeCloseTo(0.0256 / Math.sqrt(10), 12);
    expect(t.xOhm).toBeCloseTo((3 * 0.0256) / Math.sqrt(10), 12);
    expect(t.secondaryKV).toBe(0.4);
    expect(t.maxForwardFlowKW).toBe(225);
    expect(t.maxReverseFlowKW).toBe(225);
  });

  it('takes limit overrides and a feeder-wide limit power factor', () => {
    const r = parseFeeder({
      ...base,
      limitPowerFactor: 0.8,
      transformers: [
        { id: 'T1', from: 'S', to: 'A', ratingKVA: 100, rOhm: 0.01, xOhm: 0.04 },
        { id: 'T2', from: 'S', to: 'B', ratingKVA: 100, rOhm: 0.01, xOhm: 0.04, maxReverseFlowKW: 30 },
      ],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.transformers.map((t) => [t.maxForwardFlowKW, t.maxReverseFlowKW])).toEqual([
      [80, 80],
      [80, 30],
    ]);
  });

  it('requires a transformer primary to face the slack bus', () => {
    const errors = errorsOf({
      ...base,
      lines: [{ from: 'S', to: 'A', rOhm: 1, xOhm: 1 }],
      transformers: [{ id: 'T1', from: 'B', to: 'A', ratingKVA: 100, rOhm: 0.01, xOhm: 0.04 }],
    });
    expect(errors.map((e) => `${e.code} ${e.path}`)).toEqual(['feeder.transformer-orientation transformers[0]']);
  });

  it('derives each connection transformer from the topology and checks stated ones', () => {
    const doc = {
      ...base,
      lines: [
        { from: 'S', to: 'MV2', rOhm: 1, xOhm: 1 },
        { from: 'LV1', to: 'C1', rOhm: 0.02, xOhm: 0.005 },
      ],
      transformers: [
        { id: 'T1', from: 'S', to: 'LV1', ratingKVA: 100, rOhm: 0.02, xOhm: 0.06 },
        { id: 'T2', from: 'MV2', to: 'LV2', ratingKVA: 160, rOhm: 0.02, xOhm: 0.06 },
      ],
      connections: [
        { meterId: 'M1', bus: 'C1', kind: 'prosumer', der: { pvKWp: 5, batteryKWh: 10, batteryKW: 5 } },
        { meterId: 'M2', bus: 'MV2', kind: 'commercial' },
      ],
    };
    const r = parseFeeder(doc);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.connections.map((c) => c.transformer)).toEqual(['T1', null]);
    expect(r.value.connections[0]!.der).toMatchObject({ hasPV: true, pvKWp: 5, hasBattery: true, hasEV: false });
    const wrong = errorsOf({ ...doc, connections: [{ meterId: 'M1', bus: 'C1', transformer: 'T2', kind: 'household' }] });
    expect(wrong.map((e) => e.code)).toEqual(['feeder.connection-transformer']);
    expect(wrong[0]!.message).toMatch(/supplied by transformer 'T1', not 'T2'/);
  });

  it('rejects DER flags that contradict the sizes', () => {
    const errors = errorsOf({
      ...base,
      lines: [{ from: 'S', to: 'A', rOhm: 1, xOhm: 1 }],
      connections: [{ meterId: 'M', bus: 'A', kind: 'prosumer', der: { hasPV: true, pvKWp: 0 } }],
    });
    expect(errors.map((e) => `${e.code} ${e.path}`)).toEqual(['feeder.der-inconsistent connections[0].der.hasPV']);
  });

  it('warns about unknown fields and rejects reserved and duplicate ids', () => {
    const r = parseFeeder({ ...base, lines: [{ from: 'S', to: 'A', rOhm: 1, xOhm: 1, rOmh: 2 }] });
    expect(r.ok && r.warnings.map((w) => `${w.code} ${w.path}`)).toEqual(['feeder.unknown-field lines[0].rOmh']);
    const errors = errorsOf({
      ...base,
      lines: [
        { id: 'feeder-head', from: 'S', to: 'A', rOhm: 1, xOhm: 1 },
        { id: 'X', from: 'A', to: 'B', rOhm: 1, xOhm: 1 },
        { id: 'X', from: 'B', to: 'C', rOhm: 1, xOhm: 1 },
      ],
    });
    expect(errors.map((e) => e.code)).toEqual(['feeder.reserved-id', 'feeder.duplicate-id']);
  });

  it('requires declared buses when a buses list is given', () => {
    const errors = errorsOf({ ...base, buses: [{ id: 'S', kind: 'substation' }, { id: 'A' }], lines: [{ from: 'S', to: 'B', rOhm: 1, xOhm: 1 }] });
    expect(errors.map((e) => `${e.code} ${e.path}`)).toEqual(['feeder.unknown-bus lines[0].to']);
  });

  it('gives parallel lines distinct automatic ids and reports the loop', () => {
    const errors = errorsOf({
      ...base,
      lines: [
        { from: 'S', to: 'A', rOhm: 1, xOhm: 1 },
        { from: 'S', to: 'A', rOhm: 1, xOhm: 1 },
      ],
    });
    expect(errors.map((e) => e.code)).toEqual(['topology.mesh']);
    expect(errors[0]!.message).toMatch(/S-A#2|'S-A'/);
  });

  it('rejects a document that is not an object', () => {
    expect(errorsOf([1, 2]).map((e) => e.code)).toEqual(['schema.type']);
  });
});
