import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIsoMs } from '../kernel/clock.js';
import { createRandomStreams } from '../kernel/random.js';
import { generateRegistry, indexRegistry, serializeRegistry } from './registry.js';
import { ackLine, createMemoryTrace, createStreamingTrace, messageLine, verifyWireTrace, wireLine, type TraceSink } from './trace.js';
import { createBus } from './transport/bus.js';
import { buildInit, buildOnInit, fixtureAckBuilder, fixtureContextReader, fixtureValidator, uuidOf } from './transport/http/test-support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'degsim-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = parseIsoMs('2026-06-21T10:00:00Z');
const profile = { validator: fixtureValidator, contextReader: fixtureContextReader, ackBuilder: fixtureAckBuilder };
const gen = generateRegistry(8, [
  { subscriberId: 'bap.prosumer-1', role: 'BAP', uri: 'http://127.0.0.1/bap' },
  { subscriberId: 'bpp.mca', role: 'BPP', uri: 'http://127.0.0.1/mca' },
]);
if (!gen.ok) throw new Error('registry');
const { registry, keys } = gen.value;

/** Runs a small exchange (5 inits, each answered by an on_init) over a lossy, jittery bus into `sink`. */
async function exchange(sink: TraceSink, seed: number): Promise<void> {
  const bus = createBus({ registry: indexRegistry(registry), keys, ...profile, trace: sink, random: createRandomStreams(seed), links: { default: { latencyMs: 20, jitterMs: 300, duplicationProbability: 0.3 } } });
  bus.register('bap.prosumer-1', () => undefined);
  bus.register('bpp.mca', (m, nowMs) => {
    bus.send({ fromId: 'bpp.mca', toId: 'bap.prosumer-1', wire: buildOnInit(m.wire as Record<string, unknown>, nowMs), atMs: nowMs });
  });
  for (let i = 0; i < 5; i++) {
    const at = T0 + i * 1000;
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.mca', wire: buildInit({ bapId: 'bap.prosumer-1', bppId: 'bpp.mca', bapUri: 'http://127.0.0.1/bap', bppUri: 'http://127.0.0.1/mca', messageId: uuidOf(i), transactionId: uuidOf(i, 9), timestampMs: at }), atMs: at });
  }
  await bus.runUntil(T0 + 60_000);
}

describe('trace lines', () => {
  it('formats ack lines with a fixed field order', () => {
    expect(ackLine({ messageId: 'm1', action: 'init', from: 'a', to: 'b', atMs: T0 + 5, ack: 'NACK', duplicate: true, error: { code: 'AUT_REPLAY_DETECTED', reason: 'replay', message: 'seen', path: 'context.messageId' } })).toBe(
      '{"messageId":"m1","action":"init","from":"a","to":"b","atMs":1782036000005,"timestamp":"2026-06-21T10:00:00.005Z","ack":"NACK","duplicate":true,"error":{"code":"AUT_REPLAY_DETECTED","reason":"replay","message":"seen","path":"context.messageId"}}',
    );
  });

  it('keeps bodies as they are unless they span lines, and orders wire headers', () => {
    expect(messageLine('{"a":1}')).toBe('{"a":1}');
    expect(messageLine('{\n  "a": 1\n}')).toBe('{"a":1}');
    expect(wireLine({ headers: { Digest: 'BLAKE-512=x', 'X-Trace': '1', Authorization: 'Signature …', 'Content-Type': 'application/json' }, body: '{\n"a":1}', to: 'b' })).toBe(
      '{"headers":{"authorization":"Signature …","content-type":"application/json","digest":"BLAKE-512=x","x-trace":"1"},"body":"{\\n\\"a\\":1}","to":"b"}',
    );
  });
});

describe('trace files', () => {
  it('are byte-identical for the same seed, whether buffered or streamed, and written without leftovers', async () => {
    const a = createMemoryTrace();
    await exchange(a, 4);
    const b = createMemoryTrace();
    await exchange(b, 4);
    await a.writeTo(join(dir, 'a'), registry);
    await b.writeTo(join(dir, 'b'), registry);
    const streamedDir = join(dir, 's');
    await createMemoryTrace().writeTo(streamedDir);
    const s = createStreamingTrace(streamedDir, 512);
    await exchange(s, 4);
    await s.finish(registry);
    for (const f of ['messages.ndjson', 'acks.ndjson', 'wire.ndjson', 'registry.json']) {
      const text = readFileSync(join(dir, 'a', f), 'utf8');
      expect(readFileSync(join(dir, 'b', f), 'utf8')).toBe(text);
      expect(readFileSync(join(streamedDir, f), 'utf8')).toBe(text);
    }
    expect(readFileSync(join(dir, 'a', 'registry.json'), 'utf8')).toBe(serializeRegistry(registry));
    const messages = readFileSync(join(dir, 'a', 'messages.ndjson'), 'utf8').trimEnd().split('\n');
    expect(messages).toHaveLength(10);
    expect(messages.map((l) => (JSON.parse(l) as { context: { action: string } }).context.action).filter((x) => x === 'on_init')).toHaveLength(5);
    expect(readFileSync(join(dir, 'a', 'acks.ndjson'), 'utf8')).toContain('"duplicate":true');
    for (const d of ['a', 'b', 's']) expect(readdirSync(join(dir, d)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('abort removes the temporary files of a streamed trace', () => {
    const d = join(dir, 'aborted');
    mkdirSync(d);
    const s = createStreamingTrace(d);
    s.ack({ messageId: 'm', action: 'init', from: 'a', to: 'b', atMs: T0, ack: 'ACK' });
    expect(readdirSync(d)).toHaveLength(3);
    s.abort();
    expect(readdirSync(d)).toEqual([]);
  });
});

describe('verifyWireTrace', () => {
  it('re-verifies every line of a run offline at each message’s own timestamp', async () => {
    const t = createMemoryTrace();
    await exchange(t, 4);
    const v = verifyWireTrace(t.wireLines.join('\n'), registry, { now: 'context', ...profile });
    expect([v.passed, v.failed]).toEqual([10, 0]);
    expect(v.lines.filter((l) => l.ok && l.signer === 'bpp.mca')).toHaveLength(5);
  });

  it('names the line of a tampered body, a malformed line and a replayed line', async () => {
    const t = createMemoryTrace();
    await exchange(t, 4);
    const lines = [...t.wireLines];
    const rec = JSON.parse(lines[2] ?? '') as { headers: Record<string, string>; body: string; to: string };
    lines[2] = JSON.stringify({ ...rec, body: rec.body.replace('"feePerKWh":0.05', '"feePerKWh":0.5') });
    lines.splice(4, 0, '{"headers": ');
    lines.push(lines[0] ?? '');
    const v = verifyWireTrace(`${lines.join('\n')}\n`, registry, { now: 'context', ...profile });
    const failed = v.lines.filter((l) => !l.ok).map((l) => (l.ok ? '' : `${l.line}:${l.reason}`));
    expect(failed).toEqual(['3:digest-mismatch', '5:malformed-line', '12:replay']);
    expect(v.passed).toBe(9);
  });

  it('at a fixed instant after the run, every signature has expired', async () => {
    const t = createMemoryTrace();
    await exchange(t, 4);
    const v = verifyWireTrace(t.wireLines.join('\n'), registry, { now: T0 / 1000 + 3600, ...profile });
    expect(v.failed).toBe(10);
    expect(new Set(v.lines.map((l) => (l.ok ? 'ok' : l.reason)))).toEqual(new Set(['signature-expired']));
  });
});
