import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from './report.js';

const fixture = fileURLToPath(new URL('../../../reports/html/fixtures/run-small', import.meta.url));

async function cli(args: readonly string[]): Promise<{ readonly out: string; readonly err: string; readonly code: number }> {
  const program = new Command();
  program.exitOverride();
  register(program);
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['report', ...args], { from: 'user' });
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, code };
}

describe('degsim report', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'degsim-report-cli-'));
    await cp(fixture, join(dir, 'run'), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('regenerates report.html in the run folder', async () => {
    const run = join(dir, 'run');
    const r = await cli([run]);
    expect(r).toEqual({ out: `wrote ${join(run, 'report.html')}\n`, err: '', code: 0 });
    expect(await readFile(join(run, 'report.html'), 'utf8')).toContain('Message sequence of interval 0');
  });

  it('draws the chosen interval and writes where asked', async () => {
    const out = join(dir, 'i1.html');
    const r = await cli([join(dir, 'run'), '--interval', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('Message sequence of interval 1');
  });

  it('exits 2 on a bad interval and 1 when the folder does not exist', async () => {
    expect((await cli([join(dir, 'run'), '--interval', 'two'])).code).toBe(2);
    const missing = await cli([join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`degsim report: ${join(dir, 'nope')} is not a run folder\n`);
  });
});
