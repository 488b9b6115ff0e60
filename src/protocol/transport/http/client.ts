import { Agent, request } from 'node:http';
import {
  nackOf,
  ttlMsOf,
  refusal,
  REFUSALS,
  type AckOrNack,
  type ContextReader,
  type MessageValidator,
  type Refusal,
  type RefusalReason,
  type WireContext,
  recipientIdOf,
} from '../../receiver.js';
import { keyUsability, type RegistryIndex } from '../../registry.js';
import { digestOf, parseAuthorization, signedHeaders, verifyCounterSignature, type SignedHeaders, type SigningKey } from '../../signing.js';
import type { RemoteEndpoint } from '../bus.js';
import type { AckBuilder } from '../../ack.js';
import { wallClockMs } from './wall-clock.js';

/**
 * The sending side of the HTTP transport: validates a message, signs it with the sender's key at
 * the client's clock, POSTs it to `{uri}/{action}` over a keep-alive agent and returns the
 * receiver's ACK/NACK as a value. A receiver that does not answer within the message's ttl, or
 * cannot be reached, yields a NACK value (`NET_TIMEOUT`, `NET_DOWNSTREAM_UNAVAILABLE`): a send
 * never hangs and never rejects.
 */

/** Options of `createHttpClient`. */
export interface HttpClientOptions {
  /** Private keys of the subscribers this client sends for. */
  readonly keys: ReadonlyMap<string, SigningKey>;
  readonly validator: MessageValidator;
  readonly contextReader: ContextReader;
  /** Builds the NACK bodies of refusals made on the sending side. */
  readonly ackBuilder: AckBuilder;
  /** `wall` (default) or a function returning ms of a simulated clock. */
  readonly clock?: 'wall' | (() => number);
  /** Concurrent connections per host. Default 64. */
  readonly maxSockets?: number;
  /** Timeout when the context has no ttl, ms. Default 30 000. */
  readonly defaultTimeoutMs?: number;
  /** Path of an action's endpoint under the subscriber URI (the profile's); default `/{action}`. */
  readonly endpointPath?: (wireAction: string) => string;
  /**
   * When given, answers in the Beckn 2.0 shape must carry the addressee's counter-signature over
   * the answer, this request's digest and message id, by a key usable now; otherwise the answer
   * becomes a `receipt-invalid` NACK (the message may have been accepted, but not provably).
   */
  readonly receiptRegistry?: RegistryIndex;
}

/** A signed POST as it leaves. */
export interface RawPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** The client. */
export interface HttpClient {
  /** Validates, signs and POSTs `wire` from `fromId` to `{uri}/{action}`. */
  send(request: { readonly uri: string; readonly fromId: string; readonly wire: unknown }): Promise<AckOrNack>;
  /** POSTs an already signed body as it is. */
  post(raw: RawPost): Promise<AckOrNack>;
  /** Closes the keep-alive connections. */
  close(): void;
}

/** `{uri}/{action}` (or `{uri}{path}` for a profile's endpoint path) without doubled slashes. */
export function actionUrl(uri: string, action: string, endpointPath?: (wireAction: string) => string): string {
  const path = endpointPath === undefined ? `/${action}` : endpointPath(action);
  return `${uri.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads an ACK/NACK response body: Beckn 2.0 `{status, error: {errorCode, …}}`, the DEG draft
 * `{ack_status, error: {code, message, paths}}`, the 1.x `{message: {ack: {status}}, error}` and
 * `{message: {status, error}}` shapes. A NACK's reason is
 * inferred from its error code (and HTTP status) when the code is one the transport produces.
 */
export function readAckResponse(httpStatus: number, text: string): AckOrNack {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const reason: RefusalReason = httpStatus === 413 ? 'body-too-large' : httpStatus === 429 ? 'rate-limited' : 'internal-error';
    return { status: 'NACK', httpStatus, body: text, refusal: { ...refusal(reason, `unreadable response (HTTP ${httpStatus}): ${text.slice(0, 200)}`), httpStatus } };
  }
  const b = isRecord(body) ? body : {};
  const message = isRecord(b['message']) ? b['message'] : {};
  const ack = isRecord(message['ack']) ? message['ack'] : {};
  const status = b['status'] ?? b['ack_status'] ?? ack['status'] ?? message['status'];
  if (status === 'ACK' && httpStatus >= 200 && httpStatus < 300) return { status: 'ACK', httpStatus: 200, body };
  const error = isRecord(b['error']) ? b['error'] : isRecord(message['error']) ? message['error'] : {};
  const code = typeof error['code'] === 'string' ? error['code'] : typeof error['errorCode'] === 'string' ? error['errorCode'] : `HTTP_${httpStatus}`;
  const errorText = typeof error['message'] === 'string' ? error['message'] : typeof error['errorMessage'] === 'string' ? error['errorMessage'] : `NACK (HTTP ${httpStatus})`;
  const details = isRecord(error['details']) ? error['details'] : isRecord(error['errorDetails']) ? error['errorDetails'] : {};
  const path = [details['path'], error['path'], error['paths']].find((p): p is string => typeof p === 'string');
  const candidates = (Object.keys(REFUSALS) as RefusalReason[]).filter((r) => REFUSALS[r].code === code);
  const reason = candidates.find((r) => REFUSALS[r].httpStatus === httpStatus) ?? candidates[0] ?? 'remote-refused';
  const f: Refusal = path === undefined ? { reason, code, httpStatus, message: errorText } : { reason, code, httpStatus, message: errorText, path };
  return { status: 'NACK', httpStatus, body, refusal: f };
}

/** Creates a client. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const clock = options.clock === undefined || options.clock === 'wall' ? wallClockMs : options.clock;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const localNack = (wire: unknown, f: Refusal): AckOrNack => nackOf(wire, f, options.ackBuilder);

  /** Checks the counter-signature of a Beckn 2.0 answer; see `receiptRegistry`. */
  const checkReceipt = (answer: AckOrNack, requestBody: string, registry: RegistryIndex): AckOrNack => {
    const body = answer.body;
    if (!isRecord(body) || !('status' in body)) return answer;
    let context: WireContext | undefined;
    try {
      const c = options.contextReader(JSON.parse(requestBody));
      context = c.ok ? c.value : undefined;
    } catch {
      context = undefined;
    }
    const invalid = (why: string): AckOrNack => localNack(undefined, refusal('receipt-invalid', `the ${answer.status} cannot be trusted: ${why}`));
    const signature = body['signature'];
    if (typeof signature !== 'string') return invalid('it carries no counter-signature');
    const auth = parseAuthorization(signature, 'signature');
    if (!auth.ok) return invalid(`malformed counter-signature (${auth.errors.map((d) => d.message).join('; ')})`);
    const expected = context === undefined ? undefined : recipientIdOf(context);
    if (expected !== undefined && auth.value.subscriberId !== expected) return invalid(`counter-signed by ${auth.value.subscriberId}, not the addressee ${expected}`);
    const found = registry.lookup(auth.value.subscriberId, auth.value.uniqueKeyId);
    if (found.kind !== 'found') return invalid(`key ${auth.value.uniqueKeyId} of ${auth.value.subscriberId} is not in the registry`);
    const nowSec = Math.floor(clock() / 1000);
    if (!found.entries.some((e) => keyUsability(e, nowSec).kind === 'usable')) return invalid(`key ${auth.value.uniqueKeyId} of ${auth.value.subscriberId} may not sign now`);
    const { signature: _s, ...unsigned } = body;
    const check = verifyCounterSignature({ ackBody: JSON.stringify(unsigned), requestDigest: digestOf(requestBody), messageId: context?.messageId ?? '', auth: auth.value, publicKey: found.publicKey });
    return check === 'valid' ? answer : invalid('the counter-signature does not verify over this answer and request');
  };

  const post = (raw: RawPost): Promise<AckOrNack> => {
    let url: URL;
    try {
      url = new URL(raw.url);
    } catch {
      return Promise.resolve(localNack(undefined, refusal('unreachable', `not a URL: ${raw.url}`)));
    }
    return new Promise<AckOrNack>((resolve) => {
      let settled = false;
      const done = (r: AckOrNack): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = request(
        url,
        { method: 'POST', agent, headers: { ...raw.headers, 'content-length': String(Buffer.byteLength(raw.body)) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const answer = readAckResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
            done(options.receiptRegistry === undefined ? answer : checkReceipt(answer, raw.body, options.receiptRegistry));
          });
          res.on('error', (e) => done(localNack(undefined, refusal('unreachable', `response from ${raw.url} failed: ${e.message}`))));
        },
      );
      const timer = setTimeout(() => {
        done(localNack(undefined, refusal('timeout', `no answer from ${raw.url} within ${raw.timeoutMs} ms`)));
        req.destroy();
      }, raw.timeoutMs);
      req.on('error', (e) => done(localNack(undefined, refusal('unreachable', `cannot reach ${raw.url}: ${e.message}`))));
      req.end(raw.body);
    });
  };

  return {
    post,
    async send({ uri, fromId, wire }) {
      const ctx = options.contextReader(wire);
      if (!ctx.ok) return localNack(wire, refusal('context-missing', `not sent, cannot read the context: ${ctx.errors.map((d) => `${d.path}: ${d.message}`).join('; ')}`, ctx.errors[0]?.path ?? 'context'));
      const errors = options.validator(wire);
      if (errors.length > 0) {
        return localNack(wire, refusal('schema-invalid', `not sent, schema validation failed: ${errors.slice(0, 5).map((d) => `${d.path}: ${d.message}`).join('; ')}`, errors[0]?.path));
      }
      const key = options.keys.get(fromId);
      if (key === undefined) return localNack(wire, refusal('internal-error', `no signing key for ${fromId}`));
      const ttl = ctx.value.ttl === undefined ? Number.NaN : ttlMsOf(ctx.value.ttl);
      const timeoutMs = Number.isFinite(ttl) && ttl > 0 ? ttl : defaultTimeoutMs;
      const body = JSON.stringify(wire);
      const createdSec = Math.floor(clock() / 1000);
      const headers: SignedHeaders = signedHeaders(body, key, createdSec, createdSec + Math.ceil(timeoutMs / 1000));
      return post({ url: actionUrl(uri, ctx.value.action, options.endpointPath), headers, body, timeoutMs });
    },
    close() {
      agent.destroy();
    },
  };
}

/** A bus endpoint that lives at `uri` (a node serving the subscriber): messages to it are POSTed by `client`. */
export function httpRemoteEndpoint(uri: string, client: HttpClient, endpointPath?: (wireAction: string) => string): RemoteEndpoint {
  return {
    deliver({ headers, body, action, ttlMs }) {
      return client.post({ url: actionUrl(uri, action, endpointPath), headers, body, timeoutMs: ttlMs });
    },
  };
}
