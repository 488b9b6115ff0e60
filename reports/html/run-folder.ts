import { join } from 'node:path';
import type { Diagnostic } from '../../src/diagnostics.js';
import { parseJson, parseNdjson } from '../diagram/load.js';
import type { ParsedTable, RowOf } from './csv.js';
import { parseCsvTable } from './csv.js';
import { readTextIfExists } from './files.js';

/** `clearing.csv`: one row per interval for the root and one per grid node. */
export const CLEARING_COLUMNS = {
  interval: { type: 'int' },
  start: { type: 'time' },
  node: { type: 'string' },
  price: { type: 'number', nullable: true },
  adderPerKWh: { type: 'number', nullable: true },
  clearedSupplyKW: { type: 'number', nullable: true },
  clearedDemandKW: { type: 'number', nullable: true },
  netKW: { type: 'number', nullable: true },
  participants: { type: 'int', nullable: true },
  status: { type: 'string' },
} as const;
export type ClearingRow = RowOf<typeof CLEARING_COLUMNS>;

/** `dispatch.csv`: one row per interval and participant; positive = export. */
export const DISPATCH_COLUMNS = {
  interval: { type: 'int' },
  start: { type: 'time' },
  participant: { type: 'string' },
  kind: { type: 'string' },
  node: { type: 'string' },
  meterId: { type: 'string', optional: true },
  offeredMinKW: { type: 'number', nullable: true },
  offeredMaxKW: { type: 'number', nullable: true },
  clearedKW: { type: 'number', nullable: true },
  pricePerKWh: { type: 'number', nullable: true },
  actualKW: { type: 'number', nullable: true },
  deviationKW: { type: 'number', nullable: true },
} as const;
export type DispatchRow = RowOf<typeof DISPATCH_COLUMNS>;

/** `flows.csv`: one row per interval and grid element. */
export const FLOWS_COLUMNS = {
  interval: { type: 'int' },
  start: { type: 'time' },
  element: { type: 'string' },
  kind: { type: 'string' },
  loadingKW: { type: 'number', nullable: true },
  limitKW: { type: 'number', nullable: true },
  loadingPct: { type: 'number', nullable: true },
  reverse: { type: 'bool', nullable: true },
  voltagePu: { type: 'number', nullable: true },
  lossesKW: { type: 'number', nullable: true },
} as const;
export type FlowsRow = RowOf<typeof FLOWS_COLUMNS>;

/** `settlement.csv`: one ledger line per row; `amount` ≥ 0 moves payer → payee. */
export const SETTLEMENT_COLUMNS = {
  interval: { type: 'int', nullable: true },
  contractId: { type: 'string' },
  payer: { type: 'string' },
  payee: { type: 'string' },
  kind: { type: 'string' },
  quantity: { type: 'number', nullable: true },
  unit: { type: 'string', optional: true },
  ratePerUnit: { type: 'number', nullable: true },
  amount: { type: 'number' },
  currency: { type: 'string', optional: true },
  formula: { type: 'string', optional: true },
} as const;
export type SettlementRow = RowOf<typeof SETTLEMENT_COLUMNS>;

/** One file of the run folder: absent, present but unusable, or read (possibly with skipped lines). */
export type RunFile<T> =
  | { readonly state: 'missing'; readonly file: string }
  | { readonly state: 'invalid'; readonly file: string }
  | { readonly state: 'ok'; readonly file: string; readonly value: T };

/** What the report reads from a run folder. Every problem found is in `diagnostics`. */
export interface RunFolder {
  readonly dir: string;
  readonly summary: RunFile<unknown>;
  readonly scenario: RunFile<unknown>;
  readonly clearing: RunFile<readonly ClearingRow[]>;
  readonly dispatch: RunFile<readonly DispatchRow[]>;
  readonly flows: RunFile<readonly FlowsRow[]>;
  readonly settlement: RunFile<readonly SettlementRow[]>;
  readonly messages: RunFile<readonly unknown[]>;
  readonly acks: RunFile<readonly unknown[]>;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads the files of a run folder that the report uses. Missing files are `missing`, not errors;
 * malformed lines are skipped with diagnostics; a CSV without its required columns is `invalid`.
 * Throws only on I/O errors other than a missing file.
 */
export async function readRunFolder(dir: string): Promise<RunFolder> {
  const diagnostics: Diagnostic[] = [];

  const csv = async <T>(name: string, parse: (text: string, file: string) => ParsedTable<T>): Promise<RunFile<readonly T[]>> => {
    const file = join(dir, name);
    const text = await readTextIfExists(file);
    if (text === undefined) return { state: 'missing', file };
    const t = parse(text, file);
    diagnostics.push(...t.diagnostics);
    return t.usable ? { state: 'ok', file, value: t.rows } : { state: 'invalid', file };
  };
  const json = async (name: string): Promise<RunFile<unknown>> => {
    const file = join(dir, name);
    const text = await readTextIfExists(file);
    if (text === undefined) return { state: 'missing', file };
    const r = parseJson(text, file);
    if (!r.ok) {
      diagnostics.push(...r.errors);
      return { state: 'invalid', file };
    }
    return { state: 'ok', file, value: r.value };
  };
  const ndjson = async (name: string): Promise<RunFile<readonly unknown[]>> => {
    const file = join(dir, name);
    const text = await readTextIfExists(file);
    if (text === undefined) return { state: 'missing', file };
    const r = parseNdjson(text, file);
    diagnostics.push(...r.diagnostics.slice(0, 20));
    if (r.diagnostics.length > 20) diagnostics.push({ code: 'ndjson.more', path: '', message: `${r.diagnostics.length - 20} more bad lines are not listed`, file });
    return { state: 'ok', file, value: r.values };
  };

  const summary = await json('summary.json');
  const scenario = await json('scenario.resolved.json');
  const clearing = await csv('clearing.csv', (t, f) => parseCsvTable(t, f, CLEARING_COLUMNS));
  const dispatch = await csv('dispatch.csv', (t, f) => parseCsvTable(t, f, DISPATCH_COLUMNS));
  const flows = await csv('flows.csv', (t, f) => parseCsvTable(t, f, FLOWS_COLUMNS));
  const settlement = await csv('settlement.csv', (t, f) => parseCsvTable(t, f, SETTLEMENT_COLUMNS));
  const messages = await ndjson('messages.ndjson');
  const acks = await ndjson('acks.ndjson');
  return { dir, summary, scenario, clearing, dispatch, flows, settlement, messages, acks, diagnostics };
}
