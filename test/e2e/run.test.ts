import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runScenario } from '../../src/run/run.js';

/** SHA-256 of a file: comparing megabytes of trace byte by byte through a matcher is needlessly slow. */
const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

const scenario = join(import.meta.dirname, '..', '..', 'scenarios', 'default.yaml');

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? listFiles(join(dir, f), `${prefix}${f}/`) : [`${prefix}${f}`]));
}

describe('degsim run (end to end)', () => {
  it('same scenario and seed give byte-identical folders; another seed differs', { timeout: 600_000 }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'degsim-e2e-'));
    try {
      const short = ['horizonHours=2', 'start=2026-06-21T05:00:00Z'];
      const a = await runScenario({ scenarioPath: scenario, overrides: short, outDir: join(tmp, 'a') });
      const b = await runScenario({ scenarioPath: scenario, overrides: short, outDir: join(tmp, 'b') });
      const c = await runScenario({ scenarioPath: scenario, overrides: short, seed: 99, outDir: join(tmp, 'c') });
      expect(a.ok && b.ok && c.ok).toBe(true);
      const files = listFiles(join(tmp, 'a'));
      expect(files).toEqual(listFiles(join(tmp, 'b')));
      expect(files).toEqual(expect.arrayContaining(['clearing.csv', 'dispatch.csv', 'flows.csv', 'settlement.csv', 'messages.ndjson', 'acks.ndjson', 'wire.ndjson', 'registry.json', 'summary.json', 'summary.md', 'report.html']));
      for (const f of files) expect(digest(join(tmp, 'b', f)), f).toBe(digest(join(tmp, 'a', f)));
      expect(digest(join(tmp, 'c', 'dispatch.csv'))).not.toBe(digest(join(tmp, 'a', 'dispatch.csv')));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a bad scenario leaves no output folder behind', { timeout: 120_000 }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'degsim-e2e-'));
    try {
      const r = await runScenario({ scenarioPath: scenario, overrides: ['market.priceRule=median'], outDir: join(tmp, 'out') });
      expect(r.ok).toBe(false);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
