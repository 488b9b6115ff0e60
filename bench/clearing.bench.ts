/**
 * Clearing benchmark: `clearMarket` on one-bus markets of 10³…10⁶ participants with 8 breakpoints
 * each (prices on a 0.01 tick over the default scenario's [−5, 20] range), against sorting all
 * breakpoint prices as a Float64Array in the same process on the same data. The ratio
 * clear / sort is the figure of merit: with a price tick, clearing aggregates on the tick grid
 * (O(points + ticks)) and should be no slower than merely sorting its input.
 *
 * Also shown: clearing without the tick (the exact breakpoint path, which sorts) and with the
 * participants shuffled (results are ordered by id, so a shuffled book costs an id sort and a
 * second, scattered read of the curves; ids that arrive sorted skip both), up to 10⁵.
 *
 * Run: npx tsx bench/clearing.bench.ts [--quick]   (--quick: 10³ and 10⁴ only)
 */
import { performance } from 'node:perf_hooks';
import { clearMarket } from '../src/market/index.js';
import type { MarketInput, MarketParticipant } from '../src/market/index.js';
import { randomStream } from '../src/kernel/random.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
const POINTS = 8;
const FLOOR = -5;
const CAP = 20;
const TICK = 0.01;

/** A seeded one-bus market: half sellers, half buyers, 8 breakpoints each on the tick. */
function generate(n: number): MarketInput {
  const rng = randomStream(20_240_601, `clearing-bench-${n}`);
  const width = String(n).length;
  const participants: MarketParticipant[] = new Array<MarketParticipant>(n);
  const ticks = new Array<number>(POINTS);
  const powers = new Array<number>(POINTS);
  for (let i = 0; i < n; i++) {
    const seller = (i & 1) === 0;
    const maxKW = rng.int(1, 50);
    for (let j = 0; j < POINTS; j++) {
      ticks[j] = rng.int(0, 1500);
      powers[j] = rng.int(0, maxKW * 10) / 10;
    }
    ticks.sort((a, b) => a - b);
    powers.sort((a, b) => a - b);
    const curve = ticks.map((k, j) => ({ price: k / 100, powerKW: seller ? powers[j]! : powers[j]! - maxKW }));
    participants[i] = {
      id: `p${String(i).padStart(width, '0')}`,
      offerCurve: { currency: 'INR', minExport: seller ? 0 : -maxKW, maxExport: seller ? maxKW : 0, curve },
    };
  }
  return { currency: 'INR', priceFloor: FLOOR, priceCap: CAP, participants };
}

function breakpointPrices(input: MarketInput): Float64Array {
  const out = new Float64Array(input.participants.length * POINTS);
  let k = 0;
  for (const p of input.participants) for (const pt of p.offerCurve.curve) out[k++] = pt.price;
  return out;
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rng = randomStream(seed, 'shuffle');
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Fastest wall time of `reps` runs of f, ms. The fastest run is the least disturbed by other
 * processes on a shared machine; both sides of the ratio use it. No forced collection between
 * runs: a full collection discards the JIT's optimised code that depends on objects it frees, so
 * forcing one before every run would time a cold engine; the allocation each run makes (its
 * result objects) is collected as it happens and counts.
 */
function fastest(reps: number, f: () => void, before: () => void = () => undefined): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    before();
    const t0 = performance.now();
    f();
    const dt = performance.now() - t0;
    if (dt < best) best = dt;
  }
  return best;
}

interface Row {
  readonly n: number;
  readonly clearMs: number;
  readonly sortMs: number;
  readonly plainMs: number;
  readonly shuffledMs: number;
  readonly price: number;
}

const rows: Row[] = [];
for (const n of sizes) {
  const reps = n <= 1_000 ? 41 : n <= 10_000 ? 21 : n <= 100_000 ? 9 : 3;
  const slowReps = n >= 1_000_000 ? 1 : Math.max(1, reps >> 1);
  gc();
  const input = generate(n);
  const ticked: MarketInput = { ...input, priceTick: TICK };
  // the shuffled book is timed up to 10⁵ (at 10⁶ its id sort and scattered reads alone take seconds)
  const mixed: MarketInput | undefined = n < 1_000_000 ? { ...ticked, participants: shuffled(input.participants, n) } : undefined;
  // warm-up (the JIT settles after a few calls), and the same answer on every path
  for (let w = 0; w < (n >= 1_000_000 ? 1 : 3); w++) clearMarket(ticked);
  const a = clearMarket(ticked);
  const b = clearMarket(input);
  if (Math.abs(a.price - b.price) > 1e-9 || Math.abs(a.netKW) > 1e-6 * n) throw new Error(`paths disagree at n=${n}: ${a.price} vs ${b.price}`);
  const prices = breakpointPrices(input);
  const work = new Float64Array(prices.length);
  const sortMs = fastest(reps, () => work.sort(), () => work.set(prices));
  const clearMs = fastest(reps, () => clearMarket(ticked));
  const plainMs = fastest(slowReps, () => clearMarket(input));
  const shuffledMs = mixed === undefined ? Number.NaN : fastest(slowReps, () => clearMarket(mixed));
  rows.push({ n, clearMs, sortMs, plainMs, shuffledMs, price: a.price });
  gc();
}

const header = ['participants', 'breakpoints', 'clear (tick) ms', 'sort prices ms', 'clear/sort', 'clear (no tick) ms', 'clear (shuffled ids) ms', 'price'];
const body = rows.map((r) => [
  r.n.toLocaleString('en-US'),
  (r.n * POINTS).toLocaleString('en-US'),
  r.clearMs.toFixed(2),
  r.sortMs.toFixed(2),
  (r.clearMs / r.sortMs).toFixed(2),
  r.plainMs.toFixed(2),
  Number.isNaN(r.shuffledMs) ? '-' : r.shuffledMs.toFixed(2),
  r.price.toFixed(6),
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
process.stdout.write(`clearMarket, one bus, ${POINTS} breakpoints per participant, tick ${TICK} on [${FLOOR}, ${CAP}] (fastest of repeated runs)\n`);
process.stdout.write(`${line(header)}\n`);
for (const row of body) process.stdout.write(`${line(row)}\n`);
process.stdout.write('target: clear/sort ≤ 1 at 10⁵ participants and above\n');
