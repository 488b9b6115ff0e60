import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { clearMarket, curvePowerAt, parseMarketInput } from '../../src/market/index.js';
import type { CatalogPayload } from '../../src/protocol/payloads.js';
import { clipCurve, gridNodesFromCatalog, marketInputFor, marketNumber, marketTotals, nodeAddersFromPaths, snapToTick, type CatalogGridNode, type MarketRules } from './policy.js';

const SELL: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 6, curve: [{ price: 2, powerKW: 0 }, { price: 4, powerKW: 6 }] };
const RULES: MarketRules = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01, priceRule: 'midpoint', gridMode: 'exact' };
const NODES: readonly CatalogGridNode[] = [
  { id: 'head', maxForwardFlowKW: 500, maxReverseFlowKW: 500 },
  { id: 'tx-1', parent: 'head', maxForwardFlowKW: 90, maxReverseFlowKW: 6 },
  { id: 'tx-2', parent: 'head', maxForwardFlowKW: 90, maxReverseFlowKW: 90 },
  { id: 'tx-3', parent: 'tx-2', maxForwardFlowKW: 50, maxReverseFlowKW: 50 },
];

describe('clipCurve', () => {
  it('narrows the bounds to the approval: a 6 kW seller approved for 4 kW export offers 0…4 kW', () => {
    expect(clipCurve(SELL, { maxImportKW: 10, maxExportKW: 4 })).toEqual({ ...SELL, minExport: 0, maxExport: 4 });
  });

  it('moves a forced position the operator does not allow to the nearest allowed one', () => {
    const mustBuy: OfferCurve = { currency: 'INR', minExport: -8, maxExport: -3, curve: [{ price: 1, powerKW: -8 }, { price: 9, powerKW: -3 }] };
    expect(clipCurve(mustBuy, { maxImportKW: 2, maxExportKW: 5 })).toEqual({ ...mustBuy, minExport: -2, maxExport: -2 });
  });

  it('leaves a curve inside the approval, and a curve without approval, unchanged (same object)', () => {
    expect(clipCurve(SELL, { maxImportKW: 10, maxExportKW: 10 })).toBe(SELL);
    expect(clipCurve(SELL, undefined)).toBe(SELL);
  });

  it('never offers outside the approval at any price (property)', () => {
    const curve = fc
      .array(fc.tuple(fc.integer({ min: -500, max: 500 }), fc.integer({ min: -50, max: 50 })), { minLength: 1, maxLength: 6 })
      .map((pts): OfferCurve => {
        const prices = pts.map(([p]) => p / 100).sort((a, b) => a - b);
        const powers = pts.map(([, q]) => q).sort((a, b) => a - b);
        return { currency: 'INR', minExport: Math.min(...powers), maxExport: Math.max(...powers), curve: prices.map((price, i) => ({ price, powerKW: powers[i] ?? 0 })) };
      });
    fc.assert(
      fc.property(curve, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: -600, max: 600 }), (c, imp, exp, p) => {
        const clipped = clipCurve(c, { maxImportKW: imp, maxExportKW: exp });
        const q = curvePowerAt(clipped, p / 100);
        return q >= -imp - 1e-12 && q <= exp + 1e-12 && clipped.minExport <= clipped.maxExport;
      }),
    );
  });
});

describe('snapToTick', () => {
  it('rounds to the tick without float noise: 0.07 − 0.04 → 0.03, 0.1 + 0.2 → 0.3, −0.004 → 0, 12.345 on 0.05 → 12.35', () => {
    expect(snapToTick(0.07 - 0.04, 0.01)).toBe(0.03);
    expect(snapToTick(0.30000000000000004, 0.1)).toBe(0.3);
    expect(snapToTick(-0.004, 0.01)).toBe(0);
    expect(snapToTick(12.345, 0.05)).toBe(12.35);
  });
});

describe('marketNumber', () => {
  it('drops float noise but keeps every digit settlement reads: 7.9399999999999995 → 7.94, 2.8333333333333335 → 2.833333333', () => {
    expect([marketNumber(7.9399999999999995), marketNumber(2.8333333333333335), marketNumber(-1e-12), marketNumber(0.75 * 0.25)]).toEqual([7.94, 2.833333333, 0, 0.1875]);
  });
});

describe('nodeAddersFromPaths', () => {
  it('turns path sums into own adders: tx-2 +0.20, tx-3 (below tx-2) path +0.50 → own +0.30; unknown nodes 0', () => {
    const adders = nodeAddersFromPaths(NODES, new Map([['tx-2', 0.2], ['tx-3', 0.5]]), 0.01);
    expect([...adders]).toEqual([['head', 0], ['tx-1', 0], ['tx-2', 0.2], ['tx-3', 0.3]]);
  });

  it('skips a silent intermediate node: tx-3 path +0.50 with nothing heard at tx-2 → tx-3 own +0.50', () => {
    expect(nodeAddersFromPaths(NODES, new Map([['tx-3', 0.5]]), 0.01).get('tx-3')).toBe(0.5);
  });
});

describe('marketInputFor', () => {
  const bids = [
    { participantId: 'p2', nodeId: 'tx-1', curve: SELL },
    { participantId: 'p1', nodeId: 'tx-1', curve: SELL },
    { participantId: 'p3', nodeId: 'tx-9', curve: { currency: 'INR', minExport: -8, maxExport: 0, curve: [{ price: 3, powerKW: -8 }, { price: 5, powerKW: 0 }] } },
  ];

  it('orders bids by id, puts a bid under an unknown node at the root and takes the limits in exact mode', () => {
    const input = marketInputFor(bids, NODES, RULES);
    expect(input.participants.map((p) => [p.id, p.node])).toEqual([['p1', 'tx-1'], ['p2', 'tx-1'], ['p3', undefined]]);
    expect(input.grid).toEqual({ mode: 'exact', nodes: NODES });
    const parsed = parseMarketInput(JSON.parse(JSON.stringify(input)) as unknown);
    expect(parsed.ok).toBe(true);
  });

  it('in policy mode carries the adders the utility told the bidders, and clears at price + adder', () => {
    const input = marketInputFor(
      bids.map((b) => (b.nodeId === 'tx-1' ? { ...b, pathAdderPerKWh: -0.5 } : b)),
      NODES,
      { ...RULES, gridMode: 'policy' },
    );
    expect(input.grid?.mode).toBe('policy');
    expect(input.grid?.nodes.map((n) => [n.id, n.adderPerKWh])).toEqual([['head', undefined], ['tx-1', -0.5], ['tx-2', 0], ['tx-3', 0]]);
    // sellers see q − 0.5: 6(q − 0.5 − 2) = 4(5 − q) → q = 3.5; sellers' price 3.0
    const r = clearMarket(input);
    expect(r.price).toBeCloseTo(3.5, 9);
    expect(r.participants.find((p) => p.id === 'p1')?.price).toBeCloseTo(3, 9);
  });

  it('has no grid in none mode or without a catalogue', () => {
    expect(marketInputFor(bids, NODES, { ...RULES, gridMode: 'none' }).grid).toBeUndefined();
    expect(marketInputFor(bids, undefined, RULES).participants.every((p) => p.node === undefined)).toBe(true);
  });
});

describe('marketTotals', () => {
  it('matches min(sold, bought) and nets the virtual meter: sold 1.5, bought 2.0 → traded 1.5, net −0.5', () => {
    expect(marketTotals([0.75, 0.75, -2])).toEqual({ tradedKWh: 1.5, virtualMeterNetKWh: -0.5 });
    expect(marketTotals([])).toEqual({ tradedKWh: 0, virtualMeterNetKWh: 0 });
  });
});

describe('gridNodesFromCatalog', () => {
  const node = (nodeId: string, parentNodeId?: string): CatalogPayload['catalogs'][number]['resources'][number] => ({
    resourceId: nodeId,
    name: nodeId,
    attributes: { type: 'GridNode', value: { nodeId, nodeType: parentNodeId === undefined ? 'FEEDER' : 'TRANSFORMER', ...(parentNodeId === undefined ? {} : { parentNodeId }), limits: { maxForwardFlowKW: 10, maxReverseFlowKW: 5 } } },
  });
  const catalog = (resources: CatalogPayload['catalogs'][number]['resources']): CatalogPayload => ({ kind: 'catalog', catalogs: [{ catalogId: 'g', name: 'g', provider: { id: 'u', name: 'u' }, resources, offers: [] }] });

  it('reads the tree with its limits', () => {
    const r = gridNodesFromCatalog(catalog([node('h'), node('t1', 'h')]));
    expect(r.ok && r.value).toEqual([
      { id: 'h', maxForwardFlowKW: 10, maxReverseFlowKW: 5 },
      { id: 't1', parent: 'h', maxForwardFlowKW: 10, maxReverseFlowKW: 5 },
    ]);
  });

  it('refuses a catalogue that is not one tree, naming every problem', () => {
    const r = gridNodesFromCatalog(catalog([node('h'), node('t1', 'nowhere'), node('h')]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.length).toBeGreaterThanOrEqual(2);
    expect(gridNodesFromCatalog(catalog([])).ok).toBe(false);
  });
});
