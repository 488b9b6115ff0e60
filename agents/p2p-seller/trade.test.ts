import { describe, expect, it } from 'vitest';
import { withRoleInputs } from '../shared/terms.js';
import { findTradeOffers, offerTemplate, p2pContractId, p2pOfferId, sellerCatalog, takeOffer, termsDiffer, tradeOf, type SellerOffer } from './trade.js';

const WINDOW = { start: '2026-06-21T04:00:00Z', end: '2026-06-21T06:00:00Z' };
const template = offerTemplate({ sellerId: 'seller-1', round: 0, createdAt: '2026-06-21T03:45:00Z', currency: 'INR', window: WINDOW, utilityId: 'utility', pricePerKWh: 5.5, wheelingPerKWh: 0.5, sellerMeterId: 'm-s1' });
const offer: SellerOffer = { round: 0, offerId: p2pOfferId('seller-1', 0), window: WINDOW, pricePerKWh: 5.5, blockKW: 3.5, contract: template };

describe('the bilateral offer', () => {
  it('is the bilateral template with the BUYER role open, settled on the contracted energy', () => {
    expect(template.contractId).toBe('p2p-offer-seller-1-r0');
    expect(template.status).toBe('PENDING');
    expect(template.roles.map((r) => [r.role, r.filledBy, r.roleInputs])).toEqual([
      ['SELLER', 'seller-1', { pricePerKWh: 5.5, sourceMeterId: 'm-s1' }],
      ['BUYER', undefined, { contractedKWh: null }],
      ['GRID_OPERATOR', 'utility', { wheelingPerKWh: 0.5 }],
    ]);
    expect(template.revenueFlows.flows.map((f) => `${f.flowId}: ${f.from}→${f.to} ${f.quantity} × ${f.rate}`)).toEqual([
      'energy: BUYER→SELLER roles.BUYER.contractedKWh × roles.SELLER.pricePerKWh',
      'wheeling: BUYER→GRID_OPERATOR roles.BUYER.contractedKWh × roles.GRID_OPERATOR.wheelingPerKWh',
    ]);
  });

  it('reads back from the seller’s catalogue as the buyer sees it', () => {
    const cat = sellerCatalog({ sellerId: 'seller-1', sellerUri: 'https://seller-1.degsim.local/beckn', name: 'S', currency: 'INR', resource: { resourceId: 'seller-1-pv', resourceType: 'PV', meterId: 'm-s1', sourceType: 'SOLAR' }, offer, availableKW: 2.25, gridNodeId: 'tx-1' });
    expect(findTradeOffers(cat, 'seller-1')).toEqual([{ providerId: 'seller-1', offerId: 'p2p-offer-seller-1-r0', resourceId: 'seller-1-pv', window: WINDOW, pricePerKWh: 5.5, maxPowerKW: 2.25, contract: template }]);
    expect(findTradeOffers(cat, 'seller-2')).toEqual([]);
  });

  it('is taken by filling the BUYER role, and read back as a trade', () => {
    const taken = takeOffer(template, { contractId: p2pContractId('seller-1', 'buyer-1', 0), createdAt: '2026-06-21T03:45:01Z', buyerId: 'buyer-1', buyerMeterId: 'm-b1', contractedKWh: 0.5 });
    expect(taken.ok).toBe(true);
    if (!taken.ok) return;
    expect(taken.value.contractId).toBe('p2p-seller-1-buyer-1-r0');
    expect(tradeOf(taken.value)).toEqual({ sellerId: 'seller-1', buyerId: 'buyer-1', sellerMeterId: 'm-s1', buyerMeterId: 'm-b1', pricePerKWh: 5.5, contractedKWh: 0.5, window: WINDOW });
    expect(tradeOf(template)).toBeUndefined();
    expect(termsDiffer(template, taken.value)).toBeUndefined();
    expect(termsDiffer(template, withRoleInputs(taken.value, 'SELLER', { pricePerKWh: 4 }))).toBe('the SELLER role changed');
    expect(termsDiffer(template, { ...taken.value, validity: { start: WINDOW.start, end: '2026-06-21T07:00:00Z' } })).toBe('another delivery window');
  });
});
