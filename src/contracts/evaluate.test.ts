import { describe, expect, it } from 'vitest';
import type { SettlementPeriod } from '../settlement/types.js';
import { evaluatePeriod, initialState, type PeriodInputs } from './evaluate.js';
import { formContract, type CompiledContract } from './form.js';
import type { EnergyContract } from './model.js';

const CONTRACT: EnergyContract = {
  contractId: 'c-9',
  status: 'ACTIVE',
  createdAt: '2026-06-21T00:00:00Z',
  currency: 'INR',
  validity: { start: '2026-06-21T00:00:00Z', end: '2026-06-22T00:00:00Z' },
  roles: [
    { role: 'MARKET_CLEARING_AGENT', filled: true, filledBy: 'mca', roleInputs: { feePerKWh: 0.1 } },
    { role: 'PROSUMER', filled: true, filledBy: 'pv-3', roleInputs: { clearedKWh: null } },
  ],
  inputSignals: [{ signalId: 'market-clearing-price', signalType: 'PRICE', source: { era: 'mca' }, unit: 'INR/kWh' }],
  telemetrySources: [{ sourceId: 'meter', sourceType: 'METER_READING', source: { era: 'pv-3' }, fields: ['energyKWh'] }],
  inputParameters: { peakAdderPerKWh: { value: 1, unit: 'INR/kWh' } },
  state: [{ name: 'tradedKWh', unit: 'kWh', initial: 0, update: 'state.tradedKWh + abs(roles.PROSUMER.clearedKWh)' }],
  revenueFlows: {
    netZero: true,
    flows: [
      { flowId: 'energy', kind: 'energy', from: 'MARKET_CLEARING_AGENT', to: 'PROSUMER', quantity: 'roles.PROSUMER.clearedKWh', unit: 'kWh', rate: 'signals["market-clearing-price"]' },
      { flowId: 'fee', kind: 'fee', from: 'PROSUMER', to: 'MARKET_CLEARING_AGENT', quantity: 'abs(roles.PROSUMER.clearedKWh)', unit: 'kWh', rate: 'roles.MARKET_CLEARING_AGENT.feePerKWh' },
      {
        flowId: 'peak',
        kind: 'fee',
        from: 'PROSUMER',
        to: 'MARKET_CLEARING_AGENT',
        quantity: 'abs(roles.PROSUMER.clearedKWh)',
        unit: 'kWh',
        rate: 'params.peakAdderPerKWh * period.hours / 0.25',
        condition: 'period.hourOfDay >= 18 and period.hourOfDay < 21 and period.dayOfWeek == 0',
      },
    ],
  },
};

function compiled(c: EnergyContract = CONTRACT): CompiledContract {
  const r = formContract(c);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value;
}

const NOON: SettlementPeriod = { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z', index: 48 };
const EVENING: SettlementPeriod = { start: '2026-06-21T18:15:00Z', end: '2026-06-21T18:30:00Z', index: 73 };

function inputs(clearedKWh: number, price: number): PeriodInputs {
  return { signals: { 'market-clearing-price': price }, roleInputs: { PROSUMER: { clearedKWh } }, telemetry: { meter: { energyKWh: 0 } } };
}

describe('evaluatePeriod', () => {
  it('turns each flow into a line: a seller paid price × kWh and paying the fee × |kWh|', () => {
    const c = compiled();
    const r = evaluatePeriod(c, NOON, inputs(2.5, 4.2), initialState(c));
    if (!r.ok) throw new Error(r.errors[0]?.message);
    expect(r.value.lines.map((l) => [l.flowId, l.payer, l.payee, l.quantity, l.ratePerUnit, l.amountMinor, l.reversed])).toEqual([
      ['energy', 'mca', 'pv-3', 2.5, 4.2, 1050n, false], // 2.5 kWh × 4.20 = 10.50
      ['fee', 'pv-3', 'mca', 2.5, 0.1, 25n, false], // 2.5 kWh × 0.10 = 0.25
    ]);
    expect(r.value.lines[0]).toMatchObject({
      contractId: 'c-9',
      period: NOON,
      kind: 'energy',
      payerRole: 'MARKET_CLEARING_AGENT',
      payeeRole: 'PROSUMER',
      unit: 'kWh',
      currency: 'INR',
      formula: 'roles.PROSUMER.clearedKWh * signals["market-clearing-price"]',
      inputs: { 'roles.PROSUMER.clearedKWh': 2.5, 'signals["market-clearing-price"]': 4.2 },
    });
    expect(r.value.nextState).toEqual({ tradedKWh: 2.5 });
  });

  it('swaps payer and payee when the product is negative: a buyer pays, a seller pays at a negative price', () => {
    const c = compiled();
    const buyer = evaluatePeriod(c, NOON, inputs(-4, 5), { tradedKWh: 10 });
    if (!buyer.ok) throw new Error(buyer.errors[0]?.message);
    expect(buyer.value.lines[0]).toMatchObject({ payer: 'pv-3', payee: 'mca', payerRole: 'PROSUMER', quantity: 4, ratePerUnit: 5, amountMinor: 2000n, reversed: true });
    expect(buyer.value.lines[0]?.inputs).toEqual({ 'roles.PROSUMER.clearedKWh': -4, 'signals["market-clearing-price"]': 5 });
    expect(buyer.value.nextState).toEqual({ tradedKWh: 14 });
    const negativePrice = evaluatePeriod(c, NOON, inputs(3, -0.5), { tradedKWh: 0 });
    expect(negativePrice.ok && negativePrice.value.lines[0]).toMatchObject({ payer: 'pv-3', payee: 'mca', amountMinor: 150n, reversed: true });
    const both = evaluatePeriod(c, NOON, inputs(-3, -0.5), { tradedKWh: 0 });
    expect(both.ok && both.value.lines[0]).toMatchObject({ payer: 'mca', payee: 'pv-3', amountMinor: 150n, reversed: false });
  });

  it('reads the period: hours, hour of day and day of week gate and scale a flow', () => {
    const c = compiled();
    const r = evaluatePeriod(c, EVENING, inputs(2, 4), { tradedKWh: 0 });
    if (!r.ok) throw new Error(r.errors[0]?.message);
    // 2026-06-21 is a Sunday; 18:15 is inside 18–21, so the peak adder applies: 2 kWh × 1.00 × 0.25 h / 0.25 = 2.00.
    expect(r.value.lines.map((l) => [l.flowId, l.amountMinor])).toEqual([['energy', 800n], ['fee', 20n], ['peak', 200n]]);
    expect(r.value.lines[2]?.inputs).toEqual({ 'roles.PROSUMER.clearedKWh': 2, 'params.peakAdderPerKWh': 1, 'period.hours': 0.25, 'period.hourOfDay': 18.25, 'period.dayOfWeek': 0 });
    expect(r.value.lines[2]?.formula).toBe('abs(roles.PROSUMER.clearedKWh) * (params.peakAdderPerKWh * period.hours / 0.25)');
  });

  it('returns every missing or ill-typed input at once', () => {
    const c = compiled();
    const r = evaluatePeriod(c, NOON, { roleInputs: { PROSUMER: { clearedKWh: true, spare: 1 } as unknown as Record<string, number> } }, {});
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([
      'contract c-9, override of roles.PROSUMER.clearedKWh must be a number',
      'contract c-9, override of roles.PROSUMER.spare, which the contract does not declare',
      'contract c-9, state tradedKWh has no value',
      'contract c-9, no value for signal market-clearing-price',
    ]);
    const open = evaluatePeriod(c, NOON, { signals: { 'market-clearing-price': Number.NaN } }, { tradedKWh: 0 });
    expect(open.ok ? [] : open.errors.map((e) => e.code)).toEqual(['settlement.missing-input', 'settlement.input']);
  });

  it('refuses contracts that are not ACTIVE, a party paying itself and periods outside the validity', () => {
    const pending = compiled({ ...CONTRACT, status: 'PENDING' });
    const r = evaluatePeriod(pending, NOON, inputs(1, 1), { tradedKWh: 0 });
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual(['contract c-9, is PENDING; only ACTIVE contracts are evaluated']);
    const late = evaluatePeriod(compiled(), { start: '2026-06-22T00:00:00Z', end: '2026-06-22T00:15:00Z', index: 96 }, inputs(1, 1), { tradedKWh: 0 });
    expect(late.ok ? [] : late.errors.map((e) => e.code)).toEqual(['settlement.period']);
    const self = compiled({ ...CONTRACT, roles: CONTRACT.roles.map((r) => ({ ...r, filledBy: 'mca' })) });
    const selfPaid = evaluatePeriod(self, NOON, inputs(1, 1), { tradedKWh: 0 });
    expect(selfPaid.ok ? [] : selfPaid.errors.map((e) => e.code)).toEqual(['settlement.self-payment', 'settlement.self-payment', 'settlement.self-payment']);
    const backwards = evaluatePeriod(compiled(), { start: NOON.end, end: NOON.start, index: 1.5 }, inputs(1, 1), { tradedKWh: 0 });
    expect(backwards.ok ? [] : backwards.errors.map((e) => e.code)).toEqual(['settlement.period', 'settlement.period']);
  });

  it('reports a division by zero as a value naming the flow, the part and the character', () => {
    const c = compiled({
      ...CONTRACT,
      revenueFlows: {
        netZero: true,
        flows: [
          { flowId: 'avg', kind: 'fee', from: 'PROSUMER', to: 'MARKET_CLEARING_AGENT', quantity: '1', unit: 'kWh', rate: 'signals["market-clearing-price"] / roles.PROSUMER.clearedKWh' },
          { flowId: 'ok', kind: 'fee', from: 'PROSUMER', to: 'MARKET_CLEARING_AGENT', quantity: '1', unit: 'kWh', rate: '1 / roles.PROSUMER.clearedKWh' },
        ],
      },
    });
    const r = evaluatePeriod(c, NOON, inputs(0, 3), { tradedKWh: 0 });
    expect(r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'revenueFlows.flows[0]: contract c-9, flow avg: division by zero at character 35 in the rate',
      'revenueFlows.flows[1]: contract c-9, flow ok: division by zero at character 4 in the rate',
    ]);
  });

  it('is pure: the same inputs give the same lines and the contract state is not mutated', () => {
    const c = compiled();
    const state = { tradedKWh: 1 };
    const a = evaluatePeriod(c, NOON, inputs(1.25, 3.3), state);
    const b = evaluatePeriod(c, NOON, inputs(1.25, 3.3), state);
    expect(a).toEqual(b);
    expect(state).toEqual({ tradedKWh: 1 });
  });
});
