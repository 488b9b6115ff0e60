import type { WireContext } from './context.js';
import { isRecord } from './context.js';

/**
 * The key values of one message that a reader of a sequence diagram wants on the arrow. Every
 * field is optional: a value appears only when the message carries it.
 */
export interface MessageFacts {
  readonly contractId?: string;
  /** Contract status (PENDING, ACTIVE, COMPLETED, …; beckn 2.0.0 status codes too). */
  readonly status?: string;
  /** Number of points of the offer curve carried by the message. */
  readonly curvePoints?: number;
  readonly currency?: string;
  readonly clearingPricePerKWh?: number;
  /** Cleared power of the participant addressed (kW, positive = export). */
  readonly clearedKW?: number;
  /** True when `clearedKW` is the sum of |cleared| over several parties (a cascaded message). */
  readonly clearedIsTotal?: boolean;
  readonly approvedMaxKW?: number;
  /** Maximum trade the MCA asks the utility to approve for a meter (kW). */
  readonly requestedMaxKW?: number;
  readonly wheelingPerKWh?: number;
  readonly feePerKWh?: number;
  readonly pricingModel?: string;
  /** Start of the delivery window the contract covers, RFC 3339. */
  readonly validityStart?: string;
  /** A Beckn error carried in the body. */
  readonly errorCode?: string;
}

/** Lower-case and drop separators so `clearing_price`, `clearingPrice` and `ClearingPrice` compare equal. */
function norm(key: string): string {
  return key.replace(/^[a-z]+:/i, '').replace(/[-_\s]/g, '').toLowerCase();
}

const PRICE_KEYS = new Set(['clearingprice', 'clearingpriceperkwh', 'clearedpriceperkwh', 'marketclearingprice']);
const CLEARED_KEYS = new Set(['clearedkw', 'clearedpowerkw', 'clearedpower', 'clearedquantitykw']);
const APPROVED_KEYS = new Set(['approvedmaxtradekw', 'approvedmaxkw', 'approvedkw', 'approvedlimitkw']);
const REQUESTED_KEYS = new Set(['requestedmaxkw', 'requestedmaxtradekw', 'requestedkw']);
const WHEELING_KEYS = new Set(['wheelingperkwh', 'wheelingcharges', 'wheelingcharge', 'wheelingchargeperkwh']);
const FEE_KEYS = new Set(['marketmakingfee', 'marketmakingfeeperkwh', 'feeperkwh']);
const VALIDITY_KEYS = new Set(['validity', 'validitywindow', 'deliverywindow', 'deliveryinterval']);

/** A number, or the `value` of a `{value, unit}` parameter. */
function numeric(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (isRecord(v)) {
    const inner = v['value'];
    if (typeof inner === 'number' && Number.isFinite(inner)) return inner;
  }
  return undefined;
}

/** The payload root of each profile: `message.contract` (beckn 2.0.0) or `message.order` (DEG draft). */
function payloadRoots(body: unknown): {
  readonly envelope: Readonly<Record<string, unknown>> | undefined;
  readonly attributes: Readonly<Record<string, unknown>> | undefined;
  readonly message: Readonly<Record<string, unknown>> | undefined;
} {
  if (!isRecord(body) || !isRecord(body['message'])) return { envelope: undefined, attributes: undefined, message: undefined };
  const message = body['message'];
  const contract = message['contract'];
  if (isRecord(contract)) {
    const attrs = contract['contractAttributes'];
    return { envelope: contract, attributes: isRecord(attrs) ? attrs : undefined, message };
  }
  const order = message['order'];
  if (isRecord(order)) {
    const attrs = order['beckn:orderAttributes'] ?? order['orderAttributes'];
    return { envelope: order, attributes: isRecord(attrs) ? attrs : undefined, message };
  }
  return { envelope: undefined, attributes: undefined, message };
}

interface Collected {
  price?: number;
  cleared?: { readonly value: number; readonly total: boolean };
  approved?: number;
  requested?: number;
  wheeling?: number;
  fee?: number;
  curvePoints?: number;
  currency?: string;
  pricingModel?: string;
  validityStart?: string;
}

const MAX_DEPTH = 12;
const MAX_NODES = 20_000;

/** Reads the cleared power: a number, or a map party → kW from which the addressed party's entry is taken. */
function clearedFrom(v: unknown, party: string): { readonly value: number; readonly total: boolean } | undefined {
  const n = numeric(v);
  if (n !== undefined) return { value: n, total: false };
  if (!isRecord(v)) return undefined;
  const entries = Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  if (entries.length === 0) return undefined;
  const own = entries.find(([k]) => k === party);
  if (own !== undefined) return { value: own[1], total: false };
  if (entries.length === 1) return { value: (entries[0] as [string, number])[1], total: false };
  return { value: entries.reduce((s, [, x]) => s + Math.abs(x), 0), total: true };
}

/**
 * Walks the payload depth-first in key order and keeps the first value found for each fact, so the
 * result depends only on the message. Bounded in depth and node count against hostile input.
 */
function collect(root: unknown, party: string, out: Collected): void {
  let visited = 0;
  const visit = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || ++visited > MAX_NODES) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    if (!isRecord(node)) return;
    const signalId = node['signalId'];
    if (typeof signalId === 'string' && norm(signalId).includes('clearingprice') && out.price === undefined) {
      const value = numeric(node);
      if (value !== undefined) out.price = value;
    }
    const curve = node['curve'];
    if (Array.isArray(curve) && curve.every((p) => isRecord(p) && 'price' in p) && out.curvePoints === undefined) {
      out.curvePoints = curve.length;
      const currency = node['currency'];
      if (typeof currency === 'string' && out.currency === undefined) out.currency = currency;
    }
    for (const [key, value] of Object.entries(node)) {
      const k = norm(key);
      if (PRICE_KEYS.has(k) && out.price === undefined) {
        const v = numeric(value);
        if (v !== undefined) out.price = v;
      } else if (CLEARED_KEYS.has(k) && out.cleared === undefined) {
        const v = clearedFrom(value, party);
        if (v !== undefined) out.cleared = v;
      } else if (APPROVED_KEYS.has(k) && out.approved === undefined) {
        const v = numeric(value);
        if (v !== undefined) out.approved = v;
      } else if (REQUESTED_KEYS.has(k) && out.requested === undefined) {
        const v = numeric(value);
        if (v !== undefined) out.requested = v;
      } else if (WHEELING_KEYS.has(k) && out.wheeling === undefined) {
        const v = numeric(value);
        if (v !== undefined) out.wheeling = v;
      } else if (FEE_KEYS.has(k) && out.fee === undefined) {
        const v = numeric(value);
        if (v !== undefined) out.fee = v;
      } else if (k === 'pricingmodel' && typeof value === 'string' && out.pricingModel === undefined) {
        out.pricingModel = value;
      } else if (VALIDITY_KEYS.has(k) && isRecord(value) && out.validityStart === undefined) {
        const start = value['start'] ?? value['startTime'];
        if (typeof start === 'string') out.validityStart = start;
      } else if (k === 'currency' && typeof value === 'string' && out.currency === undefined && /^[A-Z]{3}$/.test(value)) {
        out.currency = value;
      }
      visit(value, depth + 1);
    }
  };
  visit(root, 0);
}

function statusOf(envelope: Readonly<Record<string, unknown>> | undefined, attrs: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const fromAttrs = attrs?.['status'];
  if (typeof fromAttrs === 'string') return fromAttrs;
  const fromEnvelope = envelope?.['status'] ?? envelope?.['beckn:status'];
  if (typeof fromEnvelope === 'string') return fromEnvelope;
  if (isRecord(fromEnvelope)) {
    const code = fromEnvelope['code'];
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function contractIdOf(envelope: Readonly<Record<string, unknown>> | undefined, attrs: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const v of [attrs?.['contractId'], envelope?.['id'], envelope?.['beckn:id']]) {
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function errorCodeOf(body: unknown, message: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const holder of [isRecord(body) ? body : undefined, message]) {
    const err = holder?.['error'];
    if (isRecord(err)) {
      const code = err['code'];
      if (typeof code === 'string' || typeof code === 'number') return String(code);
    }
  }
  return undefined;
}

/**
 * Extracts the key values of a message body of either profile: offer-curve size, clearing price,
 * the addressed participant's cleared kW, approved and requested max kW, wheeling and market fees, contract id,
 * status and delivery-window start. Field names are matched ignoring case and separators, at any
 * depth of the contract (or order) so both profiles and both role-input and parameter placements
 * are read. Never throws.
 */
export function readFacts(body: unknown, ctx: WireContext): MessageFacts {
  const { envelope, attributes, message } = payloadRoots(body);
  const c: Collected = {};
  collect(message, ctx.bapId, c);
  const status = statusOf(envelope, attributes);
  const contractId = contractIdOf(envelope, attributes);
  const errorCode = errorCodeOf(body, message);
  return {
    ...(contractId === undefined ? {} : { contractId }),
    ...(status === undefined ? {} : { status }),
    ...(c.curvePoints === undefined ? {} : { curvePoints: c.curvePoints }),
    ...(c.currency === undefined ? {} : { currency: c.currency }),
    ...(c.price === undefined ? {} : { clearingPricePerKWh: c.price }),
    ...(c.cleared === undefined ? {} : { clearedKW: c.cleared.value, ...(c.cleared.total ? { clearedIsTotal: true } : {}) }),
    ...(c.approved === undefined ? {} : { approvedMaxKW: c.approved }),
    ...(c.requested === undefined ? {} : { requestedMaxKW: c.requested }),
    ...(c.wheeling === undefined ? {} : { wheelingPerKWh: c.wheeling }),
    ...(c.fee === undefined ? {} : { feePerKWh: c.fee }),
    ...(c.pricingModel === undefined ? {} : { pricingModel: c.pricingModel }),
    ...(c.validityStart === undefined ? {} : { validityStart: c.validityStart }),
    ...(errorCode === undefined ? {} : { errorCode }),
  };
}
