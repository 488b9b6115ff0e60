import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../settlement/money.js';
import { evaluatePeriod, initialState, type PeriodInputs } from '../evaluate.js';
import { formContract } from '../form.js';
import type { EnergyContract } from '../model.js';
import { marketImbalance, marketImbalanceInputs, marketWheeling, marketWheelingInputs, payAsClearInputs, payAsClearParticipant } from './pay-as-clear.js';
import { withTaxes } from './taxes.js';

const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR' } as const;
const PERIOD = { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z', index: 48 };

/** [flowId, payer, payee, amount] of each line of one period. */
function settle(contract: EnergyContract, inputs: PeriodInputs): string[][] {
  const c = formContract(contract);
  if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const r = evaluatePeriod(c.value, PERIOD, inputs, initialState(c.value));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value.lines.map((l) => [l.flowId, l.payer, l.payee, formatMinor(l.amountMinor, 2)]);
}

describe('pay-as-clear participant', () => {
  const contract = payAsClearParticipant({ ...BASE, contractId: 'pac-pv-1', mca: 'mca', participant: 'pv-1', marketMakingFeePerKWh: 0.1, meterId: 'm-1' });

  it('pays a seller price × cleared kWh and charges fee × |cleared kWh|', () => {
    expect(contract.status).toBe('ACTIVE');
    // 2.5 kWh × 4.20 = 10.50; 2.5 × 0.10 = 0.25
    expect(settle(contract, payAsClearInputs(4.2, 2.5))).toEqual([
      ['energy', 'mca', 'pv-1', '10.50'],
      ['fee', 'pv-1', 'mca', '0.25'],
    ]);
  });

  it('makes a buyer pay price × |cleared kWh| plus the fee', () => {
    // −3.2 kWh × 4.20 = −13.44, reversed; 3.2 × 0.10 = 0.32
    expect(settle(contract, payAsClearInputs(4.2, -3.2))).toEqual([
      ['energy', 'pv-1', 'mca', '13.44'],
      ['fee', 'pv-1', 'mca', '0.32'],
    ]);
  });

  it('is an offer with the participant role open until filled', () => {
    const offer = payAsClearParticipant({ ...BASE, contractId: 'offer', mca: 'mca', marketMakingFeePerKWh: 0.1 });
    expect(offer.status).toBe('PENDING');
    expect(offer.roles[1]).toEqual({ role: 'PROSUMER', filled: false, roleInputs: { clearedKWh: null } });
    expect(formContract(offer).ok).toBe(true);
  });

  it('with taxes: 18 % on the fee and a duty of 0.05 per kWh traded, each rounded half to even once', () => {
    const taxed = withTaxes(contract, { government: 'gov', payer: 'PROSUMER', percent: { ratePercent: 18, onFlows: ['fee'] }, duty: { ratePerUnit: 0.05, onFlows: ['energy'] } });
    if (!taxed.ok) throw new Error(taxed.errors[0]?.message);
    // tax: 18 % × 0.25 = 0.045 → 0.04 (half to even); duty: 2.5 kWh × 0.05 = 0.125 → 0.12
    expect(settle(taxed.value, payAsClearInputs(4.2, 2.5))).toEqual([
      ['energy', 'mca', 'pv-1', '10.50'],
      ['fee', 'pv-1', 'mca', '0.25'],
      ['tax-fee', 'pv-1', 'gov', '0.04'],
      ['duty-energy', 'pv-1', 'gov', '0.12'],
    ]);
    expect(taxed.value.revenueFlows.flows[2]?.quantity).toBe('abs((abs(roles.PROSUMER.clearedKWh)) * (roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh))');
    const wrong = withTaxes(contract, { government: 'gov', payer: 'CPO', percent: { ratePercent: 18, onFlows: ['fees'] } });
    expect(wrong.ok ? [] : wrong.errors.map((e) => e.message)).toEqual([
      'contract pac-pv-1 has no CPO role to pay the taxes',
      'contract pac-pv-1: tax on flow fees, which the contract does not have',
    ]);
  });
});

describe('market wheeling and imbalance', () => {
  it('charges the MCA wheeling on the energy matched: 12.5 kWh × 0.50 = 6.25', () => {
    const c = marketWheeling({ ...BASE, contractId: 'wheel', mca: 'mca', gridOperator: 'dso', wheelingPerKWh: 0.5 });
    expect(settle(c, marketWheelingInputs(12.5))).toEqual([['wheeling', 'mca', 'dso', '6.25']]);
  });

  it('charges the MCA a penalty on its virtual meter net, either way', () => {
    const c = marketImbalance({ ...BASE, contractId: 'imb', mca: 'mca', gridOperator: 'dso', penaltyPerKWh: 2 });
    expect(settle(c, marketImbalanceInputs(-0.8))).toEqual([['imbalance', 'mca', 'dso', '1.60']]);
    expect(settle(c, marketImbalanceInputs(0.8))).toEqual([['imbalance', 'mca', 'dso', '1.60']]);
    const asym = marketImbalance({ ...BASE, contractId: 'imb2', mca: 'mca', gridOperator: 'dso', penaltyPerKWh: 2, surplusPenaltyPerKWh: 1 });
    expect(settle(asym, marketImbalanceInputs(0.5))).toEqual([['imbalance', 'mca', 'dso', '0.50']]);
    expect(settle(asym, marketImbalanceInputs(-0.5))).toEqual([['imbalance', 'mca', 'dso', '1.00']]);
  });
});
