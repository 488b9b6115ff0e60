import type { Diagnostic } from '../diagnostics.js';
import { DEFAULT_PROFILE, detectProfile, type ProfileId } from './context.js';

/**
 * The synchronous ACK/NACK of every Beckn message, as values in each profile's shape, and the
 * table of Beckn error codes the transports refuse messages with.
 *
 * Codes are the canonical Beckn v2 codes (prefix = protocol layer: CTX_ context, AUT_ trust,
 * SCH_ schema, NET_ network, BIZ_ business, POL_ policy), which Beckn 2.0 networks put on the
 * wire. Each also carries its legacy numeric equivalent from the v1 registries (BECKN-005 and the
 * network registries built on it): 10000-range for context and gateway errors, 20000-range when
 * a BAP refuses a callback, 30000–50000-range when a BPP refuses a request. The NACK body carries
 * both: the v2 code as the error code, the legacy code in the details.
 */

/** Who refused: the BPP refuses requests, the BAP refuses `on_*` callbacks. */
export type Receiver = 'BPP' | 'BAP';

export interface BecknErrorEntry {
  /** What the code means. */
  readonly description: string;
  /** HTTP status of a synchronous NACK with this code. */
  readonly httpStatus: number;
  /** Whether the sender may retry the same message unchanged. */
  readonly retryable: boolean;
  /** Legacy numeric code when a BPP refuses a request / a BAP refuses a callback. */
  readonly legacy: { readonly BPP?: string; readonly BAP?: string };
}

const e = (description: string, httpStatus: number, retryable: boolean, BPP?: string, BAP?: string): BecknErrorEntry => ({
  description,
  httpStatus,
  retryable,
  legacy: { ...(BPP === undefined ? {} : { BPP }), ...(BAP === undefined ? {} : { BAP }) },
});

const SIGNATURE = ['30016', '20001'] as const;
const STALE = ['30022', '20002'] as const;
const INVALID = ['30000', '20006'] as const;

/** The canonical Beckn v2 error codes with their HTTP status, retryability and legacy codes. */
export const BECKN_ERRORS = {
  CTX_MISSING_FIELD: e('A required context field is missing.', 400, false, '10000', '10000'),
  CTX_INVALID_FIELD: e('A context field has an invalid value or format.', 400, false, '10000', '10000'),
  CTX_ACTION_MISMATCH: e('The endpoint does not match context.action.', 400, false, '10000', '10000'),
  CTX_VERSION_UNSUPPORTED: e('The protocol version is not supported.', 400, false, '10000', '10000'),
  CTX_TTL_EXPIRED: e('The message arrived after timestamp + ttl.', 400, false, '30022', '20009'),
  CTX_MESSAGE_ID_DUPLICATE: e('The message id was already seen.', 400, false, ...STALE),
  CTX_TRANSACTION_ID_UNKNOWN: e('The transaction id refers to no known transaction.', 400, false, '10000', '20008'),
  CTX_CALLBACK_URL_MISSING: e('The callback URI is missing or cannot be resolved.', 400, false, '10000', '10000'),
  CTX_INVALID_BPP_URI: e('The BPP URI is invalid.', 400, false, '10000', '10000'),
  AUT_SIGNATURE_MISSING: e('The Authorization signature is missing.', 401, false, ...SIGNATURE),
  AUT_SIGNATURE_INVALID: e('The signature does not verify (tampered body, wrong key, expired or malformed).', 401, false, ...SIGNATURE),
  AUT_SUBSCRIBER_NOT_FOUND: e('The signing subscriber is not in the registry.', 401, false, ...SIGNATURE),
  AUT_KEY_NOT_FOUND: e('The subscriber has no key with that key id.', 401, false, ...SIGNATURE),
  AUT_KEY_EXPIRED_OR_REVOKED: e('The key is expired or revoked.', 401, false, ...SIGNATURE),
  AUT_UNAUTHORIZED_ACTION: e('The signer may not send this action (not the caller, or not in that role).', 401, false, ...SIGNATURE),
  AUT_DOMAIN_NOT_ALLOWED: e('The subscriber is not allowed in this domain or network.', 401, false, ...SIGNATURE),
  AUT_REPLAY_DETECTED: e('The same signed message was already delivered.', 401, false, ...STALE),
  AUT_RATE_LIMITED: e('The sender exceeded the rate limit.', 429, true),
  SCH_INVALID_JSON: e('The body is not valid JSON.', 400, false, ...INVALID),
  SCH_SCHEMA_VALIDATION_FAILED: e('The message violates the schema.', 400, false, ...INVALID),
  SCH_REQUIRED_FIELD_MISSING: e('A required field is missing.', 400, false, ...INVALID),
  SCH_FIELD_NOT_ALLOWED: e('A field is not allowed by the schema.', 400, false, ...INVALID),
  SCH_INVALID_ENUM: e('A value is not one of the allowed values.', 400, false, ...INVALID),
  SCH_INVALID_FORMAT: e('A value has the wrong format (date-time, URI, UUID, pattern).', 400, false, ...INVALID),
  SCH_INVALID_JSONPATH: e('A discover filter is not a JSONPath the receiver can evaluate.', 400, false, ...INVALID),
  SCH_INVALID_JSONLD_CONTEXT: e('A JSON-LD context is invalid or unknown.', 400, false, ...INVALID),
  SCH_TYPE_NOT_SUPPORTED: e('An attribute pack @type is not supported in that slot.', 400, false, ...INVALID),
  SCH_ATTRIBUTE_PACK_INVALID: e('An attribute pack breaks a rule of its own (unsorted curve, totals that do not add up, …).', 400, false, ...INVALID),
  SCH_INVALID_ENTITY_TYPE: e('A discover query names an entity type the receiver does not hold.', 400, false, ...INVALID),
  SCH_SCHEMA_ADAPTATION_FAILED: e('A discovery service could not adapt the query to a catalogue schema.', 400, false, ...INVALID),
  NET_TIMEOUT: e('No answer within the ttl.', 504, true, undefined, '20009'),
  NET_DOWNSTREAM_UNAVAILABLE: e('A service the receiver depends on is unavailable.', 503, true),
  NET_CALLBACK_FAILED: e('The callback could not be delivered.', 502, true),
  NET_ACK_TIMEOUT: e('No ACK within the expected time.', 504, true),
  NET_OVERLOADED: e('The receiver is overloaded.', 503, true),
  NET_INTERNAL_ERROR: e('The receiver failed internally.', 500, true, '31001', '23001'),
  NET_NOT_IMPLEMENTED: e('The receiver does not implement this action or endpoint.', 501, false, '40001', '21001'),
  NET_CATALOG_SOURCE_UNAVAILABLE: e('The catalogue source is unavailable.', 503, true),
  NET_CATALOG_STALE: e('The catalogue is older than allowed.', 503, true),
  BIZ_PROVIDER_NOT_FOUND: e('Provider not found.', 409, false, '30001'),
  BIZ_LOCATION_NOT_FOUND: e('Location not found.', 409, false, '30002'),
  BIZ_CATEGORY_NOT_FOUND: e('Category not found.', 409, false, '30003'),
  BIZ_ITEM_NOT_FOUND: e('Resource (item) not found.', 409, false, '30004'),
  BIZ_OFFER_NOT_FOUND: e('Offer not found.', 409, false, '30006'),
  BIZ_ADDON_NOT_FOUND: e('Add-on not found.', 409, false, '30007'),
  BIZ_ORDER_NOT_FOUND: e('Contract (order) not found.', 409, false, '30010'),
  BIZ_QUANTITY_UNAVAILABLE: e('The quantity asked for is not available (e.g. above the approved trade limit).', 409, false, '40002'),
  BIZ_FULFILLMENT_UNAVAILABLE: e('The fulfilment asked for is not available.', 409, false, '30008'),
  BIZ_QUOTE_EXPIRED_OR_CHANGED: e('The quoted terms expired or changed.', 409, false, '40003'),
  BIZ_PRICE_MISMATCH: e('The price differs from the computed price.', 409, false),
  BIZ_PAYMENT_NOT_SUPPORTED: e('The payment method is not supported.', 409, false, '40004'),
  BIZ_PAYMENT_FAILED: e('The payment failed.', 409, true),
  BIZ_TRACKING_NOT_SUPPORTED: e('Tracking is not supported.', 409, false, '40005'),
  BIZ_SUPPORT_NOT_AVAILABLE: e('Support is not available.', 409, false, '50004'),
  BIZ_NO_RESULTS_FOUND: e('Nothing matched the discover query.', 409, false),
  BIZ_INVALID_STATE_TRANSITION: e('The contract cannot move to that state.', 409, false),
  BIZ_ALREADY_CANCELLED: e('The contract is already terminated.', 409, false),
  BIZ_ALREADY_CONFIRMED: e('The contract is already confirmed.', 409, false),
  BIZ_UPDATE_INCONSISTENT: e('The update changes more than it names.', 409, false, '30013'),
  BIZ_INVALID_UPDATE_TARGET: e('The update target is invalid.', 409, false, '30012'),
  BIZ_INVALID_CANCELLATION_REASON: e('The cancellation reason is invalid.', 409, false, '30011'),
  BIZ_RATING_TARGET_NOT_FOUND: e('The rated entity was not found.', 409, false, '30014'),
  BIZ_INVALID_RATING_VALUE: e('The rating value is invalid.', 409, false, '30015'),
  BIZ_GENERIC_ERROR: e('Business error (deprecated catch-all).', 409, false, '40000'),
  POL_CANCELLATION_NOT_ALLOWED: e('Cancellation is not allowed by policy (e.g. after gate closure).', 409, false, '50001'),
  POL_UPDATE_NOT_ALLOWED: e('The update is not allowed by policy.', 409, false, '50002'),
  POL_GEO_RESTRICTED: e('Not offered in that geography.', 409, false),
  POL_ELIGIBILITY_NOT_MET: e('Eligibility criteria are not met.', 409, false),
  POL_KYC_REQUIRED: e('KYC is required first.', 409, false),
  POL_CONSENT_REQUIRED: e('Consent is required first.', 409, false),
  POL_SANCTIONED_PARTY: e('The party is blocked.', 409, false),
  POL_CALLER_TRUST_INSUFFICIENT: e('The caller is below the receiver\u2019s trust threshold.', 409, false),
  POL_NP_CAPACITY_EXCEEDED: e('The receiver is at its engagement capacity.', 409, true),
  POL_NP_DORMANT: e('The receiver is in a scheduled inactive window.', 409, true),
  POL_ENGAGEMENT_REFUSED: e('The receiver declines to engage.', 409, false),
  POL_GENERIC_ERROR: e('Policy error (deprecated catch-all).', 409, false, '50000'),
} as const satisfies Readonly<Record<string, BecknErrorEntry>>;

export type BecknErrorCode = keyof typeof BECKN_ERRORS;

/** True for a canonical Beckn v2 error code. */
export function isBecknErrorCode(code: string): code is BecknErrorCode {
  return Object.hasOwn(BECKN_ERRORS, code);
}

/** The error of a NACK: a Beckn code, a message a person can act on and the failing JSON path. */
export interface NackError {
  readonly code: BecknErrorCode | (string & Record<never, never>);
  readonly message: string;
  readonly path?: string;
}

/** Which side refuses a message of this wire action: the BAP for `on_*`, the BPP otherwise. */
export function receiverOf(wireAction: string | undefined): Receiver {
  return wireAction !== undefined && wireAction.startsWith('on_') ? 'BAP' : 'BPP';
}

/** The legacy numeric code of a v2 code for a receiver, when one exists. */
export function legacyCodeOf(code: string, receiver: Receiver): string | undefined {
  return isBecknErrorCode(code) ? (BECKN_ERRORS[code].legacy as { BPP?: string; BAP?: string })[receiver] : undefined;
}

/** HTTP status of a NACK with this code (400 for an unknown code). */
export function httpStatusOf(code: string): number {
  return isBecknErrorCode(code) ? BECKN_ERRORS[code].httpStatus : 400;
}

/**
 * The Beckn error for a list of validation diagnostics: the code of the first one (context
 * problems first, as the validator reports them), its path, and a message naming it and how many
 * more there are.
 */
export function becknErrorOf(diagnostics: readonly Diagnostic[]): NackError {
  const first = diagnostics[0];
  if (first === undefined) return { code: 'SCH_SCHEMA_VALIDATION_FAILED', message: 'the message is invalid' };
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more problem${diagnostics.length > 2 ? 's' : ''})` : '';
  return { code: codeOfDiagnostic(first), message: `${first.path === '' ? '' : `${first.path}: `}${first.message}${more}`, ...(first.path === '' ? {} : { path: first.path }) };
}

/** The Beckn code of one diagnostic of `validateMessage` or a profile's parse. */
export function codeOfDiagnostic(d: Diagnostic): BecknErrorCode {
  if (d.path === 'context' || d.path.startsWith('context.')) {
    if (d.code === 'schema.required') return 'CTX_MISSING_FIELD';
    if (d.path === 'context.version') return 'CTX_VERSION_UNSUPPORTED';
    return 'CTX_INVALID_FIELD';
  }
  switch (d.code) {
    case 'json.syntax':
    case 'message.type':
      return 'SCH_INVALID_JSON';
    case 'schema.required':
      return 'SCH_REQUIRED_FIELD_MISSING';
    case 'schema.additionalProperties':
      return 'SCH_FIELD_NOT_ALLOWED';
    case 'schema.enum':
    case 'schema.const':
      return 'SCH_INVALID_ENUM';
    case 'schema.format':
    case 'schema.pattern':
      return 'SCH_INVALID_FORMAT';
    case 'schema.type-unsupported':
      return 'SCH_TYPE_NOT_SUPPORTED';
    case 'intent.unrecognised':
      return 'SCH_INVALID_JSONPATH';
    default:
      return /^(curve|settlement|interval|unique|reading)\b/.test(d.code) ? 'SCH_ATTRIBUTE_PACK_INVALID' : 'SCH_SCHEMA_VALIDATION_FAILED';
  }
}

export interface AckOptions {
  /** Profile of the response; detected from the message's context when absent. */
  readonly profile?: ProfileId;
  /** Receiver's current time (RFC 3339, the simulated clock): the order draft stamps its ACKs. Defaults to the message's timestamp. */
  readonly timestamp?: string;
  /** Counter-signature of the receiver (Beckn 2.0.0), when the transport has made it. */
  readonly signature?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function facts(wire: unknown): { profile: ProfileId | undefined; action?: string; transactionId?: string; timestamp?: string } {
  const profile = detectProfile(wire);
  const c = isRecord(wire) && isRecord(wire['context']) ? wire['context'] : {};
  const s = (k: string): string | undefined => (typeof c[k] === 'string' ? c[k] : undefined);
  const action = s('action');
  const transactionId = s(profile === 'deg-order-draft' ? 'transaction_id' : 'transactionId');
  const timestamp = s('timestamp');
  return { profile, ...(action === undefined ? {} : { action }), ...(transactionId === undefined ? {} : { transactionId }), ...(timestamp === undefined ? {} : { timestamp }) };
}

const EPOCH = '1970-01-01T00:00:00Z';

/** The ACK body for a message, in its profile's shape. */
export function ack(wire: unknown, options: AckOptions = {}): Record<string, unknown> {
  const f = facts(wire);
  const profile = options.profile ?? f.profile ?? DEFAULT_PROFILE;
  if (profile === 'deg-order-draft') {
    return { transaction_id: f.transactionId ?? '', timestamp: options.timestamp ?? f.timestamp ?? EPOCH, ack_status: 'ACK' };
  }
  return { status: 'ACK', ...(options.signature === undefined ? {} : { signature: options.signature }) };
}

/**
 * The NACK body for a message (or for a body that could not be parsed: pass undefined), in its
 * profile's shape, with the Beckn code, the message, the path and the legacy code for the side
 * that refuses it.
 */
export function nack(wire: unknown, error: NackError, options: AckOptions = {}): Record<string, unknown> {
  const f = facts(wire);
  const profile = options.profile ?? f.profile ?? DEFAULT_PROFILE;
  const legacyCode = legacyCodeOf(error.code, receiverOf(f.action));
  if (profile === 'deg-order-draft') {
    return {
      transaction_id: f.transactionId ?? '',
      timestamp: options.timestamp ?? f.timestamp ?? EPOCH,
      ack_status: 'NACK',
      error: {
        code: error.code,
        message: error.message,
        ...(error.path === undefined ? {} : { paths: error.path }),
        ...(legacyCode === undefined ? {} : { details: { legacyCode } }),
      },
    };
  }
  const details = { ...(error.path === undefined ? {} : { path: error.path }), ...(legacyCode === undefined ? {} : { legacyCode }) };
  return {
    status: 'NACK',
    ...(options.signature === undefined ? {} : { signature: options.signature }),
    error: { errorCode: error.code, errorMessage: error.message, ...(Object.keys(details).length === 0 ? {} : { errorDetails: details }) },
  };
}

/** The NACK body for a message that failed validation, from its diagnostics. */
export function nackForDiagnostics(wire: unknown, diagnostics: readonly Diagnostic[], options: AckOptions = {}): Record<string, unknown> {
  return nack(wire, becknErrorOf(diagnostics), options);
}

/** Adds the receiver's counter-signature to a Beckn 2.0.0 ACK/NACK body (signature right after status). */
export function withCounterSignature(body: Readonly<Record<string, unknown>>, signature: string): Record<string, unknown> {
  const { status, signature: _old, ...rest } = body;
  return { status, signature, ...rest };
}

/** An ACK/NACK builder bound to a profile and a clock, for the transports. */
export interface AckBuilder {
  ack(wire: unknown): Record<string, unknown>;
  nack(wire: unknown, error: NackError): Record<string, unknown>;
}

/** A builder that answers in `profile` (or each message's own profile) stamped with `now()`. */
export function ackBuilder(options: { readonly profile?: ProfileId; readonly now?: () => string } = {}): AckBuilder {
  const opts = (): AckOptions => {
    const timestamp = options.now?.();
    return { ...(options.profile === undefined ? {} : { profile: options.profile }), ...(timestamp === undefined ? {} : { timestamp }) };
  };
  return { ack: (wire) => ack(wire, opts()), nack: (wire, error) => nack(wire, error, opts()) };
}

/** What an ACK/NACK body says, whichever profile it is in. */
export interface AckOutcome {
  readonly status: 'ACK' | 'NACK';
  readonly code?: string;
  readonly message?: string;
  readonly path?: string;
  readonly legacyCode?: string;
}

/** Reads an ACK/NACK body of either profile; undefined when it is neither. */
export function readAck(body: unknown): AckOutcome | undefined {
  if (!isRecord(body)) return undefined;
  const str = (o: Record<string, unknown>, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
  const pick = (status: 'ACK' | 'NACK', code?: string, message?: string, path?: string, legacyCode?: string): AckOutcome => ({
    status,
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
    ...(path === undefined ? {} : { path }),
    ...(legacyCode === undefined ? {} : { legacyCode }),
  });
  const s = body['status'] ?? body['ack_status'];
  if (s !== 'ACK' && s !== 'NACK') return undefined;
  const err = isRecord(body['error']) ? body['error'] : undefined;
  if (err === undefined) return pick(s);
  if ('errorCode' in err) {
    const d = isRecord(err['errorDetails']) ? err['errorDetails'] : {};
    return pick(s, str(err, 'errorCode'), str(err, 'errorMessage'), str(d, 'path'), str(d, 'legacyCode'));
  }
  const d = isRecord(err['details']) ? err['details'] : {};
  return pick(s, str(err, 'code'), str(err, 'message'), str(err, 'paths'), str(d, 'legacyCode'));
}
