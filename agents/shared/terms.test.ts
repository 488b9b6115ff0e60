import { describe, expect, it } from 'vitest';
import { payAsClearParticipant } from '../../src/contracts/templates/index.js';
import { canonicalJson, numericRoleInput, parameterValue, refusalOf, refusedContract, stringRoleInput, withParameters, withRoleInputs } from './terms.js';

const C = payAsClearParticipant({ contractId: 'pac-i0-p1', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', status: 'PENDING', mca: 'mca', participant: 'p1', marketMakingFeePerKWh: 0.1, meterId: 'm1' });

describe('terms', () => {
  it('reads role inputs and parameters by type', () => {
    const c = withParameters(withRoleInputs(C, 'PROSUMER', { clearedKWh: 1.25 }), { approvedMaxExportKW: { value: 4, unit: 'kW' } });
    expect([numericRoleInput(c, 'PROSUMER', 'clearedKWh'), stringRoleInput(c, 'PROSUMER', 'meterId'), numericRoleInput(c, 'PROSUMER', 'meterId'), parameterValue(c, 'approvedMaxExportKW'), parameterValue(c, 'nope')]).toEqual([1.25, 'm1', undefined, 4, undefined]);
    expect(withRoleInputs(C, 'BUYER', { x: 1 })).toBe(C);
  });

  it('writes a refusal into the refusing party’s role and terminates the contract', () => {
    const r = refusedContract(C, 'MARKET_CLEARING_AGENT', 'bid.gate-closed', 'the gate closed');
    expect(r.status).toBe('TERMINATED');
    expect(refusalOf(r)).toBe('bid.gate-closed: the gate closed');
    expect(refusalOf(C)).toBeUndefined();
  });

  it('reads a refusal a party without a role wrote into zero approvals', () => {
    const zero = { value: 0, unit: 'kW', description: 'refused: meter m9 unknown' };
    const r = refusedContract(withParameters(C, { approvedMaxImportKW: zero }), undefined, 'x', 'y');
    expect(refusalOf(r)).toBe('refused: meter m9 unknown');
  });

  it('keeps a completed contract completed when refusing a late request', () => {
    expect(refusedContract({ ...C, status: 'COMPLETED' }, 'MARKET_CLEARING_AGENT', 'x', 'y').status).toBe('COMPLETED');
  });

  it('writes canonical JSON: key order does not matter, array order does', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});
