import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { listenOption, register as registerRun, remoteOption, remoteSetup } from './run.js';
import { register as registerServe, serveUntil, type Out } from './serve.js';

const scenario = join(import.meta.dirname, '..', '..', '..', 'test', 'network', 'mini.yaml');

function buffer(): Out & { text(): string } {
  const parts: string[] = [];
  return {
    write(t: string) {
      parts.push(t);
      return true;
    },
    text: () => parts.join(''),
  };
}

describe('degsim serve', () => {
  it('serves the named agents until told to stop, then shuts down and reports what it served', async () => {
    const out = buffer();
    const err = buffer();
    let stop!: () => void;
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const done = serveUntil({ scenario, agents: ['utility', 'mca'], port: 0, host: '127.0.0.1', set: [] }, stopped, out, err);
    for (let i = 0; i < 100 && !out.text().includes('drive it with'); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out.text())?.[1];
    expect(url).toBeDefined();
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; subscribers: string[] };
    expect(health).toMatchObject({ status: 'ok', subscribers: ['mca', 'utility'] });
    stop();
    expect(await done).toBe(0);
    expect(out.text()).toContain(`serving mca, utility of network-mini (seed 11) at ${url}`);
    expect(out.text()).toContain(`--remote mca=${url} --remote utility=${url}`);
    expect(out.text()).toMatch(/shutting down[\s\S]*served 0 requests \(0 ACK, 0 NACK\), 0 messages sent/);
    expect(err.text()).toBe('');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('exits 1 with every problem printed when it cannot serve', async () => {
    const err = buffer();
    const code = await serveUntil({ scenario, agents: ['mca', 'nobody'], port: 0, host: '10.1.2.3', set: ['seed=3'] }, Promise.resolve(), buffer(), err);
    expect(code).toBe(1);
    expect(err.text().trim().split('\n')).toHaveLength(2);
    expect(err.text()).toMatch(/nobody is not an agent/);
    expect(err.text()).toMatch(/control token/);
    const missing = buffer();
    expect(await serveUntil({ scenario: 'no/such.yaml', agents: ['mca'], port: 0, host: '127.0.0.1', set: [] }, Promise.resolve(), buffer(), missing)).toBe(1);
    expect(missing.text()).not.toBe('');
  });

  it('needs --agent, and parses comma-separated lists', async () => {
    const program = new Command().exitOverride();
    registerServe(program);
    await expect(program.parseAsync(['serve', scenario], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
    const bad = new Command().exitOverride();
    registerServe(bad);
    await expect(bad.parseAsync(['serve', scenario, '--agent', ' , '], { from: 'user' })).rejects.toThrow(/at least one agent/);
  });
});

describe('degsim run --remote', () => {
  it('reads <agentId>=<url> pairs, refusing malformed and repeated ones', () => {
    const one = remoteOption('mca=http://127.0.0.1:9001');
    const two = remoteOption('utility=https://node.example:8443/degsim', one);
    expect([...two]).toEqual([
      ['mca', 'http://127.0.0.1:9001'],
      ['utility', 'https://node.example:8443/degsim'],
    ]);
    expect(() => remoteOption('mca')).toThrow(/expected <agentId>=<http\(s\) URL/);
    expect(() => remoteOption('mca=ftp://x')).toThrow(/expected/);
    expect(() => remoteOption('mca=http://a:b:c')).toThrow(/not a URL/);
    expect(() => remoteOption('mca=http://127.0.0.1:9002', one)).toThrow(/named twice/);
  });

  it('reads --listen host[:port] and builds the remote setup only for a mixed run', () => {
    expect(listenOption('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(listenOption('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(listenOption('driver.lan')).toEqual({ host: 'driver.lan', port: 0 });
    expect(() => listenOption('a:99999')).toThrow(/expected/);
    expect(remoteSetup({})).toBeUndefined();
    expect(remoteSetup({ remote: new Map([['mca', 'http://n:1']]), controlToken: '', listen: { host: '0.0.0.0', port: 9100 }, advertise: 'http://10.0.0.2:9100' })).toEqual({
      nodes: new Map([['mca', 'http://n:1']]),
      listenHost: '0.0.0.0',
      listenPort: 9100,
      advertisedUrl: 'http://10.0.0.2:9100',
    });
  });

  it('is a usage error on the command line when malformed', async () => {
    const program = new Command().exitOverride();
    program.configureOutput({ writeErr: () => undefined });
    registerRun(program);
    await expect(program.parseAsync(['run', scenario, '--remote', 'mca'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.invalidArgument' });
  });
});
