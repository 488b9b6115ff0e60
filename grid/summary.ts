import { BRANCH_LINE, type CompiledFeeder } from './compile.js';
import { branchFlows, type PowerFlowFailure, type PowerFlowResult } from './powerflow.js';

/** Decimals of each printed quantity: enough to be useful, none of the float noise. */
export const SUMMARY_DECIMALS = { voltagePu: 6, angleDeg: 4, kW: 3, kVAr: 3, currentA: 2 } as const;

export interface SummaryBus {
  readonly id: string;
  readonly voltagePu: number;
  readonly angleDeg: number;
}

export interface SummaryBranch {
  readonly id: string;
  readonly kind: 'line' | 'transformer';
  readonly from: string;
  readonly to: string;
  /** Active power entering the branch at `from`, kW (negative: it flows from `to` to `from`). */
  readonly pKW: number;
  readonly qKVAr: number;
  /** Current at the `to` end's nominal voltage (the LV side of a transformer), A. */
  readonly currentA: number;
  readonly lossesKW: number;
}

export interface ConvergedSummary {
  readonly converged: true;
  readonly iterations: number;
  readonly lossesKW: number;
  readonly minVoltagePu: number;
  readonly minVoltageBus: string;
  readonly maxVoltagePu: number;
  readonly maxVoltageBus: string;
  /** Power drawn from the upstream grid at the slack bus, kW. */
  readonly slackPKW: number;
  readonly slackQKVAr: number;
  /** Buses in the feeder's order. */
  readonly buses: readonly SummaryBus[];
  /** Closed lines in the feeder's order, then transformers. */
  readonly branches: readonly SummaryBranch[];
}

export interface FailedSummary {
  readonly converged: false;
  readonly iterations: number;
  readonly reason: PowerFlowFailure;
  readonly message: string;
}

/** The printable result of `degsim powerflow`: rounded to `SUMMARY_DECIMALS`, ids not indices. */
export type PowerFlowSummary = ConvergedSummary | FailedSummary;

/** Rounds to `decimals` places and turns -0 into 0, so printed numbers carry no float noise. */
export function roundTo(x: number, decimals: number): number {
  const r = Number(x.toFixed(decimals));
  return r === 0 ? 0 : r;
}

/** Summarises a power-flow result by bus and branch id, in the feeder's order, rounded. */
export function powerFlowSummary(compiled: CompiledFeeder, result: PowerFlowResult): PowerFlowSummary {
  if (!result.converged) {
    return { converged: false, iterations: result.iterations, reason: result.reason, message: result.message };
  }
  const d = SUMMARY_DECIMALS;
  const buses: SummaryBus[] = [];
  for (const i of compiled.feederBusOrder) {
    const vr = result.vRe[i]!;
    const vi = result.vIm[i]!;
    buses.push({
      id: compiled.busIds[i]!,
      voltagePu: roundTo(Math.hypot(vr, vi), d.voltagePu),
      angleDeg: roundTo((Math.atan2(vi, vr) * 180) / Math.PI, d.angleDeg),
    });
  }
  const flows = branchFlows(compiled, result);
  const branches: SummaryBranch[] = [];
  const branch = (i: number, id: string, kind: 'line' | 'transformer', from: string, to: string, reversed: boolean): void => {
    branches.push({
      id,
      kind,
      from,
      to,
      pKW: roundTo(reversed ? -flows.pReceiveKW[i]! : flows.pSendKW[i]!, d.kW),
      qKVAr: roundTo(reversed ? -flows.qReceiveKVAr[i]! : flows.qSendKVAr[i]!, d.kVAr),
      currentA: roundTo(flows.currentA[i]!, d.currentA),
      lossesKW: roundTo(flows.lossesKW[i]!, d.kW),
    });
  };
  compiled.lines.forEach((l, k) => {
    const i = compiled.lineBranch[k]!;
    if (i < 0) return;
    branch(i, l.id, 'line', l.from, l.to, compiled.branchReversed[i] === 1 && compiled.branchKind[i] === BRANCH_LINE);
  });
  compiled.transformers.forEach((t, k) => {
    branch(compiled.transformerBranch[k]!, t.id, 'transformer', t.from, t.to, false);
  });
  return {
    converged: true,
    iterations: result.iterations,
    lossesKW: roundTo(result.lossesKW, d.kW),
    minVoltagePu: roundTo(result.minVoltagePu, d.voltagePu),
    minVoltageBus: compiled.busIds[result.minVoltageBus]!,
    maxVoltagePu: roundTo(result.maxVoltagePu, d.voltagePu),
    maxVoltageBus: compiled.busIds[result.maxVoltageBus]!,
    slackPKW: roundTo(result.slackPKW, d.kW),
    slackQKVAr: roundTo(result.slackQKVAr, d.kVAr),
    buses,
    branches,
  };
}

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const fmt = (cells: readonly string[]): string =>
    cells.map((cell, c) => (rightAligned[c] === true ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** A human-readable report of a summary: totals, then a bus table and a branch table. */
export function formatPowerFlowTable(name: string, s: PowerFlowSummary): string {
  if (!s.converged) {
    return `${name}: NOT CONVERGED (${s.reason}) after ${s.iterations} iterations\n${s.message}\n`;
  }
  const d = SUMMARY_DECIMALS;
  const head = [
    `${name}: converged in ${s.iterations} iterations`,
    `slack injection   ${s.slackPKW.toFixed(d.kW)} kW, ${s.slackQKVAr.toFixed(d.kVAr)} kVAr`,
    `losses            ${s.lossesKW.toFixed(d.kW)} kW`,
    `min voltage       ${s.minVoltagePu.toFixed(d.voltagePu)} pu at bus ${s.minVoltageBus}`,
    `max voltage       ${s.maxVoltagePu.toFixed(d.voltagePu)} pu at bus ${s.maxVoltageBus}`,
  ].join('\n');
  const buses = table(
    ['bus', 'voltagePu', 'angleDeg'],
    s.buses.map((b) => [b.id, b.voltagePu.toFixed(d.voltagePu), b.angleDeg.toFixed(d.angleDeg)]),
    [false, true, true],
  );
  const branches = table(
    ['branch', 'kind', 'from', 'to', 'pKW', 'qKVAr', 'currentA', 'lossesKW'],
    s.branches.map((b) => [
      b.id,
      b.kind,
      b.from,
      b.to,
      b.pKW.toFixed(d.kW),
      b.qKVAr.toFixed(d.kVAr),
      b.currentA.toFixed(d.currentA),
      b.lossesKW.toFixed(d.kW),
    ]),
    [false, false, false, false, true, true, true, true],
  );
  return `${head}\n\n${buses}\n\n${branches}\n`;
}
