import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMarketInput } from './input.js';

const curve = (pts: [number, number][], min = -50, max = 50): unknown => ({ currency: 'INR', minExport: min, maxExport: max, curve: pts.map(([price, powerKW]) => ({ price, powerKW })) });

describe('parseMarketInput', () => {
  it('reads the issue example fixture', () => {
    const doc: unknown = JSON.parse(readFileSync(new URL('./fixtures/issue-example.json', import.meta.url), 'utf8'));
    const r = parseMarketInput(doc, 'issue-example.json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.participants.map((p) => [p.id, p.node])).toEqual([
      ['cpo-1', 'tx-2'],
      ['solar-root', undefined],
    ]);
    expect(r.value.grid?.nodes[1]).toEqual({ id: 'tx-2', parent: 'root', maxForwardFlowKW: 20, maxReverseFlowKW: 50 });
    expect(r.value.priceRule).toBe('midpoint');
    expect(r.warnings).toEqual([]);
  });

  it('returns every problem at once, each with its path and the file', () => {
    const r = parseMarketInput(
      {
        currency: 'INR',
        priceFloor: 10,
        priceCap: 5,
        priceRule: 'average',
        pricecap: 3,
        participants: [
          { id: 'a', offerCurve: curve([[1, -5], [2, -10]]) },
          { id: 'a', offerCurve: { ...(curve([[1, 0]]) as object), currency: 'EUR' } },
          { id: 'b', node: 'tx-9', offerCurve: curve([[3, 0], [2, 5]]) },
        ],
      },
      'm.json',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => [d.code, d.path])).toEqual([
      ['market.unknown-field', 'pricecap'],
      ['market.price-range', 'priceFloor'],
      ['market.price-rule', 'priceRule'],
      ['curve.decreasing', 'participants[0].offerCurve.curve[1].powerKW'],
      ['market.duplicate-id', 'participants[1].id'],
      ['market.currency', 'participants[1].offerCurve.currency'],
      ['market.unknown-node', 'participants[2].node'],
      ['curve.unsorted', 'participants[2].offerCurve.curve[1].price'],
    ]);
    expect(r.errors.every((d) => d.file === 'm.json')).toBe(true);
  });

  it('checks the tick: floor, cap, curve prices and policy adders on it', () => {
    const r = parseMarketInput({
      currency: 'INR',
      priceFloor: -5,
      priceCap: 12.005,
      priceTick: 0.01,
      participants: [{ id: 'a', node: 'tx', offerCurve: curve([[1.25, 0], [1.255, 5]]) }],
      grid: { mode: 'policy', nodes: [{ id: 'root' }, { id: 'tx', parent: 'root', adderPerKWh: 0.125 }] },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => [d.code, d.path])).toEqual([
      ['market.off-tick', 'priceCap'],
      ['market.off-tick', 'grid.nodes[1].adderPerKWh'],
      ['market.off-tick', 'participants[0].offerCurve.curve[1].price'],
    ]);
    const good = parseMarketInput({ currency: 'INR', priceFloor: -5, priceCap: 12, priceTick: 0.01, participants: [{ id: 'a', offerCurve: curve([[0.07, 0], [0.3, 5]]) }] });
    expect(good.ok).toBe(true);
  });

  it('checks the grid is one tree with valid limits', () => {
    const r = parseMarketInput({
      currency: 'INR',
      priceFloor: 0,
      priceCap: 10,
      participants: [],
      grid: {
        mode: 'zonal',
        nodes: [
          { id: 'root' },
          { id: 'other-root', maxReverseFlowKW: -3 },
          { id: 'a', parent: 'b' },
          { id: 'b', parent: 'a' },
          { id: 'c', parent: 'nowhere' },
          { id: 'a' },
        ],
      },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => [d.code, d.path])).toEqual([
      ['grid.mode', 'grid.mode'],
      ['grid.limit', 'grid.nodes[1].maxReverseFlowKW'],
      ['grid.duplicate-id', 'grid.nodes[5].id'],
      ['grid.parent', 'grid.nodes[4].parent'],
      ['grid.root', 'grid.nodes[1]'],
      ['grid.root', 'grid.nodes[5]'],
    ]);
    const cycle = parseMarketInput({
      currency: 'INR',
      priceFloor: 0,
      priceCap: 10,
      participants: [],
      grid: { nodes: [{ id: 'root' }, { id: 'a', parent: 'b' }, { id: 'b', parent: 'a' }] },
    });
    expect(cycle.ok ? [] : cycle.errors.map((d) => [d.code, d.path])).toEqual([
      ['grid.cycle', 'grid.nodes[1].parent'],
      ['grid.cycle', 'grid.nodes[2].parent'],
    ]);
  });

  it('warns that adders are ignored in exact mode and rejects a node without a grid', () => {
    const warn = parseMarketInput({
      currency: 'INR',
      priceFloor: 0,
      priceCap: 10,
      participants: [],
      grid: { nodes: [{ id: 'root', adderPerKWh: 0.5 }] },
    });
    expect(warn.ok && warn.warnings.map((d) => d.code)).toEqual(['grid.adder-ignored']);
    const noGrid = parseMarketInput({ currency: 'INR', priceFloor: 0, priceCap: 10, participants: [{ id: 'a', node: 'tx', offerCurve: curve([[1, 0]]) }] });
    expect(noGrid.ok ? [] : noGrid.errors.map((d) => d.code)).toEqual(['market.unknown-node']);
  });

  it('rejects a document that is not an object, and missing fields', () => {
    expect(parseMarketInput([1, 2]).ok).toBe(false);
    const r = parseMarketInput({});
    expect(r.ok ? [] : r.errors.map((d) => d.path)).toEqual(['currency', 'priceFloor', 'priceCap', 'participants']);
  });
});
