import { createHash, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import { parseIsoMs } from '../kernel/clock.js';
import { parsePublicKey, privateKeyFromSeed, signingKey, type SigningKey } from './signing.js';

/**
 * The subscriber registry: who is on the network, in which role, at which URI, with which public
 * signing key and whether that key may be used now. The file form is JSON
 * `{"subscribers": [entry…]}` (a bare array of entries is accepted too), entries as Beckn
 * registries publish them, public keys as standard base64 of the raw 32-byte ed25519 key.
 */

/** Network role of a subscriber entry. A subscriber acting in both roles (an MCA) has two entries. */
export type SubscriberRole = 'BAP' | 'BPP';
export const SUBSCRIBER_ROLES: readonly SubscriberRole[] = ['BAP', 'BPP'];

/** Registry lifecycle of an entry, as Beckn registries name it; only `SUBSCRIBED` keys may sign. */
export type SubscriberStatus = 'INITIATED' | 'UNDER_SUBSCRIPTION' | 'SUBSCRIBED' | 'EXPIRED' | 'UNSUBSCRIBED' | 'INVALID_SSL' | 'REVOKED';
export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = ['INITIATED', 'UNDER_SUBSCRIPTION', 'SUBSCRIBED', 'EXPIRED', 'UNSUBSCRIBED', 'INVALID_SSL', 'REVOKED'];

/** One registry entry: one key of one subscriber in one role. */
export interface RegistryEntry {
  readonly subscriberId: string;
  readonly uniqueKeyId: string;
  /** Standard base64 (with padding) of the raw 32-byte ed25519 public key. */
  readonly publicKey: string;
  readonly role: SubscriberRole;
  /** The subscriber's Beckn endpoint base URI (`bapUri` / `bppUri`). */
  readonly uri: string;
  readonly status: SubscriberStatus;
  /** RFC 3339; the key may not sign before this instant. */
  readonly validFrom?: string;
  /** RFC 3339; the key may not sign after this instant. */
  readonly validUntil: string;
}

/** A registry: its entries in file order. */
export interface SubscriberRegistry {
  readonly subscribers: readonly RegistryEntry[];
}

/** The outcome of looking up the key named by a signature. */
export type KeyLookup =
  | { readonly kind: 'found'; readonly entries: readonly RegistryEntry[]; readonly publicKey: KeyObject }
  | { readonly kind: 'unknown-subscriber' }
  | { readonly kind: 'unknown-key' };

/** Why a key may not be used at an instant, or `usable`. */
export type KeyUsability =
  | { readonly kind: 'usable' }
  | { readonly kind: 'status'; readonly status: SubscriberStatus }
  | { readonly kind: 'not-yet-valid'; readonly validFrom: string }
  | { readonly kind: 'expired'; readonly validUntil: string };

/** A registry indexed for lookups, with public KeyObjects built once per key. */
export interface RegistryIndex {
  readonly registry: SubscriberRegistry;
  /** Finds the entries of `subscriberId` with key `uniqueKeyId` (one per role). */
  lookup(subscriberId: string, uniqueKeyId: string): KeyLookup;
  /** Every entry of a subscriber (all keys and roles). */
  entriesOf(subscriberId: string): readonly RegistryEntry[];
  /** The endpoint URI of a subscriber in a role, if registered. */
  uriOf(subscriberId: string, role: SubscriberRole): string | undefined;
}

/** Whether an entry's key may sign at `nowSec` (Unix seconds): status SUBSCRIBED and inside [validFrom, validUntil]. */
export function keyUsability(entry: RegistryEntry, nowSec: number): KeyUsability {
  if (entry.status !== 'SUBSCRIBED') return { kind: 'status', status: entry.status };
  if (entry.validFrom !== undefined && nowSec * 1000 < parseIsoMs(entry.validFrom)) return { kind: 'not-yet-valid', validFrom: entry.validFrom };
  if (nowSec * 1000 > parseIsoMs(entry.validUntil)) return { kind: 'expired', validUntil: entry.validUntil };
  return { kind: 'usable' };
}

/** Indexes a registry (assumed valid, e.g. from `parseRegistry` or `generateRegistry`). Public keys are decoded lazily, once. */
export function indexRegistry(registry: SubscriberRegistry): RegistryIndex {
  const bySubscriber = new Map<string, RegistryEntry[]>();
  for (const e of registry.subscribers) {
    const list = bySubscriber.get(e.subscriberId);
    if (list === undefined) bySubscriber.set(e.subscriberId, [e]);
    else list.push(e);
  }
  const keyCache = new Map<string, { entries: RegistryEntry[]; publicKey: KeyObject | undefined }>();
  return {
    registry,
    lookup(subscriberId, uniqueKeyId) {
      const all = bySubscriber.get(subscriberId);
      if (all === undefined) return { kind: 'unknown-subscriber' };
      const cacheKey = `${subscriberId}\u0000${uniqueKeyId}`;
      let cached = keyCache.get(cacheKey);
      if (cached === undefined) {
        const entries = all.filter((e) => e.uniqueKeyId === uniqueKeyId);
        const first = entries[0];
        let publicKey: KeyObject | undefined;
        if (first !== undefined) {
          const parsed = parsePublicKey(first.publicKey);
          publicKey = parsed.ok ? parsed.value : undefined;
        }
        cached = { entries, publicKey };
        keyCache.set(cacheKey, cached);
      }
      if (cached.publicKey === undefined) return { kind: 'unknown-key' };
      return { kind: 'found', entries: cached.entries, publicKey: cached.publicKey };
    },
    entriesOf(subscriberId) {
      return bySubscriber.get(subscriberId) ?? [];
    },
    uriOf(subscriberId, role) {
      return bySubscriber.get(subscriberId)?.find((e) => e.role === role)?.uri;
    },
  };
}

const ENTRY_FIELDS = ['subscriberId', 'uniqueKeyId', 'publicKey', 'role', 'uri', 'status', 'validFrom', 'validUntil'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a parsed registry document and returns every problem at once: unknown or missing
 * fields, ids that cannot appear in a signature keyId, keys that are not 32 raw bytes in standard
 * base64, unknown roles or statuses, invalid URIs or instants, validFrom after validUntil, and
 * two entries for the same subscriber, key and role.
 */
export function parseRegistry(doc: unknown, file?: string): Result<SubscriberRegistry> {
  const errors: Diagnostic[] = [];
  const at = (path: string, code: string, message: string): void => {
    errors.push(file === undefined ? { code, path, message } : { code, path, message, file });
  };
  let list: unknown;
  if (Array.isArray(doc)) list = doc;
  else if (isRecord(doc) && Array.isArray(doc['subscribers'])) list = doc['subscribers'];
  else {
    at('', 'registry.shape', 'expected {"subscribers": [...]} or an array of registry entries');
    return fail(errors);
  }
  const entries: RegistryEntry[] = [];
  const seen = new Set<string>();
  (list as unknown[]).forEach((raw, i) => {
    const base = `subscribers[${i}]`;
    if (!isRecord(raw)) {
      at(base, 'registry.entry', 'expected an object');
      return;
    }
    const before = errors.length;
    for (const k of Object.keys(raw)) {
      if (!(ENTRY_FIELDS as readonly string[]).includes(k)) at(`${base}.${k}`, 'registry.unknown-field', `unknown field; expected one of ${ENTRY_FIELDS.join(', ')}`);
    }
    const str = (k: string, required: boolean): string | undefined => {
      const v = raw[k];
      if (v === undefined) {
        if (required) at(`${base}.${k}`, 'registry.missing', `${k} is required`);
        return undefined;
      }
      if (typeof v !== 'string' || v === '') {
        at(`${base}.${k}`, 'registry.type', `${k} must be a non-empty string`);
        return undefined;
      }
      return v;
    };
    const subscriberId = str('subscriberId', true);
    const uniqueKeyId = str('uniqueKeyId', true);
    const publicKey = str('publicKey', true);
    const role = str('role', true);
    const uri = str('uri', true);
    const status = str('status', true);
    const validFrom = str('validFrom', false);
    const validUntil = str('validUntil', true);
    for (const [k, v] of [['subscriberId', subscriberId], ['uniqueKeyId', uniqueKeyId]] as const) {
      if (v !== undefined && /["|,\s]/.test(v)) at(`${base}.${k}`, 'registry.id', `${k} may not contain quotes, pipes, commas or spaces (it is part of the signature keyId)`);
    }
    if (publicKey !== undefined) {
      const parsed = parsePublicKey(publicKey, `${base}.publicKey`);
      if (!parsed.ok) for (const d of parsed.errors) at(d.path, d.code, d.message);
    }
    if (role !== undefined && !(SUBSCRIBER_ROLES as readonly string[]).includes(role)) at(`${base}.role`, 'registry.role', `role must be BAP or BPP, got ${role}`);
    if (status !== undefined && !(SUBSCRIBER_STATUSES as readonly string[]).includes(status)) at(`${base}.status`, 'registry.status', `status must be one of ${SUBSCRIBER_STATUSES.join(', ')}, got ${status}`);
    if (uri !== undefined && !URL.canParse(uri)) at(`${base}.uri`, 'registry.uri', `not an absolute URI: ${uri}`);
    const fromMs = validFrom === undefined ? undefined : parseIsoMs(validFrom);
    const untilMs = validUntil === undefined ? undefined : parseIsoMs(validUntil);
    if (fromMs !== undefined && Number.isNaN(fromMs)) at(`${base}.validFrom`, 'registry.instant', `not an RFC 3339 instant: ${validFrom}`);
    if (untilMs !== undefined && Number.isNaN(untilMs)) at(`${base}.validUntil`, 'registry.instant', `not an RFC 3339 instant: ${validUntil}`);
    if (fromMs !== undefined && untilMs !== undefined && fromMs > untilMs) at(`${base}.validFrom`, 'registry.window', 'validFrom is after validUntil');
    if (subscriberId !== undefined && uniqueKeyId !== undefined && role !== undefined) {
      const key = `${subscriberId}|${uniqueKeyId}|${role}`;
      if (seen.has(key)) at(base, 'registry.duplicate', `a second entry for subscriber ${subscriberId}, key ${uniqueKeyId}, role ${role}`);
      seen.add(key);
    }
    if (errors.length === before && subscriberId && uniqueKeyId && publicKey && role && uri && status && validUntil) {
      entries.push({
        subscriberId,
        uniqueKeyId,
        publicKey,
        role: role as SubscriberRole,
        uri,
        status: status as SubscriberStatus,
        ...(validFrom === undefined ? {} : { validFrom }),
        validUntil,
      });
    }
  });
  if (errors.length === 0) {
    const keysById = new Map<string, string>();
    entries.forEach((e, i) => {
      const k = `${e.subscriberId}|${e.uniqueKeyId}`;
      const prev = keysById.get(k);
      if (prev !== undefined && prev !== e.publicKey) at(`subscribers[${i}].publicKey`, 'registry.key-conflict', `key ${e.uniqueKeyId} of ${e.subscriberId} has two different public keys`);
      keysById.set(k, e.publicKey);
    });
  }
  return errors.length > 0 ? fail(errors) : ok({ subscribers: entries });
}

/** Reads and validates a registry file; JSON syntax errors carry line and column. */
export async function loadRegistry(path: string): Promise<Result<SubscriberRegistry>> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    return fail([{ code: 'registry.read', path: '', message: `cannot read the registry: ${(e as Error).message}`, file: path }]);
  }
  const parsed = parseJsonText(text, path);
  if (!parsed.ok) return parsed;
  return parseRegistry(parsed.value, path);
}

/** Parses JSON text; a syntax error becomes a diagnostic with the line and column of the first offending character. */
export function parseJsonText(text: string, file?: string): Result<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (e) {
    const d: { code: string; path: string; message: string; file?: string; line?: number; column?: number } = {
      code: 'json.syntax',
      path: '',
      message: `invalid JSON: ${(e as Error).message.split('\n')[0] ?? ''}`,
    };
    if (file !== undefined) d.file = file;
    const pos = jsonErrorOffset(text) ?? text.length;
    const before = text.slice(0, pos);
    d.line = before.split('\n').length;
    d.column = pos - before.lastIndexOf('\n');
    return fail([d]);
  }
}

/** The offset of the first character at which `text` stops being valid JSON (text.length when it ends too early); undefined when it is valid. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail_ = (): never => {
    throw new JsonStop(i);
  };
  const lit = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail_();
      i++;
    }
  };
  const str = (): void => {
    if (text[i] !== '"') fail_();
    i++;
    for (;;) {
      if (i >= text.length) fail_();
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch < 0x20) fail_();
      if (ch === 0x5c) {
        i++;
        const esc = text[i];
        if (esc === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) { i += k; fail_(); }
          i += 5;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
        else fail_();
      } else i++;
    }
  };
  const num = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m === null || m[0] === '' || m[0] === '-') fail_();
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail_();
        i++;
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail_();
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail_();
      }
    } else if (ch === '"') str();
    else if (ch === 't') lit('true');
    else if (ch === 'f') lit('false');
    else if (ch === 'n') lit('null');
    else num();
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (e) {
    if (e instanceof JsonStop) return e.offset;
    throw e;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}

function entryJson(e: RegistryEntry): Record<string, string> {
  const o: Record<string, string> = {
    subscriberId: e.subscriberId,
    uniqueKeyId: e.uniqueKeyId,
    publicKey: e.publicKey,
    role: e.role,
    uri: e.uri,
    status: e.status,
  };
  if (e.validFrom !== undefined) o['validFrom'] = e.validFrom;
  o['validUntil'] = e.validUntil;
  return o;
}

/** Canonical JSON text of a registry: entries sorted by subscriber, role, key; fixed field order; trailing newline. */
export function serializeRegistry(registry: SubscriberRegistry): string {
  const sorted = [...registry.subscribers].sort(
    (a, b) => cmp(a.subscriberId, b.subscriberId) || cmp(a.role, b.role) || cmp(a.uniqueKeyId, b.uniqueKeyId),
  );
  return `${JSON.stringify({ subscribers: sorted.map(entryJson) }, null, 2)}\n`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Writes a file atomically: a temporary file in the same folder, then a rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${tmpCounter++}.tmp`);
  await fs.writeFile(tmp, data, mode === undefined ? {} : { mode });
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
let tmpCounter = 0;

/** Saves a registry (canonical form) atomically. */
export async function saveRegistry(path: string, registry: SubscriberRegistry): Promise<void> {
  await writeFileAtomic(path, serializeRegistry(registry));
}

/** Adds an entry, or replaces the one with the same subscriber, key and role. Returns a new registry. */
export function upsertEntry(registry: SubscriberRegistry, entry: RegistryEntry): SubscriberRegistry {
  const same = (e: RegistryEntry): boolean => e.subscriberId === entry.subscriberId && e.uniqueKeyId === entry.uniqueKeyId && e.role === entry.role;
  const idx = registry.subscribers.findIndex(same);
  if (idx < 0) return { subscribers: [...registry.subscribers, entry] };
  return { subscribers: registry.subscribers.map((e, i) => (i === idx ? entry : e)) };
}

/** A subscriber to put in a generated registry. */
export interface SubscriberSpec {
  readonly subscriberId: string;
  readonly role: SubscriberRole;
  readonly uri: string;
}

/** Options of `generateRegistry`. Instants are RFC 3339. */
export interface GenerateRegistryOptions {
  /** Default `2000-01-01T00:00:00Z`. */
  readonly validFrom?: string;
  /** Default `2100-01-01T00:00:00Z`. */
  readonly validUntil?: string;
}

/** A generated registry and the private signing keys of its subscribers (never to be written into run folders). */
export interface GeneratedRegistry {
  readonly registry: SubscriberRegistry;
  /** By subscriber id; a subscriber listed in both roles has one key. */
  readonly keys: ReadonlyMap<string, SigningKey>;
}

/** The 32-byte ed25519 seed of a subscriber in a run: the first half of BLAKE2b-512 over the run seed and the subscriber id. */
export function derivedKeySeed(seed: number, subscriberId: string): Buffer {
  return createHash('blake2b512').update(`degsim/registry/seed\u0000${seed}\u0000${subscriberId}`).digest().subarray(0, 32);
}

/** A UUID-shaped key id derived from the run seed and subscriber id (stable across runs with the same seed). */
export function derivedKeyId(seed: number, subscriberId: string): string {
  const h = createHash('blake2b512').update(`degsim/registry/key-id\u0000${seed}\u0000${subscriberId}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A registry and key pairs generated deterministically from the run seed: the same seed and
 * subscribers give the same keys, key ids and file bytes. Every entry is SUBSCRIBED. Invalid
 * subscribers (an id unusable in a keyId, a bad URI, the same subscriber twice in one role) are
 * diagnosed at `subscribers[i]`.
 */
export function generateRegistry(seed: number, subscribers: readonly SubscriberSpec[], options: GenerateRegistryOptions = {}): Result<GeneratedRegistry> {
  const keys = new Map<string, SigningKey>();
  const entries: RegistryEntry[] = [];
  const validFrom = options.validFrom ?? '2000-01-01T00:00:00Z';
  const validUntil = options.validUntil ?? '2100-01-01T00:00:00Z';
  for (const s of subscribers) {
    let key = keys.get(s.subscriberId);
    if (key === undefined) {
      key = signingKey(s.subscriberId, derivedKeyId(seed, s.subscriberId), privateKeyFromSeed(derivedKeySeed(seed, s.subscriberId)));
      keys.set(s.subscriberId, key);
    }
    entries.push({ subscriberId: s.subscriberId, uniqueKeyId: key.uniqueKeyId, publicKey: key.publicKey, role: s.role, uri: s.uri, status: 'SUBSCRIBED', validFrom, validUntil });
  }
  const parsed = parseRegistry({ subscribers: entries.map(entryJson) });
  if (!parsed.ok) return parsed;
  return ok({ registry: parsed.value, keys });
}
