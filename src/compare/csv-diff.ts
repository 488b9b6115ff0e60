import { numbersDiffer, type Tolerance } from './json-diff.js';
import { IGNORE_NOTHING, type Ignore, type PathSegment } from './paths.js';
import { columnIndex, numericCell, type CsvTable } from './run-folder.js';

/**
 * Comparing one CSV file of two runs: rows matched by key, cells compared with a numeric
 * tolerance, added and missing rows, and column totals (overall and per group).
 */

/** How a known run-folder CSV is keyed and totalled. */
export interface CsvSpec {
  /** Columns that identify a row; a repeated key gets `#2`, `#3`, … in file order. */
  readonly keys: readonly string[];
  /** Additive columns whose sums are compared. */
  readonly totals: readonly string[];
  /** Also total `totals` per value of this column (e.g. settlement amount per kind). */
  readonly groupBy?: string;
}

/** Keys and totals of the run-folder CSVs. */
export const CSV_SPECS: Readonly<Record<string, CsvSpec>> = {
  'clearing.csv': { keys: ['interval', 'node'], totals: ['clearedSupplyKW', 'clearedDemandKW', 'netKW'] },
  'dispatch.csv': { keys: ['interval', 'participant'], totals: ['clearedKW', 'actualKW', 'deviationKW'], groupBy: 'kind' },
  'flows.csv': { keys: ['interval', 'element'], totals: ['lossesKW'] },
  'settlement.csv': { keys: ['interval', 'contractId', 'kind', 'payer', 'payee'], totals: ['amount'], groupBy: 'kind' },
};

/** A cell that differs between matched rows. `delta` is B − A for numeric cells. */
export interface CellDifference {
  readonly key: string;
  readonly column: string;
  readonly a: string;
  readonly b: string;
  readonly delta?: number;
}

/** A column total in both runs. */
export interface TotalComparison {
  readonly column: string;
  /** `kind=fee` when the total is for one group. */
  readonly group?: string;
  readonly a: number;
  readonly b: number;
  readonly delta: number;
  readonly equal: boolean;
}

export interface CsvFileReport {
  readonly file: string;
  readonly status: 'equal' | 'different' | 'only-in-a' | 'only-in-b';
  readonly keyColumns: readonly string[];
  readonly rowsA: number;
  readonly rowsB: number;
  /** Row keys only in A. */
  readonly missing: readonly string[];
  /** Row keys only in B. */
  readonly added: readonly string[];
  readonly changed: readonly CellDifference[];
  readonly columnsOnlyInA: readonly string[];
  readonly columnsOnlyInB: readonly string[];
  readonly totals: readonly TotalComparison[];
}

function decimalsOf(cell: string): number {
  const m = /\.(\d+)(?:[eE]|$)/.exec(cell.trim());
  return m?.[1]?.length ?? 0;
}

/** Rounds to `d` decimals, removing float noise from sums and differences of d-decimal cells. */
export function roundTo(x: number, d: number): number {
  const r = Number(x.toFixed(Math.min(20, d)));
  return Object.is(r, -0) ? 0 : r;
}

function keyed(table: CsvTable, keys: readonly string[]): Map<string, readonly string[]> {
  const idx = keys.map((k) => columnIndex(table, k));
  const out = new Map<string, readonly string[]>();
  const seen = new Map<string, number>();
  table.rows.forEach((row, i) => {
    const base = idx.length === 0 || idx.some((x) => x < 0) ? `row ${i + 1}` : keys.map((k, j) => `${k}=${row[idx[j] ?? 0] ?? ''}`).join(', ');
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.set(n === 1 ? base : `${base} #${n}`, row);
  });
  return out;
}

function fileSegments(file: string): PathSegment[] {
  return file.split('.');
}

/**
 * Compares one CSV of runs A and B (either may be absent). Key columns come from
 * {@link CSV_SPECS}; an unknown file, or one missing a key column, is matched by row number.
 * `ignore` patterns `<file>.<column>` skip a column; `<file>` skips the file.
 */
export function compareCsv(file: string, a: CsvTable | undefined, b: CsvTable | undefined, tolerance: Tolerance, ignore: Ignore = IGNORE_NOTHING): CsvFileReport {
  const spec = CSV_SPECS[file];
  const empty = { missing: [], added: [], changed: [], columnsOnlyInA: [], columnsOnlyInB: [], totals: [] };
  if (a === undefined || b === undefined) {
    return { file, status: a === undefined ? 'only-in-b' : 'only-in-a', keyColumns: spec?.keys ?? [], rowsA: a?.rows.length ?? 0, rowsB: b?.rows.length ?? 0, ...empty };
  }
  const hasKeys = spec !== undefined && spec.keys.every((k) => a.columns.includes(k) && b.columns.includes(k));
  const keyColumns = hasKeys ? spec.keys : [];
  const rowsA = keyed(a, keyColumns);
  const rowsB = keyed(b, keyColumns);
  const ignored = (column: string): boolean => ignore.ignores([...fileSegments(file), column]);
  const shared = a.columns.filter((c) => b.columns.includes(c) && !keyColumns.includes(c) && !ignored(c));
  const columnsOnlyInA = a.columns.filter((c) => !b.columns.includes(c) && !ignored(c));
  const columnsOnlyInB = b.columns.filter((c) => !a.columns.includes(c) && !ignored(c));

  const changed: CellDifference[] = [];
  const missing: string[] = [];
  for (const [key, ra] of rowsA) {
    const rb = rowsB.get(key);
    if (rb === undefined) {
      missing.push(key);
      continue;
    }
    for (const column of shared) {
      const ca = ra[columnIndex(a, column)] ?? '';
      const cb = rb[columnIndex(b, column)] ?? '';
      if (ca === cb) continue;
      const na = numericCell(ca);
      const nb = numericCell(cb);
      if (na !== undefined && nb !== undefined) {
        if (numbersDiffer(na, nb, tolerance)) changed.push({ key, column, a: ca, b: cb, delta: roundTo(nb - na, Math.max(decimalsOf(ca), decimalsOf(cb))) });
      } else {
        changed.push({ key, column, a: ca, b: cb });
      }
    }
  }
  const added = [...rowsB.keys()].filter((k) => !rowsA.has(k));

  const totals: TotalComparison[] = [];
  for (const column of spec?.totals ?? []) {
    if (!a.columns.includes(column) || !b.columns.includes(column) || ignored(column)) continue;
    const sum = (t: CsvTable, groupCol: number, group: string | undefined): { total: number; decimals: number } => {
      const ci = columnIndex(t, column);
      let total = 0;
      let decimals = 0;
      for (const row of t.rows) {
        if (group !== undefined && row[groupCol] !== group) continue;
        const cell = row[ci] ?? '';
        total += numericCell(cell) ?? 0;
        decimals = Math.max(decimals, decimalsOf(cell));
      }
      return { total, decimals };
    };
    const push = (group: string | undefined): void => {
      const ga = spec?.groupBy === undefined ? -1 : columnIndex(a, spec.groupBy);
      const gb = spec?.groupBy === undefined ? -1 : columnIndex(b, spec.groupBy);
      const sa = sum(a, ga, group);
      const sb = sum(b, gb, group);
      const d = Math.max(sa.decimals, sb.decimals);
      const ta = roundTo(sa.total, d);
      const tb = roundTo(sb.total, d);
      totals.push({
        column,
        ...(group === undefined || spec?.groupBy === undefined ? {} : { group: `${spec.groupBy}=${group}` }),
        a: ta,
        b: tb,
        delta: roundTo(tb - ta, d),
        equal: !numbersDiffer(ta, tb, tolerance),
      });
    };
    push(undefined);
    if (spec?.groupBy !== undefined && a.columns.includes(spec.groupBy) && b.columns.includes(spec.groupBy)) {
      const groups = new Set<string>();
      for (const [t, gi] of [[a, columnIndex(a, spec.groupBy)] as const, [b, columnIndex(b, spec.groupBy)] as const]) for (const row of t.rows) groups.add(row[gi] ?? '');
      for (const g of [...groups].sort()) push(g);
    }
  }

  const different = missing.length > 0 || added.length > 0 || changed.length > 0 || columnsOnlyInA.length > 0 || columnsOnlyInB.length > 0 || totals.some((t) => !t.equal);
  return { file, status: different ? 'different' : 'equal', keyColumns, rowsA: a.rows.length, rowsB: b.rows.length, missing, added, changed, columnsOnlyInA, columnsOnlyInB, totals };
}
