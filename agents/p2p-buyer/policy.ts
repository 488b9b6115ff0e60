import { optimalBlock, type BlockInterval, type TradeOffer } from '../p2p-seller/index.js';

/**
 * The buyer's choice among the sellers' offers: for each offer, the block over its window that
 * gains the most against buying the same energy at its retail (shortfall) cost, given that energy
 * bought beyond its load is only worth the excess value under its deviation contract (the shared
 * block economics of `p2p-seller/policy.ts`); offers are ranked by that gain.
 */

/** What the buyer knows of one interval: its shortfall cost and excess value per kWh, and its load forecast. */
export interface BuyerInterval {
  readonly shortfallCostPerKWh: number;
  readonly excessValuePerKWh: number;
  readonly loadForecastKW: number;
}

/** An offer worth taking, with the block to ask for and its expected gain. */
export interface RankedOffer {
  readonly offer: TradeOffer;
  readonly powerKW: number;
  readonly gain: number;
}

export interface RankOptions {
  /** The buyer's view of interval k. */
  readonly interval: (k: number) => BuyerInterval;
  /** Intervals [first, last] an offer's window covers, or undefined when it covers none of the run. */
  readonly intervalsOf: (offer: TradeOffer) => readonly [number, number] | undefined;
  readonly wheelingPerKWh: number;
  /** Relative sd of the load forecast. */
  readonly forecastErrorSd: number;
  readonly intervalHours: number;
  /** Most the connection may import, kW. */
  readonly maxImportKW: number;
  readonly minTradeKW: number;
}

/** Per interval of a block bought at `pricePerKWh`: margin = shortfall − price − wheeling, risk = shortfall − excess. */
export function buyerBlockIntervals(intervals: readonly BuyerInterval[], pricePerKWh: number, wheelingPerKWh: number, forecastErrorSd: number): BlockInterval[] {
  return intervals.map((x) => ({
    marginPerKWh: x.shortfallCostPerKWh - pricePerKWh - wheelingPerKWh,
    riskPerKWh: x.shortfallCostPerKWh - x.excessValuePerKWh,
    meanKW: x.loadForecastKW,
    sdKW: forecastErrorSd * x.loadForecastKW,
  }));
}

/**
 * The offers worth taking, best expected gain first (then lower price, then provider id): each
 * with the best block up to the offer's free power and the connection's import limit, kept when it
 * reaches `minTradeKW` and gains.
 */
export function rankOffers(offers: readonly TradeOffer[], o: RankOptions): RankedOffer[] {
  const out: RankedOffer[] = [];
  for (const offer of offers) {
    const range = o.intervalsOf(offer);
    if (range === undefined) continue;
    const xs: BuyerInterval[] = [];
    for (let k = range[0]; k <= range[1]; k++) xs.push(o.interval(k));
    const b = optimalBlock(buyerBlockIntervals(xs, offer.pricePerKWh, o.wheelingPerKWh, o.forecastErrorSd), o.intervalHours, Math.min(offer.maxPowerKW, o.maxImportKW));
    if (b.powerKW >= o.minTradeKW && b.gain > 0) out.push({ offer, powerKW: b.powerKW, gain: b.gain });
  }
  return out.sort((a, b) => b.gain - a.gain || a.offer.pricePerKWh - b.offer.pricePerKWh || (a.offer.providerId < b.offer.providerId ? -1 : a.offer.providerId > b.offer.providerId ? 1 : 0));
}
