import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../diagnostics.js';
import { Ledger } from './ledger.js';
import type { SettlementLine } from './types.js';

const P0 = { start: '2026-06-21T10:00:00Z', end: '2026-06-21T10:15:00Z', index: 40 };
const P1 = { start: '2026-06-21T10:15:00Z', end: '2026-06-21T10:30:00Z', index: 41 };

function line(patch: Partial<SettlementLine>): SettlementLine {
  return {
    contractId: 'c-1',
    period: P0,
    flowId: 'energy',
    kind: 'energy',
    payer: 'mca',
    payee: 'pv-1',
    payerRole: 'MARKET_CLEARING_AGENT',
    payeeRole: 'PROSUMER',
    reversed: false,
    quantity: 2,
    unit: 'kWh',
    ratePerUnit: 5,
    amountMinor: 1000n,
    currency: 'INR',
    formula: 'roles.PROSUMER.clearedKWh * signals.price',
    inputs: {},
    ...patch,
  };
}

/** pv-1 sells 2 kWh at 5.00 and pays a 0.20 fee; home-2 buys 2 kWh at 5.00 and pays a 0.20 fee; the MCA pays 0.30 wheeling. */
function market(): SettlementLine[] {
  return [
    line({}),
    line({ flowId: 'fee', kind: 'fee', payer: 'pv-1', payee: 'mca', payerRole: 'PROSUMER', payeeRole: 'MARKET_CLEARING_AGENT', ratePerUnit: 0.1, amountMinor: 20n }),
    line({ contractId: 'c-2', payer: 'home-2', payee: 'mca', payerRole: 'PROSUMER', payeeRole: 'MARKET_CLEARING_AGENT', reversed: true }),
    line({ contractId: 'c-2', flowId: 'fee', kind: 'fee', payer: 'home-2', payee: 'mca', payerRole: 'PROSUMER', payeeRole: 'MARKET_CLEARING_AGENT', ratePerUnit: 0.1, amountMinor: 20n }),
    line({ contractId: 'c-3', flowId: 'wheeling', kind: 'wheeling', payer: 'mca', payee: 'grid', payerRole: 'MARKET_CLEARING_AGENT', payeeRole: 'GRID_OPERATOR', ratePerUnit: 0.15, amountMinor: 30n }),
  ];
}

describe('Ledger', () => {
  it('keeps balances per party, kind, counterparty and contract (worked example)', () => {
    const ledger = new Ledger();
    expect(ledger.post(market())).toEqual({ ok: true, value: 5, warnings: [] });
    expect(ledger.partyTotals().map((t) => [t.party, t.paidMinor, t.receivedMinor, t.netMinor, t.lines])).toEqual([
      ['grid', 0n, 30n, 30n, 1],
      ['home-2', 1020n, 0n, -1020n, 2],
      ['mca', 1030n, 1040n, 10n, 5], // paid 10.00 energy + 0.30 wheeling; received 10.00 energy + 0.40 fees
      ['pv-1', 20n, 1000n, 980n, 2],
    ]);
    expect(ledger.netMinor('mca', 'INR')).toBe(10n);
    expect(ledger.netMinor('nobody', 'INR')).toBe(0n);
    expect(ledger.kindTotals('mca').map((t) => [t.kind, t.netMinor])).toEqual([['energy', 0n], ['fee', 40n], ['wheeling', -30n]]);
    expect(ledger.counterpartyTotals('mca').map((t) => [t.counterparty, t.paidMinor, t.receivedMinor])).toEqual([
      ['grid', 30n, 0n],
      ['home-2', 0n, 1020n],
      ['pv-1', 1000n, 20n],
    ]);
    expect(ledger.moneyFlows().map((f) => [f.payer, f.payee, f.amountMinor, f.lines])).toEqual([
      ['home-2', 'mca', 1020n, 2],
      ['mca', 'grid', 30n, 1],
      ['mca', 'pv-1', 1000n, 1],
      ['pv-1', 'mca', 20n, 1],
    ]);
    expect(ledger.contractTotals().map((c) => [c.contractId, c.grossMinor, c.byParty.map((p) => `${p.party}:${p.netMinor}`)])).toEqual([
      ['c-1', 1020n, ['mca:-980', 'pv-1:980']],
      ['c-2', 1020n, ['home-2:-1020', 'mca:1020']],
      ['c-3', 30n, ['grid:30', 'mca:-30']],
    ]);
    expect(ledger.check()).toEqual({ ok: true, value: { contracts: 3, lines: 5 }, warnings: [] });
    expect(() => ledger.assertBalanced()).not.toThrow();
    expect(ledger.lines()).toHaveLength(5);
  });

  it('rejects a bad batch as a whole, naming every bad line', () => {
    const ledger = new Ledger();
    const r = ledger.post([
      line({}),
      line({ flowId: 'x', amountMinor: -1n }),
      line({ flowId: 'y', payee: 'mca' }),
      line({ flowId: 'z', currency: 'EUR' }),
      line({ flowId: 'w', currency: 'ABC' }),
      line({ flowId: 'v', quantity: Number.NaN }),
      line({}),
    ]);
    expect(r.ok ? [] : r.errors.map((e) => `${e.path} ${e.code}`)).toEqual([
      'lines[1] ledger.line',
      'lines[2] ledger.line',
      'lines[3] ledger.currency',
      'lines[4] ledger.line',
      'lines[4] ledger.currency',
      'lines[5] ledger.line',
      'lines[6] ledger.duplicate',
    ]);
    expect(ledger.lineCount).toBe(0);
    expect(ledger.partyTotals()).toEqual([]);
  });

  it('is append-only in time per contract and bills each flow once per period', () => {
    const ledger = new Ledger();
    expect(ledger.post([line({ period: P1 })]).ok).toBe(true);
    const early = ledger.post([line({ period: P0, flowId: 'fee' })]);
    expect(early.ok ? [] : early.errors.map((e) => e.message)).toEqual([
      'contract c-1, flow fee, period 2026-06-21T10:00:00Z: posted after a later period of the same contract; the ledger is append-only in time',
    ]);
    const again = ledger.post([line({ period: P1 })]);
    expect(again.ok ? [] : again.errors.map((e) => e.code)).toEqual(['ledger.duplicate']);
    expect(ledger.post([line({ period: P1, flowId: 'fee' }), line({ contractId: 'c-2', period: P0 })]).ok).toBe(true);
    expect(ledger.lineCount).toBe(3);
  });

  it('can drop lines and keep only balances, for long runs', () => {
    const ledger = new Ledger({ retainLines: false });
    ledger.post(market());
    expect(ledger.retainsLines).toBe(false);
    expect(ledger.lines()).toEqual([]);
    expect(ledger.lineCount).toBe(5);
    expect(ledger.netMinor('pv-1', 'INR')).toBe(980n);
    expect(ledger.check().ok).toBe(true);
  });

  it('reconciles bills: every party needs one, with the ledger net', () => {
    const ledger = new Ledger();
    ledger.post(market());
    const bills = ledger.partyTotals().map((t) => ({ party: t.party, currency: t.currency, netMinor: t.netMinor }));
    expect(ledger.checkBills(bills).ok).toBe(true);
    const wrong = ledger.checkBills([...bills.slice(1).map((b) => (b.party === 'mca' ? { ...b, netMinor: 11n } : b)), { party: 'ghost', currency: 'INR', netMinor: 0n }]);
    expect(wrong.ok ? [] : wrong.errors.map((e) => e.message)).toEqual([
      'bill for mca nets 0.11 INR but the ledger says 0.10',
      'bill for ghost in INR, a party the ledger has no lines for',
      'party grid has ledger lines in INR but no bill',
    ]);
  });

  it('fails loudly, naming the contracts at fault, when the books are corrupted', () => {
    const ledger = new Ledger();
    ledger.post(market());
    // Tamper with the internal postings of c-2 as a storage fault would.
    const contracts = Reflect.get(ledger, 'contracts') as Map<string, { postings: Map<string, bigint> }>;
    contracts.get('c-2')?.postings.set('mca', 1021n);
    expect(() => ledger.assertBalanced()).toThrow(DiagnosticError);
    try {
      ledger.assertBalanced();
    } catch (e) {
      const d = (e as DiagnosticError).diagnostics;
      expect(d[0]?.message).toBe('the ledger does not balance: contracts c-2');
      expect(d.map((x) => x.message)).toContain('contract c-2 nets to 0.01 INR, not zero');
      expect(d.map((x) => x.message)).toContain('party mca: balance in INR differs from the sum of its contract postings');
    }
  });
});
