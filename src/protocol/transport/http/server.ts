import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createReplayCache,
  nackOf,
  receive,
  recipientIdOf,
  refusal,
  type AcceptedMessage,
  type AckOrNack,
  type ContextReader,
  type MessageValidator,
  type ReplayCache,
} from '../../receiver.js';
import type { RegistryIndex } from '../../registry.js';
import { counterSign, digestOf, type SigningKey } from '../../signing.js';
import type { TraceSink } from '../../trace.js';
import { checkHttpLimits, claimedSubscriber, createRateLimiter, DEFAULT_HTTP_LIMITS, type HttpLimits } from './limits.js';
import { withCounterSignature, type AckBuilder } from '../../ack.js';
import { wallClockMs } from './wall-clock.js';

/**
 * A Beckn HTTP node: one or more subscribers (BAPs, BPPs) served by one `node:http` server.
 * `POST /{action}` (or `POST /{subscriberId}/{action}` when the node hosts several) runs the
 * shared receive pipeline and answers ACK/NACK synchronously with Beckn's HTTP statuses (200,
 * 400, 401, 413, 429); accepted messages are handed to the subscriber's handler after the answer
 * is sent, and the handler calls back (`on_*`) with an HTTP client. With the hosted subscribers'
 * keys, answers in the Beckn 2.0 shape carry the receiver's counter-signature (over the answer,
 * the request digest and message id). `GET /health` reports the node's state. `close()` shuts down gracefully: no new connections, in-flight requests and
 * handlers finish, then connections close.
 */

/** Handles an accepted message; `nowMs` is the node's clock at receipt. Answers go out separately. */
export type NodeHandler = (message: AcceptedMessage, nowMs: number) => void | Promise<void>;

/** Options of `createHttpNode`. */
export interface HttpNodeOptions {
  /** Subscribers served by this node and their handlers. */
  readonly endpoints: ReadonlyMap<string, NodeHandler>;
  readonly registry: RegistryIndex;
  /** Private keys of hosted subscribers: their ACK/NACK bodies (Beckn 2.0 shape) carry a counter-signature. */
  readonly keys?: ReadonlyMap<string, SigningKey>;
  readonly validator: MessageValidator;
  readonly contextReader: ContextReader;
  readonly ackBuilder: AckBuilder;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly limits?: Partial<HttpLimits>;
  /**
   * `wall` (default) for a live node; a function returning ms for a node driven by a simulated
   * clock. It is handed the request being judged, so a simulation node can read the simulated
   * delivery time its driver attached to it.
   */
  readonly clock?: 'wall' | ((request?: IncomingMessage) => number);
  /** Which clock refills the rate limit's buckets: the node's `clock` (default) or the wall clock (a node whose simulated time jumps). */
  readonly rateLimitClock?: 'node' | 'wall';
  /**
   * Answers requests outside the Beckn endpoints (e.g. a simulation node's control paths) before
   * they are routed as Beckn messages; returns true when it took the request. Not rate limited.
   */
  readonly extraRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean;
  readonly trace?: TraceSink;
  /** A path prefix some profiles put before the action (`/beckn` for the DEG order draft); accepted with or without it. */
  readonly pathPrefix?: string;
  /** Told of handler failures (the node keeps serving). Default: ignored. */
  readonly onHandlerError?: (error: unknown, message: AcceptedMessage) => void;
}

/** Counters of a node. */
export interface HttpNodeStats {
  readonly received: number;
  readonly acked: number;
  readonly nacked: number;
  readonly rateLimited: number;
  readonly inFlight: number;
  readonly handlerErrors: number;
}

/** A running node. */
export interface HttpNode {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** The base URI of a hosted subscriber (`url/subscriberId` when the node hosts several). */
  uriOf(subscriberId: string): string;
  readonly stats: HttpNodeStats;
  /** Graceful shutdown; resolves when the server is closed. */
  close(): Promise<void>;
}

/** How long a counter-signature stays valid, seconds. */
const COUNTER_SIGNATURE_VALIDITY_SEC = 30;

const ACTION = /^[a-z][a-z_]*(?:\/[a-z][a-z_]*)?$/;

function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Starts a node and resolves once it listens. Rejects only if the port cannot be bound or the limits are invalid. */
export async function createHttpNode(options: HttpNodeOptions): Promise<HttpNode> {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const problems = checkHttpLimits(limits);
  if (problems.length > 0) throw new RangeError(`invalid HTTP limits: ${problems.join('; ')}`);
  const clock: (request?: IncomingMessage) => number = options.clock === undefined || options.clock === 'wall' ? wallClockMs : options.clock;
  const rateClock: (request?: IncomingMessage) => number = options.rateLimitClock === 'wall' ? wallClockMs : clock;
  const endpointIds = [...options.endpoints.keys()];
  const single = endpointIds.length === 1 ? endpointIds[0] : undefined;
  const caches = new Map<string, ReplayCache>(endpointIds.map((id) => [id, createReplayCache()]));
  const limiter = createRateLimiter(limits.ratePerSec, limits.burst);
  const stats = { received: 0, acked: 0, nacked: 0, rateLimited: 0, inFlight: 0, handlerErrors: 0 };
  const pending = new Set<Promise<void>>();
  let closing = false;
  let drained: (() => void) | undefined;
  const settle = (): void => {
    if (stats.inFlight === 0 && pending.size === 0) drained?.();
  };

  /** Adds the receiver's Beckn 2.0 counter-signature to an ACK/NACK body of that shape, when the node holds the receiver's key. */
  const counterSigned = (body: unknown, to: string | undefined, requestBody: string, messageId: string, nowMs: number): unknown => {
    const key = to === undefined ? undefined : options.keys?.get(to);
    if (key === undefined || typeof body !== 'object' || body === null || !('status' in body)) return body;
    const { signature: _old, ...unsigned } = body as Record<string, unknown>;
    const createdSec = Math.floor(nowMs / 1000);
    const signature = counterSign({ ackBody: JSON.stringify(unsigned), requestDigest: digestOf(requestBody), messageId, key, createdSec, expiresSec: createdSec + COUNTER_SIGNATURE_VALIDITY_SEC });
    return withCounterSignature(unsigned, signature);
  };

  /** The message id and action of a refused body, when it can be read at all. */
  const idsOf = (body: string): { messageId: string; action: string } | undefined => {
    try {
      const ctx = options.contextReader(JSON.parse(body));
      return ctx.ok ? { messageId: ctx.value.messageId, action: ctx.value.action } : undefined;
    } catch {
      return undefined;
    }
  };

  const refuseEarly = (res: ServerResponse, reason: Parameters<typeof refusal>[0], message: string, close = false): void => {
    const r = nackOf(undefined, refusal(reason, message), options.ackBuilder);
    stats.nacked++;
    sendJson(res, r.httpStatus, counterSigned(r.body, single, '', '', clock()), close);
  };

  const answer = (res: ServerResponse, response: AckOrNack, from: string, to: string, atMs: number, requestBody: string, ids: { messageId: string; action: string }): void => {
    const { messageId, action } = ids;
    if (response.status === 'ACK') {
      stats.acked++;
      options.trace?.ack({ messageId, action, from, to, atMs, ack: 'ACK' });
    } else {
      stats.nacked++;
      const f = response.refusal;
      options.trace?.ack({ messageId, action, from, to, atMs, ack: 'NACK', error: f.path === undefined ? { code: f.code, reason: f.reason, message: f.message } : { code: f.code, reason: f.reason, message: f.message, path: f.path } });
    }
    sendJson(res, response.httpStatus, counterSigned(response.body, to === '' ? single : to, requestBody, messageId, atMs));
  };

  const runHandler = (handler: NodeHandler, message: AcceptedMessage, nowMs: number): void => {
    const task = (async () => {
      await new Promise<void>((r) => setImmediate(r));
      try {
        await handler(message, nowMs);
      } catch (e) {
        stats.handlerErrors++;
        options.onHandlerError?.(e, message);
      }
    })();
    pending.add(task);
    void task.finally(() => {
      pending.delete(task);
      settle();
    });
  };

  const handleBody = (req: IncomingMessage, res: ServerResponse, body: string, subscriberPath: string | undefined, action: string): void => {
    const nowMs = clock(req);
    let to = subscriberPath ?? single;
    if (to === undefined) {
      try {
        const ctx = options.contextReader(JSON.parse(body));
        if (ctx.ok) to = recipientIdOf(ctx.value);
      } catch {
        to = undefined;
      }
      if (to !== undefined && !options.endpoints.has(to)) {
        refuseEarly(res, 'no-endpoint', `this node does not host ${to}`);
        return;
      }
    }
    const cache = to === undefined ? createReplayCache() : (caches.get(to) as ReplayCache);
    const out = receive(
      { headers: req.headers, body, nowSec: Math.floor(nowMs / 1000), endpointAction: action, ...(to === undefined ? {} : { recipientId: to }) },
      { registry: options.registry, replayCache: cache, validator: options.validator, contextReader: options.contextReader, ackBuilder: options.ackBuilder, limits: { maxBodyBytes: limits.maxBodyBytes } },
    );
    const accepted = out.accepted;
    const from = accepted?.signer.subscriberId ?? claimedSubscriber(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
    if (accepted !== null && to === undefined) {
      answer(res, nackOf(accepted.wire, refusal('no-endpoint', 'the message names no recipient hosted by this node'), options.ackBuilder), from, '', nowMs, body, accepted.context);
      return;
    }
    const ids = accepted !== null ? accepted.context : (idsOf(body) ?? { messageId: '', action });
    answer(res, out.response, from, to ?? '', nowMs, body, ids);
    if (accepted !== null && to !== undefined) {
      options.trace?.delivered({ headers: pickHeaders(req), body, to });
      runHandler(options.endpoints.get(to) as NodeHandler, accepted, nowMs);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/health') {
      sendJson(res, closing ? 503 : 200, { status: closing ? 'closing' : 'ok', subscribers: endpointIds, ...stats, pendingHandlers: pending.size });
      return;
    }
    if (closing) {
      refuseEarly(res, 'unreachable', 'the node is shutting down', true);
      return;
    }
    if (options.extraRoutes?.(req, res) === true) return;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      refuseEarly(res, 'no-endpoint', `${req.method ?? ''} ${path}: Beckn endpoints accept POST only`);
      return;
    }
    let parts: string[];
    try {
      parts = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
    } catch {
      refuseEarly(res, 'no-endpoint', `malformed path ${path}`);
      return;
    }
    const prefix = (options.pathPrefix ?? '').split('/').filter((p) => p !== '');
    const skip = (at: number): number => (prefix.length > 0 && prefix.every((p, k) => parts[at + k] === p) ? prefix.length : 0);
    let subscriberPath: string | undefined;
    let action: string;
    if (parts.length >= 2 && options.endpoints.has(parts[0] as string)) {
      subscriberPath = parts[0];
      action = parts.slice(1 + skip(1)).join('/');
    } else {
      action = parts.slice(skip(0)).join('/');
    }
    if (!ACTION.test(action)) {
      refuseEarly(res, 'no-endpoint', `no Beckn action at ${path}`);
      return;
    }
    const nowMs = rateClock(req);
    const client = `${req.socket.remoteAddress ?? ''}|${claimedSubscriber(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined)}`;
    if (!limiter.allow(client, nowMs)) {
      stats.rateLimited++;
      res.setHeader('retry-after', String(Math.max(1, Math.ceil(1 / limits.ratePerSec))));
      refuseEarly(res, 'rate-limited', `more than ${limits.ratePerSec} requests per second (burst ${limits.burst}) from this client`);
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
      refuseEarly(res, 'body-too-large', `body of ${declared} bytes exceeds the limit of ${limits.maxBodyBytes} bytes`, true);
      discard(req);
      return;
    }
    stats.received++;
    stats.inFlight++;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finishRequest = (): void => {
      if (done) return;
      done = true;
      stats.inFlight--;
      settle();
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        refuseEarly(res, 'body-too-large', `body exceeds the limit of ${limits.maxBodyBytes} bytes`, true);
        chunks.length = 0;
        discard(req);
        finishRequest();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      try {
        handleBody(req, res, Buffer.concat(chunks, size).toString('utf8'), subscriberPath, action);
      } catch (e) {
        if (!res.headersSent) refuseEarly(res, 'internal-error', `the node failed: ${(e as Error).message}`);
      }
      finishRequest();
    });
    req.on('error', () => finishRequest());
    req.on('aborted', () => finishRequest());
  };

  const server: Server = createServer({ keepAlive: true, requestTimeout: 30_000, headersTimeout: 10_000 }, onRequest);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    port: address.port,
    uriOf(subscriberId) {
      return single !== undefined ? url : `${url}/${encodeURIComponent(subscriberId)}`;
    },
    get stats() {
      return { ...stats };
    },
    close() {
      if (closed !== undefined) return closed;
      closing = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idle = new Promise<void>((r) => {
        drained = r;
        settle();
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((r) => {
        timer = setTimeout(r, limits.shutdownGraceMs);
      });
      closed = Promise.race([idle, grace]).then(async () => {
        clearTimeout(timer);
        server.closeAllConnections();
        await serverClosed;
      });
      return closed;
    },
  };
}

/** Most a refused request body is drained (so the client can read the 413) before the connection is cut, bytes. */
const MAX_DRAIN_BYTES = 8 << 20;

/** Reads and drops the rest of a refused request body; cuts the connection if it goes on too long. */
function discard(req: IncomingMessage): void {
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) req.destroy();
  });
  req.resume();
}

function pickHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'digest']) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}
