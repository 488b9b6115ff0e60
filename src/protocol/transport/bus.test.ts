import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseIsoMs } from '../../kernel/clock.js';
import { createRandomStreams } from '../../kernel/random.js';
import type { AcceptedMessage, AckOrNack } from '../receiver.js';
import { generateRegistry, indexRegistry, upsertEntry, type SubscriberRegistry } from '../registry.js';
import { signedHeaders, signingKey, type SigningKey } from '../signing.js';
import { createMemoryTrace, verifyWireTrace } from '../trace.js';
import { createBus, type BusOptions, type LinkConfig, type NackNotice } from './bus.js';
import { buildInit, buildOnInit, fixtureAckBuilder, fixtureContextReader, fixtureValidator, uuidOf } from './http/test-support/fixtures.js';

const T0 = parseIsoMs('2026-06-21T10:00:00Z');
const BAPS = ['bap.prosumer-1', 'bap.prosumer-2', 'bap.cpo-1'];
const gen = generateRegistry(3, [
  ...BAPS.map((id, i) => ({ subscriberId: id, role: 'BAP' as const, uri: `http://127.0.0.1:${9100 + i}` })),
  { subscriberId: 'bpp.mca', role: 'BPP', uri: 'http://127.0.0.1:9200' },
  { subscriberId: 'bpp.utility', role: 'BPP', uri: 'http://127.0.0.1:9201' },
]);
if (!gen.ok) throw new Error('registry');
const { registry, keys } = gen.value;
const key = (id: string): SigningKey => keys.get(id) as SigningKey;

function initFrom(bapId: string, n: number, atMs: number, ttl = 'PT30S'): Record<string, unknown> {
  return buildInit({ bapId, bppId: 'bpp.mca', bapUri: 'http://127.0.0.1:9100', bppUri: 'http://127.0.0.1:9200', messageId: uuidOf(n), transactionId: uuidOf(n, 7), timestampMs: atMs, ttl });
}

function makeBus(extra: Partial<BusOptions> = {}, reg: SubscriberRegistry = registry) {
  const trace = createMemoryTrace();
  const bus = createBus({ registry: indexRegistry(reg), keys, validator: fixtureValidator, contextReader: fixtureContextReader, ackBuilder: fixtureAckBuilder, trace, ...extra });
  const received: { to: string; messageId: string; action: string; atMs: number }[] = [];
  const nacks: NackNotice[] = [];
  const record = (to: string) => (m: AcceptedMessage, nowMs: number) => received.push({ to, messageId: m.context.messageId, action: m.context.action, atMs: nowMs });
  for (const id of [...BAPS, 'bpp.mca']) bus.register(id, record(id), { onNack: (n) => nacks.push(n) });
  return { bus, trace, received, nacks };
}

describe('bus delivery', () => {
  it('delivers in simulated-time order, ties in send order, signed and verified at delivery', async () => {
    const { bus, received, trace } = makeBus({ links: { default: { latencyMs: 250 } } });
    const sends: [string, number, number][] = [['bap.prosumer-2', 1, T0 + 2000], ['bap.prosumer-1', 2, T0], ['bap.cpo-1', 3, T0 + 2000], ['bap.prosumer-1', 4, T0 + 1000], ['bap.prosumer-2', 5, T0]];
    for (const [from, n, at] of sends) {
      const r = bus.send({ fromId: from, toId: 'bpp.mca', wire: initFrom(from, n, at), atMs: at });
      expect(r).toMatchObject({ status: 'scheduled', messageId: uuidOf(n), deliverAtMs: at + 250 });
    }
    expect(bus.pending).toBe(5);
    expect(await bus.runUntil(T0 + 1249)).toBe(2);
    expect(received.map((r) => r.messageId)).toEqual([uuidOf(2), uuidOf(5)]);
    expect(await bus.runUntil(T0 + 10_000)).toBe(3);
    expect(received.map((r) => [r.messageId, r.atMs])).toEqual([
      [uuidOf(2), T0 + 250],
      [uuidOf(5), T0 + 250],
      [uuidOf(4), T0 + 1250],
      [uuidOf(1), T0 + 2250],
      [uuidOf(3), T0 + 2250],
    ]);
    expect(trace.messageLines.map((l) => (JSON.parse(l) as { context: { messageId: string } }).context.messageId)).toEqual(received.map((r) => r.messageId));
    expect(trace.ackLines[0]).toBe(`{"messageId":"${uuidOf(2)}","action":"init","from":"bap.prosumer-1","to":"bpp.mca","atMs":${T0 + 250},"timestamp":"2026-06-21T10:00:00.250Z","ack":"ACK"}`);
    const verified = verifyWireTrace(trace.wireLines.join('\n'), registry, { now: 'context', contextReader: fixtureContextReader, validator: fixtureValidator });
    expect(verified).toMatchObject({ passed: 5, failed: 0 });
  });

  it('follows the async model: ACK at delivery, the on_init later as a new signed send by the BPP', async () => {
    const trace = createMemoryTrace();
    const bus = createBus({ registry: indexRegistry(registry), keys, validator: fixtureValidator, contextReader: fixtureContextReader, ackBuilder: fixtureAckBuilder, trace, links: { default: { latencyMs: 40 } } });
    const bapGot: AcceptedMessage[] = [];
    bus.register('bap.prosumer-1', (m) => bapGot.push(m));
    bus.register('bpp.mca', (m, nowMs) => {
      bus.send({ fromId: 'bpp.mca', toId: 'bap.prosumer-1', wire: buildOnInit(m.wire as Record<string, unknown>, nowMs + 100), atMs: nowMs + 100 });
    });
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.mca', wire: initFrom('bap.prosumer-1', 1, T0), atMs: T0 });
    await bus.runUntil(T0 + 1000);
    expect(bapGot).toHaveLength(1);
    expect(bapGot[0]?.context).toMatchObject({ action: 'on_init', messageId: uuidOf(1), bppId: 'bpp.mca' });
    expect(bapGot[0]?.signer.subscriberId).toBe('bpp.mca');
    expect(trace.ackLines.map((l) => JSON.parse(l) as { action: string; atMs: number; ack: string })).toEqual([
      expect.objectContaining({ action: 'init', atMs: T0 + 40, ack: 'ACK' }),
      expect.objectContaining({ action: 'on_init', atMs: T0 + 180, ack: 'ACK' }),
    ]);
  });

  it('does not deliver an invalid outgoing message: the sender gets the NACK with the schema path', async () => {
    const { bus, received, trace } = makeBus();
    const bad = initFrom('bap.prosumer-1', 1, T0);
    (bad['context'] as Record<string, unknown>)['transactionId'] = 'txn-1';
    const r = bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.mca', wire: bad, atMs: T0 });
    expect(r).toMatchObject({ status: 'NACK', refusal: { reason: 'schema-invalid', code: 'SCH_SCHEMA_VALIDATION_FAILED', path: 'context.transactionId' } });
    expect(bus.pending).toBe(0);
    await bus.runUntil(T0 + 1000);
    expect(received).toEqual([]);
    expect(trace.messageLines).toEqual([]);
    expect(JSON.parse(trace.ackLines[0] ?? '{}')).toMatchObject({ ack: 'NACK', error: { code: 'SCH_SCHEMA_VALIDATION_FAILED', path: 'context.transactionId' } });
  });

  it('refuses to send back in time and to unknown endpoints', async () => {
    const { bus } = makeBus();
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.mca', wire: initFrom('bap.prosumer-1', 1, T0 + 5000), atMs: T0 + 5000 });
    await bus.runUntil(T0 + 5000);
    expect(() => bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.mca', wire: initFrom('bap.prosumer-1', 2, T0), atMs: T0 })).toThrow(RangeError);
    expect(bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.nobody', wire: initFrom('bap.prosumer-1', 3, T0 + 6000), atMs: T0 + 6000 })).toMatchObject({ status: 'NACK', refusal: { reason: 'unreachable' } });
  });
});

describe('bus security: every refusal is a NACK to the sender, the endpoint keeps serving, the handler never sees it', () => {
  const revokedReg = upsertEntry(registry, { ...(registry.subscribers.find((e) => e.subscriberId === 'bap.prosumer-2') as (typeof registry.subscribers)[number]), status: 'REVOKED' });

  const cases: { name: string; code: string; make: (at: number) => { headers: Record<string, string>; body: string } }[] = [
    {
      name: 'tampered body',
      code: 'AUT_SIGNATURE_INVALID',
      make: (at) => {
        const body = JSON.stringify(initFrom('bap.prosumer-1', 100, at));
        return { headers: { ...signedHeaders(body, key('bap.prosumer-1'), at / 1000, at / 1000 + 30) }, body: body.replace('"feePerKWh":0.05', '"feePerKWh":0.01') };
      },
    },
    {
      name: 'wrong key',
      code: 'AUT_SIGNATURE_INVALID',
      make: (at) => {
        const body = JSON.stringify(initFrom('bap.prosumer-1', 101, at));
        const impostor = signingKey('bap.prosumer-1', key('bap.prosumer-1').uniqueKeyId, generateKeyPairSync('ed25519').privateKey);
        return { headers: { ...signedHeaders(body, impostor, at / 1000, at / 1000 + 30) }, body };
      },
    },
    {
      name: 'expired',
      code: 'AUT_SIGNATURE_INVALID',
      make: (at) => {
        const body = JSON.stringify(initFrom('bap.prosumer-1', 102, at - 120_000, 'PT5M'));
        return { headers: { ...signedHeaders(body, key('bap.prosumer-1'), at / 1000 - 120, at / 1000 - 90) }, body };
      },
    },
    {
      name: 'created in the future',
      code: 'AUT_SIGNATURE_INVALID',
      make: (at) => {
        const body = JSON.stringify(initFrom('bap.prosumer-1', 103, at));
        return { headers: { ...signedHeaders(body, key('bap.prosumer-1'), at / 1000 + 60, at / 1000 + 90) }, body };
      },
    },
    {
      name: 'unknown subscriber',
      code: 'AUT_SUBSCRIBER_NOT_FOUND',
      make: (at) => {
        const body = JSON.stringify(initFrom('bap.mallory', 104, at));
        return { headers: { ...signedHeaders(body, signingKey('bap.mallory', 'k1', generateKeyPairSync('ed25519').privateKey), at / 1000, at / 1000 + 30) }, body };
      },
    },
    {
      name: 'revoked key',
      code: 'AUT_KEY_EXPIRED_OR_REVOKED',
      make: (at) => {
        const body = JSON.stringify(initFrom('bap.prosumer-2', 105, at));
        return { headers: { ...signedHeaders(body, key('bap.prosumer-2'), at / 1000, at / 1000 + 30) }, body };
      },
    },
    {
      name: 'a BPP signing a request as the BAP',
      code: 'AUT_UNAUTHORIZED_ACTION',
      make: (at) => {
        const body = JSON.stringify(initFrom('bap.prosumer-1', 106, at));
        return { headers: { ...signedHeaders(body, key('bpp.utility'), at / 1000, at / 1000 + 30) }, body };
      },
    },
    {
      name: 'schema-invalid',
      code: 'SCH_SCHEMA_VALIDATION_FAILED',
      make: (at) => {
        const wire = initFrom('bap.prosumer-1', 107, at);
        delete (wire['message'] as Record<string, unknown>)['contract'];
        const body = JSON.stringify(wire);
        return { headers: { ...signedHeaders(body, key('bap.prosumer-1'), at / 1000, at / 1000 + 30) }, body };
      },
    },
    {
      name: 'oversized',
      code: 'SCH_INVALID_FORMAT',
      make: (at) => {
        const wire = initFrom('bap.prosumer-1', 108, at);
        (wire['message'] as Record<string, unknown>)['padding'] = 'x'.repeat(70_000);
        const body = JSON.stringify(wire);
        return { headers: { ...signedHeaders(body, key('bap.prosumer-1'), at / 1000, at / 1000 + 30) }, body };
      },
    },
    {
      name: 'malformed JSON',
      code: 'SCH_INVALID_JSON',
      make: (at) => {
        const body = '{"context": {"action": "init"';
        return { headers: { ...signedHeaders(body, key('bap.prosumer-1'), at / 1000, at / 1000 + 30) }, body };
      },
    },
  ];

  it.each(cases)('$name → $code', async ({ make, code }) => {
    const { bus, received } = makeBus({ limits: { maxBodyBytes: 64 * 1024 } }, revokedReg);
    const results: AckOrNack[] = [];
    const bad = make(T0);
    bus.inject({ toId: 'bpp.mca', ...bad, atMs: T0, onResult: (r) => results.push(r) });
    const good = initFrom('bap.prosumer-1', 1, T0 + 1000);
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.mca', wire: good, atMs: T0 + 1000 });
    await bus.runUntil(T0 + 5000);
    expect(results[0]?.status === 'NACK' && results[0].refusal.code).toBe(code);
    expect(received.map((r) => r.messageId)).toEqual([uuidOf(1)]);
  });

  it('replay: the second delivery of the same signed message is refused', async () => {
    const { bus, received } = makeBus();
    const body = JSON.stringify(initFrom('bap.prosumer-1', 9, T0));
    const headers = { ...signedHeaders(body, key('bap.prosumer-1'), T0 / 1000, T0 / 1000 + 30) };
    const results: AckOrNack[] = [];
    bus.inject({ toId: 'bpp.mca', headers, body, atMs: T0, onResult: (r) => results.push(r) });
    bus.inject({ toId: 'bpp.mca', headers, body, atMs: T0 + 3000, onResult: (r) => results.push(r) });
    await bus.runUntil(T0 + 5000);
    expect(results.map((r) => (r.status === 'ACK' ? 'ACK' : r.refusal.code))).toEqual(['ACK', 'AUT_REPLAY_DETECTED']);
    expect(received).toHaveLength(1);
  });

  it('signer ≠ caller through send: the BPP cannot send an init naming another BAP', async () => {
    const { bus, received } = makeBus();
    const nacks: NackNotice[] = [];
    bus.register('bpp.utility', () => undefined, { onNack: (n) => nacks.push(n) });
    bus.send({ fromId: 'bpp.utility', toId: 'bpp.mca', wire: initFrom('bap.prosumer-1', 1, T0), atMs: T0 });
    await bus.runUntil(T0 + 10);
    expect(received).toEqual([]);
    expect(nacks.map((n) => [n.from, n.refusal.reason, n.refusal.code])).toEqual([['bpp.utility', 'signer-not-caller', 'AUT_UNAUTHORIZED_ACTION']]);
  });
});

describe('bus link effects', () => {
  const effects: LinkConfig = { default: { latencyMs: 50, jitterMs: 400, lossProbability: 0.2, duplicationProbability: 0.2, reorderProbability: 0.3, reorderDelayMs: 2000 } };

  async function run(seed: number, links: LinkConfig) {
    const made = makeBus({ random: createRandomStreams(seed), links });
    for (let i = 0; i < 60; i++) {
      const from = BAPS[i % 3] as string;
      made.bus.send({ fromId: from, toId: 'bpp.mca', wire: initFrom(from, i, T0 + i * 100), atMs: T0 + i * 100 });
    }
    await made.bus.runUntil(T0 + 60_000);
    return made;
  }

  it('is deterministic for a seed and changes with the seed', async () => {
    const a = await run(1, effects);
    const b = await run(1, effects);
    const c = await run(2, effects);
    expect(a.trace.ackLines).toEqual(b.trace.ackLines);
    expect(a.trace.wireLines).toEqual(b.trace.wireLines);
    expect(a.trace.ackLines).not.toEqual(c.trace.ackLines);
  });

  it('loses, duplicates and reorders messages, and times out the lost ones to their senders at send + ttl', async () => {
    const { trace, received, nacks } = await run(1, effects);
    const acks = trace.ackLines.map((l) => JSON.parse(l) as { messageId: string; ack: string; atMs: number; duplicate?: boolean; error?: { code: string; reason: string } });
    const lost = acks.filter((a) => a.ack === 'LOST').map((a) => a.messageId);
    const dups = acks.filter((a) => a.duplicate === true);
    expect(lost.length).toBeGreaterThan(3);
    expect(lost.length).toBeLessThan(25);
    expect(dups.length).toBeGreaterThan(3);
    expect(dups.every((d) => d.ack === 'NACK' && d.error?.code === 'AUT_REPLAY_DETECTED')).toBe(true);
    expect(received.length + lost.length).toBe(60);
    expect(new Set(received.map((r) => r.messageId)).size).toBe(received.length);
    expect(nacks.map((n) => n.messageId).sort()).toEqual([...lost].sort());
    for (const n of nacks) {
      const sentAt = T0 + Number.parseInt(n.messageId.slice(-12), 16) * 100;
      expect(n).toMatchObject({ atMs: sentAt + 30_000, refusal: { reason: 'lost', code: 'NET_ACK_TIMEOUT' } });
    }
    const order = received.map((r) => Number.parseInt(r.messageId.slice(-12), 16));
    expect(order.some((v, i) => i > 0 && v < (order[i - 1] as number))).toBe(true);
  });

  it('draws nothing and keeps send order when no random effect is configured', async () => {
    const { received, trace } = await run(1, { byLink: { 'bap.cpo-1->bpp.mca': { latencyMs: 10 } } });
    expect(received.map((r) => Number.parseInt(r.messageId.slice(-12), 16))).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(received.filter((r) => r.atMs === T0 + 2 * 100 + 10)).toHaveLength(1);
    expect(trace.ackLines.every((l) => l.includes('"ack":"ACK"'))).toBe(true);
  });

  it('refuses random effects without seeded streams, and impossible probabilities', () => {
    const base = { registry: indexRegistry(registry), keys, validator: fixtureValidator, contextReader: fixtureContextReader, ackBuilder: fixtureAckBuilder };
    expect(() => createBus({ ...base, links: { default: { lossProbability: 0.1 } } })).toThrow(/seeded streams/);
    expect(() => createBus({ ...base, random: createRandomStreams(1), links: { default: { lossProbability: 1.5 } } })).toThrow(/probability/);
  });
});

describe('bus remote endpoints', () => {
  it('awaits a remote endpoint in delivery order and records its answer', async () => {
    const { bus, trace } = makeBus();
    const seen: string[] = [];
    bus.registerRemote('bpp.utility', {
      async deliver({ body, action }) {
        await new Promise((r) => setTimeout(r, 5));
        seen.push(`${action}:${(JSON.parse(body) as { context: { messageId: string } }).context.messageId}`);
        return { status: 'ACK', httpStatus: 200, body: { status: 'ACK' } };
      },
    });
    const cascaded = (n: number, at: number) =>
      buildInit({ bapId: 'bap.prosumer-1', bppId: 'bpp.utility', bapUri: 'http://a', bppUri: 'http://b', messageId: uuidOf(n), transactionId: uuidOf(n, 1), timestampMs: at });
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.utility', wire: cascaded(2, T0 + 10), atMs: T0 + 10 });
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.utility', wire: cascaded(1, T0), atMs: T0 });
    await bus.runUntil(T0 + 100);
    expect(seen).toEqual([`init:${uuidOf(1)}`, `init:${uuidOf(2)}`]);
    expect(trace.wireLines).toHaveLength(2);
  });
});

describe('bus remote senders (a node serving a subscriber)', () => {
  const ack = (): AckOrNack => ({ status: 'ACK', httpStatus: 200, body: { status: 'ACK' } });

  it('runs afterAccepted after the ACK is recorded and before the next event, so what the node sent there is delivered in order', async () => {
    const { bus, trace, received } = makeBus();
    const steps: string[] = [];
    bus.registerRemote('bpp.utility', {
      async deliver() {
        steps.push('deliver');
        return ack();
      },
      async afterAccepted({ messageId, from, atMs }) {
        await new Promise((r) => setTimeout(r, 2));
        steps.push(`after:${messageId}:${from}:${atMs}:acks=${trace.ackLines.length}`);
        const answer = buildOnInit(initFrom('bap.prosumer-1', 1, T0) as Record<string, unknown>, atMs);
        const body = JSON.stringify({ ...answer, context: { ...(answer['context'] as object), bppId: 'bpp.utility', messageId: uuidOf(9) } });
        bus.inject({ toId: 'bap.prosumer-1', headers: signedHeaders(body, key('bpp.utility'), Math.floor(atMs / 1000), Math.floor(atMs / 1000) + 30), body, atMs, asSender: true });
      },
    });
    const cascaded = buildInit({ bapId: 'bap.prosumer-1', bppId: 'bpp.utility', bapUri: 'http://a', bppUri: 'http://b', messageId: uuidOf(1), transactionId: uuidOf(1, 1), timestampMs: T0 });
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.utility', wire: cascaded, atMs: T0 });
    bus.send({ fromId: 'bap.prosumer-2', toId: 'bpp.mca', wire: initFrom('bap.prosumer-2', 2, T0), atMs: T0 });
    await bus.runUntil(T0 + 100);
    expect(steps).toEqual(['deliver', `after:${uuidOf(1)}:bap.prosumer-1:${T0}:acks=1`]);
    // The node's answer, injected at T0 during the first delivery, is delivered after the send already due at T0.
    expect(received.map((r) => [r.to, r.action, r.messageId])).toEqual([
      ['bpp.mca', 'init', uuidOf(2)],
      ['bap.prosumer-1', 'on_init', uuidOf(9)],
    ]);
  });

  it('does not call afterAccepted for a NACK', async () => {
    const { bus } = makeBus();
    let after = 0;
    bus.registerRemote('bpp.utility', {
      deliver: async () => ({ status: 'NACK', httpStatus: 401, body: {}, refusal: { reason: 'replay', code: 'AUT_REPLAY_DETECTED', httpStatus: 401, message: 'seen' } }),
      afterAccepted: async () => {
        after++;
      },
    });
    bus.send({ fromId: 'bap.prosumer-1', toId: 'bpp.utility', wire: buildInit({ bapId: 'bap.prosumer-1', bppId: 'bpp.utility', bapUri: 'http://a', bppUri: 'http://b', messageId: uuidOf(1), transactionId: uuidOf(1, 1), timestampMs: T0 }), atMs: T0 });
    await bus.runUntil(T0 + 100);
    expect(after).toBe(0);
  });

  it('tells an injected message’s sender of its refusal (asSender) and awaits the sender’s listener before the next event', async () => {
    const { bus, trace } = makeBus();
    const told: string[] = [];
    bus.registerRemote('bpp.utility', { deliver: async () => ack() }, {
      onNack: async (n) => {
        await new Promise((r) => setTimeout(r, 2));
        told.push(`${n.refusal.code}:${n.messageId}:acks=${trace.ackLines.length}`);
      },
    });
    const answer = buildOnInit(initFrom('bap.prosumer-1', 1, T0) as Record<string, unknown>, T0);
    // Signed by the utility but naming the MCA as bppId: the BAP refuses it (signer is not the caller).
    const body = JSON.stringify(answer);
    const headers = signedHeaders(body, key('bpp.utility'), Math.floor(T0 / 1000), Math.floor(T0 / 1000) + 30);
    bus.inject({ toId: 'bap.prosumer-1', headers, body, atMs: T0, fromId: 'bpp.utility', asSender: true });
    bus.inject({ toId: 'bap.prosumer-1', headers, body, atMs: T0, fromId: 'bpp.utility' });
    bus.send({ fromId: 'bap.prosumer-2', toId: 'bpp.mca', wire: initFrom('bap.prosumer-2', 2, T0), atMs: T0 });
    await bus.runUntil(T0 + 100);
    // Only the asSender copy is told, and the listener finished before the third event was recorded.
    expect(told).toEqual([`AUT_UNAUTHORIZED_ACTION:${uuidOf(1)}:acks=1`]);
    expect(trace.ackLines).toHaveLength(3);
  });
});
