/**
 * The DEG OfferCurve: what a participant values, power (kW) versus price per kWh.
 * Sign convention: positive power = export / selling, negative = import / buying.
 * Points are sorted by price, power non-decreasing in price; linear between points; two points at
 * the same price form a step; flat beyond the ends; clipped to [minExport, maxExport].
 */
export interface OfferCurvePoint {
  /** Price per kWh in the curve's currency. May be negative. */
  readonly price: number;
  /** Power in kW at that price (positive export, negative import). */
  readonly powerKW: number;
}

export interface OfferCurve {
  /** ISO 4217 currency of the prices. */
  readonly currency: string;
  /** Lower clip in kW (negative = maximum import). */
  readonly minExport: number;
  /** Upper clip in kW (positive = maximum export). */
  readonly maxExport: number;
  readonly curve: readonly OfferCurvePoint[];
}
