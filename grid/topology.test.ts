import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRadialTree, type TopologyBranch } from './topology.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `b${i}`);
const br = (id: string, from: number, to: number): TopologyBranch => ({ id, from, to, path: `lines[${id}]` });

describe('buildRadialTree', () => {
  it('orders a tree parents-first from the slack bus', () => {
    const r = buildRadialTree(ids(5), 2, [br('a', 0, 1), br('b', 2, 1), br('c', 2, 3), br('d', 3, 4)]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { order, parent, parentBranch } = r.tree;
    expect(order[0]).toBe(2);
    expect(Array.from(parent)).toEqual([1, 2, -1, 2, 3]);
    expect(Array.from(parentBranch)).toEqual([0, 1, -1, 2, 3]);
    const seen = new Set<number>();
    for (const b of order) {
      if (parent[b] !== -1) expect(seen.has(parent[b]!)).toBe(true);
      seen.add(b);
    }
  });

  it('names the branch that closes a loop, once per extra branch', () => {
    const r = buildRadialTree(ids(4), 0, [br('a', 0, 1), br('b', 1, 2), br('c', 2, 3), br('tie', 3, 0), br('dup', 1, 2)]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const mesh = r.errors.filter((e) => e.code === 'topology.mesh');
    expect(mesh).toHaveLength(2);
    for (const e of mesh) expect(e.message).toMatch(/closes a loop/);
  });

  it('reports each island once with its buses, and self-loops', () => {
    const r = buildRadialTree(ids(7), 0, [br('a', 0, 1), br('b', 2, 3), br('c', 3, 4), br('self', 1, 1)]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const islands = r.errors.filter((e) => e.code === 'topology.disconnected').map((e) => e.message);
    expect(islands).toHaveLength(3);
    expect(islands[0]).toMatch(/3 buses 'b2', 'b3', 'b4' are not connected to the slack bus 'b0'/);
    expect(islands[1]).toMatch(/bus 'b5' is not connected/);
    expect(r.errors.some((e) => e.code === 'topology.self-loop' && e.path === 'lines[self]')).toBe(true);
  });

  it('accepts every random tree and rejects it with any extra branch', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), fc.nat(), fc.nat(), (parents, x, y) => {
        const n = parents.length + 1;
        const branches = parents.map((p, k) => br(`e${k}`, k + 1, p % (k + 1)));
        const tree = buildRadialTree(ids(n), 0, branches);
        expect(tree.ok).toBe(true);
        const a = x % n;
        const b = y % n;
        const extra = buildRadialTree(ids(n), 0, [...branches, br('extra', a, b)]);
        expect(extra.ok).toBe(false);
        if (!extra.ok) expect(extra.errors[0]!.code).toBe(a === b ? 'topology.self-loop' : 'topology.mesh');
      }),
      { numRuns: 100 },
    );
  });

  it('handles a 50 000-bus chain without recursion', () => {
    const n = 50_000;
    const branches = Array.from({ length: n - 1 }, (_, k) => br(`e${k}`, k, k + 1));
    const r = buildRadialTree(ids(n), 0, branches);
    expect(r.ok && r.tree.order[n - 1]).toBe(n - 1);
  });
});
