import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIsoMs } from '../../kernel/clock.js';
import { loadRegistry } from '../../protocol/registry.js';
import { register, runKeysGenerate } from './keys.js';

const dir = mkdtempSync(join(tmpdir(), 'degsim-keys-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = parseIsoMs('2026-06-21T10:00:00Z');

function capture(): { out: string[]; write(text: string): boolean } {
  const out: string[] = [];
  return { out, write: (text: string) => out.push(text) > 0 };
}

describe('degsim keys generate', () => {
  it('prints what it wrote and exits 0', async () => {
    const stdout = capture();
    const stderr = capture();
    const out = join(dir, 'keys');
    const code = await runKeysGenerate({ subscriber: 'bap.prosumer-7.example', keyId: 'k1', role: 'BAP', out }, NOW, stdout, stderr);
    expect(code).toBe(0);
    const reg = await loadRegistry(join(out, 'registry.json'));
    if (!reg.ok) throw new Error('registry');
    const entry = reg.value.subscribers[0];
    expect(stdout.out).toEqual([
      `private key  ${join(out, 'bap.prosumer-7.example.k1.key.json')} (mode 600)\n`,
      `registry     ${join(out, 'registry.json')} (added bap.prosumer-7.example key k1 as BAP)\n`,
      `public key   ${entry?.publicKey ?? ''}\n`,
      'valid        2026-06-21T10:00:00Z → 2027-06-21T10:00:00Z\n',
    ]);
    expect(stderr.out).toEqual([]);
    expect(statSync(join(out, 'bap.prosumer-7.example.k1.key.json')).mode & 0o777).toBe(0o600);
  });

  it('prints the diagnostics and exits 1 when the registry cannot be updated', async () => {
    const stderr = capture();
    const code = await runKeysGenerate({ subscriber: 'bap.x', keyId: 'k1', role: 'BAP', uri: 'nope', out: join(dir, 'bad') }, NOW, capture(), stderr);
    expect(code).toBe(1);
    expect(stderr.out.join('')).toContain('[registry.uri]');
    expect(stderr.out.join('')).toContain('nothing written');
  });

  it('rejects a bad role or id as a usage error', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    register(program);
    await expect(program.parseAsync(['keys', 'generate', '--subscriber', 'bap.x', '--role', 'GATEWAY'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
    await expect(program.parseAsync(['keys', 'generate', '--subscriber', 'bap|x'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
    await expect(program.parseAsync(['keys', 'generate', '--subscriber', 'bap.x', '--valid-until', 'tomorrow'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
  });
});
