import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE } from '../checkpoint.js';
import { createLocalExecutor } from '../local-executor.js';
import type { RunnerRef } from '../runner.js';
import { planSweep, runSweep, type SweepOutcome, type SweepPlan } from '../sweep.js';
import { parseSeeds, parseVaryFlags } from '../values.js';
import { KEY_PREFIX, parseQueueUrl, type QueueTarget } from './connection.js';
import { createQueueExecutor, type QueueSweepEvent } from './queue-executor.js';
import { startQueueWorker, type QueueWorker } from './queue-worker.js';
import { startRedisServer, type RedisServerHandle } from './test-support/redis-server.js';
import { redisSkipReason, spawnWorker, type WorkerProcess } from './test-support/workers.js';

const skip = redisSkipReason();
if (skip !== undefined) process.stderr.write(`${skip}\n`);

const scenario = fileURLToPath(new URL('../fixtures/scenario.yaml', import.meta.url));
const fakeRunnerPath = fileURLToPath(new URL('../fixtures/fake-runner.ts', import.meta.url));
const fake: RunnerRef = { module: new URL('../fixtures/fake-runner.ts', import.meta.url).href, exportName: 'runScenario' };
const tmp = mkdtempSync(join(tmpdir(), 'degsim-queue-'));

let redis: RedisServerHandle | undefined;
let target: QueueTarget;
const workers: WorkerProcess[] = [];
const inProcess: QueueWorker[] = [];

function plan(vary: readonly string[], seeds: string, out: string): SweepPlan {
  const parameters = parseVaryFlags(vary);
  const s = parseSeeds(seeds);
  if (!parameters.ok || !s.ok) throw new Error('bad flags');
  const p = planSweep({ scenarioPath: scenario, parameters: parameters.value, seeds: s.value, outDir: join(tmp, out) });
  if (!p.ok) throw new Error(p.errors.map((e) => e.message).join('; '));
  return p.value;
}

const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8');
const csvIds = (dir: string): string[] =>
  read(dir, 'sweep.csv')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').find((c) => /^[0-9a-f]{16}$/.test(c)) ?? '');

function queueSweep(p: SweepPlan, queueName: string, more: { events?: QueueSweepEvent[]; signal?: AbortSignal; clean?: boolean; onEvent?: (e: QueueSweepEvent) => void } = {}): Promise<SweepOutcome> {
  const executor = createQueueExecutor({
    target,
    queueName,
    pollIntervalMs: 500,
    cleanOnAbort: more.clean === true,
    onEvent: (e) => {
      more.events?.push(e);
      more.onEvent?.(e);
    },
  });
  return runSweep(p, { executor, ...(more.signal === undefined ? {} : { signal: more.signal }) });
}

function localSweep(p: SweepPlan): Promise<SweepOutcome> {
  return runSweep(p, { executor: createLocalExecutor({ jobs: 2, runner: fake }) });
}

async function worker(queueName: string, concurrency = 1): Promise<QueueWorker> {
  const w = await startQueueWorker({ target, queueName, concurrency, runner: fake, lockDurationMs: 2_000 });
  if (!w.ok) throw new Error(w.errors.map((e) => e.message).join('; '));
  inProcess.push(w.value);
  return w.value;
}

function bull(queueName: string): { queue: Queue; close: () => Promise<void> } {
  const client = new Redis({ host: target.host, port: target.port, maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: client, prefix: KEY_PREFIX });
  return {
    queue,
    close: async () => {
      await queue.close();
      client.disconnect();
    },
  };
}

describe.skipIf(skip !== undefined)('sweeps through a BullMQ queue on a real Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
    const t = parseQueueUrl(redis.url);
    if (!t.ok) throw new Error('bad url');
    target = t.value;
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop(2_000)));
    await Promise.all(inProcess.map((w) => w.close(true)));
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const grid = ['market.fee=0,0.05', 'utility.deviationPenalty=1..2:1', 'fake.spin=300000'];

  it('gives byte-identical sweep.csv and sweep.md with two worker processes as locally, and a re-submission reuses every run', async () => {
    const args = ['--queue-name', 'equal', '--runner', fakeRunnerPath, '--lock-duration', '2'];
    const [a, b] = await Promise.all([spawnWorker(redis?.url ?? '', args), spawnWorker(redis?.url ?? '', args)]);
    workers.push(a, b);
    const qp = plan(grid, '1..3', 'equal-queue');
    const lp = plan(grid, '1..3', 'equal-local');
    const events: QueueSweepEvent[] = [];
    const [rq, rl] = await Promise.all([queueSweep(qp, 'equal', { events }), localSweep(lp)]);
    expect([rq.succeeded, rq.failed, rq.interrupted]).toEqual([12, 0, false]);
    expect(rl.succeeded).toBe(12);
    expect(read(qp.outDir, 'sweep.csv')).toBe(read(lp.outDir, 'sweep.csv'));
    expect(read(qp.outDir, 'sweep.md')).toBe(read(lp.outDir, 'sweep.md'));
    expect(events).toEqual([{ kind: 'submitted', enqueued: 12, reused: 0, requeued: 0, pending: 0 }]);
    // both workers took part, and together they ran each job exactly once
    const ran = [...a.lines, ...b.lines].filter((l) => l.startsWith('ok ')).map((l) => l.split(/\s+/)[1]);
    expect(a.lines.some((l) => l.startsWith('ok ')) && b.lines.some((l) => l.startsWith('ok '))).toBe(true);
    expect([...ran].sort()).toEqual(qp.jobs.map((j) => j.id).sort());

    // re-submitting the same sweep (to a fresh folder) takes every record from the queue
    const again = plan(grid, '1..3', 'equal-again');
    const events2: QueueSweepEvent[] = [];
    const r2 = await queueSweep(again, 'equal', { events: events2 });
    expect(r2.succeeded).toBe(12);
    expect(events2).toEqual([{ kind: 'submitted', enqueued: 0, reused: 12, requeued: 0, pending: 0 }]);
    expect(read(again.outDir, 'sweep.csv')).toBe(read(lp.outDir, 'sweep.csv'));
    expect([...a.lines, ...b.lines].filter((l) => l.startsWith('ok ')).length).toBe(12);
  });

  it('completes with an identical table and no duplicate row when a worker is killed with SIGKILL mid-run', async () => {
    const args = ['--queue-name', 'kill', '--runner', fakeRunnerPath, '--lock-duration', '2'];
    const [victim, survivor] = await Promise.all([spawnWorker(redis?.url ?? '', args), spawnWorker(redis?.url ?? '', args)]);
    workers.push(victim, survivor);
    const killGrid = ['market.fee=0,0.05', 'fake.spin=3000000'];
    const qp = plan(killGrid, '1..3', 'kill-queue');
    const sweep = queueSweep(qp, 'kill');
    const started = await victim.waitFor(/^start\s/, 60_000);
    const killedJob = started.split(/\s+/)[1] ?? '';
    victim.child.kill('SIGKILL');
    const [rq, rl] = await Promise.all([sweep, localSweep(plan(killGrid, '1..3', 'kill-local'))]);
    expect([rq.succeeded, rq.failed]).toEqual([6, 0]);
    expect(read(qp.outDir, 'sweep.csv')).toBe(read(rl.outDir, 'sweep.csv'));
    expect(read(qp.outDir, 'sweep.md')).toBe(read(rl.outDir, 'sweep.md'));
    const ids = csvIds(qp.outDir);
    expect([ids.length, new Set(ids).size]).toEqual([6, 6]);
    expect(read(qp.outDir, CHECKPOINT_FILE).trimEnd().split('\n')).toHaveLength(6);
    // the killed worker never finished its run; the survivor ran it after the lock expired
    expect(victim.lines.some((l) => l.startsWith(`ok     ${killedJob}`))).toBe(false);
    expect(survivor.lines.some((l) => l.startsWith(`ok     ${killedJob}`))).toBe(true);
  });

  it('reports a failed run once and never retries it, retries a dying thread, and matches the local table', async () => {
    const w = await worker('failures', 2);
    const failGrid = ['fake.fail=false,true', 'fake.exit=false,true'];
    const qp = plan(failGrid, '1..2', 'fail-queue');
    const [rq, rl] = await Promise.all([queueSweep(qp, 'failures'), localSweep(plan(failGrid, '1..2', 'fail-local'))]);
    expect([rq.succeeded, rq.failed]).toEqual([4, 4]);
    // same failure rows as locally: the run's own diagnostics, and the thread death after 3 attempts
    expect(read(qp.outDir, 'sweep.csv')).toBe(read(rl.outDir, 'sweep.csv'));
    const codes = rq.records.flatMap((r) => (r.status === 'failed' ? [r.errors[0]?.code] : []));
    expect(codes.sort()).toEqual(['fake.fail', 'fake.fail', 'sweep.worker.exit', 'sweep.worker.exit']);
    const { queue, close } = bull('failures');
    try {
      const failing = qp.jobs.find((j) => j.overrides.join() === 'fake.fail=true,fake.exit=false' && j.seed === 1);
      const dying = qp.jobs.find((j) => j.overrides.join() === 'fake.fail=false,fake.exit=true' && j.seed === 2);
      const f = await queue.getJob(failing?.id ?? '');
      const d = await queue.getJob(dying?.id ?? '');
      expect([await queue.getJobState(failing?.id ?? ''), f?.attemptsStarted]).toEqual(['completed', 1]);
      expect([await queue.getJobState(dying?.id ?? ''), d?.attemptsMade]).toEqual(['failed', 3]);
    } finally {
      await close();
    }
    // a re-submission reuses the successes and runs the failures again, as a local --resume does
    const events: QueueSweepEvent[] = [];
    const again = await queueSweep(plan(failGrid, '1..2', 'fail-again'), 'failures', { events });
    expect(events).toEqual([{ kind: 'submitted', enqueued: 0, reused: 4, requeued: 4, pending: 0 }]);
    expect([again.succeeded, again.failed]).toEqual([4, 4]);
    await w.close();
  });

  it('on abort leaves queued runs for a later submission, or removes them with clean', async () => {
    const p = plan(['market.fee=0.01,0.02'], '1..2', 'abort');
    for (const clean of [false, true]) {
      const ctl = new AbortController();
      const events: QueueSweepEvent[] = [];
      const sweep = queueSweep(p, 'abort', {
        signal: ctl.signal,
        clean,
        events,
        onEvent: (e) => {
          if (e.kind === 'submitted') ctl.abort();
        },
      });
      const r = await sweep;
      expect([r.interrupted, r.records.length]).toEqual([true, 0]);
      const { queue, close } = bull('abort');
      const waiting = await queue.getWaitingCount();
      await close();
      if (clean) {
        expect(events).toEqual([{ kind: 'submitted', enqueued: 0, reused: 0, requeued: 0, pending: 4 }, { kind: 'cleaned', removed: 4, left: 0 }]);
        expect(waiting).toBe(0);
      } else {
        expect(events).toEqual([{ kind: 'submitted', enqueued: 4, reused: 0, requeued: 0, pending: 0 }]);
        expect(waiting).toBe(4);
      }
    }
    await worker('abort');
    const done = await queueSweep(p, 'abort');
    expect([done.succeeded, done.interrupted]).toEqual([4, false]);
  });

  it('rejects a malformed job without retrying it and goes on with the next', async () => {
    await worker('bad');
    const { queue, close } = bull('bad');
    try {
      await queue.add('run', { format: 2, seed: 'x' }, { jobId: 'feedfacefeedface', attempts: 3 });
      const p = plan(['market.fee=0.03'], '1', 'after-bad');
      const r = await queueSweep(p, 'bad');
      expect(r.succeeded).toBe(1);
      const bad = await queue.getJob('feedfacefeedface');
      expect(await queue.getJobState('feedfacefeedface')).toBe('failed');
      expect(bad?.attemptsMade).toBe(1);
      expect(bad?.failedReason).toMatch(/^queue\.job\.format: format: unknown job format 2/);
    } finally {
      await close();
    }
  });
});
