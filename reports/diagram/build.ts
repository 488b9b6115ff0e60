import type { Diagnostic } from '../../src/diagnostics.js';
import type { MessageDirection, WireContext, WireProfile } from './context.js';
import { endpoints, isRecord, readContext } from './context.js';
import type { MessageFacts } from './facts.js';
import { readFacts } from './facts.js';
import type { LifelineRole, PartyInfo, ScenarioParticipantRef } from './roles.js';
import { classifyParty, pluralKind } from './roles.js';

/** One vertical line of the diagram: a party, or a group of similar parties when collapsed. */
export interface Lifeline {
  /** Identifier safe for Mermaid aliases and SVG ids: a letter, then letters, digits or `_`. */
  readonly id: string;
  readonly label: string;
  readonly role: LifelineRole;
  readonly kind: string;
  /** Subscriber ids drawn on this lifeline (one unless collapsed). */
  readonly members: readonly string[];
}

/** A message arrow, or several identical ones merged when collapsed (`count` > 1). */
export interface ArrowStep {
  readonly type: 'arrow';
  readonly from: string;
  readonly to: string;
  readonly action: string;
  readonly direction: MessageDirection;
  readonly count: number;
  /** How many of the merged messages the receiver answered with NACK. */
  readonly nackCount: number;
  /** Key values shown after the action, e.g. `curve 4 pts`, `price 0.0625 INR/kWh`, `cleared 5 kW`. */
  readonly values: readonly string[];
  /** The full arrow text: action, `×count` when merged, then the values, separated by ` · `. */
  readonly label: string;
  readonly messageIds: readonly string[];
}

/** A note over one or more lifelines (gate closure and clearing). */
export interface NoteStep {
  readonly type: 'note';
  readonly over: readonly string[];
  readonly text: string;
}

export type DiagramStep = ArrowStep | NoteStep;

/** A sequence diagram built from a trace, independent of how it is drawn. */
export interface Diagram {
  readonly title: string;
  readonly lifelines: readonly Lifeline[];
  readonly steps: readonly DiagramStep[];
  /** Messages drawn (before merging). */
  readonly messageCount: number;
  readonly profiles: readonly WireProfile[];
  /** Messages or acks that could not be read; they are left out of the diagram. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Run clock needed to map a contract's validity start to an interval index. */
export interface IntervalClock {
  /** Start of interval 0, RFC 3339 UTC. */
  readonly start: string;
  readonly intervalMinutes: number;
}

export interface SequenceDiagramOptions {
  /** Keep only messages whose transaction belongs to this 0-based delivery interval. */
  readonly interval?: number;
  /** Keep only the messages of this transaction id. */
  readonly transactionId?: string;
  /** With `interval`, also keep messages whose transaction belongs to no interval (e.g. discovery). */
  readonly includeUnscoped?: boolean;
  /** Merge similar participants into one lifeline and their identical arrows into one. */
  readonly collapse?: boolean;
  /** Smallest group of one kind merged when collapsing (default 2). */
  readonly collapseMinGroup?: number;
  /** Participants of the run (`scenario.resolved.json`), to name roles and kinds. */
  readonly participants?: readonly ScenarioParticipantRef[];
  /** Run clock, to read intervals from contract validity starts. */
  readonly clock?: IntervalClock;
  /** Lines of `acks.ndjson`, to mark NACKed messages. */
  readonly acks?: readonly unknown[];
  readonly title?: string;
}

/** Matches the interval tag of a transaction id: `txn-i12-prosumer-7`, `pac.i3.cpo-1`, `i0-…`. */
const INTERVAL_TAG = /(?:^|[-_.:/])i(\d+)(?=$|[-_.:/])/;

/** The delivery interval named in a transaction id of the form `…-i<N>-…`, if any. */
export function intervalOfTransactionId(transactionId: string): number | undefined {
  const m = INTERVAL_TAG.exec(transactionId);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The interval that contains `timestamp` (RFC 3339) on the run clock; `undefined` before the start or when unparsable. */
export function intervalOfTime(timestamp: string, clock: IntervalClock): number | undefined {
  const t = Date.parse(timestamp);
  const t0 = Date.parse(clock.start);
  if (!Number.isFinite(t) || !Number.isFinite(t0) || !(clock.intervalMinutes > 0) || t < t0) return undefined;
  return Math.floor((t - t0) / (clock.intervalMinutes * 60_000));
}

/** A readable message: its context now, its facts read on first use (most callers need few). */
class Parsed {
  private cached: MessageFacts | undefined;
  constructor(
    readonly index: number,
    readonly ctx: WireContext,
    private readonly body: unknown,
  ) {}
  get facts(): MessageFacts {
    this.cached ??= readFacts(this.body, this.ctx);
    return this.cached;
  }
}

/** The readable messages of a trace; unreadable ones become diagnostics when a list is given. */
function parseAll(messages: readonly unknown[], diagnostics?: Diagnostic[]): Parsed[] {
  const parsed: Parsed[] = [];
  messages.forEach((body, index) => {
    const r = readContext(body, `messages[${index}]`);
    if (r.ok) parsed.push(new Parsed(index, r.value, body));
    else diagnostics?.push(...r.errors);
  });
  return parsed;
}

/**
 * The interval of each transaction: from its id (`…-i<N>-…`), else from the first contract
 * validity start among its messages mapped on the clock; `undefined` when neither tells. Message
 * bodies are read only for transactions whose id names no interval.
 */
function transactionIntervals(parsed: readonly Parsed[], clock: IntervalClock | undefined): Map<string, number | undefined> {
  const txnInterval = new Map<string, number | undefined>();
  for (const p of parsed) {
    const t = p.ctx.transactionId;
    if (!txnInterval.has(t)) txnInterval.set(t, intervalOfTransactionId(t));
  }
  if (clock !== undefined) {
    for (const p of parsed) {
      const t = p.ctx.transactionId;
      if (txnInterval.get(t) !== undefined) continue;
      const start = p.facts.validityStart;
      if (start !== undefined) txnInterval.set(t, intervalOfTime(start, clock));
    }
  }
  return txnInterval;
}

/** The delivery intervals the transactions of a trace belong to, ascending (same rules as the diagram's `interval` filter). */
export function intervalsInTrace(messages: readonly unknown[], clock?: IntervalClock): readonly number[] {
  const set = new Set<number>();
  for (const iv of transactionIntervals(parseAll(messages), clock).values()) if (iv !== undefined) set.add(iv);
  return [...set].sort((a, b) => a - b);
}

interface Rec {
  readonly index: number;
  readonly ctx: WireContext;
  readonly facts: MessageFacts;
  readonly from: PartyInfo;
  readonly to: PartyInfo;
  readonly nack: boolean;
  readonly errorCode: string | undefined;
}

const MERMAID_RESERVED = new Set([
  'end', 'participant', 'actor', 'note', 'loop', 'alt', 'else', 'opt', 'par', 'and', 'rect', 'critical', 'break', 'box',
  'activate', 'deactivate', 'autonumber', 'title', 'link', 'links', 'properties', 'details', 'left', 'right', 'over', 'of', 'as',
  'create', 'destroy', 'option',
]);

function aliasFor(label: string, taken: Set<string>): string {
  let base = label.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(base)) base = `p_${base}`;
  if (MERMAID_RESERVED.has(base.toLowerCase())) base = `${base}_`;
  let alias = base;
  for (let n = 2; taken.has(alias); n++) alias = `${base}_${n}`;
  taken.add(alias);
  return alias;
}

const ROLE_RANK: Readonly<Record<LifelineRole, number>> = { participant: 0, network: 1, mca: 2, utility: 3 };

function readAcks(acks: readonly unknown[], diagnostics: Diagnostic[]): Map<string, { readonly nack: boolean; readonly code: string | undefined }> {
  const out = new Map<string, { readonly nack: boolean; readonly code: string | undefined }>();
  acks.forEach((a, i) => {
    if (!isRecord(a) || typeof a['messageId'] !== 'string' || (a['ack'] !== 'ACK' && a['ack'] !== 'NACK')) {
      diagnostics.push({ code: 'trace.ack-shape', path: `acks[${i}]`, message: 'expected {"messageId", "ack": "ACK"|"NACK"}' });
      return;
    }
    const err = a['error'];
    const code = isRecord(err) && (typeof err['code'] === 'string' || typeof err['code'] === 'number') ? String(err['code']) : undefined;
    out.set(a['messageId'], { nack: a['ack'] === 'NACK', code });
  });
  return out;
}

/** Compact number: at most `decimals` decimals, trailing zeros dropped, never `-0`. */
export function formatValue(x: number, decimals: number): string {
  const s = x.toFixed(decimals).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** `lo…hi` of a non-empty list, or one value when they print the same. Loops: lists can be long. */
function range(xs: readonly number[], decimals: number): string {
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const lo = formatValue(min, decimals);
  const hi = formatValue(max, decimals);
  return lo === hi ? lo : `${lo}…${hi}`;
}

type FactKey = 'curve' | 'price' | 'cleared' | 'approved' | 'requested' | 'wheeling' | 'fee' | 'status' | 'model';

/** Which key values each action's arrow shows; other actions show the generic set. */
const LABEL_FACTS: Readonly<Record<string, readonly FactKey[]>> = {
  discover: ['model'],
  on_discover: ['model', 'fee'],
  select: ['curve'],
  on_select: ['approved', 'wheeling', 'fee'],
  init: ['curve', 'requested'],
  on_init: ['approved', 'wheeling', 'fee'],
  confirm: ['curve', 'requested', 'cleared'],
  on_confirm: ['price', 'cleared', 'status'],
  status: [],
  on_status: ['status', 'price', 'cleared'],
  update: ['cleared'],
  on_update: ['status', 'price', 'cleared'],
  cancel: [],
  on_cancel: ['status'],
};
const GENERIC_FACTS: readonly FactKey[] = ['curve', 'price', 'cleared', 'approved', 'status'];

function nums(facts: readonly MessageFacts[], pick: (f: MessageFacts) => number | undefined): number[] {
  const out: number[] = [];
  for (const f of facts) {
    const v = pick(f);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** The value strings of an arrow from the facts of the messages merged into it. */
function valuesFor(action: string, facts: readonly MessageFacts[]): string[] {
  const out: string[] = [];
  const currency = facts.find((f) => f.currency !== undefined)?.currency;
  const perKWh = currency === undefined ? '/kWh' : ` ${currency}/kWh`;
  for (const key of LABEL_FACTS[action] ?? GENERIC_FACTS) {
    switch (key) {
      case 'curve': {
        const xs = nums(facts, (f) => f.curvePoints);
        if (xs.length > 0) out.push(`curve ${range(xs, 0)} pts`);
        break;
      }
      case 'price': {
        const xs = nums(facts, (f) => f.clearingPricePerKWh);
        if (xs.length > 0) out.push(`price ${range(xs, 4)}${perKWh}`);
        break;
      }
      case 'cleared': {
        const xs = nums(facts, (f) => f.clearedKW);
        if (xs.length > 0) out.push(`${facts.some((f) => f.clearedIsTotal === true) ? 'cleared Σ|kW|' : 'cleared'} ${range(xs, 2)} kW`);
        break;
      }
      case 'approved': {
        const xs = nums(facts, (f) => f.approvedMaxKW);
        if (xs.length > 0) out.push(`max ${range(xs, 2)} kW`);
        break;
      }
      case 'requested': {
        const xs = nums(facts, (f) => f.requestedMaxKW);
        if (xs.length > 0) out.push(`asks ${range(xs, 2)} kW`);
        break;
      }
      case 'wheeling': {
        const xs = nums(facts, (f) => f.wheelingPerKWh);
        if (xs.length > 0) out.push(`wheeling ${range(xs, 4)}${perKWh}`);
        break;
      }
      case 'fee': {
        const xs = nums(facts, (f) => f.feePerKWh);
        if (xs.length > 0) out.push(`fee ${range(xs, 4)}${perKWh}`);
        break;
      }
      case 'status': {
        const set = [...new Set(facts.flatMap((f) => (f.status === undefined ? [] : [f.status])))].sort();
        if (set.length > 0) out.push(set.join('/'));
        break;
      }
      case 'model': {
        const set = [...new Set(facts.flatMap((f) => (f.pricingModel === undefined ? [] : [f.pricingModel])))].sort();
        if (set.length > 0) out.push(set.join('/'));
        break;
      }
    }
  }
  return out;
}

function labelOf(action: string, count: number, values: readonly string[]): string {
  return [count > 1 ? `${action} ×${count}` : action, ...values].join(' · ');
}

/**
 * Builds a sequence diagram from wire message bodies in delivery order (either profile).
 *
 * Sender and receiver come from the context: requests BAP → BPP, callbacks BPP → BAP (a request
 * with no BPP goes to a `Network` lifeline). Lifelines are ordered participants, network, MCA,
 * utility, each by first appearance. A transaction belongs to interval N when its id carries
 * `-i<N>-` (or starts `i<N>-` / ends `-i<N>`); otherwise when one of its messages carries a
 * contract validity start, mapped on `opts.clock`. Before the first
 * clearing outcome the MCA sends in each interval (a clearing price or a cleared kW, e.g. the
 * cascaded `confirm` to the utility or the `on_confirm`), a gate-closure note is placed over the MCA
 * with the interval's clearing price. With `collapse`,
 * participants of one kind (at least `collapseMinGroup` of them) share a lifeline "prosumers ×20",
 * and arrows with the same ends and action between two notes merge into one ("init ×20") placed
 * where the first of them was. Unreadable messages become diagnostics and are skipped.
 */
export function buildSequenceDiagram(messages: readonly unknown[], opts: SequenceDiagramOptions = {}): Diagram {
  const diagnostics: Diagnostic[] = [];
  const acks = readAcks(opts.acks ?? [], diagnostics);
  const known = opts.participants ?? [];
  const parties = new Map<string, PartyInfo>();
  const party = (id: string): PartyInfo => {
    let p = parties.get(id);
    if (p === undefined) {
      p = classifyParty(id, known);
      parties.set(id, p);
    }
    return p;
  };

  const parsed = parseAll(messages, diagnostics);

  const txnInterval = transactionIntervals(parsed, opts.clock);

  const selected: Rec[] = [];
  for (const p of parsed) {
    if (opts.transactionId !== undefined && p.ctx.transactionId !== opts.transactionId) continue;
    const iv = txnInterval.get(p.ctx.transactionId);
    if (opts.interval !== undefined && iv !== opts.interval && !(iv === undefined && opts.includeUnscoped === true)) continue;
    const { from, to } = endpoints(p.ctx);
    const ack = acks.get(p.ctx.messageId);
    selected.push({
      index: p.index,
      ctx: p.ctx,
      facts: p.facts,
      from: party(from),
      to: party(to),
      nack: ack?.nack === true,
      errorCode: ack?.code ?? p.facts.errorCode,
    });
  }

  // Lifelines: one per party, or one per kind for collapsed groups.
  const firstSeen = new Map<string, number>();
  selected.forEach((r, i) => {
    for (const p of [r.from, r.to]) if (!firstSeen.has(p.subscriberId)) firstSeen.set(p.subscriberId, i);
  });
  const seenParties = [...firstSeen.keys()].map((id) => party(id));
  const minGroup = Math.max(2, opts.collapseMinGroup ?? 2);
  const kindCount = new Map<string, number>();
  for (const p of seenParties) if (p.role === 'participant') kindCount.set(p.kind, (kindCount.get(p.kind) ?? 0) + 1);
  const groupKey = (p: PartyInfo): string =>
    opts.collapse === true && p.role === 'participant' && (kindCount.get(p.kind) ?? 0) >= minGroup ? `kind:${p.kind}` : `id:${p.subscriberId}`;

  interface Lane {
    readonly key: string;
    readonly role: LifelineRole;
    readonly kind: string;
    readonly members: string[];
    readonly first: number;
    readonly baseLabel: string;
  }
  const lanes = new Map<string, Lane>();
  for (const p of seenParties) {
    const key = groupKey(p);
    const lane = lanes.get(key);
    if (lane === undefined) {
      lanes.set(key, { key, role: p.role, kind: p.kind, members: [p.subscriberId], first: firstSeen.get(p.subscriberId) ?? 0, baseLabel: p.label });
    } else {
      lane.members.push(p.subscriberId);
    }
  }
  const ordered = [...lanes.values()].sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role] || a.first - b.first);
  // Two parties with the same short label (or two MCAs) are told apart by their subscriber ids.
  const labelUse = new Map<string, number>();
  for (const l of ordered) if (!l.key.startsWith('kind:')) labelUse.set(l.baseLabel, (labelUse.get(l.baseLabel) ?? 0) + 1);
  const taken = new Set<string>();
  const laneId = new Map<string, string>();
  const lifelines: Lifeline[] = ordered.map((l) => {
    let label: string;
    if (l.key.startsWith('kind:')) label = `${pluralKind(l.kind)} ×${l.members.length}`;
    else if ((labelUse.get(l.baseLabel) ?? 0) > 1) label = l.role === 'participant' ? (l.members[0] ?? l.baseLabel) : `${l.baseLabel} (${l.members[0] ?? ''})`;
    else label = l.baseLabel;
    const id = aliasFor(l.key.startsWith('kind:') ? pluralKind(l.kind) : label, taken);
    laneId.set(l.key, id);
    return { id, label, role: l.role, kind: l.kind, members: [...l.members] };
  });
  const laneOf = (p: PartyInfo): string => laneId.get(groupKey(p)) ?? '';

  // Steps, with a gate-closure note before the first priced on_confirm of each interval.
  interface Draft {
    readonly key: string;
    readonly from: string;
    readonly to: string;
    readonly action: string;
    readonly direction: MessageDirection;
    readonly facts: MessageFacts[];
    readonly messageIds: string[];
    nack: number;
    readonly codes: Set<string>;
  }
  const out: (Draft | NoteStep)[] = [];
  const open = new Map<string, Draft>();
  const intervalKey = (r: Rec): string => String(txnInterval.get(r.ctx.transactionId) ?? '-');
  const firstPrice = new Map<string, MessageFacts>();
  for (const r of selected) {
    const k = intervalKey(r);
    if (r.facts.clearingPricePerKWh !== undefined && !firstPrice.has(k)) firstPrice.set(k, r.facts);
  }
  const noted = new Set<string>();
  let stage = 0;
  for (const r of selected) {
    const ivKey = intervalKey(r);
    const outcome = r.facts.clearingPricePerKWh !== undefined || r.facts.clearedKW !== undefined;
    if (r.from.role === 'mca' && outcome && !noted.has(ivKey)) {
      noted.add(ivKey);
      const priced = firstPrice.get(ivKey);
      const head = ivKey === '-' ? 'Gate closure' : `Gate closure, interval ${ivKey}`;
      let text = `${head}: market clears`;
      if (priced?.clearingPricePerKWh !== undefined) {
        text += ` at ${formatValue(priced.clearingPricePerKWh, 4)}${priced.currency === undefined ? '/kWh' : ` ${priced.currency}/kWh`}`;
      }
      out.push({ type: 'note', over: [laneOf(r.from)], text });
      stage++;
      open.clear();
    }
    const from = laneOf(r.from);
    const to = laneOf(r.to);
    const key = opts.collapse === true ? `${stage}|${from}|${to}|${r.ctx.action}|${r.nack ? 'N' : 'A'}` : `#${r.index}`;
    let d = open.get(key);
    if (d === undefined) {
      d = { key, from, to, action: r.ctx.action, direction: r.ctx.direction, facts: [], messageIds: [], nack: 0, codes: new Set() };
      open.set(key, d);
      out.push(d);
    }
    d.facts.push(r.facts);
    d.messageIds.push(r.ctx.messageId);
    if (r.nack) d.nack++;
    if (r.errorCode !== undefined && r.nack) d.codes.add(r.errorCode);
  }

  const steps: DiagramStep[] = out.map((s) => {
    if ('type' in s) return s;
    const count = s.messageIds.length;
    const values = valuesFor(s.action, s.facts);
    if (s.nack > 0) {
      const codes = [...s.codes].sort().join(',');
      values.push(s.nack === count ? `NACK${codes === '' ? '' : ` ${codes}`}` : `${s.nack} NACK`);
    }
    return {
      type: 'arrow',
      from: s.from,
      to: s.to,
      action: s.action,
      direction: s.direction,
      count,
      nackCount: s.nack,
      values,
      label: labelOf(s.action, count, values),
      messageIds: s.messageIds,
    };
  });

  const profiles = [...new Set(selected.map((r) => r.ctx.profile))].sort();
  const title =
    opts.title ??
    (opts.transactionId !== undefined
      ? `Transaction ${opts.transactionId}`
      : opts.interval !== undefined
        ? `Interval ${opts.interval}`
        : 'All messages');
  return { title, lifelines, steps, messageCount: selected.length, profiles, diagnostics };
}
