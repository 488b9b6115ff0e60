import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from './event-queue.js';

describe('EventQueue', () => {
  it('delivers by simulated time, then in insertion order for equal times', () => {
    const q = new EventQueue<string>();
    q.push(30, 'c');
    q.push(10, 'a1');
    q.push(20, 'b');
    q.push(10, 'a2');
    q.push(10, 'a3');
    const out: string[] = [];
    while (q.size > 0) out.push(q.pop()?.payload ?? '');
    expect(out).toEqual(['a1', 'a2', 'a3', 'b', 'c']);
  });

  it('drainUntil stops at the bound and delivers events scheduled by handlers in order', () => {
    const q = new EventQueue<string>();
    q.push(0, 'start');
    q.push(100, 'late');
    const seen: string[] = [];
    const n = q.drainUntil(50, (ev) => {
      seen.push(`${ev.atMs}:${ev.payload}`);
      if (ev.payload === 'start') {
        q.push(ev.atMs + 20, 'reply');
        q.push(ev.atMs + 10, 'ack');
        q.push(ev.atMs + 60, 'after-bound');
      }
    });
    expect(seen).toEqual(['0:start', '10:ack', '20:reply']);
    expect(n).toBe(3);
    expect(q.peek()?.payload).toBe('after-bound');
  });

  it('is a stable sort of any sequence of pushes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const q = new EventQueue<number>();
        times.forEach((t, i) => q.push(t, i));
        const out: number[] = [];
        for (let ev = q.pop(); ev !== undefined; ev = q.pop()) out.push(ev.payload);
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.i);
        expect(out).toEqual(expected);
      }),
    );
  });

  it('rejects a non-finite time', () => {
    expect(() => new EventQueue<number>().push(Number.NaN, 1)).toThrow(RangeError);
  });
});
