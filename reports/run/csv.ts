import { csvFormatRows } from 'd3-dsv';

/** A cell: a number with its fixed decimals, or text. `null` writes an empty cell. */
export type Cell = string | number | boolean | null | { readonly n: number; readonly d: number };

/** A fixed-decimal number cell; -0 is written as 0 so no sign noise appears. */
export function num(n: number, d: number): Cell {
  return { n, d };
}

function text(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'string') return c;
  if (typeof c === 'boolean') return c ? 'true' : 'false';
  if (typeof c === 'number') return String(c);
  const s = c.n.toFixed(c.d);
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

/** CSV text with a header row, RFC 4180 quoting, LF line ends and a final newline. */
export function csv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `${csvFormatRows([columns as string[], ...rows.map((r) => r.map(text))])}\n`;
}
