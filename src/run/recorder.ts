import type { EnergyContract } from '../contracts/model.js';
import type { PeriodInputs } from '../contracts/evaluate.js';
import type { ClearingResult } from '../market/types.js';
import type { SettlementReport } from '../protocol/payloads.js';
import type { DispatchRecord, Recorder } from './agent.js';
import type { SettlementEngine } from './settle.js';

/** A dispatch row with what physics adds: the actual power and the deviation from the cleared power. */
export interface DispatchRow extends DispatchRecord {
  readonly actualKW: number;
  readonly deviationKW: number;
}

/** Everything agents recorded during a run, in the order needed by the report writers. */
export class RunRecorder implements Recorder {
  private readonly dispatchRows = new Map<string, DispatchRecord>();
  private readonly actual = new Map<string, number>();
  readonly clearings = new Map<number, ClearingResult>();
  readonly metrics = new Map<string, number>();
  readonly notes: { interval: number; text: string }[] = [];

  constructor(private readonly settlement: SettlementEngine) {}

  dispatch(row: DispatchRecord): void {
    this.dispatchRows.set(`${row.interval}\u0000${row.participant}`, row);
  }

  clearing(interval: number, result: unknown): void {
    this.clearings.set(interval, result as ClearingResult);
  }

  contractActive(contract: EnergyContract, formedBy: string, billing?: 'per-interval' | 'at-end'): void {
    this.settlement.activate(contract, formedBy, billing);
  }

  contractStatus(contractId: string, status: EnergyContract['status']): void {
    this.settlement.setStatus(contractId, status);
  }

  periodInputs(contractId: string, interval: number, inputs: PeriodInputs): void {
    this.settlement.addInputs(contractId, interval, inputs);
  }

  settlementReports(providerId: string, interval: number): readonly SettlementReport[] {
    return this.settlement.reportsFor(providerId, interval);
  }

  metric(name: string, value: number): void {
    this.metrics.set(name, (this.metrics.get(name) ?? 0) + value);
  }

  note(interval: number, text: string): void {
    this.notes.push({ interval, text });
  }

  /** Physics: the actual average power of a participant in interval k (kW, + export). */
  setActual(interval: number, participant: string, actualKW: number): void {
    this.actual.set(`${interval}\u0000${participant}`, actualKW);
  }

  /** Dispatch rows sorted by interval then participant, with actual and deviation. */
  dispatchTable(): DispatchRow[] {
    const rows = [...this.dispatchRows.values()].sort((a, b) => a.interval - b.interval || (a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : 0));
    return rows.map((r) => {
      const a = this.actual.get(`${r.interval}\u0000${r.participant}`) ?? 0;
      return { ...r, actualKW: a, deviationKW: a - r.clearedKW };
    });
  }
}
