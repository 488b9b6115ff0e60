import { describe, expect, it } from 'vitest';
import { createRandomStreams, randomStream } from './random.js';

function draws(n: number, f: () => number): number[] {
  return Array.from({ length: n }, f);
}

describe('random streams', () => {
  it('the same seed and name give the same draws', () => {
    const a = randomStream(42, 'pv/prosumer-1');
    const b = randomStream(42, 'pv/prosumer-1');
    expect(draws(5, () => a.next())).toEqual(draws(5, () => b.next()));
  });

  it('adding a stream does not change the draws of another', () => {
    const alone = createRandomStreams(7);
    const expected = draws(10, () => alone.get('load/consumer-1').next());

    const crowded = createRandomStreams(7);
    const other = crowded.get('load/consumer-2');
    const mine = crowded.get('load/consumer-1');
    const interleaved: number[] = [];
    for (let i = 0; i < 10; i++) {
      other.next();
      other.normal();
      interleaved.push(mine.next());
    }
    expect(interleaved).toEqual(expected);
  });

  it('different seeds or names differ', () => {
    const a = draws(3, () => randomStream(1, 'x').next());
    expect(draws(3, () => randomStream(2, 'x').next())).not.toEqual(a);
    expect(draws(3, () => randomStream(1, 'y').next())).not.toEqual(a);
  });

  it('distributions have the expected moments', () => {
    const s = randomStream(3, 'moments');
    const n = 20000;
    const normals = draws(n, () => s.normal(5, 2));
    const mean = normals.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(normals.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(mean).toBeCloseTo(5, 1);
    expect(sd).toBeCloseTo(2, 1);
    const ints = draws(n, () => s.int(1, 6));
    expect(Math.min(...ints)).toBe(1);
    expect(Math.max(...ints)).toBe(6);
    const exp = draws(n, () => s.exponential(0.5));
    expect(exp.reduce((a, b) => a + b, 0) / n).toBeCloseTo(2, 0);
  });

  it('weightedIndex follows the weights', () => {
    const s = randomStream(9, 'w');
    const counts = [0, 0, 0];
    for (let i = 0; i < 9000; i++) counts[s.weightedIndex([1, 0, 2])] = (counts[s.weightedIndex([1, 0, 2])] ?? 0) + 1;
    expect(counts[1]).toBe(0);
  });
});
