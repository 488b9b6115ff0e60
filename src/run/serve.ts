import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import { createClock, isoOf, type SimClock } from '../kernel/clock.js';
import { phaseTimes, PHASES, type Phase, type PhaseContext } from '../kernel/phases.js';
import { createRandomStreams } from '../kernel/random.js';
import type { Scenario } from '../scenario/types.js';
import { intervalCount } from '../scenario/types.js';
import type { EnergyContract } from '../contracts/model.js';
import type { PeriodInputs } from '../contracts/evaluate.js';
import { ackBuilder } from '../protocol/ack.js';
import type { SettlementReport } from '../protocol/payloads.js';
import { getProfile } from '../protocol/profiles/index.js';
import { contextReaderOf, DEFAULT_RECEIVE_LIMITS, type AcceptedMessage, type ContextReader } from '../protocol/receiver.js';
import { generateRegistry, indexRegistry, type RegistryIndex, type SubscriberRegistry, type SubscriberSpec } from '../protocol/registry.js';
import type { SigningKey } from '../protocol/signing.js';
import type { AckRecord, TraceSink } from '../protocol/trace.js';
import { createBus, type Bus, type BusHandler, type NackListener, type NackNotice as BusNack } from '../protocol/transport/bus.js';
import { actionUrl, createHttpClient, type HttpClient } from '../protocol/transport/http/client.js';
import type { HttpLimits } from '../protocol/transport/http/limits.js';
import { createHttpNode, type HttpNode, type HttpNodeStats } from '../protocol/transport/http/server.js';
import { validateMessage } from '../protocol/validate.js';
import { AGENT_KINDS } from '../../agents/index.js';
import type { Agent, AgentFactory, AgentServices, Directory, DispatchRecord, FactoryContext, Recorder } from './agent.js';
import { createNetwork, type Network } from './network.js';
import { agentUri, GOVERNMENT_ID, participantIds } from './simulate.js';
import { buildWorld, type World } from './world.js';
import {
  CONTROL_PATHS,
  CONTROL_TOKEN_HEADER,
  controlAllowed,
  decodeValue,
  deliveryKey,
  encodeValue,
  MAX_CONTROL_BYTES,
  OUTBOX_HEADER,
  readBody,
  runDigests,
  sendJson,
  SIM_TIME_HEADER,
  TRANSACTION_KEY_HEADER,
  type ActualRequest,
  type AttachRequest,
  type AttachResponse,
  type EffectsRequest,
  type HostedAgentInfo,
  type MeterActual,
  type NackRequest,
  type NodeEffect,
  type PhaseRequest,
  type RecorderMethod,
} from './remote.js';

/**
 * `degsim serve`: a simulation node. It builds the run exactly as `simulate` does — the same
 * world, the same agents from the same scenario and seed, so the same keys — and exposes some of
 * its agents as real Beckn endpoints over HTTP (`POST /{action}`, or `/{agentId}/{action}` when it
 * hosts several; ACK/NACK synchronously; `GET /health`), behind the shared receive pipeline
 * (signature, registry, replay, schema) and the node limits (body size, rate).
 *
 * The node never reads the wall clock for the simulation: it runs at the simulated time its driver
 * gives it (phase calls, and `x-degsim-sim-time` on the driver's deliveries). Messages from anyone
 * else are judged at the node's current simulated time. What hosted agents send is signed exactly
 * as the in-process bus signs it and POSTed to the driver's callback endpoint (or, with no driver
 * attached, to the recipient's URI in the node's registry). See `remote.ts` for the control calls.
 */

/** Kinds that are a role in the market rather than a customer connection (as in `simulate`). */
const UNMETERED_KINDS = new Set(['mca', 'utility', 'aggregator', 'ev-driver']);

/** A run as a node builds it: everything `simulate` builds before it runs the timeline. */
export interface AssembledRun {
  readonly clock: SimClock;
  readonly world: World;
  readonly directory: Directory;
  /** The registry the seed derives (what the driver's run publishes). */
  readonly registry: SubscriberRegistry;
  readonly keys: ReadonlyMap<string, SigningKey>;
  /** Every agent id of the run, sorted. */
  readonly agentIds: readonly string[];
  /** Simulated instant of the run's first phase, ms. */
  readonly firstPhaseMs: number;
}

/** The scenario's participants checked against the known kinds, the world, the directory and the registry. */
export function assembleRun(scenario: Scenario, kinds: ReadonlyMap<string, AgentFactory> = AGENT_KINDS): Result<AssembledRun & { readonly entries: readonly { readonly spec: Scenario['participants'][number]; readonly ids: readonly string[] }[] }> {
  const n = intervalCount(scenario);
  const clock = createClock(scenario.start, scenario.intervalMinutes, n);
  const streams = createRandomStreams(scenario.seed);
  const errors: Diagnostic[] = [];
  const entries = scenario.participants.map((p, i) => ({ spec: p, index: i, ids: participantIds(p) }));
  for (const e of entries) {
    if (!kinds.has(e.spec.kind)) errors.push({ code: 'participant.kind', path: `participants[${e.index}].kind`, message: `no agent of kind "${e.spec.kind}" (known: ${[...kinds.keys()].sort().join(', ')})` });
  }
  if (errors.length > 0) return fail(errors);
  const demand = new Map<string, { id: string; transformer?: string }[]>();
  for (const e of entries) {
    if (UNMETERED_KINDS.has(e.spec.kind)) continue;
    const list = demand.get(e.spec.kind) ?? [];
    for (const id of e.ids) list.push(e.spec.transformer === undefined ? { id } : { id, transformer: e.spec.transformer });
    demand.set(e.spec.kind, list);
  }
  const worldResult = buildWorld(scenario, clock, streams, demand);
  if (!worldResult.ok) return worldResult;
  const kindOf = new Map<string, string>();
  for (const e of entries) for (const id of e.ids) kindOf.set(id, e.spec.kind);
  const byKind = new Map<string, string[]>();
  for (const [id, kind] of kindOf) byKind.set(kind, [...(byKind.get(kind) ?? []), id].sort());
  const directory: Directory = {
    mcaId: byKind.get('mca')?.[0],
    utilityId: byKind.get('utility')?.[0],
    governmentId: GOVERNMENT_ID,
    byKind: (k) => byKind.get(k) ?? [],
    kindOf: (id) => kindOf.get(id),
    uriOf: agentUri,
  };
  const ids = [...kindOf.keys()].sort();
  const subscribers: SubscriberSpec[] = ids.map((id) => ({ subscriberId: id, role: kindOf.get(id) === 'mca' || kindOf.get(id) === 'utility' ? 'BPP' : 'BAP', uri: agentUri(id) }));
  for (const id of ids) {
    const k = kindOf.get(id);
    if (k === 'mca' || k === 'aggregator' || k === 'cpo') subscribers.push({ subscriberId: id, role: k === 'mca' ? 'BAP' : 'BPP', uri: agentUri(id) });
  }
  const reg = generateRegistry(scenario.seed, subscribers);
  if (!reg.ok) return reg;
  const lead = scenario.market.bidLeadMinutes * 60_000;
  const gate = scenario.market.gateClosureMinutes * 60_000;
  const firstPhaseMs = phaseTimes(clock.intervalStartMs(0), clock.intervalMs, lead, gate)[PHASES[0]];
  return ok({ clock, world: worldResult.value, directory, registry: reg.value.registry, keys: reg.value.keys, agentIds: ids, firstPhaseMs, entries });
}

/** Counts of what a node's agents did since the run was (re)built. */
export interface NodeActivity {
  /** Recorder calls by method. */
  readonly records: Readonly<Record<RecorderMethod, number>>;
  /** Messages hosted agents sent. */
  readonly sent: number;
  /** Of those, the ones the node could not hand on (driver or recipient unreachable). */
  readonly undelivered: number;
  /** Sends refused before they left (invalid message, unknown recipient). */
  readonly refusedAtSender: number;
  /** Accepted messages handed to hosted agents. */
  readonly handled: number;
  readonly defects: readonly string[];
}

/** What a node needs. */
export interface NodeOptions {
  readonly scenario: Scenario;
  /** Agents to serve (ids of the scenario). */
  readonly agentIds: readonly string[];
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. A non-loopback address needs a control token. */
  readonly host?: string;
  /**
   * Registry to verify incoming messages against, instead of the one the seed derives (e.g. one
   * where a key has been revoked). Hosted agents keep their seed-derived keys; the file's entries
   * for them must carry the same public keys.
   */
  readonly registry?: SubscriberRegistry;
  /** Shared secret of the control calls; without one, control is accepted from loopback only. */
  readonly controlToken?: string;
  /** Node limits; the body limit defaults to the receive pipeline's (as on the in-process bus). */
  readonly limits?: Partial<HttpLimits>;
  /** Agent kinds; default the project's. */
  readonly kinds?: ReadonlyMap<string, AgentFactory>;
}

/** Everything about a node at a glance (also served at `GET /_sim/status`). */
export interface NodeStatus {
  readonly agents: readonly string[];
  readonly attached: boolean;
  readonly nowMs: number;
  readonly now: string;
  readonly activity: NodeActivity;
  readonly http: HttpNodeStats;
}

/** A running node. */
export interface SimNode {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly agentIds: readonly string[];
  status(): NodeStatus;
  /** Graceful shutdown: stops accepting, lets in-flight requests and agent work finish. */
  close(): Promise<void>;
}

/** A message a hosted agent sent, signed, waiting to be POSTed. */
interface Outgoing {
  readonly to: string;
  readonly messageId: string;
  readonly action: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

interface Capture {
  readonly effects: (NodeEffect | PendingSend)[];
}

/** A send effect before the node knows whether it got the message out. */
interface PendingSend {
  readonly kind: 'pending-send';
  readonly from: string;
  readonly to: string;
  readonly action: string;
  readonly messageId: string;
  readonly atMs: number;
  readonly transaction?: { readonly id: string; readonly key: string };
}

const EMPTY_RECORDS: Record<RecorderMethod, number> = { dispatch: 0, clearing: 0, contractActive: 0, contractStatus: 0, periodInputs: 0, metric: 0, note: 0 };

/** At most this many deliveries' effects wait for a driver to fetch them; older ones are dropped. */
const MAX_UNCLAIMED = 10_000;

/**
 * One run's state on a node: the agents (all built, the hosted ones driven), a façade bus that
 * signs and validates their sends exactly as the run's bus would and captures them, and the
 * effects of every call in order.
 */
class NodeRun {
  readonly hosted: ReadonlyMap<string, Agent>;
  private readonly handlers = new Map<string, { readonly handler: BusHandler; readonly onNack?: NackListener }>();
  private readonly inner: Bus;
  private readonly network: Network;
  private current: Capture | undefined;
  /** Effects made outside any call (an agent acting on its own); handed out with the next call. */
  private stray: Capture = { effects: [] };
  private sending = false;
  private outbox: Outgoing[] = [];
  private readonly reports = new Map<string, readonly SettlementReport[]>();
  /** Transaction keys (wire UUID → key) this node's network and its driver know. */
  readonly transactionKeys = new Map<string, string>();
  readonly activity = { records: { ...EMPTY_RECORDS }, sent: 0, undelivered: 0, refusedAtSender: 0, handled: 0, defects: [] as string[] };
  nowMs: number;

  constructor(
    readonly scenario: Scenario,
    readonly assembled: AssembledRun,
    entries: readonly { readonly spec: Scenario['participants'][number]; readonly ids: readonly string[] }[],
    hostedIds: readonly string[],
    kinds: ReadonlyMap<string, AgentFactory>,
  ) {
    this.nowMs = assembled.firstPhaseMs;
    const profile = getProfile(scenario.protocol.profile);
    const sink: TraceSink = {
      delivered: () => undefined,
      ack: (r: AckRecord) => {
        if (this.sending) {
          this.capture().effects.push({ kind: 'refused', record: r });
          this.activity.refusedAtSender++;
        }
      },
    };
    this.inner = createBus({
      registry: indexRegistry(assembled.registry),
      keys: new Map([...assembled.keys].filter(([id]) => hostedIds.includes(id))),
      validator: (wire) => validateMessage(wire, scenario.protocol.profile),
      contextReader: contextReaderOf((wire) => profile.contextOf(wire)),
      ackBuilder: ackBuilder({ profile: scenario.protocol.profile, now: () => isoOf(this.nowMs) }),
      trace: sink,
      defaultTtlMs: scenario.protocol.ttlSeconds * 1000,
    });
    const inner = this.inner;
    const readContext = contextReaderOf((wire) => profile.contextOf(wire));
    for (const id of assembled.agentIds) {
      this.inner.registerRemote(id, {
        deliver: async ({ headers, body, action }) => {
          const ctx = readContext(JSON.parse(body));
          this.outbox.push({ to: id, action, messageId: ctx.ok ? ctx.value.messageId : '', headers: { ...headers }, body });
          return { status: 'ACK', httpStatus: 200, body: {} };
        },
      });
    }
    const facade: Bus = {
      register: (id, handler, opts) => {
        this.handlers.set(id, opts?.onNack === undefined ? { handler } : { handler, onNack: opts.onNack });
      },
      registerRemote: () => {
        throw new RangeError('a node registers its own agents only');
      },
      send: (req) => {
        this.sending = true;
        try {
          const r = this.inner.send(req);
          if (r.status === 'scheduled') {
            const ctx = readContext(req.wire);
            const txn = ctx.ok ? ctx.value.transactionId : undefined;
            const key = txn === undefined ? undefined : this.transactionKeys.get(txn);
            const transaction = txn === undefined || key === undefined ? {} : { transaction: { id: txn, key } };
            this.capture().effects.push({ kind: 'pending-send', from: req.fromId, to: req.toId, action: r.action, messageId: r.messageId, atMs: req.atMs, ...transaction });
            this.activity.sent++;
          }
          return r;
        } finally {
          this.sending = false;
        }
      },
      inject: () => {
        throw new RangeError('a node does not inject messages');
      },
      runUntil: (ms) => inner.runUntil(ms),
      nextEventMs: () => inner.nextEventMs(),
      get pending() {
        return inner.pending;
      },
      get nowMs() {
        return inner.nowMs;
      },
    };
    this.network = createNetwork({ profileId: scenario.protocol.profile, profile, domain: scenario.protocol.domain, ttlSeconds: scenario.protocol.ttlSeconds, bus: facade, directory: assembled.directory, transactionKeys: this.transactionKeys });
    const recorder = this.recorder();
    const streams = createRandomStreams(scenario.seed);
    const services = (id: string): AgentServices => ({
      scenario,
      clock: assembled.clock,
      stream: (name) => streams.get(`${id}/${name}`),
      net: this.network.forAgent(id),
      directory: assembled.directory,
      grid: { nodeOfMeter: assembled.world.nodeOfMeter, nodes: assembled.world.nodes, forecastNodeLoadKW: assembled.world.forecastNodeLoadKW },
      record: recorder,
    });
    const factoryContext: FactoryContext = { meterOf: (id) => assembled.world.assignment(id) };
    const all: Agent[] = [];
    for (const e of entries) {
      const factory = kinds.get(e.spec.kind);
      if (factory !== undefined) all.push(...factory(e.spec, e.ids, services, factoryContext));
    }
    const hosted = new Map<string, Agent>();
    for (const a of all.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))) {
      if (!hostedIds.includes(a.id)) continue;
      hosted.set(a.id, a);
      this.network.attach(a);
    }
    this.hosted = hosted;
  }

  private capture(): Capture {
    return this.current ?? this.stray;
  }

  private recorder(): Recorder {
    const push = (method: RecorderMethod, args: readonly unknown[]): void => {
      this.activity.records[method]++;
      let encoded: unknown[];
      try {
        encoded = args.map(encodeValue);
      } catch (e) {
        this.capture().effects.push({ kind: 'defect', message: `recorder.${method}: ${(e as Error).message}` });
        return;
      }
      this.capture().effects.push({ kind: 'record', method, args: encoded });
    };
    return {
      dispatch: (row: DispatchRecord) => push('dispatch', [row]),
      clearing: (interval: number, result: unknown) => push('clearing', [interval, result]),
      contractActive: (contract: EnergyContract, formedBy: string, billing?: 'per-interval' | 'at-end') => push('contractActive', billing === undefined ? [contract, formedBy] : [contract, formedBy, billing]),
      contractStatus: (contractId: string, status: EnergyContract['status']) => push('contractStatus', [contractId, status]),
      periodInputs: (contractId: string, interval: number, inputs: PeriodInputs) => push('periodInputs', [contractId, interval, inputs]),
      metric: (name: string, value: number) => push('metric', [name, value]),
      note: (interval: number, text: string) => push('note', [interval, text]),
      settlementReports: (providerId: string, interval: number) => {
        const got = this.reports.get(`${providerId}\u0000${interval}`);
        if (got !== undefined) return got;
        this.capture().effects.push({ kind: 'defect', message: `${providerId} asked for its settlement reports of interval ${interval}, which the driver did not send` });
        return [];
      },
    };
  }

  /**
   * Runs `body` (agent code) at simulated `atMs` and returns what it caused, in order: the façade
   * captured its sends and recorder calls; the sends are then taken off the inner bus (which signed
   * them as the run's bus would) and handed to `post`.
   */
  async run(atMs: number, body: () => void, post: (m: Outgoing) => Promise<string | undefined>): Promise<NodeEffect[]> {
    const cap: Capture = { effects: [...this.stray.effects] };
    this.stray = { effects: [] };
    this.current = cap;
    try {
      body();
    } catch (e) {
      cap.effects.push({ kind: 'defect', message: `agent code failed: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      this.current = undefined;
    }
    this.outbox = [];
    await this.inner.runUntil(atMs);
    const out = this.outbox;
    this.outbox = [];
    const effects: NodeEffect[] = [];
    let next = 0;
    for (const e of cap.effects) {
      if (e.kind !== 'pending-send') {
        effects.push(e);
        continue;
      }
      const m = out[next];
      if (m === undefined || m.messageId !== e.messageId || m.to !== e.to) {
        effects.push({ ...sendOf(e), delivered: false, problem: 'the signed message went missing on the node' });
        continue;
      }
      next++;
      const problem = await post(m);
      if (problem !== undefined) this.activity.undelivered++;
      effects.push(problem === undefined ? { ...sendOf(e), delivered: true } : { ...sendOf(e), delivered: false, problem });
    }
    for (const e of effects) if (e.kind === 'defect') this.activity.defects.push(e.message);
    return effects;
  }

  phase(agentId: string, ctx: PhaseContext): () => void {
    return () => {
      this.network.setNow(ctx.nowMs);
      this.hosted.get(agentId)?.onPhase?.(ctx);
    };
  }

  deliver(to: string, message: AcceptedMessage, atMs: number): () => void {
    return () => {
      this.activity.handled++;
      this.handlers.get(to)?.handler(message, atMs);
    };
  }

  nack(agentId: string, notice: BusNack): () => void {
    return () => {
      void this.handlers.get(agentId)?.onNack?.(notice);
    };
  }

  setReports(providerId: string, interval: number, reports: readonly SettlementReport[]): void {
    this.reports.set(`${providerId}\u0000${interval}`, reports);
  }

  setNow(ms: number): void {
    this.nowMs = ms;
    this.network.setNow(ms);
  }

  /** A delivery at `atMs` moves the node's clock on (the handler itself sets the agents' time). */
  delivered(atMs: number): void {
    if (atMs > this.nowMs) this.nowMs = atMs;
  }
}

function sendOf(e: PendingSend): Extract<NodeEffect, { kind: 'send' }> & { delivered: boolean } {
  return { kind: 'send', from: e.from, to: e.to, action: e.action, messageId: e.messageId, atMs: e.atMs, delivered: false, ...(e.transaction === undefined ? {} : { transaction: e.transaction }) };
}

/** A promise with its resolver. */
interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(v: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts a node serving `agentIds` of the scenario. Diagnostics (never a throw) when an id is not
 * an agent of the scenario, a registry file disagrees with the seed's keys, a non-loopback host
 * lacks a control token, or the port cannot be bound.
 */
export async function startNode(o: NodeOptions): Promise<Result<SimNode>> {
  const kinds = o.kinds ?? AGENT_KINDS;
  const first = assembleRun(o.scenario, kinds);
  if (!first.ok) return first;
  const errors: Diagnostic[] = [];
  const hostedIds = [...new Set(o.agentIds)].sort();
  if (hostedIds.length === 0) errors.push({ code: 'serve.agents', path: 'agent', message: 'name at least one agent to serve' });
  for (const id of hostedIds) {
    if (!first.value.agentIds.includes(id)) errors.push({ code: 'serve.unknown-agent', path: 'agent', message: `${id} is not an agent of scenario ${o.scenario.name} (agents: ${first.value.agentIds.join(', ')})` });
  }
  const host = o.host ?? '127.0.0.1';
  if (o.controlToken === undefined && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
    errors.push({ code: 'serve.token', path: 'host', message: `serving on ${host} lets other machines reach the node: give a control token so only the run's driver can drive it` });
  }
  if (o.controlToken !== undefined && o.controlToken.length < 8) errors.push({ code: 'serve.token', path: 'control-token', message: 'a control token needs at least 8 characters' });
  if (o.registry !== undefined) {
    for (const id of hostedIds) {
      const key = first.value.keys.get(id);
      const theirs = o.registry.subscribers.filter((e) => e.subscriberId === id);
      if (key !== undefined && theirs.some((e) => e.publicKey !== key.publicKey || e.uniqueKeyId !== key.uniqueKeyId)) {
        errors.push({ code: 'serve.registry', path: 'registry', message: `the registry's key for ${id} is not the one the scenario's seed derives (use the run's registry.json, edited)` });
      }
    }
  }
  if (errors.length > 0) return fail(errors);

  const scenario = o.scenario;
  const token = o.controlToken;
  const verifyWith: RegistryIndex = indexRegistry(o.registry ?? first.value.registry);
  const profile = getProfile(scenario.protocol.profile);
  const contextReader: ContextReader = contextReaderOf((wire) => profile.contextOf(wire));
  const ttlMs = scenario.protocol.ttlSeconds * 1000;
  const digests = runDigests(scenario, first.value.registry);

  const build = (): Result<NodeRun> => {
    const a = assembleRun(scenario, kinds);
    if (!a.ok) return a;
    try {
      return ok(new NodeRun(scenario, a.value, a.value.entries, hostedIds, kinds));
    } catch (e) {
      return fail([{ code: 'serve.build', path: 'participants', message: `cannot build the agents: ${(e as Error).message}` }]);
    }
  };
  const built = build();
  if (!built.ok) return built;
  let run = built.value;
  let callbackUrl: string | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs tasks one at a time, in arrival order: agents see one event at a time, as in a run. */
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const p = queue.then(task, task);
    queue = p.catch(() => undefined);
    return p;
  };
  let unclaimed = new Map<string, Deferred<NodeEffect[]>>();
  const slot = (key: string): Deferred<NodeEffect[]> => {
    let d = unclaimed.get(key);
    if (d === undefined) {
      d = deferred<NodeEffect[]>();
      unclaimed.set(key, d);
      if (unclaimed.size > MAX_UNCLAIMED) {
        const oldest = unclaimed.keys().next();
        if (oldest.done !== true) unclaimed.delete(oldest.value);
      }
    }
    return d;
  };

  const client: HttpClient = createHttpClient({ keys: new Map(), validator: () => [], contextReader, ackBuilder: ackBuilder({ profile: scenario.protocol.profile }) });
  /** Hands a signed message on: to the driver when attached, else to the recipient's registry URI. Returns why not, if it failed. */
  const post = async (m: Outgoing): Promise<string | undefined> => {
    const role = /(^|\/)on_/.test(m.action) ? 'BAP' : 'BPP';
    const base = callbackUrl === undefined ? verifyWith.uriOf(m.to, role) : `${callbackUrl}/${encodeURIComponent(m.to)}`;
    if (base === undefined) return `no URI for ${m.to} as ${role} in the registry`;
    const headers = { ...m.headers, ...(token === undefined || callbackUrl === undefined ? {} : { [CONTROL_TOKEN_HEADER]: token }) };
    const r = await client.post({ url: actionUrl(base, m.action), headers, body: m.body, timeoutMs: ttlMs });
    return r.status === 'ACK' ? undefined : `${r.refusal.code}: ${r.refusal.message}`;
  };

  /** The node's simulated time for a request: the driver's delivery time when it is the driver speaking. */
  const timeOf = (req?: IncomingMessage): number => {
    if (req === undefined) return run.nowMs;
    const h = req.headers[SIM_TIME_HEADER];
    if (typeof h !== 'string' || !/^-?\d+$/.test(h) || !controlAllowed(req, token)) return run.nowMs;
    const txn = req.headers[TRANSACTION_KEY_HEADER];
    const m = typeof txn === 'string' ? /^(\S+) (\S+)$/.exec(txn) : null;
    if (m !== null) run.transactionKeys.set(m[1] as string, m[2] as string);
    return Number(h);
  };

  const endpoints = new Map(
    hostedIds.map((id) => [
      id,
      (m: AcceptedMessage, atMs: number) => {
        const current = run;
        const waiting = callbackUrl === undefined ? undefined : slot(deliveryKey(m.signer.subscriberId, m.context.action, m.context.messageId));
        return serially(async () => {
          if (current !== run) return;
          current.delivered(atMs);
          const effects = await current.run(atMs, current.deliver(id, m, atMs), post);
          waiting?.resolve(effects);
        });
      },
    ]),
  );

  const control = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith('/_sim/')) return false;
    if (!controlAllowed(req, token)) {
      req.resume();
      sendJson(res, 403, { error: 'control calls need the control token (or, without one, a loopback client)' });
      return true;
    }
    if (req.method === 'GET' && path === CONTROL_PATHS.status) {
      sendJson(res, 200, status());
      return true;
    }
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, { error: 'control calls are POST' }, { allow: 'POST' });
      return true;
    }
    void readBody(req, MAX_CONTROL_BYTES).then(async (text) => {
      try {
        if (text === undefined) throw new HttpError(413, `control body exceeds ${MAX_CONTROL_BYTES} bytes`);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'control body is not JSON');
        }
        const answer = await controlCall(path, body);
        const sent = Array.isArray((answer as { effects?: unknown }).effects) ? (answer as { effects: NodeEffect[] }).effects.filter((e) => e.kind === 'send').length : 0;
        sendJson(res, 200, answer, { [OUTBOX_HEADER]: String(sent) });
      } catch (e) {
        if (e instanceof HttpError) sendJson(res, e.status, { error: e.message });
        else sendJson(res, 500, { error: `the node failed: ${(e as Error).message}` });
      }
    });
    return true;
  };

  const field = <T>(body: unknown, name: string, check: (v: unknown) => v is T): T => {
    const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
    if (!check(v)) throw new HttpError(400, `control body: ${name} is missing or of the wrong type`);
    return v;
  };
  const isStr = (v: unknown): v is string => typeof v === 'string';
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
  const hostedAgent = (id: string): Agent => {
    const a = run.hosted.get(id);
    if (a === undefined) throw new HttpError(409, `this node does not serve ${id}`);
    return a;
  };
  const needAttached = (): void => {
    if (callbackUrl === undefined) throw new HttpError(409, 'no driver is attached (POST /_sim/attach first)');
  };
  const advance = (ms: number): void => {
    if (ms < run.nowMs) throw new HttpError(409, `simulated time cannot go back from ${isoOf(run.nowMs)} to ${isoOf(ms)}`);
    run.setNow(ms);
  };

  const controlCall = async (path: string, body: unknown): Promise<unknown> => {
    switch (path) {
      case CONTROL_PATHS.attach: {
        const req: AttachRequest = {
          callbackUrl: field(body, 'callbackUrl', isStr),
          scenarioDigest: field(body, 'scenarioDigest', isStr),
          registryDigest: field(body, 'registryDigest', isStr),
          agents: field(body, 'agents', isStrs),
        };
        let url: URL;
        try {
          url = new URL(req.callbackUrl);
        } catch {
          throw new HttpError(400, `callbackUrl is not a URL: ${req.callbackUrl}`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpError(400, 'callbackUrl must be http(s)');
        if (req.scenarioDigest !== digests.scenarioDigest || req.registryDigest !== digests.registryDigest) {
          throw new HttpError(409, `this node serves scenario ${scenario.name} with seed ${scenario.seed}; the driver runs another scenario or seed`);
        }
        for (const id of req.agents) if (!hostedIds.includes(id)) throw new HttpError(409, `this node does not serve ${id} (it serves ${hostedIds.join(', ')})`);
        return serially(async () => {
          const fresh = build();
          if (!fresh.ok) throw new HttpError(500, fresh.errors.map((d) => d.message).join('; '));
          run = fresh.value;
          unclaimed = new Map();
          callbackUrl = url.href.replace(/\/+$/, '');
          const agents: HostedAgentInfo[] = [...run.hosted.values()].map((a) => ({ id: a.id, kind: a.kind, meterIds: [...a.meterIds], reactive: typeof a.reactivePowerKVAr === 'function' }));
          const answer: AttachResponse = { agents, ...digests };
          return answer;
        });
      }
      case CONTROL_PATHS.detach:
        return serially(async () => {
          callbackUrl = undefined;
          unclaimed = new Map();
          return { detached: true };
        });
      case CONTROL_PATHS.phase: {
        needAttached();
        const req: PhaseRequest = { agentId: field(body, 'agentId', isStr), interval: field(body, 'interval', isNum), phase: field(body, 'phase', (v): v is Phase => PHASES.includes(v as Phase)), nowMs: field(body, 'nowMs', isNum) };
        hostedAgent(req.agentId);
        let reports: readonly SettlementReport[] | undefined;
        if (typeof body === 'object' && body !== null && 'reports' in body) {
          const decoded = decodeValue((body as { reports: unknown }).reports);
          if (!Array.isArray(decoded)) throw new HttpError(400, 'control body: reports must be a list');
          reports = decoded as SettlementReport[];
        }
        return serially(async () => {
          advance(req.nowMs);
          if (reports !== undefined) run.setReports(req.agentId, req.interval, reports);
          const effects = await run.run(req.nowMs, run.phase(req.agentId, { phase: req.phase, interval: req.interval, nowMs: req.nowMs }), post);
          return { effects };
        });
      }
      case CONTROL_PATHS.effects: {
        needAttached();
        const req: EffectsRequest = { to: field(body, 'to', isStr), from: field(body, 'from', isStr), action: field(body, 'action', isStr), messageId: field(body, 'messageId', isStr) };
        hostedAgent(req.to);
        const key = deliveryKey(req.from, req.action, req.messageId);
        const waiting = unclaimed.get(key);
        if (waiting === undefined) throw new HttpError(404, `no accepted delivery of ${req.action} ${req.messageId} from ${req.from} is waiting`);
        const effects = await waiting.promise;
        unclaimed.delete(key);
        return { effects };
      }
      case CONTROL_PATHS.nack: {
        needAttached();
        const req: NackRequest = { agentId: field(body, 'agentId', isStr), notice: field(body, 'notice', (v): v is unknown => v !== undefined) };
        hostedAgent(req.agentId);
        let notice: BusNack;
        try {
          notice = decodeValue(req.notice) as BusNack;
        } catch (e) {
          throw new HttpError(400, `control body: notice: ${(e as Error).message}`);
        }
        if (typeof notice !== 'object' || notice === null || !isNum(notice.atMs) || !isStr(notice.messageId)) throw new HttpError(400, 'control body: notice is not a NACK notice');
        return serially(async () => {
          advance(Math.max(run.nowMs, notice.atMs));
          const effects = await run.run(notice.atMs, run.nack(req.agentId, notice), post);
          return { effects };
        });
      }
      case CONTROL_PATHS.actual: {
        needAttached();
        const req: ActualRequest = { interval: field(body, 'interval', isNum), nowMs: field(body, 'nowMs', isNum), agents: field(body, 'agents', isStrs) };
        for (const id of req.agents) hostedAgent(id);
        return serially(async () => {
          advance(req.nowMs);
          const meters: MeterActual[] = [];
          for (const id of [...req.agents].sort()) {
            const a = hostedAgent(id);
            for (const m of a.meterIds) {
              let p = 0;
              const pEffects = await run.run(req.nowMs, () => {
                p = a.actualPowerKW?.(m, req.interval) ?? 0;
              }, post);
              if (typeof a.reactivePowerKVAr !== 'function') {
                meters.push({ agentId: id, meterId: m, pKW: encodeValue(p), pEffects });
                continue;
              }
              let q = 0;
              const qEffects = await run.run(req.nowMs, () => {
                q = (a.reactivePowerKVAr as (meterId: string, k: number) => number)(m, req.interval);
              }, post);
              meters.push({ agentId: id, meterId: m, pKW: encodeValue(p), pEffects, qKVAr: encodeValue(q), qEffects });
            }
          }
          return { meters };
        });
      }
      default:
        throw new HttpError(404, `no control call ${path}`);
    }
  };

  let http: HttpNode;
  try {
    http = await createHttpNode({
      endpoints,
      registry: verifyWith,
      keys: new Map([...first.value.keys].filter(([id]) => hostedIds.includes(id))),
      validator: (wire) => validateMessage(wire, scenario.protocol.profile),
      contextReader,
      ackBuilder: ackBuilder({ profile: scenario.protocol.profile, now: () => isoOf(run.nowMs) }),
      port: o.port ?? 0,
      host,
      limits: { maxBodyBytes: DEFAULT_RECEIVE_LIMITS.maxBodyBytes, ...o.limits },
      clock: timeOf,
      rateLimitClock: 'wall',
      extraRoutes: control,
      onHandlerError: (e) => run.activity.defects.push(`handler failed: ${(e as Error).message}`),
    });
  } catch (e) {
    return fail([{ code: 'serve.listen', path: 'port', message: `cannot serve on ${host}:${o.port ?? 0}: ${(e as Error).message}` }]);
  }

  const status = (): NodeStatus => ({
    agents: hostedIds,
    attached: callbackUrl !== undefined,
    nowMs: run.nowMs,
    now: isoOf(run.nowMs),
    activity: { ...run.activity, records: { ...run.activity.records }, defects: [...run.activity.defects] },
    http: http.stats,
  });

  return ok({
    url: http.url,
    port: http.port,
    agentIds: hostedIds,
    status,
    async close() {
      await http.close();
      await queue;
      client.close();
    },
  });
}
