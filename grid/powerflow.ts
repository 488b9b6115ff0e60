import { S_BASE_KVA, compileFeeder, scaledBaseLoads, type BusLoads, type CompiledFeeder } from './compile.js';
import type { Feeder } from './feeder.js';

/** Default convergence tolerance: largest voltage change between sweeps, pu. */
export const DEFAULT_TOLERANCE_PU = 1e-8;
/** Default iteration cap; a feeder that needs more is at or past its loadability limit. */
export const DEFAULT_MAX_ITERATIONS = 200;
/**
 * A bus voltage below this magnitude (pu) during the sweeps means the load cannot be supplied:
 * the constant-power loads have pushed the network past the nose of its P–V curve.
 */
export const COLLAPSE_VOLTAGE_PU = 0.3;

export type PowerFlowFailure = 'voltage-collapse' | 'max-iterations' | 'invalid-input';

export interface PowerFlowOptions {
  /** Stop when no bus voltage moves more than this between two sweeps, pu. Default 1e-8. */
  readonly tolerancePu?: number;
  /** Give up (as a value, `converged: false`) after this many sweeps. Default 200. */
  readonly maxIterations?: number;
  /** Reuse these arrays instead of allocating; the result's arrays then alias the workspace. */
  readonly workspace?: PowerFlowWorkspace;
  /** Start from the workspace's last converged voltages instead of a flat start. */
  readonly warmStart?: boolean;
}

/** Preallocated solver arrays for one compiled feeder; solve after solve, nothing is allocated. */
export interface PowerFlowWorkspace {
  readonly busCount: number;
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  readonly iRe: Float64Array;
  readonly iIm: Float64Array;
  readonly accRe: Float64Array;
  readonly accIm: Float64Array;
  readonly pPu: Float64Array;
  readonly qPu: Float64Array;
  /** True when vRe/vIm hold a converged solution (for warm starts). */
  hasSolution: boolean;
}

/** Voltages and currents of the last sweep, in pu, indexed by compiled bus index. */
export interface PowerFlowState {
  readonly iterations: number;
  /** Largest voltage change in the last sweep, pu. */
  readonly maxMismatchPu: number;
  /** Bus voltage, real part, pu. */
  readonly vRe: Float64Array;
  /** Bus voltage, imaginary part, pu. */
  readonly vIm: Float64Array;
  /** Current of the branch into bus i (primary side for transformers), real part, pu; 0 at the slack. */
  readonly iRe: Float64Array;
  readonly iIm: Float64Array;
}

export interface PowerFlowSolution extends PowerFlowState {
  readonly converged: true;
  /** Series losses of all lines and transformers, kW. */
  readonly lossesKW: number;
  readonly lossesKVAr: number;
  /** Power drawn from the upstream grid at the slack bus, kW (negative = export upstream). */
  readonly slackPKW: number;
  readonly slackQKVAr: number;
  readonly minVoltagePu: number;
  /** Compiled index of the bus with the lowest voltage. */
  readonly minVoltageBus: number;
  readonly maxVoltagePu: number;
  readonly maxVoltageBus: number;
}

export interface PowerFlowNonConvergence extends PowerFlowState {
  readonly converged: false;
  readonly reason: PowerFlowFailure;
  /** What happened, in words, with the figures. */
  readonly message: string;
}

export type PowerFlowResult = PowerFlowSolution | PowerFlowNonConvergence;

/** Allocates the arrays `solvePowerFlow` needs for `compiled`. */
export function createPowerFlowWorkspace(compiled: CompiledFeeder): PowerFlowWorkspace {
  const n = compiled.busCount;
  return {
    busCount: n,
    vRe: new Float64Array(n),
    vIm: new Float64Array(n),
    iRe: new Float64Array(n),
    iIm: new Float64Array(n),
    accRe: new Float64Array(n),
    accIm: new Float64Array(n),
    pPu: new Float64Array(n),
    qPu: new Float64Array(n),
    hasSolution: false,
  };
}

/**
 * Balanced radial power flow by backward/forward sweep (current summation) on typed arrays.
 *
 * `loads` are per compiled bus index (`compiled.busIndex`), in the feeder-file sign: positive
 * `pKW` = consumption, negative = generation (so reverse flow is simply negative net load).
 * Loads are constant power. The slack bus holds `compiled.slackVoltagePu` at its angle.
 *
 * Each iteration is one backward pass (load currents I = conj(S/V), summed towards the root; a
 * transformer divides by its tap) and one forward pass (V_child = (V_parent − Z·I) / tap). It stops
 * when no voltage moves more than `tolerancePu`. It never throws on bad physics: a voltage under
 * `COLLAPSE_VOLTAGE_PU` or a non-finite value ends it as `voltage-collapse`, the iteration cap as
 * `max-iterations`, bad input arrays as `invalid-input`. O(buses) per iteration, no allocation
 * with a workspace.
 */
export function solvePowerFlow(compiled: CompiledFeeder, loads: BusLoads, opts: PowerFlowOptions = {}): PowerFlowResult {
  const n = compiled.busCount;
  const tol = opts.tolerancePu ?? DEFAULT_TOLERANCE_PU;
  const maxIterations = opts.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const ws = opts.workspace ?? createPowerFlowWorkspace(compiled);
  const { vRe, vIm, iRe, iIm, accRe, accIm, pPu, qPu } = ws;
  const state = (iterations: number, mismatch: number): PowerFlowState => ({ iterations, maxMismatchPu: mismatch, vRe, vIm, iRe, iIm });

  if (ws.busCount !== n || loads.pKW.length !== n || loads.qKVAr.length !== n) {
    ws.hasSolution = false;
    return {
      ...state(0, Number.NaN),
      converged: false,
      reason: 'invalid-input',
      message: `load arrays have ${loads.pKW.length}/${loads.qKVAr.length} entries and the workspace ${ws.busCount}; the feeder has ${n} buses`,
    };
  }
  for (let i = 0; i < n; i++) {
    const p = loads.pKW[i]!;
    const q = loads.qKVAr[i]!;
    if (!Number.isFinite(p) || !Number.isFinite(q)) {
      ws.hasSolution = false;
      return {
        ...state(0, Number.NaN),
        converged: false,
        reason: 'invalid-input',
        message: `load at bus '${compiled.busIds[i] ?? i}' is not a finite number (pKW ${p}, qKVAr ${q})`,
      };
    }
    pPu[i] = p / S_BASE_KVA;
    qPu[i] = q / S_BASE_KVA;
  }

  const parent = compiled.parent;
  const R = compiled.branchR;
  const X = compiled.branchX;
  const tap = compiled.branchTap;
  const angle = (compiled.slackAngleDeg * Math.PI) / 180;
  const v0Re = compiled.slackVoltagePu * Math.cos(angle);
  const v0Im = compiled.slackVoltagePu * Math.sin(angle);

  if (!(opts.warmStart === true && ws.hasSolution)) {
    vRe[0] = v0Re;
    vIm[0] = v0Im;
    for (let i = 1; i < n; i++) {
      const p = parent[i]!;
      vRe[i] = vRe[p]! / tap[i]!;
      vIm[i] = vIm[p]! / tap[i]!;
    }
  } else {
    vRe[0] = v0Re;
    vIm[0] = v0Im;
  }
  ws.hasSolution = false;
  accRe.fill(0);
  accIm.fill(0);
  const collapse2 = COLLAPSE_VOLTAGE_PU * COLLAPSE_VOLTAGE_PU;
  const tol2 = tol * tol;

  let iteration = 0;
  let mismatch2 = Number.POSITIVE_INFINITY;
  while (iteration < maxIterations) {
    iteration++;
    // Backward sweep: load current plus the children's branch currents, leaves to root.
    let lowBus = -1;
    for (let i = n - 1; i >= 1; i--) {
      const vr = vRe[i]!;
      const vi = vIm[i]!;
      const d = vr * vr + vi * vi;
      if (!(d >= collapse2)) {
        lowBus = i;
        break;
      }
      const p = pPu[i]!;
      const q = qPu[i]!;
      const t = tap[i]!;
      const ir = ((p * vr + q * vi) / d + accRe[i]!) / t;
      const ii = ((p * vi - q * vr) / d + accIm[i]!) / t;
      accRe[i] = 0;
      accIm[i] = 0;
      iRe[i] = ir;
      iIm[i] = ii;
      const pa = parent[i]!;
      accRe[pa] = accRe[pa]! + ir;
      accIm[pa] = accIm[pa]! + ii;
    }
    accRe[0] = 0;
    accIm[0] = 0;
    if (lowBus >= 0) return collapsed(compiled, state(iteration, mismatch2 === Number.POSITIVE_INFINITY ? Number.NaN : Math.sqrt(mismatch2)), lowBus);
    // Forward sweep: voltage drop along each branch, root to leaves.
    let worst = 0;
    for (let i = 1; i < n; i++) {
      const pa = parent[i]!;
      const r = R[i]!;
      const x = X[i]!;
      const ir = iRe[i]!;
      const ii = iIm[i]!;
      const t = tap[i]!;
      const nr = (vRe[pa]! - (r * ir - x * ii)) / t;
      const ni = (vIm[pa]! - (r * ii + x * ir)) / t;
      const dr = nr - vRe[i]!;
      const di = ni - vIm[i]!;
      const m = dr * dr + di * di;
      if (m > worst) worst = m;
      vRe[i] = nr;
      vIm[i] = ni;
    }
    mismatch2 = worst;
    if (!Number.isFinite(worst)) return collapsed(compiled, state(iteration, Number.NaN), -1);
    if (worst <= tol2) break;
  }
  const mismatch = Math.sqrt(mismatch2);
  if (!(mismatch2 <= tol2)) {
    let minV2 = Number.POSITIVE_INFINITY;
    let minBus = 0;
    for (let i = 0; i < n; i++) {
      const d = vRe[i]! * vRe[i]! + vIm[i]! * vIm[i]!;
      if (d < minV2) {
        minV2 = d;
        minBus = i;
      }
    }
    return {
      ...state(iteration, mismatch),
      converged: false,
      reason: 'max-iterations',
      message: `power flow did not converge in ${iteration} iterations (last voltage change ${mismatch.toExponential(2)} pu, tolerance ${tol.toExponential(0)} pu; lowest voltage ${Math.sqrt(minV2).toFixed(4)} pu at bus '${compiled.busIds[minBus] ?? minBus}'): the feeder is close to or past its loadability limit`,
    };
  }

  // One more backward pass so the currents match the final voltages exactly, then totals.
  let lossesPu = 0;
  let lossesQPu = 0;
  for (let i = n - 1; i >= 1; i--) {
    const vr = vRe[i]!;
    const vi = vIm[i]!;
    const d = vr * vr + vi * vi;
    const p = pPu[i]!;
    const q = qPu[i]!;
    const t = tap[i]!;
    const ir = ((p * vr + q * vi) / d + accRe[i]!) / t;
    const ii = ((p * vi - q * vr) / d + accIm[i]!) / t;
    accRe[i] = 0;
    accIm[i] = 0;
    iRe[i] = ir;
    iIm[i] = ii;
    const pa = parent[i]!;
    accRe[pa] = accRe[pa]! + ir;
    accIm[pa] = accIm[pa]! + ii;
    const i2 = ir * ir + ii * ii;
    lossesPu += i2 * R[i]!;
    lossesQPu += i2 * X[i]!;
  }
  // Slack injection S = V0·conj(I_children) + the slack bus's own load.
  const cr = accRe[0]!;
  const ci = accIm[0]!;
  accRe[0] = 0;
  accIm[0] = 0;
  const slackP = v0Re * cr + v0Im * ci + pPu[0]!;
  const slackQ = v0Im * cr - v0Re * ci + qPu[0]!;
  let minV2 = Number.POSITIVE_INFINITY;
  let maxV2 = Number.NEGATIVE_INFINITY;
  let minBus = 0;
  let maxBus = 0;
  for (let i = 0; i < n; i++) {
    const d = vRe[i]! * vRe[i]! + vIm[i]! * vIm[i]!;
    if (d < minV2) {
      minV2 = d;
      minBus = i;
    }
    if (d > maxV2) {
      maxV2 = d;
      maxBus = i;
    }
  }
  ws.hasSolution = true;
  return {
    ...state(iteration, mismatch),
    converged: true,
    lossesKW: lossesPu * S_BASE_KVA,
    lossesKVAr: lossesQPu * S_BASE_KVA,
    slackPKW: slackP * S_BASE_KVA,
    slackQKVAr: slackQ * S_BASE_KVA,
    minVoltagePu: Math.sqrt(minV2),
    minVoltageBus: minBus,
    maxVoltagePu: Math.sqrt(maxV2),
    maxVoltageBus: maxBus,
  };
}

function collapsed(compiled: CompiledFeeder, s: PowerFlowState, bus: number): PowerFlowNonConvergence {
  const where = bus >= 0 ? ` at bus '${compiled.busIds[bus] ?? bus}'` : '';
  return {
    ...s,
    converged: false,
    reason: 'voltage-collapse',
    message: `voltage collapse${where} after ${s.iterations} iterations: the voltage fell below ${COLLAPSE_VOLTAGE_PU} pu, so the feeder cannot supply this load (it is past the nose of its P–V curve)`,
  };
}

export interface SolveFeederOptions extends PowerFlowOptions {
  /** Multiplies every consuming load (pKW ≥ 0), P and Q. Default 1. */
  readonly loadScale?: number;
  /** Multiplies every generating load (pKW < 0), P and Q. Default 1. */
  readonly generationScale?: number;
}

/** Compiles `feeder` and solves its base-case loads (scaled as asked). For the CLI and tests. */
export function solveFeeder(feeder: Feeder, opts: SolveFeederOptions = {}): { readonly compiled: CompiledFeeder; readonly result: PowerFlowResult } {
  const compiled = compileFeeder(feeder);
  const loads = scaledBaseLoads(compiled, opts.loadScale ?? 1, opts.generationScale ?? 1);
  return { compiled, result: solvePowerFlow(compiled, loads, opts) };
}

/** Power flows of every branch, indexed by compiled bus index (the branch into that bus). */
export interface BranchFlows {
  /** Active power entering the branch at its upstream (parent) end, kW; negative = reverse flow. */
  readonly pSendKW: Float64Array;
  readonly qSendKVAr: Float64Array;
  /** Active power leaving the branch at its downstream end, kW. */
  readonly pReceiveKW: Float64Array;
  readonly qReceiveKVAr: Float64Array;
  /** Series losses, kW. */
  readonly lossesKW: Float64Array;
  /** Current magnitude at the downstream end's nominal voltage (LV side of transformers), A. */
  readonly currentA: Float64Array;
}

/** Branch power flows, losses and currents from a power-flow state. O(buses). */
export function branchFlows(compiled: CompiledFeeder, s: PowerFlowState): BranchFlows {
  const n = compiled.busCount;
  const out: BranchFlows = {
    pSendKW: new Float64Array(n),
    qSendKVAr: new Float64Array(n),
    pReceiveKW: new Float64Array(n),
    qReceiveKVAr: new Float64Array(n),
    lossesKW: new Float64Array(n),
    currentA: new Float64Array(n),
  };
  const { parent, branchR: R, branchX: X, branchTap: tap, busBaseKV } = compiled;
  for (let i = 1; i < n; i++) {
    const pa = parent[i]!;
    const ir = s.iRe[i]!;
    const ii = s.iIm[i]!;
    const vr = s.vRe[pa]!;
    const vi = s.vIm[pa]!;
    const i2 = ir * ir + ii * ii;
    const pSend = vr * ir + vi * ii;
    const qSend = vi * ir - vr * ii;
    out.pSendKW[i] = pSend * S_BASE_KVA;
    out.qSendKVAr[i] = qSend * S_BASE_KVA;
    out.pReceiveKW[i] = (pSend - i2 * R[i]!) * S_BASE_KVA;
    out.qReceiveKVAr[i] = (qSend - i2 * X[i]!) * S_BASE_KVA;
    out.lossesKW[i] = i2 * R[i]! * S_BASE_KVA;
    const iBaseA = S_BASE_KVA / (Math.sqrt(3) * busBaseKV[i]!);
    out.currentA[i] = Math.sqrt(i2) * tap[i]! * iBaseA;
  }
  return out;
}
