import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from './report.js';
import { runCommand, type CommandOutput } from '../test-support/run-command.js';

const fixture = fileURLToPath(new URL('../../../reports/html/fixtures/run-small', import.meta.url));

const cli = (args: readonly string[]): Promise<CommandOutput> => runCommand(register, 'report', args);

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
