import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoMs } from '../../kernel/clock.js';
import { generateRegistry, indexRegistry } from '../../protocol/registry.js';
import { createMemoryTrace } from '../../protocol/trace.js';
import { createBus } from '../../protocol/transport/bus.js';
import { buildInit, buildOnInit, fixtureAckBuilder, fixtureContextReader, fixtureValidator, uuidOf } from '../../protocol/transport/http/test-support/fixtures.js';
import { register, runVerify } from './verify.js';

const dir = mkdtempSync(join(tmpdir(), 'degsim-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = parseIsoMs('2026-06-21T10:00:00Z');
const run = join(dir, 'run');

function capture(): { out: string[]; write(text: string): boolean } {
  const out: string[] = [];
  return { out, write: (text: string) => out.push(text) > 0 };
}

beforeAll(async () => {
  const gen = generateRegistry(2, [
    { subscriberId: 'bap.prosumer-1', role: 'BAP', uri: 'http://127.0.0.1/bap' },
    { subscriberId: 'bpp.mca', role: 'BPP', uri: 'http://127.0.0.1/mca' },
  ]);
  if (!gen.ok) throw new Error('registry');
  const trace = createMemoryTrace();
  const bus = createBus({ registry: indexRegistry(gen.value.registry), keys: gen.value.keys, validator: fixtureValidator, contextReader: fixtureContextReader, ackBuilder: fixtureAckBuilder, trace });
  bus.register('bap.prosumer-1', () => undefined);
  bus.register('bpp.mca', (m, nowMs) => void bus.send({ fromId: 'bpp.mca', toId: 'bap.prosumer-1', wire: buildOnInit(m.wire as Record<string, unknown>, nowMs), atMs: nowMs }));
  for (let i = 0; i < 3; i++) {
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.mca', wire: buildInit({ bapId: 'bap.prosumer-1', bppId: 'bpp.mca', bapUri: 'http://127.0.0.1/bap', bppUri: 'http://127.0.0.1/mca', messageId: uuidOf(i), transactionId: uuidOf(i, 2), timestampMs: T0 + i * 1000 }), atMs: T0 + i * 1000 });
  }
  await bus.runUntil(T0 + 10_000);
  await trace.writeTo(run, gen.value.registry);
});

describe('degsim verify', () => {
  it('verifies a run’s wire trace against the registry beside it and exits 0', async () => {
    const stdout = capture();
    const code = await runVerify(join(run, 'wire.ndjson'), { now: 'context', format: 'text' }, stdout, capture());
    expect(code).toBe(0);
    expect(stdout.out).toEqual([`${join(run, 'wire.ndjson')}: 6 messages, 6 verified, 0 failed\n`]);
  });

  it('names the line of a tampered message and exits 1', async () => {
    const lines = readFileSync(join(run, 'wire.ndjson'), 'utf8').trimEnd().split('\n');
    const rec = JSON.parse(lines[3] ?? '') as { headers: Record<string, string>; body: string; to: string };
    const { digest: _d, ...headers } = rec.headers;
    lines[3] = JSON.stringify({ headers, body: rec.body.replace('"wheelingPerKWh":0.5', '"wheelingPerKWh":0.05'), to: rec.to });
    const tampered = join(dir, 'tampered.ndjson');
    writeFileSync(tampered, `${lines.join('\n')}\n`);
    const stdout = capture();
    const code = await runVerify(tampered, { registry: join(run, 'registry.json'), now: 'context', format: 'text' }, stdout, capture());
    expect(code).toBe(1);
    expect(stdout.out[0]).toBe(`${tampered}:4: signature-invalid AUT_SIGNATURE_INVALID (on_init ${uuidOf(1)}): the signature does not verify with key ${(JSON.parse(readFileSync(join(run, 'registry.json'), 'utf8')) as { subscribers: { subscriberId: string; uniqueKeyId: string }[] }).subscribers.find((s) => s.subscriberId === 'bpp.mca')?.uniqueKeyId ?? ''} of bpp.mca over this body\n`);
    expect(stdout.out[1]).toBe(`${tampered}: 6 messages, 5 verified, 1 failed\n`);
  });

  it('verifies at a fixed instant and reports JSON', async () => {
    const stdout = capture();
    const code = await runVerify(join(run, 'wire.ndjson'), { now: '2026-06-21T11:00:00Z', format: 'json' }, stdout, capture());
    expect(code).toBe(1);
    const report = JSON.parse(stdout.out.join('')) as { passed: number; failed: number; lines: { reason?: string }[] };
    expect([report.passed, report.failed]).toEqual([0, 6]);
    expect(report.lines.every((l) => l.reason === 'signature-expired')).toBe(true);
  });

  it('exits 1 with a diagnostic when the registry is missing, and 2-style usage errors on a bad --now', async () => {
    const stderr = capture();
    expect(await runVerify(join(dir, 'nowhere', 'wire.ndjson'), { now: 'context', format: 'text' }, capture(), stderr)).toBe(1);
    expect(stderr.out.join('')).toContain('[registry.read]');
    const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    register(program);
    await expect(program.parseAsync(['verify', 'x.ndjson', '--now', 'yesterday'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
  });
});
