/**
 * Reading a wire message whichever profile wrote it: the context (camelCase `bapId` of Beckn 2.0.0
 * or snake_case `bap_id` of the DEG order draft) and the domain content (the attribute packs,
 * without the envelope around them).
 */

/** The context fields the comparison needs, from either context shape. */
export interface MessageContext {
  readonly action: string;
  readonly transactionId: string;
  readonly messageId: string;
  readonly timestamp: string;
  readonly bapId: string;
  readonly bppId: string;
  /** BAP for requests, BPP for `on_*` callbacks. */
  readonly sender: string;
  readonly receiver: string;
  /** Which context shape the message used. */
  readonly shape: 'camel' | 'snake' | 'unknown';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads the context of a message body; missing fields are empty strings. */
export function readContext(body: unknown): MessageContext {
  const c = isObject(body) && isObject(body['context']) ? body['context'] : {};
  const pick = (camel: string, snake: string): string => {
    const v = c[camel] ?? c[snake];
    return typeof v === 'string' ? v : '';
  };
  const action = pick('action', 'action');
  const bapId = pick('bapId', 'bap_id');
  const bppId = pick('bppId', 'bpp_id');
  const callback = action.startsWith('on_');
  const shape = 'bapId' in c || 'transactionId' in c ? 'camel' : 'bap_id' in c || 'transaction_id' in c ? 'snake' : 'unknown';
  return {
    action,
    transactionId: pick('transactionId', 'transaction_id'),
    messageId: pick('messageId', 'message_id'),
    timestamp: pick('timestamp', 'timestamp'),
    bapId,
    bppId,
    sender: callback ? bppId : bapId,
    receiver: callback ? bapId : bppId,
    shape,
  };
}

/**
 * The normalised name of an attribute-pack slot: `contractAttributes` and the order draft's
 * `beckn:orderAttributes` are both `contract` (the order is the contract there); item and
 * resource packs are `resource`; fulfillment and performance are `performance`; payment and
 * consideration are `consideration`; any other `xAttributes` is `x`.
 */
export function packName(key: string): string | undefined {
  const m = /^(?:[A-Za-z][\w-]*:)?([A-Za-z]+)Attributes$/.exec(key);
  if (m === null) return undefined;
  const slot = (m[1] ?? '').toLowerCase();
  switch (slot) {
    case 'contract':
    case 'order':
      return 'contract';
    case 'item':
    case 'resource':
      return 'resource';
    case 'fulfillment':
    case 'performance':
      return 'performance';
    case 'payment':
    case 'consideration':
      return 'consideration';
    default:
      return slot;
  }
}

function stripJsonLd(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripJsonLd);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== '@context' && k !== '@type') out[k] = stripJsonLd(x);
  return out;
}

/**
 * The domain content of a message: its attribute packs grouped by normalised slot name, each list
 * in document order, JSON-LD `@context`/`@type` removed. Two profiles that carry the same
 * contract, offers and resources give equal domain content although their envelopes differ.
 */
export function domainContent(body: unknown): Readonly<Record<string, readonly unknown[]>> {
  const packs = new Map<string, unknown[]>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!isObject(v)) return;
    for (const [k, x] of Object.entries(v)) {
      const name = packName(k);
      if (name !== undefined && isObject(x)) {
        const list = packs.get(name) ?? [];
        list.push(stripJsonLd(x));
        packs.set(name, list);
      } else {
        walk(x);
      }
    }
  };
  walk(isObject(body) ? body['message'] : undefined);
  return Object.fromEntries([...packs.keys()].sort().map((k) => [k, packs.get(k) ?? []]));
}
