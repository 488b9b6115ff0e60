import type { Willingness } from '../battery/policy.js';
import type { PriceGrid } from '../participant/curve.js';
import { priceDown, priceUp } from '../participant/curve.js';

/**
 * The charge point operator's objective: maximise its margin (driver tariff minus energy cost)
 * while meeting every departure it can. Each plugged-in session splits into the power it must
 * draw now to still finish by its departure at full power afterwards (bought at any price up to
 * the cap) and the power it could draw now instead of later (bought only below the price of the
 * later intervals it would otherwise use). Sign convention of the market: import is negative.
 */

/** What the CPO knows of one plugged-in session when it plans an interval. */
export interface SessionNeed {
  readonly id: string;
  /** First interval the EV is no longer plugged in (it charges in [arrival, departure)). */
  readonly departure: number;
  /** Energy still to deliver, kWh (≥ 0). */
  readonly remainingKWh: number;
  /** Most the session can take, kW (charger and vehicle). */
  readonly maxKW: number;
}

/** Most power the session can take in one interval, kW: its maximum, or what is left to deliver. */
export function chargeableKW(s: SessionNeed, hours: number): number {
  return Math.max(0, Math.min(s.maxKW, s.remainingKWh / hours));
}

/**
 * Must-charge power in interval k, kW: the least power now that still meets the departure if
 * every later interval charges at full power. 0 when later intervals suffice; the session's
 * chargeable power when even that does not (the shortfall is then unavoidable).
 */
export function mustChargeKW(s: SessionNeed, k: number, hours: number): number {
  const later = Math.max(0, s.departure - k - 1) * s.maxKW * hours;
  return Math.min(chargeableKW(s, hours), Math.max(0, (s.remainingKWh - later) / hours));
}

/**
 * The price below which charging the flexible part now beats waiting: energy not bought now must
 * be bought in later intervals of the session, and it needs n = ⌈(remaining − must now) / (max × h)⌉
 * of them at full power; the marginal kWh would land in the n-th cheapest expected one.
 * −∞ when nothing is left to shift (no later interval or no energy after the must part).
 */
export function flexThresholdPerKWh(s: SessionNeed, k: number, hours: number, mustKW: number, expected: (interval: number) => number): number {
  const rest = s.remainingKWh - mustKW * hours;
  const later = Math.max(0, s.departure - k - 1);
  if (rest <= 1e-12 || later === 0) return Number.NEGATIVE_INFINITY;
  const n = Math.min(later, Math.ceil(rest / (s.maxKW * hours) - 1e-9));
  const prices = Array.from({ length: later }, (_, i) => expected(k + 1 + i)).sort((a, b) => a - b);
  return prices[Math.max(0, n - 1)]!;
}

/** One session's bid in an interval: must power at any price, flexible power below its threshold. */
export interface SessionBid {
  readonly mustKW: number;
  readonly flexKW: number;
  readonly thresholdPerKWh: number;
}

/** The bid of a session in interval k from its need and the CPO's expected prices. */
export function sessionBid(s: SessionNeed, k: number, hours: number, expected: (interval: number) => number): SessionBid {
  const must = mustChargeKW(s, k, hours);
  return { mustKW: must, flexKW: Math.max(0, chargeableKW(s, hours) - must), thresholdPerKWh: flexThresholdPerKWh(s, k, hours, must, expected) };
}

export interface CpoCurveInput {
  readonly sessions: readonly SessionBid[];
  /** Site connection limit, kW: total charging never exceeds it. */
  readonly siteLimitKW: number;
  /** Forecast PV output at the site, kW (0 without PV). */
  readonly pvKW: number;
  /** Lowest price at which the site sells PV surplus, per kWh. */
  readonly reservationPerKWh: number;
  readonly tradingCostPerKWh: number;
}

/**
 * The site's willingness: charging demand D(p) = min(site limit, Σ must + Σ flexible whose
 * threshold is above p) — must power bid up to the cap, flexible power at thresholds rounded down
 * onto the tick — less the site's PV, which serves the chargers first; a PV surplus is sold from
 * the reservation price plus trading cost and curtailed below it; at negative prices PV is
 * curtailed and all charging bought.
 */
export function cpoWillingness(i: CpoCurveInput, grid: PriceGrid): Willingness {
  const flex = i.sessions
    .filter((b) => b.flexKW > 0 && Number.isFinite(b.thresholdPerKWh) && b.thresholdPerKWh > grid.priceFloor)
    .map((b) => ({ kw: b.flexKW, below: priceDown(grid, b.thresholdPerKWh) }))
    .sort((a, b) => a.below - b.below);
  // above[j]: flexible power of the sessions from j on (thresholds ascending).
  const above = new Float64Array(flex.length + 1);
  for (let j = flex.length - 1; j >= 0; j--) above[j] = above[j + 1]! + flex[j]!.kw;
  const must = i.sessions.reduce((s, b) => s + b.mustKW, 0);
  const demand = (p: number): number => {
    let lo = 0;
    let hi = flex.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (flex[mid]!.below > p) hi = mid;
      else lo = mid + 1;
    }
    return Math.min(i.siteLimitKW, must + above[lo]!);
  };
  const curtailBelow = i.pvKW > 0 && -i.tradingCostPerKWh > grid.priceFloor ? priceDown(grid, -i.tradingCostPerKWh) : Number.NEGATIVE_INFINITY;
  const sellFrom = priceUp(grid, i.reservationPerKWh + i.tradingCostPerKWh);
  const powerAt = (p: number): number => {
    const d = demand(p);
    if (p < curtailBelow) return -d;
    const net = i.pvKW - d;
    return net >= 0 ? (p >= sellFrom ? net : 0) : net;
  };
  const breakpoints = [...flex.map((f) => f.below), ...(i.pvKW > 0 ? [curtailBelow, sellFrom] : [])];
  return { powerAt, breakpoints: breakpoints.filter((p) => Number.isFinite(p)) };
}

/**
 * Shares `availableKW` of charging among plugged-in sessions, earliest departure first: first
 * every session's must-charge power, then their flexible power, each up to what the session can
 * take and all within the site limit. Ties go by session id. Returns kW per session id (only > 0).
 */
export function allocateEarliestDeadlineFirst(sessions: readonly SessionNeed[], k: number, hours: number, availableKW: number, siteLimitKW: number): Map<string, number> {
  const order = [...sessions].sort((a, b) => a.departure - b.departure || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = new Map<string, number>();
  let left = Math.max(0, Math.min(availableKW, siteLimitKW));
  for (const pass of ['must', 'flex'] as const) {
    for (const s of order) {
      if (left <= 0) break;
      const given = out.get(s.id) ?? 0;
      const cap = pass === 'must' ? mustChargeKW(s, k, hours) : chargeableKW(s, hours);
      const add = Math.min(left, Math.max(0, cap - given));
      if (add <= 0) continue;
      out.set(s.id, given + add);
      left -= add;
    }
  }
  return out;
}
