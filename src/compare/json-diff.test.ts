import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffJson, numbersDiffer, sameShape, shapeOf } from './json-diff.js';
import { buildIgnore } from './paths.js';

describe('diffJson', () => {
  it('lists changed, added, removed and retyped fields with their paths', () => {
    const a = { context: { action: 'init', ttl: 'PT30S' }, message: { list: [1, 2, 3], x: 1, gone: true } };
    const b = { context: { action: 'init', ttl: 'PT60S' }, message: { list: [1, 5], x: '1', extra: null } };
    expect(diffJson(a, b)).toEqual([
      { path: 'context.ttl', kind: 'changed', a: 'PT30S', b: 'PT60S' },
      { path: 'message.list[1]', kind: 'changed', a: 2, b: 5 },
      { path: 'message.list[2]', kind: 'removed', a: 3 },
      { path: 'message.x', kind: 'type', a: 1, b: '1' },
      { path: 'message.gone', kind: 'removed', a: true },
      { path: 'message.extra', kind: 'added', b: null },
    ]);
  });

  it('treats keys named like Object members as plain keys', () => {
    expect(diffJson({ constructor: 1 }, {})).toEqual([{ path: 'constructor', kind: 'removed', a: 1 }]);
    expect(diffJson({}, JSON.parse('{"__proto__": 2}'))).toEqual([{ path: '__proto__', kind: 'added', b: 2 }]);
  });

  it('applies absolute and relative tolerances', () => {
    expect(numbersDiffer(1, 1 + 1e-10, { tol: 1e-9, relTol: 0 })).toBe(false);
    expect(numbersDiffer(1, 1 + 1e-8, { tol: 1e-9, relTol: 0 })).toBe(true);
    expect(numbersDiffer(1000, 1000.5, { tol: 0, relTol: 1e-3 })).toBe(false);
    expect(diffJson({ p: 0.1 + 0.2 }, { p: 0.3 }, { tolerance: { tol: 1e-12, relTol: 0 } })).toEqual([]);
    expect(diffJson({ p: 0.1 + 0.2 }, { p: 0.3 })).toHaveLength(1);
  });

  it('skips ignored subtrees', () => {
    const ignore = buildIgnore(['context.message_id', '**.timestamp']);
    if (!ignore.ok) throw new Error('bad');
    const a = { context: { messageId: 'a', timestamp: 't1' }, message: { at: { timestamp: 't1' }, v: 1 } };
    const b = { context: { messageId: 'b', timestamp: 't2' }, message: { at: { timestamp: 't2' }, v: 2 } };
    expect(diffJson(a, b, { ignore: ignore.value }).map((d) => d.path)).toEqual(['message.v']);
  });

  it('finds a difference exactly when the values differ, whatever the key order (property)', () => {
    const canonical = (v: unknown): string =>
      v !== null && typeof v === 'object'
        ? Array.isArray(v)
          ? `[${v.map(canonical).join(',')}]`
          : `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
              .join(',')}}`
        : JSON.stringify(v);
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (x, y) => {
        expect(diffJson(x, x)).toEqual([]);
        expect(diffJson(x, y).length === 0).toBe(canonical(x) === canonical(y));
      }),
      { numRuns: 300 },
    );
  });
});

describe('shapeOf', () => {
  it('is the set of leaf paths and types, list indices folded', () => {
    expect([...shapeOf({ a: [{ b: 1 }, { b: 2 }], c: 'x', d: {} })].sort()).toEqual(['a[].b:number', 'c:string', 'd:object']);
  });

  it('tells value changes from shape changes', () => {
    expect(sameShape(shapeOf({ fee: 0.01, roles: [1] }), shapeOf({ fee: 0.02, roles: [1, 2, 3] }))).toBe(true);
    expect(sameShape(shapeOf({ fee: 0.01 }), shapeOf({ fee: '0.01' }))).toBe(false);
    expect(sameShape(shapeOf({ bapId: 'x' }), shapeOf({ bap_id: 'x' }))).toBe(false);
  });
});
