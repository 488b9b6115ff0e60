import { Redis } from 'ioredis';
import { fail, ok, type Diagnostic, type Result } from '../../diagnostics.js';

/**
 * Where the sweep queue lives: a Redis URL as `--queue` gives it, parsed into ioredis options,
 * and connections opened with a bounded wait so an unreachable server is a diagnostic, not a hang.
 */

/** A parsed `--queue` URL. */
export interface QueueTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
  /** The URL with any password replaced by `***`, for messages and logs. */
  readonly display: string;
}

/** Default queue name; sweeps and workers must use the same one. */
export const DEFAULT_QUEUE_NAME = 'degsim-sweep';

/** Prefix of every Redis key the sweep queue writes (BullMQ's and the scenario bundles). */
export const KEY_PREFIX = 'degsim';

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). Port defaults to
 * 6379, db to 0. Query strings are rejected rather than silently ignored.
 */
export function parseQueueUrl(text: string, where = '--queue'): Result<QueueTarget> {
  const bad = (message: string): Result<QueueTarget> => fail([{ code: 'queue.url', path: where, message }]);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad(`"${text}" is not a URL; expected redis://HOST:PORT/DB`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return bad(`unsupported scheme "${url.protocol}"; expected redis:// or rediss://`);
  if (url.hostname === '') return bad('the URL names no host; expected redis://HOST:PORT/DB');
  if (url.search !== '' || url.hash !== '') return bad('query strings and fragments are not supported; put the database number in the path: redis://HOST:PORT/DB');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText)) return bad(`database "${dbText}" is not a whole number`);
  const db = dbText === '' ? 0 : Number(dbText);
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  return ok({
    host,
    port,
    db,
    tls: url.protocol === 'rediss:',
    ...(username === '' ? {} : { username }),
    ...(password === '' ? {} : { password }),
    display: `${shown.protocol}//${shown.username === '' ? '' : `${shown.username}${shown.password === '' ? '' : ':***'}@`}${shown.host}/${db}`,
  });
}

/** The ioredis options for a target. `maxRetriesPerRequest: null` is what BullMQ's blocking reads require. */
function redisOptions(target: QueueTarget) {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: true,
    retryStrategy: (times: number) => Math.min(100 * times, 2_000),
  };
}

/** Failed connection attempts after which opening gives up (a refused port fails in well under a second). */
const CONNECT_ATTEMPTS = 4;

/**
 * Opens a connection and waits until it is ready, at most `timeoutMs` or {@link CONNECT_ATTEMPTS}
 * failed attempts. Connection errors after that are absorbed (ioredis reconnects on its own).
 */
export async function openRedis(target: QueueTarget, timeoutMs = 5_000): Promise<Result<Redis>> {
  const client = new Redis(redisOptions(target));
  let lastError = '';
  let errors = 0;
  let giveUp: () => void = () => undefined;
  client.on('error', (e: Error) => {
    lastError = e.message;
    if (++errors >= CONNECT_ATTEMPTS) giveUp();
  });
  const outcome = await new Promise<'ready' | 'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    giveUp = () => {
      clearTimeout(timer);
      resolve('timeout');
    };
    client.once('ready', () => {
      clearTimeout(timer);
      resolve('ready');
    });
    client.connect().catch((e: unknown) => {
      lastError = e instanceof Error ? e.message : String(e);
    });
  });
  if (outcome === 'ready') return ok(client);
  client.disconnect();
  const why: Diagnostic = {
    code: 'queue.connect',
    path: '',
    message: `cannot reach Redis at ${target.display}${lastError === '' ? ` within ${(timeoutMs / 1000).toFixed(0)} s` : `: ${lastError}`}`,
  };
  return fail([why]);
}

/** Checks that Redis at `target` answers and is recent enough for BullMQ (5.0 or newer). */
export async function checkQueueServer(target: QueueTarget, timeoutMs = 5_000): Promise<Result<string>> {
  const opened = await openRedis(target, timeoutMs);
  if (!opened.ok) return fail(opened.errors);
  const client = opened.value;
  try {
    const info = await client.info('server');
    const version = /redis_version:([\d.]+)/.exec(info)?.[1] ?? 'unknown';
    const major = Number(version.split('.')[0]);
    if (Number.isFinite(major) && major < 5) {
      return fail([{ code: 'queue.redis.version', path: '', message: `Redis ${version} at ${target.display} is too old; the queue needs Redis 5.0 or newer` }]);
    }
    return ok(version);
  } finally {
    client.disconnect();
  }
}
