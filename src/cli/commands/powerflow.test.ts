import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { register, runPowerflow, type PowerflowOptions } from './powerflow.js';

const IEEE33 = fileURLToPath(new URL('../../../grid/cases/ieee33.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'degsim-pf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defaults: PowerflowOptions = { format: 'json', scaleLoads: 1, scaleGeneration: 1 };

function capture(): { out: string[]; write(text: string): boolean } {
  const out: string[] = [];
  return { out, write: (text: string) => out.push(text) > 0 };
}

describe('runPowerflow', () => {
  it('prints the IEEE 33-bus solution as rounded JSON and exits 0', () => {
    const stdout = capture();
    const stderr = capture();
    expect(runPowerflow(IEEE33, defaults, stdout, stderr)).toBe(0);
    const json = JSON.parse(stdout.out.join('')) as Record<string, unknown> & { buses: unknown[]; branches: unknown[] };
    expect(json).toMatchObject({ converged: true, minVoltageBus: '18', minVoltagePu: 0.91309, maxVoltageBus: '1', maxVoltagePu: 1 });
    expect(json['lossesKW']).toBeCloseTo(202.677, 3);
    expect(json.buses).toHaveLength(33);
    expect(json.branches).toHaveLength(32);
    // First branch carries everything: 3715 kW + 202.677 kW losses, 2300 kVAr + 135.141 kVAr losses;
    // |S| = 4612.9 kVA at 12.66 kV → 210.36 A; 3·210.36²·0.0922 Ω = 12.240 kW.
    expect(json.branches[0]).toEqual({ id: 'L1', kind: 'line', from: '1', to: '2', pKW: 3917.677, qKVAr: 2435.141, currentA: 210.36, lossesKW: 12.24 });
    expect(stdout.out.join('')).not.toMatch(/\d\.\d{7,}/);
    expect(stderr.out).toEqual([]);
  });

  it('reports voltage collapse with loads ×4 and exits 1', () => {
    const stdout = capture();
    const stderr = capture();
    expect(runPowerflow(IEEE33, { ...defaults, scaleLoads: 4 }, stdout, stderr)).toBe(1);
    expect(JSON.parse(stdout.out.join(''))).toMatchObject({ converged: false, reason: 'voltage-collapse' });
    expect(stderr.out.join('')).toMatch(/voltage collapse at bus '18'.*\[powerflow\.voltage-collapse\]/);
  });

  it('prints every problem of a bad file with its line and exits 1', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nbaseKV: -1\nslackBus: S\nlines:\n  - {from: S, to: A, rOhm: 1}\n');
    const stdout = capture();
    const stderr = capture();
    expect(runPowerflow(file, defaults, stdout, stderr)).toBe(1);
    expect(stdout.out).toEqual([]);
    const text = stderr.out.join('');
    expect(text).toContain(`${file}:2:9: baseKV: must be greater than 0, got -1 [schema.range]`);
    expect(text).toContain(`${file}:5:5: lines[0].xOhm: 'xOhm' is required (ohm) [schema.required]`);
    expect(text).toContain('2 problems');
  });

  it('prints a table on request', () => {
    const stdout = capture();
    expect(runPowerflow(IEEE33, { ...defaults, format: 'table' }, stdout, capture())).toBe(0);
    expect(stdout.out.join('')).toContain('min voltage       0.913090 pu at bus 18');
  });
});

describe('degsim powerflow command', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  function program(): Command {
    const p = new Command('degsim').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    register(p);
    return p;
  }

  it('parses its options and sets the exit code', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => writes.push(String(chunk)) > 0);
    await program().parseAsync(['powerflow', IEEE33, '--scale-loads', '2', '--max-iterations', '50'], { from: 'user' });
    expect(process.exitCode).toBe(0);
    const json = JSON.parse(writes.join('')) as { converged: boolean; minVoltagePu: number };
    expect(json.converged).toBe(true);
    expect(json.minVoltagePu).toBeLessThan(0.82);
  });

  it('rejects bad option values as usage errors', async () => {
    await expect(program().parseAsync(['powerflow', IEEE33, '--format', 'xml'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
    await expect(program().parseAsync(['powerflow', IEEE33, '--scale-loads', 'lots'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
  });
});
