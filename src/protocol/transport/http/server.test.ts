import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoMs } from '../../../kernel/clock.js';
import type { AcceptedMessage, AckOrNack } from '../../receiver.js';
import { generateRegistry, indexRegistry, upsertEntry, type RegistryEntry } from '../../registry.js';
import { signedHeaders, signingKey, type SigningKey } from '../../signing.js';
import { createMemoryTrace, verifyWireTrace } from '../../trace.js';
import { createBus } from '../bus.js';
import { actionUrl, createHttpClient, httpRemoteEndpoint, type HttpClient } from './client.js';
import { createHttpNode, type HttpNode } from './server.js';
import { buildInit, buildOnInit, fixtureAckBuilder, fixtureContextReader, fixtureValidator, uuidOf } from './test-support/fixtures.js';

const T0 = parseIsoMs('2026-06-21T10:00:00Z');
const simClock = (): number => T0;
const profile = { validator: fixtureValidator, contextReader: fixtureContextReader, ackBuilder: fixtureAckBuilder };

const gen = generateRegistry(21, [
  { subscriberId: 'bap.prosumer-1', role: 'BAP', uri: 'http://127.0.0.1/bap' },
  { subscriberId: 'bap.prosumer-2', role: 'BAP', uri: 'http://127.0.0.1/bap2' },
  { subscriberId: 'bpp.mca', role: 'BPP', uri: 'http://127.0.0.1/mca' },
  { subscriberId: 'bpp.utility', role: 'BPP', uri: 'http://127.0.0.1/utility' },
]);
if (!gen.ok) throw new Error('registry');
const keys = gen.value.keys;
const key = (id: string): SigningKey => keys.get(id) as SigningKey;
const prosumer2 = gen.value.registry.subscribers.find((e) => e.subscriberId === 'bap.prosumer-2') as RegistryEntry;
const registry = upsertEntry(gen.value.registry, { ...prosumer2, status: 'REVOKED' });

function init(n: number, over: Partial<Parameters<typeof buildInit>[0]> = {}): Record<string, unknown> {
  return buildInit({ bapId: 'bap.prosumer-1', bppId: 'bpp.mca', bapUri: 'http://127.0.0.1/bap', bppUri: 'http://127.0.0.1/mca', messageId: uuidOf(n), transactionId: uuidOf(n, 3), timestampMs: T0, ...over });
}

function signedPost(wire: unknown, k: SigningKey, createdSec = T0 / 1000, expiresSec = T0 / 1000 + 30): { headers: Record<string, string>; body: string } {
  const body = typeof wire === 'string' ? wire : JSON.stringify(wire);
  return { headers: { ...signedHeaders(body, k, createdSec, expiresSec) }, body };
}

const codeOf = (r: AckOrNack): string => (r.status === 'ACK' ? 'ACK' : r.refusal.code);

describe('HTTP node security suite on loopback', () => {
  let node: HttpNode;
  let client: HttpClient;
  const handled: AcceptedMessage[] = [];
  const trace = createMemoryTrace();
  let n = 1000;

  beforeAll(async () => {
    node = await createHttpNode({
      endpoints: new Map([['bpp.mca', (m: AcceptedMessage) => void handled.push(m)]]),
      registry: indexRegistry(registry),
      ...profile,
      clock: simClock,
      limits: { maxBodyBytes: 64 * 1024 },
      trace,
    });
    client = createHttpClient({ keys, ...profile, clock: simClock });
  });
  afterAll(async () => {
    client.close();
    await node.close();
  });

  const post = (p: { headers: Record<string, string>; body: string }): Promise<AckOrNack> => client.post({ url: actionUrl(node.url, 'init'), ...p, timeoutMs: 5000 });

  const attacks: { name: string; status: number; code: string; make: () => { headers: Record<string, string>; body: string } }[] = [
    {
      name: 'forged signature',
      status: 401,
      code: 'AUT_SIGNATURE_INVALID',
      make: () => {
        const p = signedPost(init(n++), key('bap.prosumer-1'));
        return { headers: { authorization: p.headers['authorization']?.replace(/signature="[^"]+"/, `signature="${Buffer.alloc(64, 9).toString('base64')}"`) ?? '', 'content-type': 'application/json' }, body: p.body };
      },
    },
    {
      name: 'tampered body',
      status: 401,
      code: 'AUT_SIGNATURE_INVALID',
      make: () => {
        const p = signedPost(init(n++), key('bap.prosumer-1'));
        return { headers: p.headers, body: p.body.replace('"maxExportKW":6', '"maxExportKW":600') };
      },
    },
    {
      name: 'wrong key',
      status: 401,
      code: 'AUT_SIGNATURE_INVALID',
      make: () => signedPost(init(n++), signingKey('bap.prosumer-1', key('bap.prosumer-1').uniqueKeyId, generateKeyPairSync('ed25519').privateKey)),
    },
    { name: 'expired', status: 401, code: 'AUT_SIGNATURE_INVALID', make: () => signedPost(init(n++), key('bap.prosumer-1'), T0 / 1000 - 100, T0 / 1000 - 70) },
    { name: 'created in the future', status: 401, code: 'AUT_SIGNATURE_INVALID', make: () => signedPost(init(n++), key('bap.prosumer-1'), T0 / 1000 + 30, T0 / 1000 + 60) },
    {
      name: 'unknown subscriber',
      status: 401,
      code: 'AUT_SUBSCRIBER_NOT_FOUND',
      make: () => signedPost(init(n++, { bapId: 'bap.mallory' }), signingKey('bap.mallory', 'k1', generateKeyPairSync('ed25519').privateKey)),
    },
    { name: 'revoked key', status: 401, code: 'AUT_KEY_EXPIRED_OR_REVOKED', make: () => signedPost(init(n++, { bapId: 'bap.prosumer-2' }), key('bap.prosumer-2')) },
    { name: 'impersonation (a BPP signing as the BAP)', status: 401, code: 'AUT_UNAUTHORIZED_ACTION', make: () => signedPost(init(n++), key('bpp.utility')) },
    { name: 'missing signature', status: 401, code: 'AUT_SIGNATURE_MISSING', make: () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(init(n++)) }) },
    {
      name: 'schema-invalid body',
      status: 400,
      code: 'SCH_SCHEMA_VALIDATION_FAILED',
      make: () => signedPost(init(n++, { transactionId: 'not-a-uuid' }), key('bap.prosumer-1')),
    },
    {
      name: 'oversized body',
      status: 413,
      code: 'SCH_INVALID_FORMAT',
      make: () => {
        const w = init(n++);
        (w['message'] as Record<string, unknown>)['padding'] = 'x'.repeat(300_000);
        return signedPost(w, key('bap.prosumer-1'));
      },
    },
    { name: 'malformed JSON', status: 400, code: 'SCH_INVALID_JSON', make: () => signedPost('{"context": {', key('bap.prosumer-1')) },
  ];

  it.each(attacks)('$name → HTTP $status $code, and the node keeps serving', async ({ make, status, code }) => {
    const before = handled.length;
    const r = await post(make());
    expect(r.status).toBe('NACK');
    expect(r.httpStatus).toBe(status);
    expect(codeOf(r)).toBe(code);
    expect(handled.length).toBe(before);
    const ok = await post(signedPost(init(n++), key('bap.prosumer-1')));
    expect(codeOf(ok)).toBe('ACK');
    await new Promise((res) => setImmediate(res));
    await new Promise((res) => setImmediate(res));
    expect(handled.length).toBe(before + 1);
  });

  it('replay: the same signed request twice → 401 AUT_REPLAY_DETECTED', async () => {
    const p = signedPost(init(n++), key('bap.prosumer-1'));
    expect(codeOf(await post(p))).toBe('ACK');
    const again = await post(p);
    expect([again.httpStatus, codeOf(again)]).toEqual([401, 'AUT_REPLAY_DETECTED']);
  });

  it('refuses a body posted to the wrong action, non-POST methods and unknown paths', async () => {
    const p = signedPost(init(n++), key('bap.prosumer-1'));
    const wrong = await client.post({ url: actionUrl(node.url, 'confirm'), ...p, timeoutMs: 5000 });
    expect([wrong.httpStatus, codeOf(wrong)]).toEqual([400, 'CTX_ACTION_MISMATCH']);
    const res = await fetch(`${node.url}/init`, { method: 'GET' });
    expect(res.status).toBe(404);
    const bad = await client.post({ url: `${node.url}/In1t!`, ...p, timeoutMs: 5000 });
    expect(bad.httpStatus).toBe(404);
  });

  it('reports health and counters, and every accepted message is in the wire trace and re-verifies', async () => {
    const res = await fetch(`${node.url}/health`);
    const body = (await res.json()) as { status: string; subscribers: string[]; acked: number; nacked: number };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.subscribers).toEqual(['bpp.mca']);
    expect(body.acked).toBe(handled.length);
    expect(body.nacked).toBeGreaterThanOrEqual(attacks.length);
    expect(trace.wireLines).toHaveLength(handled.length);
    const v = verifyWireTrace(trace.wireLines.join('\n'), registry, { now: 'context', ...profile });
    expect([v.passed, v.failed]).toEqual([handled.length, 0]);
  });
});

describe('HTTP node limits', () => {
  it('answers 429 AUT_RATE_LIMITED over the rate limit, per client', async () => {
    let now = T0;
    const node = await createHttpNode({ endpoints: new Map([['bpp.mca', () => undefined]]), registry: indexRegistry(registry), ...profile, clock: () => now, limits: { ratePerSec: 1, burst: 2 } });
    const client = createHttpClient({ keys, ...profile, clock: () => now });
    try {
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) codes.push(codeOf(await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init(500 + i) })));
      expect(codes).toEqual(['ACK', 'ACK', 'AUT_RATE_LIMITED']);
      const other = await client.send({ uri: node.url, fromId: 'bpp.utility', wire: buildOnInit(init(600, { bapId: 'bap.prosumer-1', bppId: 'bpp.utility' }), T0) });
      expect(other.status === 'NACK' && other.refusal.reason).toBe('context-invalid');
      now += 1000;
      expect(codeOf(await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init(510) }))).toBe('ACK');
      expect(node.stats.rateLimited).toBe(1);
    } finally {
      client.close();
      await node.close();
    }
  });
});

describe('a transaction over HTTP between two nodes', () => {
  it('BAP sends init, BPP ACKs and calls back on_init to the bapUri, both signed and verified', async () => {
    const bapTrace = createMemoryTrace();
    const bppTrace = createMemoryTrace();
    const bapClient = createHttpClient({ keys: new Map([['bap.prosumer-1', key('bap.prosumer-1')]]), ...profile, clock: simClock });
    const bppClient = createHttpClient({ keys: new Map([['bpp.mca', key('bpp.mca')]]), ...profile, clock: simClock });
    const callbackAcks: AckOrNack[] = [];
    let resolveOnInit: (m: AcceptedMessage) => void = () => undefined;
    const onInitArrived = new Promise<AcceptedMessage>((r) => {
      resolveOnInit = r;
    });
    const bapNode = await createHttpNode({ endpoints: new Map([['bap.prosumer-1', (m: AcceptedMessage) => resolveOnInit(m)]]), registry: indexRegistry(registry), ...profile, clock: simClock, trace: bapTrace });
    const bppNode = await createHttpNode({
      endpoints: new Map([
        [
          'bpp.mca',
          async (m: AcceptedMessage, nowMs: number) => {
            const onInit = buildOnInit(m.wire as Record<string, unknown>, nowMs);
            callbackAcks.push(await bppClient.send({ uri: m.context.bapUri ?? '', fromId: 'bpp.mca', wire: onInit }));
          },
        ],
      ]),
      registry: indexRegistry(registry),
      ...profile,
      clock: simClock,
      trace: bppTrace,
    });
    try {
      const wire = init(1, { bapUri: bapNode.url, bppUri: bppNode.url });
      const ack = await bapClient.send({ uri: bppNode.url, fromId: 'bap.prosumer-1', wire });
      expect(ack).toEqual({ status: 'ACK', httpStatus: 200, body: { status: 'ACK', messageId: uuidOf(1), transactionId: uuidOf(1, 3) } });
      const onInit = await onInitArrived;
      expect(onInit.context).toMatchObject({ action: 'on_init', messageId: uuidOf(1), transactionId: uuidOf(1, 3), bppId: 'bpp.mca' });
      expect(onInit.signer.subscriberId).toBe('bpp.mca');
      expect((onInit.wire as { message: { contract: { contractAttributes: { approvedMaxExportKW: number } } } }).message.contract.contractAttributes.approvedMaxExportKW).toBe(5);
      await new Promise((r) => setTimeout(r, 20));
      expect(callbackAcks.map(codeOf)).toEqual(['ACK']);
      const both = [...bppTrace.wireLines, ...bapTrace.wireLines].join('\n');
      const v = verifyWireTrace(both, registry, { now: 'context', ...profile });
      expect(v.lines.map((l) => (l.ok ? `${l.action}:${l.signer}` : l.reason))).toEqual(['init:bap.prosumer-1', 'on_init:bpp.mca']);
    } finally {
      bapClient.close();
      bppClient.close();
      await bapNode.close();
      await bppNode.close();
    }
  });

  it('serves several subscribers on one node at /{subscriberId}/{action} and routes by context without a prefix', async () => {
    const got: string[] = [];
    const node = await createHttpNode({
      endpoints: new Map([
        ['bpp.mca', (m: AcceptedMessage) => void got.push(`mca:${m.context.messageId}`)],
        ['bpp.utility', (m: AcceptedMessage) => void got.push(`utility:${m.context.messageId}`)],
      ]),
      registry: indexRegistry(registry),
      ...profile,
      clock: simClock,
    });
    const client = createHttpClient({ keys, ...profile, clock: simClock });
    try {
      expect(node.uriOf('bpp.utility')).toBe(`${node.url}/bpp.utility`);
      expect(codeOf(await client.send({ uri: node.uriOf('bpp.utility'), fromId: 'bap.prosumer-1', wire: init(1, { bppId: 'bpp.utility' }) }))).toBe('ACK');
      expect(codeOf(await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init(2) }))).toBe('ACK');
      const misrouted = await client.send({ uri: node.uriOf('bpp.utility'), fromId: 'bap.prosumer-1', wire: init(3) });
      expect(misrouted.status === 'NACK' && misrouted.refusal.reason).toBe('context-invalid');
      const nobody = await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init(4, { bppId: 'bpp.nobody' }) });
      expect([nobody.httpStatus, codeOf(nobody)]).toEqual([404, 'NET_NOT_IMPLEMENTED']);
      await new Promise((r) => setTimeout(r, 20));
      expect(got.sort()).toEqual([`mca:${uuidOf(2)}`, `utility:${uuidOf(1)}`]);
    } finally {
      client.close();
      await node.close();
    }
  });

  it('lets a bus reach a remote subscriber through the HTTP adapter', async () => {
    const got: AcceptedMessage[] = [];
    const node = await createHttpNode({ endpoints: new Map([['bpp.mca', (m: AcceptedMessage) => void got.push(m)]]), registry: indexRegistry(registry), ...profile, clock: simClock });
    const client = createHttpClient({ keys, ...profile, clock: simClock });
    const trace = createMemoryTrace();
    const bus = createBus({ registry: indexRegistry(registry), keys, ...profile, trace });
    bus.register('bap.prosumer-1', () => undefined);
    bus.registerRemote('bpp.mca', httpRemoteEndpoint(node.url, client));
    try {
      bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.mca', wire: init(77), atMs: T0 });
      await bus.runUntil(T0 + 1000);
      await new Promise((r) => setTimeout(r, 20));
      expect(got.map((m) => m.context.messageId)).toEqual([uuidOf(77)]);
      expect(trace.ackLines.map((l) => (JSON.parse(l) as { ack: string }).ack)).toEqual(['ACK']);
    } finally {
      client.close();
      await node.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight handlers before closing, then refuses connections', async () => {
    let finished = false;
    const node = await createHttpNode({
      endpoints: new Map([
        [
          'bpp.mca',
          async () => {
            await new Promise((r) => setTimeout(r, 100));
            finished = true;
          },
        ],
      ]),
      registry: indexRegistry(registry),
      ...profile,
      clock: simClock,
    });
    const client = createHttpClient({ keys, ...profile, clock: simClock });
    expect(codeOf(await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init(1) }))).toBe('ACK');
    await node.close();
    expect(finished).toBe(true);
    const after = await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init(2) });
    expect(after.status === 'NACK' && after.refusal.reason).toBe('unreachable');
    client.close();
  });
});

describe('counter-signed answers (Beckn 2.0 receipts)', () => {
  it('a node holding its key counter-signs ACKs and NACKs; a client checking receipts accepts them', async () => {
    const node = await createHttpNode({ endpoints: new Map([['bpp.mca', () => undefined]]), registry: indexRegistry(registry), keys: new Map([['bpp.mca', key('bpp.mca')]]), ...profile, clock: simClock });
    const client = createHttpClient({ keys, ...profile, clock: simClock, receiptRegistry: indexRegistry(registry) });
    try {
      const ok = await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init(1) });
      expect(ok.status).toBe('ACK');
      expect((ok.body as { signature: string }).signature).toMatch(/^Signature keyId="bpp\.mca\|[^|]+\|ed25519",.*headers="\(created\) \(expires\) digest \(request-digest\) \(message-id\)"/);
      const replay = await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init(1) });
      expect(replay.status === 'NACK' && replay.refusal.reason).toBe('replay');
    } finally {
      client.close();
      await node.close();
    }
  });

  it('a client checking receipts refuses an unsigned answer and one counter-signed by someone else', async () => {
    const unsigned = await createHttpNode({ endpoints: new Map([['bpp.mca', () => undefined]]), registry: indexRegistry(registry), ...profile, clock: simClock });
    const impostor = await createHttpNode({ endpoints: new Map([['bpp.mca', () => undefined]]), registry: indexRegistry(registry), keys: new Map([['bpp.mca', key('bpp.utility')]]), ...profile, clock: simClock });
    const client = createHttpClient({ keys, ...profile, clock: simClock, receiptRegistry: indexRegistry(registry) });
    try {
      const a = await client.send({ uri: unsigned.url, fromId: 'bap.prosumer-1', wire: init(2) });
      expect(a.status === 'NACK' && a.refusal).toMatchObject({ reason: 'receipt-invalid', code: 'AUT_SIGNATURE_INVALID' });
      const b = await client.send({ uri: impostor.url, fromId: 'bap.prosumer-1', wire: init(3) });
      expect(b.status === 'NACK' && b.refusal.message).toContain('not the addressee bpp.mca');
    } finally {
      client.close();
      await unsigned.close();
      await impostor.close();
    }
  });
});

describe('HTTP node hooks for simulation nodes', () => {
  it('hands the request to the clock, takes extra routes before Beckn routing, and can refill rate limits by the wall clock', async () => {
    const seenAt: number[] = [];
    const node = await createHttpNode({
      endpoints: new Map([['bpp.mca', (_m: AcceptedMessage, nowMs: number) => void seenAt.push(nowMs)]]),
      registry: indexRegistry(registry),
      ...profile,
      // A request names its simulated time; without it the node is at T0.
      clock: (req) => T0 + Number(req?.headers['x-test-offset-ms'] ?? 0),
      rateLimitClock: 'wall',
      limits: { ratePerSec: 1000, burst: 1 },
      extraRoutes: (req, res) => {
        if (!(req.url ?? '').startsWith('/_sim/')) return false;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"control":true}');
        return true;
      },
    });
    const client = createHttpClient({ keys, ...profile, clock: simClock });
    try {
      const control = await fetch(`${node.url}/_sim/phase`, { method: 'POST', body: '{}' });
      expect(await control.json()).toEqual({ control: true });
      // Signed at T0 with a 30 s window: 40 s later (by the request's own clock) it has expired.
      const late = signedPost(init(900), key('bap.prosumer-1'));
      const r1 = await client.post({ url: actionUrl(node.url, 'init'), headers: { ...late.headers, 'x-test-offset-ms': '40000' }, body: late.body, timeoutMs: 5000 });
      expect(r1.status === 'NACK' && [r1.refusal.code, r1.refusal.message]).toEqual(['AUT_SIGNATURE_INVALID', expect.stringMatching(/expired .*10 s ago/)]);
      // The wall clock refills the bucket (1 token per ms) although the node's clock never moves.
      await new Promise((r) => setTimeout(r, 20));
      const onTime = signedPost(init(901), key('bap.prosumer-1'));
      const r2 = await client.post({ url: actionUrl(node.url, 'init'), headers: { ...onTime.headers, 'x-test-offset-ms': '1500' }, body: onTime.body, timeoutMs: 5000 });
      expect(codeOf(r2)).toBe('ACK');
      await new Promise((r) => setTimeout(r, 20));
      expect(seenAt).toEqual([T0 + 1500]);
    } finally {
      client.close();
      await node.close();
    }
  });
});
