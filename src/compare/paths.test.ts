import { describe, expect, it } from 'vitest';
import { buildIgnore, formatPath, looseKey, matchesPrefix, parsePattern, shapePath } from './paths.js';

function pattern(text: string) {
  const p = parsePattern(text);
  if (!p.ok) throw new Error(p.errors[0]?.message);
  return p.value;
}

describe('JSON paths', () => {
  it('formats keys, indices and keys that need quoting', () => {
    expect(formatPath(['message', 'contract', 'commitments', 0, 'offer', 'id'])).toBe('message.contract.commitments[0].offer.id');
    expect(formatPath(['message', 'order', 'beckn:orderAttributes', '@type'])).toBe('message.order["beckn:orderAttributes"]["@type"]');
    expect(shapePath(['a', 3, 'b', 0])).toBe('a[].b[]');
  });

  it('matches keys loosely across profiles', () => {
    expect(looseKey('message_id')).toBe(looseKey('messageId'));
    expect(looseKey('beckn:orderAttributes')).toBe('orderattributes');
    expect(matchesPrefix(pattern('context.messageId'), ['context', 'message_id'])).toBe(true);
    expect(matchesPrefix(pattern('context.messageId'), ['context', 'transactionId'])).toBe(false);
  });

  it('ignores the whole subtree under a matching prefix', () => {
    expect(matchesPrefix(pattern('context'), ['context', 'bapUri'])).toBe(true);
    expect(matchesPrefix(pattern('context.bapUri'), ['context'])).toBe(false);
  });

  it('supports *, [*], [n], ["key"] and **', () => {
    expect(matchesPrefix(pattern('message.*.commitments[*].id'), ['message', 'contract', 'commitments', 3, 'id'])).toBe(true);
    expect(matchesPrefix(pattern('message.*.commitments[1].id'), ['message', 'contract', 'commitments', 3, 'id'])).toBe(false);
    expect(matchesPrefix(pattern('**.timestamp'), ['message', 'order', 'fulfillments', 0, 'timestamp'])).toBe(true);
    expect(matchesPrefix(pattern('**.timestamp'), ['context', 'timestamp'])).toBe(true);
    expect(matchesPrefix(pattern('message.order["beckn:id"]'), ['message', 'order', 'beckn:id'])).toBe(true);
    expect(matchesPrefix(pattern('settlement.csv.formula'), ['settlement', 'csv', 'formula'])).toBe(true);
  });

  it('reports malformed patterns, all at once', () => {
    const r = buildIgnore(['a..b', 'a[x]', 'ok.path', '']);
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['compare.ignore.syntax', 'compare.ignore.syntax', 'compare.ignore.syntax']);
  });
});
