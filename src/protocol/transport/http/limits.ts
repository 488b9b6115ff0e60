/**
 * Request limits of an HTTP node: body size, and a token-bucket rate limit per client.
 * Pure: time is passed in (ms), so the buckets are tested without a real clock.
 */

/** Limits of one node. */
export interface HttpLimits {
  /** Largest accepted request body, bytes. Larger bodies get 413 without being read. */
  readonly maxBodyBytes: number;
  /** Sustained requests per second allowed per client. */
  readonly ratePerSec: number;
  /** Requests a client may send at once above the sustained rate. */
  readonly burst: number;
  /** How long a graceful shutdown waits for in-flight requests before closing connections, ms. */
  readonly shutdownGraceMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { maxBodyBytes: 256 * 1024, ratePerSec: 5_000, burst: 10_000, shutdownGraceMs: 5_000 };

/** Checks limits: positive finite numbers (burst ≥ 1). Returns the problems, empty when valid. */
export function checkHttpLimits(l: HttpLimits): readonly string[] {
  const problems: string[] = [];
  if (!(Number.isSafeInteger(l.maxBodyBytes) && l.maxBodyBytes > 0)) problems.push(`maxBodyBytes must be a positive integer, got ${l.maxBodyBytes}`);
  if (!(Number.isFinite(l.ratePerSec) && l.ratePerSec > 0)) problems.push(`ratePerSec must be a positive number, got ${l.ratePerSec}`);
  if (!(Number.isFinite(l.burst) && l.burst >= 1)) problems.push(`burst must be at least 1, got ${l.burst}`);
  if (!(Number.isFinite(l.shutdownGraceMs) && l.shutdownGraceMs >= 0)) problems.push(`shutdownGraceMs must be ≥ 0, got ${l.shutdownGraceMs}`);
  return problems;
}

/** A token bucket: holds up to `burst` tokens, refilled at `ratePerSec`; each request takes one. */
export interface TokenBucket {
  /** Takes a token at `nowMs`; false when the bucket is empty (the request must be refused). */
  take(nowMs: number): boolean;
  /** Tokens available at `nowMs` (without taking one). */
  available(nowMs: number): number;
}

/** A full bucket at `startMs`. Time going backwards refills nothing. */
export function createTokenBucket(ratePerSec: number, burst: number, startMs: number): TokenBucket {
  let tokens = burst;
  let lastMs = startMs;
  const refill = (nowMs: number): void => {
    if (nowMs > lastMs) {
      tokens = Math.min(burst, tokens + ((nowMs - lastMs) * ratePerSec) / 1000);
      lastMs = nowMs;
    }
  };
  return {
    take(nowMs) {
      refill(nowMs);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    available(nowMs) {
      refill(nowMs);
      return tokens;
    },
  };
}

/**
 * Token buckets per client key (the remote address and the claimed subscriber), at most
 * `maxClients` of them: the least recently used is forgotten first.
 */
export interface RateLimiter {
  allow(clientKey: string, nowMs: number): boolean;
  readonly clients: number;
}

export function createRateLimiter(ratePerSec: number, burst: number, maxClients = 10_000): RateLimiter {
  const buckets = new Map<string, TokenBucket>();
  return {
    allow(clientKey, nowMs) {
      let b = buckets.get(clientKey);
      if (b === undefined) {
        if (buckets.size >= maxClients) {
          const oldest = buckets.keys().next();
          if (oldest.done !== true) buckets.delete(oldest.value);
        }
        b = createTokenBucket(ratePerSec, burst, nowMs);
      } else {
        buckets.delete(clientKey);
      }
      buckets.set(clientKey, b);
      return b.take(nowMs);
    },
    get clients() {
      return buckets.size;
    },
  };
}

/** The subscriber id claimed by an Authorization header (unverified; used only to key rate limits). */
export function claimedSubscriber(authorization: string | undefined): string {
  if (authorization === undefined) return '';
  const m = /keyId="([^"|]*)\|/.exec(authorization);
  return m?.[1] ?? '';
}
