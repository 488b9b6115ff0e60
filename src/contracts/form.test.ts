import { describe, expect, it } from 'vitest';
import { formContract } from './form.js';
import type { EnergyContract, RevenueFlow } from './model.js';

/** A bilateral trade: BUYER pays SELLER the agreed price, and wheeling to the GRID_OPERATOR. */
const BILATERAL: EnergyContract = {
  contractId: 'c-17',
  status: 'ACTIVE',
  createdAt: '2026-06-21T00:00:00Z',
  currency: 'INR',
  roles: [
    { role: 'SELLER', filled: true, filledBy: 'prosumer-1', roleInputs: { pricePerKWh: 6, meterId: 'm-1' } },
    { role: 'BUYER', filled: true, filledBy: 'consumer-2', roleInputs: { contractedKWh: null, firm: true } },
    { role: 'GRID_OPERATOR', filled: true, filledBy: 'utility', roleInputs: { wheelingPerKWh: 0.5 } },
  ],
  inputParameters: { minimumKWh: { value: 0.5, unit: 'kWh' } },
  inputSignals: [{ signalId: 'market-clearing-price', signalType: 'PRICE', source: { era: 'mca' }, unit: 'INR/kWh' }],
  telemetrySources: [{ sourceId: 'meter', sourceType: 'METER_READING', source: { era: 'prosumer-1', meterId: 'm-1' }, fields: ['energyKWh'] }],
  state: [{ name: 'deliveredKWh', unit: 'kWh', initial: 0, update: 'state.deliveredKWh + roles.BUYER.contractedKWh' }],
  revenueFlows: {
    netZero: true,
    flows: [
      { flowId: 'energy', kind: 'energy', from: 'BUYER', to: 'SELLER', quantity: 'roles.BUYER.contractedKWh', unit: 'kWh', rate: 'roles.SELLER.pricePerKWh' },
      {
        flowId: 'wheeling',
        kind: 'wheeling',
        from: 'BUYER',
        to: 'GRID_OPERATOR',
        quantity: 'roles.BUYER.contractedKWh',
        unit: 'kWh',
        rate: 'roles.GRID_OPERATOR.wheelingPerKWh',
        condition: 'roles.BUYER.contractedKWh >= params.minimumKWh',
      },
    ],
  },
};

function withFlow(patch: Partial<RevenueFlow>, base: EnergyContract = BILATERAL): EnergyContract {
  const [first, ...rest] = base.revenueFlows.flows;
  return { ...base, revenueFlows: { netZero: true, flows: [{ ...(first as RevenueFlow), ...patch }, ...rest] } };
}

function messages(c: EnergyContract): string[] {
  const r = formContract(c);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('formContract', () => {
  it('compiles a valid contract: flows, canonical formula text, slots and parties', () => {
    const r = formContract(BILATERAL);
    if (!r.ok) throw new Error(r.errors[0]?.message);
    const c = r.value;
    expect(c.exponent).toBe(2);
    expect(c.flows.map((f) => f.formula)).toEqual(['roles.BUYER.contractedKWh * roles.SELLER.pricePerKWh', 'roles.BUYER.contractedKWh * roles.GRID_OPERATOR.wheelingPerKWh']);
    expect(c.flows[1]?.references.map((x) => x.text)).toEqual(['roles.BUYER.contractedKWh', 'roles.GRID_OPERATOR.wheelingPerKWh', 'params.minimumKWh']);
    expect(c.slots.map((s) => s.kind)).toEqual(['role', 'role', 'role', 'param', 'state']);
    expect([...c.parties]).toEqual([['SELLER', 'prosumer-1'], ['BUYER', 'consumer-2'], ['GRID_OPERATOR', 'utility']]);
  });

  it('rejects an unknown reference naming the contract, the flow and the reference', () => {
    expect(messages(withFlow({ rate: 'roles.BUYER.price' }))).toEqual([
      'revenueFlows.flows[0].rate: contract c-17, flow energy: unknown reference roles.BUYER.price (role BUYER declares no input price; it declares contractedKWh, firm) at character 0 in the rate',
    ]);
    expect(messages(withFlow({ quantity: 'telemetry.meter.powerKW * period.hours' }))).toEqual([
      'revenueFlows.flows[0].quantity: contract c-17, flow energy: unknown reference telemetry.meter.powerKW (telemetry source meter has no field powerKW; it has energyKWh) at character 0 in the quantity',
    ]);
    expect(messages(withFlow({ rate: 'roles.CPO.pricePerKWh + signals.price + state.x + params.y + period.minute' }))).toHaveLength(5);
  });

  it('rejects a type error: a boolean where a number is needed, text inputs, a number as condition', () => {
    expect(messages(withFlow({ quantity: 'roles.BUYER.firm' }))).toEqual([
      'revenueFlows.flows[0].quantity: contract c-17, flow energy: the formula must give a number but gives a boolean at character 0 in the quantity',
    ]);
    expect(messages(withFlow({ rate: 'roles.SELLER.meterId' }))[0]).toContain('roles.SELLER.meterId is text; formulas can read only numbers and booleans');
    expect(messages(withFlow({ condition: 'roles.BUYER.contractedKWh' }))[0]).toContain('the formula must give a boolean but gives a number at character 0 in the condition');
  });

  it('checks structure: roles, flows, currency, timestamps, duplicates, net-zero — all at once', () => {
    const bad: EnergyContract = {
      ...BILATERAL,
      currency: 'XXY',
      createdAt: 'yesterday',
      validity: { start: '2026-06-22T00:00:00Z', end: '2026-06-21T00:00:00Z' },
      roles: [...BILATERAL.roles, { role: 'SELLER', filled: true }],
      inputSignals: [...(BILATERAL.inputSignals ?? []), ...(BILATERAL.inputSignals ?? [])],
      revenueFlows: {
        netZero: true,
        flows: [
          ...BILATERAL.revenueFlows.flows,
          { flowId: 'energy', kind: 'energy', from: 'BUYER', to: 'BUYER', quantity: '1', unit: 'kWh', rate: '1' },
          { flowId: 'tax', kind: 'tax', from: 'BUYER', to: 'GOVERNMENT', quantity: '1', unit: '', rate: '' },
        ],
      },
    };
    expect(messages(bad)).toEqual([
      'currency: contract c-17, unknown currency "XXY"; use an ISO 4217 code such as INR, EUR, USD',
      'createdAt: contract c-17, createdAt "yesterday" is not an RFC 3339 timestamp',
      'validity: contract c-17, validity ends (2026-06-21T00:00:00Z) before it starts (2026-06-22T00:00:00Z)',
      'roles[3].role: contract c-17, role SELLER appears twice',
      'roles[3].filledBy: contract c-17, role SELLER is marked filled but names no party',
      'inputSignals[1]: contract c-17, signal market-clearing-price is declared twice',
      'revenueFlows.flows[2]: contract c-17, flow energy is declared twice',
      'revenueFlows.flows[2]: contract c-17, flow energy: pays from BUYER to itself',
      'revenueFlows.flows[3].to: contract c-17, flow tax: role GOVERNMENT in \'to\' is not a role of the contract',
      'revenueFlows.flows[3].unit: contract c-17, flow tax: the quantity needs a unit',
      'revenueFlows.flows[3].rate: contract c-17, flow tax: the rate formula is missing',
    ]);
  });

  it('requires the paying and paid roles of an ACTIVE contract to be filled, but not of a PENDING one', () => {
    const open: EnergyContract = {
      ...BILATERAL,
      roles: BILATERAL.roles.map((r) => (r.role === 'BUYER' ? { role: 'BUYER', filled: false, roleInputs: { contractedKWh: null, firm: true } } : r)),
    };
    expect(messages(open)).toEqual([
      'revenueFlows.flows[0].from: contract c-17, flow energy: role BUYER must be filled before the contract is ACTIVE',
      'revenueFlows.flows[1].from: contract c-17, flow wheeling: role BUYER must be filled before the contract is ACTIVE',
    ]);
    expect(messages({ ...open, status: 'PENDING' })).toEqual([]);
  });

  it('checks state update formulas and warns about a contract without flows', () => {
    const c: EnergyContract = { ...BILATERAL, state: [{ name: 'x', unit: 'kWh', initial: Number.NaN, update: 'state.y' }] };
    expect(messages(c)).toEqual([
      'state[0].initial: contract c-17, state x: the initial value must be a finite number',
      'state[0].update: contract c-17, state x: unknown reference state.y (no state variable y; the contract has x) at character 0 in the update',
    ]);
    const empty = formContract({ ...BILATERAL, revenueFlows: { netZero: true, flows: [] } });
    expect(empty.ok && empty.warnings.map((w) => w.code)).toEqual(['contract.no-flows']);
  });
});
