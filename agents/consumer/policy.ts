import type { Willingness } from '../battery/policy.js';
import type { PriceGrid } from '../participant/curve.js';
import { priceDown } from '../participant/curve.js';

/**
 * The household consumer: most of its load is inelastic and bought at any price up to its limit
 * (the market cap by default); a share is flexible (laundry, water heating, pumps) and shifts away
 * from prices above what the household normally pays, to be used within a few hours.
 */

export interface ConsumerCurveInput {
  /** Load it must have this interval, kW (≥ 0): its inelastic share and shifted load now due. */
  readonly inelasticKW: number;
  /** Load it may shift, kW (≥ 0): its flexible share and earlier shifted load. */
  readonly flexibleKW: number;
  /** Retail tariff of the interval, per kWh. */
  readonly retailPerKWh: number;
  /** Flexible load is bought in full up to retail × this (before trading cost). */
  readonly flexPriceFactor: number;
  /** … and not at all from retail × this; linear between. */
  readonly flexCutoffFactor: number;
  /** Highest price it pays for inelastic load, per kWh. */
  readonly maxPricePerKWh: number;
  readonly tradingCostPerKWh: number;
}

/** The consumer's willingness: −inelastic up to its price limit, minus the flexible part fading out between the two flexible prices. */
export function consumerWillingness(i: ConsumerCurveInput, grid: PriceGrid): Willingness {
  const full = priceDown(grid, i.retailPerKWh * i.flexPriceFactor - i.tradingCostPerKWh);
  const cut = Math.max(full + grid.priceTick, priceDown(grid, i.retailPerKWh * i.flexCutoffFactor - i.tradingCostPerKWh));
  const limit = i.maxPricePerKWh >= grid.priceCap ? Number.POSITIVE_INFINITY : priceDown(grid, i.maxPricePerKWh - i.tradingCostPerKWh);
  const share = (p: number): number => (p <= full ? 1 : p >= cut ? 0 : (cut - p) / (cut - full));
  return {
    powerAt: (p) => -(p <= limit ? i.inelasticKW : 0) - i.flexibleKW * share(p),
    breakpoints: [full, cut, limit].filter((p) => Number.isFinite(p)),
  };
}

/** Energy shifted out of an interval, to be used by `dueInterval` at the latest. */
interface Shifted {
  kWh: number;
  readonly dueInterval: number;
}

/** One interval of a household: what it consumed and what it shifted. */
export interface HouseholdInterval {
  /** Consumption, kW (≥ 0). */
  readonly consumedKW: number;
  /** Flexible energy moved to later intervals, kWh (≥ 0). */
  readonly shiftedKWh: number;
}

/**
 * A household's shiftable load over time. Shifted energy waits at most `maxShiftIntervals`; when
 * due it becomes inelastic. Earlier shifted energy is offered again as flexible load at up to
 * `maxReboundKW`, oldest first.
 */
export class ShiftableLoad {
  private readonly queue: Shifted[] = [];

  constructor(
    private readonly flexibleShare: number,
    private readonly maxShiftIntervals: number,
    private readonly maxReboundKW: number,
    private readonly hours: number,
  ) {}

  /** Shifted energy waiting, kWh. */
  get backlogKWh(): number {
    return this.queue.reduce((s, e) => s + e.kWh, 0);
  }

  private dueKWh(k: number): number {
    return this.queue.filter((e) => e.dueInterval <= k).reduce((s, e) => s + e.kWh, 0);
  }

  /** Inelastic and flexible load (kW) of interval k for a base load of `loadKW`. */
  split(k: number, loadKW: number): { readonly inelasticKW: number; readonly flexibleKW: number } {
    const due = this.dueKWh(k);
    const waiting = this.backlogKWh - due;
    return {
      inelasticKW: (1 - this.flexibleShare) * loadKW + due / this.hours,
      flexibleKW: this.flexibleShare * loadKW + Math.min(waiting / this.hours, this.maxReboundKW),
    };
  }

  /**
   * Runs interval k on the true base load. With `importKW` (the market's setpoint as a positive
   * import) it consumes the inelastic load whatever it is and flexible load up to the setpoint,
   * earlier shifted energy first; without it, everything it may. Unused flexible load of this
   * interval is shifted.
   */
  operate(k: number, loadKW: number, importKW: number | undefined): HouseholdInterval {
    const { inelasticKW, flexibleKW } = this.split(k, loadKW);
    const room = importKW === undefined ? flexibleKW : importKW - inelasticKW;
    const useFlex = Math.max(0, Math.min(flexibleKW, room));
    // Due energy is consumed now; the rest of the queue waits.
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.dueInterval <= k) this.queue.splice(i, 1);
    const rebound = flexibleKW - this.flexibleShare * loadKW;
    let fromQueue = Math.min(useFlex, rebound) * this.hours;
    for (const e of this.queue) {
      if (fromQueue <= 0) break;
      const take = Math.min(e.kWh, fromQueue);
      e.kWh -= take;
      fromQueue -= take;
    }
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.kWh <= 1e-12) this.queue.splice(i, 1);
    const ownUsed = Math.max(0, useFlex - rebound);
    const shifted = Math.max(0, this.flexibleShare * loadKW - ownUsed) * this.hours;
    if (shifted > 1e-12) this.queue.push({ kWh: shifted, dueInterval: k + this.maxShiftIntervals });
    // Following the setpoint exactly reports exactly the setpoint.
    return { consumedKW: importKW !== undefined && useFlex === room ? importKW : inelasticKW + useFlex, shiftedKWh: shifted };
  }
}
