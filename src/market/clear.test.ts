import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clearMarket, MARKET_NODE_ID } from './clear.js';
import { parseMarketInput } from './input.js';
import { roundClearingResult } from './format.js';
import type { OfferCurve } from './curve-types.js';
import type { ClearingResult, MarketGridNode, MarketInput, MarketParticipant, NodeClearingResult, ParticipantClearingResult } from './types.js';

/** A curve from [price, powerKW] points, clipped to [min, max]. */
function curve(min: number, max: number, ...pts: [number, number][]): OfferCurve {
  return { currency: 'INR', minExport: min, maxExport: max, curve: pts.map(([price, powerKW]) => ({ price, powerKW })) };
}
function at(id: string, offerCurve: OfferCurve, node?: string): MarketParticipant {
  return { id, offerCurve, ...(node === undefined ? {} : { node }) };
}
function market(participants: MarketParticipant[], extra: Partial<MarketInput> = {}): MarketInput {
  return { currency: 'INR', priceFloor: 0, priceCap: 12, participants, ...extra };
}
function grid(...nodes: MarketGridNode[]): NonNullable<MarketInput['grid']> {
  return { nodes };
}
function part(r: ClearingResult, id: string): ParticipantClearingResult {
  const p = r.participants.find((x) => x.id === id);
  if (p === undefined) throw new Error(`no participant ${id}`);
  return p;
}
function node(r: ClearingResult, id: string): NodeClearingResult {
  const n = r.nodes.find((x) => x.id === id);
  if (n === undefined) throw new Error(`no node ${id}`);
  return n;
}
/** Clears with and without a price tick (all curve prices lie on it) and checks both agree. */
function clearBoth(input: MarketInput, tick: number): ClearingResult {
  const plain = clearMarket(input);
  const ticked = clearMarket({ ...input, priceTick: tick });
  expect(roundClearingResult(ticked, 7)).toEqual(roundClearingResult(plain, 7));
  return plain;
}
const close = (v: number, want: number): void => expect(v).toBeCloseTo(want, 9);

describe('clearMarket: uniform price on one bus', () => {
  it('finds the crossing on the linear segment that holds it', () => {
    // supply 10 (p − 2), demand −30 + 5 (p − 2): 15 (p − 2) = 30 → p = 4
    const r = clearBoth(market([at('s', curve(0, 40, [2, 0], [6, 40])), at('b', curve(-30, -10, [2, -30], [6, -10]))]), 0.5);
    expect(r.status).toBe('cleared');
    close(r.price, 4);
    expect(r.priceInterval).toEqual([r.price, r.price]);
    close(part(r, 's').powerKW, 20);
    close(part(r, 'b').powerKW, -20);
    close(r.netKW, 0);
    close(r.clearedSupplyKW, 20);
    close(r.clearedDemandKW, 20);
    expect(r.nodes.map((n) => n.id)).toEqual([MARKET_NODE_ID]);
    expect(r.rationed).toEqual([]);
  });

  it('clears the DEG pay-as-clear example curves where they really cross', () => {
    // consumer −50 + 5000 (p − 0.06) and prosumer 2 + 300 (p − 0.06) on [0.06, 0.07]:
    // −48 + 5300 (p − 0.06) = 0 → p = 0.06 + 48/5300. (The published example states 0.0625 and
    // 5 kW, which these curves do not produce.)
    const r = clearBoth(
      market(
        [
          at('consumer', curve(-50, 0, [0.06, -50], [0.07, 0])),
          at('prosumer', curve(0, 5, [0.05, 0], [0.06, 2], [0.07, 5])),
        ],
        { priceCap: 1 },
      ),
      0.01,
    );
    close(r.price, 0.06 + 48 / 5300);
    close(part(r, 'prosumer').powerKW, 2 + 144 / 53);
    close(part(r, 'consumer').powerKW, -(2 + 144 / 53));
  });

  it('clears at a negative price when solar floods the market', () => {
    // solar 10 (p + 3) from −3, inelastic demand 20 → p = −1
    const r = clearBoth(market([at('pv', curve(0, 40, [-3, 0], [1, 40])), at('load', curve(-20, -20, [0, -20]))], { priceFloor: -5 }), 1);
    expect(r.status).toBe('cleared');
    close(r.price, -1);
    close(part(r, 'pv').powerKW, 20);
  });

  it('rations the supply side pro rata when the price falls inside a supply step', () => {
    // steps: s1 0→10 at 3, s2 0→10 at 5; buyer 15 below 6. Aggregate −5 on (3,5), +5 above 5:
    // the price is 5, where s2 is indifferent and sells only the 5 kW the buyer still needs.
    const r = clearBoth(
      market([
        at('s1', curve(0, 10, [3, 0], [3, 10])),
        at('s2', curve(0, 10, [5, 0], [5, 10])),
        at('b', curve(-15, 0, [6, -15], [6, 0])),
      ]),
      1,
    );
    close(r.price, 5);
    expect(r.priceInterval).toEqual([5, 5]);
    close(part(r, 's1').powerKW, 10);
    close(part(r, 's2').powerKW, 5);
    close(part(r, 'b').powerKW, -15);
    close(part(r, 's2').rationedKW, 5);
    expect(part(r, 's1').rationedKW).toBe(0);
    expect(r.rationed).toHaveLength(1);
    expect(r.rationed[0]!.side).toBe('supply');
    expect(r.rationed[0]!.node).toBe(MARKET_NODE_ID);
    close(r.rationed[0]!.excessKW, 5);
    expect(r.rationed[0]!.participants.map((p) => p.id)).toEqual(['s2']);
  });

  it('rations the demand side pro rata to each buyer step on a plateau', () => {
    // buyers of 10 and 30 kW both indifferent at 6, a fixed 20 kW supply: each buyer gets half.
    const r = clearBoth(
      market([
        at('b1', curve(-10, 0, [6, -10], [6, 0])),
        at('b2', curve(-30, 0, [6, -30], [6, 0])),
        at('gen', curve(20, 20, [0, 20])),
      ]),
      1,
    );
    close(r.price, 6);
    close(part(r, 'b1').powerKW, -5);
    close(part(r, 'b2').powerKW, -15);
    close(part(r, 'b1').rationedKW, 5);
    close(part(r, 'b2').rationedKW, 15);
    expect(r.rationed.map((g) => [g.side, g.participants.length])).toEqual([['demand', 2]]);
    close(r.rationed[0]!.excessKW, 20);
    close(r.clearedSupplyKW, 20);
  });

  it('reports a price interval and picks the price by the rule (inelastic demand, all supply taken)', () => {
    // seller 0→10 at 4; inelastic demand 10. The aggregate is 0 for every price from 4 to the cap.
    const input = market([at('seller', curve(0, 10, [4, 0], [4, 10])), at('load', curve(-10, -10, [0, -10]))]);
    const prices = (['low', 'midpoint', 'high'] as const).map((priceRule) => {
      const r = clearBoth({ ...input, priceRule }, 1);
      expect(r.status).toBe('cleared');
      expect(r.priceInterval).toEqual([4, 12]);
      close(part(r, 'seller').powerKW, 10);
      close(part(r, 'load').powerKW, -10);
      expect(r.rationed).toEqual([]);
      return r.price;
    });
    expect(prices).toEqual([4, 8, 12]);
    expect(clearMarket(input).priceRule).toBe('midpoint');
  });

  it('reports an interval that ends inside a demand step, with full demand served at the high end', () => {
    // seller 0→10 over [2,4]; buyer 10 below 7. Aggregate 0 on [4, 7].
    const input = market([at('s', curve(0, 10, [2, 0], [4, 10])), at('b', curve(-10, 0, [7, -10], [7, 0]))]);
    const high = clearBoth({ ...input, priceRule: 'high' }, 1);
    expect(high.priceInterval).toEqual([4, 7]);
    close(high.price, 7);
    close(part(high, 'b').powerKW, -10);
    close(clearMarket(input).price, 5.5);
  });

  it('clears at the cap when short and reports the unserved demand', () => {
    const r = clearBoth(market([at('s', curve(0, 10, [1, 0], [5, 10])), at('load', curve(-20, -20, [0, -20]))]), 1);
    expect(r.status).toBe('cap');
    expect(r.price).toBe(12);
    expect(r.priceInterval).toEqual([12, 12]);
    close(r.netKW, -10);
    close(r.unservedKW, 10);
    expect(r.curtailedKW).toBe(0);
    close(part(r, 'load').powerKW, -20);
  });

  it('clears at a negative floor when long and reports the supply not placed', () => {
    const r = clearBoth(market([at('mustrun', curve(30, 30, [0, 30])), at('b', curve(-20, 0, [-2, -20], [4, 0]))], { priceFloor: -2 }), 1);
    expect(r.status).toBe('floor');
    expect(r.price).toBe(-2);
    close(r.curtailedKW, 10);
    close(r.netKW, 10);
    expect(r.unservedKW).toBe(0);
  });

  it('handles a clip kink between ticks exactly, on a segment and at the end of an interval', () => {
    // buyer −50 + 12.5 (p − 4) clipped at −30 until 5.6; a fixed seller of 28 kW → 5.76.
    const buyer = curve(-30, 0, [4, -50], [8, 0]);
    const r1 = clearBoth(market([at('b', buyer), at('g', curve(28, 28, [0, 28]))]), 1);
    close(r1.price, 5.76);
    // a fixed seller of 30 kW balances the clipped buyer on [0, 5.6]: midpoint 2.8
    const r2 = clearBoth(market([at('b', buyer), at('g', curve(30, 30, [0, 30]))]), 1);
    close(r2.priceInterval[0], 0);
    close(r2.priceInterval[1], 5.6);
    close(r2.price, 2.8);
  });

  it('handles a market with floor = cap and an empty market', () => {
    // at the one allowed price 3 the seller offers 5 kW against 2 kW of demand
    const fixed = clearMarket(market([at('s', curve(0, 10, [1, 0], [5, 10])), at('b', curve(-2, -2, [0, -2]))], { priceFloor: 3, priceCap: 3 }));
    expect(fixed.status).toBe('floor');
    close(fixed.curtailedKW, 3);
    const fixed2 = clearMarket(market([at('s', curve(0, 10, [3, 0], [3, 10])), at('b', curve(-5, -5, [0, -5]))], { priceFloor: 3, priceCap: 3 }));
    expect(fixed2.status).toBe('cleared');
    close(part(fixed2, 's').powerKW, 5);
    const empty = clearMarket(market([]));
    expect(empty.status).toBe('cleared');
    expect(empty.priceInterval).toEqual([0, 12]);
    expect(empty.price).toBe(6);
  });
});

describe('clearMarket: grid-aware (exact mode)', () => {
  it('the issue example: a forward-limited transformer gets its own price', () => {
    const parsed = parseMarketInput(JSON.parse(readFileSync(new URL('./fixtures/issue-example.json', import.meta.url), 'utf8')), 'issue-example.json');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const r = clearBoth(parsed.value, 0.1);
    expect(r.status).toBe('cleared');
    close(r.price, 5.5);
    expect(r.priceInterval.map((v) => Number(v.toFixed(9)))).toEqual([5.5, 5.5]);
    close(r.netKW, 0);
    const tx = node(r, 'tx-2');
    close(tx.price, 6.4);
    close(tx.adder, 0.9);
    close(tx.flowKW, -20);
    expect(tx.binding).toBe('forward');
    expect(tx.limitKW).toBe(20);
    const cpo = part(r, 'cpo-1');
    expect(cpo.node).toBe('tx-2');
    close(cpo.price, 6.4);
    close(cpo.powerKW, -20);
    expect(cpo.offsetKW).toBe(0);
    close(part(r, 'solar-root').powerKW, 20);
    const root = node(r, 'root');
    expect(root.parent).toBeNull();
    expect(root.binding).toBeNull();
    expect(root.participants).toBe(2);
    expect(tx.participants).toBe(1);
  });

  it('export-limited solar zone: the zone price drops until it exports exactly its limit', () => {
    // unconstrained p = 5 with the zone exporting 40 > 30; clamped 30 + 10 (p − 4) = 50 → p = 6;
    // the zone's price is where 2 × 10 (p − 1) = 30 → 2.5.
    const r = clearBoth(
      market(
        [
          at('load', curve(-50, -50, [0, -50])),
          at('gas', curve(0, 40, [4, 0], [8, 40])),
          at('pv-1', curve(0, 20, [1, 0], [3, 20]), 'tx-solar'),
          at('pv-2', curve(0, 20, [1, 0], [3, 20]), 'tx-solar'),
        ],
        { grid: grid({ id: 'sub' }, { id: 'tx-solar', parent: 'sub', maxReverseFlowKW: 30, maxForwardFlowKW: 100 }) },
      ),
      0.5,
    );
    close(r.price, 6);
    close(part(r, 'gas').powerKW, 20);
    const tx = node(r, 'tx-solar');
    close(tx.price, 2.5);
    close(tx.adder, -3.5);
    close(tx.flowKW, 30);
    expect(tx.binding).toBe('reverse');
    expect(tx.limitKW).toBe(30);
    close(part(r, 'pv-1').powerKW, 15);
    close(part(r, 'pv-2').powerKW, 15);
    close(tx.clearedSupplyKW, 30);
    expect(node(r, 'sub').binding).toBeNull();
  });

  it('import-limited EV zone: the zone price rises until it imports exactly its limit', () => {
    // unconstrained 10 (p − 2) = 2 × 20 (9 − p)/6 → p = 4.8, the zone importing 28 > 20;
    // clamped 10 (p − 2) = 20 → p = 4; the zone's price is where each EV takes 10 → 6.
    const r = clearBoth(
      market(
        [
          at('gen', curve(0, 80, [2, 0], [10, 80])),
          at('ev-1', curve(-20, 0, [3, -20], [9, 0]), 'tx-ev'),
          at('ev-2', curve(-20, 0, [3, -20], [9, 0]), 'tx-ev'),
        ],
        { grid: grid({ id: 'sub' }, { id: 'tx-ev', parent: 'sub', maxForwardFlowKW: 20 }) },
      ),
      1,
    );
    close(r.price, 4);
    const tx = node(r, 'tx-ev');
    close(tx.price, 6);
    close(tx.adder, 2);
    close(tx.flowKW, -20);
    expect(tx.binding).toBe('forward');
    close(part(r, 'ev-1').powerKW, -10);
    close(part(r, 'gen').powerKW, 20);
  });

  it('two levels binding: a feeder and a transformer under it both limit solar export', () => {
    // unconstrained p = 7. t1 clamps to 20, f1 to 50; root: 50 + 10 (p − 5) = 100 → 10.
    // f1: pv-f + min(pv-t, 20) = 50 → pv-f = 30 → 3.5. t1: pv-t = 20 → 2.
    const r = clearBoth(
      market(
        [
          at('load', curve(-100, -100, [0, -100])),
          at('gas', curve(0, 100, [5, 0], [15, 100])),
          at('pv-f', curve(0, 40, [2, 0], [4, 40]), 'f1'),
          at('pv-t', curve(0, 40, [1, 0], [3, 40]), 't1'),
        ],
        { priceCap: 20, grid: grid({ id: 'root' }, { id: 'f1', parent: 'root', maxReverseFlowKW: 50 }, { id: 't1', parent: 'f1', maxReverseFlowKW: 20 }) },
      ),
      0.5,
    );
    close(r.price, 10);
    close(part(r, 'gas').powerKW, 50);
    close(node(r, 'f1').price, 3.5);
    close(node(r, 'f1').adder, -6.5);
    close(node(r, 'f1').flowKW, 50);
    close(node(r, 't1').price, 2);
    close(node(r, 't1').adder, -1.5);
    close(node(r, 't1').flowKW, 20);
    close(part(r, 'pv-f').powerKW, 30);
    close(part(r, 'pv-t').powerKW, 20);
    expect(r.nodes.map((n) => [n.id, n.binding, n.participants])).toEqual([
      ['root', null, 4],
      ['f1', 'reverse', 2],
      ['t1', 'reverse', 1],
    ]);
  });

  it('a limit binding inside a plateau at a lower price: the zone is offset pro rata', () => {
    // ten panels indifferent at 3 (0→10 each), zone limit 50; root: demand 70, a 100 kW step at 5.
    // Root clears at 5 (seller sells 20 of 100); the zone's price falls to 3, where it can export
    // exactly 50: each panel 5 kW, offset −5 from the 10 it would export unconstrained.
    const panels = Array.from({ length: 10 }, (_, i) => at(`pv-${i}`, curve(0, 10, [3, 0], [3, 10]), 'tx-s'));
    const r = clearBoth(
      market([at('load', curve(-70, -70, [0, -70])), at('seller', curve(0, 100, [5, 0], [5, 100])), ...panels], {
        grid: grid({ id: 'root' }, { id: 'tx-s', parent: 'root', maxReverseFlowKW: 50 }),
      }),
      1,
    );
    close(r.price, 5);
    close(part(r, 'seller').powerKW, 20);
    close(part(r, 'seller').rationedKW, 80);
    const tx = node(r, 'tx-s');
    close(tx.price, 3);
    close(tx.adder, -2);
    close(tx.flowKW, 50);
    expect(tx.binding).toBe('reverse');
    for (const p of panels) {
      close(part(r, p.id).powerKW, 5);
      close(part(r, p.id).offsetKW, -5);
      expect(part(r, p.id).rationedKW).toBe(0);
    }
    expect(r.rationed.map((g) => [g.side, g.node, g.price, g.participants.map((p) => p.id)])).toEqual([['supply', 'root', 5, ['seller']]]);
  });

  it('a limit binding inside a plateau at the same price: offsets on top of market rationing', () => {
    // everyone indifferent at 3: a 100 kW seller at the root and ten 10 kW panels behind a 50 kW
    // limit; demand 120. Market: 100 t + min(100 t, 50) = 120 → t = 0.7: every indifferent
    // supplier would sell 70 %. The zone may export only 50: panels 5 kW each, offset −2 from 7.
    const panels = Array.from({ length: 10 }, (_, i) => at(`pv-${i}`, curve(0, 10, [3, 0], [3, 10]), 'tx-s'));
    const r = clearBoth(
      market([at('load', curve(-120, -120, [0, -120])), at('seller', curve(0, 100, [3, 0], [3, 100])), ...panels], {
        grid: grid({ id: 'root' }, { id: 'tx-s', parent: 'root', maxReverseFlowKW: 50 }),
      }),
      1,
    );
    close(r.price, 3);
    close(part(r, 'seller').powerKW, 70);
    close(part(r, 'seller').rationedKW, 30);
    const tx = node(r, 'tx-s');
    close(tx.price, 3);
    expect(tx.adder).toBe(0);
    expect(tx.binding).toBe('reverse');
    close(tx.flowKW, 50);
    for (const p of panels) {
      close(part(r, p.id).powerKW, 5);
      close(part(r, p.id).rationedKW, 3);
      close(part(r, p.id).offsetKW, -2);
    }
    expect(r.rationed.map((g) => [g.node, g.participants.length])).toEqual([
      ['root', 1],
      ['tx-s', 10],
    ]);
    close(r.rationed[1]!.excessKW, 30);
    close(r.netKW, 0);
  });

  it('a limit that even the floor cannot meet: must-run supply is curtailed pro rata', () => {
    // 80 kW must-run behind a 50 kW export limit. Root: 50 − 60 + 10 (p − 1) = 0 → p = 2.
    // The zone cannot reach 50 by price: at the floor it is curtailed by 30 kW.
    const r = clearBoth(
      market(
        [
          at('load', curve(-60, -60, [0, -60])),
          at('gen', curve(0, 40, [1, 0], [5, 40])),
          at('mustrun-a', curve(60, 60, [0, 60]), 'tx'),
          at('mustrun-b', curve(20, 20, [0, 20]), 'tx'),
        ],
        { grid: grid({ id: 'root' }, { id: 'tx', parent: 'root', maxReverseFlowKW: 50 }) },
      ),
      1,
    );
    close(r.price, 2);
    const tx = node(r, 'tx');
    expect(tx.price).toBe(0);
    close(tx.adder, -2);
    close(tx.flowKW, 50);
    close(tx.curtailedKW, 30);
    close(node(r, 'root').curtailedKW, 30);
    close(part(r, 'mustrun-a').powerKW, 37.5);
    close(part(r, 'mustrun-a').offsetKW, -22.5);
    close(part(r, 'mustrun-b').powerKW, 12.5);
    close(part(r, 'mustrun-b').offsetKW, -7.5);
    expect(r.status).toBe('cleared');
  });

  it('prices are all equal when no limit binds, and limits on the whole subtree count', () => {
    const input = market(
      [
        at('s', curve(0, 40, [2, 0], [6, 40])),
        at('b1', curve(-30, 0, [2, -30], [6, 0]), 'a'),
        at('b2', curve(-10, 0, [2, -10], [6, 0]), 'a1'),
      ],
      { grid: grid({ id: 'root' }, { id: 'a', parent: 'root', maxForwardFlowKW: 100 }, { id: 'a1', parent: 'a', maxForwardFlowKW: 100 }) },
    );
    const r = clearBoth(input, 1);
    // 10 (p − 2) = 10 (6 − p) → 4
    close(r.price, 4);
    expect(r.nodes.map((n) => n.price)).toEqual([r.price, r.price, r.price]);
    expect(r.nodes.every((n) => n.binding === null && n.adder === 0)).toBe(true);
    close(node(r, 'a').flowKW, -20);
    // a limit of 15 on "a" (subtree: b1 and b2) binds: 10 (p − 2) = 15 → 3.5 at the root
    const limited = clearBoth({ ...input, grid: grid({ id: 'root' }, { id: 'a', parent: 'root', maxForwardFlowKW: 15 }, { id: 'a1', parent: 'a' }) }, 0.5);
    close(limited.price, 3.5);
    close(node(limited, 'a').flowKW, -15);
    // a's price: 10 (6 − p) = 15 → 4.5, shared by a1 (no limit)
    close(node(limited, 'a').price, 4.5);
    close(node(limited, 'a1').price, 4.5);
    expect(node(limited, 'a1').binding).toBeNull();
  });
});

describe('clearMarket: policy mode', () => {
  it('adds each node adder to its parent price and only reports limit breaches', () => {
    // seller 10 (p − 2) at the root; buyer behind adder 1 sees p + 1: −20 + 5 (p + 1 − 4).
    // 15 p − 55 = 0 → p = 11/3.
    const r = clearMarket(
      market([at('s', curve(0, 40, [2, 0], [6, 40])), at('b', curve(-20, 0, [4, -20], [8, 0]), 'tx-a')], {
        grid: { mode: 'policy', nodes: [{ id: 'root' }, { id: 'tx-a', parent: 'root', adderPerKWh: 1, maxForwardFlowKW: 10 }] },
      }),
    );
    close(r.price, 11 / 3);
    const tx = node(r, 'tx-a');
    close(tx.price, 11 / 3 + 1);
    close(tx.adder, 1);
    close(part(r, 'b').price, 14 / 3);
    close(part(r, 's').powerKW, 50 / 3);
    close(part(r, 'b').powerKW, -50 / 3);
    close(tx.flowKW, -50 / 3);
    expect(tx.binding).toBe('forward');
    close(tx.overloadKW, 50 / 3 - 10);
    expect(part(r, 'b').offsetKW).toBe(0);
  });

  it('rations at the price each node sees', () => {
    // a buyer step at 5 behind adder 1 is indifferent when the root price is 4; a fixed 10 kW supply
    const r = clearBoth(
      market([at('g', curve(10, 10, [0, 10])), at('b', curve(-30, 0, [5, -30], [5, 0]), 'tx')], {
        grid: { mode: 'policy', nodes: [{ id: 'root' }, { id: 'tx', parent: 'root', adderPerKWh: 1 }] },
      }),
      1,
    );
    close(r.price, 4);
    close(part(r, 'b').powerKW, -10);
    expect(r.rationed.map((g) => [g.side, g.node, g.price])).toEqual([['demand', 'tx', 5]]);
    close(r.rationed[0]!.excessKW, 20);
  });
});

describe('clearMarket: determinism', () => {
  it('gives the same result whatever the participant order', () => {
    const ps = [
      at('c', curve(0, 10, [3, 0], [3, 10])),
      at('a', curve(-15, 0, [6, -15], [6, 0])),
      at('b', curve(0, 10, [5, 0], [5, 10])),
    ];
    const r1 = clearMarket(market(ps));
    const r2 = clearMarket(market([ps[2]!, ps[0]!, ps[1]!]));
    expect(r2).toEqual(r1);
    expect(r1.participants.map((p) => p.id)).toEqual(['a', 'b', 'c']);
  });

  it('keeps nothing between calls: a larger market cleared in between changes no earlier result', () => {
    const small = market([at('s', curve(0, 40, [2, 0], [6, 40])), at('b', curve(-30, -10, [2, -30], [6, -10]))]);
    const first = clearMarket(small);
    const snapshot = JSON.stringify(first);
    const big = market(Array.from({ length: 300 }, (_, i) => at(`p${String(i).padStart(3, '0')}`, i % 2 === 0 ? curve(0, 10, [i % 7, 0], [8, 10]) : curve(-10, 0, [1, -10], [9, 0]))));
    clearMarket(big);
    clearMarket({ ...big, priceTick: 1 });
    expect(JSON.stringify(first)).toBe(snapshot);
    expect(clearMarket(small)).toEqual(first);
  });
});
