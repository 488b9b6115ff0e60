import type { PriceGrid } from '../participant/curve.js';
import { priceDown, priceUp } from '../participant/curve.js';
import type { Willingness } from '../battery/policy.js';

/**
 * The solar prosumer's objective and physics. It maximises revenue: surplus PV is sold at or above
 * its reservation price, a deficit is bought at or below what it would otherwise pay (retail,
 * under its deviation contract), PV is curtailed when the price is negative, and a home battery
 * arbitrages on top. Forecasts are uncertain, so committing energy is a newsvendor choice: each
 * further kW is offered at the price that pays for the chance of not having it.
 */

/** Standard normal quantile Φ⁻¹(q) for q in (0, 1) (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile level must be in (0, 1), got ${q}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (q < lo) {
    const t = Math.sqrt(-2 * Math.log(q));
    x = (((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  } else if (q <= 1 - lo) {
    const t = q - 0.5;
    const r = t * t;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * t) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const t = Math.sqrt(-2 * Math.log(1 - q));
    x = -(((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  }
  return x;
}

/** Quantile levels at which the newsvendor ramps are sampled (the outer ones bound the commitment). */
export const RAMP_LEVELS: readonly number[] = [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98];

export interface ProsumerCurveInput {
  /** Forecast PV output and own load over the interval, kW (≥ 0). */
  readonly pvKW: number;
  readonly loadKW: number;
  /** Relative sd of the forecasts (the prosumer knows its forecast quality). */
  readonly relErrorSd: number;
  /** Lowest price at which it sells surplus, per kWh (before trading costs). */
  readonly reservationPerKWh: number;
  /** What energy it is short of costs it (retail, or the deviation penalty), per kWh. */
  readonly shortfallCostPerKWh: number;
  /** What energy it has too much of is worth (feed-in, or minus the penalty), per kWh. */
  readonly excessValuePerKWh: number;
  /** Fee, tax and duty per traded kWh. */
  readonly tradingCostPerKWh: number;
  /** A home battery's own willingness, added to the PV and load position; absent = none. */
  readonly battery?: Willingness;
}

const clamp01 = (q: number, lo: number, hi: number): number => (q < lo ? lo : q > hi ? hi : q);

/**
 * The prosumer's willingness to trade (kW, + export) as a function of price, with its breakpoints:
 *
 * - price below −cost: PV curtailed, the whole load bought (being paid to take energy beats
 *   using its own);
 * - surplus: it sells the q-quantile of its uncertain net position at price
 *   `reservation + cost + (shortfall − reservation)·q` — the firm part at the reservation price, the
 *   uncertain part only at prices that pay for the risk of buying the shortfall back;
 * - deficit: it buys the q-quantile of its need at price `excess − cost + (shortfall − excess)·q`,
 *   so nothing above `shortfall − cost` (retail less trading cost), the likely need around the
 *   middle, and extra only when cheap;
 * - otherwise it stays out of the market (surplus below the reservation price is curtailed,
 *   a deficit above retail is taken under the deviation contract).
 *
 * With a battery, its willingness at each price is added to the PV and load position before the
 * rules above, so the battery soaks up own surplus first. With sd 0 the ramps become steps.
 * Thresholds are rounded onto the price tick in the prosumer's favour.
 */
export function prosumerWillingness(i: ProsumerCurveInput, grid: PriceGrid): Willingness {
  const mu = i.pvKW - i.loadKW;
  const sigma = i.relErrorSd * Math.hypot(i.pvKW, i.loadKW);
  const tc = i.tradingCostPerKWh;
  const r = i.reservationPerKWh;
  const cs = i.shortfallCostPerKWh;
  const ce = i.excessValuePerKWh;
  const battery = i.battery?.powerAt ?? ((): number => 0);
  const curtailBelow = -tc > grid.priceFloor ? priceDown(grid, -tc) : Number.NEGATIVE_INFINITY;
  const sellFrom = priceUp(grid, r + tc);
  const buyUpTo = priceDown(grid, cs - tc);
  const qMin = RAMP_LEVELS[0]!;
  const qMax = RAMP_LEVELS[RAMP_LEVELS.length - 1]!;
  const position = (q: number): number => (sigma > 0 ? mu + sigma * normalQuantile(q) : mu);
  const sellLevel = (p: number): number => (cs > r ? clamp01((p - tc - r) / (cs - r), qMin, qMax) : 0.5);
  const buyLevel = (p: number): number => (cs > ce ? clamp01((p + tc - ce) / (cs - ce), qMin, qMax) : 0.5);

  const powerAt = (p: number): number => {
    const b = battery(p);
    if (p < curtailBelow) return Math.min(-i.loadKW, position(qMin)) + Math.min(0, b);
    const sell = position(sellLevel(p)) + b;
    if (sell > 0 && p >= sellFrom) return sell;
    const buy = position(buyLevel(p)) + b;
    if (buy < 0 && p <= buyUpTo) return buy;
    return 0;
  };

  const breakpoints = [curtailBelow, sellFrom, buyUpTo, ...(i.battery?.breakpoints ?? [])];
  if (sigma > 0) {
    for (const q of RAMP_LEVELS) {
      if (cs > r) breakpoints.push(r + tc + q * (cs - r));
      if (cs > ce) breakpoints.push(ce - tc + q * (cs - ce));
    }
  }
  return { powerAt, breakpoints: breakpoints.filter((p) => Number.isFinite(p)) };
}

/** What a prosumer's site did in one interval. */
export interface SiteOperation {
  /** Net power at the meter, kW (+ export). */
  readonly netKW: number;
  /** Battery power, kW (+ discharge). */
  readonly batteryKW: number;
  /** PV held back, kW (≥ 0). */
  readonly curtailedKW: number;
}

/**
 * Operates a PV + load (+ battery) site for one interval on the true PV and load. With a target
 * (the market setpoint) the battery closes the gap first, then PV is curtailed if the site would
 * still export more than the target; whatever remains is the deviation. Without a target the site
 * runs for self-consumption: the battery stores surplus and covers the deficit, nothing is curtailed.
 * When the battery can close the gap the net power is exactly the target.
 */
export function operateSite(pvKW: number, loadKW: number, battery: { readonly chargeKW: number; readonly dischargeKW: number }, targetKW: number | undefined): SiteOperation {
  const natural = pvKW - loadKW;
  const clampB = (x: number): number => (x < -battery.chargeKW ? 0 - battery.chargeKW : x > battery.dischargeKW ? battery.dischargeKW : x);
  if (targetKW === undefined) {
    const b = clampB(-natural);
    return { netKW: b === -natural ? 0 : natural + b, batteryKW: b, curtailedKW: 0 };
  }
  const want = targetKW - natural;
  const b = clampB(want);
  if (b === want) return { netKW: targetKW, batteryKW: b, curtailedKW: 0 };
  const net = natural + b;
  if (net > targetKW) {
    const curtail = Math.min(net - targetKW, pvKW);
    return { netKW: curtail === net - targetKW ? targetKW : net - curtail, batteryKW: b, curtailedKW: curtail };
  }
  return { netKW: net, batteryKW: b, curtailedKW: 0 };
}
