import { DiagnosticError, type Diagnostic, type Result } from '../../src/diagnostics.js';
import type { AgentServices, FactoryContext, MeterAssignment } from '../../src/run/agent.js';
import type { ParticipantSpec } from '../../src/scenario/types.js';

/**
 * Helpers every participant factory shares. A factory cannot return diagnostics (the run validates
 * entries before it builds agents), so a bad entry that reaches it throws a {@link DiagnosticError}
 * listing every problem.
 */

/** The value of a parameter reading, or a thrown DiagnosticError with every problem. */
export function valueOrThrow<T>(r: Result<T>): T {
  if (!r.ok) throw new DiagnosticError(r.errors);
  return r.value;
}

/** The participant's connection; a metered participant without one is a run-wiring defect. */
export function meterOrThrow(ctx: FactoryContext, id: string, spec: ParticipantSpec): MeterAssignment {
  const m = ctx.meterOf(id);
  if (m === undefined) {
    const d: Diagnostic = { code: `${spec.kind}.no-meter`, path: '', message: `participant ${id} (kind ${spec.kind}) has no connection on the feeder` };
    throw new DiagnosticError([d]);
  }
  return m;
}

/** Sanctioned load of a participant: its entry, else its connection, else the utility's default (kW). */
export function sanctionedLoad(entryKW: number | undefined, meter: MeterAssignment | undefined, svc: Pick<AgentServices, 'scenario'>): number {
  return entryKW ?? meter?.sanctionedLoadKW ?? svc.scenario.utility.sanctionedLoadKW;
}

/** Number of intervals in `hours`, at least 1. */
export function intervalsIn(hours: number, intervalMinutes: number): number {
  return Math.max(1, Math.round((hours * 60) / intervalMinutes));
}
