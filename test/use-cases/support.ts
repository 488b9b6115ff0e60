import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import { runScenario } from '../../src/run/run.js';
import { getProfile } from '../../src/protocol/profiles/index.js';
import type { Action, PayloadFor } from '../../src/protocol/payloads.js';
import type { ProfileId } from '../../src/protocol/context.js';

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

export interface DispatchRow {
  readonly interval: number;
  readonly participant: string;
  readonly kind: string;
  readonly clearedKW: number;
  readonly pricePerKWh: number;
  readonly actualKW: number;
}

export interface RunFolder {
  readonly acks: readonly AckRow[];
  readonly settlement: readonly SettlementRow[];
  readonly dispatch: readonly DispatchRow[];
  readonly summary: {
    readonly intervals: number;
    readonly contracts: number;
    readonly energyTradedKWh: number;
    readonly clearingStatus: Readonly<Record<string, number>>;
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
    const dispatch = csvParse(texts.get('dispatch.csv') ?? '').map((row) => ({
      interval: Number(row['interval']),
      participant: row['participant'] ?? '',
      kind: row['kind'] ?? '',
      clearedKW: Number(row['clearedKW']),
      pricePerKWh: Number(row['pricePerKWh']),
      actualKW: Number(row['actualKW']),
    }));
    return { acks, settlement, dispatch, summary: JSON.parse(texts.get('summary.json') ?? '{}') as RunFolder['summary'], files: (f) => texts.get(f) ?? '' };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** One message of the run's trace, read back into its domain payload by the run's profile. */
export interface TracedMessage {
  readonly action: Action;
  readonly from: string;
  readonly to: string;
  readonly timestamp: string;
  readonly payload: unknown;
}

/** The messages of a run with `action`, parsed with the beckn-2.0.0 profile (the scenarios' profile). */
export function messagesOf<A extends Action>(run: RunFolder, action: A, profile: ProfileId = 'beckn-2.0.0'): (TracedMessage & { readonly payload: PayloadFor<A> })[] {
  const p = getProfile(profile);
  const out: (TracedMessage & { readonly payload: PayloadFor<A> })[] = [];
  for (const line of run.files('messages.ndjson').split('\n')) {
    if (!line.includes(`"action":"${action}"`)) continue;
    const r = p.parse(JSON.parse(line) as unknown);
    if (!r.ok) throw new Error(r.errors.map((d) => d.message).join('; '));
    const c = r.value.context;
    if (c.action !== action) continue;
    const callback = action.startsWith('on_');
    out.push({ action, from: callback ? (c.bppId ?? '') : c.bapId, to: callback ? c.bapId : (c.bppId ?? ''), timestamp: c.timestamp, payload: r.value.payload as PayloadFor<A> });
  }
  return out;
}

/** Every NACK of a run, as `from→to action`. */
export function nacksOf(run: RunFolder): string[] {
  return run.acks.filter((a) => a.ack !== 'ACK').map((a) => `${a.from}→${a.to} ${a.action}`);
}

/** Sum of every party's net position in minor units (0 when money is conserved). */
export function netSumMinor(run: RunFolder): number {
  return Object.values(run.summary.netByParty).reduce((a, v) => a + Math.round(Number(v) * 100), 0);
}
