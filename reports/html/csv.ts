import { csvParseRows } from 'd3-dsv';
import type { Diagnostic } from '../../src/diagnostics.js';

/** How a CSV cell is read: `time` is RFC 3339 read as Unix seconds; `bool` accepts `true`/`false`. */
export type ColumnType = 'int' | 'number' | 'string' | 'bool' | 'time';

export interface ColumnSpec {
  readonly type: ColumnType;
  /** An empty cell reads as `null` (numbers also accept `NaN`). */
  readonly nullable?: boolean;
  /** The column may be absent from the header; every row then reads `null`. Implies `nullable`. */
  readonly optional?: boolean;
}

type CellOf<T extends ColumnType> = T extends 'int' | 'number' | 'time' ? number : T extends 'bool' ? boolean : string;

/** The typed row of a table schema: nullable and optional columns admit `null`. */
export type RowOf<S extends Readonly<Record<string, ColumnSpec>>> = {
  readonly [K in keyof S]: S[K] extends { readonly nullable: true } | { readonly optional: true } ? CellOf<S[K]['type']> | null : CellOf<S[K]['type']>;
};

export interface ParsedTable<R> {
  readonly rows: readonly R[];
  readonly diagnostics: readonly Diagnostic[];
  /** False when the header lacks a required column: no rows are read. */
  readonly usable: boolean;
}

/** Diagnostics kept per file; the rest are counted in one closing diagnostic. */
const MAX_DIAGNOSTICS = 20;

type Cell = number | string | boolean | null;

function readCell(raw: string, spec: ColumnSpec): { readonly ok: true; readonly value: Cell } | { readonly ok: false; readonly expected: string } {
  const text = raw.trim();
  const nullable = spec.nullable === true || spec.optional === true;
  if (text === '' || (text === 'NaN' && spec.type !== 'string')) {
    if (nullable) return { ok: true, value: null };
    if (spec.type === 'string' && text === '') return { ok: true, value: '' };
    return { ok: false, expected: `a ${spec.type === 'int' ? 'whole number' : spec.type === 'time' ? 'RFC 3339 time' : spec.type}` };
  }
  switch (spec.type) {
    case 'string':
      return { ok: true, value: raw };
    case 'int': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, expected: 'a whole number' };
    }
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, expected: 'a finite number' };
    }
    case 'bool':
      if (text === 'true') return { ok: true, value: true };
      if (text === 'false') return { ok: true, value: false };
      return { ok: false, expected: '"true" or "false"' };
    case 'time': {
      const ms = Date.parse(text);
      return /^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(ms) ? { ok: true, value: ms / 1000 } : { ok: false, expected: 'an RFC 3339 time' };
    }
  }
}

/**
 * Reads a CSV with a header row against a schema. Extra columns are ignored; a missing required
 * column makes the table unusable; a bad cell drops its row with a diagnostic naming file, line
 * (1-based, header = 1), column and what was expected. Never throws.
 */
export function parseCsvTable<S extends Readonly<Record<string, ColumnSpec>>>(text: string, file: string, schema: S): ParsedTable<RowOf<S>> {
  const diagnostics: Diagnostic[] = [];
  let dropped = 0;
  const report = (d: Diagnostic): void => {
    if (diagnostics.length < MAX_DIAGNOSTICS) diagnostics.push(d);
    else dropped++;
  };
  const records = csvParseRows(text.replace(/^\uFEFF/, ''));
  const header = records[0];
  if (header === undefined) {
    return { rows: [], diagnostics: [{ code: 'csv.empty', path: '', message: 'the file is empty; expected a header row', file, line: 1 }], usable: false };
  }
  const names = Object.keys(schema);
  const at = new Map<string, number>();
  header.forEach((h, i) => {
    if (!at.has(h.trim())) at.set(h.trim(), i);
  });
  const missing = names.filter((n) => !at.has(n) && schema[n]?.optional !== true);
  if (missing.length > 0) {
    return {
      rows: [],
      diagnostics: [
        {
          code: 'csv.missing-column',
          path: '',
          message: `the header lacks ${missing.map((m) => `"${m}"`).join(', ')}; found ${header.map((h) => `"${h}"`).join(', ')}`,
          file,
          line: 1,
        },
      ],
      usable: false,
    };
  }
  const rows: RowOf<S>[] = [];
  for (let r = 1; r < records.length; r++) {
    const record = records[r] ?? [];
    if (record.length === 1 && (record[0] ?? '').trim() === '') continue;
    const row: Record<string, Cell> = {};
    let good = true;
    for (const name of names) {
      const spec = schema[name] as ColumnSpec;
      const index = at.get(name);
      if (index === undefined) {
        row[name] = null;
        continue;
      }
      const cell = readCell(record[index] ?? '', spec);
      if (cell.ok) {
        row[name] = cell.value;
      } else {
        good = false;
        report({ code: 'csv.cell', path: name, message: `"${record[index] ?? ''}" is not ${cell.expected}`, file, line: r + 1, column: index + 1 });
      }
    }
    if (good) rows.push(row as RowOf<S>);
  }
  if (dropped > 0) diagnostics.push({ code: 'csv.more', path: '', message: `${dropped} more problems in this file are not listed`, file });
  return { rows, diagnostics, usable: true };
}
