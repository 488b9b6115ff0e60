import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  derivedKeySeed,
  jsonErrorOffset,
  generateRegistry,
  indexRegistry,
  keyUsability,
  loadRegistry,
  parseRegistry,
  saveRegistry,
  serializeRegistry,
  upsertEntry,
  type RegistryEntry,
} from './registry.js';
import { privateKeyFromSeed, rawPublicKey } from './signing.js';
import { createHash } from 'node:crypto';

const dir = mkdtempSync(join(tmpdir(), 'degsim-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PUB = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex').toString('base64');

const entry: RegistryEntry = {
  subscriberId: 'bap.prosumer-7.example',
  uniqueKeyId: 'k1',
  publicKey: PUB,
  role: 'BAP',
  uri: 'https://bap.prosumer-7.example/beckn',
  status: 'SUBSCRIBED',
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2027-01-01T00:00:00Z',
};

const subscribers = [
  { subscriberId: 'bap.prosumer-1', role: 'BAP' as const, uri: 'http://127.0.0.1:9001' },
  { subscriberId: 'bpp.mca', role: 'BPP' as const, uri: 'http://127.0.0.1:9002' },
  { subscriberId: 'bpp.mca', role: 'BAP' as const, uri: 'http://127.0.0.1:9002' },
  { subscriberId: 'bpp.utility', role: 'BPP' as const, uri: 'http://127.0.0.1:9003' },
];

describe('parseRegistry', () => {
  it('accepts a valid document and a bare array', () => {
    expect(parseRegistry({ subscribers: [entry] })).toEqual({ ok: true, value: { subscribers: [entry] }, warnings: [] });
    expect(parseRegistry([entry]).ok).toBe(true);
  });

  it('reports every problem at once, each at its path', () => {
    const bad = {
      subscribers: [
        { ...entry, publicKey: Buffer.from(PUB, 'base64').toString('base64url'), role: 'GATEWAY', extra: 1 },
        { ...entry, subscriberId: 'a|b', uri: 'not a uri', validUntil: '2027-13-01', status: 'ACTIVE' },
        { ...entry, validFrom: '2028-01-01T00:00:00Z' },
        entry,
        'x',
      ],
    };
    const r = parseRegistry(bad, 'registry.json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const got = r.errors.map((d) => `${d.path} ${d.code}`);
    expect(got).toEqual([
      'subscribers[0].extra registry.unknown-field',
      'subscribers[0].publicKey key.base64',
      'subscribers[0].role registry.role',
      'subscribers[1].subscriberId registry.id',
      'subscribers[1].status registry.status',
      'subscribers[1].uri registry.uri',
      'subscribers[1].validUntil registry.instant',
      'subscribers[2].validFrom registry.window',
      'subscribers[3] registry.duplicate',
      'subscribers[4] registry.entry',
    ]);
    expect(r.errors.every((d) => d.file === 'registry.json')).toBe(true);
  });

  it('refuses one key id with two different public keys', () => {
    const other = { ...entry, role: 'BPP' as const, publicKey: Buffer.alloc(32, 1).toString('base64') };
    const r = parseRegistry([entry, other]);
    expect(r.ok ? [] : r.errors.map((d) => d.code)).toEqual(['registry.key-conflict']);
  });
});

describe('keyUsability', () => {
  const at = (iso: string): number => Date.parse(iso) / 1000;
  it('allows SUBSCRIBED keys inside [validFrom, validUntil] only', () => {
    expect(keyUsability(entry, at('2026-06-21T10:00:00Z'))).toEqual({ kind: 'usable' });
    expect(keyUsability(entry, at('2026-01-01T00:00:00Z'))).toEqual({ kind: 'usable' });
    expect(keyUsability(entry, at('2025-12-31T23:59:59Z'))).toEqual({ kind: 'not-yet-valid', validFrom: entry.validFrom });
    expect(keyUsability(entry, at('2027-01-01T00:00:01Z'))).toEqual({ kind: 'expired', validUntil: entry.validUntil });
    expect(keyUsability({ ...entry, status: 'REVOKED' }, at('2026-06-21T10:00:00Z'))).toEqual({ kind: 'status', status: 'REVOKED' });
  });
});

describe('indexRegistry', () => {
  it('finds keys by subscriber and key id and tells unknown subscriber from unknown key', () => {
    const idx = indexRegistry({ subscribers: [entry, { ...entry, role: 'BPP', uri: 'https://bpp.example/' }] });
    const found = idx.lookup(entry.subscriberId, 'k1');
    expect(found.kind).toBe('found');
    if (found.kind === 'found') {
      expect(found.entries.map((e) => e.role)).toEqual(['BAP', 'BPP']);
      expect(rawPublicKey(found.publicKey).toString('base64')).toBe(PUB);
    }
    expect(idx.lookup('nobody', 'k1').kind).toBe('unknown-subscriber');
    expect(idx.lookup(entry.subscriberId, 'k2').kind).toBe('unknown-key');
    expect(idx.uriOf(entry.subscriberId, 'BPP')).toBe('https://bpp.example/');
  });
});

describe('generateRegistry', () => {
  it('is deterministic in the seed and independent of the other subscribers', () => {
    const a = generateRegistry(42, subscribers);
    const b = generateRegistry(42, subscribers);
    const c = generateRegistry(43, subscribers);
    const alone = generateRegistry(42, [subscribers[3] as (typeof subscribers)[number]]);
    if (!a.ok || !b.ok || !c.ok || !alone.ok) throw new Error('generation failed');
    expect(serializeRegistry(a.value.registry)).toBe(serializeRegistry(b.value.registry));
    expect(serializeRegistry(a.value.registry)).not.toBe(serializeRegistry(c.value.registry));
    expect(alone.value.registry.subscribers[0]).toEqual(a.value.registry.subscribers[3]);
  });

  it('derives each key seed as the first 32 bytes of BLAKE2b-512 over the run seed and subscriber id', () => {
    const g = generateRegistry(7, subscribers);
    if (!g.ok) throw new Error('generation failed');
    const expectedSeed = createHash('blake2b512').update('degsim/registry/seed\u00007\u0000bpp.utility').digest().subarray(0, 32);
    expect(derivedKeySeed(7, 'bpp.utility').equals(expectedSeed)).toBe(true);
    const utility = g.value.registry.subscribers.find((e) => e.subscriberId === 'bpp.utility');
    expect(utility?.publicKey).toBe(rawPublicKey(privateKeyFromSeed(expectedSeed)).toString('base64'));
    expect(g.value.keys.get('bpp.utility')?.publicKey).toBe(utility?.publicKey);
  });

  it('gives a subscriber listed in two roles one key, and lists both roles', () => {
    const g = generateRegistry(1, subscribers);
    if (!g.ok) throw new Error('generation failed');
    const mca = g.value.registry.subscribers.filter((e) => e.subscriberId === 'bpp.mca');
    expect(mca.map((e) => e.role)).toEqual(['BPP', 'BAP']);
    expect(mca[0]?.publicKey).toBe(mca[1]?.publicKey);
    expect(mca[0]?.uniqueKeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(g.value.keys.size).toBe(3);
  });

  it('diagnoses bad subscribers instead of throwing', () => {
    const g = generateRegistry(1, [{ subscriberId: 'x', role: 'BAP', uri: 'nope' }, { subscriberId: 'x', role: 'BAP', uri: 'http://a' }]);
    expect(g.ok ? [] : g.errors.map((d) => `${d.path} ${d.code}`)).toEqual(['subscribers[0].uri registry.uri', 'subscribers[1] registry.duplicate']);
  });
});

describe('registry files', () => {
  it('saves atomically in canonical form and loads back the same registry', async () => {
    const g = generateRegistry(5, subscribers);
    if (!g.ok) throw new Error('generation failed');
    const path = join(dir, 'registry.json');
    await saveRegistry(path, g.value.registry);
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toMatch(/private/i);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const loaded = await loadRegistry(path);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(serializeRegistry(loaded.value)).toBe(text);
    const roles = loaded.value.subscribers.map((e) => `${e.subscriberId}/${e.role}`);
    expect(roles).toEqual(['bap.prosumer-1/BAP', 'bpp.mca/BAP', 'bpp.mca/BPP', 'bpp.utility/BPP']);
  });

  it('reports JSON syntax errors with line and column', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{\n  "subscribers": [\n    {"subscriberId": }\n  ]\n}\n');
    const r = await loadRegistry(path);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ code: 'json.syntax', file: path, line: 3, column: 22 });
  });

  it('reports a missing file as a diagnostic', async () => {
    const r = await loadRegistry(join(dir, 'absent.json'));
    expect(r.ok ? '' : r.errors[0]?.code).toBe('registry.read');
  });
});

describe('upsertEntry', () => {
  it('replaces the entry with the same subscriber, key and role and appends others', () => {
    const reg = { subscribers: [entry] };
    const revoked = upsertEntry(reg, { ...entry, status: 'REVOKED' });
    expect(revoked.subscribers).toEqual([{ ...entry, status: 'REVOKED' }]);
    expect(upsertEntry(reg, { ...entry, role: 'BPP' }).subscribers).toHaveLength(2);
  });
});

describe('jsonErrorOffset', () => {
  it('points at the first offending character', () => {
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset('{"a": "x\\q"}')).toBe(9);
    expect(jsonErrorOffset('{"a": 01}')).toBe(7);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('{"a": [1')).toBe(8);
  });

  it('finds no error in valid JSON and agrees with JSON.parse on texts with a stray character (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : 0) ?? 'null';
        return jsonErrorOffset(text) === undefined;
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom(',', '}', ']', ':', 'x', '"'), (v, at, junk) => {
        const text = JSON.stringify(v) ?? 'null';
        const k = at % (text.length + 1);
        const broken = text.slice(0, k) + junk + text.slice(k);
        let valid = true;
        try {
          JSON.parse(broken);
        } catch {
          valid = false;
        }
        const offset = jsonErrorOffset(broken);
        return valid ? offset === undefined : offset !== undefined && offset <= broken.length;
      }),
      { numRuns: 200 },
    );
  });
});
