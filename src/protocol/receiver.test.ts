import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoMs } from '../kernel/clock.js';
import { createReplayCache, ttlMsOf, readWireContext, receive, REFUSALS, type ReceiveDeps, type ReceiveInput, type RefusalReason } from './receiver.js';
import { generateRegistry, indexRegistry, upsertEntry, type SubscriberRegistry } from './registry.js';
import { signedHeaders, signingKey, signRequest, type SigningKey } from './signing.js';
import { buildInit, buildOnInit, fixtureAckBuilder, fixtureContextReader, fixtureValidator, uuidOf } from './transport/http/test-support/fixtures.js';

const T0_MS = parseIsoMs('2026-06-21T10:00:00Z');
const T0 = T0_MS / 1000;

const generated = generateRegistry(11, [
  { subscriberId: 'bap.prosumer-1', role: 'BAP', uri: 'http://127.0.0.1:9001' },
  { subscriberId: 'bpp.mca', role: 'BPP', uri: 'http://127.0.0.1:9002' },
  { subscriberId: 'bpp.mca', role: 'BAP', uri: 'http://127.0.0.1:9002' },
  { subscriberId: 'bpp.utility', role: 'BPP', uri: 'http://127.0.0.1:9003' },
]);
if (!generated.ok) throw new Error('registry');
const { registry, keys } = generated.value;
const keyOf = (id: string): SigningKey => {
  const k = keys.get(id);
  if (k === undefined) throw new Error(id);
  return k;
};

function deps(reg: SubscriberRegistry = registry): ReceiveDeps {
  return { registry: indexRegistry(reg), replayCache: createReplayCache(), validator: fixtureValidator, contextReader: fixtureContextReader, ackBuilder: fixtureAckBuilder };
}

function init(overrides: Partial<Parameters<typeof buildInit>[0]> = {}): Record<string, unknown> {
  return buildInit({
    bapId: 'bap.prosumer-1',
    bppId: 'bpp.mca',
    bapUri: 'http://127.0.0.1:9001',
    bppUri: 'http://127.0.0.1:9002',
    messageId: uuidOf(1),
    transactionId: uuidOf(1, 1),
    timestampMs: T0_MS,
    ...overrides,
  });
}

function signed(wire: unknown, key: SigningKey, createdSec = T0, expiresSec = T0 + 30): ReceiveInput {
  const body = JSON.stringify(wire);
  return { headers: signedHeaders(body, key, createdSec, expiresSec), body, nowSec: T0 };
}

function reasonOf(input: ReceiveInput, d: ReceiveDeps = deps()): RefusalReason | 'ACK' {
  const out = receive(input, d);
  return out.response.status === 'ACK' ? 'ACK' : out.response.refusal.reason;
}

describe('receive: accepted messages', () => {
  it('accepts a signed, valid init and hands over the parsed message, context and signer', () => {
    const input = signed(init(), keyOf('bap.prosumer-1'));
    const out = receive({ ...input, endpointAction: 'init', recipientId: 'bpp.mca' }, deps());
    expect(out.response).toEqual({ status: 'ACK', httpStatus: 200, body: { status: 'ACK', messageId: uuidOf(1), transactionId: uuidOf(1, 1) } });
    expect(out.accepted?.context).toMatchObject({ action: 'init', bapId: 'bap.prosumer-1', bppId: 'bpp.mca', messageId: uuidOf(1), ttl: 'PT30S' });
    expect(out.accepted?.signer).toEqual({ subscriberId: 'bap.prosumer-1', uniqueKeyId: keyOf('bap.prosumer-1').uniqueKeyId });
    expect(out.accepted?.body).toBe(input.body);
    expect(out.accepted?.wire).toEqual(JSON.parse(input.body));
  });

  it('accepts a callback signed by the BPP, and the MCA signing its cascaded init as a BAP', () => {
    const onInit = buildOnInit(init(), T0_MS);
    expect(reasonOf(signed(onInit, keyOf('bpp.mca')))).toBe('ACK');
    const cascaded = init({ bapId: 'bpp.mca', bppId: 'bpp.utility', messageId: uuidOf(2) });
    expect(reasonOf(signed(cascaded, keyOf('bpp.mca')))).toBe('ACK');
  });

  it('accepts without a Digest header (as most Beckn nodes send) and with created exactly 5 s ahead', () => {
    const input = signed(init(), keyOf('bap.prosumer-1'), T0 + 5, T0 + 35);
    const { digest: _digest, ...headers } = input.headers as Record<string, string>;
    expect(reasonOf({ ...input, headers })).toBe('ACK');
  });
});

describe('receive: each refusal has its reason, Beckn code and HTTP status', () => {
  const bap = (): SigningKey => keyOf('bap.prosumer-1');

  it('refuses a body over the size limit before parsing it', () => {
    const input = signed(init(), bap());
    const d = { ...deps(), limits: { maxBodyBytes: 1000 } };
    const out = receive(input, d);
    expect(out.response.status === 'NACK' && out.response.refusal).toMatchObject({ reason: 'body-too-large', code: 'SCH_INVALID_FORMAT', httpStatus: 413 });
  });

  it('refuses malformed JSON and non-object bodies', () => {
    expect(reasonOf({ headers: {}, body: '{"context": ', nowSec: T0 })).toBe('malformed-json');
    expect(reasonOf({ headers: {}, body: '[1,2]', nowSec: T0 })).toBe('malformed-json');
    const out = receive({ headers: {}, body: 'nope', nowSec: T0 }, deps());
    expect(out.response).toMatchObject({ status: 'NACK', httpStatus: 400, body: { status: 'NACK', error: { code: 'SCH_INVALID_JSON' } } });
  });

  it('refuses a missing or malformed Authorization header', () => {
    const input = signed(init(), bap());
    expect(reasonOf({ ...input, headers: { 'content-type': 'application/json' } })).toBe('signature-missing');
    expect(reasonOf({ ...input, headers: { authorization: 'Signature keyId="x"' } })).toBe('signature-malformed');
  });

  it('refuses an unknown subscriber, an unknown key, a revoked key and an expired key', () => {
    const stranger = signingKey('bap.stranger', 'k1', generateKeyPairSync('ed25519').privateKey);
    expect(reasonOf(signed(init({ bapId: 'bap.stranger' }), stranger))).toBe('subscriber-unknown');
    const otherKeyId = signingKey('bap.prosumer-1', 'k-rotated', bap().privateKey);
    expect(reasonOf(signed(init(), otherKeyId))).toBe('key-unknown');
    const entry = registry.subscribers.find((e) => e.subscriberId === 'bap.prosumer-1');
    if (entry === undefined) throw new Error('entry');
    const revoked = upsertEntry(registry, { ...entry, status: 'REVOKED' });
    const out = receive(signed(init(), bap()), deps(revoked));
    expect(out.response.status === 'NACK' && out.response.refusal).toMatchObject({ reason: 'key-unusable', code: 'AUT_KEY_EXPIRED_OR_REVOKED', httpStatus: 401 });
    expect(out.response.status === 'NACK' && out.response.refusal.message).toContain('REVOKED');
    const lapsed = upsertEntry(registry, { ...entry, validUntil: '2026-06-21T09:59:59Z' });
    expect(reasonOf(signed(init(), bap()), deps(lapsed))).toBe('key-unusable');
  });

  it('tells a tampered body (Digest header no longer matches) from a forged signature', () => {
    const input = signed(init(), bap());
    const tampered = input.body.replace('"powerKW":6', '"powerKW":60');
    expect(tampered).not.toBe(input.body);
    expect(reasonOf({ ...input, body: tampered })).toBe('digest-mismatch');
    const { digest: _d, ...noDigest } = input.headers as Record<string, string>;
    expect(reasonOf({ ...input, headers: noDigest, body: tampered })).toBe('signature-invalid');
    const forged = signingKey('bap.prosumer-1', bap().uniqueKeyId, generateKeyPairSync('ed25519').privateKey);
    const out = receive(signed(init(), forged), deps());
    expect(out.response.status === 'NACK' && out.response.refusal).toMatchObject({ reason: 'signature-invalid', code: 'AUT_SIGNATURE_INVALID', httpStatus: 401 });
  });

  it('refuses a signature that expired or was created more than 5 s ahead', () => {
    expect(reasonOf(signed(init(), bap(), T0 - 60, T0 - 1))).toBe('signature-expired');
    expect(reasonOf(signed(init(), bap(), T0 + 6, T0 + 36))).toBe('signature-not-yet-valid');
  });

  it('refuses a BPP signing a request as the BAP, and a signer outside the caller role', () => {
    const out = receive(signed(init(), keyOf('bpp.utility')), deps());
    expect(out.response.status === 'NACK' && out.response.refusal).toMatchObject({ reason: 'signer-not-caller', code: 'AUT_UNAUTHORIZED_ACTION', path: 'context.bapId' });
    const utilityAsBap = init({ bapId: 'bpp.utility', bppId: 'bpp.mca' });
    expect(reasonOf(signed(utilityAsBap, keyOf('bpp.utility')))).toBe('signer-not-caller');
    const onInitByBap = buildOnInit(init({ bppId: 'bap.prosumer-1' }), T0_MS);
    expect(reasonOf(signed(onInitByBap, bap()))).toBe('signer-not-caller');
  });

  it('refuses a context that cannot be read, a wrong endpoint action and a wrong recipient', () => {
    const noContext = { message: {} };
    expect(reasonOf(signed(noContext, bap()))).toBe('context-missing');
    const input = signed(init(), bap());
    expect(reasonOf({ ...input, endpointAction: 'confirm' })).toBe('action-mismatch');
    expect(reasonOf({ ...input, recipientId: 'bpp.utility' })).toBe('context-invalid');
  });

  it('refuses a schema-invalid body with the failing path', () => {
    const bad = init({ messageId: 'not-a-uuid' });
    const out = receive(signed(bad, bap()), deps());
    expect(out.response.status === 'NACK' && out.response.refusal).toMatchObject({ reason: 'schema-invalid', code: 'SCH_SCHEMA_VALIDATION_FAILED', httpStatus: 400, path: 'context.messageId' });
    expect(out.response.body).toMatchObject({ error: { code: 'SCH_SCHEMA_VALIDATION_FAILED', details: { path: 'context.messageId' } } });
  });

  it('refuses a replayed message id from the same signer, but not the BPP callback that shares it', () => {
    const d = deps();
    const input = signed(init(), bap());
    expect(reasonOf(input, d)).toBe('ACK');
    const again = receive({ ...input, nowSec: T0 + 2 }, d);
    expect(again.response.status === 'NACK' && again.response.refusal).toMatchObject({ reason: 'replay', code: 'AUT_REPLAY_DETECTED', path: 'context.messageId' });
    const resigned = signed(init(), bap(), T0 + 1, T0 + 31);
    expect(reasonOf({ ...resigned, nowSec: T0 + 1 }, d)).toBe('replay');
    expect(reasonOf(signed(buildOnInit(init(), T0_MS), keyOf('bpp.mca')), d)).toBe('ACK');
  });

  it('refuses a message whose ttl ran out while its signature is still valid', () => {
    const late = signed(init({ ttl: 'PT10S' }), bap(), T0, T0 + 60);
    expect(reasonOf({ ...late, nowSec: T0 + 11 })).toBe('ttl-expired');
    expect(reasonOf({ ...late, nowSec: T0 + 10 })).toBe('ACK');
    expect(reasonOf(signed(init({ ttl: 'P1M' }), bap()))).toBe('context-invalid');
  });

  it('checks in the documented order: the first failing check wins', () => {
    const stranger = signingKey('bap.stranger', 'k1', generateKeyPairSync('ed25519').privateKey);
    const badAndUnknown = signed(init({ messageId: 'x' }), stranger);
    expect(reasonOf(badAndUnknown)).toBe('subscriber-unknown');
    expect(reasonOf({ ...signed(init({ messageId: 'x' }), keyOf('bpp.utility')), nowSec: T0 + 100 })).toBe('signature-expired');
    expect(reasonOf(signed(init({ messageId: 'x' }), keyOf('bpp.utility')))).toBe('signer-not-caller');
  });

  it('every reason maps to a distinct (reason, code) pair with a 4xx/5xx status', () => {
    const pairs = Object.entries(REFUSALS).map(([reason, r]) => `${reason}:${r.code}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(Object.values(REFUSALS).every((r) => r.httpStatus >= 400 && r.httpStatus < 600)).toBe(true);
  });
});

describe('receive never throws', () => {
  it('answers arbitrary bodies and headers with an ACK or NACK value (property)', () => {
    const header = fc.oneof(
      fc.string(),
      fc.constant('Signature '),
      fc.string().map((s) => `Signature keyId="${s}",algorithm="ed25519",created="1",expires="2",headers="(created) (expires) digest",signature="${Buffer.alloc(64).toString('base64')}"`),
    );
    const body = fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.constant(JSON.stringify(init())));
    fc.assert(
      fc.property(body, header, fc.integer({ min: 0, max: 2 ** 40 }), (b, h, now) => {
        const out = receive({ headers: { authorization: h, digest: h }, body: b, nowSec: now }, deps());
        return out.response.status === 'NACK' && out.accepted === null && out.response.refusal.reason in REFUSALS;
      }),
      { numRuns: 300 },
    );
  });

  it('survives a signature made for another body (header reuse)', () => {
    const body = JSON.stringify(init());
    const authorization = signRequest({ body: '{}', subscriberId: 'bap.prosumer-1', uniqueKeyId: keyOf('bap.prosumer-1').uniqueKeyId, privateKey: keyOf('bap.prosumer-1').privateKey, createdSec: T0, expiresSec: T0 + 30 });
    expect(reasonOf({ headers: { authorization }, body, nowSec: T0 })).toBe('signature-invalid');
  });
});

describe('createReplayCache', () => {
  it('forgets entries once they expire and keeps at most maxEntries', () => {
    const c = createReplayCache(3);
    expect(c.seenOrRecord('a', 10, 0)).toBe(false);
    expect(c.seenOrRecord('a', 10, 5)).toBe(true);
    expect(c.seenOrRecord('b', 20, 5)).toBe(false);
    expect(c.size).toBe(2);
    expect(c.seenOrRecord('c', 30, 11)).toBe(false);
    expect(c.size).toBe(2);
    expect(c.seenOrRecord('a', 40, 11)).toBe(false);
    expect(c.seenOrRecord('d', 50, 11)).toBe(false);
    expect(c.size).toBe(3);
    expect(c.seenOrRecord('b', 20, 12)).toBe(false);
  });
});

describe('ttlMsOf', () => {
  it.each([
    ['PT30S', 30_000],
    ['PT0.5S', 500],
    ['PT10M', 600_000],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['P1DT2H', 93_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(ttlMsOf(text)).toBe(ms);
  });

  it.each(['P', 'PT', '30S', 'P1M', 'P1Y', 'PT-5S', 'P1DT', ''])('%s is not a usable duration', (text) => {
    expect(ttlMsOf(text)).toBeNaN();
  });
});

describe('readWireContext', () => {
  it('reads camelCase (Beckn 2.0.0) and snake_case (DEG draft) contexts alike', () => {
    const snake = { context: { action: 'init', message_id: 'm-1', transaction_id: 't-1', timestamp: '2024-10-04T10:20:00Z', bap_id: 'bap.a', bpp_id: 'bpp.b', bap_uri: 'https://a', bpp_uri: 'https://b', ttl: 'PT30S' } };
    const camel = { context: { action: 'init', messageId: 'm-1', transactionId: 't-1', timestamp: '2024-10-04T10:20:00Z', bapId: 'bap.a', bppId: 'bpp.b', bapUri: 'https://a', bppUri: 'https://b', ttl: 'PT30S' } };
    const expected = { action: 'init', messageId: 'm-1', transactionId: 't-1', timestamp: '2024-10-04T10:20:00Z', bapId: 'bap.a', bppId: 'bpp.b', bapUri: 'https://a', bppUri: 'https://b', ttl: 'PT30S' };
    expect(readWireContext(snake)).toEqual({ ok: true, value: expected, warnings: [] });
    expect(readWireContext(camel)).toEqual({ ok: true, value: expected, warnings: [] });
  });

  it('lists every missing required field', () => {
    const r = readWireContext({ context: { bapId: 'x', action: 7 } });
    expect(r.ok ? [] : r.errors.map((d) => d.path)).toEqual(['context.action', 'context.messageId', 'context.timestamp']);
    expect(readWireContext([]).ok).toBe(false);
  });
});
