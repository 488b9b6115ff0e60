import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseIsoMs } from '../../../kernel/clock.js';
import { generateRegistry, indexRegistry } from '../../registry.js';
import { parseAuthorization, verifySignature } from '../../signing.js';
import { actionUrl, createHttpClient, readAckResponse } from './client.js';
import { createHttpNode } from './server.js';
import { buildInit, fixtureAckBuilder, fixtureContextReader, fixtureValidator, uuidOf } from './test-support/fixtures.js';

const T0 = parseIsoMs('2026-06-21T10:00:00Z');
const profile = { validator: fixtureValidator, contextReader: fixtureContextReader, ackBuilder: fixtureAckBuilder };
const gen = generateRegistry(5, [
  { subscriberId: 'bap.prosumer-1', role: 'BAP', uri: 'http://127.0.0.1/bap' },
  { subscriberId: 'bpp.mca', role: 'BPP', uri: 'http://127.0.0.1/mca' },
]);
if (!gen.ok) throw new Error('registry');
const { keys, registry } = gen.value;

const init = (ttl = 'PT30S') =>
  buildInit({ bapId: 'bap.prosumer-1', bppId: 'bpp.mca', bapUri: 'http://127.0.0.1/bap', bppUri: 'http://127.0.0.1/mca', messageId: uuidOf(1), transactionId: uuidOf(1, 1), timestampMs: T0, ttl });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('readAckResponse', () => {
  it('reads the Beckn 2.0, DEG draft and 1.x ACK shapes', () => {
    expect(readAckResponse(200, '{"status":"ACK"}').status).toBe('ACK');
    expect(readAckResponse(200, '{"message":{"ack":{"status":"ACK"}}}').status).toBe('ACK');
    expect(readAckResponse(200, '{"message":{"status":"ACK"}}').status).toBe('ACK');
    expect(readAckResponse(200, '{"transaction_id":"t","timestamp":"2024-10-04T09:30:00Z","ack_status":"ACK"}').status).toBe('ACK');
    const draft = readAckResponse(401, '{"ack_status":"NACK","error":{"code":"AUT_KEY_NOT_FOUND","message":"no key","paths":"headers.authorization"}}');
    expect(draft.status === 'NACK' && draft.refusal).toEqual({ reason: 'key-unknown', code: 'AUT_KEY_NOT_FOUND', httpStatus: 401, message: 'no key', path: 'headers.authorization' });
  });

  it('reads NACKs, infers the reason from the code and status, and keeps foreign codes', () => {
    const r = readAckResponse(401, '{"status":"NACK","error":{"code":"AUT_REPLAY_DETECTED","message":"seen","details":{"path":"context.messageId"}}}');
    expect(r.status === 'NACK' && r.refusal).toEqual({ reason: 'replay', code: 'AUT_REPLAY_DETECTED', httpStatus: 401, message: 'seen', path: 'context.messageId' });
    const legacy = readAckResponse(400, '{"message":{"ack":{"status":"NACK"}},"error":{"code":"30016","message":"Invalid Signature"}}');
    expect(legacy.status === 'NACK' && legacy.refusal).toMatchObject({ reason: 'remote-refused', code: '30016', httpStatus: 400 });
    const v2 = readAckResponse(400, '{"status":"NACK","error":{"errorCode":"CTX_TTL_EXPIRED","errorMessage":"late","errorDetails":{"path":"context.ttl"}}}');
    expect(v2.status === 'NACK' && v2.refusal).toEqual({ reason: 'ttl-expired', code: 'CTX_TTL_EXPIRED', httpStatus: 400, message: 'late', path: 'context.ttl' });
    const biz = readAckResponse(400, '{"status":"NACK","error":{"code":"BIZ_ITEM_NOT_FOUND","message":"no such interval"}}');
    expect(biz.status === 'NACK' && biz.refusal.code).toBe('BIZ_ITEM_NOT_FOUND');
  });

  it('treats an ACK body with an error status, and unreadable bodies, as NACKs', () => {
    expect(readAckResponse(500, '{"status":"ACK"}').status).toBe('NACK');
    const html = readAckResponse(413, '<html>too large</html>');
    expect(html.status === 'NACK' && html.refusal).toMatchObject({ reason: 'body-too-large', httpStatus: 413 });
    const gateway = readAckResponse(502, 'Bad gateway');
    expect(gateway.status === 'NACK' && gateway.refusal.reason).toBe('internal-error');
  });
});

describe('createHttpClient', () => {
  it('signs with the client clock and POSTs to {uri}/{action}', async () => {
    const seen: { url: string; authorization: string; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', authorization: req.headers.authorization ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.end('{"status":"ACK"}');
      });
    });
    const url = await listen(server);
    const client = createHttpClient({ keys, ...profile, clock: () => T0 + 1500 });
    try {
      const r = await client.send({ uri: `${url}/beckn/`, fromId: 'bap.prosumer-1', wire: init() });
      expect(r.status).toBe('ACK');
      expect(seen[0]?.url).toBe('/beckn/init');
      const auth = parseAuthorization(seen[0]?.authorization ?? '');
      if (!auth.ok) throw new Error('header');
      expect([auth.value.createdSec, auth.value.expiresSec]).toEqual([T0 / 1000 + 1, T0 / 1000 + 31]);
      const found = indexRegistry(registry).lookup('bap.prosumer-1', auth.value.uniqueKeyId);
      expect(found.kind === 'found' && verifySignature({ body: seen[0]?.body ?? '', auth: auth.value, publicKey: found.publicKey })).toBe('valid');
    } finally {
      client.close();
      server.close();
    }
  });

  it('does not send an invalid message or one it has no key for', async () => {
    const client = createHttpClient({ keys, ...profile });
    const bad = init();
    delete (bad['context'] as Record<string, unknown>)['messageId'];
    const r = await client.send({ uri: 'http://127.0.0.1:1', fromId: 'bap.prosumer-1', wire: bad });
    expect(r.status === 'NACK' && r.refusal.reason).toBe('context-missing');
    const noKey = await client.send({ uri: 'http://127.0.0.1:1', fromId: 'bap.nobody', wire: init() });
    expect(noKey.status === 'NACK' && noKey.refusal.reason).toBe('internal-error');
    client.close();
  });

  it('turns a silent receiver into a NET_TIMEOUT NACK after the ttl, never a hang', async () => {
    const server = createServer(() => undefined);
    const url = await listen(server);
    const client = createHttpClient({ keys, ...profile, clock: () => T0 });
    try {
      const r = await client.send({ uri: url, fromId: 'bap.prosumer-1', wire: init('PT0.2S') });
      expect(r.status === 'NACK' && r.refusal).toMatchObject({ reason: 'timeout', code: 'NET_TIMEOUT' });
    } finally {
      client.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('turns a closed port into a NET_DOWNSTREAM_UNAVAILABLE NACK', async () => {
    const server = createServer();
    const url = await listen(server);
    await new Promise((r) => server.close(r));
    const client = createHttpClient({ keys, ...profile });
    const r = await client.post({ url: actionUrl(url, 'init'), headers: {}, body: '{}', timeoutMs: 2000 });
    expect(r.status === 'NACK' && r.refusal).toMatchObject({ reason: 'unreachable', code: 'NET_DOWNSTREAM_UNAVAILABLE' });
    client.close();
  });

  it('a node whose handler hangs still closes once the grace period is over', async () => {
    const node = await createHttpNode({ endpoints: new Map([['bpp.mca', () => new Promise<void>(() => undefined)]]), registry: indexRegistry(registry), ...profile, clock: () => T0, limits: { shutdownGraceMs: 50 } });
    const client = createHttpClient({ keys, ...profile, clock: () => T0 });
    expect((await client.send({ uri: node.url, fromId: 'bap.prosumer-1', wire: init() })).status).toBe('ACK');
    await node.close();
    expect((await fetch(`${node.url}/health`).catch(() => null)) === null).toBe(true);
    client.close();
  });
});
