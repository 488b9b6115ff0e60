import { BRANCH_STRIDE, S_BASE_KVA, compileFeeder, scaledBaseLoads, type BusLoads, type CompiledFeeder } from './compile.js';
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

/** Values per bus in `PowerFlowWorkspace.state`: vRe, vIm, iRe, iIm, accRe, accIm, p, q (pu). */
export const STATE_STRIDE = 8;

/**
 * Preallocated solver memory for one compiled feeder; solve after solve, nothing is allocated.
 * The sweeps work on `state`, one 64-byte cache line per bus; the result arrays are filled from it.
 */
export interface PowerFlowWorkspace {
  readonly busCount: number;
  readonly state: Float64Array;
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  readonly iRe: Float64Array;
  readonly iIm: Float64Array;
  /** True when `state` holds a converged solution (for warm starts). */
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

/** Allocates the memory `solvePowerFlow` needs for `compiled`. */
export function createPowerFlowWorkspace(compiled: CompiledFeeder): PowerFlowWorkspace {
  const n = compiled.busCount;
  return {
    busCount: n,
    state: new Float64Array(n * STATE_STRIDE),
    vRe: new Float64Array(n),
    vIm: new Float64Array(n),
    iRe: new Float64Array(n),
    iIm: new Float64Array(n),
    hasSolution: false,
  };
}

const V_RE = 0;
const V_IM = 1;
const I_RE = 2;
const I_IM = 3;
const ACC_RE = 4;
const ACC_IM = 5;
const P = 6;
const Q = 7;

/** Copies voltages and branch currents from the packed state to the result arrays. */
function copyOut(ws: PowerFlowWorkspace): void {
  const { state: st, vRe, vIm, iRe, iIm } = ws;
  for (let i = 0, o = 0; i < ws.busCount; i++, o += STATE_STRIDE) {
    vRe[i] = st[o + V_RE]!;
    vIm[i] = st[o + V_IM]!;
    iRe[i] = st[o + I_RE]!;
    iIm[i] = st[o + I_IM]!;
  }
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
 * with a workspace (the result's arrays are then the workspace's, overwritten by the next solve).
 */
export function solvePowerFlow(compiled: CompiledFeeder, loads: BusLoads, opts: PowerFlowOptions = {}): PowerFlowResult {
  const n = compiled.busCount;
  const tol = opts.tolerancePu ?? DEFAULT_TOLERANCE_PU;
  const maxIterations = opts.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const ws = opts.workspace ?? createPowerFlowWorkspace(compiled);
  const st = ws.state;
  const state = (iterations: number, mismatch: number): PowerFlowState => ({
    iterations,
    maxMismatchPu: mismatch,
    vRe: ws.vRe,
    vIm: ws.vIm,
    iRe: ws.iRe,
    iIm: ws.iIm,
  });
  const invalid = (message: string): PowerFlowNonConvergence => {
    ws.hasSolution = false;
    return { ...state(0, Number.NaN), converged: false, reason: 'invalid-input', message };
  };

  if (ws.busCount !== n || loads.pKW.length !== n || loads.qKVAr.length !== n) {
    return invalid(`load arrays have ${loads.pKW.length}/${loads.qKVAr.length} entries and the workspace ${ws.busCount}; the feeder has ${n} buses`);
  }

  const parent = compiled.parent;
  const br = compiled.branchPacked;
  const angle = (compiled.slackAngleDeg * Math.PI) / 180;
  const v0Re = compiled.slackVoltagePu * Math.cos(angle);
  const v0Im = compiled.slackVoltagePu * Math.sin(angle);
  const flat = !(opts.warmStart === true && ws.hasSolution);
  const pKW = loads.pKW;
  const qKVAr = loads.qKVAr;
  const scale = 1 / S_BASE_KVA;

  // Set-up pass: loads to pu (rejecting NaN and infinities), accumulators cleared, flat start
  // (V_child = V_parent / tap; parents come first in compiled order).
  for (let i = 0, o = 0; i < n; i++, o += STATE_STRIDE) {
    const p = pKW[i]!;
    const q = qKVAr[i]!;
    if (!(p - p === 0 && q - q === 0)) return invalid(`load at bus '${compiled.busIds[i] ?? i}' is not a finite number (pKW ${p}, qKVAr ${q})`);
    st[o + P] = p * scale;
    st[o + Q] = q * scale;
    st[o + ACC_RE] = 0;
    st[o + ACC_IM] = 0;
    st[o + I_RE] = 0;
    st[o + I_IM] = 0;
    if (i === 0) {
      st[V_RE] = v0Re;
      st[V_IM] = v0Im;
    } else if (flat) {
      const po = parent[i]! * STATE_STRIDE;
      const invTap = br[i * BRANCH_STRIDE + 2]!;
      st[o + V_RE] = st[po + V_RE]! * invTap;
      st[o + V_IM] = st[po + V_IM]! * invTap;
    }
  }
  ws.hasSolution = false;
  const collapse2 = COLLAPSE_VOLTAGE_PU * COLLAPSE_VOLTAGE_PU;
  const tol2 = tol * tol;

  let iteration = 0;
  let mismatch2 = Number.POSITIVE_INFINITY;
  while (iteration < maxIterations) {
    iteration++;
    // Backward sweep: load current plus the children's branch currents, leaves to root.
    for (let i = n - 1, o = i * STATE_STRIDE; i >= 1; i--, o -= STATE_STRIDE) {
      const vr = st[o + V_RE]!;
      const vi = st[o + V_IM]!;
      const d = vr * vr + vi * vi;
      if (!(d >= collapse2)) {
        copyOut(ws);
        return collapsed(compiled, state(iteration, mismatch2 === Number.POSITIVE_INFINITY ? Number.NaN : Math.sqrt(mismatch2)), i);
      }
      const p = st[o + P]!;
      const q = st[o + Q]!;
      const invTap = br[i * BRANCH_STRIDE + 2]!;
      const ir = ((p * vr + q * vi) / d + st[o + ACC_RE]!) * invTap;
      const ii = ((p * vi - q * vr) / d + st[o + ACC_IM]!) * invTap;
      st[o + ACC_RE] = 0;
      st[o + ACC_IM] = 0;
      st[o + I_RE] = ir;
      st[o + I_IM] = ii;
      const po = parent[i]! * STATE_STRIDE;
      st[po + ACC_RE] = st[po + ACC_RE]! + ir;
      st[po + ACC_IM] = st[po + ACC_IM]! + ii;
    }
    st[ACC_RE] = 0;
    st[ACC_IM] = 0;
    // Forward sweep: voltage drop along each branch, root to leaves.
    let worst = 0;
    for (let i = 1, o = STATE_STRIDE, b = BRANCH_STRIDE; i < n; i++, o += STATE_STRIDE, b += BRANCH_STRIDE) {
      const po = parent[i]! * STATE_STRIDE;
      const r = br[b]!;
      const x = br[b + 1]!;
      const invTap = br[b + 2]!;
      const ir = st[o + I_RE]!;
      const ii = st[o + I_IM]!;
      const nr = (st[po + V_RE]! - (r * ir - x * ii)) * invTap;
      const ni = (st[po + V_IM]! - (r * ii + x * ir)) * invTap;
      const dr = nr - st[o + V_RE]!;
      const di = ni - st[o + V_IM]!;
      const m = dr * dr + di * di;
      if (m > worst) worst = m;
      st[o + V_RE] = nr;
      st[o + V_IM] = ni;
    }
    mismatch2 = worst;
    if (!(worst - worst === 0)) {
      copyOut(ws);
      return collapsed(compiled, state(iteration, Number.NaN), -1);
    }
    if (worst <= tol2) break;
  }
  const mismatch = Math.sqrt(mismatch2);
  if (!(mismatch2 <= tol2)) {
    copyOut(ws);
    let minV2 = Number.POSITIVE_INFINITY;
    let minBus = 0;
    for (let i = 0; i < n; i++) {
      const d = ws.vRe[i]! * ws.vRe[i]! + ws.vIm[i]! * ws.vIm[i]!;
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

  // Final backward pass: currents consistent with the final voltages, losses, voltage extremes,
  // and the result arrays filled.
  const { vRe, vIm, iRe, iIm } = ws;
  let lossesPu = 0;
  let lossesQPu = 0;
  let minV2 = Number.POSITIVE_INFINITY;
  let maxV2 = Number.NEGATIVE_INFINITY;
  let minBus = 0;
  let maxBus = 0;
  for (let i = n - 1, o = i * STATE_STRIDE; i >= 1; i--, o -= STATE_STRIDE) {
    const vr = st[o + V_RE]!;
    const vi = st[o + V_IM]!;
    const d = vr * vr + vi * vi;
    if (d <= minV2) {
      minV2 = d;
      minBus = i;
    }
    if (d >= maxV2) {
      maxV2 = d;
      maxBus = i;
    }
    const p = st[o + P]!;
    const q = st[o + Q]!;
    const b = i * BRANCH_STRIDE;
    const invTap = br[b + 2]!;
    const ir = ((p * vr + q * vi) / d + st[o + ACC_RE]!) * invTap;
    const ii = ((p * vi - q * vr) / d + st[o + ACC_IM]!) * invTap;
    st[o + ACC_RE] = 0;
    st[o + ACC_IM] = 0;
    st[o + I_RE] = ir;
    st[o + I_IM] = ii;
    const po = parent[i]! * STATE_STRIDE;
    st[po + ACC_RE] = st[po + ACC_RE]! + ir;
    st[po + ACC_IM] = st[po + ACC_IM]! + ii;
    const i2 = ir * ir + ii * ii;
    lossesPu += i2 * br[b]!;
    lossesQPu += i2 * br[b + 1]!;
    vRe[i] = vr;
    vIm[i] = vi;
    iRe[i] = ir;
    iIm[i] = ii;
  }
  vRe[0] = v0Re;
  vIm[0] = v0Im;
  iRe[0] = 0;
  iIm[0] = 0;
  const v02 = v0Re * v0Re + v0Im * v0Im;
  if (v02 <= minV2) {
    minV2 = v02;
    minBus = 0;
  }
  if (v02 >= maxV2) {
    maxV2 = v02;
    maxBus = 0;
  }
  // Slack injection S = V0·conj(I_children) + the slack bus's own load.
  const cr = st[ACC_RE]!;
  const ci = st[ACC_IM]!;
  st[ACC_RE] = 0;
  st[ACC_IM] = 0;
  const slackP = v0Re * cr + v0Im * ci + st[P]!;
  const slackQ = v0Im * cr - v0Re * ci + st[Q]!;
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

/** A power-flow result that also carries the compiled feeder it indexes into. */
export type SolvedFeeder = PowerFlowResult & { readonly compiled: CompiledFeeder };

/**
 * Compiles `feeder` and solves its base-case loads (consumption scaled by `loadScale`, generation
 * by `generationScale`). For the CLI, tests and one-off studies; the run loop compiles once and
 * calls `solvePowerFlow` per interval.
 */
export function solveFeeder(feeder: Feeder, opts: SolveFeederOptions = {}): SolvedFeeder {
  const compiled = compileFeeder(feeder);
  const loads = scaledBaseLoads(compiled, opts.loadScale ?? 1, opts.generationScale ?? 1);
  return { ...solvePowerFlow(compiled, loads, opts), compiled };
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
