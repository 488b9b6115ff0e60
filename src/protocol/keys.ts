import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import { isoOf } from '../kernel/clock.js';
import {
  loadRegistry,
  parseJsonText,
  parseRegistry,
  serializeRegistry,
  upsertEntry,
  writeFileAtomic,
  type RegistryEntry,
  type SubscriberRegistry,
  type SubscriberRole,
} from './registry.js';
import { parsePrivateKey, rawPrivateSeed, signingKey, type SigningKey } from './signing.js';

/**
 * Key files of real network nodes. A private key file is JSON
 * `{"subscriberId", "uniqueKeyId", "algorithm": "ed25519", "privateKey", "publicKey"}` with both
 * keys in standard base64 of their raw bytes (the 32-byte seed; a 64-byte seed‖public key is read
 * too), written with mode 0600. Run folders never receive these files, only `registry.json`.
 */

/** The file name of a subscriber's private key: `<subscriberId>.<uniqueKeyId>.key.json`. */
export function keyFileName(subscriberId: string, uniqueKeyId: string): string {
  return `${subscriberId}.${uniqueKeyId}.key.json`;
}

/** The text of a private key file (fixed field order, trailing newline). */
export function keyFileText(key: SigningKey): string {
  return `${JSON.stringify(
    { subscriberId: key.subscriberId, uniqueKeyId: key.uniqueKeyId, algorithm: 'ed25519', privateKey: rawPrivateSeed(key.privateKey).toString('base64'), publicKey: key.publicKey },
    null,
    2,
  )}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a parsed key file: ids present, algorithm ed25519, the private key readable and matching the public key when given. */
export function parseKeyFile(doc: unknown, file?: string): Result<SigningKey> {
  const errors: Diagnostic[] = [];
  const at = (path: string, code: string, message: string): void => {
    errors.push(file === undefined ? { code, path, message } : { code, path, message, file });
  };
  if (!isRecord(doc)) {
    at('', 'keyfile.shape', 'expected an object with subscriberId, uniqueKeyId, algorithm, privateKey');
    return fail(errors);
  }
  const str = (k: string): string | undefined => {
    const v = doc[k];
    if (typeof v === 'string' && v !== '') return v;
    at(k, 'keyfile.missing', `${k} is required and must be a non-empty string`);
    return undefined;
  };
  const subscriberId = str('subscriberId');
  const uniqueKeyId = str('uniqueKeyId');
  const privateKey = str('privateKey');
  if (doc['algorithm'] !== undefined && doc['algorithm'] !== 'ed25519') at('algorithm', 'keyfile.algorithm', `only ed25519 keys are used, got ${String(doc['algorithm'])}`);
  let key: SigningKey | undefined;
  if (privateKey !== undefined) {
    const parsed = parsePrivateKey(privateKey, 'privateKey');
    if (!parsed.ok) for (const d of parsed.errors) at(d.path, d.code, d.message);
    else if (subscriberId !== undefined && uniqueKeyId !== undefined) key = signingKey(subscriberId, uniqueKeyId, parsed.value);
  }
  if (key !== undefined && typeof doc['publicKey'] === 'string' && doc['publicKey'] !== key.publicKey) {
    at('publicKey', 'keyfile.mismatch', 'publicKey does not belong to privateKey');
  }
  return errors.length > 0 || key === undefined ? fail(errors) : ok(key);
}

/** Reads a private key file. */
export async function loadKeyFile(path: string): Promise<Result<SigningKey>> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    return fail([{ code: 'keyfile.read', path: '', message: `cannot read the key file: ${(e as Error).message}`, file: path }]);
  }
  const json = parseJsonText(text, path);
  return json.ok ? parseKeyFile(json.value, path) : json;
}

/** Reads every `*.key.json` in a folder, keyed by subscriber id; two keys of one subscriber are an error. */
export async function loadKeyDir(dir: string): Promise<Result<ReadonlyMap<string, SigningKey>>> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.key.json')).sort();
  } catch (e) {
    return fail([{ code: 'keyfile.read', path: '', message: `cannot read the key folder: ${(e as Error).message}`, file: dir }]);
  }
  const keys = new Map<string, SigningKey>();
  const errors: Diagnostic[] = [];
  for (const n of names) {
    const r = await loadKeyFile(join(dir, n));
    if (!r.ok) errors.push(...r.errors);
    else if (keys.has(r.value.subscriberId)) errors.push({ code: 'keyfile.duplicate', path: '', message: `a second key for ${r.value.subscriberId}; keep one key file per subscriber in the folder`, file: join(dir, n) });
    else keys.set(r.value.subscriberId, r.value);
  }
  return errors.length > 0 ? fail(errors) : ok(keys);
}

/** What `generateSubscriberKey` needs. */
export interface GenerateKeyRequest {
  readonly subscriberId: string;
  /** Default: a fresh UUID. */
  readonly uniqueKeyId?: string;
  readonly role: SubscriberRole;
  /** Default `https://{subscriberId}`. */
  readonly uri?: string;
  /** Folder of the private key file (created). */
  readonly outDir: string;
  /** Registry file to add the entry to (created if absent). Default `{outDir}/registry.json`. */
  readonly registryPath?: string;
  /** Now, ms since the epoch (the command's wall clock). */
  readonly nowMs: number;
  /** Default now + 365 days, RFC 3339. */
  readonly validUntil?: string;
}

/** What `generateSubscriberKey` did. */
export interface GeneratedKey {
  readonly keyFile: string;
  readonly registryFile: string;
  readonly entry: RegistryEntry;
  /** `added` a new entry, `replaced` one with the same subscriber, key and role. */
  readonly registryChange: 'added' | 'replaced';
  /** True when an existing key file of this subscriber and key id was reused (e.g. to add a second role). */
  readonly reusedKey: boolean;
}

/**
 * Creates (or reuses) a subscriber's ed25519 key pair, writes the private key file with mode 0600
 * and adds or updates the subscriber's public entry in the registry file, both atomically. A key
 * file already present for the same subscriber and key id is reused, so listing a subscriber in a
 * second role keeps one key. Keys are random: this is an operator command, not simulation.
 */
export async function generateSubscriberKey(req: GenerateKeyRequest): Promise<Result<GeneratedKey>> {
  const uniqueKeyId = req.uniqueKeyId ?? randomUUID();
  const uri = req.uri ?? `https://${req.subscriberId}`;
  const registryFile = req.registryPath ?? join(req.outDir, 'registry.json');
  const keyFile = join(req.outDir, keyFileName(req.subscriberId, uniqueKeyId));
  if (basename(keyFile) !== keyFileName(req.subscriberId, uniqueKeyId) || /[/\\]/.test(req.subscriberId + uniqueKeyId)) {
    return fail([{ code: 'keys.id', path: 'subscriberId', message: 'subscriber and key ids may not contain path separators' }]);
  }
  let registry: SubscriberRegistry = { subscribers: [] };
  if (existsSync(registryFile)) {
    const loaded = await loadRegistry(registryFile);
    if (!loaded.ok) return loaded;
    registry = loaded.value;
  }
  let key: SigningKey;
  let reusedKey = false;
  if (existsSync(keyFile)) {
    const existing = await loadKeyFile(keyFile);
    if (!existing.ok) return existing;
    key = existing.value;
    reusedKey = true;
  } else {
    key = signingKey(req.subscriberId, uniqueKeyId, generateKeyPairSync('ed25519').privateKey);
  }
  const entry: RegistryEntry = {
    subscriberId: req.subscriberId,
    uniqueKeyId,
    publicKey: key.publicKey,
    role: req.role,
    uri,
    status: 'SUBSCRIBED',
    validFrom: isoOf(Math.floor(req.nowMs / 1000) * 1000),
    validUntil: req.validUntil ?? isoOf(Math.floor(req.nowMs / 1000) * 1000 + 365 * 86_400_000),
  };
  const replaced = registry.subscribers.some((e) => e.subscriberId === entry.subscriberId && e.uniqueKeyId === entry.uniqueKeyId && e.role === entry.role);
  const updated = parseRegistry(JSON.parse(serializeRegistry(upsertEntry(registry, entry))) as unknown, registryFile);
  if (!updated.ok) return updated;
  await fs.mkdir(req.outDir, { recursive: true });
  await fs.mkdir(dirname(registryFile), { recursive: true });
  if (!reusedKey) await writeFileAtomic(keyFile, keyFileText(key), 0o600);
  await writeFileAtomic(registryFile, serializeRegistry(updated.value));
  const written = updated.value.subscribers.find((e) => e.subscriberId === entry.subscriberId && e.uniqueKeyId === entry.uniqueKeyId && e.role === entry.role) as RegistryEntry;
  return ok({ keyFile, registryFile, entry: written, registryChange: replaced ? 'replaced' : 'added', reusedKey });
}
