import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import type { AckBuilder, BecknErrorCode, NackError } from './ack.js';
import { durationSeconds } from './context.js';
import { EventQueue } from '../kernel/event-queue.js';
import { isoOf, parseIsoMs } from '../kernel/clock.js';
import { keyUsability, type RegistryIndex, type SubscriberRole } from './registry.js';
import { DIGEST_PREFIX, digestOf, parseAuthorization, verifySignature } from './signing.js';

/**
 * The receive pipeline shared by the in-process bus, the HTTP node and the offline trace
 * verifier. Given the headers, the exact body string and the receiver's current time, it either
 * accepts the message or refuses it with a NACK value carrying a canonical Beckn v2 error code.
 * It never throws on bad input. Checks run in this order, the first failure wins:
 *
 * size → JSON → Authorization present and well-formed → subscriber and key registered → key
 * usable now → `Digest` header (when sent) matches the body → signature → created/expires window
 * → context readable → signer is the caller (bapId for requests, bppId for `on_*` callbacks, in
 * that registered role) → action and recipient match the endpoint → schema → message id not
 * replayed → context ttl not expired.
 */

/** The context fields the transport needs, read by the profile. */
export interface WireContext {
  readonly action: string;
  readonly bapId?: string;
  readonly bppId?: string;
  readonly bapUri?: string;
  readonly bppUri?: string;
  readonly transactionId?: string;
  readonly messageId: string;
  /** RFC 3339. */
  readonly timestamp: string;
  /** ISO 8601 duration, e.g. `PT30S`. */
  readonly ttl?: string;
}

/** Validates a parsed message against its profile's schemas; empty when valid. */
export type MessageValidator = (wire: unknown) => readonly Diagnostic[];
/** Reads the context of a parsed message, or says why it cannot. */
export type ContextReader = (wire: unknown) => Result<WireContext>;

/** Every way a message can be refused, each with its Beckn code and HTTP status. */
export const REFUSALS = {
  /** The body exceeds the receiver's size limit. */
  'body-too-large': { code: 'SCH_INVALID_FORMAT', httpStatus: 413 },
  /** The body is not JSON (or not a JSON object). */
  'malformed-json': { code: 'SCH_INVALID_JSON', httpStatus: 400 },
  /** No Authorization header. */
  'signature-missing': { code: 'AUT_SIGNATURE_MISSING', httpStatus: 401 },
  /** The Authorization header is not a well-formed Beckn signature. */
  'signature-malformed': { code: 'AUT_SIGNATURE_INVALID', httpStatus: 401 },
  /** The keyId's subscriber is not in the registry. */
  'subscriber-unknown': { code: 'AUT_SUBSCRIBER_NOT_FOUND', httpStatus: 401 },
  /** The subscriber has no key with the keyId's unique key id. */
  'key-unknown': { code: 'AUT_KEY_NOT_FOUND', httpStatus: 401 },
  /** The key is registered but not usable now: status not SUBSCRIBED, or outside validFrom/validUntil. */
  'key-unusable': { code: 'AUT_KEY_EXPIRED_OR_REVOKED', httpStatus: 401 },
  /** A `Digest` header was sent and does not match the body. */
  'digest-mismatch': { code: 'AUT_SIGNATURE_INVALID', httpStatus: 401 },
  /** The signature does not verify with the registered key over this body. */
  'signature-invalid': { code: 'AUT_SIGNATURE_INVALID', httpStatus: 401 },
  /** The signature's `expires` is in the past. */
  'signature-expired': { code: 'AUT_SIGNATURE_INVALID', httpStatus: 401 },
  /** The signature's `created` is more than the allowed skew in the future. */
  'signature-not-yet-valid': { code: 'AUT_SIGNATURE_INVALID', httpStatus: 401 },
  /** The context cannot be read (missing action, message id, timestamp). */
  'context-missing': { code: 'CTX_MISSING_FIELD', httpStatus: 400 },
  /** A context field has an unusable value (timestamp, ttl, recipient). */
  'context-invalid': { code: 'CTX_INVALID_FIELD', httpStatus: 400 },
  /** The endpoint's action differs from `context.action`. */
  'action-mismatch': { code: 'CTX_ACTION_MISMATCH', httpStatus: 400 },
  /** The signer is not the caller named in the context, or not registered in the caller's role. */
  'signer-not-caller': { code: 'AUT_UNAUTHORIZED_ACTION', httpStatus: 401 },
  /** The message fails the profile's schemas. */
  'schema-invalid': { code: 'SCH_SCHEMA_VALIDATION_FAILED', httpStatus: 400 },
  /** The same signer already delivered this action with this message id. */
  'replay': { code: 'AUT_REPLAY_DETECTED', httpStatus: 401 },
  /** `context.timestamp + ttl` is in the past. */
  'ttl-expired': { code: 'CTX_TTL_EXPIRED', httpStatus: 400 },
  /** The node's rate limit is exceeded (HTTP only). */
  'rate-limited': { code: 'AUT_RATE_LIMITED', httpStatus: 429 },
  /** No endpoint for this subscriber or path at the node (HTTP only). */
  'no-endpoint': { code: 'NET_NOT_IMPLEMENTED', httpStatus: 404 },
  /** The receiver did not answer within the ttl (sender side). */
  'timeout': { code: 'NET_TIMEOUT', httpStatus: 504 },
  /** The message was lost on the link and the ttl ran out (bus, sender side). */
  'lost': { code: 'NET_ACK_TIMEOUT', httpStatus: 504 },
  /** The receiver could not be reached (sender side). */
  'unreachable': { code: 'NET_DOWNSTREAM_UNAVAILABLE', httpStatus: 502 },
  /** The receiver failed internally. */
  'internal-error': { code: 'NET_INTERNAL_ERROR', httpStatus: 500 },
  /** A remote node refused with a code the transport does not produce itself (e.g. a BIZ_ or POL_ code). */
  'remote-refused': { code: 'NET_INTERNAL_ERROR', httpStatus: 400 },
  /** The receiver's answer lacks a valid counter-signature from the addressee (sender side, when receipts are checked). */
  'receipt-invalid': { code: 'AUT_SIGNATURE_INVALID', httpStatus: 502 },
} as const satisfies Record<string, { readonly code: BecknErrorCode; readonly httpStatus: number }>;

/** A machine-readable refusal reason; see `REFUSALS`. */
export type RefusalReason = keyof typeof REFUSALS;

/** Why a message was refused. `code` is one of ours, or whatever a remote node answered. */
export interface Refusal {
  readonly reason: RefusalReason;
  readonly code: BecknErrorCode | (string & Record<never, never>);
  readonly httpStatus: number;
  readonly message: string;
  readonly path?: string;
}

/** Builds a refusal value for a reason. */
export function refusal(reason: RefusalReason, message: string, path?: string): Refusal {
  const r = REFUSALS[reason];
  return path === undefined ? { reason, code: r.code, httpStatus: r.httpStatus, message } : { reason, code: r.code, httpStatus: r.httpStatus, message, path };
}

/** A message that passed every check. */
export interface AcceptedMessage {
  /** The parsed body. */
  readonly wire: unknown;
  /** The exact body string received. */
  readonly body: string;
  readonly context: WireContext;
  readonly signer: { readonly subscriberId: string; readonly uniqueKeyId: string };
  /** The Authorization header as received. */
  readonly authorization: string;
  /** Base64 BLAKE2b-512 of the body. */
  readonly digest: string;
}

/** The synchronous answer to a message. */
export type AckOrNack =
  | { readonly status: 'ACK'; readonly httpStatus: 200; readonly body: unknown }
  | { readonly status: 'NACK'; readonly httpStatus: number; readonly body: unknown; readonly refusal: Refusal };

/** What `receive` returns: the answer and, when accepted, the message for the handler. */
export interface ReceiveOutcome {
  readonly response: AckOrNack;
  readonly accepted: AcceptedMessage | null;
}

/** The request as it arrived. Header names are matched case-insensitively. */
export interface ReceiveInput {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The exact body string. */
  readonly body: string;
  /** The receiver's current time in Unix seconds (simulated, or wall clock for a live node). */
  readonly nowSec: number;
  /** The action of the endpoint the message arrived at (`POST /{action}`), when known. */
  readonly endpointAction?: string;
  /** The subscriber the message was delivered to; a request must name it as bppId, a callback as bapId. */
  readonly recipientId?: string;
}

/** Remembers which (signer, action, message id) were accepted, until their signature and ttl have run out. */
export interface ReplayCache {
  /** True if the key was already recorded and has not expired at `nowSec`; otherwise records it until `untilSec`. */
  seenOrRecord(key: string, untilSec: number, nowSec: number): boolean;
  readonly size: number;
}

/**
 * A replay cache bounded by expiry: entries are forgotten once `untilSec` has passed (oldest
 * first, via the kernel event queue), and at most `maxEntries` are kept (the soonest to expire
 * are dropped first when full).
 */
export function createReplayCache(maxEntries = 1_000_000): ReplayCache {
  const until = new Map<string, number>();
  const expiries = new EventQueue<string>();
  const purge = (nowSec: number): void => {
    for (;;) {
      const top = expiries.peek();
      if (top === undefined || (top.atMs > nowSec && until.size <= maxEntries)) return;
      expiries.pop();
      if (until.get(top.payload) === top.atMs) until.delete(top.payload);
    }
  };
  return {
    seenOrRecord(key, untilSec, nowSec) {
      purge(nowSec);
      const prev = until.get(key);
      if (prev !== undefined && prev >= nowSec) return true;
      until.set(key, untilSec);
      expiries.push(untilSec, key);
      purge(nowSec);
      return false;
    },
    get size() {
      return until.size;
    },
  };
}

/** Limits of the receive pipeline. */
export interface ReceiveLimits {
  /** Default 1 MiB. */
  readonly maxBodyBytes: number;
  /** How far `created` may lie in the future, seconds (clock skew). Default 5. */
  readonly maxFutureSkewSec: number;
}

export const DEFAULT_RECEIVE_LIMITS: ReceiveLimits = { maxBodyBytes: 1 << 20, maxFutureSkewSec: 5 };

/** What the pipeline depends on; all passed in so the bus, the HTTP node and the verifier share it. */
export interface ReceiveDeps {
  readonly registry: RegistryIndex;
  readonly replayCache: ReplayCache;
  readonly validator: MessageValidator;
  readonly contextReader: ContextReader;
  readonly ackBuilder: AckBuilder;
  readonly limits?: Partial<ReceiveLimits>;
}

/** Reads one header case-insensitively; a repeated header yields its first value. */
export function headerValue(headers: ReceiveInput['headers'], name: string): string | undefined {
  const direct = headers[name];
  const v = direct !== undefined ? direct : headers[Object.keys(headers).find((k) => k.toLowerCase() === name) ?? ''];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

/** True for Beckn callback actions (`on_*`, including `catalog/on_*`). */
export function isCallbackAction(action: string): boolean {
  return /(^|\/)on_/.test(action);
}

/** The role of the caller of an action: BAP for requests, BPP for callbacks. */
export function callerRoleOf(action: string): SubscriberRole {
  return isCallbackAction(action) ? 'BPP' : 'BAP';
}

/** The subscriber id that must sign a message: bapId for requests, bppId for callbacks. */
export function callerIdOf(context: WireContext): string | undefined {
  return isCallbackAction(context.action) ? context.bppId : context.bapId;
}

/** The subscriber a message is addressed to: bppId for requests, bapId for callbacks. */
export function recipientIdOf(context: WireContext): string | undefined {
  return isCallbackAction(context.action) ? context.bapId : context.bppId;
}

/** An ISO 8601 ttl (`PT30S`, `P1DT2H`) in milliseconds; NaN when it is not a duration of fixed length. */
export function ttlMsOf(ttl: string): number {
  const s = durationSeconds(ttl);
  return s === undefined ? Number.NaN : Math.round(s * 1000);
}

/** The instant (ms) a message's ttl runs out: timestamp + ttl, or NaN when either cannot be read. Infinity without ttl. */
export function ttlDeadlineMs(context: WireContext): number {
  const t = parseIsoMs(context.timestamp);
  if (context.ttl === undefined) return Number.isNaN(t) ? Number.NaN : Number.POSITIVE_INFINITY;
  return t + ttlMsOf(context.ttl);
}

function diagnosticText(ds: readonly Diagnostic[]): string {
  const shown = ds.slice(0, 5).map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`));
  return ds.length > 5 ? `${shown.join('; ')}; and ${ds.length - 5} more` : shown.join('; ');
}

/** The NACK answer for a refusal. */
export function nackOf(wire: unknown, r: Refusal, ackBuilder: AckBuilder): AckOrNack {
  const error: NackError = r.path === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, path: r.path };
  return { status: 'NACK', httpStatus: r.httpStatus, body: ackBuilder.nack(wire, error), refusal: r };
}

/** Runs the receive pipeline. Never throws on bad input: every refusal is a NACK value. */
export function receive(input: ReceiveInput, deps: ReceiveDeps): ReceiveOutcome {
  const limits = { ...DEFAULT_RECEIVE_LIMITS, ...deps.limits };
  let wire: unknown;
  const refuse = (reason: RefusalReason, message: string, path?: string): ReceiveOutcome => ({
    response: nackOf(wire, refusal(reason, message, path), deps.ackBuilder),
    accepted: null,
  });
  const { body, nowSec } = input;

  const bytes = body.length > limits.maxBodyBytes / 3 ? Buffer.byteLength(body, 'utf8') : body.length;
  if (bytes > limits.maxBodyBytes) return refuse('body-too-large', `body of ${bytes} bytes exceeds the limit of ${limits.maxBodyBytes} bytes`);

  try {
    wire = JSON.parse(body) as unknown;
  } catch (e) {
    wire = undefined;
    return refuse('malformed-json', `body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) {
    const kind = Array.isArray(wire) ? 'an array' : wire === null ? 'null' : typeof wire;
    wire = undefined;
    return refuse('malformed-json', `body must be a JSON object, got ${kind}`);
  }

  const header = headerValue(input.headers, 'authorization');
  if (header === undefined || header.trim() === '') return refuse('signature-missing', 'no Authorization header: every Beckn message must be signed', 'headers.authorization');
  const parsedAuth = parseAuthorization(header);
  if (!parsedAuth.ok) return refuse('signature-malformed', `malformed Authorization header: ${diagnosticText(parsedAuth.errors)}`, 'headers.authorization');
  const auth = parsedAuth.value;

  const found = deps.registry.lookup(auth.subscriberId, auth.uniqueKeyId);
  if (found.kind === 'unknown-subscriber') return refuse('subscriber-unknown', `subscriber ${auth.subscriberId} is not in the registry`, 'headers.authorization');
  if (found.kind === 'unknown-key') return refuse('key-unknown', `subscriber ${auth.subscriberId} has no key ${auth.uniqueKeyId} in the registry`, 'headers.authorization');

  const usable = found.entries.map((e) => keyUsability(e, nowSec));
  if (!usable.some((u) => u.kind === 'usable')) {
    const u = usable[0];
    const why =
      u === undefined ? 'no entry'
        : u.kind === 'status' ? `its registry status is ${u.status}`
        : u.kind === 'not-yet-valid' ? `it is valid only from ${u.validFrom}`
        : u.kind === 'expired' ? `it expired at ${u.validUntil}`
        : 'unknown';
    return refuse('key-unusable', `key ${auth.uniqueKeyId} of ${auth.subscriberId} may not sign now: ${why}`, 'headers.authorization');
  }

  const digest = digestOf(body);
  const digestHeader = headerValue(input.headers, 'digest');
  if (digestHeader !== undefined && digestHeader.trim() !== `${DIGEST_PREFIX}${digest}`) {
    return refuse('digest-mismatch', 'the Digest header does not match the BLAKE2b-512 digest of the body: the body was altered', 'headers.digest');
  }

  if (verifySignature({ digest, auth, publicKey: found.publicKey }) !== 'valid') {
    return refuse('signature-invalid', `the signature does not verify with key ${auth.uniqueKeyId} of ${auth.subscriberId} over this body`, 'headers.authorization');
  }

  if (auth.createdSec > nowSec + limits.maxFutureSkewSec) {
    return refuse('signature-not-yet-valid', `signature created at ${auth.createdSec}, ${auth.createdSec - nowSec} s in the future (allowed skew ${limits.maxFutureSkewSec} s)`, 'headers.authorization');
  }
  if (auth.expiresSec < nowSec) {
    return refuse('signature-expired', `signature expired at ${auth.expiresSec}, ${nowSec - auth.expiresSec} s ago`, 'headers.authorization');
  }

  const ctxResult = deps.contextReader(wire);
  if (!ctxResult.ok) return refuse('context-missing', `cannot read the context: ${diagnosticText(ctxResult.errors)}`, ctxResult.errors[0]?.path ?? 'context');
  const context = ctxResult.value;

  const callerRole = callerRoleOf(context.action);
  const callerField = callerRole === 'BAP' ? 'bapId' : 'bppId';
  const callerId = callerIdOf(context);
  if (callerId !== auth.subscriberId) {
    return refuse('signer-not-caller', `signed by ${auth.subscriberId} but the caller of ${context.action} is ${callerField} ${callerId ?? '(absent)'}`, `context.${callerField}`);
  }
  if (!found.entries.some((e, i) => e.role === callerRole && usable[i]?.kind === 'usable')) {
    return refuse('signer-not-caller', `${auth.subscriberId} signs ${context.action} as ${callerRole} but key ${auth.uniqueKeyId} is not registered in that role`, `context.${callerField}`);
  }

  if (input.endpointAction !== undefined && input.endpointAction !== context.action) {
    return refuse('action-mismatch', `posted to /${input.endpointAction} but context.action is ${context.action}`, 'context.action');
  }
  if (input.recipientId !== undefined) {
    const to = recipientIdOf(context);
    const toField = callerRole === 'BAP' ? 'bppId' : 'bapId';
    if (to !== undefined && to !== input.recipientId) {
      return refuse('context-invalid', `delivered to ${input.recipientId} but context.${toField} is ${to}`, `context.${toField}`);
    }
  }

  const schemaErrors = deps.validator(wire);
  if (schemaErrors.length > 0) return refuse('schema-invalid', `schema validation failed: ${diagnosticText(schemaErrors)}`, schemaErrors[0]?.path);

  const deadlineMs = ttlDeadlineMs(context);
  if (Number.isNaN(deadlineMs)) {
    const bad = Number.isNaN(parseIsoMs(context.timestamp)) ? 'timestamp' : 'ttl';
    return refuse('context-invalid', `context.${bad} cannot be read (${bad === 'timestamp' ? context.timestamp : context.ttl})`, `context.${bad}`);
  }

  const replayUntil = Math.max(auth.expiresSec, Number.isFinite(deadlineMs) ? Math.ceil(deadlineMs / 1000) : auth.expiresSec);
  if (deps.replayCache.seenOrRecord(`${auth.subscriberId}\u0000${context.action}\u0000${context.messageId}`, replayUntil, nowSec)) {
    return refuse('replay', `message ${context.messageId} (${context.action}) from ${auth.subscriberId} was already received`, 'context.messageId');
  }

  if (deadlineMs < nowSec * 1000) {
    return refuse('ttl-expired', `the message expired at timestamp + ttl = ${isoOf(deadlineMs)}, ${Math.round(nowSec - deadlineMs / 1000)} s ago`, 'context.ttl');
  }

  return {
    response: { status: 'ACK', httpStatus: 200, body: deps.ackBuilder.ack(wire) },
    accepted: { wire, body, context, signer: { subscriberId: auth.subscriberId, uniqueKeyId: auth.uniqueKeyId }, authorization: header, digest },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the transport fields of a Beckn context whatever the profile: camelCase (Beckn 2.0.0,
 * `bapId`, `messageId`) or snake_case (the DEG order draft, `bap_id`, `message_id`). Action,
 * message id and timestamp are required; the rest are optional. Formats are left to the schemas.
 */
export const readWireContext: ContextReader = (wire) => {
  if (!isRecord(wire) || !isRecord(wire['context'])) return fail([{ code: 'context.missing', path: 'context', message: 'the message has no context object' }]);
  const c = wire['context'];
  const pick = (camel: string, snake: string): string | undefined => {
    const v = c[camel] ?? c[snake];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const action = pick('action', 'action');
  const messageId = pick('messageId', 'message_id');
  const timestamp = pick('timestamp', 'timestamp');
  const errors: Diagnostic[] = [];
  if (action === undefined) errors.push({ code: 'context.missing', path: 'context.action', message: 'action is required' });
  if (messageId === undefined) errors.push({ code: 'context.missing', path: 'context.messageId', message: 'messageId is required' });
  if (timestamp === undefined) errors.push({ code: 'context.missing', path: 'context.timestamp', message: 'timestamp is required' });
  if (action === undefined || messageId === undefined || timestamp === undefined) return fail(errors);
  const optional: { -readonly [K in keyof WireContext]?: string } = {};
  for (const [camel, snake] of [['bapId', 'bap_id'], ['bppId', 'bpp_id'], ['bapUri', 'bap_uri'], ['bppUri', 'bpp_uri'], ['transactionId', 'transaction_id'], ['ttl', 'ttl']] as const) {
    const v = pick(camel, snake);
    if (v !== undefined) optional[camel] = v;
  }
  return ok({ ...optional, action, messageId, timestamp });
};

/** The fields the transport reads from a profile's own context reader (`Profile.contextOf`). */
export interface ProfileContextFields {
  /** The action as spelled on the wire and in the endpoint path. */
  readonly wireAction: string;
  readonly messageId: string;
  readonly timestamp: string;
  readonly ttl?: string;
  readonly bapId?: string;
  readonly bppId?: string;
  readonly bapUri?: string;
  readonly bppUri?: string;
  readonly transactionId?: string;
}

/** Adapts a profile's context reader to the transport's: the wire action, ids, URIs, timestamp and ttl. */
export function contextReaderOf(contextOf: (wire: unknown) => Result<ProfileContextFields>): ContextReader {
  return (wire) => {
    const r = contextOf(wire);
    if (!r.ok) return r;
    const c = r.value;
    const out: { -readonly [K in keyof WireContext]?: string } = {};
    for (const k of ['bapId', 'bppId', 'bapUri', 'bppUri', 'transactionId', 'ttl'] as const) {
      const v = c[k];
      if (v !== undefined) out[k] = v;
    }
    return ok({ ...out, action: c.wireAction, messageId: c.messageId, timestamp: c.timestamp });
  };
}
