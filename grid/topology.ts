import type { Diagnostic } from '../src/diagnostics.js';

/** A closed branch (line or transformer) between two bus indices, with where it came from. */
export interface TopologyBranch {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  /** Path of the branch in the feeder document, e.g. `lines[4]`, for diagnostics. */
  readonly path: string;
}

/**
 * A radial tree rooted at the slack bus. `order` lists bus indices in depth-first preorder (root
 * first), so every bus appears after its parent; `parent[b]` is the parent bus of bus `b` (-1 at
 * the root) and `parentBranch[b]` the branch connecting them (-1 at the root).
 */
export interface RadialTree {
  readonly order: Int32Array;
  readonly parent: Int32Array;
  readonly parentBranch: Int32Array;
}

export type TopologyResult =
  | { readonly ok: true; readonly tree: RadialTree }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] };

const MAX_LISTED_BUSES = 8;

/**
 * Checks that the closed branches form one tree spanning every bus from the slack bus, and builds
 * it. Reports every branch that closes a loop (`topology.mesh`, naming the branch and the two buses
 * already connected) and every island not reached from the slack bus (`topology.disconnected`,
 * naming its buses). O(buses + branches), iterative (no recursion limit on deep feeders).
 */
export function buildRadialTree(
  busIds: readonly string[],
  slackIndex: number,
  branches: readonly TopologyBranch[],
): TopologyResult {
  const n = busIds.length;
  const errors: Diagnostic[] = [];
  // Compressed adjacency: for each bus, the branches touching it.
  const degree = new Int32Array(n + 1);
  for (const b of branches) {
    if (b.from === b.to) {
      errors.push({
        code: 'topology.self-loop',
        path: b.path,
        message: `branch '${b.id}' connects bus '${busIds[b.from] ?? '?'}' to itself`,
      });
      continue;
    }
    degree[b.from + 1]! += 1;
    degree[b.to + 1]! += 1;
  }
  for (let i = 0; i < n; i++) degree[i + 1]! += degree[i]!;
  const start = degree.slice();
  const adjacency = new Int32Array(degree[n]!);
  for (let k = 0; k < branches.length; k++) {
    const b = branches[k]!;
    if (b.from === b.to) continue;
    adjacency[start[b.from]!++] = k;
    adjacency[start[b.to]!++] = k;
  }

  const parent = new Int32Array(n).fill(-1);
  const parentBranch = new Int32Array(n).fill(-1);
  const visited = new Uint8Array(n);
  const usedBranch = new Uint8Array(branches.length);
  const order = new Int32Array(n);
  let orderLength = 0;

  // Depth-first preorder with an explicit stack: children are placed right after their parent,
  // which keeps the sweeps' memory access local.
  const stack = new Int32Array(n);
  let top = 0;
  stack[top++] = slackIndex;
  visited[slackIndex] = 1;
  while (top > 0) {
    const bus = stack[--top]!;
    order[orderLength++] = bus;
    for (let a = degree[bus + 1]! - 1; a >= degree[bus]!; a--) {
      const k = adjacency[a]!;
      if (usedBranch[k] === 1) continue;
      usedBranch[k] = 1;
      const b = branches[k]!;
      const other = b.from === bus ? b.to : b.from;
      if (visited[other] === 1) {
        errors.push({
          code: 'topology.mesh',
          path: b.path,
          message: `branch '${b.id}' closes a loop: buses '${busIds[b.from] ?? '?'}' and '${busIds[b.to] ?? '?'}' are already connected; the power flow needs a radial network (open a switch: "status": "open")`,
        });
        continue;
      }
      visited[other] = 1;
      parent[other] = bus;
      parentBranch[other] = k;
      stack[top++] = other;
    }
  }

  if (orderLength < n) {
    // Group unreached buses into islands so one cut cable gives one diagnostic, not thousands.
    const island = new Int32Array(n).fill(-1);
    let islands = 0;
    for (let s = 0; s < n; s++) {
      if (visited[s] === 1 || island[s] !== -1) continue;
      const members: string[] = [];
      let count = 0;
      let t = 0;
      stack[t++] = s;
      island[s] = islands;
      while (t > 0) {
        const bus = stack[--t]!;
        count++;
        if (members.length < MAX_LISTED_BUSES) members.push(busIds[bus] ?? '?');
        for (let a = degree[bus]!; a < degree[bus + 1]!; a++) {
          const b = branches[adjacency[a]!]!;
          const other = b.from === bus ? b.to : b.from;
          if (island[other] === -1 && visited[other] === 0) {
            island[other] = islands;
            stack[t++] = other;
          }
        }
      }
      islands++;
      const listed = members.map((m) => `'${m}'`).join(', ');
      const more = count > members.length ? ` and ${count - members.length} more` : '';
      errors.push({
        code: 'topology.disconnected',
        path: `buses`,
        message: `${count === 1 ? 'bus' : `${count} buses`} ${listed}${more} ${count === 1 ? 'is' : 'are'} not connected to the slack bus '${busIds[slackIndex] ?? '?'}'`,
      });
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, tree: { order, parent, parentBranch } };
}
