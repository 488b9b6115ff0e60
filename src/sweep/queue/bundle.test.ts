import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveScenarioDocument, scenarioDigest } from '../job.js';
import { bundleHash, buildScenarioBundle, parseBundle, referencedFiles, unpackBundle } from './bundle.js';

const tmp = mkdtempSync(join(tmpdir(), 'degsim-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// /tmp/…/project/scenarios/pv.yaml names ../feeders/small.json and registry.json beside it
const project = join(tmp, 'project');
mkdirSync(join(project, 'scenarios'), { recursive: true });
mkdirSync(join(project, 'feeders'), { recursive: true });
const scenarioText = 'name: pv\nfeeder:\n  file: ../feeders/small.json\nprotocol:\n  registry: registry.json\nmarket: {fee: 0.01}\n';
writeFileSync(join(project, 'scenarios', 'pv.yaml'), scenarioText);
writeFileSync(join(project, 'scenarios', 'registry.json'), '{"subscribers": []}\n');
writeFileSync(join(project, 'feeders', 'small.json'), '{"buses": 3}\n');
writeFileSync(join(project, 'feeders', 'large.json'), '{"buses": 300}\n');

describe('scenario bundles', () => {
  it('finds the relative files a scenario and a sweep name, and leaves absolute ones', () => {
    const doc = { feeder: { file: '../feeders/small.json' }, protocol: { registry: '/etc/degsim/registry.json' } };
    expect(referencedFiles(doc, [{ path: 'feeder.file', value: '../feeders/large.json' }, { path: 'market.fee', value: 'x.json' }])).toEqual(['../feeders/large.json', '../feeders/small.json']);
  });

  it('lays files out from their deepest common folder, so ../ paths resolve after unpacking', () => {
    const b = buildScenarioBundle(join(project, 'scenarios', 'pv.yaml'), [{ path: 'feeder.file', value: '../feeders/large.json' }]);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(b.value.entry).toBe('scenarios/pv.yaml');
    expect(Object.keys(b.value.files).sort()).toEqual(['feeders/large.json', 'feeders/small.json', 'scenarios/pv.yaml', 'scenarios/registry.json']);
    const wire = parseBundle(JSON.parse(JSON.stringify(b.value)));
    expect(wire.ok && bundleHash(wire.value)).toBe(bundleHash(b.value));
    const entry = unpackBundle(b.value, join(tmp, 'worker', bundleHash(b.value)));
    expect(readFileSync(entry, 'utf8')).toBe(scenarioText);
    expect(readFileSync(join(entry, '..', '..', 'feeders', 'small.json'), 'utf8')).toBe('{"buses": 3}\n');
    // the unpacked scenario has the digest its job ids were computed from
    const here = resolveScenarioDocument(join(project, 'scenarios', 'pv.yaml'));
    const there = resolveScenarioDocument(entry);
    expect(here.ok && there.ok && scenarioDigest(there.value)).toBe(here.ok ? scenarioDigest(here.value) : 'x');
    // unpacking again reuses the folder
    expect(unpackBundle(b.value, join(tmp, 'worker', bundleHash(b.value)))).toBe(entry);
  });

  it('hashes content, not location: the same files elsewhere give the same hash, a changed byte a new one', () => {
    const copy = join(tmp, 'copy');
    mkdirSync(copy);
    writeFileSync(join(copy, 'pv.yaml'), 'name: pv\nmarket: {fee: 0.01}\n');
    writeFileSync(join(tmp, 'pv.yaml'), 'name: pv\nmarket: {fee: 0.01}\n');
    const a = buildScenarioBundle(join(copy, 'pv.yaml'), []);
    const b = buildScenarioBundle(join(tmp, 'pv.yaml'), []);
    expect(a.ok && b.ok && bundleHash(a.value) === bundleHash(b.value)).toBe(true);
    writeFileSync(join(tmp, 'pv.yaml'), 'name: pv\nmarket: {fee: 0.02}\n');
    const c = buildScenarioBundle(join(tmp, 'pv.yaml'), []);
    expect(a.ok && c.ok && bundleHash(a.value) !== bundleHash(c.value)).toBe(true);
  });

  it('refuses bundles that would write outside their folder or are malformed, listing every problem', () => {
    const r = parseBundle({ entry: '../s.yaml', files: { '../s.yaml': 'bmFtZTogeA==', '/etc/passwd': 'eA==', 'a/./b': 'eA==', 'ok.yaml': '***' } });
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['queue.bundle.entry', 'queue.bundle.path', 'queue.bundle.path', 'queue.bundle.path', 'queue.bundle.data', 'queue.bundle.entry']);
    expect(parseBundle([]).ok).toBe(false);
  });

  it('reports a missing scenario file', () => {
    const r = buildScenarioBundle(join(tmp, 'nope.yaml'), []);
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['sweep.scenario.missing']);
  });
});
