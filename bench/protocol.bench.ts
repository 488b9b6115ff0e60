/**
 * Protocol benchmark.
 *
 * 1. In-process bus: messages per second through build → validate → sign → deliver → verify →
 *    validate for a pay-as-clear `init` from 100 BAPs to one MCA, end to end through
 *    `bus.send` / `bus.runUntil`, and the share of each step measured on the same messages step
 *    by step. Messages are built by the Beckn 2.0.0 profile from the reference transaction's `init`
 *    and validated against its schemas (ajv, compiled once). Verify = JSON parse, header parse, registry lookup, BLAKE2b-512 digest, ed25519
 *    verification, window, caller and replay checks).
 * 2. One HTTP node on loopback: sustained requests per second and p50 / p99 latency of a signed,
 *    validated `init`, sent by a client in the same process over 32 keep-alive connections; the
 *    node verifies, validates and answers with a counter-signed ACK (Beckn 2.0 receipt). For
 *    scale, a Go Beckn node reports a median of ~131 µs and a peak of ~19,000 requests/s with
 *    in-process mocks. Client and server share this process (and the machine's cores).
 *
 * Run: npx tsx bench/protocol.bench.ts [--quick]   (--quick: 1,000 messages instead of 20,000)
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { EventQueue } from '../src/kernel/event-queue.js';
import { isoOf, parseIsoMs } from '../src/kernel/clock.js';
import { ackBuilder } from '../src/protocol/ack.js';
import { getProfile } from '../src/protocol/profiles/index.js';
import { payAsClearTransaction } from '../src/protocol/profiles/test-support/transactions.js';
import { contextReaderOf, createReplayCache, receive, type MessageValidator } from '../src/protocol/receiver.js';
import { validateMessage, warmUpValidators } from '../src/protocol/validate.js';
import { generateRegistry, indexRegistry } from '../src/protocol/registry.js';
import { signedHeaders, type SigningKey } from '../src/protocol/signing.js';
import { createBus } from '../src/protocol/transport/bus.js';
import { createHttpClient } from '../src/protocol/transport/http/client.js';
import { createHttpNode } from '../src/protocol/transport/http/server.js';
import { uuidOf } from '../src/protocol/transport/http/test-support/fixtures.js';

const quick = process.argv.includes('--quick');
const N = quick ? 1_000 : 20_000;
/** Messages timed step by step (the per-step shares converge long before N). */
const N_STEPS = quick ? 1_000 : 5_000;
const WARMUP = quick ? 200 : 1_000;
const CONCURRENCY = 32;
const BAPS = 100;
const T0 = parseIsoMs('2026-06-21T10:00:00Z');

const gen = generateRegistry(2026, [
  ...Array.from({ length: BAPS }, (_, i) => ({ subscriberId: `bap.prosumer-${i}`, role: 'BAP' as const, uri: `http://127.0.0.1/bap-${i}` })),
  { subscriberId: 'bpp.mca', role: 'BPP', uri: 'http://127.0.0.1/mca' },
]);
if (!gen.ok) throw new Error('registry generation failed');
const { registry, keys } = gen.value;
const index = indexRegistry(registry);

/** The participant's `init` of the pay-as-clear reference transaction, built by the Beckn 2.0.0 profile. */
const initStep = payAsClearTransaction().find((st) => st.action === 'init');
if (initStep === undefined || initStep.action !== 'init') throw new Error('no init in the reference transaction');
const beckn = getProfile('beckn-2.0.0');
const build = (i: number, atMs: number): Record<string, unknown> =>
  beckn.build('init', { ...initStep.context, bapId: `bap.prosumer-${i % BAPS}`, bapUri: `http://127.0.0.1/bap-${i % BAPS}`, bppId: 'bpp.mca', bppUri: 'http://127.0.0.1/mca', messageId: uuidOf(i), transactionId: uuidOf(i, 1), timestamp: isoOf(atMs) }, initStep.payload) as unknown as Record<string, unknown>;
warmUpValidators();
const validator: MessageValidator = (w) => validateMessage(w, 'beckn-2.0.0');
const profile = { validator, contextReader: contextReaderOf((w) => beckn.contextOf(w)), ackBuilder: ackBuilder({ profile: 'beckn-2.0.0' }) };

const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const pad = (s: string, w: number): string => s.padStart(w);

async function busEndToEnd(count: number, offset: number): Promise<{ seconds: number; cpuSeconds: number; delivered: number; bytes: number }> {
  let delivered = 0;
  const bus = createBus({ registry: index, keys, ...profile });
  for (let b = 0; b < BAPS; b++) bus.register(`bap.prosumer-${b}`, () => undefined);
  bus.register('bpp.mca', () => {
    delivered++;
  });
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < count; i++) {
    const atMs = T0 + i;
    const r = bus.send({ fromId: `bap.prosumer-${i % BAPS}`, toId: 'bpp.mca', wire: build(offset + i, atMs), atMs });
    if (r.status !== 'scheduled') throw new Error(`send refused: ${JSON.stringify(r)}`);
    if (i % 1000 === 999) await bus.runUntil(atMs);
  }
  await bus.runUntil(T0 + count + 1);
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const bytes = JSON.stringify(build(0, T0)).length;
  if (delivered !== count) throw new Error(`delivered ${delivered} of ${count}`);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, delivered, bytes };
}

function busSteps(count: number, offset: number): Record<string, number> {
  const acc = { build: 0, 'validate (out)': 0, 'serialise + sign': 0, deliver: 0, verify: 0, 'validate (in)': 0 };
  const replay = createReplayCache();
  const queue = new EventQueue<{ headers: Readonly<Record<string, string>>; body: string }>();
  let inValidateMs = 0;
  const timedValidator: MessageValidator = (w) => {
    const t = performance.now();
    const r = validator(w);
    inValidateMs += performance.now() - t;
    return r;
  };
  for (let i = 0; i < count; i++) {
    const atMs = T0 + i;
    let t = performance.now();
    const wire = build(offset + i, atMs);
    acc.build += performance.now() - t;
    t = performance.now();
    if (validator(wire).length > 0) throw new Error('invalid message');
    acc['validate (out)'] += performance.now() - t;
    t = performance.now();
    const body = JSON.stringify(wire);
    const createdSec = Math.floor(atMs / 1000);
    const headers = signedHeaders(body, keys.get(`bap.prosumer-${i % BAPS}`) as SigningKey, createdSec, createdSec + 30);
    acc['serialise + sign'] += performance.now() - t;
    t = performance.now();
    queue.push(atMs, { headers, body });
    const ev = queue.pop();
    acc.deliver += performance.now() - t;
    if (ev === undefined) throw new Error('queue');
    inValidateMs = 0;
    t = performance.now();
    const out = receive({ headers: ev.payload.headers, body: ev.payload.body, nowSec: createdSec, recipientId: 'bpp.mca' }, { registry: index, replayCache: replay, ...profile, validator: timedValidator });
    const total = performance.now() - t;
    if (out.accepted === null) throw new Error(`refused: ${JSON.stringify(out.response)}`);
    acc.verify += total - inValidateMs;
    acc['validate (in)'] += inValidateMs;
  }
  return acc;
}

async function httpNode(count: number, sequential: number): Promise<{ seconds: number; cpuSeconds: number; latenciesUs: Float64Array; sequentialUs: Float64Array; refused: number }> {
  const node = await createHttpNode({ endpoints: new Map([['bpp.mca', () => undefined]]), registry: index, keys, ...profile, limits: { ratePerSec: 1e9, burst: 1e9 } });
  const client = createHttpClient({ keys, ...profile, maxSockets: CONCURRENCY });
  const send = async (i: number): Promise<number> => {
    const wire = build(i, Date.now());
    const t = performance.now();
    const r = await client.send({ uri: node.url, fromId: `bap.prosumer-${i % BAPS}`, wire });
    const us = (performance.now() - t) * 1000;
    if (r.status !== 'ACK') throw new Error(`refused: ${JSON.stringify(r)}`);
    return us;
  };
  for (let i = 0; i < WARMUP; i += CONCURRENCY) await Promise.all(Array.from({ length: CONCURRENCY }, (_, k) => send(10_000_000 + i + k)));
  const sequentialUs = new Float64Array(sequential);
  for (let i = 0; i < sequential; i++) sequentialUs[i] = await send(20_000_000 + i);
  const latenciesUs = new Float64Array(count);
  let next = 0;
  const cpu = process.cpuUsage();
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        latenciesUs[i] = await send(i);
      }
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const refused = node.stats.nacked;
  client.close();
  await node.close();
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, latenciesUs, sequentialUs, refused };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

process.stdout.write(`protocol benchmark (${quick ? 'quick' : 'full'}): ${fmt(N)} signed init messages, ${BAPS} BAPs → 1 BPP, Beckn 2.0.0 profile and schemas (ajv)\n\n`);

await busEndToEnd(WARMUP, 5_000_000);
busSteps(WARMUP, 6_000_000);
const e2e = await busEndToEnd(N, 0);
const steps = busSteps(N_STEPS, 1_000_000);
const stepTotal = Object.values(steps).reduce((a, b) => a + b, 0);
process.stdout.write('1. in-process bus\n');
process.stdout.write(`   end to end: ${fmt(N)} messages of ${fmt(e2e.bytes)} B in ${fmt(e2e.seconds, 2)} s = ${fmt(N / e2e.seconds)} messages/s (${fmt((e2e.seconds * 1e6) / N, 1)} µs wall, ${fmt((e2e.cpuSeconds * 1e6) / N, 1)} µs CPU each)\n\n`);
process.stdout.write(`   step by step over ${fmt(N_STEPS)} messages:\n   ${'step'.padEnd(18)}${pad('µs/message', 12)}${pad('share', 9)}\n`);
for (const [name, ms] of Object.entries(steps)) {
  process.stdout.write(`   ${name.padEnd(18)}${pad(fmt((ms * 1000) / N_STEPS, 1), 12)}${pad(`${fmt((100 * ms) / stepTotal, 1)} %`, 9)}\n`);
}
process.stdout.write(`   ${'sum of steps'.padEnd(18)}${pad(fmt((stepTotal * 1000) / N_STEPS, 1), 12)}${pad('100.0 %', 9)}  → ${fmt(N_STEPS / (stepTotal / 1000))} messages/s\n\n`);

const SEQUENTIAL = quick ? 200 : 2_000;
const http = await httpNode(N, SEQUENTIAL);
const sorted = Float64Array.from(http.latenciesUs).sort();
const seq = Float64Array.from(http.sequentialUs).sort();
process.stdout.write(`2. one HTTP node on loopback (client in the same process, keep-alive)\n`);
process.stdout.write(`   ${CONCURRENCY} concurrent: ${fmt(N)} signed, validated inits in ${fmt(http.seconds, 2)} s = ${fmt(N / http.seconds)} requests/s sustained (${fmt((http.cpuSeconds * 1e6) / N)} µs CPU per request, client + node), ${http.refused} refused\n`);
process.stdout.write(`     latency (send → ACK, incl. signing): p50 ${fmt(percentile(sorted, 0.5))} µs, p99 ${fmt(percentile(sorted, 0.99))} µs, max ${fmt(sorted[sorted.length - 1] ?? 0)} µs\n`);
process.stdout.write(`   one at a time (${fmt(SEQUENTIAL)} requests): p50 ${fmt(percentile(seq, 0.5))} µs, p99 ${fmt(percentile(seq, 0.99))} µs\n`);
process.stdout.write('   for scale: a Go Beckn node reports a median of ~131 µs and a peak of ~19,000 requests/s with in-process mocks\n');
process.stdout.write(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${availableParallelism()} cores (shared machines inflate wall times; CPU µs are steadier)\n`);
