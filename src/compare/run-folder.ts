import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { csvParseRows } from 'd3-dsv';
import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';

/**
 * Reading a run folder (what `degsim run` writes) as plain data: CSV tables as string cells,
 * NDJSON files as parsed lines, `summary.json` as an object. Only files are read; nothing here
 * knows how a run is computed.
 */

/** A CSV file: its header and rows of raw cells aligned with the header. */
export interface CsvTable {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** One line of an NDJSON file: its 1-based line number and parsed value. */
export interface NdjsonLine {
  readonly line: number;
  readonly value: unknown;
}

/** The files of a run folder that the tools read. */
export const RUN_CSV_FILES = ['clearing.csv', 'dispatch.csv', 'flows.csv', 'settlement.csv'] as const;

/** True when `dir` exists and is a folder. */
export function isFolder(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

/** Parses CSV text with a header line. Rows shorter than the header are padded with empty cells. */
export function parseCsv(text: string, file: string): Result<CsvTable> {
  const all = csvParseRows(text.replace(/^\uFEFF/, ''));
  const header = all[0];
  if (header === undefined || header.every((h) => h.trim() === '')) {
    return fail([{ code: 'csv.header', path: '', message: 'the file has no header line', file }]);
  }
  const errors: Diagnostic[] = [];
  const rows: string[][] = [];
  for (let i = 1; i < all.length; i++) {
    const row = all[i] ?? [];
    if (row.length === 1 && row[0] === '') continue;
    if (row.length > header.length) {
      errors.push({ code: 'csv.width', path: '', message: `row has ${row.length} cells but the header has ${header.length}`, file, line: i + 1 });
      continue;
    }
    while (row.length < header.length) row.push('');
    rows.push(row);
  }
  return errors.length > 0 ? fail(errors) : ok({ file, columns: header, rows });
}

/** Reads `dir/name` as CSV; `undefined` when the file does not exist. */
export function readCsv(dir: string, name: string): Result<CsvTable> | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  return parseCsv(readFileSync(path, 'utf8'), path);
}

/** Parses NDJSON text; every unparsable line is a diagnostic, blank lines are skipped. */
export function parseNdjson(text: string, file: string): Result<readonly NdjsonLine[]> {
  const out: NdjsonLine[] = [];
  const errors: Diagnostic[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) as unknown });
    } catch (e) {
      errors.push({ code: 'ndjson.syntax', path: '', message: `not JSON: ${(e as Error).message}`, file, line: i + 1 });
    }
  }
  return errors.length > 0 ? fail(errors) : ok(out);
}

/** Reads `dir/name` as NDJSON; `undefined` when the file does not exist. */
export function readNdjson(dir: string, name: string): Result<readonly NdjsonLine[]> | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  return parseNdjson(readFileSync(path, 'utf8'), path);
}

/** Reads a JSON object file; `undefined` when it does not exist. */
export function readJsonObject(dir: string, name: string): Result<Readonly<Record<string, unknown>>> | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return fail([{ code: 'json.type', path: '', message: 'expected a JSON object', file: path }]);
    }
    return ok(v as Record<string, unknown>);
  } catch (e) {
    return fail([{ code: 'json.syntax', path: '', message: `not JSON: ${(e as Error).message}`, file: path }]);
  }
}

/** Counts non-blank lines without parsing them (message counts of large traces). */
export function countLines(dir: string, name: string): number {
  const path = join(dir, name);
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  let n = 0;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    const line = end < 0 ? text.slice(start) : text.slice(start, end);
    if (line.trim() !== '') n++;
    if (end < 0) return n;
    start = end + 1;
  }
}

/** A cell as a finite number, or `undefined` when it is empty or not numeric. */
export function numericCell(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined;
  const t = cell.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Index of a column by name, or -1. */
export function columnIndex(table: CsvTable, name: string): number {
  return table.columns.indexOf(name);
}
