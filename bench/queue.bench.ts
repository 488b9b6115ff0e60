import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLocalExecutor } from '../src/sweep/local-executor.js';
import { parseQueueUrl } from '../src/sweep/queue/connection.js';
import { createQueueExecutor } from '../src/sweep/queue/queue-executor.js';
import { findRedisServer, startRedisServer } from '../src/sweep/queue/test-support/redis-server.js';
import { spawnWorker, type WorkerProcess } from '../src/sweep/queue/test-support/workers.js';
import { DEFAULT_RUNNER, type RunnerRef } from '../src/sweep/runner.js';
import { planSweep, runSweep } from '../src/sweep/sweep.js';
import type { SweepExecutor } from '../src/sweep/executor.js';
import type { SweepParameter } from '../src/sweep/values.js';

/**
 * Distributed sweep throughput: runs per minute through the BullMQ queue with 1 and 2 worker
 * processes (one thread each) on this machine, against the local executor with 1 and 2 threads on
 * the same grid, for the fake runner (no work, and a fixed busy loop) and the real runner (the
 * default scenario cut to one hour) when it exists; and the overhead per run around the runner.
 * Workers are started once and stay up, as they do in use; the local executor starts its threads
 * inside each sweep. Redis is a throw-away redis-server on loopback.
 * Usage: npx tsx bench/queue.bench.ts [--quick]
 */

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
const fakePath = join(root, 'src/sweep/fixtures/fake-runner.ts');
const fake: RunnerRef = { module: new URL('../src/sweep/fixtures/fake-runner.ts', import.meta.url).href, exportName: 'runScenario' };
const fakeScenario = join(root, 'src/sweep/fixtures/scenario.yaml');
const realScenario = join(root, 'scenarios/default.yaml');

interface Case {
  readonly label: string;
  readonly runner: RunnerRef;
  /** `--runner` for worker processes; undefined = their default runner. */
  readonly workerRunner: string | undefined;
  readonly scenario: string;
  readonly parameters: readonly SweepParameter[];
  readonly seeds: readonly number[];
}

interface Row {
  readonly label: string;
  readonly executor: string;
  readonly parallel: number;
  readonly runs: number;
  readonly failed: number;
  readonly wallS: number;
  readonly perMinute: number;
  /** Mean time inside the runner (ms), as the worker measured it. */
  readonly meanRunMs: number;
}

const seeds = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const fees: SweepParameter = { path: 'market.fee', values: [0, 0.05] };
const cases: Case[] = [
  { label: 'fake, no work', runner: fake, workerRunner: fakePath, scenario: fakeScenario, parameters: [fees], seeds: seeds(quick ? 5 : 40) },
  { label: 'fake, busy loop', runner: fake, workerRunner: fakePath, scenario: fakeScenario, parameters: [fees, { path: 'fake.spin', values: [quick ? 1_000_000 : 4_000_000] }], seeds: seeds(quick ? 3 : 10) },
];
const realAvailable = DEFAULT_RUNNER.module.startsWith('file:') && existsSync(fileURLToPath(DEFAULT_RUNNER.module)) && existsSync(realScenario);
// the real runner simulates one hour of the default day (4 intervals), so the case fits the time
// budget; seed 43, since the default feeder cannot seat all its prosumers for some seeds (1, 2, 3, 42)
if (realAvailable && !quick) {
  const hour: SweepParameter = { path: 'horizonHours', values: [1] };
  cases.push({ label: 'real, default.yaml 1 h', runner: DEFAULT_RUNNER, workerRunner: undefined, scenario: realScenario, parameters: [hour, { path: 'market.feePerKWh', values: [0, 0.05] }], seeds: [43] });
}

if (findRedisServer() === undefined) {
  process.stdout.write('queue benchmark skipped: redis-server is not installed (bash scripts/system-deps.sh)\n');
  process.exit(0);
}

const loadAtStart = loadavg()[0] ?? 0;
const tmp = mkdtempSync(join(tmpdir(), 'degsim-queue-bench-'));
const redis = await startRedisServer();
const parsed = parseQueueUrl(redis.url);
if (!parsed.ok) throw new Error('bad Redis URL');
const target = parsed.value;

async function measure(c: Case, executorLabel: string, parallel: number, executor: SweepExecutor): Promise<Row> {
  const plan = planSweep({ scenarioPath: c.scenario, parameters: c.parameters, seeds: c.seeds, outDir: join(tmp, `run-${++runNo}`) });
  if (!plan.ok) throw new Error(plan.errors.map((e) => e.message).join('; '));
  const t0 = performance.now();
  const outcome = await runSweep(plan.value, { executor });
  const wallS = (performance.now() - t0) / 1000;
  const meanRunMs = outcome.records.reduce((sum, r) => sum + r.runTimeMs, 0) / Math.max(1, outcome.records.length);
  return { label: c.label, executor: executorLabel, parallel, runs: outcome.total, failed: outcome.failed, wallS, perMinute: (outcome.total / wallS) * 60, meanRunMs };
}

/** Worker processes for one runner: one on queue `<key>-1`, two on `<key>-2`; started once, reused by every case. */
interface Pool {
  readonly queues: ReadonlyMap<number, string>;
  readonly procs: readonly WorkerProcess[];
}
async function startWorkers(key: string, workerRunner: string | undefined): Promise<Pool> {
  const runnerArgs = workerRunner === undefined ? [] : ['--runner', workerRunner];
  const q1 = `bench-${key}-1`;
  const q2 = `bench-${key}-2`;
  const procs = await Promise.all([q1, q2, q2].map((q) => spawnWorker(redis.url, ['--queue-name', q, '--quiet', ...runnerArgs])));
  return { queues: new Map([[1, q1], [2, q2]]), procs };
}

let runNo = 0;
const rows: Row[] = [];
const pools = new Map<string, Pool>();
try {
  for (const c of cases) {
    const key = c.workerRunner === undefined ? 'default' : 'fake';
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = await startWorkers(key, c.workerRunner);
      pools.set(key, pool);
    }
    for (const threads of [1, 2]) rows.push(await measure(c, 'local', threads, createLocalExecutor({ jobs: threads, runner: c.runner })));
    for (const n of [1, 2]) rows.push(await measure(c, 'queue', n, createQueueExecutor({ target, queueName: pool.queues.get(n) ?? '', pollIntervalMs: 1_000 })));
  }
} finally {
  await Promise.all([...pools.values()].flatMap((p) => p.procs.map((w) => w.stop())));
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
}

process.stdout.write(`machine: ${availableParallelism()} cores, load average ${loadAtStart.toFixed(1)} at the start (other work on the machine slows every row)\n`);
const header = ['runner', 'executor', 'threads/workers', 'runs', 'failed', 'wall s', 'runs/min', 'mean run ms', 'vs local 1'];
const lines = rows.map((r) => {
  const base = rows.find((x) => x.label === r.label && x.executor === 'local' && x.parallel === 1);
  return [r.label, r.executor, String(r.parallel), String(r.runs), String(r.failed), r.wallS.toFixed(2), r.perMinute.toFixed(0), r.meanRunMs.toFixed(1), base === undefined ? '' : (base.wallS / r.wallS).toFixed(2)];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
const fmt = (cells: readonly string[]): string => cells.map((cell, i) => (i <= 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
process.stdout.write(`${fmt(header)}\n${fmt(widths.map((w) => '-'.repeat(w)))}\n${lines.map(fmt).join('\n')}\n`);
if (!realAvailable) process.stdout.write('real runner: src/run/run.ts or scenarios/default.yaml not present; only the fake runner was measured\n');
else if (quick) process.stdout.write('real runner: left out of --quick\n');
// with one run at a time, wall time per run minus time inside the runner is what carrying a run costs
const perRun = (r: Row | undefined): string => (r === undefined ? '?' : ((r.wallS * 1000) / r.runs - r.meanRunMs).toFixed(1));
const noWork = (executor: string): Row | undefined => rows.find((r) => r.label === 'fake, no work' && r.executor === executor && r.parallel === 1);
process.stdout.write(
  `overhead per run around the runner (1 worker / 1 thread, runs doing no work): queue ${perRun(noWork('queue'))} ms ` +
    `(enqueue, hand-out, record back, on a warm worker), local ${perRun(noWork('local'))} ms (including its thread start-up)\n`,
);
