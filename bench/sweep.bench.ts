import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createLocalExecutor } from '../src/sweep/local-executor.js';
import { DEFAULT_RUNNER, type RunnerRef } from '../src/sweep/runner.js';
import { planSweep, runSweep } from '../src/sweep/sweep.js';
import type { SweepParameter } from '../src/sweep/values.js';

/**
 * Sweep throughput: runs per minute of the local executor with 1 and 2 worker threads, on the
 * fake runner (with no work per run, which measures the sweep's own overhead per run, and with a
 * fixed busy loop standing for a simulation) and on the real runner when `src/run/run.ts` exists.
 * Usage: npx tsx bench/sweep.bench.ts [--quick]
 */

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
const fake: RunnerRef = { module: new URL('../src/sweep/fixtures/fake-runner.ts', import.meta.url).href, exportName: 'runScenario' };
const fakeScenario = join(root, 'src/sweep/fixtures/scenario.yaml');
const realScenario = join(root, 'scenarios/default.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'degsim-sweep-bench-'));

interface Case {
  readonly label: string;
  readonly runner: RunnerRef;
  readonly scenario: string;
  readonly parameters: readonly SweepParameter[];
  readonly seeds: readonly number[];
}

interface Row {
  readonly label: string;
  readonly jobs: number;
  readonly runs: number;
  readonly failed: number;
  readonly wallS: number;
  readonly perMinute: number;
  readonly meanRunMs: number;
}

async function measure(c: Case, jobs: number): Promise<Row> {
  const plan = planSweep({ scenarioPath: c.scenario, parameters: c.parameters, seeds: c.seeds, outDir: join(tmp, `${c.label.replace(/\W+/g, '-')}-${jobs}`) });
  if (!plan.ok) throw new Error(plan.errors.map((e) => e.message).join('; '));
  const t0 = performance.now();
  const outcome = await runSweep(plan.value, { executor: createLocalExecutor({ jobs, runner: c.runner }) });
  const wallS = (performance.now() - t0) / 1000;
  const meanRunMs = outcome.records.reduce((s, r) => s + r.runTimeMs, 0) / Math.max(1, outcome.records.length);
  return { label: c.label, jobs, runs: outcome.total, failed: outcome.failed, wallS, perMinute: (outcome.total / wallS) * 60, meanRunMs };
}

const seeds = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const fees: SweepParameter = { path: 'market.fee', values: [0, 0.05] };
const cases: Case[] = [
  { label: 'fake, no work', runner: fake, scenario: fakeScenario, parameters: [fees], seeds: seeds(quick ? 4 : 30) },
  { label: 'fake, busy loop', runner: fake, scenario: fakeScenario, parameters: [fees, { path: 'fake.spin', values: [quick ? 1_000_000 : 4_000_000] }], seeds: seeds(quick ? 3 : 12) },
];
const realAvailable = DEFAULT_RUNNER.module.startsWith('file:') && existsSync(fileURLToPath(DEFAULT_RUNNER.module)) && existsSync(realScenario);
if (realAvailable) cases.push({ label: 'real, default.yaml', runner: DEFAULT_RUNNER, scenario: realScenario, parameters: [{ path: 'market.feePerKWh', values: [0, 0.05] }], seeds: seeds(quick ? 1 : 3) });

const rows: Row[] = [];
try {
  for (const c of cases) for (const jobs of [1, 2]) rows.push(await measure(c, jobs));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const header = ['runner', 'jobs', 'runs', 'failed', 'wall s', 'runs/min', 'mean run ms', 'speed-up'];
const lines = rows.map((r) => {
  const base = rows.find((x) => x.label === r.label && x.jobs === 1);
  return [r.label, String(r.jobs), String(r.runs), String(r.failed), r.wallS.toFixed(2), r.perMinute.toFixed(0), r.meanRunMs.toFixed(1), base === undefined ? '' : (base.wallS / r.wallS).toFixed(2)];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
const fmt = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
process.stdout.write(`${fmt(header)}\n${fmt(widths.map((w) => '-'.repeat(w)))}\n${lines.map(fmt).join('\n')}\n`);
if (!realAvailable) process.stdout.write('real runner: src/run/run.ts or scenarios/default.yaml not present yet; only the fake runner was measured\n');
const overhead = rows.find((r) => r.label === 'fake, no work' && r.jobs === 1);
if (overhead !== undefined) process.stdout.write(`sweep overhead per run (1 thread, no work): ${((overhead.wallS * 1000) / overhead.runs).toFixed(1)} ms including worker start-up\n`);
