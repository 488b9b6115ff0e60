import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoOf } from '../../src/kernel/clock.js';
import { ackBuilder } from '../../src/protocol/ack.js';
import { uuidForName } from '../../src/protocol/context.js';
import { getProfile } from '../../src/protocol/profiles/index.js';
import { contextReaderOf, type AcceptedMessage, type AckOrNack } from '../../src/protocol/receiver.js';
import { indexRegistry, type SubscriberRegistry } from '../../src/protocol/registry.js';
import { signedHeaders, signingKey, type SigningKey } from '../../src/protocol/signing.js';
import { actionUrl, createHttpClient, type HttpClient } from '../../src/protocol/transport/http/client.js';
import { createHttpNode, type HttpNode } from '../../src/protocol/transport/http/server.js';
import { validateMessage } from '../../src/protocol/validate.js';
import { CONTROL_TOKEN_HEADER, SIM_TIME_HEADER } from '../../src/run/remote.js';
import { assembleRun, startNode, type NodeActivity, type SimNode } from '../../src/run/serve.js';
import { simulate } from '../../src/run/simulate.js';
import { loadScenarioFile } from '../../src/scenario/loader.js';

/**
 * The security suite over HTTP on loopback, against the market clearing agent served by a
 * `degsim serve` node (real agent, real profile schemas, the scenario's seeded registry with one
 * participant's key revoked). Every attack is refused with its Beckn error code, the node keeps
 * serving (a valid bid right after is ACKed and handled), and a refused message leaves the agent's
 * recorder untouched: no contract, no ledger input, no metric, no note, no message sent.
 */

const TOKEN = 'suite-control-token';
const loaded = loadScenarioFile(join(import.meta.dirname, 'mini.yaml'), {});
if (!loaded.ok) throw new Error('scenario');
const scenario = loaded.value;
const asm = assembleRun(scenario);
if (!asm.ok) throw new Error('assemble');
const { keys, firstPhaseMs } = asm.value;
const key = (id: string): SigningKey => keys.get(id) as SigningKey;
const NOW_SEC = Math.floor(firstPhaseMs / 1000);
const profile = getProfile(scenario.protocol.profile);
const pipeline = { validator: (w: unknown) => validateMessage(w, scenario.protocol.profile), contextReader: contextReaderOf((w) => profile.contextOf(w)), ackBuilder: ackBuilder({ profile: scenario.protocol.profile }) };

type Wire = { context: Record<string, unknown>; message: Record<string, unknown> };
type Post = { headers: Record<string, string>; body: string };

const total = (a: NodeActivity): number => Object.values(a.records).reduce((x, y) => x + y, 0) + a.sent + a.handled;

describe('security suite: a served market clearing agent over HTTP', () => {
  let node: SimNode;
  let callbacks: HttpNode;
  let client: HttpClient;
  const received: AcceptedMessage[] = [];
  let bid: Wire;
  let n = 0;

  beforeAll(async () => {
    // A real bid: prosumer-1's init for the first interval, from a one-interval in-process run.
    const sim = await simulate({ ...scenario, horizonHours: 0.25 });
    if (!sim.ok) throw new Error(sim.errors.map((d) => d.message).join('; '));
    const line = sim.value.trace.messageLines.find((l) => {
      const c = (JSON.parse(l) as Wire).context;
      return c['action'] === 'init' && c['bapId'] === 'prosumer-1' && c['bppId'] === 'mca';
    });
    if (line === undefined) throw new Error('no init from prosumer-1 in the run');
    bid = JSON.parse(line) as Wire;

    // The agents' callbacks land on a verifying node standing in for the rest of the network.
    const ids = asm.value.agentIds.filter((id) => id !== 'mca');
    callbacks = await createHttpNode({ endpoints: new Map(ids.map((id) => [id, (m: AcceptedMessage) => void received.push(m)])), registry: indexRegistry(asm.value.registry), ...pipeline, clock: () => firstPhaseMs });
    const registry: SubscriberRegistry = {
      subscribers: asm.value.registry.subscribers.map((e) => ({ ...e, uri: callbacks.uriOf(e.subscriberId), ...(e.subscriberId === 'prosumer-2' ? { status: 'REVOKED' as const } : {}) })),
    };
    const r = await startNode({ scenario, agentIds: ['mca'], registry, controlToken: TOKEN, limits: { maxBodyBytes: 64 * 1024 } });
    if (!r.ok) throw new Error(r.errors.map((d) => d.message).join('; '));
    node = r.value;
    client = createHttpClient({ keys, ...pipeline });
  }, 60_000);

  afterAll(async () => {
    client.close();
    await node.close();
    await callbacks.close();
  });

  /** The bid with a fresh message id (and any context changes), as a body string. */
  const bidBody = (ctx: Record<string, unknown> = {}): string => JSON.stringify({ ...bid, context: { ...bid.context, messageId: uuidForName(`suite/${++n}`), ...ctx } });
  const signed = (body: string, k: SigningKey, createdSec = NOW_SEC, expiresSec = NOW_SEC + 30): Post => ({ headers: { ...signedHeaders(body, k, createdSec, expiresSec) }, body });
  const post = (p: Post, action = 'init'): Promise<AckOrNack> => client.post({ url: actionUrl(node.url, action), ...p, timeoutMs: 10_000 });
  const outcome = (r: AckOrNack): [number, string] => [r.httpStatus, r.status === 'ACK' ? 'ACK' : r.refusal.code];

  async function settled(before: number): Promise<NodeActivity> {
    for (let i = 0; i < 200; i++) {
      const a = node.status().activity;
      if (total(a) > before) return a;
      await new Promise((r) => setTimeout(r, 10));
    }
    return node.status().activity;
  }

  /** A valid bid is ACKed, handed to the MCA (which records the bid) and answered on_init, signed by the MCA. */
  async function stillServes(): Promise<void> {
    const before = node.status().activity;
    const seen = received.length;
    expect(outcome(await post(signed(bidBody(), key('prosumer-1'))))).toEqual([200, 'ACK']);
    const after = await settled(total(before));
    expect(after.handled).toBe(before.handled + 1);
    expect(after.records.metric).toBeGreaterThan(before.records.metric);
    for (let i = 0; i < 200 && received.length === seen; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received.slice(seen).map((m) => [m.context.action, m.signer.subscriberId])).toEqual([['on_init', 'mca']]);
  }

  const forgedSignature = (p: Post): Post => ({ ...p, headers: { ...p.headers, authorization: (p.headers['authorization'] as string).replace(/signature="[^"]+"/, `signature="${Buffer.alloc(64, 7).toString('base64')}"`) } });
  const strangerKey = (id: string, keyId: string): SigningKey => signingKey(id, keyId, generateKeyPairSync('ed25519').privateKey);

  const attacks: { readonly name: string; readonly expect: [number, string]; readonly why?: RegExp; readonly make: () => Post; readonly action?: string }[] = [
    { name: 'forged signature', expect: [401, 'AUT_SIGNATURE_INVALID'], why: /does not verify/, make: () => forgedSignature(signed(bidBody(), key('prosumer-1'))) },
    {
      name: 'tampered body',
      expect: [401, 'AUT_SIGNATURE_INVALID'],
      why: /altered/,
      make: () => {
        const p = signed(bidBody(), key('prosumer-1'));
        return { ...p, body: p.body.replace('"PENDING"', '"ACTIVE"') };
      },
    },
    {
      name: 'tampered body, digest header dropped',
      expect: [401, 'AUT_SIGNATURE_INVALID'],
      why: /does not verify/,
      make: () => {
        const p = signed(bidBody(), key('prosumer-1'));
        const { digest: _d, ...headers } = p.headers;
        return { headers, body: p.body.replace('"PENDING"', '"ACTIVE"') };
      },
    },
    { name: 'wrong key', expect: [401, 'AUT_SIGNATURE_INVALID'], why: /does not verify/, make: () => signed(bidBody(), strangerKey('prosumer-1', key('prosumer-1').uniqueKeyId)) },
    { name: 'expired', expect: [401, 'AUT_SIGNATURE_INVALID'], why: /expired/, make: () => signed(bidBody(), key('prosumer-1'), NOW_SEC - 120, NOW_SEC - 90) },
    { name: 'created in the future', expect: [401, 'AUT_SIGNATURE_INVALID'], why: /in the future/, make: () => signed(bidBody(), key('prosumer-1'), NOW_SEC + 60, NOW_SEC + 90) },
    {
      name: 'expired, with a simulated time of its own choosing (no control token)',
      expect: [401, 'AUT_SIGNATURE_INVALID'],
      why: /expired/,
      make: () => {
        const p = signed(bidBody(), key('prosumer-1'), NOW_SEC - 120, NOW_SEC - 90);
        return { ...p, headers: { ...p.headers, [SIM_TIME_HEADER]: String((NOW_SEC - 100) * 1000), [CONTROL_TOKEN_HEADER]: 'not-the-token' } };
      },
    },
    { name: 'unknown subscriber', expect: [401, 'AUT_SUBSCRIBER_NOT_FOUND'], make: () => signed(bidBody({ bapId: 'mallory' }), strangerKey('mallory', 'k1')) },
    { name: 'unknown key of a known subscriber', expect: [401, 'AUT_KEY_NOT_FOUND'], make: () => signed(bidBody(), strangerKey('prosumer-1', 'not-a-registered-key')) },
    { name: 'revoked key', expect: [401, 'AUT_KEY_EXPIRED_OR_REVOKED'], why: /REVOKED/, make: () => signed(bidBody({ bapId: 'prosumer-2' }), key('prosumer-2')) },
    { name: 'impersonation (a BPP signing as the BAP)', expect: [401, 'AUT_UNAUTHORIZED_ACTION'], why: /signed by utility but the caller of init is bapId prosumer-1/, make: () => signed(bidBody(), key('utility')) },
    { name: 'a BPP calling as a BAP in its own name', expect: [401, 'AUT_UNAUTHORIZED_ACTION'], why: /not registered in that role/, make: () => signed(bidBody({ bapId: 'utility' }), key('utility')) },
    { name: 'missing signature', expect: [401, 'AUT_SIGNATURE_MISSING'], make: () => ({ headers: { 'content-type': 'application/json' }, body: bidBody() }) },
    { name: 'oversized body', expect: [413, 'SCH_INVALID_FORMAT'], make: () => signed(bidBody({ padding: 'x'.repeat(80 * 1024) }), key('prosumer-1')) },
    { name: 'malformed JSON', expect: [400, 'SCH_INVALID_JSON'], make: () => signed(bidBody().slice(0, -7), key('prosumer-1')) },
    {
      name: 'schema-invalid body',
      expect: [400, 'SCH_SCHEMA_VALIDATION_FAILED'],
      make: () => {
        const body = JSON.stringify({ ...bid, context: { ...bid.context, messageId: uuidForName(`suite/${++n}`) }, message: {} });
        return signed(body, key('prosumer-1'));
      },
    },
    { name: 'posted to another action', expect: [400, 'CTX_ACTION_MISMATCH'], action: 'confirm', make: () => signed(bidBody(), key('prosumer-1')) },
    { name: 'addressed to another BPP', expect: [400, 'CTX_INVALID_FIELD'], make: () => signed(bidBody({ bppId: 'utility' }), key('prosumer-1')) },
  ];

  it.each(attacks)('$name → $expect.0 $expect.1; nothing recorded, and the node keeps serving', async (a) => {
    const before = node.status().activity;
    const r = await post(a.make(), a.action);
    expect(outcome(r)).toEqual(a.expect);
    if (a.why !== undefined && r.status === 'NACK') expect(r.refusal.message).toMatch(a.why);
    await new Promise((res) => setTimeout(res, 20));
    expect(node.status().activity).toEqual(before);
    await stillServes();
  });

  it('replay: the same signed bid twice is handled once, then refused AUT_REPLAY_DETECTED', async () => {
    const p = signed(bidBody(), key('prosumer-1'));
    const before = node.status().activity;
    expect(outcome(await post(p))).toEqual([200, 'ACK']);
    const once = await settled(total(before));
    expect(once.handled).toBe(before.handled + 1);
    expect(outcome(await post(p))).toEqual([401, 'AUT_REPLAY_DETECTED']);
    await new Promise((res) => setTimeout(res, 20));
    expect(node.status().activity).toEqual(once);
    await stillServes();
  });

  it('control calls need the token; the time header without it moves nothing', async () => {
    const noToken = await fetch(`${node.url}/_sim/status`);
    expect(noToken.status).toBe(403);
    const wrong = await fetch(`${node.url}/_sim/phase`, { method: 'POST', headers: { [CONTROL_TOKEN_HEADER]: 'wrong-token-value' }, body: '{}' });
    expect(wrong.status).toBe(403);
    const ok = await fetch(`${node.url}/_sim/status`, { headers: { [CONTROL_TOKEN_HEADER]: TOKEN } });
    expect(ok.status).toBe(200);
    const s = (await ok.json()) as { nowMs: number; attached: boolean; agents: string[] };
    expect(s).toMatchObject({ nowMs: firstPhaseMs, attached: false, agents: ['mca'] });
    expect(isoOf(s.nowMs)).toBe(isoOf(firstPhaseMs));
    const health = await fetch(`${node.url}/health`);
    expect(health.status).toBe(200);
  });

  it('no refused message formed a contract or a ledger input; the node is healthy after the suite', () => {
    const s = node.status();
    expect(s.activity.records.contractActive).toBe(0);
    expect(s.activity.records.periodInputs).toBe(0);
    expect(s.activity.defects).toEqual([]);
    expect(s.http.nacked).toBe(attacks.length + 1);
    expect(s.http.acked).toBe(attacks.length + 2);
  });
});
