import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * A throw-away Redis for tests and benchmarks: Debian's `redis-server` started on a free loopback
 * port in a temporary folder, with persistence off, and stopped (folder removed) afterwards.
 * Never used by the sweep itself, which connects to whatever Redis `--queue` names.
 */

/** A running Redis started by {@link startRedisServer}. */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>/0` */
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/** Absolute path of `redis-server` on PATH (or `/usr/bin`, `/usr/sbin`), or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function startOnce(binary: string, port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'notice'];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 10 s:\n${log}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => {
      log += c.toString();
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${log}`));
    });
  });
}

/**
 * Starts `redis-server` on a free loopback port with `--save '' --appendonly no` in a fresh
 * temporary folder. Retries on another port if the chosen one was taken in the meantime.
 * Rejects when the binary is missing or the server does not come up.
 */
export async function startRedisServer(binary = findRedisServer()): Promise<RedisServerHandle> {
  if (binary === undefined) throw new Error('redis-server is not installed (Debian: apt-get install redis-server; see scripts/system-deps.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'degsim-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    let child: ChildProcess;
    try {
      child = await startOnce(binary, port, dir);
    } catch (e) {
      lastError = e;
      continue;
    }
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= new Promise<void>((resolve) => {
        const finish = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          return;
        }
        const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(hard);
          finish();
        });
        child.kill('SIGTERM');
      });
      return stopped;
    };
    return { url: `redis://127.0.0.1:${port}/0`, port, stop };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
