import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadScenarioFile, loadScenarioText } from './loader.js';
import { applyOverrides, parseOverrides } from './overrides.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

const minimal = `name: tiny
start: 2026-06-21T00:00:00Z
participants:
  - kind: mca
    id: mca
`;

describe('scenario loader', () => {
  it('reports all three mistakes of a bad file at once, with lines and paths', () => {
    const r = loadScenarioFile(fixture('three-mistakes.yaml'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.line, e.path, e.code])).toEqual([
      [3, 'intervalMinutes', 'schema.enum'],
      [11, 'market.priceCapp', 'schema.additionalProperties'],
      [13, 'utility.retailPerKWh', 'schema.type'],
    ]);
    expect(r.errors.every((e) => e.file?.endsWith('three-mistakes.yaml'))).toBe(true);
    expect(r.errors[1]?.message).toContain('did you mean "priceCap"');
    expect(r.errors[2]?.message).toBe('expected number, got string "eight"');
  });

  it('fills documented defaults', () => {
    const r = loadScenarioText(minimal, 'tiny.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.seed).toBe(1);
    expect(r.value.intervalMinutes).toBe(15);
    expect(r.value.horizonHours).toBe(24);
    expect(r.value.market.priceRule).toBe('midpoint');
    expect(r.value.protocol.profile).toBe('beckn-2.0.0');
    expect(r.value.protocol.link.latencyMs).toBe(20);
    expect(r.value.participants[0]?.count).toBe(1);
  });

  it('applies --set overrides and --seed before validation', () => {
    const r = loadScenarioText(minimal, 'tiny.yaml', { overrides: ['market.feePerKWh=0.25', 'protocol.profile=deg-order-draft', 'participants[0].id=market'], seed: 9 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.market.feePerKWh).toBe(0.25);
    expect(r.value.protocol.profile).toBe('deg-order-draft');
    expect(r.value.participants[0]?.id).toBe('market');
    expect(r.value.seed).toBe(9);
  });

  it('names the override when an overridden value is invalid', () => {
    const r = loadScenarioText(minimal, 'tiny.yaml', { overrides: ['market.priceRule=median', 'nonsense'] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.file, e.path])).toEqual(
      expect.arrayContaining([
        ['--set', 'market.priceRule'],
        ['--set', '--set[1]'],
      ]),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const r = loadScenarioText('name: x\nstart: [unclosed\n', 'broken.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.code).toBe('yaml.syntax');
    expect(r.errors[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('checks cross-field rules: gate after bids, floor below cap, unique ids, whole horizon', () => {
    const text = `${minimal}  - kind: consumer
    id: mca
horizonHours: 1.1
market:
  priceFloor: 5
  priceCap: 5
  gateClosureMinutes: 20
  bidLeadMinutes: 15
`;
    const r = loadScenarioText(text, 'rules.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code).sort()).toEqual(['market.bounds', 'market.gate', 'participant.duplicate', 'scenario.horizon']);
    expect(r.errors.find((e) => e.code === 'participant.duplicate')?.line).toBe(7);
  });

  it('a missing file is a diagnostic, not an exception', () => {
    const r = loadScenarioFile(fixture('nope.yaml'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.code).toBe('file.missing');
  });
});

describe('overrides', () => {
  it('parses YAML scalars and creates missing objects', () => {
    const p = parseOverrides(['a.b=3', 'a.c=true', 'a.d=[1, 2]', 'e=hello']);
    expect(p.errors).toEqual([]);
    const r = applyOverrides({}, p.overrides);
    expect(r.doc).toEqual({ a: { b: 3, c: true, d: [1, 2] }, e: 'hello' });
  });

  it('refuses to index past a list end', () => {
    const p = parseOverrides(['xs[5].y=1']);
    const r = applyOverrides({ xs: [{}] }, p.overrides);
    expect(r.errors[0]?.code).toBe('override.index');
  });
});
