import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isSweepFile, loadSweepFile, parseSweepFile } from './sweep-file.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('sweep files', () => {
  it('reads lists, ranges and seed text, with paths relative to the file', () => {
    const r = loadSweepFile(join(fixtures, 'fee-sweep.yaml'));
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
    expect(r.value.scenarioPath).toBe(join(fixtures, 'scenario.yaml'));
    expect(r.value.parameters).toEqual([
      { path: 'market.fee', values: [0, 0.05] },
      { path: 'utility.deviationPenalty', values: [1, 1.5, 2] },
    ]);
    expect(r.value.seeds).toEqual([1, 2, 3]);
    expect(r.value.jobs).toBe(2);
    expect(r.value.outDir).toBe(join(fixtures, '../../../test-artifacts/fee-sweep'));
  });

  it('accepts seed lists, single seeds and single values', () => {
    const r = parseSweepFile('scenario: s.yaml\nvary:\n  market.priceRule: low\n  market.cap: 5\nseeds: [4, 2]\n', '/x/sweep.yaml');
    expect(r.ok && r.value.parameters).toEqual([
      { path: 'market.priceRule', values: ['low'] },
      { path: 'market.cap', values: [5] },
    ]);
    expect(r.ok && r.value.seeds).toEqual([2, 4]);
    const one = parseSweepFile('scenario: s.yaml\nvary: {}\nseeds: 7\n', '/x/sweep.yaml');
    expect(one.ok && one.value.seeds).toEqual([7]);
  });

  it('reports every schema problem with line and column', () => {
    const text = ['scenario: s.yaml', 'vary:', '  market.fee: {a: 1}', '  "bad path!": [1]', 'seeds: -3', 'jobs: 0', 'colour: blue', ''].join('\n');
    const r = parseSweepFile(text, 'sweep.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const brief = r.errors.map((e) => `${e.line}:${e.column} ${e.path} ${e.code}`).sort();
    expect(brief).toEqual([
      '3:15 vary.market.fee sweep.schema.oneOf',
      '4:3 vary.bad path! sweep.schema.propertyNames',
      '5:8 seeds sweep.schema.oneOf',
      '6:7 jobs sweep.schema.minimum',
      '7:1 colour sweep.schema.additionalProperties',
    ]);
    expect(r.errors.every((e) => e.file === 'sweep.yaml')).toBe(true);
  });

  it('reports bad values inside well-shaped fields, located', () => {
    const r = parseSweepFile('scenario: s.yaml\nvary:\n  market.fee: "3..1"\n  utility.x: [1, 1.0]\nseeds: "1..2,2"\n', 'sweep.yaml');
    expect(r.ok ? [] : r.errors.map((e) => `${e.line} ${e.code}`)).toEqual(['3 sweep.range.order', '4 sweep.vary.duplicate', '5 sweep.seeds.duplicate']);
  });

  it('reports YAML syntax errors and a missing scenario field', () => {
    expect(parseSweepFile('vary: [\n', 'f.yaml').ok).toBe(false);
    const r = parseSweepFile('vary: {}\n', 'f.yaml');
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual(['missing field "scenario"']);
  });

  it('tells sweep files from scenarios', () => {
    expect(isSweepFile(join(fixtures, 'fee-sweep.yaml'))).toBe(true);
    expect(isSweepFile(join(fixtures, 'scenario.yaml'))).toBe(false);
  });
});
