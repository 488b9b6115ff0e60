import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from './compare.js';

const fixtures = fileURLToPath(new URL('../../compare/fixtures/', import.meta.url));
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
  try {
    await program.parseAsync(['compare', ...args], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, out, err };
}

describe('degsim compare', () => {
  it('exits 0 for a run against itself', async () => {
    const r = await cli([join(fixtures, 'beckn'), join(fixtures, 'beckn')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('**Equal.**');
  });

  it('exits 1 for a changed fee and prints JSON on request', async () => {
    const r = await cli([join(fixtures, 'beckn'), join(fixtures, 'fee'), '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { equal: boolean; tables: { file: string; status: string }[] };
    expect(report.equal).toBe(false);
    expect(report.tables.find((t) => t.file === 'settlement.csv')?.status).toBe('different');
  });

  it('exits 0 across profiles with --ignore-envelope, 1 without', async () => {
    expect((await cli([join(fixtures, 'beckn'), join(fixtures, 'order'), '--ignore-envelope'])).code).toBe(0);
    expect((await cli([join(fixtures, 'beckn'), join(fixtures, 'order')])).code).toBe(1);
  });

  it('takes repeated --ignore paths and tolerances', async () => {
    const r = await cli([
      join(fixtures, 'beckn'),
      join(fixtures, 'fee'),
      '--ignore',
      'message.**.feePerKWh',
      '--ignore',
      'settlement.csv',
      '--tol',
      '0',
    ]);
    expect(r.code).toBe(0);
  });

  it('exits 2 when a folder is missing', async () => {
    const r = await cli([join(fixtures, 'beckn'), join(fixtures, 'missing')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('[compare.folder]');
  });

  it('rejects a bad format or tolerance as usage errors', async () => {
    await expect(cli([join(fixtures, 'beckn'), join(fixtures, 'beckn'), '--format', 'xml'])).rejects.toThrow(/Allowed choices/);
    await expect(cli([join(fixtures, 'beckn'), join(fixtures, 'beckn'), '--tol', '-1'])).rejects.toThrow(/non-negative/);
  });
});
