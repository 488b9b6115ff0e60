import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Command, CommanderError } from 'commander';
import { register, runClear } from './clear.js';

const fixture = fileURLToPath(new URL('../../market/fixtures/issue-example.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'degsim-clear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { out: string[]; write(s: string): boolean } {
  const out: string[] = [];
  return { out, write: (s: string) => out.push(s) > 0 };
}

describe('degsim clear', () => {
  it('prints the issue example as rounded JSON', () => {
    const stdout = capture();
    const stderr = capture();
    expect(runClear(fixture, { format: 'json' }, stdout, stderr)).toBe(0);
    expect(stderr.out).toEqual([]);
    const r = JSON.parse(stdout.out.join('')) as {
      status: string;
      price: number;
      netKW: number;
      nodes: { id: string; price: number; adder: number; flowKW: number; binding: string | null }[];
      participants: { id: string; powerKW: number; price: number }[];
    };
    expect(r.status).toBe('cleared');
    expect(r.price).toBe(5.5);
    expect(r.netKW).toBe(0);
    expect(r.nodes.map((n) => [n.id, n.price, n.adder, n.flowKW, n.binding])).toEqual([
      ['root', 5.5, 0, 0, null],
      ['tx-2', 6.4, 0.9, -20, 'forward'],
    ]);
    expect(r.participants.map((p) => [p.id, p.price, p.powerKW])).toEqual([
      ['cpo-1', 6.4, -20],
      ['solar-root', 5.5, 20],
    ]);
  });

  it('prints tables, reads YAML, and writes to a file atomically', () => {
    const yamlFile = join(dir, 'market.yaml');
    writeFileSync(
      yamlFile,
      [
        'currency: INR',
        'priceFloor: 0',
        'priceCap: 10',
        'participants:',
        '  - id: s',
        '    offerCurve: { currency: INR, minExport: 0, maxExport: 40, curve: [ {price: 2, powerKW: 0}, {price: 6, powerKW: 40} ] }',
        '  - id: b',
        '    offerCurve: { currency: INR, minExport: -30, maxExport: -10, curve: [ {price: 2, powerKW: -30}, {price: 6, powerKW: -10} ] }',
        '',
      ].join('\n'),
    );
    const stdout = capture();
    expect(runClear(yamlFile, { format: 'table' }, stdout, capture())).toBe(0);
    expect(stdout.out.join('').split('\n')[0]).toBe('Cleared at 4.0000 INR/kWh (price rule midpoint; balancing prices 4.0000 to 4.0000)');
    const outFile = join(dir, 'out', 'result.json');
    expect(runClear(yamlFile, { format: 'json', out: outFile }, stdout, capture())).toBe(0);
    expect((JSON.parse(readFileSync(outFile, 'utf8')) as { price: number }).price).toBe(4);
    // a folder where the file should go cannot be written: a located failure, not a crash
    const blocked = capture();
    expect(runClear(yamlFile, { format: 'json', out: join(dir, 'out') }, capture(), blocked)).toBe(1);
    expect(blocked.out[0]).toContain('[file.unwritable]');
  });

  it('lists every problem of a bad file with line and column, exit 1', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'currency: INR',
        'priceFloor: 0',
        'priceCap: 10',
        'participants:',
        '  - id: a',
        '    offerCurve:',
        '      currency: INR',
        '      minExport: -5',
        '      maxExport: 0',
        '      curve:',
        '        - { price: 3, powerKW: 0 }',
        '        - { price: 2, powerKW: -5 }',
        '  - id: a',
        '    node: tx',
        '    offerCurve: { currency: INR, minExport: 0, maxExport: 1, curve: [ { price: 1, powerKW: 1 } ] }',
        '',
      ].join('\n'),
    );
    const stderr = capture();
    expect(runClear(bad, { format: 'json' }, capture(), stderr)).toBe(1);
    expect(stderr.out).toEqual([
      `${bad}:12:20: participants[0].offerCurve.curve[1].price: prices must be sorted ascending: 2 comes after 3 [curve.unsorted]\n`,
      `${bad}:12:32: participants[0].offerCurve.curve[1].powerKW: power must not decrease as the price rises: -5 kW comes after 0 kW [curve.decreasing]\n`,
      `${bad}:13:9: participants[1].id: participant id "a" is already used by participants[0] [market.duplicate-id]\n`,
      `${bad}:14:11: participants[1].node: node "tx" given but the market has no grid [market.unknown-node]\n`,
      `4 problems in ${bad}\n`,
    ]);
    const missing = capture();
    expect(runClear(join(dir, 'nope.json'), { format: 'json' }, capture(), missing)).toBe(1);
    expect(missing.out[0]).toContain('no such file [file.missing]');
    const syntax = join(dir, 'syntax.json');
    writeFileSync(syntax, '{ "currency": "INR", ');
    expect(runClear(syntax, { format: 'json' }, capture(), capture())).toBe(1);
  });

  it('registers as a command: options parsed, a bad --format is a usage error', async () => {
    const program = new Command().exitOverride();
    program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    register(program);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    try {
      await program.parseAsync(['clear', fixture, '--format', 'table'], { from: 'user' });
      expect(process.exitCode).toBe(0);
      expect(String(spy.mock.calls[0]?.[0])).toContain('tx-2  root    6.4000  0.9000  -20.000  forward');
      await expect(program.parseAsync(['clear', fixture, '--format', 'xml'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
    } finally {
      spy.mockRestore();
      process.exitCode = before;
    }
  });
});
