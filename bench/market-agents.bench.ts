/**
 * Market agents benchmark: one interval of the pay-as-clear flow (discover, standing contracts,
 * init → cascaded init → on_init → confirm → gate → cascaded confirm → on_confirm → on_status) for
 * 10²…5·10³ participants on a feeder of 10 transformers, driven by scripted participants. Prints
 * the time per interval with payloads handed over as they are (the agents' own cost: checks,
 * machines, approvals, clearing) and with every message built, schema-validated and parsed by the
 * Beckn 2.0.0 profile, plus the clearing call alone. Run: npx tsx bench/market-agents.bench.ts [--quick]
 */
import { performance } from 'node:perf_hooks';
import { randomStream } from '../src/kernel/random.js';
import type { OfferCurve } from '../src/market/curve-types.js';
import { clearMarket, type MarketInput } from '../src/market/index.js';
import type { GridNodeInfo } from '../src/run/agent.js';
import { MarketClearingAgent } from '../agents/mca/agent.js';
import { mcaParams } from '../agents/mca/params.js';
import { ScriptedParticipant, TestRun, testScenario, type TestGrid } from '../agents/shared/testing.js';
import { UtilityAgent } from '../agents/utility/agent.js';
import type { MeterRecord } from '../agents/utility/policy.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [100, 1_000] : [100, 1_000, 5_000];
const wireSizes = quick ? [100] : [100, 1_000];
const TRANSFORMERS = 10;

/** A seller (even index) or a buyer (odd) with a linear curve over a seeded price range, on the 0.01 tick. */
function curveOf(i: number): OfferCurve {
  const r = randomStream(7, `bench/curve/${i}`);
  const lo = Math.round(r.uniform(1, 6) * 100) / 100;
  const hi = Math.round((lo + r.uniform(0.5, 3)) * 100) / 100;
  const kw = Math.round(r.uniform(1, 8) * 10) / 10;
  return i % 2 === 0
    ? { currency: 'INR', minExport: 0, maxExport: kw, curve: [{ price: lo, powerKW: 0 }, { price: hi, powerKW: kw }] }
    : { currency: 'INR', minExport: -kw, maxExport: 0, curve: [{ price: lo, powerKW: -kw }, { price: hi, powerKW: 0 }] };
}

interface Measured {
  readonly ms: number;
  readonly messages: number;
  readonly cleared: number;
  readonly input: MarketInput | undefined;
}

/** Builds the market of `n` participants and runs one interval; wall time of the run, ms. */
function oneInterval(n: number, wire: boolean): Measured {
  const scenario = { ...testScenario(), horizonHours: 0.25 };
  const nodes: GridNodeInfo[] = [{ id: 'feeder-head', kind: 'feeder-head' }];
  for (let t = 1; t <= TRANSFORMERS; t++) nodes.push({ id: `tx-${t}`, parent: 'feeder-head', kind: 'transformer', ratingKVA: 630, maxForwardFlowKW: 600, maxReverseFlowKW: 20 * t });
  const meterNodes: Record<string, string> = {};
  const kinds: Record<string, string> = { mca: 'mca', utility: 'utility' };
  const meters: MeterRecord[] = [];
  for (let i = 0; i < n; i++) {
    const id = `p${String(i).padStart(5, '0')}`;
    const node = `tx-${(i % TRANSFORMERS) + 1}`;
    meterNodes[`m-${id}`] = node;
    kinds[id] = i % 2 === 0 ? 'prosumer' : 'consumer';
    meters.push({ meterId: `m-${id}`, participantId: id, nodeId: node, sanctionedLoadKW: 10, maxExportKW: 10 });
  }
  const grid: TestGrid = { nodes, meterNodes };
  const run = new TestRun(scenario, grid, kinds, { wire });
  const params = mcaParams({ kind: 'mca', id: 'mca', count: 1 }, scenario, 'mca');
  if (!params.ok) throw new Error('market parameters');
  let input: MarketInput | undefined;
  run.add(new MarketClearingAgent('mca', params.value, run.services('mca'), (_k, i) => (input = i)));
  run.add(new UtilityAgent('utility', { name: 'U', currency: 'INR', rules: scenario.utility, gridMode: 'exact', priceTick: 0.01, meters: new Map(meters.map((m) => [m.meterId, m])) }, run.services('utility')));
  for (let i = 0; i < n; i++) {
    const id = `p${String(i).padStart(5, '0')}`;
    const curve = curveOf(i);
    run.add(new ScriptedParticipant(id, run.services(id), { meterId: `m-${id}`, curve: () => curve }));
  }
  const t0 = performance.now();
  run.run(1, () => new Map());
  const ms = performance.now() - t0;
  if (run.invalid.length > 0) throw new Error(`${run.invalid.length} invalid messages`);
  const cleared = run.recorder.dispatches.filter((d) => d.clearedKW !== 0).length;
  return { ms, messages: run.delivered.length, cleared, input };
}

/** Fastest of a few runs (at least one; more for small sizes, within a budget). */
function fastest(n: number, wire: boolean): Measured {
  let best: Measured | undefined;
  const start = performance.now();
  for (let k = 0; k < 5 && (k === 0 || performance.now() - start < (quick ? 1_000 : 4_000)); k++) {
    const m = oneInterval(n, wire);
    if (best === undefined || m.ms < best.ms) best = m;
  }
  return best as Measured;
}

function clearingMs(input: MarketInput | undefined): number {
  if (input === undefined) return Number.NaN;
  for (let k = 0; k < 5; k++) clearMarket(input);
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    clearMarket(input);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const pad = (s: string | number, w: number): string => String(s).padStart(w);
process.stdout.write('one interval of the pay-as-clear flow (MCA + utility + scripted participants, 10 transformers)\n');
process.stdout.write(`${pad('participants', 12)} ${pad('messages', 9)} ${pad('cleared', 8)} ${pad('agents ms', 10)} ${pad('µs/message', 11)} ${pad('wire ms', 9)} ${pad('µs/message', 11)} ${pad('clearMarket ms', 15)}\n`);
for (let k = 0; k < 3; k++) oneInterval(200, false);
for (const n of sizes) {
  const a = fastest(n, false);
  const w = wireSizes.includes(n) ? fastest(n, true) : undefined;
  const c = clearingMs(a.input);
  process.stdout.write(
    `${pad(n, 12)} ${pad(a.messages, 9)} ${pad(a.cleared, 8)} ${pad(a.ms.toFixed(1), 10)} ${pad(((a.ms * 1000) / a.messages).toFixed(1), 11)} ${pad(w === undefined ? '–' : w.ms.toFixed(1), 9)} ${pad(w === undefined ? '–' : ((w.ms * 1000) / w.messages).toFixed(1), 11)} ${pad(c.toFixed(3), 15)}\n`,
  );
}
