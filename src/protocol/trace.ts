import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isoOf, parseIsoMs } from '../kernel/clock.js';
import {
  createReplayCache,
  type ContextReader,
  type MessageValidator,
  type ReplayCache,
  type RefusalReason,
  receive,
} from './receiver.js';
import { indexRegistry, serializeRegistry, writeFileAtomic, type SubscriberRegistry } from './registry.js';
import type { AckBuilder, BecknErrorCode } from './ack.js';

/**
 * The traces of a run, written into its folder:
 * - `messages.ndjson`: every accepted (delivered and ACKed) message body, one per line, in delivery order;
 * - `acks.ndjson`: every synchronous outcome (ACK, NACK, LOST), in the order it happened;
 * - `wire.ndjson`: every accepted message with its signed headers and exact body string, so anyone
 *   can re-verify the run offline against `registry.json` (`degsim verify`);
 * - `registry.json`: the public registry of the run (never private keys).
 * Lines have a fixed field order, so the same run gives byte-identical files.
 */

/** One synchronous outcome. */
export interface AckRecord {
  readonly messageId: string;
  readonly action: string;
  readonly from: string;
  readonly to: string;
  /** Simulated (or wall) time of the outcome, ms since the epoch. */
  readonly atMs: number;
  readonly ack: 'ACK' | 'NACK' | 'LOST';
  /** A second copy of a message made by the link (refused as a replay). */
  readonly duplicate?: boolean;
  readonly error?: { readonly code: BecknErrorCode | (string & Record<never, never>); readonly reason: RefusalReason; readonly message: string; readonly path?: string };
}

/** One accepted message as it travelled. */
export interface WireRecord {
  /** Lower-case header names: at least `authorization` and `content-type`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body string. */
  readonly body: string;
  /** The subscriber it was delivered to. */
  readonly to: string;
}

/** Where a transport reports what happened. */
export interface TraceSink {
  delivered(record: WireRecord): void;
  ack(record: AckRecord): void;
}

/** The `acks.ndjson` line of a record (fixed field order, no trailing newline). */
export function ackLine(r: AckRecord): string {
  const o: Record<string, unknown> = { messageId: r.messageId, action: r.action, from: r.from, to: r.to, atMs: r.atMs, timestamp: isoOf(r.atMs), ack: r.ack };
  if (r.duplicate === true) o['duplicate'] = true;
  if (r.error !== undefined) {
    const e: Record<string, string> = { code: r.error.code, reason: r.error.reason, message: r.error.message };
    if (r.error.path !== undefined) e['path'] = r.error.path;
    o['error'] = e;
  }
  return JSON.stringify(o);
}

/** The `messages.ndjson` line of a body: the body itself, re-serialised compactly only if it spans lines. */
export function messageLine(body: string): string {
  return /[\n\r]/.test(body) ? JSON.stringify(JSON.parse(body)) : body;
}

const HEADER_ORDER = ['authorization', 'content-type', 'digest'];

/** The `wire.ndjson` line of a record: `{"headers":{…},"body":"<exact body>","to":"…"}`. */
export function wireLine(r: WireRecord): string {
  const names = Object.keys(r.headers).map((k) => k.toLowerCase());
  const ordered = [...HEADER_ORDER.filter((h) => names.includes(h)), ...names.filter((h) => !HEADER_ORDER.includes(h)).sort()];
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) lower[k.toLowerCase()] = v;
  const headers: Record<string, string> = {};
  for (const h of ordered) headers[h] = lower[h] as string;
  return JSON.stringify({ headers, body: r.body, to: r.to });
}

/** File names inside a run folder. */
export const TRACE_FILES = { messages: 'messages.ndjson', acks: 'acks.ndjson', wire: 'wire.ndjson', registry: 'registry.json' } as const;

/** A trace kept in memory and written at the end. */
export interface MemoryTrace extends TraceSink {
  readonly messageLines: readonly string[];
  readonly ackLines: readonly string[];
  readonly wireLines: readonly string[];
  /** Writes the three NDJSON files (and `registry.json` when given) atomically into `dir`, creating it. */
  writeTo(dir: string, registry?: SubscriberRegistry): Promise<void>;
}

/** A trace buffered in memory. */
export function createMemoryTrace(): MemoryTrace {
  const messageLines: string[] = [];
  const ackLines: string[] = [];
  const wireLines: string[] = [];
  return {
    messageLines,
    ackLines,
    wireLines,
    delivered(r) {
      messageLines.push(messageLine(r.body));
      wireLines.push(wireLine(r));
    },
    ack(r) {
      ackLines.push(ackLine(r));
    },
    async writeTo(dir, registry) {
      await mkdir(dir, { recursive: true });
      const text = (lines: readonly string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
      await writeFileAtomic(join(dir, TRACE_FILES.messages), text(messageLines));
      await writeFileAtomic(join(dir, TRACE_FILES.acks), text(ackLines));
      await writeFileAtomic(join(dir, TRACE_FILES.wire), text(wireLines));
      if (registry !== undefined) await writeFileAtomic(join(dir, TRACE_FILES.registry), serializeRegistry(registry));
    },
  };
}

/** A trace streamed to temporary files in the run folder as the run goes, renamed into place by `finish`. */
export interface StreamingTrace extends TraceSink {
  /** Flushes, closes and renames the files into place (and writes `registry.json` when given). */
  finish(registry?: SubscriberRegistry): Promise<void>;
  /** Closes and removes the temporary files (a failed run leaves no half-written trace). */
  abort(): void;
}

/**
 * Streams the trace to `.messages.ndjson.<pid>.tmp`-style files in `dir` (which must exist),
 * buffering up to `flushBytes` per file between writes.
 */
export function createStreamingTrace(dir: string, flushBytes = 1 << 16): StreamingTrace {
  type Out = { fd: number; tmp: string; final: string; buf: string[]; size: number };
  const open = (name: string): Out => {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    return { fd: openSync(tmp, 'w'), tmp, final: join(dir, name), buf: [], size: 0 };
  };
  const outs = { messages: open(TRACE_FILES.messages), acks: open(TRACE_FILES.acks), wire: open(TRACE_FILES.wire) };
  const flush = (o: Out): void => {
    if (o.buf.length === 0) return;
    writeSync(o.fd, o.buf.join(''));
    o.buf = [];
    o.size = 0;
  };
  const put = (o: Out, line: string): void => {
    o.buf.push(line, '\n');
    o.size += line.length + 1;
    if (o.size >= flushBytes) flush(o);
  };
  let closed = false;
  const closeAll = (): void => {
    if (closed) return;
    closed = true;
    for (const o of Object.values(outs)) {
      flush(o);
      closeSync(o.fd);
    }
  };
  return {
    delivered(r) {
      put(outs.messages, messageLine(r.body));
      put(outs.wire, wireLine(r));
    },
    ack(r) {
      put(outs.acks, ackLine(r));
    },
    async finish(registry) {
      closeAll();
      for (const o of Object.values(outs)) renameSync(o.tmp, o.final);
      if (registry !== undefined) await writeFileAtomic(join(dir, TRACE_FILES.registry), serializeRegistry(registry));
    },
    abort() {
      closeAll();
      for (const o of Object.values(outs)) rmSync(o.tmp, { force: true });
    },
  };
}

/** The verdict on one line of a wire trace. */
export type WireLineVerdict =
  | { readonly line: number; readonly ok: true; readonly messageId: string; readonly action: string; readonly signer: string; readonly atSec: number }
  | { readonly line: number; readonly ok: false; readonly code: string; readonly reason: string; readonly message: string; readonly messageId?: string; readonly action?: string };

/** The verdict on a whole wire trace. */
export interface WireVerification {
  readonly lines: readonly WireLineVerdict[];
  readonly passed: number;
  readonly failed: number;
}

/** Options of `verifyWireTrace`. */
export interface VerifyWireOptions {
  /** `context`: each message at its own context timestamp; a number: every message at that Unix second. */
  readonly now: 'context' | number;
  readonly contextReader: ContextReader;
  /** Schema check; omit to check signatures, keys, windows, callers and replays only. */
  readonly validator?: MessageValidator;
  readonly ackBuilder?: AckBuilder;
}

const silentAcks: AckBuilder = { ack: () => ({}), nack: () => ({}) };

/**
 * Re-verifies every line of a `wire.ndjson` text offline against a registry: signature, key
 * status and validity, created/expires window, signer = caller, schema (when a validator is
 * given) and replays (per recipient), each at the message's own context timestamp or at a fixed
 * instant. Blank lines are skipped; line numbers are 1-based.
 */
export function verifyWireTrace(text: string, registry: SubscriberRegistry, options: VerifyWireOptions): WireVerification {
  const index = indexRegistry(registry);
  const caches = new Map<string, ReplayCache>();
  const lines: WireLineVerdict[] = [];
  const rows = text.split('\n');
  rows.forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    let rec: unknown;
    try {
      rec = JSON.parse(raw);
    } catch (e) {
      lines.push({ line: lineNo, ok: false, code: 'SCH_INVALID_JSON', reason: 'malformed-line', message: `not a JSON line: ${(e as Error).message}` });
      return;
    }
    const r = rec as { headers?: unknown; body?: unknown; to?: unknown };
    if (typeof r !== 'object' || r === null || typeof r.body !== 'string' || typeof r.headers !== 'object' || r.headers === null) {
      lines.push({ line: lineNo, ok: false, code: 'SCH_INVALID_FORMAT', reason: 'malformed-line', message: 'expected {"headers": {...}, "body": "<exact body string>"}' });
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const to = typeof r.to === 'string' ? r.to : '';
    let nowSec: number;
    let wire: unknown;
    try {
      wire = JSON.parse(r.body);
    } catch {
      wire = undefined;
    }
    const ctx = wire === undefined ? undefined : options.contextReader(wire);
    if (options.now === 'context') {
      const ms = ctx !== undefined && ctx.ok ? parseIsoMs(ctx.value.timestamp) : Number.NaN;
      nowSec = Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
    } else {
      nowSec = options.now;
    }
    let cache = caches.get(to);
    if (cache === undefined) {
      cache = createReplayCache();
      caches.set(to, cache);
    }
    const out = receive(
      { headers, body: r.body, nowSec, ...(to === '' ? {} : { recipientId: to }) },
      { registry: index, replayCache: cache, validator: options.validator ?? (() => []), contextReader: options.contextReader, ackBuilder: options.ackBuilder ?? silentAcks, limits: { maxBodyBytes: Number.MAX_SAFE_INTEGER } },
    );
    const ids = ctx !== undefined && ctx.ok ? { messageId: ctx.value.messageId, action: ctx.value.action } : {};
    if (out.accepted !== null) {
      lines.push({ line: lineNo, ok: true, messageId: out.accepted.context.messageId, action: out.accepted.context.action, signer: out.accepted.signer.subscriberId, atSec: nowSec });
    } else if (out.response.status === 'NACK') {
      const f = out.response.refusal;
      lines.push({ line: lineNo, ok: false, code: f.code, reason: f.reason, message: f.message, ...ids });
    }
  });
  const passed = lines.filter((l) => l.ok).length;
  return { lines, passed, failed: lines.length - passed };
}
