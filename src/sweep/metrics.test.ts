import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeRunMetrics, metricColumns, roleKind, sortPartyKinds } from './metrics.js';

const small = fileURLToPath(new URL('./fixtures/run-small/', import.meta.url));

function metricsOf(dir: string) {
  const r = computeRunMetrics(dir);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

describe('computeRunMetrics on a hand-computed run folder', () => {
  const m = metricsOf(small);

  it('energy traded is the root cleared supply times the 30-minute interval', () => {
    // roots are the feeder head fh-1 (from flows.csv): (10 + 8 + 12) kW × 0.5 h
    expect(m.energyTradedKWh).toBeCloseTo(15, 12);
  });

  it('price statistics come from the root price only', () => {
    expect(m.priceMeanPerKWh).toBeCloseTo(0.0625, 12);
    expect(m.priceMinPerKWh).toBe(0.055);
    expect(m.priceMaxPerKWh).toBe(0.07);
    // changes +0.0075 and −0.015: sample sd = sqrt(2 × 0.01125² / 1)
    expect(m.priceVolatilityPerKWh).toBeCloseTo(Math.sqrt(2 * 0.01125 ** 2), 12);
  });

  it('revenue by party kind nets every line payer → payee, with kinds per interval', () => {
    expect(m.revenueByKind['cpo']).toBeCloseTo(-1.0625, 12);
    expect(m.revenueByKind['prosumer']).toBeCloseTo(0.1625, 12);
    expect(m.revenueByKind['mca']).toBeCloseTo(-1.95, 12);
    expect(m.revenueByKind['utility']).toBeCloseTo(2.75, 12);
    expect(m.revenueByKind['government']).toBeCloseTo(0.1, 12);
    expect(m.revenueByKind['p2p-seller']).toBeCloseTo(0.1, 12);
    expect(m.revenueByKind['p2p-buyer']).toBeCloseTo(-0.1, 12);
    expect(Object.keys(m.revenueByKind)).toEqual(['cpo', 'prosumer', 'p2p-seller', 'p2p-buyer', 'mca', 'utility', 'government']);
  });

  it('costs, unmet EV energy, violations and messages', () => {
    expect(m.imbalanceCost).toBe(2);
    expect(m.deviationCost).toBe(0.75);
    expect(m.unmetEvEnergyKWh).toBe(1.5);
    // 105 % and 120 % on the transformer; 100 % is not a violation and lines do not count
    expect(m.transformerViolations).toBe(2);
    expect(m.messages).toBe(3);
  });
});

describe('computeRunMetrics edge cases', () => {
  it('reports a folder without clearing.csv', () => {
    const dir = mkdtempSync(join(tmpdir(), 'degsim-metrics-'));
    try {
      const r = computeRunMetrics(dir);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.map((e) => e.code)).toEqual(['sweep.metrics.missing']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a market or feeder-head node, takes the first row of each interval as the root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'degsim-metrics-'));
    try {
      writeFileSync(
        join(dir, 'clearing.csv'),
        'interval,start,node,price,adderPerKWh,clearedSupplyKW,clearedDemandKW,netKW,participants,status\n' +
          '0,t,a,1,0,4,4,0,2,cleared\n0,t,b,2,0,100,100,0,2,cleared\n1,t,a,,0,0,0,0,0,none\n',
      );
      const m = metricsOf(dir);
      expect(m.energyTradedKWh).toBe(1);
      expect(m.priceMeanPerKWh).toBe(1);
      expect(m.priceVolatilityPerKWh).toBe(0);
      expect(m.messages).toBe(0);
      expect(m.revenueByKind).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('money is conserved: revenue over all kinds sums to zero (property)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'degsim-metrics-'));
    try {
      writeFileSync(join(dir, 'clearing.csv'), 'interval,start,node,price,adderPerKWh,clearedSupplyKW,clearedDemandKW,netKW,participants,status\n0,t,market,1,0,1,1,0,1,cleared\n');
      const parties = ['p1', 'p2', 'mca', 'utility', 'gov', 'x'];
      writeFileSync(join(dir, 'dispatch.csv'), 'interval,start,participant,kind,node,meterId,offeredMinKW,offeredMaxKW,clearedKW,pricePerKWh,actualKW,deviationKW\n0,t,p1,prosumer,n,m,0,1,1,1,1,0\n0,t,p2,battery,n,m,0,1,1,1,1,0\n');
      fc.assert(
        fc.property(
          fc.array(fc.record({ payer: fc.constantFrom(...parties), payee: fc.constantFrom(...parties), cents: fc.integer({ min: 0, max: 100_000 }) }), { maxLength: 30 }),
          (lines) => {
            const body = lines.map((l, i) => `0,c${i},${l.payer},${l.payee},energy,1,kWh,1,${(l.cents / 100).toFixed(2)},INR,f`).join('\n');
            writeFileSync(join(dir, 'settlement.csv'), `interval,contractId,payer,payee,kind,quantity,unit,ratePerUnit,amount,currency,formula\n${body}\n`);
            const m = metricsOf(dir);
            const total = Object.values(m.revenueByKind).reduce((a, b) => a + b, 0);
            expect(Math.abs(total)).toBeLessThan(1e-6);
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('party kinds and columns', () => {
  it('recognises roles from ids', () => {
    expect(roleKind('mca-1')).toBe('mca');
    expect(roleKind('bpp.market-clearing-agent.com')).toBe('mca');
    expect(roleKind('utility')).toBe('utility');
    expect(roleKind('gov-tax')).toBe('government');
    expect(roleKind('household-12')).toBe('other');
    expect(roleKind('smcapital')).toBe('other');
  });

  it('orders known kinds first, unknown ones alphabetically after', () => {
    expect(sortPartyKinds(['zeta', 'utility', 'cpo', 'alpha', 'cpo'])).toEqual(['cpo', 'utility', 'alpha', 'zeta']);
    expect(metricColumns(['utility', 'cpo']).map((c) => c.header)).toEqual([
      'energyTradedKWh',
      'priceMeanPerKWh',
      'priceMinPerKWh',
      'priceMaxPerKWh',
      'priceVolatilityPerKWh',
      'revenue_cpo',
      'revenue_utility',
      'imbalanceCost',
      'deviationCost',
      'unmetEvEnergyKWh',
      'transformerViolations',
      'messages',
    ]);
  });
});
