import type { SimClock } from '../../src/kernel/clock.js';
import { clearSkyIrradiance } from '../../grid/profiles/index.js';
import type { AgentServices } from '../../src/run/agent.js';
import { marketEconomics } from './economics.js';

/**
 * A participant's own running estimate of the market price per interval, used by policies that
 * move energy in time (batteries, EV charging, load shifting). It starts from what anyone knows
 * without a market history — the tariffs, the trading cost and the sun: with the sun up, rooftop
 * PV makes energy plentiful and the price is expected where sellers start to sell (feed-in plus
 * trading cost); at night where buyers stop buying (retail less trading cost) — and learns from
 * the clearing prices it is told, per time-of-day slot.
 */
export interface PriceEstimator {
  /** Expected clearing price of interval k (any k ≥ 0, also beyond the run), per kWh. */
  expected(k: number): number;
  /** The prior (before learning) of interval k. */
  prior(k: number): number;
  /** Learns from the clearing price of interval k. */
  observe(k: number, pricePerKWh: number): void;
}

export interface PriceEstimatorOptions {
  readonly clock: SimClock;
  readonly latitude: number;
  readonly longitude: number;
  /** Retail tariff of interval k. */
  readonly retailPerKWh: (k: number) => number;
  readonly feedInPerKWh: number;
  /** Fee, tax and duty per traded kWh (sellers add it, buyers take it off). */
  readonly tradingCostPerKWh: number;
  /** Weight of a new observation in its slot's correction, (0, 1]. */
  readonly learningRate: number;
}

/** Global horizontal irradiance of a cloudless sky above which the prior is fully at feed-in, W/m². */
const FULL_SUN_W = 1000;

/** Share of full sun at the middle of interval k: 0 at night, up to 1 at a clear noon. */
export function sunShare(clock: SimClock, latitude: number, longitude: number, k: number): number {
  const mid = clock.intervalStartMs(k) + clock.intervalMs / 2;
  const ghi = clearSkyIrradiance(mid, latitude, longitude, 0, 180).ghiW;
  return Math.min(1, Math.max(0, ghi / FULL_SUN_W));
}

/**
 * Creates an estimator. Prior of interval k: buy − (buy − sell) × sun share, with buy = retail − cost
 * and sell = feed-in + cost (buy ≥ sell assumed; otherwise the midpoint). Learning: per
 * slot of the day (interval start, UTC), an exponentially weighted correction of the prior,
 * `c ← (1 − a)·c + a·(price − prior)`; the expectation is prior + the slot's correction.
 */
export function createPriceEstimator(o: PriceEstimatorOptions): PriceEstimator {
  if (!(o.learningRate > 0 && o.learningRate <= 1)) throw new RangeError(`learningRate must be in (0, 1], got ${o.learningRate}`);
  const priors = new Map<number, number>();
  const correction = new Map<number, number>();
  const slotsPerDay = Math.round(1440 / o.clock.intervalMinutes);
  const slotOf = (k: number): number => {
    const minuteOfDay = ((o.clock.intervalStartMs(k) % 86_400_000) + 86_400_000) % 86_400_000 / 60_000;
    return Math.floor(minuteOfDay / o.clock.intervalMinutes) % slotsPerDay;
  };
  const prior = (k: number): number => {
    let p = priors.get(k);
    if (p === undefined) {
      const buy = o.retailPerKWh(k) - o.tradingCostPerKWh;
      const sell = o.feedInPerKWh + o.tradingCostPerKWh;
      p = buy >= sell ? buy - (buy - sell) * sunShare(o.clock, o.latitude, o.longitude, k) : (buy + sell) / 2;
      priors.set(k, p);
    }
    return p;
  };
  return {
    prior,
    expected: (k) => prior(k) + (correction.get(slotOf(k)) ?? 0),
    observe(k, price) {
      if (!Number.isFinite(price)) return;
      const s = slotOf(k);
      const c = correction.get(s) ?? 0;
      correction.set(s, (1 - o.learningRate) * c + o.learningRate * (price - prior(k)));
    },
  };
}

/** The estimator of a participant in a run: the scenario's tariffs and location, the given learning rate. */
export function participantPriceEstimator(svc: Pick<AgentServices, 'scenario' | 'clock'>, learningRate: number): PriceEstimator {
  const e = marketEconomics(svc.scenario, svc.clock);
  return createPriceEstimator({
    clock: svc.clock,
    latitude: svc.scenario.location.latitude,
    longitude: svc.scenario.location.longitude,
    retailPerKWh: e.retailPerKWh,
    feedInPerKWh: e.feedInPerKWh,
    tradingCostPerKWh: e.tradingCostPerKWh,
    learningRate,
  });
}
