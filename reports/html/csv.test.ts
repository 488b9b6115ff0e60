import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvTable } from './csv.js';

const SCHEMA = {
  interval: { type: 'int' },
  start: { type: 'time' },
  node: { type: 'string' },
  price: { type: 'number', nullable: true },
  reverse: { type: 'bool', nullable: true },
  note: { type: 'string', optional: true },
} as const;

describe('parseCsvTable', () => {
  it('reads typed cells, nulls and ignores extra columns', () => {
    const t = parseCsvTable('node,interval,start,price,reverse,extra\nmarket,0,2025-06-01T10:00:00Z,4.25,true,x\n"tx-1",1,2025-06-01T10:15:00Z,,false,y\n', 'c.csv', SCHEMA);
    expect(t.usable).toBe(true);
    expect(t.diagnostics).toEqual([]);
    expect(t.rows).toEqual([
      { interval: 0, start: 1748772000, node: 'market', price: 4.25, reverse: true, note: null },
      { interval: 1, start: 1748772900, node: 'tx-1', price: null, reverse: false, note: null },
    ]);
  });

  it('drops bad rows with line and column, and keeps the good ones', () => {
    const t = parseCsvTable('interval,start,node,price,reverse\n0,2025-06-01T10:00:00Z,a,1,true\nx,yesterday,b,abc,maybe\n2,2025-06-01T10:30:00Z,c,3,\n', 'c.csv', SCHEMA);
    expect(t.rows.map((r) => r.node)).toEqual(['a', 'c']);
    expect(t.diagnostics.map((d) => [d.path, d.line, d.column])).toEqual([
      ['interval', 3, 1],
      ['start', 3, 2],
      ['price', 3, 4],
      ['reverse', 3, 5],
    ]);
    expect(t.diagnostics[2]?.message).toBe('"abc" is not a finite number');
  });

  it('refuses a header without a required column, naming what it found', () => {
    const t = parseCsvTable('interval,node\n0,a\n', 'c.csv', SCHEMA);
    expect(t.usable).toBe(false);
    expect(t.rows).toEqual([]);
    expect(t.diagnostics).toEqual([
      { code: 'csv.missing-column', path: '', message: 'the header lacks "start", "price", "reverse"; found "interval", "node"', file: 'c.csv', line: 1 },
    ]);
    expect(parseCsvTable('', 'e.csv', SCHEMA)).toMatchObject({ usable: false, diagnostics: [{ code: 'csv.empty' }] });
  });

  it('lists at most 20 problems and counts the rest', () => {
    const bad = Array.from({ length: 30 }, () => 'x,2025-06-01T10:00:00Z,a,1,true').join('\n');
    const t = parseCsvTable(`interval,start,node,price,reverse\n${bad}\n`, 'c.csv', SCHEMA);
    expect(t.diagnostics).toHaveLength(21);
    expect(t.diagnostics[20]?.message).toBe('10 more problems in this file are not listed');
  });

  it('round-trips any finite numbers written with fixed decimals', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 30 }), (xs) => {
        const text = `interval,start,node,price,reverse\n${xs.map((x, i) => `${i},2025-06-01T10:00:00Z,n,${x.toFixed(4)},false`).join('\n')}\n`;
        const t = parseCsvTable(text, 'c.csv', SCHEMA);
        expect(t.rows.map((r) => r.price)).toEqual(xs.map((x) => Number(x.toFixed(4))));
      }),
      { numRuns: 100 },
    );
  });
});
