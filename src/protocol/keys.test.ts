import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIsoMs } from '../kernel/clock.js';
import { generateSubscriberKey, keyFileText, loadKeyDir, loadKeyFile, parseKeyFile } from './keys.js';
import { loadRegistry } from './registry.js';
import { privateKeyFromSeed, signingKey } from './signing.js';

const dir = mkdtempSync(join(tmpdir(), 'degsim-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = parseIsoMs('2026-06-21T10:00:00.250Z');

// RFC 8032 test 1 key pair.
const SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const PUB = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex').toString('base64');

describe('key files', () => {
  it('write the raw seed and public key in standard base64 and read back the same key', () => {
    const key = signingKey('bap.example', 'k1', privateKeyFromSeed(SEED));
    const text = keyFileText(key);
    expect(JSON.parse(text)).toEqual({ subscriberId: 'bap.example', uniqueKeyId: 'k1', algorithm: 'ed25519', privateKey: SEED.toString('base64'), publicKey: PUB });
    const back = parseKeyFile(JSON.parse(text));
    expect(back.ok && back.value.publicKey).toBe(PUB);
  });

  it('diagnose a wrong algorithm, a missing id and a public key that does not match', () => {
    const r = parseKeyFile({ uniqueKeyId: 'k1', algorithm: 'rsa', privateKey: SEED.toString('base64'), publicKey: Buffer.alloc(32).toString('base64') }, 'x.key.json');
    expect(r.ok ? [] : r.errors.map((d) => `${d.path} ${d.code}`)).toEqual(['subscriberId keyfile.missing', 'algorithm keyfile.algorithm']);
    const mismatch = parseKeyFile({ subscriberId: 'a', uniqueKeyId: 'k1', privateKey: SEED.toString('base64'), publicKey: Buffer.alloc(32).toString('base64') });
    expect(mismatch.ok ? [] : mismatch.errors.map((d) => d.code)).toEqual(['keyfile.mismatch']);
  });
});

describe('generateSubscriberKey', () => {
  it('writes a 0600 private key and a registry entry valid for a year from now', async () => {
    const out = join(dir, 'one');
    const r = await generateSubscriberKey({ subscriberId: 'bpp.mca.example', uniqueKeyId: 'k1', role: 'BPP', uri: 'http://127.0.0.1:7002', outDir: out, nowMs: NOW });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.keyFile).toBe(join(out, 'bpp.mca.example.k1.key.json'));
    expect(statSync(r.value.keyFile).mode & 0o777).toBe(0o600);
    expect(r.value.entry).toMatchObject({ subscriberId: 'bpp.mca.example', uniqueKeyId: 'k1', role: 'BPP', uri: 'http://127.0.0.1:7002', status: 'SUBSCRIBED', validFrom: '2026-06-21T10:00:00Z', validUntil: '2027-06-21T10:00:00Z' });
    const key = await loadKeyFile(r.value.keyFile);
    expect(key.ok && key.value.publicKey).toBe(r.value.entry.publicKey);
    const reg = await loadRegistry(join(out, 'registry.json'));
    expect(reg.ok && reg.value.subscribers).toEqual([r.value.entry]);
    expect(readFileSync(join(out, 'registry.json'), 'utf8')).not.toContain('privateKey');
  });

  it('reuses the key to add a second role, and refreshes an entry in place', async () => {
    const out = join(dir, 'two');
    const a = await generateSubscriberKey({ subscriberId: 'bpp.mca', uniqueKeyId: 'k1', role: 'BPP', outDir: out, nowMs: NOW });
    const b = await generateSubscriberKey({ subscriberId: 'bpp.mca', uniqueKeyId: 'k1', role: 'BAP', outDir: out, nowMs: NOW });
    const c = await generateSubscriberKey({ subscriberId: 'bpp.mca', uniqueKeyId: 'k1', role: 'BAP', outDir: out, nowMs: NOW, validUntil: '2026-12-31T00:00:00Z' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('generation failed');
    expect([a.value.reusedKey, b.value.reusedKey, c.value.registryChange]).toEqual([false, true, 'replaced']);
    expect(b.value.entry.publicKey).toBe(a.value.entry.publicKey);
    expect(a.value.entry.uri).toBe('https://bpp.mca');
    const reg = await loadRegistry(join(out, 'registry.json'));
    expect(reg.ok && reg.value.subscribers.map((e) => `${e.role} ${e.validUntil}`)).toEqual(['BAP 2026-12-31T00:00:00Z', 'BPP 2027-06-21T10:00:00Z']);
    const keys = await loadKeyDir(out);
    expect(keys.ok && [...keys.value.keys()]).toEqual(['bpp.mca']);
  });

  it('gives each new key a fresh UUID key id', async () => {
    const out = join(dir, 'three');
    const a = await generateSubscriberKey({ subscriberId: 'bap.x', role: 'BAP', outDir: out, nowMs: NOW });
    const b = await generateSubscriberKey({ subscriberId: 'bap.y', role: 'BAP', outDir: out, nowMs: NOW });
    if (!a.ok || !b.ok) throw new Error('generation failed');
    expect(a.value.entry.uniqueKeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.value.entry.uniqueKeyId).not.toBe(b.value.entry.uniqueKeyId);
    expect(a.value.entry.publicKey).not.toBe(b.value.entry.publicKey);
  });

  it('writes nothing when the registry file is invalid or the uri is not a URI', async () => {
    const out = join(dir, 'four');
    const registryPath = join(dir, 'broken-registry.json');
    writeFileSync(registryPath, '{"subscribers": [{"subscriberId": 1}]}');
    const r = await generateSubscriberKey({ subscriberId: 'bap.z', uniqueKeyId: 'k1', role: 'BAP', outDir: out, registryPath, nowMs: NOW });
    expect(r.ok).toBe(false);
    const bad = await generateSubscriberKey({ subscriberId: 'bap.z', uniqueKeyId: 'k1', role: 'BAP', uri: 'not a uri', outDir: out, nowMs: NOW });
    expect(bad.ok ? [] : bad.errors.map((d) => d.code)).toEqual(['registry.uri']);
    expect(() => statSync(out)).toThrow();
  });
});
