import { EventQueue } from '../../kernel/event-queue.js';
import type { RandomStream, RandomStreams } from '../../kernel/random.js';
import {
  callerIdOf,
  createReplayCache,
  nackOf,
  ttlMsOf,
  receive,
  refusal,
  type AcceptedMessage,
  type AckOrNack,
  type ContextReader,
  type MessageValidator,
  type ReceiveLimits,
  type Refusal,
  type ReplayCache,
  type WireContext,
} from '../receiver.js';
import type { RegistryIndex } from '../registry.js';
import { signedHeaders, type SignedHeaders, type SigningKey } from '../signing.js';
import type { AckRecord, TraceSink } from '../trace.js';
import type { AckBuilder } from '../ack.js';

/**
 * The in-process Beckn bus. Senders hand it a wire object; it validates it, serialises it once,
 * signs it with the sender's key at the simulated send time and schedules its delivery on the
 * kernel's event queue. `runUntil` delivers everything due in simulated-time order (ties in send
 * order) through the shared receive pipeline, so every message is verified exactly as an HTTP
 * node would verify it. Beckn's asynchronous model holds: the receiver ACKs at delivery and
 * answers later with a new `send` of its `on_*` callback.
 *
 * Link effects (latency, jitter, loss, duplication, reordering) apply only when the scenario
 * configures them, and draw from a seeded stream per link named `bus/<from>-><to>`, so the same
 * seed gives the same deliveries.
 */

/** Effects of one directed link. All default to 0 (instant, perfect delivery). */
export interface LinkEffects {
  /** Fixed delay, ms. */
  readonly latencyMs?: number;
  /** Extra delay uniform in [0, jitterMs), ms. */
  readonly jitterMs?: number;
  /** Probability a message is lost. */
  readonly lossProbability?: number;
  /** Probability a message is delivered twice (the copy is refused as a replay). */
  readonly duplicationProbability?: number;
  /** Probability a message is held back by an extra delay, letting later ones overtake it. */
  readonly reorderProbability?: number;
  /** Extra delay of a held-back message, uniform in [0, reorderDelayMs), ms. */
  readonly reorderDelayMs?: number;
}

/** Link effects of a run: a default and overrides per `from->to` link. */
export interface LinkConfig {
  readonly default?: LinkEffects;
  readonly byLink?: Readonly<Record<string, LinkEffects>>;
}

/** Handles an accepted message at simulated time `nowMs`; answers go out later via `send`. */
export type BusHandler = (message: AcceptedMessage, nowMs: number) => void;

/** Tells a sender its message was refused, lost or timed out, so no contract is lost silently. */
export interface NackNotice {
  readonly messageId: string;
  readonly action: string;
  readonly from: string;
  readonly to: string;
  /** When the sender learns of it, ms. */
  readonly atMs: number;
  readonly refusal: Refusal;
  /** The NACK body, when the receiver produced one. */
  readonly body: unknown;
}

/** A subscriber reached outside the process (e.g. over HTTP). */
export interface RemoteEndpoint {
  /** Delivers a signed message; must resolve (a timeout or failure is a NACK value), never reject. */
  deliver(request: { readonly headers: SignedHeaders; readonly body: string; readonly action: string; readonly atMs: number; readonly ttlMs: number }): Promise<AckOrNack>;
  /**
   * Called once an accepted delivery is recorded, before the bus runs its next event, as a local
   * handler would run: a simulation driver brings in here what the remote subscriber did on
   * receipt (the messages it sent at `atMs`). Must resolve, never reject.
   */
  afterAccepted?(delivery: { readonly messageId: string; readonly action: string; readonly from: string; readonly atMs: number }): Promise<void>;
}

/** Hears of an endpoint's refused, lost and timed-out sends; a returned promise is awaited before the bus runs its next event. */
export type NackListener = (notice: NackNotice) => unknown;

/** What `send` returns. */
export type SendResult =
  | { readonly status: 'scheduled'; readonly messageId: string; readonly action: string; /** null when the link lost it. */ readonly deliverAtMs: number | null }
  | { readonly status: 'NACK'; readonly refusal: Refusal; readonly body: unknown };

/** A message a caller wants sent. */
export interface SendRequest {
  readonly fromId: string;
  readonly toId: string;
  readonly wire: unknown;
  /** Simulated send time, ms since the epoch. */
  readonly atMs: number;
}

/** An already signed message to deliver as it is (from another node, or a test playing attacker). */
export interface InjectRequest {
  readonly toId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly atMs: number;
  /** Who the trace names as sender; default: the context's caller. */
  readonly fromId?: string;
  /** Told of the outcome (ACK or NACK) at delivery. */
  readonly onResult?: (response: AckOrNack, atMs: number) => void;
  /**
   * Treat the message as sent by `fromId` (signed elsewhere with its key, e.g. by the node serving
   * it): a refusal, loss or timeout is told to that endpoint's `onNack`, exactly as for `send`.
   */
  readonly asSender?: boolean;
}

/** Options of `createBus`. */
export interface BusOptions {
  readonly registry: RegistryIndex;
  /** Private keys of the local senders, by subscriber id. */
  readonly keys: ReadonlyMap<string, SigningKey>;
  readonly validator: MessageValidator;
  readonly contextReader: ContextReader;
  readonly ackBuilder: AckBuilder;
  /** Seeded streams of the run; required when `links` asks for random effects. */
  readonly random?: RandomStreams;
  readonly links?: LinkConfig;
  readonly trace?: TraceSink;
  readonly limits?: Partial<ReceiveLimits>;
  /** Signature validity and timeout when a context has no ttl, ms. Default 30 000. */
  readonly defaultTtlMs?: number;
}

/** The bus. */
export interface Bus {
  /** Registers a local endpoint. `onNack` hears of this endpoint's refused, lost and timed-out sends. */
  register(subscriberId: string, handler: BusHandler, options?: { readonly onNack?: NackListener }): void;
  /** Registers an endpoint living elsewhere; messages to it are awaited in `runUntil`. */
  registerRemote(subscriberId: string, remote: RemoteEndpoint, options?: { readonly onNack?: NackListener }): void;
  /** Validates, signs and schedules a message. An invalid message is not scheduled: the result is its NACK. */
  send(request: SendRequest): SendResult;
  /** Schedules delivery of an already signed message, unchanged. */
  inject(request: InjectRequest): void;
  /** Delivers every event due at or before `untilMs`, in order; resolves to the number of deliveries. */
  runUntil(untilMs: number): Promise<number>;
  /** Time of the next scheduled event, if any. */
  nextEventMs(): number | undefined;
  /** Scheduled events not yet run. */
  readonly pending: number;
  /** Time of the last event run, ms (−Infinity before the first). */
  readonly nowMs: number;
}

type Event =
  | {
      readonly kind: 'deliver';
      readonly from: string;
      readonly to: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      readonly context: WireContext | undefined;
      readonly ttlMs: number;
      readonly duplicate: boolean;
      readonly notifySender: boolean;
      readonly onResult?: (response: AckOrNack, atMs: number) => void;
    }
  | { readonly kind: 'timeout'; readonly from: string; readonly to: string; readonly context: WireContext; readonly reason: 'lost' | 'timeout' };

interface Endpoint {
  readonly handler?: BusHandler;
  readonly remote?: RemoteEndpoint;
  readonly onNack?: NackListener;
  readonly replayCache: ReplayCache;
}

function checkEffects(link: string, e: LinkEffects): void {
  const nonNeg = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`link ${link}: ${name} must be a finite number ≥ 0, got ${v}`);
  };
  const prob = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`link ${link}: ${name} must be a probability in [0, 1], got ${v}`);
  };
  nonNeg('latencyMs', e.latencyMs);
  nonNeg('jitterMs', e.jitterMs);
  nonNeg('reorderDelayMs', e.reorderDelayMs);
  prob('lossProbability', e.lossProbability);
  prob('duplicationProbability', e.duplicationProbability);
  prob('reorderProbability', e.reorderProbability);
}

function isRandom(e: LinkEffects): boolean {
  return (e.jitterMs ?? 0) > 0 || (e.lossProbability ?? 0) > 0 || (e.duplicationProbability ?? 0) > 0 || ((e.reorderProbability ?? 0) > 0 && (e.reorderDelayMs ?? 0) > 0);
}

/**
 * Creates a bus. Throws RangeError on an invalid link configuration or random effects without
 * seeded streams (configuration errors the scenario loader should have caught).
 */
export function createBus(options: BusOptions): Bus {
  const links = options.links ?? {};
  if (links.default !== undefined) checkEffects('default', links.default);
  for (const [name, e] of Object.entries(links.byLink ?? {})) checkEffects(name, e);
  const needsRandom = [links.default, ...Object.values(links.byLink ?? {})].some((e) => e !== undefined && isRandom(e));
  if (needsRandom && options.random === undefined) throw new RangeError('random link effects need the run’s seeded streams (options.random)');
  const defaultTtlMs = options.defaultTtlMs ?? 30_000;
  const queue = new EventQueue<Event>();
  const endpoints = new Map<string, Endpoint>();
  const streams = new Map<string, RandomStream>();
  const trace = options.trace;
  let nowMs = Number.NEGATIVE_INFINITY;
  let running = false;

  const effectsOf = (from: string, to: string): LinkEffects | undefined => links.byLink?.[`${from}->${to}`] ?? links.default;
  const streamOf = (from: string, to: string): RandomStream => {
    const name = `bus/${from}->${to}`;
    let s = streams.get(name);
    if (s === undefined) {
      s = (options.random as RandomStreams).get(name);
      streams.set(name, s);
    }
    return s;
  };
  const ttlOf = (context: WireContext | undefined): number => {
    const ms = context?.ttl === undefined ? Number.NaN : ttlMsOf(context.ttl);
    return Number.isFinite(ms) && ms > 0 ? ms : defaultTtlMs;
  };
  const record = (r: AckRecord): void => trace?.ack(r);
  const errorOf = (f: Refusal): NonNullable<AckRecord['error']> =>
    f.path === undefined ? { code: f.code, reason: f.reason, message: f.message } : { code: f.code, reason: f.reason, message: f.message, path: f.path };
  /** Listeners still working on a notice (a remote sender's node); awaited before the next event. */
  const noticed: Promise<void>[] = [];
  const notify = (from: string, notice: NackNotice): void => {
    const p = endpoints.get(from)?.onNack?.(notice);
    if (p instanceof Promise) noticed.push(p as Promise<void>);
  };

  const addEndpoint = (id: string, e: Endpoint): void => {
    if (endpoints.has(id)) throw new RangeError(`subscriber ${id} is already registered on the bus`);
    endpoints.set(id, e);
  };

  const checkTime = (atMs: number): void => {
    if (!Number.isFinite(atMs)) throw new RangeError(`send time must be finite, got ${atMs}`);
    if (atMs < nowMs) throw new RangeError(`cannot send at ${atMs} ms: the bus has already delivered up to ${nowMs} ms`);
  };

  const schedule = (from: string, to: string, headers: Readonly<Record<string, string>>, body: string, context: WireContext | undefined, atMs: number, notifySender: boolean, onResult?: InjectRequest['onResult']): number | null => {
    const ttlMs = ttlOf(context);
    const fx = effectsOf(from, to);
    let deliverAt = atMs + (fx?.latencyMs ?? 0);
    let duplicate = false;
    if (fx !== undefined && isRandom(fx)) {
      const rng = streamOf(from, to);
      if ((fx.lossProbability ?? 0) > 0 && rng.bernoulli(fx.lossProbability ?? 0)) {
        if (context !== undefined) {
          record({ messageId: context.messageId, action: context.action, from, to, atMs, ack: 'LOST' });
          if (notifySender) queue.push(atMs + ttlMs, { kind: 'timeout', from, to, context, reason: 'lost' });
        }
        return null;
      }
      if ((fx.jitterMs ?? 0) > 0) deliverAt += rng.uniform(0, fx.jitterMs ?? 0);
      if ((fx.reorderProbability ?? 0) > 0 && (fx.reorderDelayMs ?? 0) > 0 && rng.bernoulli(fx.reorderProbability ?? 0)) deliverAt += rng.uniform(0, fx.reorderDelayMs ?? 0);
      if ((fx.duplicationProbability ?? 0) > 0) duplicate = rng.bernoulli(fx.duplicationProbability ?? 0);
      deliverAt = Math.round(deliverAt);
    }
    const base = { kind: 'deliver' as const, from, to, headers, body, context, ttlMs, notifySender };
    queue.push(deliverAt, onResult === undefined ? { ...base, duplicate: false } : { ...base, duplicate: false, onResult });
    if (duplicate) queue.push(deliverAt, { ...base, duplicate: true, notifySender: false });
    return deliverAt;
  };

  const finish = (ev: Extract<Event, { kind: 'deliver' }>, atMs: number, response: AckOrNack, accepted: AcceptedMessage | null, target: Endpoint | undefined): void => {
    const messageId = accepted?.context.messageId ?? ev.context?.messageId ?? '';
    const action = accepted?.context.action ?? ev.context?.action ?? '';
    const dup = ev.duplicate ? { duplicate: true } : {};
    if (response.status === 'ACK') {
      record({ messageId, action, from: ev.from, to: ev.to, atMs, ack: 'ACK', ...dup });
      trace?.delivered({ headers: ev.headers, body: ev.body, to: ev.to });
    } else {
      record({ messageId, action, from: ev.from, to: ev.to, atMs, ack: 'NACK', ...dup, error: errorOf(response.refusal) });
      if (ev.notifySender) notify(ev.from, { messageId, action, from: ev.from, to: ev.to, atMs, refusal: response.refusal, body: response.body });
    }
    ev.onResult?.(response, atMs);
    if (accepted !== null && target?.handler !== undefined) target.handler(accepted, atMs);
  };

  /** Delivers to a local endpoint (or refuses an unknown one) synchronously: the fast path. */
  const deliverLocal = (ev: Extract<Event, { kind: 'deliver' }>, atMs: number, target: Endpoint | undefined): void => {
    if (target === undefined) {
      finish(ev, atMs, nackOf(undefined, refusal('unreachable', `no endpoint ${ev.to} on the bus`), options.ackBuilder), null, undefined);
      return;
    }
    const out = receive(
      { headers: ev.headers, body: ev.body, nowSec: Math.floor(atMs / 1000), recipientId: ev.to },
      { registry: options.registry, replayCache: target.replayCache, validator: options.validator, contextReader: options.contextReader, ackBuilder: options.ackBuilder, ...(options.limits === undefined ? {} : { limits: options.limits }) },
    );
    finish(ev, atMs, out.response, out.accepted, target);
  };

  return {
    register(subscriberId, handler, opts) {
      addEndpoint(subscriberId, { handler, replayCache: createReplayCache(), ...(opts?.onNack === undefined ? {} : { onNack: opts.onNack }) });
    },
    registerRemote(subscriberId, remote, opts) {
      addEndpoint(subscriberId, { remote, replayCache: createReplayCache(), ...(opts?.onNack === undefined ? {} : { onNack: opts.onNack }) });
    },
    send(req) {
      checkTime(req.atMs);
      const ctx = options.contextReader(req.wire);
      const refuse = (f: Refusal, context?: WireContext): SendResult => {
        const nack = nackOf(req.wire, f, options.ackBuilder);
        record({ messageId: context?.messageId ?? '', action: context?.action ?? '', from: req.fromId, to: req.toId, atMs: req.atMs, ack: 'NACK', error: errorOf(f) });
        return { status: 'NACK', refusal: f, body: nack.body };
      };
      if (!ctx.ok) return refuse(refusal('context-missing', `cannot read the context: ${ctx.errors.map((d) => `${d.path}: ${d.message}`).join('; ')}`, ctx.errors[0]?.path ?? 'context'));
      const context = ctx.value;
      const errors = options.validator(req.wire);
      if (errors.length > 0) {
        const shown = errors.slice(0, 5).map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`)).join('; ');
        return refuse(refusal('schema-invalid', `not sent, schema validation failed: ${shown}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`, errors[0]?.path), context);
      }
      const key = options.keys.get(req.fromId);
      if (key === undefined) return refuse(refusal('internal-error', `no signing key for ${req.fromId}`), context);
      if (!endpoints.has(req.toId)) return refuse(refusal('unreachable', `no endpoint ${req.toId} on the bus`), context);
      const body = JSON.stringify(req.wire);
      const createdSec = Math.floor(req.atMs / 1000);
      const headers = signedHeaders(body, key, createdSec, createdSec + Math.ceil(ttlOf(context) / 1000));
      const deliverAtMs = schedule(req.fromId, req.toId, headers, body, context, req.atMs, true);
      return { status: 'scheduled', messageId: context.messageId, action: context.action, deliverAtMs };
    },
    inject(req) {
      checkTime(req.atMs);
      let context: WireContext | undefined;
      try {
        const c = options.contextReader(JSON.parse(req.body));
        context = c.ok ? c.value : undefined;
      } catch {
        context = undefined;
      }
      const from = req.fromId ?? (context === undefined ? '' : (callerIdOf(context) ?? ''));
      schedule(from, req.toId, req.headers, req.body, context, req.atMs, req.asSender === true, req.onResult);
    },
    async runUntil(untilMs) {
      if (running) throw new RangeError('runUntil is already running (called from a handler?)');
      running = true;
      let delivered = 0;
      try {
        for (;;) {
          const top = queue.peek();
          if (top === undefined || top.atMs > untilMs) break;
          queue.pop();
          nowMs = top.atMs;
          const ev = top.payload;
          if (ev.kind === 'deliver') {
            const target = endpoints.get(ev.to);
            if (target?.remote !== undefined) {
              const response = await target.remote.deliver({ headers: ev.headers as SignedHeaders, body: ev.body, action: ev.context?.action ?? '', atMs: top.atMs, ttlMs: ev.ttlMs });
              finish(ev, top.atMs, response, null, target);
              if (response.status === 'ACK' && target.remote.afterAccepted !== undefined) {
                await target.remote.afterAccepted({ messageId: ev.context?.messageId ?? '', action: ev.context?.action ?? '', from: ev.from, atMs: top.atMs });
              }
            } else {
              deliverLocal(ev, top.atMs, target);
            }
            delivered++;
          } else {
            const f = refusal(ev.reason, ev.reason === 'lost' ? `no answer from ${ev.to} within the ttl: the message was lost on the link` : `no answer from ${ev.to} within the ttl`);
            record({ messageId: ev.context.messageId, action: ev.context.action, from: ev.from, to: ev.to, atMs: top.atMs, ack: 'NACK', error: errorOf(f) });
            notify(ev.from, { messageId: ev.context.messageId, action: ev.context.action, from: ev.from, to: ev.to, atMs: top.atMs, refusal: f, body: nackOf(undefined, f, options.ackBuilder).body });
          }
          while (noticed.length > 0) await noticed.shift();
        }
      } finally {
        running = false;
      }
      return delivered;
    },
    nextEventMs() {
      return queue.peek()?.atMs;
    },
    get pending() {
      return queue.size;
    },
    get nowMs() {
      return nowMs;
    },
  };
}
