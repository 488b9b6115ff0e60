import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';

/** The two wire profiles a run can speak; they differ in the case of the context keys and the payload slot. */
export type WireProfile = 'beckn-2.0.0' | 'deg-order-draft';

/** Requests go BAP → BPP; callbacks (`on_*`) go BPP → BAP. */
export type MessageDirection = 'request' | 'callback';

/**
 * A message context read from either profile into one shape. Absent string fields are `''`
 * (a `discover` addressed to the network has no BPP yet).
 */
export interface WireContext {
  readonly profile: WireProfile;
  readonly version: string;
  readonly action: string;
  readonly direction: MessageDirection;
  readonly domain: string;
  readonly bapId: string;
  readonly bapUri: string;
  readonly bppId: string;
  readonly bppUri: string;
  readonly transactionId: string;
  readonly messageId: string;
  readonly timestamp: string;
  readonly ttl: string;
}

/** Context field names per profile: beckn 2.0.0 uses camelCase, the DEG order draft snake_case. */
const FIELDS = {
  'beckn-2.0.0': {
    bapId: 'bapId',
    bapUri: 'bapUri',
    bppId: 'bppId',
    bppUri: 'bppUri',
    transactionId: 'transactionId',
    messageId: 'messageId',
  },
  'deg-order-draft': {
    bapId: 'bap_id',
    bapUri: 'bap_uri',
    bppId: 'bpp_id',
    bppUri: 'bpp_uri',
    transactionId: 'transaction_id',
    messageId: 'message_id',
  },
} as const;

/** True when `value` is a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(obj: Readonly<Record<string, unknown>>, key: string): string {
  const v = obj[key];
  return typeof v === 'string' ? v : '';
}

/** Which profile a context object follows, from the keys it carries; `undefined` when neither. */
export function detectProfile(context: Readonly<Record<string, unknown>>): WireProfile | undefined {
  const camel = ['bapId', 'bppId', 'transactionId', 'messageId'].filter((k) => k in context).length;
  const snake = ['bap_id', 'bpp_id', 'transaction_id', 'message_id'].filter((k) => k in context).length;
  if (camel === 0 && snake === 0) return undefined;
  return camel >= snake ? 'beckn-2.0.0' : 'deg-order-draft';
}

/**
 * Reads the context of one wire message body (either profile). Returns diagnostics, not
 * exceptions, for a body without a context, an action or a BAP id; `path` prefixes their paths.
 */
export function readContext(body: unknown, path: string): Result<WireContext> {
  if (!isRecord(body)) {
    return fail([{ code: 'trace.not-object', path, message: 'expected a message body object with "context" and "message"' }]);
  }
  const context = body['context'];
  if (!isRecord(context)) {
    return fail([{ code: 'trace.no-context', path: `${path}.context`, message: 'expected a "context" object' }]);
  }
  const profile = detectProfile(context);
  if (profile === undefined) {
    return fail([
      {
        code: 'trace.unknown-profile',
        path: `${path}.context`,
        message: 'context has neither beckn 2.0.0 keys (bapId, transactionId, …) nor DEG draft keys (bap_id, transaction_id, …)',
      },
    ]);
  }
  const f = FIELDS[profile];
  const errors: Diagnostic[] = [];
  const action = str(context, 'action');
  if (action === '') errors.push({ code: 'trace.no-action', path: `${path}.context.action`, message: 'expected a non-empty action' });
  const bapId = str(context, f.bapId);
  if (bapId === '') errors.push({ code: 'trace.no-bap', path: `${path}.context.${f.bapId}`, message: 'expected the BAP subscriber id' });
  if (errors.length > 0) return fail(errors);
  return ok({
    profile,
    version: str(context, 'version'),
    action,
    direction: action.startsWith('on_') ? 'callback' : 'request',
    domain: str(context, 'domain'),
    bapId,
    bapUri: str(context, f.bapUri),
    bppId: str(context, f.bppId),
    bppUri: str(context, f.bppUri),
    transactionId: str(context, f.transactionId),
    messageId: str(context, f.messageId),
    timestamp: str(context, 'timestamp'),
    ttl: str(context, 'ttl'),
  });
}

/** Sender and receiver subscriber ids: requests BAP → BPP, callbacks BPP → BAP. An empty BPP id stays `''`. */
export function endpoints(ctx: WireContext): { readonly from: string; readonly to: string } {
  return ctx.direction === 'request' ? { from: ctx.bapId, to: ctx.bppId } : { from: ctx.bppId, to: ctx.bapId };
}
