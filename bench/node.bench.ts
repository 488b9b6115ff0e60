/**
 * Simulation node benchmark: one `degsim serve` node on loopback serving the market clearing
 * agent of the default scenario, hit with signed pay-as-clear `init` bids (a real bid from a
 * one-interval run, each with its own message id, signed in advance). The node runs the whole
 * receive pipeline on each (JSON, registry, BLAKE2b-512 digest, ed25519 verification, window,
 * caller, schema validation with the real Beckn 2.0.0 profile, replay) and answers a
 * counter-signed ACK; the MCA then handles every bid and answers `on_init` to a sink, as it would
 * in a run. Figures: sustained requests per second with 32 keep-alive connections, latency
 * (send → ACK) percentiles under that load and one request at a time. For scale, a Go Beckn node
 * reports a median of ~131 µs and a peak of ~19,000 requests/s with in-process mocks. Client,
 * node and the MCA's callbacks share this process and the machine's cores.
 *
 * Without --quick it also times a mixed run (test/network/mini.yaml, MCA and utility on a node)
 * against the same run in-process, to show what driving agents over HTTP costs.
 *
 * Run: npx tsx bench/node.bench.ts [--quick]   (--quick: 1,000 requests, no mixed run)
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { uuidForName } from '../src/protocol/context.js';
import { ackBuilder } from '../src/protocol/ack.js';
import { getProfile } from '../src/protocol/profiles/index.js';
import { contextReaderOf, type AckOrNack } from '../src/protocol/receiver.js';
import { signedHeaders, type SigningKey } from '../src/protocol/signing.js';
import { actionUrl, createHttpClient } from '../src/protocol/transport/http/client.js';
import { validateMessage } from '../src/protocol/validate.js';
import { runScenario } from '../src/run/run.js';
import { assembleRun, startNode } from '../src/run/serve.js';
import { simulate } from '../src/run/simulate.js';
import { loadScenarioFile } from '../src/scenario/loader.js';

const quick = process.argv.includes('--quick');
const N = quick ? 1_000 : 10_000;
const WARMUP = quick ? 200 : 1_000;
const SEQUENTIAL = quick ? 200 : 1_000;
const CONCURRENCY = 32;
const root = join(import.meta.dirname, '..');

const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

const loaded = loadScenarioFile(join(root, 'scenarios', 'default.yaml'), { overrides: ['horizonHours=1', 'start=2026-06-21T09:00:00Z'] });
if (!loaded.ok) throw new Error(loaded.errors.map((d) => d.message).join('; '));
const scenario = loaded.value;
const asm = assembleRun(scenario);
if (!asm.ok) throw new Error(asm.errors.map((d) => d.message).join('; '));
const { keys, firstPhaseMs, registry } = asm.value;

// A real bid: prosumer-1's init for the first interval.
const one = await simulate({ ...scenario, horizonHours: 0.25 });
if (!one.ok) throw new Error(one.errors.map((d) => d.message).join('; '));
const bidLine = one.value.trace.messageLines.find((l) => {
  const c = (JSON.parse(l) as { context: Record<string, unknown> }).context;
  return c['action'] === 'init' && c['bapId'] === 'prosumer-1' && c['bppId'] === 'mca';
});
if (bidLine === undefined) throw new Error('no init from prosumer-1');
const bid = JSON.parse(bidLine) as { context: Record<string, unknown> };
const prosumer = keys.get('prosumer-1') as SigningKey;
const createdSec = Math.floor(firstPhaseMs / 1000);
const signedBid = (i: number): { headers: Record<string, string>; body: string } => {
  const body = JSON.stringify({ ...bid, context: { ...bid.context, messageId: uuidForName(`bench/${i}`) } });
  return { headers: { ...signedHeaders(body, prosumer, createdSec, createdSec + 30) }, body };
};

// The MCA's answers go to a sink that ACKs everything.
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ACK"}'));
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
const node = await startNode({
  scenario,
  agentIds: ['mca'],
  registry: { subscribers: registry.subscribers.map((e) => ({ ...e, uri: `${sinkUrl}/${e.subscriberId}` })) },
  limits: { ratePerSec: 1e9, burst: 1e9 },
});
if (!node.ok) throw new Error(node.errors.map((d) => d.message).join('; '));
const profile = getProfile(scenario.protocol.profile);
const client = createHttpClient({ keys, validator: (w) => validateMessage(w, scenario.protocol.profile), contextReader: contextReaderOf((w) => profile.contextOf(w)), ackBuilder: ackBuilder(), maxSockets: CONCURRENCY });
const url = actionUrl(node.value.url, 'init');

async function load(from: number, count: number, concurrency: number): Promise<{ seconds: number; cpuSeconds: number; latenciesUs: Float64Array; refused: number }> {
  const posts = Array.from({ length: count }, (_, i) => signedBid(from + i));
  const latenciesUs = new Float64Array(count);
  let next = 0;
  let refused = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const p = posts[i] as { headers: Record<string, string>; body: string };
      const t = performance.now();
      const r: AckOrNack = await client.post({ url, ...p, timeoutMs: 30_000 });
      latenciesUs[i] = (performance.now() - t) * 1000;
      if (r.status !== 'ACK') refused++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, latenciesUs, refused };
}

/** Waits until the MCA has handled every accepted bid (its work runs after each ACK). */
async function drained(expected: number): Promise<number> {
  const t0 = performance.now();
  while (node.ok && node.value.status().activity.handled < expected) await new Promise((r) => setTimeout(r, 5));
  return (performance.now() - t0) / 1000;
}

process.stdout.write(`degsim node benchmark (${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(2)}): one node serving the MCA of scenarios/default.yaml on loopback\n`);
process.stdout.write(`  request: a signed pay-as-clear init of ${fmt(Buffer.byteLength(signedBid(0).body))} bytes; node verifies, validates (Beckn 2.0.0 schemas), counter-signs the ACK; the MCA then answers on_init\n\n`);

await load(0, WARMUP, CONCURRENCY);
await drained(WARMUP);
const loadRun = await load(WARMUP, N, CONCURRENCY);
const backlog = await drained(WARMUP + N);
const seq = await load(WARMUP + N, SEQUENTIAL, 1);
await drained(WARMUP + N + SEQUENTIAL);
const sorted = Float64Array.from(loadRun.latenciesUs).sort();
const one1 = Float64Array.from(seq.latenciesUs).sort();

const rows: [string, string][] = [
  [`sustained, ${CONCURRENCY} connections`, `${fmt(N / loadRun.seconds)} requests/s (${fmt(N)} in ${fmt(loadRun.seconds, 2)} s, ${loadRun.refused} refused)`],
  ['  latency send → ACK', `p50 ${fmt(percentile(sorted, 0.5))} µs, p99 ${fmt(percentile(sorted, 0.99))} µs, max ${fmt(sorted[sorted.length - 1] ?? 0)} µs`],
  ['  CPU per request', `${fmt((loadRun.cpuSeconds * 1e6) / N)} µs (client + node + MCA, one process)`],
  ['  MCA backlog after the last ACK', `${fmt(backlog * 1000)} ms`],
  ['one request at a time', `p50 ${fmt(percentile(one1, 0.5))} µs, p99 ${fmt(percentile(one1, 0.99))} µs (${fmt(SEQUENTIAL)} requests, ${seq.refused} refused)`],
  ['for scale: a Go Beckn node', 'median ~131 µs, peak ~19,000 requests/s (in-process mocks)'],
];
const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(w)}  ${v}\n`);
const s = node.value.status();
process.stdout.write(`\n  node counters: ${fmt(s.http.acked)} ACK, ${fmt(s.http.nacked)} NACK, ${fmt(s.activity.handled)} bids handled, ${fmt(s.activity.sent)} on_init sent, ${s.activity.defects.length} defects\n`);

client.close();
await node.value.close();
sink.close();

if (!quick) {
  const mini = join(root, 'test', 'network', 'mini.yaml');
  const tmp = mkdtempSync(join(tmpdir(), 'degsim-node-bench-'));
  try {
    const sc = loadScenarioFile(mini, {});
    if (!sc.ok) throw new Error('mini scenario');
    let t = performance.now();
    const local = await runScenario({ scenarioPath: mini, outDir: join(tmp, 'local') });
    const localS = (performance.now() - t) / 1000;
    const n2 = await startNode({ scenario: sc.value, agentIds: ['mca', 'utility'] });
    if (!n2.ok) throw new Error('node');
    t = performance.now();
    const mixed = await runScenario({ scenarioPath: mini, outDir: join(tmp, 'mixed'), remote: { nodes: new Map([['mca', n2.value.url], ['utility', n2.value.url]]) } });
    const mixedS = (performance.now() - t) / 1000;
    const st = n2.value.status();
    await n2.value.close();
    if (!local.ok || !mixed.ok) throw new Error('mixed run failed');
    process.stdout.write(`\n  mixed run of test/network/mini.yaml (8 intervals, MCA + utility on a node): ${fmt(mixedS, 2)} s vs ${fmt(localS, 2)} s in-process; ${fmt(st.http.acked)} deliveries and ${fmt(st.activity.sent)} sends over HTTP\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
