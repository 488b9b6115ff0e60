import { describe, expect, it } from 'vitest';
import { evaluatePeriod } from '../contracts/evaluate.js';
import { formContract } from '../contracts/form.js';
import { payAsClearInputs, payAsClearParticipant } from '../contracts/templates/pay-as-clear.js';
import { withTaxes } from '../contracts/templates/taxes.js';
import { checkSettlementReport, toSettlementReport, type SettlementReport } from './report.js';
import type { SettlementLine } from './types.js';

const PERIOD = { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z', index: 48 };

function lines(clearedKWh: number, period = PERIOD): readonly SettlementLine[] {
  const taxed = withTaxes(payAsClearParticipant({ contractId: 'pac-home-2', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', participant: 'home-2', marketMakingFeePerKWh: 0.1 }), {
    government: 'gov',
    payer: 'PROSUMER',
    percent: { ratePercent: 18, onFlows: ['fee'] },
  });
  if (!taxed.ok) throw new Error('template');
  const c = formContract(taxed.value);
  if (!c.ok) throw new Error(c.errors[0]?.message);
  const r = evaluatePeriod(c.value, period, payAsClearInputs(4.2, clearedKWh), {});
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.value.lines;
}

describe('toSettlementReport', () => {
  it('turns one period of one contract into the report sent over the protocol', () => {
    const r = toSettlementReport(lines(-3.2));
    expect(r).toEqual({
      ok: true,
      warnings: [],
      value: {
        reportId: 'settlement/pac-home-2/2026-06-21T12:00:00Z',
        contractId: 'pac-home-2',
        period: { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z' },
        currency: 'INR',
        lines: [
          {
            flowId: 'energy',
            kind: 'energy',
            payer: 'home-2',
            payee: 'mca',
            quantity: 3.2,
            unit: 'kWh',
            ratePerUnit: 4.2,
            amount: '13.44',
            currency: 'INR',
            formula: 'roles.PROSUMER.clearedKWh * signals["market-clearing-price"]',
            inputs: { 'roles.PROSUMER.clearedKWh': -3.2, 'signals["market-clearing-price"]': 4.2 },
          },
          {
            flowId: 'fee',
            kind: 'fee',
            payer: 'home-2',
            payee: 'mca',
            quantity: 3.2,
            unit: 'kWh',
            ratePerUnit: 0.1,
            amount: '0.32',
            currency: 'INR',
            formula: 'abs(roles.PROSUMER.clearedKWh) * roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh',
            inputs: { 'roles.PROSUMER.clearedKWh': -3.2, 'roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh': 0.1 },
          },
          {
            flowId: 'tax-fee',
            kind: 'tax',
            payer: 'home-2',
            payee: 'gov',
            quantity: expect.closeTo(0.32, 12) as number,
            unit: 'INR',
            ratePerUnit: 0.18,
            amount: '0.06', // 18 % of 0.32 = 0.0576
            currency: 'INR',
            formula: 'abs(abs(roles.PROSUMER.clearedKWh) * roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh) * (params.taxPercent / 100)',
            inputs: { 'roles.PROSUMER.clearedKWh': -3.2, 'roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh': 0.1, 'params.taxPercent': 18 },
          },
        ],
        totals: { byParty: { gov: '0.06', 'home-2': '-13.82', mca: '13.76' } },
      },
    });
  });

  it('accepts its own reports and the nets sum to zero', () => {
    const r = toSettlementReport(lines(2.5), { reportId: 'rep-1' });
    if (!r.ok) throw new Error(r.errors[0]?.message);
    expect(r.value.reportId).toBe('rep-1');
    expect(checkSettlementReport(r.value).ok).toBe(true);
  });

  it('refuses lines of several contracts or periods, and an empty list', () => {
    const other = lines(1, { start: '2026-06-21T12:15:00Z', end: '2026-06-21T12:30:00Z', index: 49 });
    const r = toSettlementReport([...lines(1), ...other.slice(0, 1)]);
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual(['line of period 2026-06-21T12:15:00Z in a report of period 2026-06-21T12:00:00Z']);
    expect(toSettlementReport([]).ok).toBe(false);
  });
});

describe('checkSettlementReport', () => {
  const good = ((): SettlementReport => {
    const r = toSettlementReport(lines(-3.2));
    if (!r.ok) throw new Error('report');
    return r.value;
  })();

  it('finds a wrong amount, totals that do not match the lines, and totals that do not net to zero', () => {
    const bad: SettlementReport = {
      ...good,
      lines: good.lines.map((l, i) => (i === 0 ? { ...l, amount: '13.45' } : l)),
      totals: { byParty: { ...good.totals.byParty, gov: '0.07' } },
    };
    const r = checkSettlementReport(bad);
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual([
      'report.amount',
      'report.total',
      'report.total',
      'report.total',
      'report.unbalanced',
    ]);
  });

  it('finds malformed amounts and a missing party total', () => {
    const { gov: _gov, ...rest } = good.totals.byParty;
    const bad: SettlementReport = { ...good, lines: good.lines.map((l, i) => (i === 1 ? { ...l, amount: '0.320' } : l)), totals: { byParty: rest } };
    const r = checkSettlementReport(bad);
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([
      'contract pac-home-2, flow fee: amount "0.320" is not a non-negative decimal with 2 decimals',
      'report settlement/pac-home-2/2026-06-21T12:00:00Z: total of home-2 is -13.82 but its lines net -13.50',
      'report settlement/pac-home-2/2026-06-21T12:00:00Z: total of mca is 13.76 but its lines net 13.44',
      'report settlement/pac-home-2/2026-06-21T12:00:00Z: no total for gov',
      'report settlement/pac-home-2/2026-06-21T12:00:00Z: party totals net to -0.06, not zero',
    ]);
  });
});
