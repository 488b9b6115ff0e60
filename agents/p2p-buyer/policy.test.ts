import { describe, expect, it } from 'vitest';
import { offerTemplate, type TradeOffer } from '../p2p-seller/index.js';
import { buyerBlockIntervals, rankOffers, type RankOptions } from './policy.js';

const WINDOW = { start: '2026-06-21T04:00:00Z', end: '2026-06-21T05:00:00Z' };
function offer(providerId: string, price: number, maxPowerKW: number): TradeOffer {
  const contract = offerTemplate({ sellerId: providerId, round: 0, createdAt: WINDOW.start, currency: 'INR', window: WINDOW, utilityId: 'utility', pricePerKWh: price, wheelingPerKWh: 0.5, sellerMeterId: `m-${providerId}` });
  return { providerId, offerId: `p2p-offer-${providerId}-r0`, resourceId: `${providerId}-pv`, window: WINDOW, pricePerKWh: price, maxPowerKW, contract };
}

/** Retail 8, feed-in 3, a certain load of 2 kW over four quarter hours. */
const opts: RankOptions = {
  interval: () => ({ shortfallCostPerKWh: 8, excessValuePerKWh: 3, loadForecastKW: 2 }),
  intervalsOf: () => [0, 3],
  wheelingPerKWh: 0.5,
  forecastErrorSd: 0,
  intervalHours: 0.25,
  maxImportKW: 10,
  minTradeKW: 0.1,
};

describe('buyer offer ranking', () => {
  it('values a block by the retail it saves less price and wheeling, and the excess it would resell at feed-in', () => {
    expect(buyerBlockIntervals([{ shortfallCostPerKWh: 8, excessValuePerKWh: 3, loadForecastKW: 2 }], 5.5, 0.5, 0.1)).toEqual([{ marginPerKWh: 2, riskPerKWh: 5, meanKW: 2, sdKW: 0.2 }]);
  });

  it('buys its certain load from the cheapest offer with room, then the others by gain', () => {
    const ranked = rankOffers([offer('seller-b', 6, 5), offer('seller-a', 5, 5), offer('seller-c', 4, 0.5)], opts);
    // a: 2 kW × 1 h × (8 − 5 − 0.5) = 5; b: 2 × 1.5 = 3; c: only 0.5 kW × 1 h × 3.5 = 1.75
    expect(ranked.map((r) => [r.offer.providerId, r.powerKW, r.gain])).toEqual([
      ['seller-a', 2, 5],
      ['seller-b', 2, 3],
      ['seller-c', 0.5, 1.75],
    ]);
  });

  it('leaves out offers that do not pay or are too small, and never imports beyond its connection', () => {
    expect(rankOffers([offer('dear', 7.6, 5), offer('tiny', 5, 0.05)], opts)).toEqual([]);
    expect(rankOffers([offer('seller-a', 5, 5)], { ...opts, maxImportKW: 1.2 }).map((r) => r.powerKW)).toEqual([1.2]);
  });
});
