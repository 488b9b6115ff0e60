import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHttpLimits, claimedSubscriber, createRateLimiter, createTokenBucket, DEFAULT_HTTP_LIMITS } from './limits.js';

describe('createTokenBucket', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    const b = createTokenBucket(2, 3, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(499)).toBe(false);
    expect(b.take(500)).toBe(true);
    expect(b.take(500)).toBe(false);
    expect(b.available(10_000)).toBe(3);
  });

  it('never holds more than the burst nor refills when time goes backwards', () => {
    const b = createTokenBucket(1000, 5, 1000);
    expect(b.available(999_999)).toBe(5);
    b.take(999_999);
    expect(b.available(0)).toBe(4);
  });

  it('grants at most burst + rate × elapsed requests over any schedule (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }), (rate, burst, gaps) => {
        const b = createTokenBucket(rate, burst, 0);
        let t = 0;
        let granted = 0;
        for (const g of gaps) {
          t += g;
          if (b.take(t)) granted++;
        }
        return granted <= burst + (rate * t) / 1000 + 1e-9;
      }),
    );
  });
});

describe('createRateLimiter', () => {
  it('keeps one bucket per client and forgets the least recently used', () => {
    const l = createRateLimiter(1, 1, 2);
    expect(l.allow('a', 0)).toBe(true);
    expect(l.allow('a', 0)).toBe(false);
    expect(l.allow('b', 0)).toBe(true);
    expect(l.allow('a', 0)).toBe(false);
    expect(l.allow('c', 0)).toBe(true);
    expect(l.clients).toBe(2);
    expect(l.allow('b', 0)).toBe(true);
  });
});

describe('limits helpers', () => {
  it('validates limits and reads the claimed subscriber', () => {
    expect(checkHttpLimits(DEFAULT_HTTP_LIMITS)).toEqual([]);
    expect(checkHttpLimits({ ...DEFAULT_HTTP_LIMITS, maxBodyBytes: 0, burst: 0.5 })).toHaveLength(2);
    expect(claimedSubscriber('Signature keyId="bap.x|k1|ed25519",algorithm="ed25519"')).toBe('bap.x');
    expect(claimedSubscriber('Bearer x')).toBe('');
    expect(claimedSubscriber(undefined)).toBe('');
  });
});
