import { describe, expect, it } from 'vitest';
import { readContract, readContracts, readPeriodInputs } from './load.js';
import { payAsClearParticipant } from './templates/pay-as-clear.js';

const GOOD = payAsClearParticipant({ contractId: 'pac-1', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', participant: 'pv-1', marketMakingFeePerKWh: 0.1 });

describe('reading contracts from JSON', () => {
  it('accepts a contract and an array of contracts as written by JSON.stringify', () => {
    const json = JSON.parse(JSON.stringify([GOOD, GOOD])) as unknown;
    const r = readContracts(json, 'c.json');
    expect(r.ok && r.value.map((c) => c.contractId)).toEqual(['pac-1', 'pac-1']);
    expect(readContract(JSON.parse(JSON.stringify(GOOD))).ok).toBe(true);
  });

  it('returns every structural problem with its path and file', () => {
    const bad = { contractId: 7, status: 'ACTIVE', currency: 'INR', roles: [{ role: 'MCA', filled: 'yes' }], revenueFlows: { netZero: true, flows: [{ flowId: 'x', kind: 'fee', from: 'A', to: 'B', quantity: 1, unit: 'kWh', rate: '1' }] } };
    const r = readContracts([GOOD, bad], 'c.json');
    expect(r.ok ? [] : r.errors.map((e) => `${e.file ?? ''} ${e.path}: ${e.message}`)).toEqual([
      'c.json [1].contractId: contractId must be a string',
      'c.json [1].createdAt: createdAt must be a string',
      'c.json [1].roles[0].filled: filled must be true or false',
      'c.json [1].revenueFlows.flows[0].quantity: quantity must be a string',
    ]);
    expect(readContract('x').ok).toBe(false);
  });

  it('reads period inputs and rejects wrong shapes', () => {
    expect(readPeriodInputs({ signals: { p: 1 }, telemetry: { meter: { energyKWh: -2 } }, roleInputs: { PROSUMER: { clearedKWh: 1, firm: true } } }).ok).toBe(true);
    const r = readPeriodInputs({ signals: { p: '1' }, telemetry: { meter: 3 }, extra: 1 });
    expect(r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(['signals.p: must be a number', 'telemetry.meter: must be an object', 'extra: unknown key; period inputs have signals, telemetry and roleInputs']);
  });
});
