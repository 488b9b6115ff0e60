import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, decimalOf, exactLineAmountMinor, formatMinor, lineAmountMinor, parseMinor, toScaled } from './money.js';

describe('currencyExponent', () => {
  it('knows the ISO 4217 minor units', () => {
    expect([currencyExponent('INR'), currencyExponent('EUR'), currencyExponent('JPY'), currencyExponent('KWD'), currencyExponent('XYZ')]).toEqual([2, 2, 0, 3, undefined]);
    expect(currencyExponent('toString')).toBeUndefined();
  });
});

describe('lineAmountMinor', () => {
  it('multiplies quantity by rate and rounds half to even at the minor unit', () => {
    expect(lineAmountMinor(10, 6, 2)).toBe(6000n);
    expect(lineAmountMinor(0.1, 0.7, 2)).toBe(7n); // 0.07 exactly, although 0.1 * 0.7 * 100 = 7.000000000000001
    expect(lineAmountMinor(1.005, 1, 2)).toBe(100n); // tie 100.5 → even 100, though 1.005 is 1.00499999… in binary
    expect(lineAmountMinor(1.015, 1, 2)).toBe(102n); // tie 101.5 → even 102
    expect(lineAmountMinor(0.125, 1, 2)).toBe(12n); // 12.5 → 12
    expect(lineAmountMinor(0.135, 1, 2)).toBe(14n); // 13.5 → 14
    expect(lineAmountMinor(2.5, 1, 0)).toBe(2n); // JPY
    expect(lineAmountMinor(3.5, 1, 0)).toBe(4n);
    expect(lineAmountMinor(0.0005, 1, 3)).toBe(0n); // KWD: 0.5 fils → 0
    expect(lineAmountMinor(0.0015, 1, 3)).toBe(2n);
    expect(lineAmountMinor(50, 0.0625, 2)).toBe(312n); // 312.5 → 312
  });

  it('absorbs binary noise in computed quantities: inputs are taken to 9 decimals before multiplying', () => {
    expect(0.1 + 0.2).toBe(0.30000000000000004);
    expect(lineAmountMinor(0.1 + 0.2, 0.5, 2)).toBe(15n); // 0.3 × 0.5 = 0.15
    const deviationKWh = 2.05 - 2; // 0.04999999999999982
    expect(lineAmountMinor(deviationKWh, 3.1, 2)).toBe(16n); // 0.05 × 3.10 = 0.155 → tie → 16 (even)
    expect(exactLineAmountMinor(deviationKWh, 3.1, 2)).toBe(16n);
    expect(lineAmountMinor(0.0000000004, 1e9, 2)).toBe(0n); // 4e-10 rounds to 0 at 9 decimals
    expect(toScaled(1.0000000005, 9)).toBe(1000000000n); // half to even
    expect(toScaled(1.0000000015, 9)).toBe(1000000002n);
  });

  it('uses magnitudes: the sign of the product is the payer/payee swap, not the amount', () => {
    expect(lineAmountMinor(-4, 5, 2)).toBe(2000n);
    expect(lineAmountMinor(4, -5, 2)).toBe(2000n);
    expect(lineAmountMinor(0, -5, 2)).toBe(0n);
  });

  it('stays exact for very large and very small values', () => {
    expect(lineAmountMinor(1e20, 3, 2)).toBe(30000000000000000000000n);
    expect(lineAmountMinor(1e-9, 1e-9, 2)).toBe(0n);
    expect(lineAmountMinor(123456789.125, 1, 2)).toBe(12345678912n);
  });

  it('agrees with the exact bigint path on random inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.constantFrom(0, 2, 3),
        (q, r, e) => lineAmountMinor(q, r, e) === exactLineAmountMinor(q, r, e),
      ),
      { numRuns: 2000 },
    );
    // Ties built from decimals with few digits, where the fast path must defer to the exact one.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 100_000 }), (qm, rm) => {
        const q = qm / 1000;
        const r = rm / 10_000;
        const exact = BigInt(qm) * BigInt(rm); // amount × 10^7; minor units are 10^-2 → divide by 10^5
        const base = exact / 100_000n;
        const rem = exact % 100_000n;
        const expected = rem > 50_000n || (rem === 50_000n && base % 2n === 1n) ? base + 1n : base;
        return lineAmountMinor(q, r, 2) === expected;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decimals', () => {
  it('reads a double as the decimal it prints as', () => {
    expect(decimalOf(0.1)).toEqual({ digits: 1n, exp10: -1 });
    expect(decimalOf(1.5e-7)).toEqual({ digits: 15n, exp10: -8 });
    expect(decimalOf(2e21)).toEqual({ digits: 2n, exp10: 21 });
    expect(decimalOf(42)).toEqual({ digits: 42n, exp10: 0 });
  });

  it('formats and parses minor units with the currency decimals', () => {
    expect(formatMinor(12345n, 2)).toBe('123.45');
    expect(formatMinor(-5n, 2)).toBe('-0.05');
    expect(formatMinor(7n, 3)).toBe('0.007');
    expect(formatMinor(-1500n, 0)).toBe('-1500');
    expect(formatMinor(0n, 2)).toBe('0.00');
    expect(parseMinor('123.45', 2)).toBe(12345n);
    expect(parseMinor('-0.5', 2)).toBe(-50n);
    expect(parseMinor('3', 3)).toBe(3000n);
    expect(parseMinor('1.234', 2)).toBeUndefined();
    expect(parseMinor('1e3', 2)).toBeUndefined();
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.constantFrom(0, 2, 3), (m, e) => parseMinor(formatMinor(m, e), e) === m));
  });
});
