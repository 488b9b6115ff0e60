import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compareScalars,
  expandRange,
  overrideFor,
  overrideText,
  parseSeeds,
  parseValueList,
  parseVary,
  parseVaryFlags,
  valueText,
} from './values.js';

function values<T>(r: { ok: true; value: T } | { ok: false }): T {
  if (!r.ok) throw new Error('expected ok');
  return r.value;
}

function codes(r: { ok: true } | { ok: false; errors: readonly { code: string }[] }): string[] {
  return r.ok ? [] : r.errors.map((e) => e.code);
}

describe('expandRange', () => {
  it('steps exactly in decimal: no 0.30000000000000004', () => {
    expect(values(expandRange('0..0.3:0.1', 'x'))).toEqual([0, 0.1, 0.2, 0.3]);
    expect(values(expandRange('1..3:0.5', 'x'))).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(values(expandRange('0.1..0.7:0.2', 'x'))).toEqual([0.1, 0.3, 0.5, 0.7]);
  });

  it('is inclusive only when the step lands on the high bound', () => {
    expect(values(expandRange('0..1:0.3', 'x'))).toEqual([0, 0.3, 0.6, 0.9]);
  });

  it('defaults the step to 1 and handles negative bounds', () => {
    expect(values(expandRange('-2..1', 'x'))).toEqual([-2, -1, 0, 1]);
    expect(values(expandRange('-0.2..0.2:0.1', 'x'))).toEqual([-0.2, -0.1, 0, 0.1, 0.2]);
  });

  it('rejects bad steps, reversed bounds and huge expansions', () => {
    expect(codes(expandRange('0..1:0', 'x'))).toEqual(['sweep.range.step']);
    expect(codes(expandRange('3..1', 'x'))).toEqual(['sweep.range.order']);
    expect(codes(expandRange('0..1:1e-3', 'x'))).toEqual(['sweep.range.syntax']);
    expect(codes(expandRange('0..100000:1', 'x'))).toEqual(['sweep.range.size']);
  });

  it('every value equals lo + k·step rounded to the given decimals (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -500, max: 500 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }), (lo, step, span, dec) => {
        const f = 10 ** dec;
        const text = `${(lo / f).toFixed(dec)}..${((lo + span) / f).toFixed(dec)}:${(step / f).toFixed(dec)}`;
        const got = values(expandRange(text, 'x'));
        expect(got.length).toBe(Math.floor(span / step) + 1);
        got.forEach((v, k) => expect(v).toBe(Number(((lo + k * step) / f).toFixed(dec))));
      }),
    );
  });
});

describe('parseValueList', () => {
  it('reads YAML scalars and sorts numbers numerically', () => {
    expect(values(parseValueList('0.1,0,0.05', 'v'))).toEqual([0, 0.05, 0.1]);
    expect(values(parseValueList("midpoint,low,'high'", 'v'))).toEqual(['high', 'low', 'midpoint']);
    expect(values(parseValueList('true,false', 'v'))).toEqual([false, true]);
  });

  it('keeps quoted commas inside one value', () => {
    expect(values(parseValueList('"a,b",c', 'v'))).toEqual(['a,b', 'c']);
  });

  it('reports duplicates however they are spelled, and empty items', () => {
    expect(codes(parseValueList('0.1,0.10', 'v'))).toEqual(['sweep.vary.duplicate']);
    expect(codes(parseValueList('1,,2', 'v'))).toEqual(['sweep.value.empty']);
    expect(codes(parseValueList('{a: 1}', 'v'))).toEqual(['sweep.value.type']);
    expect(codes(parseValueList('[1,2]', 'v'))).toContain('sweep.value.syntax');
    expect(codes(parseValueList('.inf', 'v'))).toEqual(['sweep.value.number']);
  });

  it('reads ranges and reports a malformed one instead of taking it as a string', () => {
    expect(values(parseValueList('1..2:0.5', 'v'))).toEqual([1, 1.5, 2]);
    expect(codes(parseValueList('1..x', 'v'))).toEqual(['sweep.range.syntax']);
  });
});

describe('parseVary', () => {
  it('splits path and values', () => {
    expect(values(parseVary('utility.deviationPenalty=1..3:0.5'))).toEqual({ path: 'utility.deviationPenalty', values: [1, 1.5, 2, 2.5, 3] });
    expect(values(parseVary('participants[2].pvKWp=4,5'))).toEqual({ path: 'participants[2].pvKWp', values: [4, 5] });
  });

  it('reports a missing =, a malformed path and a path varied twice', () => {
    expect(codes(parseVary('market.fee'))).toEqual(['sweep.vary.syntax']);
    expect(codes(parseVary('market..fee=1'))).toEqual(['sweep.vary.path']);
    expect(codes(parseVaryFlags(['a=1', 'a=2', 'b=x,x']))).toEqual(['sweep.vary.repeated', 'sweep.vary.duplicate']);
  });
});

describe('parseSeeds', () => {
  it('reads ranges, lists and mixes, sorted', () => {
    expect(values(parseSeeds('1..5'))).toEqual([1, 2, 3, 4, 5]);
    expect(values(parseSeeds('9,1,4'))).toEqual([1, 4, 9]);
    expect(values(parseSeeds('1..3,10'))).toEqual([1, 2, 3, 10]);
    expect(values(parseSeeds('0..10:5'))).toEqual([0, 5, 10]);
  });

  it('rejects fractions, negatives, words and duplicates', () => {
    expect(codes(parseSeeds('1.5'))).toEqual(['sweep.seeds.syntax']);
    expect(codes(parseSeeds('-1'))).toEqual(['sweep.seeds.syntax']);
    expect(codes(parseSeeds('0..1:0.5'))).toEqual(['sweep.seeds.value']);
    expect(codes(parseSeeds('1..3,2'))).toEqual(['sweep.seeds.duplicate']);
  });
});

describe('value text', () => {
  it('gives one canonical text per value', () => {
    expect(valueText(0.1)).toBe('0.1');
    expect(valueText(null)).toBe('null');
    expect(overrideFor('market.fee', 0.05)).toBe('market.fee=0.05');
  });

  it('quotes strings YAML would read as something else', () => {
    expect(overrideText('midpoint')).toBe('midpoint');
    expect(overrideText('123')).toBe('"123"');
    expect(overrideText('true')).toBe('"true"');
    expect(overrideText('a,b')).toBe('"a,b"');
    expect(overrideText('')).toBe('""');
  });

  it('orders numbers before strings before booleans before null', () => {
    const sorted = [null, true, 'b', 2, 'a', false, -1].sort(compareScalars);
    expect(sorted).toEqual([-1, 2, 'a', 'b', false, true, null]);
  });
});
