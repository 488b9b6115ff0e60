import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bilateralP2P, payAsClearParticipant } from '../../src/contracts/templates/index.js';
import type { GridNodeInfo } from '../../src/run/agent.js';
import { approvalFor, fitsApproval, gridCatalog, LockBook, pathAdder, policyAdder, publishedLimits, tradeLegs, type MeterRecord } from './policy.js';

const M1: MeterRecord = { meterId: 'm1', participantId: 'p1', nodeId: 'tx-1', sanctionedLoadKW: 10, maxExportKW: 5 };
const NODES: readonly GridNodeInfo[] = [
  { id: 'head', kind: 'feeder-head' },
  { id: 'tx-1', parent: 'head', kind: 'transformer', ratingKVA: 250, maxForwardFlowKW: 200, maxReverseFlowKW: 100 },
  { id: 'tx-2', parent: 'tx-1', kind: 'transformer', maxForwardFlowKW: 50 },
];
const RULE = { basePerKWh: 0, perPctPerKWh: 0.05, thresholdPct: 80 };

describe('approvalFor', () => {
  it('leaves sanctioned load less locked imports, export limit less locked exports: 10 − 3 = 7 in, 5 − 1.5 = 3.5 out', () => {
    expect(approvalFor(M1, { importKW: 3, exportKW: 1.5 })).toEqual({ maxImportKW: 7, maxExportKW: 3.5 });
    expect(approvalFor(M1, { importKW: 12, exportKW: 0 })).toEqual({ maxImportKW: 0, maxExportKW: 5 });
  });

  it('checks a signed trade against it, with a tolerance for float noise only', () => {
    const a = { maxImportKW: 7, maxExportKW: 3.5 };
    expect([fitsApproval(3.5, a), fitsApproval(3.5 + 1e-12, a), fitsApproval(3.6, a), fitsApproval(-7, a), fitsApproval(-7.01, a)]).toEqual([true, true, false, true, false]);
  });

  it('never lets locks add up past the connection, whatever trades come in (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1200, max: 1200 }), { maxLength: 30 }), (trades) => {
        const book = new LockBook();
        for (const t of trades) {
          const kw = t / 100;
          if (fitsApproval(kw, approvalFor(M1, book.at('m1', 0)))) book.lock('m1', 0, kw);
        }
        const l = book.at('m1', 0);
        return l.importKW <= 10 + 1e-9 && l.exportKW <= 5 + 1e-9;
      }),
    );
  });
});

describe('LockBook', () => {
  it('keeps imports and exports apart, nets them for the deviation contract, releases and forgets', () => {
    const b = new LockBook();
    b.lock('m1', 4, 3);
    b.lock('m1', 4, -1);
    b.lock('m1', 5, 2);
    expect(b.at('m1', 4)).toEqual({ importKW: 1, exportKW: 3 });
    expect(b.netKWh('m1', 4, 0.25)).toBe(0.5);
    b.release('m1', 4, 3);
    expect(b.at('m1', 4)).toEqual({ importKW: 1, exportKW: 0 });
    b.forget(4);
    expect([b.at('m1', 4), b.at('m1', 5)]).toEqual([{ importKW: 0, exportKW: 0 }, { importKW: 0, exportKW: 2 }]);
  });
});

describe('policyAdder', () => {
  const tx1 = NODES[1] as GridNodeInfo;
  it('is 0 below the threshold and grows 0.05 per % above it: 180 kW forward of 200 → 90 % → +0.50', () => {
    expect(policyAdder(tx1, 100, RULE, 0.01)).toEqual({ adderPerKWh: 0, loadPercent: 50, direction: 'forward' });
    expect(policyAdder(tx1, 180, RULE, 0.01)).toEqual({ adderPerKWh: 0.5, loadPercent: 90, direction: 'forward' });
  });

  it('lowers the price for reverse congestion: 95 kW back of 100 → 95 % → −0.75', () => {
    expect(policyAdder(tx1, -95, RULE, 0.01)).toEqual({ adderPerKWh: -0.75, loadPercent: 95, direction: 'reverse' });
  });

  it('adds the base everywhere and snaps to the tick: base 0.1, 83.37 % → 0.1 + 0.1685 → 0.27', () => {
    expect(policyAdder(tx1, 166.74, { ...RULE, basePerKWh: 0.1 }, 0.01).adderPerKWh).toBe(0.27);
  });

  it('reads a missing limit as no loading', () => {
    expect(policyAdder(NODES[2] as GridNodeInfo, -500, RULE, 0.01)).toEqual({ adderPerKWh: 0, loadPercent: 0, direction: 'reverse' });
  });
});

describe('pathAdder and publishedLimits', () => {
  it('sums own adders from the node up to (not including) the root', () => {
    const own = (id: string): number => ({ head: 9, 'tx-1': 0.2, 'tx-2': 0.3 })[id] ?? 0;
    expect([pathAdder('tx-2', NODES, own, 0.01), pathAdder('tx-1', NODES, own, 0.01), pathAdder('head', NODES, own, 0.01)]).toEqual([0.5, 0.2, 0]);
  });

  it('fills unstated limits with what the trading meters below could move', () => {
    const meters: MeterRecord[] = [M1, { ...M1, meterId: 'm2', nodeId: 'tx-2', sanctionedLoadKW: 20, maxExportKW: 8 }];
    expect([...publishedLimits(NODES, meters)]).toEqual([
      ['head', { maxForwardFlowKW: 30, maxReverseFlowKW: 13 }],
      ['tx-1', { maxForwardFlowKW: 200, maxReverseFlowKW: 100 }],
      ['tx-2', { maxForwardFlowKW: 50, maxReverseFlowKW: 8 }],
    ]);
  });

  it('puts them in a GridNode catalogue, nested as the feeder is', () => {
    const c = gridCatalog({ utilityId: 'u', name: 'U', currency: 'INR', nodes: NODES, meters: [M1] }).catalogs[0];
    expect(c?.resources.map((r) => (r.attributes.type === 'GridNode' ? [r.attributes.value.nodeId, r.attributes.value.parentNodeId ?? null, r.attributes.value.ratedKVA ?? null] : []))).toEqual([
      ['head', null, null],
      ['tx-1', 'head', 250],
      ['tx-2', 'tx-1', null],
    ]);
  });
});

describe('tradeLegs', () => {
  it('reads a market bid as one leg at the PROSUMER meter: −1.5 kWh in 15 min = −6 kW', () => {
    const c = payAsClearParticipant({ contractId: 'pac-i3-p1', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', participant: 'p1', marketMakingFeePerKWh: 0.1, meterId: 'm1', clearedKWh: -1.5 });
    expect(tradeLegs(c, 3, 3, 0.25)).toEqual([{ meterId: 'm1', partyId: 'p1', powerKW: -6, direction: 'both', firstInterval: 3, lastInterval: 3 }]);
  });

  it('reads a bilateral trade as an export at the seller and an import at the buyer', () => {
    const c = bilateralP2P({ contractId: 'b', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', seller: 's', buyer: 'b', gridOperator: 'u', pricePerKWh: 5, wheelingPerKWh: 0.5, contractedKWh: 0.5, settleOn: 'contracted', sellerMeterId: 'ms', buyerMeterId: 'mb' });
    expect(tradeLegs(c, 0, 3, 0.25)?.map((l) => [l.meterId, l.partyId, l.powerKW, l.direction])).toEqual([
      ['ms', 's', 2, 'export'],
      ['mb', 'b', -2, 'import'],
    ]);
  });

  it('has no legs for a contract that trades through no meter', () => {
    const c = payAsClearParticipant({ contractId: 'x', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', participant: 'p1', marketMakingFeePerKWh: 0.1 });
    expect(tradeLegs(c, 0, 0, 0.25)).toBeUndefined();
    expect(tradeLegs({ ...c, template: 'tariff/time-of-use' }, 0, 0, 0.25)).toBeUndefined();
  });
});
