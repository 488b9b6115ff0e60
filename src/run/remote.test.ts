import { createServer, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EnergyContract } from '../contracts/model.js';
import type { PeriodInputs } from '../contracts/evaluate.js';
import { generateRegistry } from '../protocol/registry.js';
import type { Scenario } from '../scenario/types.js';
import type { DispatchRecord, Recorder } from './agent.js';
import { controlAllowed, decodeValue, deliveryKey, encodeValue, isLoopback, postControl, readEffects, replayRecord, runDigests, CONTROL_TOKEN_HEADER } from './remote.js';

/** Deep equality that tells −0 from 0 and NaN from everything but NaN, and checks prototypes of the containers. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v], i) => { const e = [...b][i]; return e !== undefined && same(k, e[0]) && same(v, e[1]); });
  if (a instanceof Set && b instanceof Set) return same([...a], [...b]);
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) return same(Array.from(a as unknown as ArrayLike<number>), Array.from(b as unknown as ArrayLike<number>));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const roundTrip = (v: unknown): unknown => decodeValue(JSON.parse(JSON.stringify(encodeValue(v))));

describe('values across processes', () => {
  it('keeps what JSON loses: a failed deal’s NaN price, −0, ±Infinity, undefined, bigint, typed arrays, maps, sets', () => {
    const row: DispatchRecord = { interval: 3, participant: 'prosumer-1', kind: 'prosumer', node: 'T001', meterId: 'M-1', offeredMinKW: -0, offeredMaxKW: 2.5, clearedKW: 0, pricePerKWh: Number.NaN };
    expect(JSON.parse(JSON.stringify(row)).pricePerKWh).toBeNull();
    const back = roundTrip(row) as DispatchRecord;
    expect(Number.isNaN(back.pricePerKWh)).toBe(true);
    expect(Object.is(back.offeredMinKW, -0)).toBe(true);
    const rich = { cap: Number.POSITIVE_INFINITY, floor: Number.NEGATIVE_INFINITY, gone: undefined, minor: 12345678901234567890n, curve: Float64Array.of(1.5, -0, Number.NaN), byNode: new Map([['T1', 1]]), tags: new Set(['a']), when: new Date(86_400_000) };
    expect(same(roundTrip(rich), rich)).toBe(true);
    expect(Object.keys(roundTrip(rich) as object)).toContain('gone');
  });

  it('wraps objects whose own keys look like tags, so data cannot be mistaken for one', () => {
    const tricky = { $num: 'NaN', nested: { $map: [], $undef: true }, list: [{ $set: 1 }] };
    expect(encodeValue(tricky)).toEqual({ $obj: { $num: 'NaN', nested: { $obj: { $map: [], $undef: true } }, list: [{ $obj: { $set: 1 } }] } });
    expect(roundTrip(tricky)).toEqual(tricky);
    const proto = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    const back = roundTrip(proto) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(back['polluted']).toBeUndefined();
  });

  it('round-trips any JSON-like value with numbers of every kind (property)', () => {
    const leaf = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt());
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4, noNullPrototype: true }), fc.float64Array({ maxLength: 4 })),
    })).v;
    fc.assert(fc.property(value, (v) => same(roundTrip(v), v)), { numRuns: 300 });
  });

  it('refuses functions and symbols, and malformed tags on the way back', () => {
    expect(() => encodeValue({ f: () => 1 })).toThrow(TypeError);
    expect(() => encodeValue(Symbol('s'))).toThrow(TypeError);
    expect(() => decodeValue({ $num: 'lots' })).toThrow(/bad \$num/);
    expect(() => decodeValue({ $typed: 'Evil', values: [] })).toThrow(/bad \$typed/);
    expect(() => decodeValue({ $bigint: '1e3' })).toThrow(/bad \$bigint/);
    expect(() => decodeValue({ $what: 1, x: 2 })).toThrow(/unknown tag/);
  });
});

describe('effects from a node', () => {
  it('keeps well-formed effects in order and names the others', () => {
    const good = [
      { kind: 'record', method: 'metric', args: ['marketBids', 1] },
      { kind: 'send', from: 'mca', to: 'prosumer-1', action: 'on_init', messageId: 'm1', atMs: 5, delivered: true },
      { kind: 'refused', record: { messageId: 'm2', action: 'init', from: 'mca', to: 'utility', atMs: 5, ack: 'NACK' } },
      { kind: 'defect', message: 'boom' },
    ];
    const r = readEffects([...good.slice(0, 2), { kind: 'record', method: 'eval', args: [] }, { kind: 'send', from: 'mca' }, 7, ...good.slice(2)]);
    expect(r.effects).toEqual(good);
    expect(r.problems).toEqual(['effects[2] is not a known effect', 'effects[3] is not a known effect', 'effects[4] is not an object']);
    expect(readEffects('x').problems).toEqual(['effects is not a list']);
  });

  it('replays each recorder call with its decoded arguments, and refuses arguments of the wrong shape', () => {
    const calls: unknown[][] = [];
    const rec: Recorder = {
      dispatch: (r) => calls.push(['dispatch', r]),
      clearing: (k, r) => calls.push(['clearing', k, r]),
      contractActive: (c, by, billing) => calls.push(['contractActive', c.contractId, by, billing]),
      contractStatus: (id, s) => calls.push(['contractStatus', id, s]),
      periodInputs: (id, k, inputs: PeriodInputs) => calls.push(['periodInputs', id, k, inputs]),
      settlementReports: () => [],
      metric: (n, v) => calls.push(['metric', n, v]),
      note: (k, t) => calls.push(['note', k, t]),
    };
    const contract = { contractId: 'pac-i0-prosumer-1', status: 'ACTIVE' } as unknown as EnergyContract;
    const enc = (...a: unknown[]): unknown[] => a.map(encodeValue);
    expect(replayRecord(rec, 'metric', enc('marketImbalanceKWh', -0))).toBeUndefined();
    expect(replayRecord(rec, 'contractActive', enc(contract, 'mca'))).toBeUndefined();
    expect(replayRecord(rec, 'contractActive', enc(contract, 'cpo-1', 'at-end'))).toBeUndefined();
    expect(replayRecord(rec, 'periodInputs', enc('pac-i0-prosumer-1', 0, { signals: { clearingPricePerKWh: 3.15 } }))).toBeUndefined();
    expect(replayRecord(rec, 'clearing', enc(2, { price: Number.POSITIVE_INFINITY }))).toBeUndefined();
    expect(calls).toEqual([
      ['metric', 'marketImbalanceKWh', -0],
      ['contractActive', 'pac-i0-prosumer-1', 'mca', undefined],
      ['contractActive', 'pac-i0-prosumer-1', 'cpo-1', 'at-end'],
      ['periodInputs', 'pac-i0-prosumer-1', 0, { signals: { clearingPricePerKWh: 3.15 } }],
      ['clearing', 2, { price: Number.POSITIVE_INFINITY }],
    ]);
    expect(Object.is(calls[0]?.[2], -0)).toBe(true);
    expect(replayRecord(rec, 'metric', enc(1, 'x'))).toBe('recorder.metric: arguments of the wrong shape');
    expect(replayRecord(rec, 'contractActive', enc(contract, 'mca', 'weekly'))).toMatch(/wrong shape/);
    expect(replayRecord(rec, 'note', [{ $num: 'nope' }, 'x'])).toMatch(/bad \$num/);
    expect(calls).toHaveLength(5);
  });

  it('keys a delivery by signer, action and message id', () => {
    expect(deliveryKey('prosumer-1', 'init', 'm1')).not.toBe(deliveryKey('prosumer-1', 'confirm', 'm1'));
    expect(deliveryKey('a', 'b', 'c')).toBe(deliveryKey('a', 'b', 'c'));
  });
});

describe('agreeing on a run', () => {
  const scenario = { name: 'x', seed: 3, feeder: { file: '/home/alice/feeders/f.json' } } as unknown as Scenario;
  const reg = (seed: number) => {
    const r = generateRegistry(seed, [{ subscriberId: 'mca', role: 'BPP', uri: 'https://mca.degsim.local/beckn' }]);
    if (!r.ok) throw new Error('registry');
    return r.value.registry;
  };

  it('digests the scenario with its feeder file by name and the registry by its bytes', () => {
    const here = runDigests(scenario, reg(3));
    const elsewhere = runDigests({ ...scenario, feeder: { file: '/srv/degsim/feeders/f.json' } } as Scenario, reg(3));
    expect(elsewhere).toEqual(here);
    expect(runDigests({ ...scenario, feeder: { file: '/srv/g.json' } } as Scenario, reg(3)).scenarioDigest).not.toBe(here.scenarioDigest);
    expect(runDigests(scenario, reg(4)).registryDigest).not.toBe(here.registryDigest);
    expect(here.scenarioDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lets control through with the token, or from loopback when there is none', () => {
    const req = (address: string, token?: string): IncomingMessage => ({ socket: { remoteAddress: address } as Socket, headers: token === undefined ? {} : { [CONTROL_TOKEN_HEADER]: token } }) as unknown as IncomingMessage;
    expect(controlAllowed(req('127.0.0.1'), undefined)).toBe(true);
    expect(controlAllowed(req('::ffff:127.0.0.9'), undefined)).toBe(true);
    expect(controlAllowed(req('::1'), undefined)).toBe(true);
    expect(controlAllowed(req('10.0.0.7'), undefined)).toBe(false);
    expect(controlAllowed(req('10.0.0.7', 'secret-token'), 'secret-token')).toBe(true);
    expect(controlAllowed(req('127.0.0.1', 'secret-tokeN'), 'secret-token')).toBe(false);
    expect(controlAllowed(req('127.0.0.1'), 'secret-token')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
    expect(isLoopback('128.0.0.1')).toBe(false);
  });
});

describe('control calls', () => {
  it('are values whatever happens: an answer, an HTTP error, silence past the timeout, a closed port', async () => {
    const held: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      if (req.url === '/ok') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"effects":[]}');
      if (req.url === '/refuse') return void res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":"not attached"}');
      held.push(req);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const agent = new HttpAgent({ keepAlive: true });
    try {
      expect(await postControl(agent, `http://127.0.0.1:${port}/ok`, {}, 2000, undefined)).toEqual({ ok: true, body: { effects: [] } });
      expect(await postControl(agent, `http://127.0.0.1:${port}/refuse`, {}, 2000, 'tok')).toEqual({ ok: false, problem: `http://127.0.0.1:${port}/refuse: not attached`, unreachable: false });
      const silent = await postControl(agent, `http://127.0.0.1:${port}/hang`, {}, 100, undefined);
      expect(silent).toEqual({ ok: false, problem: `no answer from http://127.0.0.1:${port}/hang within 100 ms`, unreachable: true });
      expect(held[0]?.headers[CONTROL_TOKEN_HEADER]).toBeUndefined();
    } finally {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    const closed = await postControl(new HttpAgent(), `http://127.0.0.1:${port}/ok`, {}, 2000, undefined);
    expect(closed).toMatchObject({ ok: false, unreachable: true, problem: expect.stringMatching(/^cannot reach/) });
  });
});
