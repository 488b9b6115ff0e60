import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../settlement/money.js';
import { evaluatePeriod, initialState, type ContractState, type PeriodInputs } from '../evaluate.js';
import { formContract, type CompiledContract } from '../form.js';
import { demandFlexibility, flexibilityInputs } from './demand-flexibility.js';

const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR', contractId: 'flex-1', utility: 'utility', aggregator: 'agg', pricePerKWh: 10, window: { startHour: 18, endHour: 21 } } as const;

function compile(o: Parameters<typeof demandFlexibility>[0]): CompiledContract {
  const c = formContract(demandFlexibility(o));
  if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('\n'));
  return c.value;
}

function settle(c: CompiledContract, utcStart: string, inputs: PeriodInputs, state: ContractState): { lines: string[][]; state: ContractState } {
  const end = new Date(Date.parse(utcStart) + 900_000).toISOString().replace('.000Z', 'Z');
  const r = evaluatePeriod(c, { start: utcStart, end, index: 0 }, inputs, state);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return { lines: r.value.lines.map((l) => [l.flowId, l.payer, l.payee, formatMinor(l.amountMinor, 2)]), state: r.value.nextState };
}

describe('demand flexibility', () => {
  it('pays verified reduction against the baseline and charges the committed shortfall', () => {
    const c = compile({ ...BASE, shortfallPenaltyPerKWh: 4 });
    // baseline −8 kWh, actual −4.5 kWh: reduction 3.5 of 5 committed → 35.00 paid, 1.5 × 4.00 = 6.00 shortfall
    expect(settle(c, '2026-06-21T18:00:00Z', flexibilityInputs(-8, -4.5, 5), initialState(c))).toEqual({
      lines: [
        ['flexibility', 'utility', 'agg', '35.00'],
        ['shortfall', 'agg', 'utility', '6.00'],
      ],
      state: { paidKWh: 3.5 },
    });
    // over-delivery is paid only up to the commitment: 7 → 5 kWh = 50.00, no shortfall
    expect(settle(c, '2026-06-21T20:45:00Z', flexibilityInputs(-8, -1, 5), { paidKWh: 0 }).lines.map((l) => l[3])).toEqual(['50.00', '0.00']);
    // consuming more than the baseline is not a negative payment: 0 paid, full shortfall
    expect(settle(c, '2026-06-21T19:00:00Z', flexibilityInputs(-8, -9, 5), { paidKWh: 0 }).lines.map((l) => l[3])).toEqual(['0.00', '20.00']);
  });

  it('produces nothing outside the event window and keeps the state', () => {
    const c = compile(BASE);
    expect(settle(c, '2026-06-21T21:00:00Z', flexibilityInputs(-8, -2, 5), { paidKWh: 2 })).toEqual({ lines: [], state: { paidKWh: 2 } });
    expect(settle(c, '2026-06-21T17:45:00Z', flexibilityInputs(-8, -2, 5), { paidKWh: 2 }).lines).toEqual([]);
  });

  it('stops paying once the event cap is reached', () => {
    const c = compile({ ...BASE, eventCapKWh: 8 });
    const first = settle(c, '2026-06-21T18:00:00Z', flexibilityInputs(-8, -3, 5), initialState(c));
    expect(first).toEqual({ lines: [['flexibility', 'utility', 'agg', '50.00']], state: { paidKWh: 5 } });
    const second = settle(c, '2026-06-21T18:15:00Z', flexibilityInputs(-8, -3, 5), first.state);
    expect(second).toEqual({ lines: [['flexibility', 'utility', 'agg', '30.00']], state: { paidKWh: 8 } });
    const third = settle(c, '2026-06-21T18:30:00Z', flexibilityInputs(-8, -3, 5), second.state);
    expect(third.lines).toEqual([['flexibility', 'utility', 'agg', '0.00']]);
  });

  it('handles a window across midnight in local time', () => {
    const c = compile({ ...BASE, window: { startHour: 22, endHour: 2, utcOffsetMinutes: 60 } });
    expect(settle(c, '2026-06-21T23:30:00Z', flexibilityInputs(-8, -7, 5), { paidKWh: 0 }).lines.map((l) => l[3])).toEqual(['10.00']); // 00:30 local
    expect(settle(c, '2026-06-21T01:00:00Z', flexibilityInputs(-8, -7, 5), { paidKWh: 0 }).lines).toEqual([]); // 02:00 local
  });
});
