import { createHash, timingSafeEqual } from 'node:crypto';
import { Agent as HttpAgent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import { isoOf } from '../kernel/clock.js';
import type { PhaseContext } from '../kernel/phases.js';
import type { Scenario } from '../scenario/types.js';
import type { EnergyContract } from '../contracts/model.js';
import type { PeriodInputs } from '../contracts/evaluate.js';
import { ackBuilder, type AckBuilder } from '../protocol/ack.js';
import { getProfile } from '../protocol/profiles/index.js';
import { contextReaderOf, callerIdOf, nackOf, refusal, type AckOrNack, type ContextReader } from '../protocol/receiver.js';
import { serializeRegistry, type SubscriberRegistry } from '../protocol/registry.js';
import type { AckRecord, TraceSink } from '../protocol/trace.js';
import type { Bus, NackNotice as BusNack, RemoteEndpoint } from '../protocol/transport/bus.js';
import { actionUrl, createHttpClient, type HttpClient } from '../protocol/transport/http/client.js';
import type { Agent, DispatchRecord, InboundMessage, Recorder } from './agent.js';

/**
 * Mixed runs: the driver side of agents served by `degsim serve` nodes, and the small control
 * protocol both sides speak.
 *
 * A node builds the whole run from the same scenario and seed (same world, same keys) and serves
 * some agents over HTTP as real Beckn endpoints. The driver keeps the simulated clock and the bus:
 * - messages to a remote agent are POSTed, signed as the bus signed them, to the node
 *   (`POST {node}/{agentId}/{action}`), with the simulated delivery time in `x-degsim-sim-time`;
 * - once a delivery is ACKed, `POST /_sim/effects` collects what the agent did on receipt;
 * - at each phase the driver calls `POST /_sim/phase` for each remote agent in its turn (agents in
 *   id order, as in-process), and before physics `POST /_sim/actual` for their meters' powers;
 * - a refusal of a remote agent's message is told to it with `POST /_sim/nack`.
 * Every such call answers with the node's *effects* in the order the agent caused them: messages
 * it sent (POSTed by the node, signed, to the driver's callback endpoint, where the driver picks
 * them up and injects them into the bus at their simulated send time), refusals of its own sends,
 * and every call it made on its recorder (replayed on the run's recorder). Header
 * `x-degsim-outbox` counts the messages sent. The driver applies the effects before it moves on,
 * so the bus sees the same events in the same order as an all-in-process run and the reports are
 * byte-identical.
 *
 * A node that does not answer within the ttl is a NACK (timeout) in the trace and is not asked
 * again; the run completes without it and says so in its notes.
 */

/** Control paths of a simulation node. */
export const CONTROL_PATHS = {
  attach: '/_sim/attach',
  detach: '/_sim/detach',
  phase: '/_sim/phase',
  effects: '/_sim/effects',
  nack: '/_sim/nack',
  actual: '/_sim/actual',
  status: '/_sim/status',
} as const;

/** Header carrying the simulated time (ms since the epoch) at which a message is delivered. */
export const SIM_TIME_HEADER = 'x-degsim-sim-time';
/** Header carrying the shared control token, when nodes and driver are given one. */
export const CONTROL_TOKEN_HEADER = 'x-degsim-control-token';
/** Header naming the readable key of a delivered message's transaction: `<wire uuid> <key>` (see `transactionKeys` in `network.ts`). */
export const TRANSACTION_KEY_HEADER = 'x-degsim-transaction-key';
/** Header of a control answer: how many messages the call caused the node to send. */
export const OUTBOX_HEADER = 'x-degsim-outbox';

/** Largest control request or answer body, bytes (a settle phase may carry many settlement reports). */
export const MAX_CONTROL_BYTES = 32 << 20;

// --- values across processes -----------------------------------------------------------------

/**
 * Encodes a value for JSON so that it decodes to an equal value: plain JSON loses NaN, ±Infinity,
 * −0, undefined, bigint, typed arrays, Maps and Sets, which recorded report data may hold (a
 * dispatch row of a failed deal has a NaN price). Tagged objects carry a single `$`-key; a plain
 * object with a `$`-key of its own is wrapped. Throws TypeError on functions and symbols.
 */
export function encodeValue(v: unknown): unknown {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $num: 'NaN' };
    if (v === Number.POSITIVE_INFINITY) return { $num: 'Infinity' };
    if (v === Number.NEGATIVE_INFINITY) return { $num: '-Infinity' };
    if (Object.is(v, -0)) return { $num: '-0' };
    return v;
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v === undefined) return { $undef: true };
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'function' || typeof v === 'symbol') throw new TypeError(`cannot send a ${typeof v} to another process`);
  if (Array.isArray(v)) return v.map(encodeValue);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const name = v.constructor.name;
    if (!TYPED_ARRAYS.has(name)) throw new TypeError(`cannot send a ${name} to another process`);
    return { $typed: name, values: Array.from(v as unknown as ArrayLike<number | bigint>, encodeValue) };
  }
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [encodeValue(k), encodeValue(x)]) };
  if (v instanceof Set) return { $set: [...v.values()].map(encodeValue) };
  if (v instanceof Date) return { $date: v.getTime() };
  let tagged = false;
  const o = ownObject(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => {
      if (k.startsWith('$')) tagged = true;
      return [k, encodeValue(x)] as const;
    }),
  );
  return tagged ? { $obj: o } : o;
}

const TYPED_ARRAYS = new Map<string, (values: readonly unknown[]) => unknown>([
  ['Float64Array', (x) => Float64Array.from(x as number[])],
  ['Float32Array', (x) => Float32Array.from(x as number[])],
  ['Int32Array', (x) => Int32Array.from(x as number[])],
  ['Uint32Array', (x) => Uint32Array.from(x as number[])],
  ['Int16Array', (x) => Int16Array.from(x as number[])],
  ['Uint16Array', (x) => Uint16Array.from(x as number[])],
  ['Int8Array', (x) => Int8Array.from(x as number[])],
  ['Uint8Array', (x) => Uint8Array.from(x as number[])],
  ['Uint8ClampedArray', (x) => Uint8ClampedArray.from(x as number[])],
  ['BigInt64Array', (x) => BigInt64Array.from(x as bigint[])],
  ['BigUint64Array', (x) => BigUint64Array.from(x as bigint[])],
]);

const NUMS: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY, '-0': -0 };

/** Decodes what {@link encodeValue} produced (after a JSON round trip). Throws TypeError on a malformed tag. */
export function decodeValue(j: unknown): unknown {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map(decodeValue);
  const o = j as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 || (keys.length === 2 && keys.includes('$typed'))) {
    const k = keys.includes('$typed') ? '$typed' : (keys[0] as string);
    const x = o[k];
    switch (k) {
      case '$num': {
        const n = typeof x === 'string' ? NUMS[x] : undefined;
        if (n === undefined) throw new TypeError(`bad $num ${String(x)}`);
        return n;
      }
      case '$undef':
        return undefined;
      case '$bigint':
        if (typeof x !== 'string' || !/^-?\d+$/.test(x)) throw new TypeError('bad $bigint');
        return BigInt(x);
      case '$typed': {
        const make = typeof x === 'string' ? TYPED_ARRAYS.get(x) : undefined;
        if (make === undefined || !Array.isArray(o['values'])) throw new TypeError(`bad $typed ${String(x)}`);
        return make((o['values'] as unknown[]).map(decodeValue));
      }
      case '$map':
        if (!Array.isArray(x)) throw new TypeError('bad $map');
        return new Map(
          x.map((pair) => {
            if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('bad $map entry');
            return [decodeValue(pair[0]), decodeValue(pair[1])] as const;
          }),
        );
      case '$set':
        if (!Array.isArray(x)) throw new TypeError('bad $set');
        return new Set(x.map(decodeValue));
      case '$date':
        if (typeof x !== 'number') throw new TypeError('bad $date');
        return new Date(x);
      case '$obj': {
        if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new TypeError('bad $obj');
        return decodeObject(x as Record<string, unknown>);
      }
      default:
        break;
    }
  }
  if (keys.some((k) => k.startsWith('$'))) throw new TypeError(`unknown tag in ${keys.join(', ')}`);
  return decodeObject(o);
}

function decodeObject(o: Record<string, unknown>): Record<string, unknown> {
  return ownObject(Object.entries(o).map(([k, x]) => [k, decodeValue(x)] as const));
}

/** A plain object with these own properties; a key `__proto__` stays data (as JSON.parse makes it), never the prototype. */
function ownObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  return Object.fromEntries(entries) as Record<string, unknown>;
}

// --- the control protocol --------------------------------------------------------------------

/** Recorder calls a node ships back; see `Recorder` in `agent.ts`. `settlementReports` is a query, answered by the driver in the settle phase. */
export type RecorderMethod = 'dispatch' | 'clearing' | 'contractActive' | 'contractStatus' | 'periodInputs' | 'metric' | 'note';
export const RECORDER_METHODS: readonly RecorderMethod[] = ['dispatch', 'clearing', 'contractActive', 'contractStatus', 'periodInputs', 'metric', 'note'];

/** One thing a hosted agent did during a control call, in the order it did them. */
export type NodeEffect =
  /** A message it sent; the node POSTed it to the driver's callback endpoint (`delivered`), or says why not. */
  | {
      readonly kind: 'send';
      readonly from: string;
      readonly to: string;
      readonly action: string;
      readonly messageId: string;
      readonly atMs: number;
      readonly delivered: boolean;
      readonly problem?: string;
      /** The transaction's wire UUID and the readable key the agent named it by. */
      readonly transaction?: { readonly id: string; readonly key: string };
    }
  /** One of its sends refused before it left (the sender-side ack record the bus writes). */
  | { readonly kind: 'refused'; readonly record: AckRecord }
  /** A recorder call; `args` are encoded with {@link encodeValue}. */
  | { readonly kind: 'record'; readonly method: RecorderMethod; readonly args: readonly unknown[] }
  /** Something went wrong on the node (an agent threw, a query the driver did not answer). */
  | { readonly kind: 'defect'; readonly message: string };

/** `POST /_sim/attach`: the driver introduces itself; the node starts a fresh run. */
export interface AttachRequest {
  /** Where hosted agents' messages go: the driver's callback endpoint. */
  readonly callbackUrl: string;
  readonly scenarioDigest: string;
  readonly registryDigest: string;
  /** Agents the driver delegates to this node. */
  readonly agents: readonly string[];
}

/** A hosted agent as the node built it. */
export interface HostedAgentInfo {
  readonly id: string;
  readonly kind: string;
  readonly meterIds: readonly string[];
  readonly reactive: boolean;
}

export interface AttachResponse {
  readonly agents: readonly HostedAgentInfo[];
  readonly scenarioDigest: string;
  readonly registryDigest: string;
}

/** `POST /_sim/phase`. `reports` answers the agent's `settlementReports(itself, interval)` in the settle phase. */
export interface PhaseRequest {
  readonly agentId: string;
  readonly interval: number;
  readonly phase: PhaseContext['phase'];
  readonly nowMs: number;
  /** Encoded settlement reports of the contracts this agent provides, settled in `interval`. */
  readonly reports?: unknown;
}

/** `POST /_sim/effects`: what the agent did on receipt of an ACKed delivery. */
export interface EffectsRequest {
  readonly to: string;
  readonly from: string;
  readonly action: string;
  readonly messageId: string;
}

/** `POST /_sim/nack`: a refusal, loss or timeout of one of the agent's sends; `notice` is encoded. */
export interface NackRequest {
  readonly agentId: string;
  readonly notice: unknown;
}

/** `POST /_sim/actual`: actual powers of the hosted agents' meters for an interval. */
export interface ActualRequest {
  readonly interval: number;
  readonly nowMs: number;
  readonly agents: readonly string[];
}

/** One meter's actual power, with the effects of each call, in call order. Numbers are encoded. */
export interface MeterActual {
  readonly agentId: string;
  readonly meterId: string;
  readonly pKW: unknown;
  readonly pEffects: readonly NodeEffect[];
  /** Present when the agent reports reactive power. */
  readonly qKVAr?: unknown;
  readonly qEffects?: readonly NodeEffect[];
}

export interface EffectsResponse {
  readonly effects: readonly NodeEffect[];
}

export interface ActualResponse {
  readonly meters: readonly MeterActual[];
}

/** The key of a delivered message: who signed it, its action and message id. */
export function deliveryKey(signer: string, action: string, messageId: string): string {
  return `${signer}\u0000${action}\u0000${messageId}`;
}

/**
 * What driver and node must agree on before they run together: a digest of the scenario (its
 * feeder file by name, so a node may read its copy from another folder) and of the registry the
 * seed derives.
 */
export function runDigests(scenario: Scenario, registry: SubscriberRegistry): { readonly scenarioDigest: string; readonly registryDigest: string } {
  const file = scenario.feeder.file;
  const portable = file === undefined ? scenario : { ...scenario, feeder: { ...scenario.feeder, file: basename(file) } };
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  return { scenarioDigest: sha(JSON.stringify(portable)), registryDigest: sha(serializeRegistry(registry)) };
}

/** True when `given` equals the expected token (constant time); with no token set, any caller from a loopback address. */
export function controlAllowed(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return isLoopback(req.socket.remoteAddress);
  const got = req.headers[CONTROL_TOKEN_HEADER];
  if (typeof got !== 'string') return false;
  const a = Buffer.from(got);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/** Reads a request body up to `limit` bytes; undefined when it is larger (the rest is drained). */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      if (!over) chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

/** Answers with JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** The outcome of a control call. */
export type ControlOutcome = { readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly problem: string; readonly unreachable: boolean };

/** POSTs a control call; never rejects: a timeout, a refused connection or a non-2xx answer is a value. */
export function postControl(agent: HttpAgent, url: string, body: unknown, timeoutMs: number, token: string | undefined): Promise<ControlOutcome> {
  const text = JSON.stringify(body);
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: ControlOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    let req: ReturnType<typeof request>;
    try {
      req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...(token === undefined ? {} : { [CONTROL_TOKEN_HEADER]: token }) } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_CONTROL_BYTES) chunks.push(c);
        });
        res.on('end', () => {
          if (size > MAX_CONTROL_BYTES) return done({ ok: false, problem: `answer of ${url} exceeds ${MAX_CONTROL_BYTES} bytes`, unreachable: false });
          const answer = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(answer);
          } catch {
            return done({ ok: false, problem: `unreadable answer from ${url} (HTTP ${res.statusCode ?? 0})`, unreachable: false });
          }
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const why = typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string' ? (parsed as { error: string }).error : `HTTP ${status}`;
            return done({ ok: false, problem: `${url}: ${why}`, unreachable: false });
          }
          done({ ok: true, body: parsed });
        });
        res.on('error', (e) => done({ ok: false, problem: `${url}: ${e.message}`, unreachable: true }));
      });
    } catch (e) {
      resolve({ ok: false, problem: `${url}: ${(e as Error).message}`, unreachable: true });
      return;
    }
    const timer = setTimeout(() => {
      done({ ok: false, problem: `no answer from ${url} within ${timeoutMs} ms`, unreachable: true });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => done({ ok: false, problem: `cannot reach ${url}: ${e.message}`, unreachable: true }));
    req.end(text);
  });
}

// --- effects: shape checks -------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a node's effects list, keeping the well-formed ones and describing the rest. */
export function readEffects(v: unknown): { readonly effects: NodeEffect[]; readonly problems: string[] } {
  const effects: NodeEffect[] = [];
  const problems: string[] = [];
  if (!Array.isArray(v)) return { effects, problems: ['effects is not a list'] };
  v.forEach((e, i) => {
    if (!isRecord(e)) return problems.push(`effects[${i}] is not an object`);
    const str = (k: string): boolean => typeof e[k] === 'string';
    if (e['kind'] === 'send' && str('from') && str('to') && str('action') && str('messageId') && typeof e['atMs'] === 'number' && typeof e['delivered'] === 'boolean') {
      return effects.push(e as NodeEffect);
    }
    if (e['kind'] === 'refused' && isRecord(e['record']) && typeof e['record']['messageId'] === 'string' && typeof e['record']['atMs'] === 'number') return effects.push(e as NodeEffect);
    if (e['kind'] === 'record' && RECORDER_METHODS.includes(e['method'] as RecorderMethod) && Array.isArray(e['args'])) return effects.push(e as NodeEffect);
    if (e['kind'] === 'defect' && str('message')) return effects.push(e as NodeEffect);
    return problems.push(`effects[${i}] is not a known effect`);
  });
  return { effects, problems };
}

/** Replays one recorder call on `recorder`; returns a problem when the arguments do not fit the method. */
export function replayRecord(recorder: Recorder, method: RecorderMethod, encodedArgs: readonly unknown[]): string | undefined {
  let args: unknown[];
  try {
    args = encodedArgs.map(decodeValue);
  } catch (e) {
    return `recorder.${method}: ${(e as Error).message}`;
  }
  const num = (i: number): boolean => typeof args[i] === 'number';
  const str = (i: number): boolean => typeof args[i] === 'string';
  const obj = (i: number): boolean => isRecord(args[i]);
  switch (method) {
    case 'dispatch':
      if (!obj(0)) break;
      recorder.dispatch(args[0] as DispatchRecord);
      return undefined;
    case 'clearing':
      if (!num(0)) break;
      recorder.clearing(args[0] as number, args[1]);
      return undefined;
    case 'contractActive': {
      const billing = args[2];
      if (!obj(0) || !str(1) || !(billing === undefined || billing === 'per-interval' || billing === 'at-end')) break;
      if (billing === undefined) recorder.contractActive(args[0] as EnergyContract, args[1] as string);
      else recorder.contractActive(args[0] as EnergyContract, args[1] as string, billing);
      return undefined;
    }
    case 'contractStatus':
      if (!str(0) || !str(1)) break;
      recorder.contractStatus(args[0] as string, args[1] as EnergyContract['status']);
      return undefined;
    case 'periodInputs':
      if (!str(0) || !num(1) || !obj(2)) break;
      recorder.periodInputs(args[0] as string, args[1] as number, args[2] as PeriodInputs);
      return undefined;
    case 'metric':
      if (!str(0) || !num(1)) break;
      recorder.metric(args[0] as string, args[1] as number);
      return undefined;
    case 'note':
      if (!num(0) || !str(1)) break;
      recorder.note(args[0] as number, args[1] as string);
      return undefined;
  }
  return `recorder.${method}: arguments of the wrong shape`;
}

// --- the driver ------------------------------------------------------------------------------

/** How a run reaches its remote agents. */
export interface RemoteSetup {
  /** Agent id → base URL of the `degsim serve` node serving it. */
  readonly nodes: ReadonlyMap<string, string>;
  /** Shared secret of the control calls (`--control-token`); without one nodes accept control from loopback only. */
  readonly controlToken?: string;
  /** Address of the driver's callback endpoint; default 127.0.0.1, port 0 (any free one). */
  readonly listenHost?: string;
  readonly listenPort?: number;
  /** The URL nodes reach the callback endpoint at, when it differs from the listening address (NAT, containers). */
  readonly advertisedUrl?: string;
}

/** What `connectRemoteAgents` needs from the run being wired. */
export interface DriverWiring {
  readonly setup: RemoteSetup;
  readonly scenario: Scenario;
  /** Every agent of the run as built locally, sorted by id. */
  readonly agents: readonly Agent[];
  readonly bus: Bus;
  readonly recorder: Recorder;
  /** Settlement reports of a provider for an interval (the settlement engine's). */
  readonly reportsFor: (providerId: string, interval: number) => readonly unknown[];
  readonly trace: TraceSink;
  readonly registry: SubscriberRegistry;
  /** The run network's transaction keys (wire UUID → key), shared with the nodes. */
  readonly transactionKeys: Map<string, string>;
}

/** The remote agents of a mixed run, as the run loop drives them. */
export interface RemoteAgents {
  /** The run's agents with each remote one replaced by its proxy (same id, kind, meters). */
  readonly agents: readonly Agent[];
  /** True for an agent served by a node. */
  hosts(agentId: string): boolean;
  /** Runs a remote agent's phase handler on its node and applies its effects. */
  phase(agentId: string, ctx: PhaseContext): Promise<void>;
  /** Fetches the actual powers of remote agents' meters for interval k (call before physics). */
  beforePhysics(k: number, nowMs: number): Promise<void>;
  /** Detaches from the nodes and closes the callback endpoint. */
  close(): Promise<void>;
  /** Defects found while driving the nodes (a mixed run with any is not a faithful run). */
  readonly errors: readonly Diagnostic[];
}

interface NodeLink {
  readonly url: string;
  readonly agentIds: string[];
  dead: string | undefined;
}

interface Arrival {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Picks the signed headers of a relayed message: exactly what the bus records for a delivery. */
function signedHeadersOf(req: IncomingMessage): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const h of ['authorization', 'content-type', 'digest']) {
    const v = req.headers[h];
    if (typeof v === 'string') out[h] = v;
  }
  return out['authorization'] === undefined ? undefined : out;
}

/**
 * Connects a run to the nodes serving some of its agents: starts the callback endpoint, attaches
 * to every node (checking it loaded the same scenario and seed and hosts those agents with the
 * same meters), and registers each remote agent on the bus. The caller attaches the other agents
 * as usual. Diagnostics when an id is not an agent of the run, a URL is not http(s), or a node
 * cannot be attached.
 */
export async function connectRemoteAgents(w: DriverWiring): Promise<Result<RemoteAgents>> {
  const errors: Diagnostic[] = [];
  const byId = new Map(w.agents.map((a) => [a.id, a]));
  const links = new Map<string, NodeLink>();
  const linkOf = new Map<string, NodeLink>();
  for (const [id, raw] of [...w.setup.nodes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!byId.has(id)) {
      errors.push({ code: 'remote.unknown-agent', path: `remote.${id}`, message: `${id} is not an agent of scenario ${w.scenario.name} (agents: ${[...byId.keys()].join(', ')})` });
      continue;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      errors.push({ code: 'remote.url', path: `remote.${id}`, message: `not a URL: ${raw}` });
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      errors.push({ code: 'remote.url', path: `remote.${id}`, message: `a node URL must be http(s), got ${raw}` });
      continue;
    }
    const base = url.href.replace(/\/+$/, '');
    const link = links.get(base) ?? { url: base, agentIds: [], dead: undefined };
    link.agentIds.push(id);
    links.set(base, link);
    linkOf.set(id, link);
  }
  if (errors.length > 0) return fail(errors);

  const ttlMs = w.scenario.protocol.ttlSeconds * 1000;
  const token = w.setup.controlToken;
  const profile = getProfile(w.scenario.protocol.profile);
  const contextReader: ContextReader = contextReaderOf((wire) => profile.contextOf(wire));
  let nowMs = Number.NEGATIVE_INFINITY;
  let interval = 0;
  const acks: AckBuilder = ackBuilder({ profile: w.scenario.protocol.profile, now: () => isoOf(Number.isFinite(nowMs) ? nowMs : 0) });
  const arrivals = new Map<string, Arrival>();
  const defects: Diagnostic[] = [];
  const defect = (code: string, message: string): void => {
    defects.push({ code, path: 'remote', message });
  };

  const relay: Server = createServer({ keepAlive: true }, (req, res) => {
    if (req.method !== 'POST') return sendJson(res, 405, acks.nack(undefined, { code: 'NET_NOT_IMPLEMENTED', message: 'POST only' }), { allow: 'POST' });
    if (!controlAllowed(req, token)) {
      req.resume();
      return sendJson(res, 403, acks.nack(undefined, { code: 'AUT_UNAUTHORIZED_ACTION', message: 'not a node of this run' }));
    }
    void readBody(req, MAX_CONTROL_BYTES).then((body) => {
      const headers = signedHeadersOf(req);
      if (body === undefined) return sendJson(res, 413, acks.nack(undefined, { code: 'SCH_INVALID_FORMAT', message: 'body too large' }));
      let wire: unknown;
      try {
        wire = JSON.parse(body);
      } catch {
        return sendJson(res, 400, acks.nack(undefined, { code: 'SCH_INVALID_JSON', message: 'body is not JSON' }));
      }
      const ctx = contextReader(wire);
      const signer = ctx.ok ? callerIdOf(ctx.value) : undefined;
      if (!ctx.ok || signer === undefined || headers === undefined) return sendJson(res, 400, acks.nack(wire, { code: 'CTX_MISSING_FIELD', message: 'a relayed message needs a context with its caller and a signature' }));
      // The bus verifies the message at delivery, exactly as it would have in-process; here it is only held until the node's effects announce it.
      arrivals.set(deliveryKey(signer, ctx.value.action, ctx.value.messageId), { headers, body });
      sendJson(res, 200, acks.ack(wire));
    });
  });
  relay.unref();
  try {
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(w.setup.listenPort ?? 0, w.setup.listenHost ?? '127.0.0.1', () => {
        relay.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    return fail([{ code: 'remote.listen', path: 'remote', message: `cannot open the callback endpoint: ${(e as Error).message}` }]);
  }
  const address = relay.address() as AddressInfo;
  const callbackUrl = w.setup.advertisedUrl ?? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  const agent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  const client: HttpClient = createHttpClient({ keys: new Map(), validator: () => [], contextReader, ackBuilder: acks });
  const shutdown = async (): Promise<void> => {
    client.close();
    agent.destroy();
    await new Promise<void>((r) => relay.close(() => r()));
  };

  const digests = runDigests(w.scenario, w.registry);
  const hostedInfo = new Map<string, HostedAgentInfo>();
  for (const link of links.values()) {
    const req: AttachRequest = { callbackUrl, ...digests, agents: link.agentIds };
    const r = await postControl(agent, `${link.url}${CONTROL_PATHS.attach}`, req, ttlMs, token);
    if (!r.ok) {
      errors.push({ code: 'remote.attach', path: `remote.${link.agentIds.join(',')}`, message: `cannot attach to the node at ${link.url}: ${r.problem}` });
      continue;
    }
    const a = r.body as Partial<AttachResponse>;
    if (a.scenarioDigest !== digests.scenarioDigest || a.registryDigest !== digests.registryDigest) {
      errors.push({ code: 'remote.mismatch', path: `remote.${link.agentIds.join(',')}`, message: `the node at ${link.url} loaded another scenario or seed (start it with the same scenario file, --seed and --set as this run)` });
      continue;
    }
    for (const info of Array.isArray(a.agents) ? a.agents : []) hostedInfo.set(info.id, info);
    for (const id of link.agentIds) {
      const info = hostedInfo.get(id);
      const local = byId.get(id) as Agent;
      if (info === undefined) errors.push({ code: 'remote.not-hosted', path: `remote.${id}`, message: `the node at ${link.url} does not serve ${id}` });
      else if (info.kind !== local.kind || info.meterIds.join('\u0000') !== local.meterIds.join('\u0000')) {
        errors.push({ code: 'remote.mismatch', path: `remote.${id}`, message: `${id} on the node at ${link.url} is a ${info.kind} with meters [${info.meterIds.join(', ')}], here a ${local.kind} with [${local.meterIds.join(', ')}]` });
      }
    }
  }
  if (errors.length > 0) {
    await shutdown();
    return fail(errors);
  }

  const transactionOf = (body: string): string | undefined => {
    try {
      const c = contextReader(JSON.parse(body));
      return c.ok ? c.value.transactionId : undefined;
    } catch {
      return undefined;
    }
  };

  const markDead = (link: NodeLink, why: string): void => {
    if (link.dead !== undefined) return;
    link.dead = why;
    w.recorder.note(interval, `node ${link.url} (${link.agentIds.join(', ')}) stopped answering: ${why}; its agents take no further part in this run`);
  };

  /** Applies effects in order: injects sends at their time, writes sender-side refusals, replays recorder calls. */
  const apply = (effects: readonly NodeEffect[], source: string): void => {
    for (const e of effects) {
      switch (e.kind) {
        case 'send': {
          const key = deliveryKey(e.from, e.action, e.messageId);
          const got = arrivals.get(key);
          arrivals.delete(key);
          if (got === undefined) {
            defect('remote.lost-send', `${source}: ${e.from} sent ${e.action} ${e.messageId} to ${e.to}, which never reached this driver${e.problem === undefined ? '' : ` (${e.problem})`}`);
            break;
          }
          if (e.transaction !== undefined && typeof e.transaction.id === 'string' && typeof e.transaction.key === 'string') w.transactionKeys.set(e.transaction.id, e.transaction.key);
          try {
            w.bus.inject({ toId: e.to, headers: got.headers, body: got.body, atMs: e.atMs, fromId: e.from, asSender: true });
          } catch (err) {
            defect('remote.send-time', `${source}: ${e.from} sent ${e.action} ${e.messageId} at ${isoOf(e.atMs)}: ${(err as Error).message}`);
          }
          break;
        }
        case 'refused':
          w.trace.ack(e.record);
          break;
        case 'record': {
          const problem = replayRecord(w.recorder, e.method, e.args);
          if (problem !== undefined) defect('remote.record', `${source}: ${problem}`);
          break;
        }
        case 'defect':
          defect('remote.defect', `${source}: ${e.message}`);
          break;
      }
    }
  };

  /** A control call to a live node; undefined (and the node marked dead, or a defect) when it fails. */
  const call = async (link: NodeLink, path: string, body: unknown): Promise<unknown> => {
    if (link.dead !== undefined) return undefined;
    const r = await postControl(agent, `${link.url}${path}`, body, ttlMs, token);
    if (r.ok) return r.body;
    if (r.unreachable) markDead(link, r.problem);
    else defect('remote.control', r.problem);
    return undefined;
  };

  const effectsOf = (body: unknown, source: string): NodeEffect[] => {
    const r = readEffects(isRecord(body) ? body['effects'] : undefined);
    for (const p of r.problems) defect('remote.effects', `${source}: ${p}`);
    return r.effects;
  };

  for (const [id, link] of linkOf) {
    const endpoint: RemoteEndpoint = {
      async deliver({ headers, body, action, atMs, ttlMs: messageTtlMs }): Promise<AckOrNack> {
        nowMs = atMs;
        if (link.dead !== undefined) return nackOf(undefined, refusal('unreachable', `the node serving ${id} stopped answering earlier (${link.dead})`), acks);
        const extra: Record<string, string> = { [SIM_TIME_HEADER]: String(atMs), ...(token === undefined ? {} : { [CONTROL_TOKEN_HEADER]: token }) };
        const txn = transactionOf(body);
        const txnKey = txn === undefined ? undefined : w.transactionKeys.get(txn);
        if (txn !== undefined && txnKey !== undefined) extra[TRANSACTION_KEY_HEADER] = `${txn} ${txnKey}`;
        const r = await client.post({ url: actionUrl(`${link.url}/${encodeURIComponent(id)}`, action), headers: { ...headers, ...extra }, body, timeoutMs: messageTtlMs });
        if (r.status === 'NACK' && (r.refusal.reason === 'timeout' || (r.refusal.reason === 'unreachable' && r.refusal.code === 'NET_DOWNSTREAM_UNAVAILABLE'))) markDead(link, r.refusal.message);
        return r;
      },
      async afterAccepted({ messageId, action, from, atMs }) {
        nowMs = atMs;
        const req: EffectsRequest = { to: id, from, action, messageId };
        const answer = await call(link, CONTROL_PATHS.effects, req);
        if (answer !== undefined) apply(effectsOf(answer, `${id} receiving ${action} ${messageId}`), `${id} receiving ${action} ${messageId}`);
      },
    };
    w.bus.registerRemote(id, endpoint, {
      onNack: async (n: BusNack) => {
        nowMs = n.atMs;
        const req: NackRequest = { agentId: id, notice: encodeValue(n) };
        const answer = await call(link, CONTROL_PATHS.nack, req);
        if (answer !== undefined) apply(effectsOf(answer, `${id} told of ${n.refusal.code} for ${n.action}`), `${id} told of ${n.refusal.code} for ${n.action}`);
      },
    });
  }

  const actual = new Map<string, MeterActual>();
  const proxies = w.agents.map((a) => (linkOf.has(a.id) ? proxyOf(a, hostedInfo.get(a.id) as HostedAgentInfo) : a));

  function proxyOf(local: Agent, info: HostedAgentInfo): Agent {
    const key = (m: string): string => `${local.id}\u0000${m}`;
    const read = (m: string, which: 'p' | 'q'): number => {
      const got = actual.get(key(m));
      if (got === undefined) return 0;
      apply((which === 'p' ? got.pEffects : got.qEffects) ?? [], `${local.id} reporting meter ${m}`);
      try {
        const v = decodeValue(which === 'p' ? got.pKW : got.qKVAr);
        if (typeof v === 'number') return v;
      } catch {
        // reported below
      }
      defect('remote.actual', `${local.id} reported a non-number for meter ${m}`);
      return 0;
    };
    const proxy: Agent = {
      id: local.id,
      kind: local.kind,
      meterIds: local.meterIds,
      onMessage(msg: InboundMessage) {
        defect('remote.proxy', `a message (${msg.action} from ${msg.from}) was handed to the proxy of ${local.id} instead of its node`);
      },
      actualPowerKW: (m) => read(m, 'p'),
    };
    return info.reactive ? { ...proxy, reactivePowerKVAr: (m: string) => read(m, 'q') } : proxy;
  }

  return ok({
    agents: proxies,
    hosts: (id) => linkOf.has(id),
    async phase(agentId, ctx) {
      const link = linkOf.get(agentId);
      if (link === undefined) return;
      nowMs = ctx.nowMs;
      interval = ctx.interval;
      const reports = ctx.phase === 'settle' ? encodeValue(w.reportsFor(agentId, ctx.interval)) : undefined;
      const req: PhaseRequest = { agentId, interval: ctx.interval, phase: ctx.phase, nowMs: ctx.nowMs, ...(reports === undefined ? {} : { reports }) };
      const answer = await call(link, CONTROL_PATHS.phase, req);
      const source = `${agentId} in the ${ctx.phase} phase of interval ${ctx.interval}`;
      if (answer !== undefined) apply(effectsOf(answer, source), source);
    },
    async beforePhysics(k, atMs) {
      nowMs = atMs;
      interval = k;
      actual.clear();
      for (const link of links.values()) {
        const metered = link.agentIds.filter((id) => (byId.get(id)?.meterIds.length ?? 0) > 0);
        if (metered.length === 0) continue;
        const req: ActualRequest = { interval: k, nowMs: atMs, agents: metered };
        const answer = await call(link, CONTROL_PATHS.actual, req);
        const meters = isRecord(answer) && Array.isArray(answer['meters']) ? (answer['meters'] as MeterActual[]) : [];
        for (const m of meters) {
          if (!isRecord(m) || typeof m.agentId !== 'string' || typeof m.meterId !== 'string') continue;
          const pe = readEffects(m.pEffects);
          const qe = m.qEffects === undefined ? undefined : readEffects(m.qEffects);
          for (const p of [...pe.problems, ...(qe?.problems ?? [])]) defect('remote.effects', `${m.agentId} meter ${m.meterId}: ${p}`);
          actual.set(`${m.agentId}\u0000${m.meterId}`, { ...m, pEffects: pe.effects, ...(qe === undefined ? {} : { qEffects: qe.effects }) });
        }
      }
    },
    async close() {
      for (const link of links.values()) if (link.dead === undefined) await postControl(agent, `${link.url}${CONTROL_PATHS.detach}`, {}, ttlMs, token);
      for (const [k] of arrivals) defect('remote.unannounced', `a message reached this driver but no node announced it (${k.split('\u0000').join(' ')})`);
      await shutdown();
    },
    get errors() {
      return defects;
    },
  });
}
