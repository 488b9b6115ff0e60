import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LEDGER_KINDS } from '../../src/contracts/model.js';
import { Ledger } from '../../src/settlement/ledger.js';
import type { SettlementLine } from '../../src/settlement/types.js';
import { billFileName, billMarkdown, billTotals, buildBills } from './bills.js';
import { formatSettlementCsv } from './csv.js';
import { moneyFlowMarkdown } from './money-flow.js';
import { writeSettlementReports } from './write.js';

const P = (index: number): SettlementLine['period'] => {
  const start = Date.UTC(2026, 5, 21, 10, 15 * index);
  return { start: new Date(start).toISOString().replace('.000Z', 'Z'), end: new Date(start + 900_000).toISOString().replace('.000Z', 'Z'), index };
};

function line(patch: Partial<SettlementLine>): SettlementLine {
  return {
    contractId: 'pac-pv-1',
    period: P(0),
    flowId: 'energy',
    kind: 'energy',
    payer: 'mca',
    payee: 'pv-1',
    payerRole: 'MARKET_CLEARING_AGENT',
    payeeRole: 'PROSUMER',
    reversed: false,
    quantity: 2.5,
    unit: 'kWh',
    ratePerUnit: 4.2,
    amountMinor: 1050n,
    currency: 'INR',
    formula: 'roles.PROSUMER.clearedKWh * signals["market-clearing-price"]',
    inputs: { 'roles.PROSUMER.clearedKWh': 2.5, 'signals["market-clearing-price"]': 4.2 },
    ...patch,
  };
}

/** Two intervals of a small market: pv-1 sells, home-2 buys, the MCA pays wheeling, a deviation. */
const LINES: readonly SettlementLine[] = [
  line({ period: P(1) }),
  line({ contractId: 'pac-home-2', payer: 'home-2', payee: 'mca', payerRole: 'PROSUMER', payeeRole: 'MARKET_CLEARING_AGENT', reversed: true }),
  line({}),
  line({ flowId: 'fee', kind: 'fee', payer: 'pv-1', payee: 'mca', payerRole: 'PROSUMER', payeeRole: 'MARKET_CLEARING_AGENT', ratePerUnit: 0.1, amountMinor: 25n, formula: 'abs(roles.PROSUMER.clearedKWh) * roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh', inputs: {} }),
  line({ contractId: 'wheel', flowId: 'wheeling', kind: 'wheeling', payee: 'dso', payeeRole: 'GRID_OPERATOR', quantity: 2.5, ratePerUnit: 0.5, amountMinor: 125n, formula: 'signals["market-traded-energy"] * roles.GRID_OPERATOR.wheelingPerKWh', inputs: {} }),
  line({ contractId: 'dev-pv-1', flowId: 'deviation', kind: 'deviation', payer: 'pv-1', payee: 'dso', payerRole: 'PROSUMER', payeeRole: 'GRID_OPERATOR', reversed: true, quantity: 0.6000000000000001, ratePerUnit: 8, amountMinor: 480n, formula: 'x', inputs: { 'telemetry.meter.energyKWh': 1.4 } }),
];

describe('settlement.csv', () => {
  it('has the issue’s columns, sorted by interval, contract and flow, fixed decimals and CSV quoting', () => {
    expect(formatSettlementCsv(LINES)).toBe(
      [
        'interval,contractId,payer,payee,kind,quantity,unit,ratePerUnit,amount,currency,formula',
        '0,dev-pv-1,pv-1,dso,deviation,0.6000,kWh,8.0000,4.80,INR,x',
        '0,pac-home-2,home-2,mca,energy,2.5000,kWh,4.2000,10.50,INR,"roles.PROSUMER.clearedKWh * signals[""market-clearing-price""]"',
        '0,pac-pv-1,mca,pv-1,energy,2.5000,kWh,4.2000,10.50,INR,"roles.PROSUMER.clearedKWh * signals[""market-clearing-price""]"',
        '0,pac-pv-1,pv-1,mca,fee,2.5000,kWh,0.1000,0.25,INR,abs(roles.PROSUMER.clearedKWh) * roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh',
        '0,wheel,mca,dso,wheeling,2.5000,kWh,0.5000,1.25,INR,"signals[""market-traded-energy""] * roles.GRID_OPERATOR.wheelingPerKWh"',
        '1,pac-pv-1,mca,pv-1,energy,2.5000,kWh,4.2000,10.50,INR,"roles.PROSUMER.clearedKWh * signals[""market-clearing-price""]"',
        '',
      ].join('\n'),
    );
  });

  it('writes amounts in each currency’s decimals and is the same for lines in any order', () => {
    const jpy = formatSettlementCsv([line({ currency: 'JPY', amountMinor: 1050n }), line({ contractId: 'k', currency: 'KWD', amountMinor: 1050n })]).split('\n');
    expect(jpy[1]?.split(',').slice(8, 10)).toEqual(['1.050', 'KWD']);
    expect(jpy[2]?.split(',').slice(8, 10)).toEqual(['1050', 'JPY']);
    expect(formatSettlementCsv([...LINES].reverse())).toBe(formatSettlementCsv(LINES));
  });
});

describe('bills', () => {
  const bills = buildBills(LINES);

  it('give each party every line, totals by kind, counterparty and contract, and its net position', () => {
    expect(bills.map((b) => b.party)).toEqual(['dso', 'home-2', 'mca', 'pv-1']);
    const pv = bills.find((b) => b.party === 'pv-1')?.sections[0];
    // received 10.50 + 10.50 energy; paid 0.25 fee + 4.80 deviation
    expect(pv?.total).toEqual({ paid: '5.05', received: '21.00', net: '+15.95', lines: 4 });
    expect(pv?.byKind).toEqual([
      { kind: 'energy', paid: '0.00', received: '21.00', net: '+21.00', lines: 2 },
      { kind: 'fee', paid: '0.25', received: '0.00', net: '-0.25', lines: 1 },
      { kind: 'deviation', paid: '4.80', received: '0.00', net: '-4.80', lines: 1 },
    ]);
    expect(pv?.byCounterparty).toEqual([
      { counterparty: 'dso', paid: '4.80', received: '0.00', net: '-4.80', lines: 1 },
      { counterparty: 'mca', paid: '0.25', received: '21.00', net: '+20.75', lines: 3 },
    ]);
    expect(pv?.byContract.map((c) => [c.contractId, c.net])).toEqual([['dev-pv-1', '-4.80'], ['pac-pv-1', '+20.75']]);
    expect(pv?.lines.map((l) => [l.interval, l.contractId, l.flowId, l.direction, l.counterparty, l.signedAmount])).toEqual([
      [0, 'dev-pv-1', 'deviation', 'pays', 'dso', '-4.80'],
      [0, 'pac-pv-1', 'energy', 'receives', 'mca', '+10.50'],
      [0, 'pac-pv-1', 'fee', 'pays', 'mca', '-0.25'],
      [1, 'pac-pv-1', 'energy', 'receives', 'mca', '+10.50'],
    ]);
    // The MCA received 10.50 from home-2 and a 0.25 fee, and paid 21.00 to pv-1 and 1.25 wheeling.
    expect(bills.find((b) => b.party === 'mca')?.sections[0]?.total).toEqual({ paid: '22.25', received: '10.75', net: '-11.50', lines: 5 });
  });

  it('equal the ledger, party by party', () => {
    const ledger = new Ledger();
    expect(ledger.post([...LINES].sort((a, b) => a.period.index - b.period.index)).ok).toBe(true);
    expect(ledger.checkBills(billTotals(bills)).ok).toBe(true);
  });

  it('read as Markdown with every line, its formula and inputs', () => {
    const md = billMarkdown(bills.find((b) => b.party === 'pv-1') ?? { party: '', sections: [] });
    expect(md).toContain('# Bill: pv-1');
    expect(md).toContain('Net position **+15.95 INR**: received 21.00, paid 5.05, over 4 lines.');
    expect(md).toContain('| 0 | 2026-06-21T10:00:00Z | dev-pv-1 | deviation | deviation | dso (GRID_OPERATOR) | 0.6000 | kWh | 8.0000 | 4.80 |  | `x` | telemetry.meter.energyKWh = 1.4 |');
    expect(md).toContain('| mca | 0.25 | 21.00 | +20.75 | 3 |');
  });

  it('have file names that keep ids readable and cannot escape the folder', () => {
    expect(billFileName('bap.energy-consumer.com')).toBe('bap.energy-consumer.com');
    expect(billFileName('pv_1')).toBe('pv_1');
    expect(billFileName('../etc/passwd')).toBe('~2e.~2fetc~2fpasswd');
    expect(billFileName('a b~é')).toBe('a~20b~7e~c3~a9');
    expect(billFileName('')).toBe('~');
  });

  it('equal the ledger for random lines (property)', () => {
    const parties = ['a', 'b', 'c', 'd'];
    const arbLine = fc.record({
      payer: fc.integer({ min: 0, max: 3 }),
      step: fc.integer({ min: 1, max: 3 }),
      kind: fc.constantFrom(...LEDGER_KINDS),
      amount: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      currency: fc.constantFrom('INR', 'JPY'),
      contract: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(arbLine, { maxLength: 60 }), (specs) => {
        const lines = specs.map((s, i) =>
          line({
            contractId: `c-${s.contract}-${s.currency}`,
            flowId: `f${i}`,
            kind: s.kind,
            payer: parties[s.payer] as string,
            payee: parties[(s.payer + s.step) % 4] as string,
            amountMinor: s.amount,
            currency: s.currency,
          }),
        );
        const ledger = new Ledger();
        expect(ledger.post(lines).ok).toBe(true);
        const bills = buildBills(lines);
        expect(ledger.checkBills(billTotals(bills)).ok).toBe(true);
        for (const b of bills) for (const s of b.sections) expect(s.lines.length).toBe(s.total.lines);
      }),
      { numRuns: 200 },
    );
  });
});

describe('money-flow table', () => {
  it('lists who paid whom, each party’s net and the conservation check', () => {
    const ledger = new Ledger();
    ledger.post([...LINES].sort((a, b) => a.period.index - b.period.index));
    expect(moneyFlowMarkdown(ledger)).toBe(
      [
        '## Money flows',
        '',
        '| payer | payee | currency | lines | amount |',
        '| --- | --- | --- | ---: | ---: |',
        '| home-2 | mca | INR | 1 | 10.50 |',
        '| mca | dso | INR | 1 | 1.25 |',
        '| mca | pv-1 | INR | 2 | 21.00 |',
        '| pv-1 | dso | INR | 1 | 4.80 |',
        '| pv-1 | mca | INR | 1 | 0.25 |',
        '',
        '| party | currency | paid | received | net |',
        '| --- | --- | ---: | ---: | ---: |',
        '| dso | INR | 0.00 | 6.05 | +6.05 |',
        '| home-2 | INR | 10.50 | 0.00 | -10.50 |',
        '| mca | INR | 22.25 | 10.75 | -11.50 |',
        '| pv-1 | INR | 5.05 | 21.00 | +15.95 |',
        '',
        'Sum of net positions: 0.00 INR (conserved).',
        '',
      ].join('\n'),
    );
    expect(moneyFlowMarkdown(new Ledger())).toBe('## Money flows\n\nNo money moved in this run.\n');
  });
});

describe('writeSettlementReports', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes settlement.csv and both bill files per party, byte-identical on a second run, no temp files left', () => {
    const run = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'degsim-settle-'));
      dirs.push(dir);
      const ledger = new Ledger();
      ledger.post([...LINES].sort((a, b) => a.period.index - b.period.index));
      const r = writeSettlementReports(dir, ledger);
      expect(r.ok && r.value).toEqual({
        lines: 6,
        parties: 4,
        files: ['settlement.csv', 'bills/dso.json', 'bills/dso.md', 'bills/home-2.json', 'bills/home-2.md', 'bills/mca.json', 'bills/mca.md', 'bills/pv-1.json', 'bills/pv-1.md'],
      });
      return dir;
    };
    const a = run();
    const b = run();
    expect(readdirSync(join(a, 'bills')).sort()).toEqual(['dso.json', 'dso.md', 'home-2.json', 'home-2.md', 'mca.json', 'mca.md', 'pv-1.json', 'pv-1.md']);
    expect(readdirSync(a).sort()).toEqual(['bills', 'settlement.csv']);
    for (const f of ['settlement.csv', 'bills/mca.json', 'bills/pv-1.md']) expect(readFileSync(join(a, f), 'utf8')).toBe(readFileSync(join(b, f), 'utf8'));
    const bill = JSON.parse(readFileSync(join(a, 'bills/pv-1.json'), 'utf8')) as { party: string; sections: { total: { net: string } }[] };
    expect(bill.sections[0]?.total.net).toBe('+15.95');
  });

  it('refuses a ledger without lines, and parties whose files would collide ignoring case', () => {
    const dir = mkdtempSync(join(tmpdir(), 'degsim-settle-'));
    dirs.push(dir);
    const bare = new Ledger({ retainLines: false });
    bare.post(LINES.filter((l) => l.period.index === 0));
    expect(writeSettlementReports(dir, bare).ok).toBe(false);
    const cased = new Ledger();
    cased.post([line({}), line({ contractId: 'x', payee: 'PV-1' })]);
    const r = writeSettlementReports(dir, cased);
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['report.bill-name']);
    expect(readdirSync(dir)).toEqual([]);
  });
});
