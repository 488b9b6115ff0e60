import { DiagnosticError, type Diagnostic } from '../src/diagnostics.js';
import type { Feeder, FeederLine, FeederTransformer } from './feeder.js';
import { buildRadialTree, type TopologyBranch } from './topology.js';

/** System power base of the per-unit model, kVA (three-phase). */
export const S_BASE_KVA = 1000;

/** Values per bus in `CompiledFeeder.branchPacked`: R, X, 1/tap. */
export const BRANCH_STRIDE = 3;

/** Branch kinds in `CompiledFeeder.branchKind`. */
export const BRANCH_NONE = 0;
export const BRANCH_LINE = 1;
export const BRANCH_TRANSFORMER = 2;

/** Per-bus loads in kW/kVAr, indexed by compiled bus index (see `CompiledFeeder.busIndex`). */
export interface BusLoads {
  /** Net consumption per bus, kW: positive = load, negative = generation (feeder-file sign). */
  readonly pKW: Float64Array;
  /** Net reactive consumption per bus, kVAr: positive = inductive load. */
  readonly qKVAr: Float64Array;
}

/**
 * A feeder prepared for repeated power flows: buses renumbered in depth-first order from the slack
 * bus (index 0), so every bus comes after its parent and the sweeps are two linear passes over
 * typed arrays. Branch `i` is the branch from `parent[i]` into bus `i` (none at 0). Impedances are
 * per unit on `S_BASE_KVA` and each bus's nominal voltage.
 */
export interface CompiledFeeder {
  readonly name: string;
  readonly busCount: number;
  /** Bus ids in compiled order. */
  readonly busIds: readonly string[];
  /** Compiled index of every bus id. */
  readonly busIndex: ReadonlyMap<string, number>;
  /** Compiled index of each entry of `feeder.buses`, in the feeder's order. */
  readonly feederBusOrder: Int32Array;
  /** Nominal line-to-line voltage of each bus, kV. */
  readonly busBaseKV: Float64Array;
  /** Parent bus of each bus; -1 at the slack bus. */
  readonly parent: Int32Array;
  /** Series resistance of branch i, pu. */
  readonly branchR: Float64Array;
  /** Series reactance of branch i, pu. */
  readonly branchX: Float64Array;
  /** Off-nominal ratio of branch i (1 for lines). */
  readonly branchTap: Float64Array;
  /**
   * The sweep's branch data interleaved, `BRANCH_STRIDE` values per bus: R, X (pu), 1/tap. One
   * cache line serves a branch, which matters once a feeder no longer fits in cache.
   */
  readonly branchPacked: Float64Array;
  /** BRANCH_NONE at the slack bus, BRANCH_LINE or BRANCH_TRANSFORMER. */
  readonly branchKind: Uint8Array;
  /** Index of branch i's element in `lines` or `transformers` (by `branchKind`), -1 at the slack. */
  readonly branchElement: Int32Array;
  /** 1 when the element's `from` is bus i (the downstream end), i.e. it is written against the flow tree. */
  readonly branchReversed: Uint8Array;
  /** Compiled bus index whose branch is `lines[k]`; -1 for open lines. */
  readonly lineBranch: Int32Array;
  /** Compiled bus index whose branch is `transformers[k]` (its secondary bus). */
  readonly transformerBranch: Int32Array;
  /** Nearest transformer upstream of each bus (index into `transformers`), -1 when none. */
  readonly transformerOfBus: Int32Array;
  readonly lines: readonly FeederLine[];
  readonly transformers: readonly FeederTransformer[];
  readonly slackVoltagePu: number;
  readonly slackAngleDeg: number;
  /** The feeder's base-case loads, summed per bus. */
  readonly baseLoads: BusLoads;
  readonly feeder: Feeder;
}

/**
 * Compiles a feeder (from `parseFeeder` or `generateFeeder`) into typed arrays. O(buses).
 * Throws `DiagnosticError` if the feeder is not one radial tree, names unknown buses or has a
 * transformer whose primary does not face the slack bus: feeders from `parseFeeder` and
 * `generateFeeder` never do; hand-built ones should go through `parseFeeder` first.
 */
export function compileFeeder(feeder: Feeder): CompiledFeeder {
  const errors: Diagnostic[] = [];
  const n0 = feeder.buses.length;
  const inputIndex = new Map<string, number>();
  feeder.buses.forEach((b, i) => inputIndex.set(b.id, i));
  const need = (id: string, path: string): number => {
    const i = inputIndex.get(id);
    if (i === undefined) {
      errors.push({ code: 'feeder.unknown-bus', path, message: `bus '${id}' is not in the buses list` });
      return 0;
    }
    return i;
  };
  const slack = need(feeder.slackBus, 'slackBus');
  const branches: TopologyBranch[] = [];
  const branchSource: { kind: number; element: number }[] = [];
  feeder.lines.forEach((l, k) => {
    const from = need(l.from, `lines[${k}].from`);
    const to = need(l.to, `lines[${k}].to`);
    if (l.status === 'open') return;
    branches.push({ id: l.id, from, to, path: `lines[${k}]` });
    branchSource.push({ kind: BRANCH_LINE, element: k });
  });
  feeder.transformers.forEach((t, k) => {
    branches.push({ id: t.id, from: need(t.from, `transformers[${k}].from`), to: need(t.to, `transformers[${k}].to`), path: `transformers[${k}]` });
    branchSource.push({ kind: BRANCH_TRANSFORMER, element: k });
  });
  feeder.loads.forEach((l, k) => need(l.bus, `loads[${k}].bus`));
  if (errors.length > 0) throw new DiagnosticError(errors);

  const topo = buildRadialTree(
    feeder.buses.map((b) => b.id),
    slack,
    branches,
  );
  if (!topo.ok) throw new DiagnosticError(topo.errors);
  const { order, parent: inputParent, parentBranch } = topo.tree;

  const n = n0;
  const position = new Int32Array(n);
  for (let k = 0; k < n; k++) position[order[k]!] = k;

  const busIds: string[] = new Array<string>(n);
  const busIndex = new Map<string, number>();
  const parent = new Int32Array(n).fill(-1);
  const busBaseKV = new Float64Array(n);
  const branchR = new Float64Array(n);
  const branchX = new Float64Array(n);
  const branchTap = new Float64Array(n).fill(1);
  const branchKind = new Uint8Array(n);
  const branchElement = new Int32Array(n).fill(-1);
  const branchReversed = new Uint8Array(n);
  const lineBranch = new Int32Array(feeder.lines.length).fill(-1);
  const transformerBranch = new Int32Array(feeder.transformers.length).fill(-1);
  const transformerOfBus = new Int32Array(n).fill(-1);

  for (let i = 0; i < n; i++) {
    const input = order[i]!;
    const id = feeder.buses[input]!.id;
    busIds[i] = id;
    busIndex.set(id, i);
    if (i === 0) {
      busBaseKV[0] = feeder.baseKV;
      continue;
    }
    const p = position[inputParent[input]!]!;
    parent[i] = p;
    const k = parentBranch[input]!;
    const src = branchSource[k]!;
    branchKind[i] = src.kind;
    branchElement[i] = src.element;
    if (src.kind === BRANCH_LINE) {
      const line = feeder.lines[src.element]!;
      const kV = busBaseKV[p]!;
      const zBase = (kV * kV * 1000) / S_BASE_KVA;
      busBaseKV[i] = kV;
      branchR[i] = line.rOhm / zBase;
      branchX[i] = line.xOhm / zBase;
      branchReversed[i] = line.from === id ? 1 : 0;
      lineBranch[src.element] = i;
      transformerOfBus[i] = transformerOfBus[p]!;
    } else {
      const t = feeder.transformers[src.element]!;
      if (t.to !== id) {
        errors.push({
          code: 'feeder.transformer-orientation',
          path: `transformers[${src.element}]`,
          message: `transformer '${t.id}': 'from' must be the primary side, facing the slack bus`,
        });
      }
      const kV = t.secondaryKV;
      const zBase = (kV * kV * 1000) / S_BASE_KVA;
      busBaseKV[i] = kV;
      branchR[i] = t.rOhm / zBase;
      branchX[i] = t.xOhm / zBase;
      branchTap[i] = t.tapRatio;
      transformerBranch[src.element] = i;
      transformerOfBus[i] = src.element;
    }
  }
  if (errors.length > 0) throw new DiagnosticError(errors);

  const branchPacked = new Float64Array(n * BRANCH_STRIDE);
  for (let i = 0; i < n; i++) {
    branchPacked[i * BRANCH_STRIDE] = branchR[i]!;
    branchPacked[i * BRANCH_STRIDE + 1] = branchX[i]!;
    branchPacked[i * BRANCH_STRIDE + 2] = 1 / branchTap[i]!;
  }

  const feederBusOrder = new Int32Array(n);
  for (let k = 0; k < n; k++) feederBusOrder[k] = position[k]!;

  const pKW = new Float64Array(n);
  const qKVAr = new Float64Array(n);
  for (const l of feeder.loads) {
    const i = busIndex.get(l.bus)!;
    pKW[i] = pKW[i]! + l.pKW;
    qKVAr[i] = qKVAr[i]! + l.qKVAr;
  }

  return {
    name: feeder.name,
    busCount: n,
    busIds,
    busIndex,
    feederBusOrder,
    busBaseKV,
    parent,
    branchR,
    branchX,
    branchTap,
    branchPacked,
    branchKind,
    branchElement,
    branchReversed,
    lineBranch,
    transformerBranch,
    transformerOfBus,
    lines: feeder.lines,
    transformers: feeder.transformers,
    slackVoltagePu: feeder.slackVoltagePu,
    slackAngleDeg: feeder.slackAngleDeg,
    baseLoads: { pKW, qKVAr },
    feeder,
  };
}

/** Fresh zeroed per-bus load arrays for `compiled`. */
export function emptyBusLoads(compiled: CompiledFeeder): BusLoads {
  return { pKW: new Float64Array(compiled.busCount), qKVAr: new Float64Array(compiled.busCount) };
}

/**
 * The base-case loads with consumption (entries with pKW ≥ 0) scaled by `loadScale` and
 * generation (pKW < 0) by `generationScale`, P and Q alike.
 */
export function scaledBaseLoads(compiled: CompiledFeeder, loadScale = 1, generationScale = 1): BusLoads {
  const out = emptyBusLoads(compiled);
  for (const l of compiled.feeder.loads) {
    const i = compiled.busIndex.get(l.bus)!;
    const s = l.pKW >= 0 ? loadScale : generationScale;
    out.pKW[i] = out.pKW[i]! + s * l.pKW;
    out.qKVAr[i] = out.qKVAr[i]! + s * l.qKVAr;
  }
  return out;
}
