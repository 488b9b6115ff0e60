import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRegistry, serializeRegistry } from '../protocol/registry.js';
import { digestOf, parseAuthorization, verifySignature } from '../protocol/signing.js';
import { loadScenarioFile } from '../scenario/loader.js';
import type { Scenario } from '../scenario/types.js';
import { CONTROL_PATHS, OUTBOX_HEADER, runDigests, type AttachResponse, type NodeEffect } from './remote.js';
import { assembleRun, startNode, type SimNode } from './serve.js';
import { simulate } from './simulate.js';

const scenarioPath = join(import.meta.dirname, '..', '..', 'test', 'network', 'mini.yaml');
function load(overrides: readonly string[] = []): Scenario {
  const r = loadScenarioFile(scenarioPath, { overrides });
  if (!r.ok) throw new Error(r.errors.map((d) => d.message).join('; '));
  return r.value;
}

describe('a node builds the run as simulate does', () => {
  it('same registry bytes, same agents with the same meters', async () => {
    const scenario = load(['horizonHours=0.25']);
    const sim = await simulate(scenario);
    expect(sim.ok).toBe(true);
    if (!sim.ok) return;
    const asm = assembleRun(scenario);
    expect(asm.ok).toBe(true);
    if (!asm.ok) return;
    expect(serializeRegistry(asm.value.registry)).toBe(serializeRegistry(sim.value.registry));
    expect(asm.value.agentIds).toEqual(sim.value.agents.map((a) => a.id));
    const node = await startNode({ scenario, agentIds: asm.value.agentIds });
    if (!node.ok) throw new Error('node');
    try {
      const r = await fetch(`${node.value.url}${CONTROL_PATHS.attach}`, { method: 'POST', body: JSON.stringify({ callbackUrl: 'http://127.0.0.1:9', ...runDigests(scenario, sim.value.registry), agents: [] }) });
      expect(r.status).toBe(200);
      const attached = (await r.json()) as AttachResponse;
      expect(attached.agents.map((a) => [a.id, a.kind, a.meterIds])).toEqual(sim.value.agents.map((a) => [a.id, a.kind, a.meterIds]));
    } finally {
      await node.value.close();
    }
  }, 30_000);
});

describe('starting a node', () => {
  it('reports every problem at once', async () => {
    const scenario = load();
    const r = await startNode({ scenario, agentIds: ['mca', 'nobody', 'ghost'], host: '0.0.0.0' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((d) => d.code)).toEqual(['serve.unknown-agent', 'serve.unknown-agent', 'serve.token']);
    const short = await startNode({ scenario, agentIds: [], controlToken: 'short' });
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.errors.map((d) => [d.code, d.path])).toEqual([['serve.agents', 'agent'], ['serve.token', 'control-token']]);
    const asm = assembleRun(scenario);
    if (!asm.ok) throw new Error('assemble');
    const other = assembleRun(load(['seed=99']));
    if (!other.ok) throw new Error('assemble');
    const wrongKeys = await startNode({ scenario, agentIds: ['mca'], registry: other.value.registry });
    expect(wrongKeys.ok).toBe(false);
    if (!wrongKeys.ok) expect(wrongKeys.errors).toEqual([expect.objectContaining({ code: 'serve.registry', message: expect.stringContaining('mca') })]);
  });
});

describe('the control calls of a node', () => {
  const scenario = load();
  let node: SimNode;
  let callbacks: Server;
  let callbackUrl: string;
  const got: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const control = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; outbox: string | null }> => {
    const r = await fetch(`${node.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: r.status, json: (await r.json()) as Record<string, unknown>, outbox: r.headers.get(OUTBOX_HEADER) };
  };

  beforeAll(async () => {
    callbacks = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ACK"}');
      });
    });
    await new Promise<void>((r) => callbacks.listen(0, '127.0.0.1', () => r()));
    callbackUrl = `http://127.0.0.1:${(callbacks.address() as { port: number }).port}`;
    const r = await startNode({ scenario, agentIds: ['mca', 'utility'] });
    if (!r.ok) throw new Error(r.errors.map((d) => d.message).join('; '));
    node = r.value;
  });
  afterAll(async () => {
    await node.close();
    callbacks.closeAllConnections();
    await new Promise<void>((r) => callbacks.close(() => r()));
  });

  it('refuse to run before a driver is attached, and an attach for another run or agent', async () => {
    const asm = assembleRun(scenario);
    if (!asm.ok) throw new Error('assemble');
    const digests = runDigests(scenario, asm.value.registry);
    expect(await control(CONTROL_PATHS.phase, { agentId: 'mca', interval: 0, phase: 'bid', nowMs: asm.value.firstPhaseMs })).toMatchObject({ status: 409, json: { error: expect.stringMatching(/no driver is attached/) } });
    expect(await control(CONTROL_PATHS.attach, { callbackUrl, ...digests, registryDigest: 'f'.repeat(64), agents: ['mca'] })).toMatchObject({ status: 409, json: { error: expect.stringMatching(/another scenario or seed/) } });
    expect(await control(CONTROL_PATHS.attach, { callbackUrl, ...digests, agents: ['prosumer-1'] })).toMatchObject({ status: 409, json: { error: expect.stringMatching(/does not serve prosumer-1/) } });
    expect(await control(CONTROL_PATHS.attach, { callbackUrl: 'file:///etc/passwd', ...digests, agents: [] })).toMatchObject({ status: 400 });
    expect(await control(CONTROL_PATHS.attach, '{"callbackUrl":')).toMatchObject({ status: 400, json: { error: 'control body is not JSON' } });
    expect(await control(CONTROL_PATHS.attach, { callbackUrl })).toMatchObject({ status: 400, json: { error: expect.stringMatching(/scenarioDigest is missing/) } });
    expect(await control('/_sim/reboot', {})).toMatchObject({ status: 404 });
    expect((await fetch(`${node.url}${CONTROL_PATHS.phase}`)).status).toBe(405);
    expect(node.status().attached).toBe(false);
  });

  it('run a phase at the driver’s time and answer its effects: the MCA asks the utility for the grid, signed, POSTed to the driver', async () => {
    const asm = assembleRun(scenario);
    if (!asm.ok) throw new Error('assemble');
    const attach = await control(CONTROL_PATHS.attach, { callbackUrl, ...runDigests(scenario, asm.value.registry), agents: ['mca', 'utility'] });
    expect(attach.status).toBe(200);
    expect((attach.json['agents'] as { id: string }[]).map((a) => a.id)).toEqual(['mca', 'utility']);
    const at = asm.value.firstPhaseMs;
    const r = await control(CONTROL_PATHS.phase, { agentId: 'mca', interval: 0, phase: 'bid', nowMs: at });
    expect(r.status).toBe(200);
    const effects = r.json['effects'] as NodeEffect[];
    const sends = effects.filter((e): e is Extract<NodeEffect, { kind: 'send' }> => e.kind === 'send');
    expect(r.outbox).toBe(String(sends.length));
    expect(sends.map((e) => [e.from, e.to, e.action, e.atMs, e.delivered])).toEqual([['mca', 'utility', 'discover', at, true]]);
    expect(sends[0]?.transaction?.key).toBe('txn-setup-mca-grid');
    // The message reached the driver's callback endpoint, signed by the MCA at the simulated time.
    expect(got.map((g) => g.url)).toEqual(['/utility/discover']);
    const m = got[0] as (typeof got)[number];
    const auth = parseAuthorization(String(m.headers.authorization));
    if (!auth.ok) throw new Error('authorization');
    expect(auth.value).toMatchObject({ subscriberId: 'mca', createdSec: Math.floor(at / 1000), expiresSec: Math.floor(at / 1000) + scenario.protocol.ttlSeconds });
    const found = indexRegistry(asm.value.registry).lookup('mca', auth.value.uniqueKeyId);
    if (found.kind !== 'found') throw new Error('key');
    expect(verifySignature({ digest: digestOf(m.body), auth: auth.value, publicKey: found.publicKey })).toBe('valid');
    expect(node.status()).toMatchObject({ attached: true, nowMs: at, activity: { sent: 1 } });
    // Time only moves forward, and the effects of a delivery nobody made are not waited for.
    expect(await control(CONTROL_PATHS.phase, { agentId: 'mca', interval: 0, phase: 'exchange', nowMs: at - 1 })).toMatchObject({ status: 409, json: { error: expect.stringMatching(/cannot go back/) } });
    expect(await control(CONTROL_PATHS.effects, { to: 'mca', from: 'prosumer-1', action: 'init', messageId: 'nope' })).toMatchObject({ status: 404 });
    expect(await control(CONTROL_PATHS.phase, { agentId: 'battery', interval: 0, phase: 'bid', nowMs: at })).toMatchObject({ status: 409, json: { error: 'this node does not serve battery' } });
    expect(await control(CONTROL_PATHS.detach, {})).toMatchObject({ status: 200 });
    expect(node.status().attached).toBe(false);
  });
});
