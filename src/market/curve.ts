import type { Diagnostic } from '../diagnostics.js';
import type { OfferCurve } from './curve-types.js';

const CURVE_FIELDS = new Set(['currency', 'minExport', 'maxExport', 'curve']);
const POINT_FIELDS = new Set(['price', 'powerKW']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * Checks an offer curve (a parsed document or an {@link OfferCurve}) and returns every problem at
 * once, with paths under `path` (e.g. `participants[2].offerCurve.curve[1].price`). Rules: the
 * fields of the DEG OfferCurve and nothing else; a currency code; finite numbers; `minExport ≤
 * maxExport`; at least one point; prices sorted ascending (equal prices form a step); power
 * non-decreasing along the list. Prices may be negative.
 */
export function validateCurve(curve: unknown, path: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (sub: string): string => (path === '' ? sub : `${path}.${sub}`);
  if (!isRecord(curve)) {
    out.push({ code: 'curve.type', path, message: 'an offer curve must be an object with currency, minExport, maxExport and curve' });
    return out;
  }
  for (const key of Object.keys(curve)) {
    if (!CURVE_FIELDS.has(key)) out.push({ code: 'curve.unknown-field', path: at(key), message: `unknown field "${key}" (an offer curve has currency, minExport, maxExport and curve)` });
  }
  if (typeof curve.currency !== 'string' || !/^[A-Z]{3}$/.test(curve.currency)) {
    out.push({ code: 'curve.currency', path: at('currency'), message: 'currency must be an ISO 4217 code such as "INR"' });
  }
  for (const key of ['minExport', 'maxExport'] as const) {
    if (!isFiniteNumber(curve[key])) out.push({ code: 'curve.number', path: at(key), message: `${key} must be a finite number of kW` });
  }
  if (isFiniteNumber(curve.minExport) && isFiniteNumber(curve.maxExport) && curve.minExport > curve.maxExport) {
    out.push({ code: 'curve.bounds', path: at('minExport'), message: `minExport (${curve.minExport} kW) must not exceed maxExport (${curve.maxExport} kW)` });
  }
  const points = curve.curve;
  if (!Array.isArray(points)) {
    out.push({ code: 'curve.type', path: at('curve'), message: 'curve must be a list of {price, powerKW} points' });
    return out;
  }
  if (points.length === 0) out.push({ code: 'curve.empty', path: at('curve'), message: 'curve needs at least one {price, powerKW} point' });
  let prevPrice: number | undefined;
  let prevPower: number | undefined;
  points.forEach((pt: unknown, i: number) => {
    const p = `${at('curve')}[${i}]`;
    if (!isRecord(pt)) {
      out.push({ code: 'curve.type', path: p, message: 'a curve point must be an object {price, powerKW}' });
      prevPrice = undefined;
      prevPower = undefined;
      return;
    }
    for (const key of Object.keys(pt)) {
      if (!POINT_FIELDS.has(key)) out.push({ code: 'curve.unknown-field', path: `${p}.${key}`, message: `unknown field "${key}" (a curve point has price and powerKW)` });
    }
    const price = pt.price;
    const power = pt.powerKW;
    if (!isFiniteNumber(price)) out.push({ code: 'curve.number', path: `${p}.price`, message: 'price must be a finite number per kWh' });
    if (!isFiniteNumber(power)) out.push({ code: 'curve.number', path: `${p}.powerKW`, message: 'powerKW must be a finite number of kW' });
    if (isFiniteNumber(price) && prevPrice !== undefined && price < prevPrice) {
      out.push({ code: 'curve.unsorted', path: `${p}.price`, message: `prices must be sorted ascending: ${price} comes after ${prevPrice}` });
    }
    if (isFiniteNumber(power) && prevPower !== undefined && power < prevPower) {
      out.push({
        code: 'curve.decreasing',
        path: `${p}.powerKW`,
        message: `power must not decrease as the price rises: ${power} kW comes after ${prevPower} kW`,
      });
    }
    prevPrice = isFiniteNumber(price) ? price : undefined;
    prevPower = isFiniteNumber(power) ? power : undefined;
  });
  return out;
}

/**
 * The range of power (kW) a curve offers at `price`: `[lowKW, highKW]`. Off the steps both ends are
 * the same value. At a step (several points at one price) the participant is indifferent across
 * the whole step, from the power just below the price to the power just above it. Linear between
 * points, flat beyond the ends, clipped to [minExport, maxExport]. The curve is assumed valid.
 */
export function curvePowerRange(curve: OfferCurve, price: number): readonly [lowKW: number, highKW: number] {
  const pts = curve.curve;
  const n = pts.length;
  const clip = (v: number): number => (v < curve.minExport ? curve.minExport : v > curve.maxExport ? curve.maxExport : v);
  // first index with point price ≥ price
  let j = 0;
  while (j < n && pts[j]!.price < price) j++;
  if (j === n) {
    const v = clip(pts[n - 1]!.powerKW);
    return [v, v];
  }
  const pj = pts[j]!;
  if (pj.price === price) {
    let k = j;
    while (k + 1 < n && pts[k + 1]!.price === price) k++;
    return [clip(pj.powerKW), clip(pts[k]!.powerKW)];
  }
  if (j === 0) {
    const v = clip(pj.powerKW);
    return [v, v];
  }
  const pa = pts[j - 1]!;
  const v = clip(pa.powerKW + ((pj.powerKW - pa.powerKW) * (price - pa.price)) / (pj.price - pa.price));
  return [v, v];
}

/**
 * Power (kW) a curve offers at `price`. At a step price this is the power just above the price
 * (the upper end of {@link curvePowerRange}); clearing itself uses the whole range.
 */
export function curvePowerAt(curve: OfferCurve, price: number): number {
  return curvePowerRange(curve, price)[1];
}
