import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';

/**
 * Beckn HTTP signatures (draft-cavage-http-signatures as profiled by Beckn): an ed25519 signature
 * over `(created)`, `(expires)` and a BLAKE2b-512 digest of the exact body bytes, carried in
 * `Authorization: Signature keyId="{subscriberId}|{uniqueKeyId}|ed25519",…`.
 *
 * Keys travel as the standard base64 (with padding) of the raw 32-byte ed25519 key, which is how
 * Beckn registries publish them; Node's KeyObjects are built from the fixed DER prefixes of the
 * PKCS#8 and SPKI encodings. Times are whole seconds passed in by the caller (the simulated
 * clock), never read from the wall clock here.
 */

/** DER prefix of a PKCS#8 ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** DER prefix of an SPKI ed25519 public key; the 32-byte key follows. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The only algorithm Beckn accepts. */
export const SIGNATURE_ALGORITHM = 'ed25519';
/** The headers list every Beckn signature must declare, in this order. */
export const SIGNED_HEADERS = '(created) (expires) digest';
/** Prefix of the digest value in the signing string and in the `Digest` header. */
export const DIGEST_PREFIX = 'BLAKE-512=';

const BASE64_STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes standard base64 with padding (not base64url); undefined when the text is not exactly that. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!BASE64_STD.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** Standard base64 (with padding) of the BLAKE2b-512 hash of the exact body bytes (UTF-8 for strings). */
export function digestOf(body: string | Uint8Array): string {
  return createHash('blake2b512').update(body).digest('base64');
}

/**
 * The Beckn signing string: `(created): N\n(expires): N\ndigest: BLAKE-512=<digest>`, LF only,
 * no trailing newline, integers without leading zeros. `digest` is the base64 digest without prefix.
 */
export function signingString(createdSec: number, expiresSec: number, digest: string): string {
  return `(created): ${createdSec}\n(expires): ${expiresSec}\ndigest: ${DIGEST_PREFIX}${digest}`;
}

/** A private key ready to sign: Node KeyObject built once from the raw seed. */
export interface SigningKey {
  readonly subscriberId: string;
  readonly uniqueKeyId: string;
  readonly privateKey: KeyObject;
  /** Standard base64 of the raw 32-byte public key, as published in the registry. */
  readonly publicKey: string;
}

/** Builds a Node private KeyObject from a raw 32-byte ed25519 seed. Throws RangeError on a wrong length. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError(`an ed25519 private key seed is 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Builds a Node public KeyObject from a raw 32-byte ed25519 public key. Throws RangeError on a wrong length. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError(`an ed25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The raw 32-byte seed of an ed25519 private KeyObject. */
export function rawPrivateSeed(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return der.subarray(der.length - 32);
}

/** The raw 32-byte public key of an ed25519 KeyObject (public or private). */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/**
 * Parses a registry public key: standard base64 of exactly 32 raw bytes. Diagnoses the usual
 * mistakes (base64url, the 44-byte SPKI/DER form Node exports by default, a PEM block).
 */
export function parsePublicKey(text: string, path = 'publicKey'): Result<KeyObject> {
  if (text.includes('BEGIN')) {
    return fail([{ code: 'key.pem', path, message: 'expected the standard base64 of the raw 32-byte ed25519 key, got a PEM block' }]);
  }
  const raw = decodeBase64Strict(text);
  if (raw === undefined) {
    const hint = /[-_]/.test(text) ? ' (base64url is not accepted: use + and / with = padding)' : '';
    return fail([{ code: 'key.base64', path, message: `not standard base64 with padding${hint}` }]);
  }
  if (raw.length === 44 && raw.subarray(0, 12).equals(SPKI_ED25519_PREFIX)) {
    return fail([{ code: 'key.spki', path, message: 'this is the 44-byte SPKI/DER encoding; publish only the raw 32-byte key (its last 32 bytes)' }]);
  }
  if (raw.length !== 32) {
    return fail([{ code: 'key.length', path, message: `an ed25519 public key is 32 raw bytes, this decodes to ${raw.length}` }]);
  }
  return ok(publicKeyFromRaw(raw));
}

/**
 * Parses a private key file value: standard base64 of the 32-byte seed, or of the 64-byte
 * seed‖public form libsodium and several Beckn SDKs write (the public half is then checked).
 */
export function parsePrivateKey(text: string, path = 'privateKey'): Result<KeyObject> {
  const raw = decodeBase64Strict(text);
  if (raw === undefined) return fail([{ code: 'key.base64', path, message: 'not standard base64 with padding' }]);
  if (raw.length === 32) return ok(privateKeyFromSeed(raw));
  if (raw.length === 64) {
    const key = privateKeyFromSeed(raw.subarray(0, 32));
    if (!rawPublicKey(key).equals(raw.subarray(32))) {
      return fail([{ code: 'key.mismatch', path, message: 'the 64-byte key’s public half does not belong to its seed' }]);
    }
    return ok(key);
  }
  return fail([{ code: 'key.length', path, message: `an ed25519 private key is a 32-byte seed (or 64-byte seed‖public), this decodes to ${raw.length}` }]);
}

/** Makes a SigningKey from a subscriber id, key id and private KeyObject. */
export function signingKey(subscriberId: string, uniqueKeyId: string, privateKey: KeyObject): SigningKey {
  return { subscriberId, uniqueKeyId, privateKey, publicKey: rawPublicKey(privateKey).toString('base64') };
}

/** What `signRequest` needs. `createdSec` and `expiresSec` are Unix seconds of the simulated clock. */
export interface SignRequestInput {
  /** The exact body that will be sent. */
  readonly body: string | Uint8Array;
  readonly subscriberId: string;
  readonly uniqueKeyId: string;
  readonly privateKey: KeyObject;
  readonly createdSec: number;
  readonly expiresSec: number;
  /** The digest of `body` when the caller already computed it (saves one hash). */
  readonly digest?: string;
}

function checkUnixSeconds(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer of seconds, got ${value}`);
}

function checkHeaderToken(name: string, value: string): void {
  if (value === '' || /["|,\r\n]/.test(value)) throw new RangeError(`${name} must be non-empty and contain no quote, pipe, comma or newline: ${JSON.stringify(value)}`);
}

/**
 * The `Authorization` header value for a body, exactly as Beckn nodes verify it:
 * `Signature keyId="{subscriberId}|{uniqueKeyId}|ed25519",algorithm="ed25519",created="N",expires="N",headers="(created) (expires) digest",signature="<base64>"`.
 * Throws RangeError on non-integer times or ids that cannot appear in the header (programming errors).
 */
export function signRequest(input: SignRequestInput): string {
  checkUnixSeconds('createdSec', input.createdSec);
  checkUnixSeconds('expiresSec', input.expiresSec);
  checkHeaderToken('subscriberId', input.subscriberId);
  checkHeaderToken('uniqueKeyId', input.uniqueKeyId);
  const digest = input.digest ?? digestOf(input.body);
  const text = signingString(input.createdSec, input.expiresSec, digest);
  const signature = sign(null, Buffer.from(text, 'utf8'), input.privateKey).toString('base64');
  return (
    `Signature keyId="${input.subscriberId}|${input.uniqueKeyId}|${SIGNATURE_ALGORITHM}",algorithm="${SIGNATURE_ALGORITHM}",` +
    `created="${input.createdSec}",expires="${input.expiresSec}",headers="${SIGNED_HEADERS}",signature="${signature}"`
  );
}

/** The fields of a parsed `Authorization: Signature …` header. */
export interface AuthorizationFields {
  readonly subscriberId: string;
  readonly uniqueKeyId: string;
  readonly algorithm: string;
  readonly createdSec: number;
  readonly expiresSec: number;
  readonly headers: string;
  /** Base64 signature as sent. */
  readonly signature: string;
  /** Decoded 64-byte signature. */
  readonly signatureBytes: Buffer;
}

const PARAM = /\s*([a-zA-Z]+)="([^"]*)"\s*(?:,|$)/y;
const UNSIGNED_INT = /^(?:0|[1-9][0-9]{0,15})$/;

/**
 * Parses an `Authorization` header of the Beckn form. Returns every problem at once: missing or
 * duplicated parameters, a keyId not of the form `subscriber|key|ed25519`, an algorithm other than
 * ed25519, non-integer times, a headers list without `(created) (expires) digest`, a signature
 * that is not 64 bytes of standard base64.
 */
export function parseAuthorization(header: string, path = 'headers.authorization'): Result<AuthorizationFields> {
  const errors: Diagnostic[] = [];
  const bad = (code: string, message: string): void => {
    errors.push({ code, path, message });
  };
  const trimmed = header.trim();
  if (!trimmed.startsWith('Signature ')) {
    return fail([{ code: 'auth.scheme', path, message: 'expected an authorization of the form `Signature keyId="…",…`' }]);
  }
  const params = new Map<string, string>();
  const rest = trimmed.slice('Signature '.length);
  PARAM.lastIndex = 0;
  let pos = 0;
  while (pos < rest.length) {
    PARAM.lastIndex = pos;
    const m = PARAM.exec(rest);
    if (m === null) {
      return fail([{ code: 'auth.syntax', path, message: `cannot read the signature parameters from character ${pos + 10}: expected name="value" pairs separated by commas` }]);
    }
    const name = m[1] as string;
    if (params.has(name)) bad('auth.duplicate', `parameter ${name} appears more than once`);
    params.set(name, m[2] as string);
    pos = PARAM.lastIndex;
  }
  for (const name of ['keyId', 'algorithm', 'created', 'expires', 'headers', 'signature']) {
    if (!params.has(name)) bad('auth.missing', `parameter ${name} is missing`);
  }
  const keyParts = (params.get('keyId') ?? '').split('|');
  let subscriberId = '';
  let uniqueKeyId = '';
  if (params.has('keyId')) {
    if (keyParts.length !== 3 || keyParts.some((p) => p === '')) {
      bad('auth.key-id', 'keyId must be "{subscriberId}|{uniqueKeyId}|ed25519"');
    } else {
      subscriberId = keyParts[0] as string;
      uniqueKeyId = keyParts[1] as string;
      if (keyParts[2] !== SIGNATURE_ALGORITHM) bad('auth.algorithm', `keyId names algorithm ${keyParts[2]}; only ed25519 is accepted`);
    }
  }
  const algorithm = params.get('algorithm') ?? '';
  if (params.has('algorithm') && algorithm !== SIGNATURE_ALGORITHM) bad('auth.algorithm', `algorithm is ${algorithm}; only ed25519 is accepted`);
  const readInt = (name: string): number => {
    const v = params.get(name);
    if (v === undefined) return Number.NaN;
    if (!UNSIGNED_INT.test(v)) {
      bad('auth.time', `${name} must be an integer of Unix seconds without leading zeros, got "${v}"`);
      return Number.NaN;
    }
    return Number(v);
  };
  const createdSec = readInt('created');
  const expiresSec = readInt('expires');
  if (Number.isFinite(createdSec) && Number.isFinite(expiresSec) && expiresSec < createdSec) {
    bad('auth.window', `expires (${expiresSec}) is before created (${createdSec})`);
  }
  const headers = params.get('headers') ?? '';
  if (params.has('headers')) {
    const listed = headers.split(' ').filter((h) => h !== '');
    for (const required of ['(created)', '(expires)', 'digest']) {
      if (!listed.includes(required)) bad('auth.headers', `headers must list ${required}, got "${headers}"`);
    }
  }
  const signature = params.get('signature') ?? '';
  let signatureBytes: Buffer = Buffer.alloc(0);
  if (params.has('signature')) {
    const decoded = decodeBase64Strict(signature);
    if (decoded === undefined || decoded.length !== 64) {
      bad('auth.signature', 'signature must be the standard base64 of 64 bytes');
    } else {
      signatureBytes = decoded;
    }
  }
  if (errors.length > 0) return fail(errors);
  return ok({ subscriberId, uniqueKeyId, algorithm, createdSec, expiresSec, headers, signature, signatureBytes });
}

/** Why a signature check failed, or `valid`. */
export type SignatureCheck = 'valid' | 'invalid';

/**
 * Verifies the ed25519 signature of a parsed header over the signing string rebuilt from the
 * exact body (or its precomputed digest). Pure: time windows are checked by the caller.
 */
export function verifySignature(input: { readonly body?: string | Uint8Array; readonly digest?: string; readonly auth: AuthorizationFields; readonly publicKey: KeyObject }): SignatureCheck {
  const digest = input.digest ?? digestOf(input.body ?? '');
  const text = signingString(input.auth.createdSec, input.auth.expiresSec, digest);
  try {
    return verify(null, Buffer.from(text, 'utf8'), input.publicKey, input.auth.signatureBytes) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** The headers a signed Beckn POST carries: lower-case names, as Node's HTTP server presents them. */
export type SignedHeaders = {
  readonly authorization: string;
  readonly 'content-type': 'application/json';
  /** `BLAKE-512=<digest>` of the body, so a receiver can tell an altered body from a forged signature. */
  readonly digest: string;
};

/** Signs `body` with `key` for the window [createdSec, expiresSec] and returns the request headers. */
export function signedHeaders(body: string, key: SigningKey, createdSec: number, expiresSec: number): SignedHeaders {
  const digest = digestOf(body);
  const authorization = signRequest({ body, digest, subscriberId: key.subscriberId, uniqueKeyId: key.uniqueKeyId, privateKey: key.privateKey, createdSec, expiresSec });
  return { authorization, 'content-type': 'application/json', digest: `${DIGEST_PREFIX}${digest}` };
}

/** The headers list of a Beckn 2.0 counter-signature (the receiver's signed receipt in an ACK/NACK body). */
export const COUNTER_SIGNED_HEADERS = '(created) (expires) digest (request-digest) (message-id)';

/**
 * The counter-signature signing string of Beckn 2.0: `(created)`, `(expires)`, the digest of the
 * ACK/NACK body, the digest of the request it answers and that request's message id, LF-separated,
 * no trailing newline. Digests are base64 without the `BLAKE-512=` prefix.
 */
export function counterSigningString(createdSec: number, expiresSec: number, ackDigest: string, requestDigest: string, messageId: string): string {
  return `${signingString(createdSec, expiresSec, ackDigest)}\n(request-digest): ${DIGEST_PREFIX}${requestDigest}\n(message-id): ${messageId}`;
}

/** What `counterSign` needs. */
export interface CounterSignInput {
  /** The exact serialised ACK/NACK body without its `signature` member. */
  readonly ackBody: string;
  /** Digest of the request body answered (base64, no prefix). */
  readonly requestDigest: string;
  /** Message id of the request answered; empty when the request could not be read. */
  readonly messageId: string;
  readonly key: SigningKey;
  readonly createdSec: number;
  readonly expiresSec: number;
}

/**
 * The receiver's counter-signature for an ACK/NACK body, in the `Signature keyId=…` format with
 * headers `(created) (expires) digest (request-digest) (message-id)`. The digest covers the body as
 * serialised without its `signature` member, which is then added to it.
 */
export function counterSign(input: CounterSignInput): string {
  checkUnixSeconds('createdSec', input.createdSec);
  checkUnixSeconds('expiresSec', input.expiresSec);
  const text = counterSigningString(input.createdSec, input.expiresSec, digestOf(input.ackBody), input.requestDigest, input.messageId);
  const signature = sign(null, Buffer.from(text, 'utf8'), input.key.privateKey).toString('base64');
  return (
    `Signature keyId="${input.key.subscriberId}|${input.key.uniqueKeyId}|${SIGNATURE_ALGORITHM}",algorithm="${SIGNATURE_ALGORITHM}",` +
    `created="${input.createdSec}",expires="${input.expiresSec}",headers="${COUNTER_SIGNED_HEADERS}",signature="${signature}"`
  );
}

/**
 * Verifies a counter-signature (already parsed with `parseAuthorization`) over an ACK/NACK body
 * serialised without its `signature` member, for the request digest and message id it answers.
 */
export function verifyCounterSignature(input: { readonly ackBody: string; readonly requestDigest: string; readonly messageId: string; readonly auth: AuthorizationFields; readonly publicKey: KeyObject }): SignatureCheck {
  if (input.auth.headers !== COUNTER_SIGNED_HEADERS) return 'invalid';
  const text = counterSigningString(input.auth.createdSec, input.auth.expiresSec, digestOf(input.ackBody), input.requestDigest, input.messageId);
  try {
    return verify(null, Buffer.from(text, 'utf8'), input.publicKey, input.auth.signatureBytes) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}
