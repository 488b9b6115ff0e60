import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { jobId, type SweepJob } from '../job.js';
import type { RunnerRef } from '../runner.js';
import { overrideFor, type SweepScalar } from '../values.js';
import { createThreadPool, PoolClosedError, ThreadExitError } from './thread-pool.js';

const scenario = fileURLToPath(new URL('../fixtures/scenario.yaml', import.meta.url));
const fake: RunnerRef = { module: new URL('../fixtures/fake-runner.ts', import.meta.url).href, exportName: 'runScenario' };
const tmp = mkdtempSync(join(tmpdir(), 'degsim-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function job(path: string, value: SweepScalar, seed: number): SweepJob {
  const values = [{ path, value }];
  const id = jobId('d', values, seed);
  return { id, scenarioPath: scenario, values, seed, overrides: [overrideFor(path, value)], outDir: join(tmp, id) };
}

describe('the worker-thread pool', () => {
  it('runs jobs as they come on at most its size of threads, and replaces a thread that dies', async () => {
    const pool = createThreadPool(2, fake);
    try {
      const jobs = [1, 2, 3].map((s) => job('market.fee', 0.05, s));
      const records = await Promise.all(jobs.map((j) => pool.run(j)));
      expect(records.map((r) => [r.jobId, r.status])).toEqual(jobs.map((j) => [j.id, 'ok']));
      expect(pool.threads).toBeLessThanOrEqual(2);
      // the fake runner ends its thread with exit code 3 on seed 2
      const death = pool.run(job('fake.exit', true, 2));
      await expect(death).rejects.toBeInstanceOf(ThreadExitError);
      await expect(death).rejects.toThrow('the worker thread died during the run (exit code 3)');
      const failed = await pool.run(job('fake.fail', true, 1));
      expect(failed.status === 'failed' ? failed.errors[0]?.code : 'ok').toBe('fake.fail');
    } finally {
      await pool.close();
    }
  });

  it('rejects waiting and new jobs once closed', async () => {
    const pool = createThreadPool(1, fake);
    const running = pool.run(job('fake.spin', 20_000_000, 1));
    const waiting = pool.run(job('fake.spin', 1, 2));
    const outcomes = Promise.allSettled([running, waiting]);
    await pool.close();
    const [r, w] = await outcomes;
    expect([r?.status === 'rejected' && r.reason instanceof PoolClosedError, w?.status === 'rejected' && w.reason instanceof PoolClosedError]).toEqual([true, true]);
    await expect(pool.run(job('market.fee', 0, 1))).rejects.toBeInstanceOf(PoolClosedError);
  });
});
