import type { PriceGrid } from '../participant/curve.js';
import { priceNearest } from '../participant/curve.js';

/**
 * Battery physics and the arbitrage policy, shared by stand-alone batteries and prosumers with a
 * home battery. Sign: positive power = discharge (export), negative = charge. State of charge
 * (SoC) is stored energy in kWh; losses are split evenly between charging and discharging.
 */

export interface BatterySpec {
  /** Usable capacity, kWh (> 0). */
  readonly capacityKWh: number;
  /** Inverter power for charging and discharging, kW (> 0). */
  readonly powerKW: number;
  /** Round-trip efficiency, (0, 1]: energy out over energy in. */
  readonly roundTripEfficiency: number;
  /** SoC limits, percent of capacity, 0 ≤ min < max ≤ 100. */
  readonly socMinPct: number;
  readonly socMaxPct: number;
}

/** Charging and discharging efficiency each: √(round trip). */
export function oneWayEfficiency(spec: BatterySpec): number {
  return Math.sqrt(spec.roundTripEfficiency);
}

const socMin = (s: BatterySpec): number => (s.capacityKWh * s.socMinPct) / 100;
const socMax = (s: BatterySpec): number => (s.capacityKWh * s.socMaxPct) / 100;

/** Largest discharge power over `hours` from `socKWh` (kW ≥ 0): inverter rating or the energy above the SoC floor. */
export function dischargeLimitKW(spec: BatterySpec, socKWh: number, hours: number): number {
  return Math.max(0, Math.min(spec.powerKW, ((socKWh - socMin(spec)) * oneWayEfficiency(spec)) / hours));
}

/** Largest charge power over `hours` from `socKWh` (kW ≥ 0): inverter rating or the room below the SoC ceiling. */
export function chargeLimitKW(spec: BatterySpec, socKWh: number, hours: number): number {
  return Math.max(0, Math.min(spec.powerKW, (socMax(spec) - socKWh) / (oneWayEfficiency(spec) * hours)));
}

/** SoC after running at `powerKW` (+ discharge) for `hours`, clamped to the SoC limits. */
export function socAfter(spec: BatterySpec, socKWh: number, powerKW: number, hours: number): number {
  const eta = oneWayEfficiency(spec);
  const next = powerKW >= 0 ? socKWh - (powerKW * hours) / eta : socKWh - powerKW * hours * eta;
  return Math.min(socMax(spec), Math.max(socMin(spec), next));
}

/** Prices at which a battery starts to charge (below) and to discharge (above), per kWh. */
export interface ArbitrageThresholds {
  readonly chargeBelowPerKWh: number;
  readonly dischargeAbovePerKWh: number;
}

/**
 * Arbitrage thresholds from expected future prices (the water value of stored energy). With m the
 * number of full-power intervals the stored energy lasts, the stored kWh is worth the m-th highest
 * expected price ahead: discharge now when the price beats it. One more kWh charged now would be
 * sold at the (m+1)-th highest price, after round-trip losses and the trading cost paid on both
 * trades — and it could also be charged later: with c the full-power intervals needed to fill the
 * battery, charge now only at or below the c-th lowest expected price ahead too, so the battery
 * waits for the cheap hours instead of filling at the first profitable price. With no future price
 * (an empty lookahead) the battery holds its energy. Thresholds are exact (not yet on the tick).
 */
export function arbitrageThresholds(spec: BatterySpec, socKWh: number, futurePricesPerKWh: readonly number[], hours: number, tradingCostPerKWh: number): ArbitrageThresholds {
  const high = [...futurePricesPerKWh].sort((a, b) => b - a);
  if (high.length === 0) return { chargeBelowPerKWh: Number.NEGATIVE_INFINITY, dischargeAbovePerKWh: Number.POSITIVE_INFINITY };
  const eta = oneWayEfficiency(spec);
  const step = spec.powerKW * hours;
  const m = Math.ceil((Math.max(0, socKWh - socMin(spec)) * eta) / step - 1e-9);
  const c = Math.ceil(Math.max(0, socMax(spec) - socKWh) / (eta * step) - 1e-9);
  const at = (sorted: readonly number[], i: number): number => sorted[Math.min(Math.max(0, i), sorted.length - 1)]!;
  const discharge = m === 0 ? Number.POSITIVE_INFINITY : at(high, m - 1);
  const profitable = spec.roundTripEfficiency * (at(high, m) - tradingCostPerKWh) - tradingCostPerKWh;
  const cheapestLater = c === 0 ? Number.NEGATIVE_INFINITY : at([...high].reverse(), c - 1);
  const charge = Math.min(profitable, cheapestLater);
  return { chargeBelowPerKWh: Math.min(charge, discharge), dischargeAbovePerKWh: discharge };
}

/** A willingness function with the prices where it jumps, ready for `curveFromFunction`. */
export interface Willingness {
  readonly powerAt: (pricePerKWh: number) => number;
  readonly breakpoints: readonly number[];
}

/**
 * The battery's willingness: full charge below the charge threshold, full discharge above the
 * discharge threshold, idle between, indifferent at each. Thresholds are expected values, so they
 * go to the nearest tick (rounding a seller's up would leave it idle when buyers pay exactly the
 * price it expects later, a trade it is indifferent to). The SoC may be a range when earlier
 * intervals are not settled yet: charging is limited from the highest and discharging from the
 * lowest SoC it may have, so the battery never offers what it may not hold.
 */
export function batteryWillingness(spec: BatterySpec, socLowKWh: number, socHighKWh: number, t: ArbitrageThresholds, hours: number, grid: PriceGrid): Willingness {
  const maxCharge = chargeLimitKW(spec, socHighKWh, hours);
  const maxDischarge = dischargeLimitKW(spec, socLowKWh, hours);
  const chargeBelow = Number.isFinite(t.chargeBelowPerKWh) && t.chargeBelowPerKWh > grid.priceFloor ? priceNearest(grid, t.chargeBelowPerKWh) : Number.NEGATIVE_INFINITY;
  const dischargeAbove = Number.isFinite(t.dischargeAbovePerKWh) && t.dischargeAbovePerKWh < grid.priceCap ? priceNearest(grid, t.dischargeAbovePerKWh) : Number.POSITIVE_INFINITY;
  return {
    powerAt: (p) => (p < chargeBelow ? -maxCharge : p > dischargeAbove ? maxDischarge : 0),
    breakpoints: [chargeBelow, dischargeAbove].filter((p) => Number.isFinite(p)),
  };
}

/**
 * A battery's state between bids and deliveries. The SoC is known at the end of the last operated
 * interval; intervals cleared but not yet delivered carry their planned power; intervals bid but
 * not yet cleared may still do anything, so the SoC at a later start is a range.
 */
export class BatteryState {
  private socKWh: number;
  private operatedUpTo = -1;
  private readonly plans = new Map<number, number>();

  constructor(
    readonly spec: BatterySpec,
    initialSocPct: number,
    private readonly hours: number,
  ) {
    this.socKWh = Math.min(socMax(spec), Math.max(socMin(spec), (spec.capacityKWh * initialSocPct) / 100));
  }

  /** SoC now (end of the last operated interval), kWh. */
  get soc(): number {
    return this.socKWh;
  }

  /** Records the planned power (+ discharge) of a cleared interval. */
  plan(k: number, powerKW: number): void {
    if (k > this.operatedUpTo) this.plans.set(k, powerKW);
  }

  /** The SoC range at the start of interval k given what is known now. */
  socRangeAt(k: number): readonly [lowKWh: number, highKWh: number] {
    let lo = this.socKWh;
    let hi = this.socKWh;
    for (let j = this.operatedUpTo + 1; j < k; j++) {
      const p = this.plans.get(j);
      if (p !== undefined) {
        lo = socAfter(this.spec, lo, p, this.hours);
        hi = socAfter(this.spec, hi, p, this.hours);
      } else {
        lo = socAfter(this.spec, lo, dischargeLimitKW(this.spec, lo, this.hours), this.hours);
        hi = socAfter(this.spec, hi, -chargeLimitKW(this.spec, hi, this.hours), this.hours);
      }
    }
    return [lo, hi];
  }

  /** Charge and discharge limits (kW ≥ 0) for interval k, from the SoC now (k is the next interval to operate). */
  limits(): { readonly chargeKW: number; readonly dischargeKW: number } {
    return { chargeKW: chargeLimitKW(this.spec, this.socKWh, this.hours), dischargeKW: dischargeLimitKW(this.spec, this.socKWh, this.hours) };
  }

  /** Runs interval k at `powerKW` (+ discharge, within the limits) and moves the SoC. */
  operate(k: number, powerKW: number): void {
    this.socKWh = socAfter(this.spec, this.socKWh, powerKW, this.hours);
    this.operatedUpTo = Math.max(this.operatedUpTo, k);
    this.plans.delete(k);
    for (const j of this.plans.keys()) if (j <= k) this.plans.delete(j);
  }
}
