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

/** Returned by `readCell` for a cell that does not parse; the message is built only then. */
const BAD: unique symbol = Symbol('bad cell');

function expected(spec: ColumnSpec): string {
  switch (spec.type) {
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a finite number';
    case 'bool':
      return '"true" or "false"';
    case 'time':
      return 'an RFC 3339 time';
    case 'string':
      return 'a string';
  }
}

/** Reads one cell; `times` caches parsed timestamps (a run repeats each interval start many times). */
function readCell(raw: string, spec: ColumnSpec, times: Map<string, number>): Cell | typeof BAD {
  const text = raw.trim();
  if (text === '' || (text === 'NaN' && spec.type !== 'string')) {
    if (spec.nullable === true || spec.optional === true) return null;
    return spec.type === 'string' && text === '' ? '' : BAD;
  }
  switch (spec.type) {
    case 'string':
      return raw;
    case 'int': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BAD;
    }
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) ? n : BAD;
    }
    case 'bool':
      return text === 'true' ? true : text === 'false' ? false : BAD;
    case 'time': {
      const cached = times.get(text);
      if (cached !== undefined) return cached;
      const ms = Date.parse(text);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || !Number.isFinite(ms)) return BAD;
      times.set(text, ms / 1000);
      return ms / 1000;
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
  const names = Object.keys(schema);
  const specs = names.map((n) => schema[n] as ColumnSpec);
  const times = new Map<string, number>();
  const rows: RowOf<S>[] = [];
  let header: readonly string[] | undefined;
  let columns: readonly (number | undefined)[] = [];
  let missing: readonly string[] = [];
  // Rows are converted as they are parsed, so the file is never held as a table of strings.
  csvParseRows(text.replace(/^\uFEFF/, ''), (record, r) => {
    if (r === 0) {
      header = record;
      const at = new Map<string, number>();
      record.forEach((h, i) => {
        if (!at.has(h.trim())) at.set(h.trim(), i);
      });
      columns = names.map((n) => at.get(n));
      missing = names.filter((n, i) => columns[i] === undefined && specs[i]?.optional !== true);
      return null;
    }
    if (missing.length > 0) return null;
    if (record.length === 1 && (record[0] ?? '').trim() === '') return null;
    const row: Record<string, Cell> = {};
    let good = true;
    for (let c = 0; c < names.length; c++) {
      const name = names[c] as string;
      const index = columns[c];
      if (index === undefined) {
        row[name] = null;
        continue;
      }
      const spec = specs[c] as ColumnSpec;
      const raw = record[index] ?? '';
      const cell = readCell(raw, spec, times);
      if (cell === BAD) {
        good = false;
        report({ code: 'csv.cell', path: name, message: `"${raw}" is not ${expected(spec)}`, file, line: r + 1, column: index + 1 });
      } else {
        row[name] = cell;
      }
    }
    if (good) rows.push(row as RowOf<S>);
    return null;
  });
  if (header === undefined) {
    return { rows: [], diagnostics: [{ code: 'csv.empty', path: '', message: 'the file is empty; expected a header row', file, line: 1 }], usable: false };
  }
  if (missing.length > 0) {
    const found = header;
    return {
      rows: [],
      diagnostics: [
        {
          code: 'csv.missing-column',
          path: '',
          message: `the header lacks ${missing.map((m) => `"${m}"`).join(', ')}; found ${found.map((h) => `"${h}"`).join(', ')}`,
          file,
          line: 1,
        },
      ],
      usable: false,
    };
  }
  if (dropped > 0) diagnostics.push({ code: 'csv.more', path: '', message: `${dropped} more problems in this file are not listed`, file });
  return { rows, diagnostics, usable: true };
}
