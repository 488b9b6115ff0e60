import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomStream } from '../kernel/random.js';
import { detectProfile, durationSeconds, expiryOf, isExpired, isoDuration, isUuid, uuidForName, uuidFromStream } from './context.js';

describe('ISO 8601 durations', () => {
  it('reads weeks, days, hours, minutes and (fractional) seconds', () => {
    expect(durationSeconds('PT30S')).toBe(30);
    expect(durationSeconds('PT1M')).toBe(60);
    expect(durationSeconds('PT1H30M')).toBe(5400);
    expect(durationSeconds('P1DT2H')).toBe(93600);
    expect(durationSeconds('P1W')).toBe(604800);
    expect(durationSeconds('PT0.5S')).toBe(0.5);
  });

  it('refuses months and years (no fixed length), empty designators and other text', () => {
    for (const bad of ['P1M', 'P1Y', 'P', 'PT', 'P1DT', '30s', 'PT-5S', '']) expect(durationSeconds(bad)).toBeUndefined();
  });

  it('writes whole seconds back in the shortest form', () => {
    expect(isoDuration(30)).toBe('PT30S');
    expect(isoDuration(5400)).toBe('PT1H30M');
    expect(isoDuration(3601)).toBe('PT1H1S');
    expect(isoDuration(0)).toBe('PT0S');
    expect(() => isoDuration(1.5)).toThrow(RangeError);
    fc.assert(
      fc.property(fc.nat(10_000_000), (s) => {
        expect(durationSeconds(isoDuration(s))).toBe(s);
      }),
    );
  });

  it('expires a message strictly after timestamp + ttl', () => {
    expect(expiryOf('2024-10-04T10:00:00Z', 'PT30S')).toBe('2024-10-04T10:00:30.000Z');
    expect(isExpired('2024-10-04T10:00:00Z', 'PT30S', '2024-10-04T10:00:30Z')).toBe(false);
    expect(isExpired('2024-10-04T10:00:00Z', 'PT30S', '2024-10-04T10:00:30.001Z')).toBe(true);
    expect(isExpired('2024-10-04T10:00:00Z', 'thirty', '2024-10-04T10:00:00Z')).toBe(true);
    expect(expiryOf('not a time', 'PT30S')).toBeUndefined();
  });
});

describe('UUIDs', () => {
  it('draws reproducible version-4 UUIDs from a seeded stream', () => {
    const a = randomStream(7, 'ids');
    const b = randomStream(7, 'ids');
    const first = uuidFromStream(a);
    expect(first).toBe(uuidFromStream(b));
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFromStream(a)).not.toBe(first);
  });

  it('makes name-based version-5 UUIDs as RFC 9562 does (DNS namespace example)', () => {
    expect(uuidForName('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidForName('pac-2024')).toBe('62711052-eb3e-5bbd-8e6a-d7a826bd9b84');
    expect(isUuid(uuidForName('anything'))).toBe(true);
    expect(isUuid('msg-discover-market-001')).toBe(false);
  });
});

describe('profile detection', () => {
  it('tells the profile from the spelling of the context', () => {
    expect(detectProfile({ context: { bapId: 'a', messageId: 'm' } })).toBe('beckn-2.0.0');
    expect(detectProfile({ context: { bap_id: 'a', message_id: 'm' } })).toBe('deg-order-draft');
    expect(detectProfile({ context: { action: 'init' } })).toBeUndefined();
    expect(detectProfile('text')).toBeUndefined();
    expect(detectProfile({ message: {} })).toBeUndefined();
  });
});
