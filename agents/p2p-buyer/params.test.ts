import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testScenario } from '../shared/testing.js';
import { buyerAnnualKWh, buyerParams, BUYER_KEYS } from './params.js';

describe('p2p-buyer parameters', () => {
  const scenario = testScenario();

  it('takes the defaults: pays at most retail (8) less wheeling (0.5)', () => {
    const r = buyerParams({ kind: 'p2p-buyer', count: 2 }, scenario);
    expect(r.ok && r.value).toEqual({ annualKWh: undefined, forecastErrorSd: 0.1, maxPricePerKWh: 7.5, minTradeKW: 0.1, sanctionedLoadKW: undefined });
  });

  it('reports every bad value at once, with its path', () => {
    const r = buyerParams({ kind: 'p2p-buyer', count: 1, forecastErrorSd: 2, annualKWh: 'lots', maxPrice: 5 }, scenario);
    expect(r.ok ? [] : r.errors.map((d) => `${d.path}: ${d.code}`)).toEqual(['maxPrice: p2p-buyer.unknown-param', 'annualKWh: p2p-buyer.param-type', 'forecastErrorSd: p2p-buyer.param-range']);
  });

  it('takes consumption from the entry, else the connection, else 3000 kWh', () => {
    const e = buyerParams({ kind: 'p2p-buyer', count: 1 }, scenario);
    if (!e.ok) throw new Error('params');
    expect(buyerAnnualKWh(e.value, { meterId: 'm', node: 'tx', bus: 'b', annualConsumptionKWh: 5200 })).toBe(5200);
    expect(buyerAnnualKWh(e.value, undefined)).toBe(3000);
  });

  it('documents exactly the keys it reads in params.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'params.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties).sort()).toEqual([...BUYER_KEYS, 'sanctionedLoadKW'].sort());
  });
});
