import { describe, expect, it } from 'vitest';
import { evaluatePeriod, initialState, type PeriodInputs } from '../contracts/evaluate.js';
import { formContract, type CompiledContract } from '../contracts/form.js';
import type { EnergyContract } from '../contracts/model.js';
import { deviationInputs, participantDeviation } from '../contracts/templates/deviation.js';
import { marketImbalance, marketImbalanceInputs, marketWheeling, marketWheelingInputs, payAsClearInputs, payAsClearParticipant } from '../contracts/templates/pay-as-clear.js';
import { Ledger } from './ledger.js';
import { formatMinor } from './money.js';
import type { SettlementLine } from './types.js';

/** A dispatch table as `dispatch.csv` has it: per interval the price, per participant cleared and metered kWh. */
const DISPATCH = [
  { interval: 0, price: 4.2, rows: [['pv-1', 1.25, 1.05], ['pv-2', 0.75, 0.75], ['home-3', -2, -2.1]] },
  { interval: 1, price: 3.8, rows: [['pv-1', 2, 2.3], ['pv-2', 0.5, 0.5], ['home-3', -2.5, -2.5]] },
  { interval: 2, price: -0.5, rows: [['pv-1', 1, 1], ['pv-2', 0, 0.1], ['home-3', -1, -1]] },
] as const;
const FEE = 0.1;
const RETAIL = 8;
const FEED_IN = 3;
const WHEELING = 0.5;
const PENALTY = 2;
const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR' } as const;

function compile(c: EnergyContract): CompiledContract {
  const r = formContract(c);
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.value;
}

/** Hand rule for amounts with at most 3 decimals: |x| in paise, a half paisa to even (0.125 → 0.12). */
const paise = (x: number): string => {
  const milli = Math.round(Math.abs(x) * 1000);
  const down = Math.floor(milli / 10);
  const rest = milli % 10;
  return formatMinor(BigInt(rest > 5 || (rest === 5 && down % 2 === 1) ? down + 1 : down), 2);
};

describe('the pay-as-clear market, settled from its dispatch table', () => {
  const participants = ['pv-1', 'pv-2', 'home-3'];
  const market = new Map(participants.map((p) => [p, compile(payAsClearParticipant({ ...BASE, contractId: `pac-${p}`, mca: 'mca', participant: p, marketMakingFeePerKWh: FEE }))]));
  const deviation = new Map(
    participants.map((p) => [p, compile(participantDeviation({ ...BASE, contractId: `dev-${p}`, gridOperator: 'dso', participant: p, pricing: { kind: 'tariff', retailPerKWh: RETAIL, feedInPerKWh: FEED_IN } }))]),
  );
  const wheeling = compile(marketWheeling({ ...BASE, contractId: 'mca-wheeling', mca: 'mca', gridOperator: 'dso', wheelingPerKWh: WHEELING }));
  const imbalance = compile(marketImbalance({ ...BASE, contractId: 'mca-imbalance', mca: 'mca', gridOperator: 'dso', penaltyPerKWh: PENALTY }));

  const ledger = new Ledger();
  const all: SettlementLine[] = [];
  for (const d of DISPATCH) {
    const start = Date.UTC(2026, 5, 21, 12, 15 * d.interval);
    const period = { start: new Date(start).toISOString(), end: new Date(start + 900_000).toISOString(), index: d.interval };
    const settle = (c: CompiledContract, inputs: PeriodInputs): void => {
      const r = evaluatePeriod(c, period, inputs, initialState(c));
      if (!r.ok) throw new Error(r.errors[0]?.message);
      all.push(...r.value.lines);
      const posted = ledger.post(r.value.lines);
      if (!posted.ok) throw new Error(posted.errors[0]?.message);
    };
    let traded = 0;
    let net = 0;
    for (const [p, cleared, actual] of d.rows) {
      settle(market.get(p) as CompiledContract, payAsClearInputs(d.price, cleared));
      settle(deviation.get(p) as CompiledContract, deviationInputs(actual, cleared));
      traded += Math.max(0, cleared);
      net += actual;
    }
    settle(wheeling, marketWheelingInputs(traded));
    settle(imbalance, marketImbalanceInputs(net));
  }
  const find = (interval: number, contractId: string, flowId: string): SettlementLine | undefined =>
    all.find((l) => l.period.index === interval && l.contractId === contractId && l.flowId === flowId);

  it('bills every participant and interval: energy = price × cleared, fee = fee × |cleared|, deviation = tariff × |actual − cleared|', () => {
    for (const d of DISPATCH) {
      for (const [p, cleared, actual] of d.rows) {
        const energy = find(d.interval, `pac-${p}`, 'energy');
        const sellerPaid = cleared * d.price >= 0;
        expect([energy?.payer, energy?.payee, formatMinor(energy?.amountMinor ?? -1n, 2)]).toEqual([sellerPaid ? 'mca' : p, sellerPaid ? p : 'mca', paise(d.price * cleared)]);
        const fee = find(d.interval, `pac-${p}`, 'fee');
        expect([fee?.payer, fee?.payee, formatMinor(fee?.amountMinor ?? -1n, 2)]).toEqual([p, 'mca', paise(FEE * cleared)]);
        const dev = find(d.interval, `dev-${p}`, 'deviation');
        const short = actual < cleared;
        expect([dev?.payer, dev?.payee, dev?.ratePerUnit, formatMinor(dev?.amountMinor ?? -1n, 2)]).toEqual([short ? p : 'dso', short ? 'dso' : p, short ? RETAIL : FEED_IN, paise((short ? RETAIL : FEED_IN) * (actual - cleared))]);
      }
    }
    // Spot checks by hand: interval 0, pv-1's fee 0.10 × 1.25 = 0.125 → 0.12; home-3 buys 2 kWh at 4.20 and falls 0.1 kWh short.
    expect(formatMinor(find(0, 'pac-pv-1', 'fee')?.amountMinor ?? 0n, 2)).toBe('0.12');
    expect(formatMinor(find(0, 'pac-home-3', 'energy')?.amountMinor ?? 0n, 2)).toBe('8.40');
    expect(formatMinor(find(0, 'dev-home-3', 'deviation')?.amountMinor ?? 0n, 2)).toBe('0.80');
    // Interval 2 clears at −0.50: the seller pv-1 pays 0.50, the buyer home-3 is paid 0.50.
    expect([find(2, 'pac-pv-1', 'energy')?.payer, find(2, 'pac-home-3', 'energy')?.payee]).toEqual(['pv-1', 'home-3']);
  });

  it('charges the MCA wheeling on traded energy and the penalty on its virtual meter net', () => {
    expect([0, 1, 2].map((k) => formatMinor(find(k, 'mca-wheeling', 'wheeling')?.amountMinor ?? 0n, 2))).toEqual(['1.00', '1.25', '0.50']);
    expect([0, 1, 2].map((k) => formatMinor(find(k, 'mca-imbalance', 'imbalance')?.amountMinor ?? 0n, 2))).toEqual(['0.60', '0.60', '0.20']);
  });

  it('conserves money: every contract nets to zero; the MCA keeps fees minus wheeling and imbalance', () => {
    expect(() => ledger.assertBalanced()).not.toThrow();
    expect(ledger.contractTotals().every((c) => c.byParty.reduce((s, p) => s + p.netMinor, 0n) === 0n)).toBe(true);
    expect(ledger.kindTotals('mca').map((t) => [t.kind, formatMinor(t.netMinor, 2)])).toEqual([
      ['energy', '0.00'], // supply equals demand each interval, at one price
      ['fee', '1.10'], // 0.10 × 11 kWh traded, both sides
      ['wheeling', '-2.75'], // 0.50 × 5.5 kWh matched
      ['imbalance', '-1.40'],
    ]);
    expect(formatMinor(ledger.netMinor('mca', 'INR'), 2)).toBe('-3.05');
    const total = ledger.partyTotals().reduce((s, t) => s + t.netMinor, 0n);
    expect(total).toBe(0n);
  });
});
