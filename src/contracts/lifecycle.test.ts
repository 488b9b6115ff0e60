import { describe, expect, it } from 'vitest';
import { fillRole, transition } from './lifecycle.js';
import type { EnergyContract } from './model.js';

const OFFER: EnergyContract = {
  contractId: 'offer-mca-1',
  status: 'PENDING',
  createdAt: '2026-06-21T00:00:00Z',
  currency: 'INR',
  roles: [
    { role: 'MARKET_CLEARING_AGENT', filled: true, filledBy: 'mca', roleInputs: { marketMakingFeePerKWh: 0.1 } },
    { role: 'PROSUMER', filled: false, roleInputs: { clearedKWh: null } },
  ],
  revenueFlows: { netZero: true, flows: [] },
};

describe('contract lifecycle', () => {
  it('fills an open role, merging role inputs, then activates and completes', () => {
    const filled = fillRole(OFFER, 'PROSUMER', 'pv-1', { meterId: 'm-1' });
    if (!filled.ok) throw new Error(filled.errors[0]?.message);
    expect(filled.value.roles[1]).toEqual({ role: 'PROSUMER', filled: true, filledBy: 'pv-1', roleInputs: { clearedKWh: null, meterId: 'm-1' } });
    expect(OFFER.roles[1]?.filled).toBe(false);
    const active = transition(filled.value, 'ACTIVE');
    expect(active.ok && active.value.status).toBe('ACTIVE');
    const done = active.ok ? transition(active.value, 'COMPLETED') : active;
    expect(done.ok && done.value.status).toBe('COMPLETED');
  });

  it('refuses to activate with an open role, to refill a role with another party, and illegal transitions', () => {
    const open = transition(OFFER, 'ACTIVE');
    expect(open.ok ? [] : open.errors.map((e) => e.message)).toEqual([
      'contract offer-mca-1: role PROSUMER is open; every role must be filled before the contract is ACTIVE',
    ]);
    const taken = fillRole(OFFER, 'MARKET_CLEARING_AGENT', 'other-mca');
    expect(taken.ok ? [] : taken.errors.map((e) => e.message)).toEqual(['contract offer-mca-1: role MARKET_CLEARING_AGENT is already filled by mca']);
    expect(fillRole(OFFER, 'CPO', 'x').ok).toBe(false);
    expect(fillRole({ ...OFFER, status: 'ACTIVE' }, 'PROSUMER', 'pv-1').ok).toBe(false);
    const back = transition({ ...OFFER, status: 'COMPLETED' }, 'ACTIVE');
    expect(back.ok ? [] : back.errors.map((e) => e.message)).toEqual(['contract offer-mca-1 cannot go from COMPLETED to ACTIVE']);
    expect(transition(OFFER, 'TERMINATED').ok).toBe(true);
  });
});
