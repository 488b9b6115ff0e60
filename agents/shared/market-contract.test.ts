import { describe, expect, it } from 'vitest';
import { payAsClearParticipant } from '../../src/contracts/templates/index.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { bidContract, bidTermVariants, checkBidTerms, type BidContractOptions } from './market-contract.js';
import { withRoleInputs } from './terms.js';

const OFFER = payAsClearParticipant({ contractId: 'pac-offer-mca', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', marketMakingFeePerKWh: 0.1 });
const CURVE: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 5, curve: [{ price: 3, powerKW: 0 }, { price: 5, powerKW: 5 }] };
const OPTS: BidContractOptions = {
  offerContract: OFFER,
  contractId: 'pac-i4-p1',
  createdAt: '2026-06-20T23:45:00Z',
  window: { start: '2026-06-21T01:00:00Z', end: '2026-06-21T01:15:00Z' },
  participantId: 'p1',
  meterId: 'm1',
  offerCurve: CURVE,
  governmentId: 'government',
  feeTaxPct: 18,
  dutyPerKWh: 0,
};

describe('bidContract', () => {
  it('renames the template for the interval, fills the PROSUMER role and adds the fee tax (no zero duty line)', () => {
    const r = bidContract(OPTS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.value.contractId, r.value.status, r.value.validity?.start]).toEqual(['pac-i4-p1', 'PENDING', '2026-06-21T01:00:00Z']);
    expect(r.value.roles.map((x) => [x.role, x.filledBy])).toEqual([
      ['MARKET_CLEARING_AGENT', 'mca'],
      ['PROSUMER', 'p1'],
      ['GOVERNMENT', 'government'],
    ]);
    expect(r.value.revenueFlows.flows.map((f) => f.flowId)).toEqual(['energy', 'fee', 'tax-fee']);
    const duty = bidContract({ ...OPTS, dutyPerKWh: 0.05 });
    expect(duty.ok && duty.value.revenueFlows.flows.map((f) => [f.flowId, f.from, f.to])).toEqual([
      ['energy', 'MARKET_CLEARING_AGENT', 'PROSUMER'],
      ['fee', 'PROSUMER', 'MARKET_CLEARING_AGENT'],
      ['tax-fee', 'PROSUMER', 'GOVERNMENT'],
      ['duty-energy', 'PROSUMER', 'GOVERNMENT'],
    ]);
  });
});

describe('checkBidTerms', () => {
  const built = bidTermVariants((zero) => bidContract({ ...OPTS, participantId: 'anyone', meterId: 'any', zeroRateLines: zero }));
  if (!built.ok) throw new Error('variants');
  const build = built.value;
  const bid = (o: Partial<BidContractOptions> = {}): ReturnType<typeof bidContract> => bidContract({ ...OPTS, ...o });

  it('accepts the bid as built, and a zero-rate duty line either way', () => {
    const plain = bid();
    const withZeroDuty = bid({ zeroRateLines: true });
    if (!plain.ok || !withZeroDuty.ok) throw new Error('build');
    expect(checkBidTerms(plain.value, build)).toEqual([]);
    expect(checkBidTerms(withZeroDuty.value, build)).toEqual([]);
  });

  it('refuses a bid that dodges the tax or lowers the fee', () => {
    const untaxed = bid({ feeTaxPct: 0 });
    const plain = bid();
    if (!untaxed.ok || !plain.ok) throw new Error('build');
    expect(checkBidTerms(untaxed.value, build).map((d) => d.code)).toEqual(['bid.terms']);
    const cheap = withRoleInputs(plain.value, 'MARKET_CLEARING_AGENT', { marketMakingFeePerKWh: 0.01 });
    expect(checkBidTerms(cheap, build).map((d) => d.code)).toEqual(['bid.fee']);
  });

  it('refuses a bid that hands the market role to someone else', () => {
    const plain = bid();
    if (!plain.ok) throw new Error('build');
    const hijacked = { ...plain.value, roles: plain.value.roles.map((r) => (r.role === 'MARKET_CLEARING_AGENT' ? { ...r, filledBy: 'mallory' } : r)) };
    expect(checkBidTerms(hijacked, build).map((d) => d.message)).toEqual(['role MARKET_CLEARING_AGENT must be filled by mca, not mallory']);
  });
});
