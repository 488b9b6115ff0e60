import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoMs } from '../../kernel/clock.js';
import { ackBuilder } from '../../protocol/ack.js';
import { getProfile } from '../../protocol/profiles/index.js';
import { payAsClearTransaction } from '../../protocol/profiles/test-support/transactions.js';
import { readWireContext } from '../../protocol/receiver.js';
import { generateRegistry, indexRegistry } from '../../protocol/registry.js';
import { signedHeaders } from '../../protocol/signing.js';
import { createMemoryTrace } from '../../protocol/trace.js';
import { createBus } from '../../protocol/transport/bus.js';
import { profileValidator, register, runVerify } from './verify.js';

const dir = mkdtempSync(join(tmpdir(), 'degsim-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = join(dir, 'run');

function capture(): { out: string[]; write(text: string): boolean } {
  const out: string[] = [];
  return { out, write: (text: string) => out.push(text) > 0 };
}

let mcaKeyId = '';

beforeAll(async () => {
  const profile = getProfile('beckn-2.0.0');
  const steps = payAsClearTransaction().filter((st) => ['init', 'on_init', 'confirm', 'on_confirm'].includes(st.action) && st.context.bapId === 'prosumer-7.degsim.net');
  const gen = generateRegistry(2, [
    { subscriberId: 'prosumer-7.degsim.net', role: 'BAP', uri: 'https://prosumer-7.degsim.net/beckn' },
    { subscriberId: 'mca.degsim.net', role: 'BPP', uri: 'https://mca.degsim.net/beckn' },
  ], { validFrom: '2024-01-01T00:00:00Z' });
  if (!gen.ok) throw new Error('registry');
  mcaKeyId = gen.value.keys.get('mca.degsim.net')?.uniqueKeyId ?? '';
  const trace = createMemoryTrace();
  const bus = createBus({
    registry: indexRegistry(gen.value.registry),
    keys: gen.value.keys,
    validator: profileValidator('beckn-2.0.0'),
    contextReader: readWireContext,
    ackBuilder: ackBuilder({ profile: 'beckn-2.0.0' }),
    trace,
  });
  bus.register('prosumer-7.degsim.net', () => undefined);
  bus.register('mca.degsim.net', () => undefined);
  for (const st of steps) {
    const wire = profile.build(st.action, st.context, st.payload as never);
    const callback = st.action.startsWith('on_');
    const r = bus.send({ fromId: callback ? 'mca.degsim.net' : 'prosumer-7.degsim.net', toId: callback ? 'prosumer-7.degsim.net' : 'mca.degsim.net', wire, atMs: parseIsoMs(st.context.timestamp) });
    if (r.status !== 'scheduled') throw new Error(JSON.stringify(r));
  }
  await bus.runUntil(Number.MAX_SAFE_INTEGER);
  await trace.writeTo(run, gen.value.registry);
  messageIds = steps.map((st) => st.context.messageId);
});

let messageIds: string[] = [];

describe('degsim verify', () => {
  it('verifies a run’s wire trace against the registry beside it and exits 0', async () => {
    const stdout = capture();
    const code = await runVerify(join(run, 'wire.ndjson'), { now: 'context', format: 'text' }, stdout, capture());
    expect(code).toBe(0);
    expect(stdout.out).toEqual([`${join(run, 'wire.ndjson')}: 4 messages, 4 verified, 0 failed\n`]);
  });

  it('names the line of a tampered message and exits 1', async () => {
    const lines = readFileSync(join(run, 'wire.ndjson'), 'utf8').trimEnd().split('\n');
    const rec = JSON.parse(lines[1] ?? '') as { headers: Record<string, string>; body: string; to: string };
    const { digest: _d, ...headers } = rec.headers;
    const changed = rec.body.replace('"approvedMaxTradeKW":4.5', '"approvedMaxTradeKW":45');
    expect(changed).not.toBe(rec.body);
    lines[1] = JSON.stringify({ headers, body: changed, to: rec.to });
    const tampered = join(dir, 'tampered.ndjson');
    writeFileSync(tampered, `${lines.join('\n')}\n`);
    const stdout = capture();
    const code = await runVerify(tampered, { registry: join(run, 'registry.json'), now: 'context', format: 'text' }, stdout, capture());
    expect(code).toBe(1);
    expect(stdout.out).toEqual([
      `${tampered}:2: signature-invalid AUT_SIGNATURE_INVALID (on_init ${messageIds[1] ?? ''}): the signature does not verify with key ${mcaKeyId} of mca.degsim.net over this body\n`,
      `${tampered}: 4 messages, 3 verified, 1 failed\n`,
    ]);
  });

  it('checks the bodies against the profile schemas unless told not to', async () => {
    const lines = readFileSync(join(run, 'wire.ndjson'), 'utf8').trimEnd().split('\n');
    const rec = JSON.parse(lines[0] ?? '') as { headers: Record<string, string>; body: string; to: string };
    const wire = JSON.parse(rec.body) as { message: { contract: Record<string, unknown> } };
    delete wire.message.contract['commitments'];
    const gen = generateRegistry(2, [{ subscriberId: 'prosumer-7.degsim.net', role: 'BAP', uri: 'https://prosumer-7.degsim.net/beckn' }], { validFrom: '2024-01-01T00:00:00Z' });
    if (!gen.ok) throw new Error('registry');
    const body = JSON.stringify(wire);
    const created = Math.floor(parseIsoMs('2024-10-04T09:40:00Z') / 1000);
    const key = gen.value.keys.get('prosumer-7.degsim.net');
    if (key === undefined) throw new Error('key');
    const invalid = join(dir, 'invalid.ndjson');
    writeFileSync(invalid, `${JSON.stringify({ headers: signedHeaders(body, key, created, created + 30), body, to: rec.to })}\n`);
    const stdout = capture();
    expect(await runVerify(invalid, { registry: join(run, 'registry.json'), now: 'context', format: 'text' }, stdout, capture())).toBe(1);
    expect(stdout.out[0]).toContain(`${invalid}:1: schema-invalid SCH_SCHEMA_VALIDATION_FAILED`);
    expect(await runVerify(invalid, { registry: join(run, 'registry.json'), now: 'context', format: 'text', schema: false }, capture(), capture())).toBe(0);
  });

  it('verifies at a fixed instant and reports JSON', async () => {
    const stdout = capture();
    const code = await runVerify(join(run, 'wire.ndjson'), { now: '2024-10-04T11:00:00Z', format: 'json' }, stdout, capture());
    expect(code).toBe(1);
    const report = JSON.parse(stdout.out.join('')) as { passed: number; failed: number; lines: { reason?: string }[] };
    expect([report.passed, report.failed]).toEqual([0, 4]);
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
