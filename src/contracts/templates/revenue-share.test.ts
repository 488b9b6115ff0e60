import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../settlement/money.js';
import { evaluatePeriod, initialState, type PeriodInputs } from '../evaluate.js';
import { formContract } from '../form.js';
import type { EnergyContract } from '../model.js';
import { aggregatorRevenueShare, revenueShareInputs } from './revenue-share.js';

const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR', aggregator: 'vpp', member: 'battery-4' } as const;
const PERIOD = { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z', index: 48 };

function settle(contract: EnergyContract, inputs: PeriodInputs): string[][] {
  const c = formContract(contract);
  if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const r = evaluatePeriod(c.value, PERIOD, inputs, initialState(c.value));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value.lines.map((l) => [l.flowId, l.kind, l.payer, l.payee, formatMinor(l.amountMinor, 2)]);
}

describe('aggregator revenue share', () => {
  const market = aggregatorRevenueShare({ ...BASE, contractId: 'share-1', basis: { kind: 'market-energy' }, sharePercent: 10 });

  it('passes a member’s export through at the clearing price and keeps its share: 3 kWh × 5.00 = 15.00, 10 % = 1.50', () => {
    expect(settle(market, revenueShareInputs(3, 5))).toEqual([
      ['energy', 'energy', 'vpp', 'battery-4', '15.00'],
      ['share', 'share', 'battery-4', 'vpp', '1.50'],
    ]);
  });

  it('makes an importing member pay for its energy and the share', () => {
    expect(settle(market, revenueShareInputs(-2, 5)).map((l) => [l[2], l[3], l[4]])).toEqual([
      ['battery-4', 'vpp', '10.00'],
      ['battery-4', 'vpp', '1.00'],
    ]);
  });

  it('shares flexibility payments: 4 kWh × 8.00 = 32.00, 20 % = 6.40', () => {
    const flex = aggregatorRevenueShare({ ...BASE, contractId: 'share-2', basis: { kind: 'flexibility', pricePerKWh: 8 }, sharePercent: 20 });
    expect(settle(flex, revenueShareInputs(4))).toEqual([
      ['flexibility', 'energy', 'vpp', 'battery-4', '32.00'],
      ['share', 'share', 'battery-4', 'vpp', '6.40'],
    ]);
  });
});
