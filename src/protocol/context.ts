import { createHash } from 'node:crypto';
import type { RandomStream } from '../kernel/random.js';
import type { Action } from './payloads.js';

/** The wire dialects degsim can speak. */
export const PROFILE_IDS = ['beckn-2.0.0', 'deg-order-draft'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];
/** The profile a scenario speaks unless it names another. */
export const DEFAULT_PROFILE: ProfileId = 'beckn-2.0.0';

/** Where the transaction is meant to be fulfilled (city and country codes, names optional). */
export interface ContextLocation {
  readonly city?: { readonly code: string; readonly name?: string };
  readonly country?: { readonly code: string; readonly name?: string };
}

/**
 * What a sender knows when it builds a message. `timestamp` is RFC 3339 UTC from the simulated
 * clock; `ttl` an ISO 8601 duration (e.g. `PT30S`); ids are UUIDs (see `uuidFromStream`).
 * `bppId`/`bppUri` may be absent only on a broadcast `discover`.
 */
export interface ContextInput {
  readonly domain: string;
  readonly action: Action;
  readonly bapId: string;
  readonly bapUri: string;
  readonly bppId?: string;
  readonly bppUri?: string;
  readonly transactionId: string;
  readonly messageId: string;
  readonly timestamp: string;
  readonly ttl: string;
  readonly location?: ContextLocation;
}

/** Everything a transport needs from a message's context, whichever profile carried it. */
export interface MessageContext extends ContextInput {
  readonly profile: ProfileId;
  /** Action as spelled on the wire (`rate` for `rating` in Beckn 2.0.0). */
  readonly wireAction: string;
  readonly version: string;
  /** `request` for BAP → BPP actions, `callback` for BPP → BAP `on_*`. */
  readonly direction: 'request' | 'callback';
  /** Subscriber that must have signed the message: bapId for requests, bppId for callbacks. */
  readonly senderId: string;
  readonly senderUri: string;
  /** The addressee; absent on a broadcast discover. */
  readonly receiverId?: string;
  readonly receiverUri?: string;
  /** `timestamp + ttl`, RFC 3339 UTC; absent when the ttl cannot be read. */
  readonly expiresAt?: string;
}

const DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Seconds in an ISO 8601 duration made of weeks, days, hours, minutes and seconds (`PT30S`,
 * `P1DT2H`). Years and months have no fixed length and are rejected; so is an empty `P`/`PT`.
 * Returns undefined when the text is not such a duration.
 */
export function durationSeconds(iso: string): number | undefined {
  const m = DURATION.exec(iso);
  if (m === null || iso === 'P' || iso.endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m;
  if (w === undefined && d === undefined && h === undefined && min === undefined && s === undefined) return undefined;
  const n = (x: string | undefined): number => (x === undefined ? 0 : Number(x));
  return n(w) * 604800 + n(d) * 86400 + n(h) * 3600 + n(min) * 60 + n(s);
}

/** ISO 8601 duration for a whole number of seconds, e.g. 30 → `PT30S`, 5400 → `PT1H30M`. */
export function isoDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError(`not a whole number of seconds: ${seconds}`);
  if (seconds === 0) return 'PT0S';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 ? `${s}S` : ''}`;
}

/** `timestamp + ttl` as RFC 3339 UTC with millisecond precision, or undefined if either is unreadable. */
export function expiryOf(timestamp: string, ttl: string): string | undefined {
  const ms = Date.parse(timestamp);
  const s = durationSeconds(ttl);
  if (Number.isNaN(ms) || s === undefined) return undefined;
  return new Date(ms + Math.round(s * 1000)).toISOString();
}

/** True when a message stamped `timestamp` with `ttl` is no longer valid at `now` (RFC 3339). */
export function isExpired(timestamp: string, ttl: string, now: string): boolean {
  const expiry = expiryOf(timestamp, ttl);
  const nowMs = Date.parse(now);
  return expiry === undefined || Number.isNaN(nowMs) || nowMs > Date.parse(expiry);
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function formatUuid(bytes: Uint8Array): string {
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * A random (version 4) UUID drawn from a seeded stream, so message and transaction ids are
 * reproducible: same seed and stream name ⇒ same ids.
 */
export function uuidFromStream(stream: RandomStream): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = stream.int(0, 255);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/** The namespace of degsim's name-based UUIDs (RFC 9562 version 5 under the URL namespace). */
const DEGSIM_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/**
 * A name-based (version 5, SHA-1) UUID, stable for a given name. Used where Beckn requires a UUID
 * for an object whose degsim id is free text (e.g. `contract.id` for a contract id).
 */
export function uuidForName(name: string, namespace: string = DEGSIM_NAMESPACE): string {
  const ns = Uint8Array.from(Buffer.from(namespace.replaceAll('-', ''), 'hex'));
  const digest = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = Uint8Array.from(digest.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(bytes);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for an RFC 9562 UUID string. */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Which profile a wire message is in, from the spelling of its context: camelCase ids
 * (`bapId`, `messageId`) are Beckn 2.0.0, snake_case (`bap_id`, `message_id`) the DEG order draft.
 * Undefined when the message has no recognisable context.
 */
export function detectProfile(wire: unknown): ProfileId | undefined {
  if (!isRecord(wire) || !isRecord(wire['context'])) return undefined;
  const c = wire['context'];
  if ('bapId' in c || 'messageId' in c || 'transactionId' in c) return 'beckn-2.0.0';
  if ('bap_id' in c || 'message_id' in c || 'transaction_id' in c) return 'deg-order-draft';
  return undefined;
}
