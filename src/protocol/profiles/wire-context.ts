import { fail, ok, type Result } from '../../diagnostics.js';
import { expiryOf, type ContextInput, type ContextLocation, type MessageContext, type ProfileId } from '../context.js';
import { isCallback, type Action } from '../payloads.js';
import { isRecord, Reader } from './packs.js';

/** How a profile spells the context fields (camelCase or snake_case). */
export interface ContextSpelling {
  readonly bapId: string;
  readonly bapUri: string;
  readonly bppId: string;
  readonly bppUri: string;
  readonly transactionId: string;
  readonly messageId: string;
  readonly schemaContext: string;
}

/** Beckn 2.0.0 spelling. */
export const CAMEL: ContextSpelling = {
  bapId: 'bapId',
  bapUri: 'bapUri',
  bppId: 'bppId',
  bppUri: 'bppUri',
  transactionId: 'transactionId',
  messageId: 'messageId',
  schemaContext: 'schemaContext',
};

/** Order-draft spelling. */
export const SNAKE: ContextSpelling = {
  bapId: 'bap_id',
  bapUri: 'bap_uri',
  bppId: 'bpp_id',
  bppUri: 'bpp_uri',
  transactionId: 'transaction_id',
  messageId: 'message_id',
  schemaContext: 'schema_context',
};

/** The wire context of `c` in a spelling, with the JSON-LD contexts the message's packs use. */
export function writeContext(
  c: ContextInput,
  wireAction: string,
  version: string,
  s: ContextSpelling,
  schemaContexts: readonly string[],
): Record<string, unknown> {
  return {
    version,
    action: wireAction,
    domain: c.domain,
    ...(c.location === undefined ? {} : { location: c.location }),
    [s.bapId]: c.bapId,
    [s.bapUri]: c.bapUri,
    ...(c.bppId === undefined ? {} : { [s.bppId]: c.bppId }),
    ...(c.bppUri === undefined ? {} : { [s.bppUri]: c.bppUri }),
    [s.transactionId]: c.transactionId,
    [s.messageId]: c.messageId,
    timestamp: c.timestamp,
    ttl: c.ttl,
    [s.schemaContext]: schemaContexts,
  };
}

function readLocation(r: Reader, v: unknown): ContextLocation | undefined {
  const loc = r.obj(v, 'context.location', false);
  if (loc === undefined) return undefined;
  const part = (key: 'city' | 'country'): { code: string; name?: string } | undefined => {
    const p = r.obj(loc[key], `context.location.${key}`, false);
    if (p === undefined) return undefined;
    const code = r.str(p['code'], `context.location.${key}.code`) ?? '';
    const name = r.str(p['name'], `context.location.${key}.name`, false);
    return { code, ...(name === undefined ? {} : { name }) };
  };
  const city = part('city');
  const country = part('country');
  return { ...(city === undefined ? {} : { city }), ...(country === undefined ? {} : { country }) };
}

/**
 * Reads the routing facts of a message in one spelling. Needs the action, bap id/uri, the ids,
 * timestamp and ttl; every missing or mistyped field is reported at once.
 */
export function readContext(
  wire: unknown,
  profile: ProfileId,
  s: ContextSpelling,
  actionOf: (wireAction: string) => Action | undefined,
): Result<MessageContext> {
  const r = new Reader();
  const root = r.obj(wire, '');
  if (root === undefined) return fail(r.errors);
  const c = r.obj(root['context'], 'context');
  if (c === undefined) return fail(r.errors);
  const wireAction = r.str(c['action'], 'context.action');
  const action = wireAction === undefined ? undefined : actionOf(wireAction);
  if (wireAction !== undefined && action === undefined) r.error('context.action', `unknown action ${wireAction} for profile ${profile}`, 'context.action');
  const get = (key: string, required = true): string | undefined => r.str(c[key], `context.${key}`, required);
  const version = get('version') ?? '';
  const domain = get('domain') ?? '';
  const bapId = get(s.bapId);
  const bapUri = get(s.bapUri);
  const bppId = get(s.bppId, false);
  const bppUri = get(s.bppUri, false);
  const transactionId = get(s.transactionId) ?? '';
  const messageId = get(s.messageId);
  const timestamp = get('timestamp');
  const ttl = get('ttl');
  const location = readLocation(r, c['location']);
  if (action !== undefined && action !== 'discover' && bppId === undefined) r.error(`context.${s.bppId}`, 'is required but missing');
  if (r.errors.length > 0 || action === undefined || wireAction === undefined || bapId === undefined || bapUri === undefined) return fail(r.errors);
  if (messageId === undefined || timestamp === undefined || ttl === undefined) return fail(r.errors);
  const callback = isCallback(action);
  const expiresAt = expiryOf(timestamp, ttl);
  return ok({
    domain,
    action,
    bapId,
    bapUri,
    ...(bppId === undefined ? {} : { bppId }),
    ...(bppUri === undefined ? {} : { bppUri }),
    transactionId,
    messageId,
    timestamp,
    ttl,
    ...(location === undefined ? {} : { location }),
    profile,
    wireAction,
    version,
    direction: callback ? 'callback' : 'request',
    senderId: callback ? (bppId ?? '') : bapId,
    senderUri: callback ? (bppUri ?? '') : bapUri,
    ...(callback ? { receiverId: bapId, receiverUri: bapUri } : {}),
    ...(!callback && bppId !== undefined ? { receiverId: bppId } : {}),
    ...(!callback && bppUri !== undefined ? { receiverUri: bppUri } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });
}

/** The ContextInput part of a MessageContext (what build was given). */
export function contextInputOf(m: MessageContext): ContextInput {
  return {
    domain: m.domain,
    action: m.action,
    bapId: m.bapId,
    bapUri: m.bapUri,
    ...(m.bppId === undefined ? {} : { bppId: m.bppId }),
    ...(m.bppUri === undefined ? {} : { bppUri: m.bppUri }),
    transactionId: m.transactionId,
    messageId: m.messageId,
    timestamp: m.timestamp,
    ttl: m.ttl,
    ...(m.location === undefined ? {} : { location: m.location }),
  };
}

export { isRecord };
