import { describe, expect, it } from 'vitest';
import type { Feeder } from './feeder.js';
import { generateFeeder } from './generate.js';
import { gridNodesFromFeeder, meterNodeMap, nodeOfMeter } from './nodes.js';
import { parseFeeder } from './parse.js';

function parsed(doc: unknown): Feeder {
  const r = parseFeeder(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe('gridNodesFromFeeder', () => {
  it('nests transformers under the nearest transformer upstream, parents first', () => {
    // 33 kV slack → 33/11 kV unit P → two 11/0.4 kV units; plus one LV unit straight off the slack.
    const feeder = parsed({
      name: 'nested',
      baseKV: 33,
      slackBus: 'S',
      headLimits: { maxForwardFlowKW: 5000, maxReverseFlowKW: 2000 },
      lines: [{ from: 'P11', to: 'J', rOhm: 0.5, xOhm: 0.5 }],
      transformers: [
        { id: 'TA', from: 'J', to: 'A', ratingKVA: 250, impedancePct: 4 },
        { id: 'TB', from: 'P11', to: 'B', ratingKVA: 160, impedancePct: 4, maxReverseFlowKW: 20 },
        { id: 'P', from: 'S', to: 'P11', ratingKVA: 5000, impedancePct: 7, secondaryKV: 11 },
        { id: 'TC', from: 'S', to: 'C', ratingKVA: 100, impedancePct: 4 },
      ],
      connections: [
        { meterId: 'mA', bus: 'A', kind: 'household' },
        { meterId: 'mJ', bus: 'J', kind: 'commercial' },
        { meterId: 'mS', bus: 'S', kind: 'commercial' },
      ],
    });
    const nodes = gridNodesFromFeeder(feeder);
    expect(nodes[0]).toEqual({ id: 'feeder-head', kind: 'feeder-head', bus: 'S', maxForwardFlowKW: 5000, maxReverseFlowKW: 2000 });
    const parentOf = Object.fromEntries(nodes.map((n) => [n.id, n.parent]));
    expect(parentOf).toEqual({ 'feeder-head': undefined, P: 'feeder-head', TA: 'P', TB: 'P', TC: 'feeder-head' });
    const seen = new Set<string>();
    for (const n of nodes) {
      if (n.parent !== undefined) expect(seen.has(n.parent)).toBe(true);
      seen.add(n.id);
    }
    expect(nodes.find((n) => n.id === 'TB')).toMatchObject({ maxForwardFlowKW: 144, maxReverseFlowKW: 20, ratingKVA: 160, bus: 'B' });
    expect(nodeOfMeter(feeder, 'mA')).toBe('TA');
    expect(nodeOfMeter(feeder, 'mJ')).toBe('P');
    expect(nodeOfMeter(feeder, 'mS')).toBe('feeder-head');
    expect(nodeOfMeter(feeder, 'nobody')).toBeUndefined();
  });

  it('leaves the head unlimited when the feeder states no head limits', () => {
    const feeder = parsed({ name: 'n', baseKV: 11, slackBus: 'S', transformers: [{ id: 'T', from: 'S', to: 'L', ratingKVA: 100, impedancePct: 4 }] });
    const [head] = gridNodesFromFeeder(feeder);
    expect(head).toEqual({ id: 'feeder-head', kind: 'feeder-head', bus: 'S' });
  });

  it('maps every meter of a generated feeder to its transformer node', () => {
    const feeder = generateFeeder({ transformers: 5, customersPerTransformer: 8, pvShare: 0.3, evShare: 0.2, batteryShare: 0.1, cpoSites: 2 }, 3);
    const nodes = gridNodesFromFeeder(feeder);
    expect(nodes).toHaveLength(6);
    const ids = new Set(nodes.map((n) => n.id));
    const map = meterNodeMap(feeder);
    expect(map.size).toBe(feeder.connections.length);
    for (const c of feeder.connections) {
      expect(ids.has(map.get(c.meterId)!)).toBe(true);
      expect(map.get(c.meterId)).toBe(c.transformer);
    }
  });
});
