import type { MarketEconomics } from '../participant/economics.js';
import type { PriceEstimator } from '../participant/prices.js';
import { arbitrageThresholds, batteryWillingness, BatteryState, type ArbitrageThresholds, type BatterySpec, type Willingness } from './policy.js';

/**
 * A battery run for arbitrage: its state, the owner's price estimate and the lookahead. It answers
 * the two questions its owner asks: what to offer for an interval (its willingness) and what it
 * can do now (its limits); and it keeps the plan of cleared intervals until they are delivered.
 */
export class ArbitrageBattery {
  readonly state: BatteryState;
  private readonly thresholds = new Map<number, ArbitrageThresholds>();

  constructor(
    readonly spec: BatterySpec,
    initialSocPct: number,
    private readonly hours: number,
    readonly prices: PriceEstimator,
    private readonly lookaheadIntervals: number,
  ) {
    this.state = new BatteryState(spec, initialSocPct, hours);
  }

  /** Expected prices of the intervals after k, over the lookahead. */
  futurePrices(k: number): number[] {
    return Array.from({ length: this.lookaheadIntervals }, (_, i) => this.prices.expected(k + 1 + i));
  }

  /** The thresholds used for interval k's bid (after {@link willingness} was asked). */
  thresholdsOf(k: number): ArbitrageThresholds | undefined {
    return this.thresholds.get(k);
  }

  /** What the battery offers in interval k, from its SoC range at k's start and the expected prices after k. */
  willingness(k: number, e: MarketEconomics): Willingness {
    const [lo, hi] = this.state.socRangeAt(k);
    const t = arbitrageThresholds(this.spec, (lo + hi) / 2, this.futurePrices(k), this.hours, e.tradingCostPerKWh);
    this.thresholds.set(k, t);
    for (const j of this.thresholds.keys()) if (j < k - 4) this.thresholds.delete(j);
    return batteryWillingness(this.spec, lo, hi, t, this.hours, e);
  }
}
