import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testScenario } from '../shared/testing.js';
import { resolveSellerSite, sellerParams, SELLER_KEYS } from './params.js';

describe('p2p-seller parameters', () => {
  const scenario = testScenario();

  it('takes the defaults: asking halfway between feed-in (3) and retail (8)', () => {
    const r = sellerParams({ kind: 'p2p-seller', count: 2 }, scenario);
    expect(r.ok && r.value).toEqual({ pricePerKWh: 5.5, pvKWp: undefined, annualKWh: undefined, inverterKW: undefined, cloudiness: 0.3, forecastErrorSd: 0.1, minWindowHours: 2, maxWindowHours: 6, minTradeKW: 0.1, leadMinutes: 60, sanctionedLoadKW: undefined });
  });

  it('reports every bad value at once, with its path', () => {
    const r = sellerParams({ kind: 'p2p-seller', count: 1, minWindowHours: 4, maxWindowHours: 3, minTradeKW: 0, price: 5 }, scenario);
    expect(r.ok ? [] : r.errors.map((d) => `${d.path}: ${d.code}`)).toEqual(['price: p2p-seller.unknown-param', 'minTradeKW: p2p-seller.param-range', 'minWindowHours: p2p-seller.param-relation']);
  });

  it('exports up to the inverter, at most the sanctioned load; PV and consumption from the entry, else the connection', () => {
    const e = sellerParams({ kind: 'p2p-seller', count: 1, inverterKW: 12 }, scenario);
    if (!e.ok) throw new Error('params');
    expect(resolveSellerSite(e.value, { meterId: 'm', node: 'tx', bus: 'b', pvKWp: 6, annualConsumptionKWh: 4000 }, 10)).toEqual({ pvKWp: 6, annualKWh: 4000, maxExportKW: 10 });
    const d = sellerParams({ kind: 'p2p-seller', count: 1 }, scenario);
    if (!d.ok) throw new Error('params');
    expect(resolveSellerSite(d.value, undefined, 10)).toEqual({ pvKWp: 5, annualKWh: 3600, maxExportKW: 5 });
  });

  it('documents exactly the keys it reads in params.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'params.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties).sort()).toEqual([...SELLER_KEYS, 'sanctionedLoadKW'].sort());
  });
});
