import { describe, expect, it } from 'vitest';
import type { ParticipantSpec } from '../../src/scenario/types.js';
import { testScenario } from '../shared/testing.js';
import { memberResources, portfolioMeterId } from './members.js';
import { aggregatorParams } from './params.js';

const entry = (over: Record<string, unknown>): ParticipantSpec => ({ kind: 'aggregator', id: 'vpp', count: 1, members: { prosumer: 2, battery: 1 }, ...over });

describe('aggregator parameters', () => {
  it('reads defaults and member parameters', () => {
    const r = aggregatorParams(entry({ memberParams: { prosumer: { batteryKWh: 10 }, ev: { chargerKW: 11 } } }), testScenario());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.program).toBe('market');
    expect(r.value.sharePercent).toBe(20);
    expect(r.value.members).toEqual({ prosumer: 2, battery: 1 });
    expect(r.value.prosumer.battery.batteryKWh).toBe(10);
    expect(r.value.ev.chargerKW).toBe(11);
    expect(r.value.ev.sessionsPerDay).toBe(1);
  });

  it('reports every problem at once, with paths inside the entry', () => {
    const r = aggregatorParams(entry({ program: 'spot', sharePercent: 120, members: { boiler: 2, battery: -1 }, memberParams: { prosumer: { pvKWp: -3 }, ev: { chargerKW: 0 } }, colour: 'red' }), testScenario());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => d.path).sort()).toEqual(['colour', 'members.battery', 'members.boiler', 'memberParams.ev.chargerKW', 'memberParams.prosumer.pvKWp', 'program', 'sharePercent'].sort());
  });

  it('needs at least one member', () => {
    const r = aggregatorParams(entry({ members: { prosumer: 0 } }), testScenario());
    expect(r.ok ? [] : r.errors.map((d) => d.code)).toEqual(['aggregator.members']);
  });
});

describe('members', () => {
  it('names each member after its aggregator and kind, in a fixed order', () => {
    const spec = entry({ members: { ev: 1, battery: 1, prosumer: 2 }, transformer: 'T001' });
    expect(memberResources(spec).map((m) => [m.id, m.kind, m.transformer])).toEqual([
      ['vpp.pv-1', 'prosumer', 'T001'],
      ['vpp.pv-2', 'prosumer', 'T001'],
      ['vpp.bat-1', 'battery', 'T001'],
      ['vpp.ev-1', 'home-ev', 'T001'],
    ]);
    expect(portfolioMeterId('vpp')).toBe('vpp.portfolio');
  });

  it('gives every aggregator of a group its own members, and none for a malformed entry', () => {
    expect(memberResources({ kind: 'aggregator', idPrefix: 'agg', count: 2, members: { battery: 1 } }).map((m) => m.id)).toEqual(['agg-1.bat-1', 'agg-2.bat-1']);
    expect(memberResources(entry({ members: 'many' }))).toEqual([]);
  });
});

describe('params.schema.json', () => {
  it('compiles with the member kinds’ schemas, names exactly the keys the reader knows, and accepts what the reader accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const { Ajv } = await import('ajv');
    const { AGGREGATOR_KEYS } = await import('./params.js');
    const load = (kind: string): { $id: string; properties: Record<string, unknown> } => JSON.parse(readFileSync(new URL(`../${kind}/params.schema.json`, import.meta.url), 'utf8')) as { $id: string; properties: Record<string, unknown> };
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(load('prosumer'));
    ajv.addSchema(load('battery'));
    const schema = load('aggregator');
    expect(Object.keys(schema.properties).sort()).toEqual([...AGGREGATOR_KEYS].sort());
    const validate = ajv.compile(schema);
    const good = { program: 'flexibility', sharePercent: 25, members: { prosumer: 5 }, memberParams: { prosumer: { batteryKWh: 10, batteryKW: 5 }, ev: { chargerKW: 7.4 } } };
    expect(validate(good)).toBe(true);
    expect(aggregatorParams({ kind: 'aggregator', id: 'agg', count: 1, ...good }, testScenario()).ok).toBe(true);
    const bad = { members: { prosumer: 1 }, memberParams: { prosumer: { pvKWp: -1 } } };
    expect(validate(bad)).toBe(false);
    expect(aggregatorParams({ kind: 'aggregator', id: 'agg', count: 1, ...bad }, testScenario()).ok).toBe(false);
  });
});
