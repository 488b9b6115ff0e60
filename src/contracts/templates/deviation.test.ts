import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../settlement/money.js';
import { evaluatePeriod, initialState, type PeriodInputs } from '../evaluate.js';
import { formContract } from '../form.js';
import type { EnergyContract } from '../model.js';
import { deviationInputs, participantDeviation } from './deviation.js';

const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR', gridOperator: 'dso', participant: 'pv-1' } as const;
const PERIOD = { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z', index: 48 };

function settle(contract: EnergyContract, inputs: PeriodInputs): (string | number)[][] {
  const c = formContract(contract);
  if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const r = evaluatePeriod(c.value, PERIOD, inputs, initialState(c.value));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value.lines.map((l) => [l.flowId, l.payer, l.payee, l.quantity, l.ratePerUnit, formatMinor(l.amountMinor, 2)]);
}

describe('participant deviation', () => {
  const tariff = participantDeviation({ ...BASE, contractId: 'dev-1', pricing: { kind: 'tariff', retailPerKWh: 8, feedInPerKWh: 3 } });

  it('bills an import shortfall at retail: cleared 2.0, metered 1.4 → 0.6 kWh × 8.00 = 4.80 paid by the participant', () => {
    const [line] = settle(tariff, deviationInputs(1.4, 2));
    expect(line?.slice(0, 3)).toEqual(['deviation', 'pv-1', 'dso']);
    expect(line?.[3]).toBeCloseTo(0.6, 12);
    expect(line?.slice(4)).toEqual([8, '4.80']);
  });

  it('pays excess export at feed-in: cleared 2.0, metered 2.3 → 0.3 kWh × 3.00 = 0.90 paid by the operator', () => {
    expect(settle(tariff, deviationInputs(2.3, 2)).map((l) => [l[0], l[1], l[2], l[4], l[5]])).toEqual([['deviation', 'dso', 'pv-1', 3, '0.90']]);
  });

  it('treats a buyer the same way: cleared −3.0, metered −3.5 → 0.5 kWh more imported, bought at retail', () => {
    expect(settle(tariff, deviationInputs(-3.5, -3)).map((l) => [l[1], l[2], l[5]])).toEqual([['pv-1', 'dso', '4.00']]);
  });

  it('gives a zero line when the participant delivered exactly', () => {
    expect(settle(tariff, deviationInputs(2, 2)).map((l) => l[5])).toEqual(['0.00']);
  });

  it('in penalty mode charges |deviation| beyond the tolerance both ways: (0.6 − 0.1) × 5.00 = 2.50', () => {
    const penalty = participantDeviation({ ...BASE, contractId: 'dev-2', pricing: { kind: 'penalty', penaltyPerKWh: 5, toleranceKWh: 0.1 } });
    expect(settle(penalty, deviationInputs(1.4, 2)).map((l) => [l[1], l[2], l[5]])).toEqual([['pv-1', 'dso', '2.50']]);
    expect(settle(penalty, deviationInputs(2.6, 2)).map((l) => [l[1], l[2], l[5]])).toEqual([['pv-1', 'dso', '2.50']]);
    expect(settle(penalty, deviationInputs(2.05, 2)).map((l) => l[5])).toEqual(['0.00']);
  });
});
