/**
 * A priority queue of events ordered by simulated time (ms since the run's epoch), then by
 * insertion order, so two events at the same instant are delivered in the order they were
 * scheduled. Binary heap; O(log n) push and pop.
 */
export interface ScheduledEvent<T> {
  /** Simulated time in ms since the Unix epoch. */
  readonly atMs: number;
  /** Monotonic insertion number; breaks ties deterministically. */
  readonly seq: number;
  readonly payload: T;
}

export class EventQueue<T> {
  private heap: ScheduledEvent<T>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `payload` at simulated time `atMs`; returns the event. */
  push(atMs: number, payload: T): ScheduledEvent<T> {
    if (!Number.isFinite(atMs)) throw new RangeError(`event time must be finite, got ${atMs}`);
    const ev: ScheduledEvent<T> = { atMs, seq: this.nextSeq++, payload };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as ScheduledEvent<T>;
      if (!before(ev, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
    return ev;
  }

  /** The earliest event without removing it. */
  peek(): ScheduledEvent<T> | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest event. */
  pop(): ScheduledEvent<T> | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop() as ScheduledEvent<T>;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && before(h[r] as ScheduledEvent<T>, h[l] as ScheduledEvent<T>)) c = r;
        const child = h[c] as ScheduledEvent<T>;
        if (!before(child, last)) break;
        h[i] = child;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** Pops every event with `atMs <= untilMs`, in order, calling `handle` for each (which may push more). */
  drainUntil(untilMs: number, handle: (ev: ScheduledEvent<T>) => void): number {
    let n = 0;
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.atMs > untilMs) return n;
      this.pop();
      handle(top);
      n++;
    }
  }
}

function before<T>(a: ScheduledEvent<T>, b: ScheduledEvent<T>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
