import type { SimClock } from '../../src/kernel/clock.js';
import type { Scenario, TouBand } from '../../src/scenario/types.js';
import type { PriceGrid } from './curve.js';

/**
 * What trading costs and what not trading costs a participant, per kWh, in the scenario's
 * currency. Every participant has a standing deviation contract with the grid operator, so its
 * outside option is known: energy it takes beyond its cleared amount is bought at retail (or
 * penalised), energy it gives beyond it is paid at feed-in (or penalised). Policies compare market
 * prices against these numbers; they never invent their own.
 */
export interface MarketEconomics extends PriceGrid {
  readonly intervalHours: number;
  /** Market-making fee per |cleared kWh| (from the market's offer once known). */
  readonly feePerKWh: number;
  /** Tax on the fee, percent. */
  readonly feeTaxPct: number;
  /** Duty per traded kWh. */
  readonly dutyPerKWh: number;
  /** Fee with its tax plus duty: what one traded kWh costs either side, per kWh (≥ 0). */
  readonly tradingCostPerKWh: number;
  /** Feed-in tariff per kWh. */
  readonly feedInPerKWh: number;
  /** Retail import tariff in interval k (time-of-use when the scenario has bands). */
  retailPerKWh(k: number): number;
  /** Cost per kWh of taking more than cleared in interval k (shortfall of export or extra import). */
  shortfallCostPerKWh(k: number): number;
  /** Value per kWh of giving more than cleared (negative under a penalty). */
  readonly excessValuePerKWh: number;
}

/** The retail tariff at a UTC hour of day from time-of-use bands (first band that holds it), else the flat rate. */
export function touRetail(bands: readonly TouBand[] | undefined, flatPerKWh: number, hourUtc: number): number {
  for (const b of bands ?? []) {
    const inside = b.fromHour <= b.toHour ? hourUtc >= b.fromHour && hourUtc < b.toHour : hourUtc >= b.fromHour || hourUtc < b.toHour;
    if (inside) return b.pricePerKWh;
  }
  return flatPerKWh;
}

/**
 * The economics of a scenario for its participants. `feePerKWh` overrides the scenario's market
 * fee (the market's offer states the binding one).
 */
export function marketEconomics(scenario: Scenario, clock: SimClock, feePerKWh?: number): MarketEconomics {
  const m = scenario.market;
  const u = scenario.utility;
  const fee = feePerKWh ?? m.feePerKWh;
  const tradingCost = fee * (1 + u.feeTaxPct / 100) + u.dutyPerKWh;
  const retail = (k: number): number => {
    const ms = clock.intervalStartMs(k);
    const hour = (((ms % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000;
    return touRetail(u.touPerKWh, u.retailPerKWh, hour);
  };
  return {
    currency: scenario.currency,
    priceFloor: m.priceFloor,
    priceCap: m.priceCap,
    priceTick: m.priceTick,
    intervalHours: clock.intervalHours,
    feePerKWh: fee,
    feeTaxPct: u.feeTaxPct,
    dutyPerKWh: u.dutyPerKWh,
    tradingCostPerKWh: tradingCost,
    feedInPerKWh: u.feedInPerKWh,
    retailPerKWh: retail,
    shortfallCostPerKWh: (k) => (u.deviationMode === 'tariff' ? retail(k) : u.deviationPenaltyPerKWh),
    excessValuePerKWh: u.deviationMode === 'tariff' ? u.feedInPerKWh : -u.deviationPenaltyPerKWh,
  };
}
