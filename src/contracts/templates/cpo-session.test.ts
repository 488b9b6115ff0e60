import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../settlement/money.js';
import { evaluatePeriod, initialState, type ContractState } from '../evaluate.js';
import { formContract, type CompiledContract } from '../form.js';
import { cpoSession, cpoSessionInputs, type ChargeDataRecord } from './cpo-session.js';

const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR', contractId: 'session-7', cpo: 'cpo-1', driver: 'driver-7' } as const;

function compile(o: Parameters<typeof cpoSession>[0]): CompiledContract {
  const contract = cpoSession(o);
  if (!contract.ok) throw new Error(contract.errors[0]?.message);
  const c = formContract(contract.value);
  if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('\n'));
  return c.value;
}

function run(c: CompiledContract, cdrs: readonly ChargeDataRecord[]): { lines: string[][]; state: ContractState } {
  let state = initialState(c);
  const lines: string[][] = [];
  cdrs.forEach((cdr, i) => {
    const start = Date.UTC(2026, 5, 21, 18, 15 * i);
    const period = { start: new Date(start).toISOString(), end: new Date(start + 900_000).toISOString(), index: 72 + i };
    const r = evaluatePeriod(c, period, cpoSessionInputs(cdr), state);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    state = r.value.nextState;
    lines.push(...r.value.lines.map((l) => [String(i), l.flowId, l.payer, l.payee, formatMinor(l.amountMinor, 2)]));
  });
  return { lines, state };
}

describe('CPO session', () => {
  it('bills a whole session from its CDR: energy, time, session fee and 18 % tax on each', () => {
    const c = compile({ ...BASE, energyPricePerKWh: 18, timePricePerHour: 20, sessionFee: 25, tax: { government: 'gov', ratePercent: 18 } });
    // 22.5 kWh × 18.00 = 405.00 (tax 72.90); 1.5 h × 20.00 = 30.00 (tax 5.40); 1 × 25.00 (tax 4.50)
    expect(run(c, [{ energyKWh: 22.5, connectedHours: 1.5, sessionsStarted: 1 }]).lines).toEqual([
      ['0', 'energy', 'driver-7', 'cpo-1', '405.00'],
      ['0', 'time', 'driver-7', 'cpo-1', '30.00'],
      ['0', 'session', 'driver-7', 'cpo-1', '25.00'],
      ['0', 'tax-energy', 'driver-7', 'gov', '72.90'],
      ['0', 'tax-time', 'driver-7', 'gov', '5.40'],
      ['0', 'tax-session', 'driver-7', 'gov', '4.50'],
    ]);
  });

  it('charges idle minutes only beyond the session grace period, carried across periods in state', () => {
    const c = compile({ ...BASE, energyPricePerKWh: 18, idleFeePerMinute: 2, idleGraceMinutes: 10 });
    const { lines, state } = run(c, [
      { energyKWh: 5, idleMinutes: 0 },
      { energyKWh: 0.5, idleMinutes: 6 }, // 6 of the 10 grace minutes
      { energyKWh: 0, idleMinutes: 15 }, // 4 grace + 11 billed → 22.00
      { energyKWh: 0, idleMinutes: 15 }, // 15 billed → 30.00
    ]);
    expect(lines.filter((l) => l[1] === 'idle').map((l) => [l[0], l[4]])).toEqual([['0', '0.00'], ['1', '0.00'], ['2', '22.00'], ['3', '30.00']]);
    expect(lines.filter((l) => l[1] === 'energy').map((l) => l[4])).toEqual(['90.00', '9.00', '0.00', '0.00']);
    expect(state).toEqual({ idleMinutesSoFar: 36 });
  });

  it('omits the flows of charges the CPO does not levy', () => {
    const c = compile({ ...BASE, energyPricePerKWh: 18 });
    expect(c.flows.map((f) => f.flow.flowId)).toEqual(['energy']);
    expect(c.contract.telemetrySources?.[0]?.fields).toEqual(['energyKWh']);
  });
});
