import { domainContent, readContext } from './envelope.js';
import { diffJson, sameShape, shapeOf, type JsonDifference, type Tolerance } from './json-diff.js';
import { IGNORE_NOTHING, type Ignore } from './paths.js';

/**
 * Comparing the message traces of two runs: messages aligned by (interval, transaction, action,
 * sender, receiver) and their order within that key, then diffed field by field; per action, a
 * summary of which changed shape and which only changed values; and the ACK/NACK counts.
 */

/** Where the run's intervals start and how long they are, to place a message timestamp in an interval. */
export interface IntervalClock {
  readonly startMs: number;
  readonly intervalMinutes: number;
}

/** The alignment key of a message, readable. */
export interface MessageKey {
  /** 0-based interval of the context timestamp, or null when the run's clock or the timestamp is unknown. */
  readonly interval: number | null;
  readonly transactionId: string;
  readonly action: string;
  readonly sender: string;
  readonly receiver: string;
  /** 1 for the first message with this key in the trace, 2 for the next, … */
  readonly occurrence: number;
}

export interface MessageDifference {
  readonly key: MessageKey;
  /** 1-based lines in messages.ndjson of A and B. */
  readonly lineA: number;
  readonly lineB: number;
  readonly shapeChanged: boolean;
  readonly differences: readonly JsonDifference[];
}

/** One action's comparison. */
export interface ActionSummary {
  readonly action: string;
  readonly countA: number;
  readonly countB: number;
  readonly aligned: number;
  /** Aligned pairs whose set of JSON paths (or leaf types) differs. */
  readonly shapeChanged: number;
  /** Aligned pairs with the same shape but different values. */
  readonly valuesChanged: number;
  readonly missing: number;
  readonly added: number;
}

/** A difference in how many messages of an action got each answer (ACK, NACK, …). */
export interface AckCount {
  readonly action: string;
  readonly ack: string;
  readonly a: number;
  readonly b: number;
}

export interface TraceReport {
  readonly messagesA: number;
  readonly messagesB: number;
  /** Compared content: whole messages, or only the domain content (`--ignore-envelope`). */
  readonly content: 'message' | 'domain';
  readonly missing: readonly { readonly key: MessageKey; readonly line: number }[];
  readonly added: readonly { readonly key: MessageKey; readonly line: number }[];
  readonly changed: readonly MessageDifference[];
  readonly actions: readonly ActionSummary[];
  /** Differences of ACK/NACK counts by action (from acks.ndjson), empty when equal. */
  readonly acks: readonly AckCount[];
  readonly equal: boolean;
}

/** A trace line: its 1-based line number and body. */
export interface TraceLine {
  readonly line: number;
  readonly value: unknown;
}

/** The interval a timestamp falls in, or null. */
export function intervalOf(timestamp: string, clock: IntervalClock | undefined): number | null {
  if (clock === undefined || timestamp === '') return null;
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return null;
  return Math.floor((t - clock.startMs) / (clock.intervalMinutes * 60_000));
}

/** `interval 3 · txn-1 · init · bap → bpp` (with `#2` for a repeated key). */
export function formatKey(k: MessageKey): string {
  return `${k.interval === null ? '' : `interval ${k.interval} · `}${k.transactionId || '(no transaction)'} · ${k.action || '(no action)'} · ${k.sender || '?'} → ${k.receiver || '?'}${k.occurrence > 1 ? ` #${k.occurrence}` : ''}`;
}

function keyed(lines: readonly TraceLine[], clock: IntervalClock | undefined): { key: MessageKey; text: string; line: TraceLine }[] {
  const seen = new Map<string, number>();
  return lines.map((line) => {
    const c = readContext(line.value);
    const base = { interval: intervalOf(c.timestamp, clock), transactionId: c.transactionId, action: c.action, sender: c.sender, receiver: c.receiver };
    const text = JSON.stringify([base.interval, base.transactionId, base.action, base.sender, base.receiver]);
    const occurrence = (seen.get(text) ?? 0) + 1;
    seen.set(text, occurrence);
    return { key: { ...base, occurrence }, text: `${text}#${occurrence}`, line };
  });
}

function countAcks(acks: readonly TraceLine[] | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of acks ?? []) {
    const v = l.value as { action?: unknown; ack?: unknown } | null;
    const key = JSON.stringify([typeof v?.action === 'string' ? v.action : '', typeof v?.ack === 'string' ? v.ack : '']);
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/**
 * Compares two traces. With `ignoreEnvelope`, only the domain content of each message is
 * compared (see `domainContent`), so runs under two wire profiles compare on money and power.
 */
export function compareTraces(opts: {
  readonly a: readonly TraceLine[];
  readonly b: readonly TraceLine[];
  readonly clockA?: IntervalClock;
  readonly clockB?: IntervalClock;
  readonly acksA?: readonly TraceLine[];
  readonly acksB?: readonly TraceLine[];
  readonly tolerance: Tolerance;
  readonly ignore?: Ignore;
  readonly ignoreEnvelope?: boolean;
}): TraceReport {
  const ignore = opts.ignore ?? IGNORE_NOTHING;
  const domain = opts.ignoreEnvelope === true;
  const content = (v: unknown): unknown => (domain ? domainContent(v) : v);
  const ka = keyed(opts.a, opts.clockA);
  const kb = keyed(opts.b, opts.clockB);
  const byB = new Map(kb.map((m) => [m.text, m]));
  const matched = new Set<string>();
  const actions = new Map<string, { countA: number; countB: number; aligned: number; shapeChanged: number; valuesChanged: number; missing: number; added: number }>();
  const stat = (action: string) => {
    let s = actions.get(action);
    if (s === undefined) {
      s = { countA: 0, countB: 0, aligned: 0, shapeChanged: 0, valuesChanged: 0, missing: 0, added: 0 };
      actions.set(action, s);
    }
    return s;
  };
  const missing: { key: MessageKey; line: number }[] = [];
  const changed: MessageDifference[] = [];
  for (const ma of ka) {
    const s = stat(ma.key.action);
    s.countA++;
    const mb = byB.get(ma.text);
    if (mb === undefined) {
      s.missing++;
      missing.push({ key: ma.key, line: ma.line.line });
      continue;
    }
    matched.add(ma.text);
    s.aligned++;
    const ca = content(ma.line.value);
    const cb = content(mb.line.value);
    const differences = diffJson(ca, cb, { tolerance: opts.tolerance, ignore });
    if (differences.length === 0) continue;
    const shapeChanged = !sameShape(shapeOf(ca, ignore), shapeOf(cb, ignore));
    if (shapeChanged) s.shapeChanged++;
    else s.valuesChanged++;
    changed.push({ key: ma.key, lineA: ma.line.line, lineB: mb.line.line, shapeChanged, differences });
  }
  const added: { key: MessageKey; line: number }[] = [];
  for (const mb of kb) {
    const s = stat(mb.key.action);
    s.countB++;
    if (!matched.has(mb.text)) {
      s.added++;
      added.push({ key: mb.key, line: mb.line.line });
    }
  }
  const ackA = countAcks(opts.acksA);
  const ackB = countAcks(opts.acksB);
  const acks: AckCount[] = [];
  for (const k of [...new Set([...ackA.keys(), ...ackB.keys()])].sort()) {
    const a = ackA.get(k) ?? 0;
    const b = ackB.get(k) ?? 0;
    const [action, ack] = JSON.parse(k) as [string, string];
    if (a !== b) acks.push({ action, ack, a, b });
  }
  const summaries = [...actions.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([action, s]) => ({ action, ...s }));
  return {
    messagesA: opts.a.length,
    messagesB: opts.b.length,
    content: domain ? 'domain' : 'message',
    missing,
    added,
    changed,
    actions: summaries,
    acks,
    equal: missing.length === 0 && added.length === 0 && changed.length === 0 && acks.length === 0,
  };
}
