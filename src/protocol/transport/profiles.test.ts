import { describe, expect, it } from 'vitest';
import { parseIsoMs } from '../../kernel/clock.js';
import { ackBuilder } from '../ack.js';
import type { ProfileId } from '../context.js';
import { getProfile } from '../profiles/index.js';
import { evChargingTransaction, payAsClearTransaction } from '../profiles/test-support/transactions.js';
import { callerIdOf, contextReaderOf, recipientIdOf, type AcceptedMessage, type ContextReader, type MessageValidator } from '../receiver.js';
import { generateRegistry, indexRegistry } from '../registry.js';
import { signedHeaders } from '../signing.js';
import { createMemoryTrace, verifyWireTrace } from '../trace.js';
import { validateAck, validateMessage } from '../validate.js';
import { createBus } from './bus.js';
import { createHttpClient } from './http/client.js';
import { createHttpNode } from './http/server.js';

/**
 * The transports with the real profiles: every message of the two reference transactions
 * (pay-as-clear with the utility cascade, destination EV charging), built by each profile,
 * validated by its schemas, signed, delivered, verified and validated again — over the bus and
 * over HTTP — and the wire traces re-verify offline.
 */

const PROFILE_IDS: readonly ProfileId[] = ['beckn-2.0.0', 'deg-order-draft'];

function setup(profileId: ProfileId, transaction: typeof payAsClearTransaction) {
  const profile = getProfile(profileId);
  const steps = transaction().map((s) => ({ step: s, wire: profile.build(s.action, s.context, s.payload as never) }));
  const contextReader: ContextReader = contextReaderOf((w) => profile.contextOf(w));
  const validator: MessageValidator = (w) => validateMessage(w, profileId);
  const routed = steps.map(({ step, wire }) => {
    const ctx = contextReader(wire);
    if (!ctx.ok) throw new Error(JSON.stringify(ctx.errors));
    const from = callerIdOf(ctx.value) as string;
    const to = recipientIdOf(ctx.value) ?? steps.find((s) => s.step.context.bppId !== undefined)?.step.context.bppId ?? '';
    return { wire, from, to, atMs: parseIsoMs(step.context.timestamp), action: ctx.value.action, messageId: ctx.value.messageId };
  });
  const subscribers = new Map<string, Set<'BAP' | 'BPP'>>();
  for (const s of steps) {
    const add = (id: string | undefined, role: 'BAP' | 'BPP'): void => {
      if (id === undefined) return;
      const set = subscribers.get(id) ?? new Set();
      set.add(role);
      subscribers.set(id, set);
    };
    add(s.step.context.bapId, 'BAP');
    add(s.step.context.bppId, 'BPP');
  }
  const gen = generateRegistry(
    7,
    [...subscribers].flatMap(([id, roles]) => [...roles].map((role) => ({ subscriberId: id, role, uri: `https://${id}/beckn` }))),
    { validFrom: '2024-01-01T00:00:00Z', validUntil: '2030-01-01T00:00:00Z' },
  );
  if (!gen.ok) throw new Error(JSON.stringify(gen.errors));
  return { profile, routed, contextReader, validator, ackBuilder: ackBuilder({ profile: profileId }), ...gen.value, ids: [...subscribers.keys()] };
}

describe.each(PROFILE_IDS)('transports with the %s profile', (profileId) => {
  it.each([
    ['pay-as-clear', payAsClearTransaction],
    ['EV charging', evChargingTransaction],
  ] as const)('delivers the whole %s transaction over the bus, every message ACKed and re-verifiable', async (_name, transaction) => {
    const s = setup(profileId, transaction);
    const trace = createMemoryTrace();
    const bus = createBus({ registry: indexRegistry(s.registry), keys: s.keys, validator: s.validator, contextReader: s.contextReader, ackBuilder: s.ackBuilder, trace, links: { default: { latencyMs: 20 } } });
    const got: string[] = [];
    for (const id of s.ids) bus.register(id, (m: AcceptedMessage) => void got.push(`${id}:${m.context.action}:${m.context.messageId}`));
    for (const r of s.routed) {
      const sent = bus.send({ fromId: r.from, toId: r.to, wire: r.wire, atMs: r.atMs });
      expect(sent.status, JSON.stringify(sent)).toBe('scheduled');
    }
    await bus.runUntil(Number.MAX_SAFE_INTEGER);
    expect(got).toEqual(s.routed.map((r) => `${r.to}:${r.action}:${r.messageId}`));
    expect(trace.ackLines.every((l) => l.includes('"ack":"ACK"'))).toBe(true);
    const v = verifyWireTrace(trace.wireLines.join('\n'), s.registry, { now: 'context', contextReader: s.contextReader, validator: s.validator });
    expect([v.passed, v.failed]).toEqual([s.routed.length, 0]);
  });

  it('refuses a schema-invalid message built by the profile, at the sender and at the receiver, with the profile’s NACK shape', async () => {
    const s = setup(profileId, payAsClearTransaction);
    const init = s.routed.find((r) => r.action === 'init') ?? (s.routed[2] as (typeof s.routed)[number]);
    const broken = JSON.parse(JSON.stringify(init.wire)) as { message: Record<string, unknown> };
    broken.message = {};
    const bus = createBus({ registry: indexRegistry(s.registry), keys: s.keys, validator: s.validator, contextReader: s.contextReader, ackBuilder: s.ackBuilder });
    for (const id of s.ids) bus.register(id, () => undefined);
    const refused = bus.send({ fromId: init.from, toId: init.to, wire: broken, atMs: init.atMs });
    expect(refused.status === 'NACK' && refused.refusal.reason).toBe('schema-invalid');
    expect(refused.status === 'NACK' && JSON.stringify(refused.body)).toContain('NACK');
    const body = JSON.stringify(broken);
    const createdSec = Math.floor(init.atMs / 1000);
    const results: string[] = [];
    bus.inject({ toId: init.to, headers: { ...signedHeaders(body, s.keys.get(init.from) as never, createdSec, createdSec + 30) }, body, atMs: init.atMs, onResult: (r) => results.push(r.status === 'ACK' ? 'ACK' : r.refusal.code) });
    await bus.runUntil(init.atMs + 1000);
    expect(results).toEqual(['SCH_SCHEMA_VALIDATION_FAILED']);
  });

  it('completes the pay-as-clear transaction over HTTP between signed nodes, every ACK counter-signed where the profile asks for it', async () => {
    const s = setup(profileId, payAsClearTransaction);
    let now = 0;
    const clock = (): number => now;
    const got: string[] = [];
    const endpointPath = (a: string): string => s.profile.endpointPath(s.profile.actionOf(a) ?? (a as never));
    const node = await createHttpNode({
      endpoints: new Map(s.ids.map((id) => [id, (m: AcceptedMessage) => void got.push(`${id}:${m.context.action}`)] as const)),
      registry: indexRegistry(s.registry),
      validator: s.validator,
      contextReader: s.contextReader,
      ackBuilder: s.ackBuilder,
      keys: s.keys,
      clock,
      pathPrefix: profileId === 'deg-order-draft' ? '/beckn' : '',
    });
    const client = createHttpClient({ keys: s.keys, validator: s.validator, contextReader: s.contextReader, ackBuilder: s.ackBuilder, clock, endpointPath, receiptRegistry: indexRegistry(s.registry) });
    try {
      for (const r of s.routed) {
        now = r.atMs;
        const res = await client.send({ uri: node.uriOf(r.to), fromId: r.from, wire: r.wire });
        expect(res.status, JSON.stringify(res)).toBe('ACK');
        expect(validateAck(res.body, profileId)).toEqual([]);
      }
      await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(s.routed.map((r) => `${r.to}:${r.action}`));
    } finally {
      client.close();
      await node.close();
    }
  });
});
