import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freeLoopbackPort, startRedisServer, type RedisServerHandle } from '../../sweep/queue/test-support/redis-server.js';
import { redisSkipReason, spawnWorker } from '../../sweep/queue/test-support/workers.js';
import { register as registerSweep } from './sweep.js';
import { formatWorkerEvent, register as registerWorker } from './worker.js';

const fixtures = fileURLToPath(new URL('../../sweep/fixtures/', import.meta.url));
const fakeRunner = join(fixtures, 'fake-runner.ts');
const scenario = join(fixtures, 'scenario.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'degsim-worker-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs a command in-process, capturing its output; `onErr` sees each stderr write as it happens. */
async function cli(args: string[], onErr?: (text: string) => void): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    onErr?.(String(s));
    return true;
  });
  const program = new Command().exitOverride();
  registerSweep(program);
  registerWorker(program);
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, out, err };
}

describe('degsim worker and degsim sweep --queue: usage', () => {
  it('exits 2 on a bad queue URL and 1 when Redis cannot be reached', async () => {
    const bad = await cli(['worker', '--queue', 'localhost:6379']);
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('[queue.url]')]);
    const port = await freeLoopbackPort();
    const down = await cli(['worker', '--queue', `redis://127.0.0.1:${port}/0`]);
    expect(down.code).toBe(1);
    expect(down.err).toContain(`cannot reach Redis at redis://127.0.0.1:${port}/0`);
    expect(down.err).toContain('[queue.connect]');
    const sweepDown = await cli(['sweep', scenario, '--queue', `redis://127.0.0.1:${port}/0`, '--out', join(tmp, 'down')]);
    expect([sweepDown.code, sweepDown.err.includes('[queue.connect]')]).toEqual([1, true]);
  });

  it('rejects sweep flags that do not apply to a queue, all at once, with exit 2', async () => {
    const r = await cli(['sweep', scenario, '--queue', 'redis://h/x', '--jobs', '2', '--runner', fakeRunner, '--seeds', '0..x']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter((l) => l !== '').map((l) => /\[([\w.]+)\]$/.exec(l)?.[1])).toEqual(['sweep.range.syntax', 'sweep.queue.usage', 'sweep.queue.usage', 'queue.url']);
    const clean = await cli(['sweep', scenario, '--clean']);
    expect([clean.code, clean.err]).toEqual([2, '--clean: --clean only applies with --queue [sweep.queue.usage]\n']);
  });

  it('logs one line per worker event, fewer when quiet', () => {
    const values = [{ path: 'market.fee', value: 0.05 }];
    expect(formatWorkerEvent({ kind: 'start', jobId: 'abc', values, seed: 2, attempt: 2 }, false)).toBe('start  abc  market.fee=0.05, seed 2 (attempt 2)');
    expect(formatWorkerEvent({ kind: 'start', jobId: 'abc', values, seed: 2, attempt: 1 }, true)).toBeUndefined();
    const failed = { jobId: 'abc', values, seed: 1, status: 'failed' as const, errors: [{ code: 'fake.fail', path: 'fake.fail', message: 'no' }], runTimeMs: 1234 };
    expect(formatWorkerEvent({ kind: 'finish', record: failed }, false)).toBe('failed abc  1.23 s  fake.fail: no [fake.fail]');
    expect(formatWorkerEvent({ kind: 'crash', jobId: 'abc', values, seed: 2, message: 'died', willRetry: false }, true)).toBe('crash  abc  market.fee=0.05, seed 2: died (no attempts left)');
  });
});

const skip = redisSkipReason();
if (skip !== undefined) process.stderr.write(`${skip}\n`);

describe.skipIf(skip !== undefined)('degsim sweep --queue with a degsim worker process', () => {
  let redis: RedisServerHandle | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('runs the sweep on the worker, writes the same table as a local sweep, and the worker stops cleanly on SIGTERM', async () => {
    const url = redis?.url ?? '';
    const worker = await spawnWorker(url, ['--queue-name', 'cli', '--runner', fakeRunner, '--concurrency', '2', '--store', join(tmp, 'store')]);
    const common = [scenario, '--vary', 'market.fee=0.01,0.02', '--seeds', '1..2', '--quiet'];
    const q = await cli(['sweep', ...common, '--queue', url, '--queue-name', 'cli', '--out', join(tmp, 'q')]);
    const l = await cli(['sweep', ...common, '--runner', fakeRunner, '--jobs', '2', '--out', join(tmp, 'l')]);
    expect([q.code, q.err, l.code]).toEqual([0, '', 0]);
    expect(q.out).toContain('sweep: 4 runs, 4 succeeded, 0 failed');
    expect(readFileSync(join(tmp, 'q', 'sweep.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'l', 'sweep.csv'), 'utf8'));
    // --store keeps each run folder under its job id
    const ids = readFileSync(join(tmp, 'q', 'sweep.csv'), 'utf8').trimEnd().split('\n').slice(1).map((line) => line.split(',')[2] ?? '');
    for (const id of ids) expect(readFileSync(join(tmp, 'store', id, 'clearing.csv'), 'utf8')).toMatch(/^interval,start,node,price/);
    // not quiet: the queue tells what it reused
    const again = await cli(['sweep', ...common.filter((a) => a !== '--quiet'), '--queue', url, '--queue-name', 'cli', '--out', join(tmp, 'q2')]);
    expect(again.err).toContain('queue: 0 runs enqueued, 4 already done, 0 failed before and enqueued again, 0 already queued');
    await worker.stop();
    expect(worker.child.exitCode).toBe(0);
    expect(worker.lines.filter((line) => /^worker \S+: stopped after 4 runs$/.test(line))).toHaveLength(1);
  });

  it('exits 130 on Ctrl-C, and --clean takes its waiting runs off the queue', async () => {
    const url = redis?.url ?? '';
    const before = new Set(process.listeners('SIGINT'));
    const r = await cli([
      'sweep', scenario, '--vary', 'market.fee=0.01,0.02,0.03', '--queue', url, '--queue-name', 'nobody-listens', '--clean', '--out', join(tmp, 'ctrl-c'),
    ], (text) => {
      if (!text.startsWith('queue: 3 runs enqueued')) return;
      // press Ctrl-C: call the handler the command installed (not the test runner's own)
      const mine = process.listeners('SIGINT').find((l) => !before.has(l));
      mine?.('SIGINT');
    });
    expect(r.code).toBe(130);
    expect(r.err).toContain('queue: removed 3 waiting runs; 0 already running finish and stay in the queue');
    expect(r.out).toContain('3 not run (interrupted: continue with --resume)');
  });
});
