import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../settlement/money.js';
import { evaluatePeriod, initialState, type PeriodInputs } from '../evaluate.js';
import { formContract } from '../form.js';
import type { EnergyContract } from '../model.js';
import { bilateralInputs, bilateralP2P } from './p2p-bilateral.js';

const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR', seller: 'pv-1', buyer: 'home-2', gridOperator: 'dso', pricePerKWh: 6, wheelingPerKWh: 0.5 } as const;
const PERIOD = { start: '2026-06-21T12:00:00Z', end: '2026-06-21T13:00:00Z', index: 12 };

function settle(contract: EnergyContract, inputs: PeriodInputs): string[][] {
  const c = formContract(contract);
  if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const r = evaluatePeriod(c.value, PERIOD, inputs, initialState(c.value));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value.lines.map((l) => [l.flowId, l.payer, l.payee, formatMinor(l.amountMinor, 2)]);
}

describe('bilateral P2P', () => {
  it('on contracted energy: the buyer pays 10 kWh × 6.00 = 60.00 to the seller and 10 × 0.50 = 5.00 wheeling', () => {
    const c = bilateralP2P({ ...BASE, contractId: 'p2p-1', settleOn: 'contracted', contractedKWh: 10 });
    expect(settle(c, {})).toEqual([
      ['energy', 'home-2', 'pv-1', '60.00'],
      ['wheeling', 'home-2', 'dso', '5.00'],
    ]);
    expect(c.roles.map((r) => r.role)).toEqual(['SELLER', 'BUYER', 'GRID_OPERATOR']);
  });

  it('on delivered energy: 8.5 kWh delivered of 10 → 51.00 and 4.25; over-delivery is capped at the contract', () => {
    const c = bilateralP2P({ ...BASE, contractId: 'p2p-2', settleOn: 'delivered' });
    expect(settle(c, bilateralInputs(10, 8.5))).toEqual([
      ['energy', 'home-2', 'pv-1', '51.00'],
      ['wheeling', 'home-2', 'dso', '4.25'],
    ]);
    expect(settle(c, bilateralInputs(10, 12)).map((l) => l[3])).toEqual(['60.00', '5.00']);
    expect(settle(c, bilateralInputs(10, -1)).map((l) => l[3])).toEqual(['0.00', '0.00']);
  });

  it('is a catalogue offer while the buyer role is open', () => {
    const { buyer: _buyer, ...seller } = BASE;
    const offer = bilateralP2P({ ...seller, contractId: 'offer', settleOn: 'contracted' });
    expect(offer.status).toBe('PENDING');
    expect(formContract(offer).ok).toBe(true);
  });
});
