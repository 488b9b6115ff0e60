import { describe, expect, it } from 'vitest';
import type { ParticipantSpec } from '../../src/scenario/types.js';
import { testScenario } from '../shared/testing.js';
import { mcaParams } from './params.js';

const SPEC: ParticipantSpec = { kind: 'mca', id: 'mca', count: 1 };

describe('mcaParams', () => {
  it('takes the market rules and the standing-contract rates from the scenario, with its own defaults', () => {
    const r = mcaParams(SPEC, testScenario(), 'mca');
    expect(r.ok && r.value).toEqual({
      name: 'Pay-as-clear market',
      virtualMeterId: 'vm-mca',
      currency: 'INR',
      feePerKWh: 0.1,
      priceFloor: -5,
      priceCap: 20,
      priceTick: 0.01,
      priceRule: 'midpoint',
      gridMode: 'exact',
      gateClosureMinutes: 5,
      feeTaxPct: 18,
      dutyPerKWh: 0,
      wheelingPerKWh: 0.5,
      imbalancePenaltyPerKWh: 4,
    });
  });

  it('lets its entry name the market, its virtual meter and its fee', () => {
    const r = mcaParams({ ...SPEC, name: 'Koramangala market', virtualMeterId: 'vm-k', feePerKWh: 0.05 }, testScenario(), 'mca');
    expect(r.ok && [r.value.name, r.value.virtualMeterId, r.value.feePerKWh]).toEqual(['Koramangala market', 'vm-k', 0.05]);
  });

  it('reports every problem at once, with paths in its entry', () => {
    const r = mcaParams({ ...SPEC, count: 2, transformer: 'tx-1', feePerKWh: -1, virtualMeterId: 'VM 1', colour: 'red' }, testScenario(), 'mca');
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.path])).toEqual([
      ['mca.unknown-param', 'colour'],
      ['mca.count', 'count'],
      ['mca.transformer', 'transformer'],
      ['mca.virtual-meter', 'virtualMeterId'],
      ['mca.fee', 'feePerKWh'],
    ]);
  });

  it('refuses market rules it cannot clear with: a cap off the price tick', () => {
    const s = testScenario();
    const r = mcaParams(SPEC, { ...s, market: { ...s.market, priceCap: 20.005 } }, 'mca');
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.path, e.message.startsWith('market.priceCap: priceCap 20.005 is not on the tick grid')])).toEqual([['mca.market', '', true]]);
  });
});
