/**
 * Money as exact integers. Every amount in the ledger is a `bigint` count of the currency's minor
 * unit (paise, cents, fils, yen), so sums over any number of lines are exact and cannot drift.
 *
 * The one rounding rule, applied once per ledger line: quantity and rate (doubles from the
 * formulas) are each taken as decimals rounded half to even to 9 decimal places — far finer than
 * any meter or tariff, and coarse enough to absorb binary floating-point noise, so
 * 0.30000000000000004 kWh is 0.3 kWh — then multiplied exactly, and the magnitude of the product
 * is rounded half to even to the currency's minor unit.
 */

/** ISO 4217 minor-unit exponents of the currencies a scenario may use. */
const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  AED: 2, ARS: 2, AUD: 2, BDT: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, COP: 2, CZK: 2,
  DKK: 2, EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, IQD: 3, ISK: 0, JOD: 3,
  JPY: 0, KES: 2, KRW: 0, KWD: 3, LKR: 2, LYD: 3, MAD: 2, MXN: 2, MYR: 2, NGN: 2, NOK: 2, NPR: 2,
  NZD: 2, OMR: 3, PHP: 2, PKR: 2, PLN: 2, QAR: 2, RON: 2, RWF: 0, SAR: 2, SEK: 2, SGD: 2, THB: 2,
  TND: 3, TRY: 2, TWD: 2, UAH: 2, UGX: 0, USD: 2, VND: 0, XAF: 0, XOF: 0, ZAR: 2,
};

/** The known currency codes, sorted. */
export const KNOWN_CURRENCIES: readonly string[] = Object.keys(CURRENCY_EXPONENTS).sort();

/** Minor-unit exponent of an ISO 4217 code (INR 2, JPY 0, KWD 3), or undefined if unknown. */
export function currencyExponent(currency: string): number | undefined {
  return Object.hasOwn(CURRENCY_EXPONENTS, currency) ? CURRENCY_EXPONENTS[currency] : undefined;
}

const POW10 = [1, 10, 100, 1000] as const;

/** Decimal places quantities and rates are taken to before they are multiplied. */
export const LINE_INPUT_DECIMALS = 9;

/**
 * Amount of a line in minor units by the rounding rule above: |quantity| and |rate| rounded half
 * to even to 9 decimals, multiplied exactly, rounded half to even at the minor unit. A
 * double-precision fast path is taken only when the product is provably far from a rounding tie;
 * otherwise the exact bigint path decides. Quantity and rate must be finite; exponent is 0–3.
 */
export function lineAmountMinor(quantity: number, rate: number, exponent: number): bigint {
  const q = Math.abs(quantity);
  const r = Math.abs(rate);
  if (q === 0 || r === 0) return 0n;
  const scale = POW10[exponent as 0 | 1 | 2 | 3];
  if (scale !== undefined) {
    const p = q * r * scale;
    if (p < 2 ** 50) {
      const f = Math.floor(p);
      const d = p - f - 0.5;
      // Bound on how far the 9-decimal inputs and binary rounding can move the product.
      const margin = ((q + r) * 1e-9 + 1e-12) * scale + p * 1e-14;
      if (Math.abs(d) > margin) return BigInt(d > 0 ? f + 1 : f);
    }
  }
  return exactLineAmountMinor(q, r, exponent);
}

/** The exact path of `lineAmountMinor`, always through bigint decimal arithmetic. */
export function exactLineAmountMinor(quantity: number, rate: number, exponent: number): bigint {
  const q = toScaled(Math.abs(quantity), LINE_INPUT_DECIMALS);
  const r = toScaled(Math.abs(rate), LINE_INPUT_DECIMALS);
  return roundHalfEvenScaled(q * r, exponent - 2 * LINE_INPUT_DECIMALS);
}

/** A finite double as an integer count of 10^-decimals, rounded half to even from its printed decimal. */
export function toScaled(x: number, decimals: number): bigint {
  const d = decimalOf(x);
  return roundHalfEvenScaled(d.digits, d.exp10 + decimals);
}

/** A finite double as the exact decimal it prints as: digits × 10^exp10. */
export interface Decimal {
  readonly digits: bigint;
  readonly exp10: number;
}

/** The shortest round-trip decimal of a finite double, e.g. 0.1 → {1n, -1}, 1e21 → {1n, 21}. */
export function decimalOf(x: number): Decimal {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const s = String(x);
  const ePos = s.indexOf('e');
  const mantissa = ePos < 0 ? s : s.slice(0, ePos);
  let exp10 = ePos < 0 ? 0 : Number(s.slice(ePos + 1));
  const dot = mantissa.indexOf('.');
  let intDigits = mantissa;
  if (dot >= 0) {
    intDigits = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    exp10 -= mantissa.length - dot - 1;
  }
  return { digits: BigInt(intDigits), exp10 };
}

/** digits × 10^exp10 rounded half to even to an integer. */
function roundHalfEvenScaled(digits: bigint, exp10: number): bigint {
  if (exp10 >= 0) return digits * 10n ** BigInt(exp10);
  const negative = digits < 0n;
  const abs = negative ? -digits : digits;
  const div = 10n ** BigInt(-exp10);
  let q = abs / div;
  const rem = abs % div;
  const twice = rem * 2n;
  if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

/** Formats minor units as a decimal string with exactly `exponent` decimals: 12345n, 2 → "123.45". */
export function formatMinor(minor: bigint, exponent: number): string {
  const negative = minor < 0n;
  const abs = (negative ? -minor : minor).toString();
  if (exponent === 0) return negative ? `-${abs}` : abs;
  const padded = abs.padStart(exponent + 1, '0');
  const body = `${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
  return negative ? `-${body}` : body;
}

/**
 * Parses a decimal string ("-12.5", "3", "0.125") to minor units; undefined if it is not a plain
 * decimal or has more decimals than the exponent allows (no silent rounding on input).
 */
export function parseMinor(text: string, exponent: number): bigint | undefined {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) return undefined;
  const frac = m[3] ?? '';
  if (frac.length > exponent) return undefined;
  const value = BigInt((m[2] ?? '0') + frac.padEnd(exponent, '0'));
  return m[1] === '-' ? -value : value;
}
