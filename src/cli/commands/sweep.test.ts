import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { register } from './sweep.js';

const fixtures = fileURLToPath(new URL('../../sweep/fixtures/', import.meta.url));
const fakeRunner = join(fixtures, 'fake-runner.ts');
const tmp = mkdtempSync(join(tmpdir(), 'degsim-sweep-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  const program = new Command().exitOverride();
  register(program);
  process.exitCode = undefined;
  await program.parseAsync(['sweep', ...args], { from: 'user' });
  vi.restoreAllMocks();
  return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, out, err };
}

describe('degsim sweep', () => {
  it('runs a sweep file with flags overriding seeds and adding a parameter', async () => {
    const out = join(tmp, 'file');
    const r = await cli([join(fixtures, 'fee-sweep.yaml'), '--runner', fakeRunner, '--out', out, '--jobs', '2', '--seeds', '1..2', '--vary', 'fake.fail=false', '--quiet']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('sweep: 12 runs, 12 succeeded, 0 failed');
    const csv = readFileSync(join(out, 'sweep.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]?.startsWith('market.fee,utility.deviationPenalty,fake.fail,seed,jobId,status,')).toBe(true);
    expect(csv).toHaveLength(13);
  });

  it('runs a scenario with --vary flags, reports failures on stderr and exits 1', async () => {
    const out = join(tmp, 'flags');
    const r = await cli([join(fixtures, 'scenario.yaml'), '--runner', fakeRunner, '--out', out, '--jobs', '1', '--seeds', '1,2', '--vary', 'fake.fail=true']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('sweep: 2 runs, 1 succeeded, 1 failed');
    expect(r.err).toContain('run failed: fake.fail=true, seed 1');
    expect(r.err).toContain('asked to fail on odd seed 1 [fake.fail]');
    const again = await cli([join(fixtures, 'scenario.yaml'), '--runner', fakeRunner, '--out', out, '--jobs', '1', '--seeds', '1,2', '--vary', 'fake.fail=true', '--resume', '--quiet']);
    expect(again.out).toContain('1 already done');
  });

  it('exits 2 on a malformed --vary or --seeds and 1 on a missing scenario or runner', async () => {
    const bad = await cli([join(fixtures, 'scenario.yaml'), '--vary', 'market.fee', '--seeds', '1..x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('[sweep.vary.syntax]');
    expect(bad.err).toContain('[sweep.range.syntax]');
    const missing = await cli([join(tmp, 'nope.yaml'), '--runner', fakeRunner, '--out', join(tmp, 'x')]);
    expect([missing.code, missing.err.includes('[sweep.scenario.missing]')]).toEqual([1, true]);
    const noRunner = await cli([join(fixtures, 'scenario.yaml'), '--runner', join(tmp, 'no-runner.ts'), '--out', join(tmp, 'y')]);
    expect([noRunner.code, noRunner.err.includes('[sweep.runner.missing]')]).toEqual([1, true]);
  });

  it('rejects --jobs 0 as a usage error', async () => {
    await expect(cli([join(fixtures, 'scenario.yaml'), '--jobs', '0'])).rejects.toThrow(/whole number/);
  });
});
