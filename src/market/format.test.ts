import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clearMarket } from './clear.js';
import { fixed, formatClearingTable, roundClearingResult, roundNumber } from './format.js';
import { parseMarketInput } from './input.js';
import type { MarketInput } from './types.js';

function issueExample(): MarketInput {
  const r = parseMarketInput(JSON.parse(readFileSync(new URL('./fixtures/issue-example.json', import.meta.url), 'utf8')));
  if (!r.ok) throw new Error('fixture invalid');
  return r.value;
}

describe('number formatting', () => {
  it('rounds away float noise and negative zero', () => {
    expect(roundNumber(0.9000000000000004)).toBe(0.9);
    expect(roundNumber(-19.999999999999996)).toBe(-20);
    expect(Object.is(roundNumber(-1e-15), 0)).toBe(true);
    expect(roundNumber(1 / 3, 4)).toBe(0.3333);
    expect(fixed(-0.0001, 3)).toBe('0.000');
    expect(fixed(-1.5, 3)).toBe('-1.500');
  });

  it('rounds every number of a result, deep', () => {
    const r = roundClearingResult(clearMarket(issueExample()));
    expect(r.nodes[1]).toMatchObject({ id: 'tx-2', price: 6.4, adder: 0.9, flowKW: -20, binding: 'forward', limitKW: 20 });
    expect(r.netKW).toBe(0);
    expect(r.participants.map((p) => p.powerKW)).toEqual([-20, 20]);
  });
});

describe('formatClearingTable', () => {
  it('prints the summary, nodes and participants with fixed decimals', () => {
    const text = formatClearingTable(clearMarket(issueExample()));
    expect(text).toBe(
      [
        'Cleared at 5.5000 INR/kWh (price rule midpoint; balancing prices 5.5000 to 5.5000)',
        'Supply 20.000 kW, demand 20.000 kW, net 0.000 kW',
        '',
        'Nodes',
        'node  parent   price   adder  flow kW  binding  limit kW  n  supply kW  demand kW  notes',
        'root  -       5.5000  0.0000    0.000  -               -  2     20.000     20.000',
        'tx-2  root    6.4000  0.9000  -20.000  forward    20.000  1      0.000     20.000',
        '',
        'Participants',
        'participant  node   price  power kW  offset kW  rationed kW',
        'cpo-1        tx-2  6.4000   -20.000      0.000        0.000',
        'solar-root   root  5.5000    20.000      0.000        0.000',
        '',
      ].join('\n'),
    );
  });

  it('states the cap, the floor and rationing', () => {
    const base = { currency: 'INR', priceFloor: 0, priceCap: 10 };
    const short = clearMarket({ ...base, participants: [{ id: 'l', offerCurve: { currency: 'INR', minExport: -5, maxExport: 0, curve: [{ price: 0, powerKW: -5 }] } }] });
    expect(formatClearingTable(short).split('\n')[0]).toBe('Short at the cap 10.0000 INR/kWh: 5.000 kW of demand unserved');
    const long = clearMarket({ ...base, participants: [{ id: 'g', offerCurve: { currency: 'INR', minExport: 0, maxExport: 5, curve: [{ price: 0, powerKW: 5 }] } }] });
    expect(formatClearingTable(long).split('\n')[0]).toBe('Long at the floor 0.0000 INR/kWh: 5.000 kW of supply not placed');
    const rationed = clearMarket({
      ...base,
      participants: [
        { id: 'g', offerCurve: { currency: 'INR', minExport: 0, maxExport: 10, curve: [{ price: 3, powerKW: 0 }, { price: 3, powerKW: 10 }] } },
        { id: 'l', offerCurve: { currency: 'INR', minExport: -4, maxExport: 0, curve: [{ price: 0, powerKW: -4 }] } },
      ],
    });
    const text = formatClearingTable(rationed);
    expect(text).toContain('Rationed\nside    node     price  excess kW  participants\nsupply  market  3.0000      6.000  g 6.000\n');
  });
});
