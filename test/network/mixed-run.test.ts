import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/loader.js';
import type { Scenario } from '../../src/scenario/types.js';
import { runScenario } from '../../src/run/run.js';
import { startNode, type SimNode } from '../../src/run/serve.js';
import { simulate } from '../../src/run/simulate.js';

/**
 * Mixed runs over loopback: agents served by `degsim serve` nodes (started in this process on
 * free ports) and driven by a run give exactly the reports of the all-in-process run.
 */

const scenarioPath = join(import.meta.dirname, 'mini.yaml');

function load(overrides: readonly string[] = []): Scenario {
  const r = loadScenarioFile(scenarioPath, { overrides });
  if (!r.ok) throw new Error(r.errors.map((d) => d.message).join('; '));
  return r.value;
}

async function serve(scenario: Scenario, agentIds: readonly string[]): Promise<SimNode> {
  const r = await startNode({ scenario, agentIds });
  if (!r.ok) throw new Error(r.errors.map((d) => d.message).join('; '));
  return r.value;
}

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f), `${prefix}${f}/`) : [`${prefix}${f}`]));
}

describe('a mixed run (agents on degsim serve nodes, the rest in-process)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'degsim-mixed-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('with the MCA and the battery on one node and the utility on another, writes byte-identical reports', async () => {
    const scenario = load();
    const a = await serve(scenario, ['mca', 'battery']);
    const b = await serve(scenario, ['utility']);
    try {
      const local = await runScenario({ scenarioPath, outDir: join(tmp, 'local') });
      const mixed = await runScenario({ scenarioPath, outDir: join(tmp, 'mixed'), remote: { nodes: new Map([['mca', a.url], ['battery', a.url], ['utility', b.url]]) } });
      expect(local.ok, JSON.stringify(local.ok ? '' : local.errors)).toBe(true);
      expect(mixed.ok, JSON.stringify(mixed.ok ? '' : mixed.errors)).toBe(true);
      const names = files(join(tmp, 'local'));
      expect(files(join(tmp, 'mixed'))).toEqual(names);
      expect(names).toEqual(expect.arrayContaining(['clearing.csv', 'dispatch.csv', 'flows.csv', 'settlement.csv', 'messages.ndjson', 'acks.ndjson', 'wire.ndjson', 'summary.json']));
      for (const f of names) expect(readFileSync(join(tmp, 'mixed', f)).equals(readFileSync(join(tmp, 'local', f))), f).toBe(true);

      // The nodes did the work: the market cleared, contracts formed and the battery reported its meter there.
      const sa = a.status();
      const sb = b.status();
      expect(sa.activity.records.clearing).toBe(scenario.horizonHours * 4);
      expect(sa.activity.records.contractActive).toBeGreaterThan(0);
      expect(sa.activity.sent).toBeGreaterThan(0);
      expect(sb.activity.handled).toBeGreaterThan(0);
      expect([...sa.activity.defects, ...sb.activity.defects]).toEqual([]);
      // Every message to a remote agent went through its node's HTTP endpoint and was ACKed there.
      const acks = readFileSync(join(tmp, 'mixed', 'acks.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { to: string; ack: string });
      const toA = acks.filter((x) => x.to === 'mca' || x.to === 'battery').length;
      expect(sa.http.acked).toBe(toA);
      expect(sb.http.acked).toBe(acks.filter((x) => x.to === 'utility').length);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);

  it('over a lossy, duplicating, reordering link (refusals, losses and timeouts told to remote senders), writes byte-identical reports', async () => {
    const overrides = ['protocol.link.lossProbability=0.05', 'protocol.link.duplicateProbability=0.05', 'protocol.link.jitterMs=30', 'protocol.link.reorderProbability=0.1'];
    const node = await serve(load(overrides), ['battery', 'mca', 'utility']);
    try {
      const local = await runScenario({ scenarioPath, overrides, outDir: join(tmp, 'lossy-local') });
      const mixed = await runScenario({ scenarioPath, overrides, outDir: join(tmp, 'lossy-mixed'), remote: { nodes: new Map(['battery', 'mca', 'utility'].map((id) => [id, node.url])) } });
      expect(local.ok && mixed.ok).toBe(true);
      const acks = readFileSync(join(tmp, 'lossy-local', 'acks.ndjson'), 'utf8');
      // The link did its damage, to and from the remote agents.
      expect(acks).toMatch(/"from":"(mca|utility|battery)"[^\n]*"ack":"LOST"/);
      expect(acks).toMatch(/"ack":"NACK"[^\n]*AUT_REPLAY_DETECTED/);
      expect(acks).toMatch(/NET_ACK_TIMEOUT/);
      for (const f of files(join(tmp, 'lossy-local'))) expect(readFileSync(join(tmp, 'lossy-mixed', f)).equals(readFileSync(join(tmp, 'lossy-local', f))), f).toBe(true);
    } finally {
      await node.close();
    }
  }, 60_000);

  it('refuses to start when a node loaded another seed, naming the node', async () => {
    const other = await serve(load(['seed=12']), ['utility']);
    try {
      const r = await simulate(load(), undefined, { remote: { nodes: new Map([['utility', other.url]]) } });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors).toEqual([expect.objectContaining({ code: 'remote.attach', message: expect.stringMatching(new RegExp(`${other.url}.*another scenario or seed`)) })]);
      const bad = await simulate(load(), undefined, { remote: { nodes: new Map([['nobody', other.url], ['mca', 'ftp://x']]) } });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.errors.map((d) => d.code).sort()).toEqual(['remote.unknown-agent', 'remote.url']);
    } finally {
      await other.close();
    }
  }, 30_000);

  it('a node that stops answering is a timeout NACK in the trace, then unreachable, and the run still completes', async () => {
    const scenario = load(['protocol.ttlSeconds=1']);
    const node = await serve(scenario, ['battery']);
    const proxy = await blackholeProxy(node.port);
    try {
      const r = await simulate(scenario, (done) => {
        if (done === 2) proxy.blackhole();
      }, { remote: { nodes: new Map([['battery', proxy.url]]) } });
      expect(r.ok, JSON.stringify(r.ok ? '' : r.errors)).toBe(true);
      if (!r.ok) return;
      const nacks = r.value.trace.ackLines.map((l) => JSON.parse(l) as { to: string; ack: string; error?: { code: string } }).filter((x) => x.ack === 'NACK');
      expect(nacks.length).toBeGreaterThan(0);
      expect(nacks.every((x) => x.to === 'battery')).toBe(true);
      const codes = nacks.map((x) => x.error?.code);
      // At most one wait of a ttl: the first silent answer times out, every later message is refused at once.
      expect(codes.filter((c) => c === 'NET_TIMEOUT').length).toBeLessThanOrEqual(1);
      expect(codes.every((c) => c === 'NET_TIMEOUT' || c === 'NET_DOWNSTREAM_UNAVAILABLE')).toBe(true);
      expect(r.value.recorder.notes.some((n) => n.text.includes(proxy.url) && n.text.includes('stopped answering'))).toBe(true);
      // The battery was heard from for the first two intervals only.
      const rows = r.value.recorder.dispatchTable().filter((d) => d.participant === 'battery');
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      proxy.close();
      await node.close();
    }
  }, 60_000);
});

/** A TCP proxy to a local port that, once told, stops passing bytes either way (a hung node). */
async function blackholeProxy(port: number): Promise<{ url: string; blackhole(): void; close(): void }> {
  let silent = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = createConnection({ port, host: '127.0.0.1' });
    sockets.add(upstream);
    client.on('data', (d) => {
      if (!silent) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!silent) client.write(d);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!silent) client.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const p = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${p}`,
    blackhole: () => {
      silent = true;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
