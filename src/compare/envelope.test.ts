import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { domainContent, packName, readContext } from './envelope.js';

const lines = (run: string): unknown[] =>
  readFileSync(new URL(`./fixtures/${run}/messages.ndjson`, import.meta.url), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);

describe('envelope adapter', () => {
  const beckn = lines('beckn');
  const order = lines('order');

  it('reads both context shapes to the same fields', () => {
    for (let i = 0; i < beckn.length; i++) {
      const a = readContext(beckn[i]);
      const b = readContext(order[i]);
      expect({ ...a, shape: '' }).toEqual({ ...b, shape: '' });
      expect([a.shape, b.shape]).toEqual(['camel', 'snake']);
    }
  });

  it('takes the sender from the direction: BAP for requests, BPP for callbacks', () => {
    expect([readContext(beckn[1]).sender, readContext(beckn[1]).receiver]).toEqual(['mca', 'utility']);
    expect([readContext(beckn[2]).sender, readContext(beckn[2]).receiver]).toEqual(['utility', 'mca']);
  });

  it('extracts equal domain content from the two profiles', () => {
    for (let i = 0; i < beckn.length; i++) expect(domainContent(beckn[i])).toEqual(domainContent(order[i]));
    const c = domainContent(beckn[5]) as { contract: { status: string; roles: { roleInputs?: Record<string, unknown> }[] }[] };
    expect(Object.keys(c)).toEqual(['contract']);
    expect(c.contract[0]?.status).toBe('ACTIVE');
    expect(c.contract[0]?.roles[0]?.roleInputs?.['clearingPricePerKWh']).toBe(0.0625);
    expect(JSON.stringify(c)).not.toContain('@context');
  });

  it('normalises slot names', () => {
    expect(['contractAttributes', 'beckn:orderAttributes', 'itemAttributes', 'resourceAttributes', 'offerAttributes', 'paymentAttributes', 'id'].map(packName)).toEqual([
      'contract',
      'contract',
      'resource',
      'resource',
      'offer',
      'consideration',
      undefined,
    ]);
  });

  it('reads a body without a context as empty fields', () => {
    expect(readContext('nonsense')).toMatchObject({ action: '', sender: '', shape: 'unknown' });
  });
});
