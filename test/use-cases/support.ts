import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import { runScenario } from '../../src/run/run.js';

/**
 * Runs a use-case scenario the way the CLI does (load, simulate, write the run folder) and reads
 * back what a person would check: every acknowledgement, every settlement line and the summary.
 */

/** Path of a scenario under `scenarios/`. */
export function scenarioPath(name: string): string {
  return join(import.meta.dirname, '..', '..', 'scenarios', `${name}.yaml`);
}

export interface AckRow {
  readonly action: string;
  readonly from: string;
  readonly to: string;
  readonly ack: string;
}

export interface SettlementRow {
  readonly interval: number;
  readonly contractId: string;
  readonly payer: string;
  readonly payee: string;
  readonly kind: string;
  readonly quantity: number;
  readonly unit: string;
  readonly ratePerUnit: number;
  readonly amount: number;
  readonly formula: string;
}

export interface RunFolder {
  readonly acks: readonly AckRow[];
  readonly settlement: readonly SettlementRow[];
  readonly summary: {
    readonly intervals: number;
    readonly contracts: number;
    readonly nacks: number;
    readonly unmetEvEnergyKWh: number;
    readonly messagesByAction: Readonly<Record<string, number>>;
    readonly netByParty: Readonly<Record<string, string>>;
  };
  readonly files: (name: string) => string;
}

/** Runs `scenarios/<name>.yaml` with overrides into a temporary folder, reads it and removes it. */
export async function runUseCase(name: string, overrides: readonly string[] = []): Promise<RunFolder> {
  const tmp = mkdtempSync(join(tmpdir(), `degsim-${name}-`));
  try {
    const r = await runScenario({ scenarioPath: scenarioPath(name), overrides: ['reports.html=false', ...overrides], outDir: join(tmp, 'out') });
    if (!r.ok) throw new Error(r.errors.map((d) => `${d.path}: ${d.message}`).join('\n'));
    const dir = r.outDir;
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    const texts = new Map<string, string>();
    for (const f of ['acks.ndjson', 'settlement.csv', 'summary.json', 'messages.ndjson', 'dispatch.csv']) texts.set(f, read(f));
    const acks = (texts.get('acks.ndjson') ?? '')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AckRow);
    const settlement = csvParse(texts.get('settlement.csv') ?? '').map((row) => ({
      interval: Number(row['interval']),
      contractId: row['contractId'] ?? '',
      payer: row['payer'] ?? '',
      payee: row['payee'] ?? '',
      kind: row['kind'] ?? '',
      quantity: Number(row['quantity']),
      unit: row['unit'] ?? '',
      ratePerUnit: Number(row['ratePerUnit']),
      amount: Number(row['amount']),
      formula: row['formula'] ?? '',
    }));
    return { acks, settlement, summary: JSON.parse(texts.get('summary.json') ?? '{}') as RunFolder['summary'], files: (f) => texts.get(f) ?? '' };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Every NACK of a run, as `from→to action`. */
export function nacksOf(run: RunFolder): string[] {
  return run.acks.filter((a) => a.ack !== 'ACK').map((a) => `${a.from}→${a.to} ${a.action}`);
}

/** Sum of every party's net position in minor units (0 when money is conserved). */
export function netSumMinor(run: RunFolder): number {
  return Object.values(run.summary.netByParty).reduce((a, v) => a + Math.round(Number(v) * 100), 0);
}
