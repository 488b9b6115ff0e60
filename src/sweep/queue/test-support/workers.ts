import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findRedisServer } from './redis-server.js';

/**
 * Helpers shared by the queue tests and the queue benchmark: whether to skip for want of Redis,
 * and `degsim worker` processes started from source that can be watched and killed.
 */

/**
 * Why the queue tests must be skipped, or undefined when they can run. They are skipped only when
 * `redis-server` is missing on a developer machine; in CI (`CI` set) a missing server is a failure.
 */
export function redisSkipReason(): string | undefined {
  if (findRedisServer() !== undefined || process.env['CI'] !== undefined) return undefined;
  return 'redis-server is not installed (bash scripts/system-deps.sh installs it); queue tests skipped';
}

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const WORKER_SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/** A `degsim worker` process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Every stdout and stderr line so far. */
  readonly lines: readonly string[];
  /** Resolves with the first line (past or future) matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (graceful), then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `degsim worker --queue url …args` from source and waits until it takes jobs. */
export async function spawnWorker(url: string, args: readonly string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT, '--queue', url, ...args], {
    cwd: ROOT,
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const watchers = new Set<{ re: RegExp; hit: (line: string) => void }>();
  const onLine = (line: string): void => {
    lines.push(line);
    for (const w of [...watchers]) {
      if (w.re.test(line)) {
        watchers.delete(w);
        w.hit(line);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: WorkerProcess = {
    child,
    lines,
    waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(w);
          reject(new Error(`worker ${child.pid} printed no line matching ${re} within ${timeoutMs} ms:\n${lines.join('\n')}`));
        }, timeoutMs);
        const w = {
          re,
          hit: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        watchers.add(w);
        void exited.then(() => {
          if (!watchers.has(w)) return;
          watchers.delete(w);
          clearTimeout(timer);
          reject(new Error(`worker ${child.pid} exited before printing a line matching ${re}:\n${lines.join('\n')}`));
        });
      });
    },
    async stop(graceMs = 10_000): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(hard);
    },
  };
  await proc.waitFor(/taking runs from queue/, 60_000);
  return proc;
}
