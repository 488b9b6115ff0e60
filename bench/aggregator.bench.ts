/**
 * Aggregator benchmark: what one interval of a portfolio costs the aggregator — adding its
 * members' curves into the one curve it bids (`sumCurves`), splitting the cleared power back into
 * member setpoints (`disaggregate`) and splitting an accepted flexibility (`splitFlexibility`) —
 * for portfolios of 10 to 100 000 members with curves of 8 breakpoints on a 0.01 tick. Then the
 * whole of `degsim docs` in memory (eight use-case runs and the pages), the figure the docs test
 * waits for.
 *
 * Run: npx tsx bench/aggregator.bench.ts [--quick]   (--quick: 10, 100 and 1000 members, no docs)
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { disaggregate, splitFlexibility, sumCurves } from '../agents/aggregator/curves.js';
import { buildDocs } from '../src/docs/generate.js';
import { randomStream } from '../src/kernel/random.js';
import type { OfferCurve } from '../src/market/curve-types.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [10, 100, 1_000] : [10, 100, 1_000, 10_000, 100_000];
const POINTS = 8;
const grid = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01 };

/** Seeded member curves: sorted tick prices, non-decreasing powers around zero (buyers and sellers). */
function members(n: number): { id: string; curve: OfferCurve; baselineKW: number }[] {
  const rng = randomStream(20_260_623, `aggregator-bench-${n}`);
  return Array.from({ length: n }, (_, i) => {
    const prices = Array.from({ length: POINTS }, () => rng.int(0, 1500) / 100).sort((a, b) => a - b);
    const span = rng.int(2, 10);
    const powers = Array.from({ length: POINTS }, () => rng.int(0, span * 10) / 10 - span / 2).sort((a, b) => a - b);
    const curve: OfferCurve = { currency: 'INR', minExport: powers[0]!, maxExport: powers[POINTS - 1]!, curve: prices.map((price, j) => ({ price, powerKW: powers[j]! })) };
    return { id: `m${i}`, curve, baselineKW: powers[0]! };
  });
}

/** Median wall time of `f` over repetitions filling about `budgetMs`, ms. */
function time(f: () => void, budgetMs: number): number {
  const samples: number[] = [];
  const t0 = performance.now();
  do {
    const s = performance.now();
    f();
    samples.push(performance.now() - s);
  } while (performance.now() - t0 < budgetMs && samples.length < 200);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const rows: string[][] = [];
for (const n of sizes) {
  const m = members(n);
  const budget = n >= 10_000 ? 1500 : 400;
  let aggregate: OfferCurve | undefined;
  const sum = time(() => {
    aggregate = sumCurves(m.map((x) => x.curve), 'INR', grid);
  }, budget);
  const total = m.reduce((s, x) => s + x.curve.maxExport, 0) * 0.3 + m.reduce((s, x) => s + x.curve.minExport, 0) * 0.7;
  const split = time(() => void disaggregate(m, 7.5, total), budget);
  const flex = time(() => void splitFlexibility(m, 8, 12, n * 0.5), budget);
  rows.push([String(n), String(aggregate?.curve.length ?? 0), sum.toFixed(3), split.toFixed(3), flex.toFixed(3), ((sum + split) * 1000 / n).toFixed(2)]);
}

const header = ['members', 'aggregate points', 'sum ms', 'split ms', 'flex split ms', 'µs per member'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
process.stdout.write(`Aggregator: one interval of a portfolio (curves of ${POINTS} points)\n${line(header)}\n${rows.map(line).join('\n')}\n`);

if (!quick) {
  const t0 = performance.now();
  const built = await buildDocs({ root: join(import.meta.dirname, '..') });
  const ms = performance.now() - t0;
  if (!built.ok) {
    process.stderr.write(`docs failed: ${built.errors.length} problems\n`);
    process.exitCode = 1;
  } else process.stdout.write(`\ndegsim docs in memory: ${built.value.documented.length} use cases, ${built.value.files.size} files, ${(ms / 1000).toFixed(1)} s\n`);
}
