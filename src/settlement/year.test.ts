import { describe, expect, it } from 'vitest';
import { evaluatePeriod, initialState, type ContractState } from '../contracts/evaluate.js';
import { formContract, type CompiledContract } from '../contracts/form.js';
import type { EnergyContract } from '../contracts/model.js';
import { deviationInputs, participantDeviation } from '../contracts/templates/deviation.js';
import { payAsClearParticipant, CLEARING_PRICE_SIGNAL } from '../contracts/templates/pay-as-clear.js';
import { randomStream } from '../kernel/random.js';
import { Ledger } from './ledger.js';
import { formatMinor } from './money.js';

const PERIODS = 35_040; // a year of 15-minute intervals
const START_MS = Date.UTC(2025, 0, 1);

function compile(c: EnergyContract): CompiledContract {
  const r = formContract(c);
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.value;
}

/** |a × b| × 10^-shift rounded half to even, all integers: the test's own rounding, independent of money.ts. */
function halfEven(product: bigint, shift: bigint): bigint {
  const abs = product < 0n ? -product : product;
  const div = 10n ** shift;
  const q = abs / div;
  const r = abs % div;
  return 2n * r > div || (2n * r === div && q % 2n === 1n) ? q + 1n : q;
}

describe('a year of 15-minute settlement', () => {
  it('has no drift: every party’s balance equals the exact sum of its rounded lines, and the books balance', () => {
    const market = compile(payAsClearParticipant({ contractId: 'pac-pv-1', createdAt: '2025-01-01T00:00:00Z', currency: 'INR', mca: 'mca', participant: 'pv-1', marketMakingFeePerKWh: 0.1 }));
    const deviation = compile(participantDeviation({ contractId: 'dev-pv-1', createdAt: '2025-01-01T00:00:00Z', currency: 'INR', gridOperator: 'dso', participant: 'pv-1', pricing: { kind: 'tariff', retailPerKWh: 8.25, feedInPerKWh: 3.1 } }));
    const ledger = new Ledger({ retainLines: false });
    const rng = randomStream(2025, 'year-test');
    const expected = new Map<string, bigint>([['mca', 0n], ['pv-1', 0n], ['dso', 0n]]);
    const move = (payer: string, payee: string, amount: bigint): void => {
      expected.set(payer, (expected.get(payer) ?? 0n) - amount);
      expected.set(payee, (expected.get(payee) ?? 0n) + amount);
    };
    let marketState: ContractState = initialState(market);
    let deviationState: ContractState = initialState(deviation);
    for (let k = 0; k < PERIODS; k++) {
      const startMs = START_MS + k * 900_000;
      const period = { start: new Date(startMs).toISOString(), end: new Date(startMs + 900_000).toISOString(), index: k };
      // Prices in 1/10000 INR, energies in Wh: decimals with few digits, as meters and markets publish them.
      const priceE4 = rng.int(-2_000, 120_000);
      const clearedWh = rng.int(-5_000, 5_000);
      const actualWh = clearedWh + rng.int(-800, 800);
      const m = evaluatePeriod(market, period, { signals: { [CLEARING_PRICE_SIGNAL]: priceE4 / 10_000 }, roleInputs: { PROSUMER: { clearedKWh: clearedWh / 1000 } } }, marketState);
      const d = evaluatePeriod(deviation, period, deviationInputs(actualWh / 1000, clearedWh / 1000), deviationState);
      if (!m.ok || !d.ok) throw new Error('evaluation failed');
      marketState = m.value.nextState;
      deviationState = d.value.nextState;
      const posted = ledger.post([...m.value.lines, ...d.value.lines]);
      if (!posted.ok) throw new Error(posted.errors[0]?.message);

      // The same money by integer arithmetic: kWh·10^3 × INR·10^4 = INR·10^7 = paise·10^5.
      const energy = halfEven(BigInt(clearedWh) * BigInt(priceE4), 5n);
      const sellerPaid = (clearedWh >= 0) === (priceE4 >= 0);
      if (sellerPaid) move('mca', 'pv-1', energy);
      else move('pv-1', 'mca', energy);
      move('pv-1', 'mca', halfEven(BigInt(clearedWh) * 1_000n, 5n));
      const devWh = actualWh - clearedWh;
      if (devWh >= 0) move('dso', 'pv-1', halfEven(BigInt(devWh) * 31_000n, 5n));
      else move('pv-1', 'dso', halfEven(BigInt(devWh) * 82_500n, 5n));
    }
    expect(ledger.lineCount).toBe(3 * PERIODS);
    for (const party of ['mca', 'pv-1', 'dso']) expect(ledger.netMinor(party, 'INR')).toBe(expected.get(party));
    expect(ledger.contractTotals().map((c) => c.byParty.reduce((s, p) => s + p.netMinor, 0n))).toEqual([0n, 0n]);
    expect(() => ledger.assertBalanced()).not.toThrow();
    // Sanity: the totals are large and not multiples of a rupee, so a drift of one paisa would show.
    expect(formatMinor(expected.get('pv-1') ?? 0n, 2)).toMatch(/^-?\d{4,}\.\d\d$/);
  });
});
