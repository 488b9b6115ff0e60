/**
 * Participant agents benchmark: what one market participant costs the run per interval.
 *
 * 1. Offer curves: building one interval's curve from each kind's objective — prosumer with a home
 *    battery and uncertain forecasts (newsvendor ramps), household consumer, stand-alone battery
 *    (water value over a 24 h lookahead), and a CPO with 4…400 plugged-in sessions (must and
 *    flexible power per session, each with its own threshold over its remaining stay).
 * 2. Earliest-deadline-first sharing of a CPO's cleared import over 10…10 000 sessions.
 * 3. Whole days: one agent of each kind through all 96 intervals of a day against a stand-in
 *    market (protocol machines, contracts, curve, physics), as agent-intervals per second.
 *
 * Run: npx tsx bench/participants.bench.ts [--quick]   (--quick: small sizes, one day per kind)
 * Figures are wall-clock on this machine; a warm-up precedes every timing.
 */
import { performance } from 'node:perf_hooks';
import { randomStream } from '../src/kernel/random.js';
import type { Agent, FactoryContext } from '../src/run/agent.js';
import { arbitrageThresholds, batteryWillingness, type BatterySpec } from '../agents/battery/policy.js';
import { create as createBattery } from '../agents/battery/index.js';
import { consumerWillingness } from '../agents/consumer/policy.js';
import { create as createConsumer } from '../agents/consumer/index.js';
import { allocateEarliestDeadlineFirst, cpoWillingness, sessionBid, type SessionNeed } from '../agents/cpo/policy.js';
import { create as createCpo } from '../agents/cpo/index.js';
import { curveFromFunction } from '../agents/participant/curve.js';
import { createFakeRun, runWithPrices, testScenario } from '../agents/participant/fake-run.js';
import { prosumerWillingness } from '../agents/prosumer/policy.js';
import { create as createProsumer } from '../agents/prosumer/index.js';

const quick = process.argv.includes('--quick');
const grid = { currency: 'INR', priceFloor: -5, priceCap: 20, priceTick: 0.01 };
const h = 0.25;
const spec: BatterySpec = { capacityKWh: 13.5, powerKW: 5, roundTripEfficiency: 0.9, socMinPct: 10, socMaxPct: 95 };

/** Mean µs per call of `f`, running it for at least `minMs` (after a warm-up). */
function timeIt(f: () => void, minMs: number): number {
  for (let i = 0; i < 20; i++) f();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 10; i++) f();
    n += 10;
    t = performance.now();
  }
  return ((t - t0) * 1000) / n;
}

const rows: string[][] = [];
const minMs = quick ? 100 : 400;
const rng = randomStream(7, 'participants-bench');
const prices = Array.from({ length: 96 }, (_, k) => 8 - 5 * Math.max(0, Math.sin(((k - 24) / 48) * Math.PI)));

// 1. Offer curves.
rows.push([
  'curve: prosumer + battery, sd 0.1',
  '1',
  timeIt(() => {
    const t = arbitrageThresholds(spec, 7, prices, h, 0.168);
    const w = prosumerWillingness({ pvKW: 4.2, loadKW: 0.8, relErrorSd: 0.1, reservationPerKWh: 3, shortfallCostPerKWh: 8, excessValuePerKWh: 3, tradingCostPerKWh: 0.168, battery: batteryWillingness(spec, 7, 7, t, h, grid) }, grid);
    curveFromFunction(w.powerAt, w.breakpoints, grid);
  }, minMs).toFixed(1),
]);
rows.push([
  'curve: consumer',
  '1',
  timeIt(() => {
    const w = consumerWillingness({ inelasticKW: 1.8, flexibleKW: 0.2, retailPerKWh: 8, flexPriceFactor: 1, flexCutoffFactor: 1.5, maxPricePerKWh: 20, tradingCostPerKWh: 0.168 }, grid);
    curveFromFunction(w.powerAt, w.breakpoints, grid);
  }, minMs).toFixed(1),
]);
rows.push([
  'curve: battery, 24 h lookahead',
  '1',
  timeIt(() => {
    const t = arbitrageThresholds(spec, 7, prices, h, 0.168);
    const w = batteryWillingness(spec, 7, 7, t, h, grid);
    curveFromFunction(w.powerAt, w.breakpoints, grid);
  }, minMs).toFixed(1),
]);
function sessions(n: number): SessionNeed[] {
  return Array.from({ length: n }, (_, i) => ({ id: `s${i}`, departure: rng.int(1, 40), remainingKWh: rng.uniform(1, 30), maxKW: rng.pick([7.4, 11, 22]) }));
}
for (const n of quick ? [4, 40] : [4, 40, 400]) {
  const ss = sessions(n);
  rows.push([
    'curve: CPO sessions',
    String(n),
    timeIt(() => {
      const bids = ss.map((s) => sessionBid(s, 0, h, (j) => prices[j % 96]!));
      const w = cpoWillingness({ sessions: bids, siteLimitKW: 22 * n, pvKW: 0, reservationPerKWh: 3, tradingCostPerKWh: 0.168 }, grid);
      curveFromFunction(w.powerAt, w.breakpoints, grid);
    }, minMs).toFixed(1),
  ]);
}

// 2. EDF sharing.
for (const n of quick ? [10, 100] : [10, 100, 1_000, 10_000]) {
  const ss = sessions(n);
  rows.push(['EDF sharing of a CPO import', String(n), timeIt(() => allocateEarliestDeadlineFirst(ss, 0, h, 5 * n, 11 * n), minMs).toFixed(1)]);
}

console.log('Participant agents: µs per call (mean)\n');
console.log(table(['what', 'n', 'µs'], rows));

// 3. Whole days against the stand-in market.
const scenario = testScenario({ start: '2026-06-22T00:00:00Z', participants: [{ kind: 'mca', id: 'mca' }, { kind: 'utility', id: 'utility' }] });
const ctx: FactoryContext = { meterOf: (id) => ({ meterId: `m-${id}`, node: 'tx-1', bus: `bus-${id}`, pvKWp: 6, batteryKWh: 10, batteryKW: 5, evChargePoints: 6, evChargerKW: 22, annualConsumptionKWh: 3500, sanctionedLoadKW: 150 }) };
const kinds: readonly [string, (id: string, run: ReturnType<typeof createFakeRun>) => Agent][] = [
  ['prosumer + battery', (id, run) => createProsumer({ kind: 'prosumer', id, count: 1 }, [id], run.services, ctx)[0]!],
  ['consumer', (id, run) => createConsumer({ kind: 'consumer', id, count: 1 }, [id], run.services, ctx)[0]!],
  ['battery', (id, run) => createBattery({ kind: 'battery', id, count: 1 }, [id], run.services, ctx)[0]!],
  ['CPO, 6 × 22 kW destination', (id, run) => createCpo({ kind: 'cpo', id, count: 1 }, [id], run.services, ctx)[0]!],
];
const dayRows: string[][] = [];
const days = quick ? 1 : 5;
for (const [name, make] of kinds) {
  const warm = createFakeRun(scenario);
  runWithPrices(make('warm-up', warm), warm, { price: (k) => prices[k]! });
  const t0 = performance.now();
  for (let d = 0; d < days; d++) {
    const run = createFakeRun(scenario);
    runWithPrices(make(`a${d}`, run), run, { price: (k) => prices[k]! });
  }
  const ms = (performance.now() - t0) / days;
  dayRows.push([name, String(days), ms.toFixed(1), ((96 / ms) * 1000).toFixed(0)]);
}
console.log('\nOne day (96 intervals) against a stand-in market, per agent\n');
console.log(table(['kind', 'days', 'ms / day', 'intervals / s'], dayRows));

function table(head: readonly string[], body: readonly (readonly string[])[]): string {
  const w = head.map((hd, i) => Math.max(hd.length, ...body.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...body.map(line)].join('\n');
}
