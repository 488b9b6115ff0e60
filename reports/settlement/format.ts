import { currencyExponent, formatMinor } from '../../src/settlement/money.js';

/** Decimals of the quantity and rate columns of every settlement table. */
export const QUANTITY_DECIMALS = 4;
export const RATE_DECIMALS = 4;

/** `x` with exactly `decimals` decimals, never `-0.0000`. */
export function fixed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** Minor units as a decimal string in the currency's decimals (2 when the code is unknown). */
export function money(minor: bigint, currency: string): string {
  return formatMinor(minor, currencyExponent(currency) ?? 2);
}

/** Signed money with an explicit + for positive values, as net positions read. */
export function signedMoney(minor: bigint, currency: string): string {
  const s = money(minor, currency);
  return minor > 0n ? `+${s}` : s;
}

/** A number for people: up to 6 decimals, trailing zeros dropped, never float noise. */
export function readable(x: number): string {
  const s = fixed(x, 6);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Escapes a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown table from a header and rows; `right` marks right-aligned (numeric) columns. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[] = []): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (right[i] === true ? '---:' : '---')).map((r) => ` ${r} `).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function byText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders settlement lines by interval, then contract id, then flow id (byte order). */
export function compareLines(
  a: { readonly period: { readonly index: number; readonly start: string }; readonly contractId: string; readonly flowId: string },
  b: { readonly period: { readonly index: number; readonly start: string }; readonly contractId: string; readonly flowId: string },
): number {
  return a.period.index - b.period.index || byText(a.period.start, b.period.start) || byText(a.contractId, b.contractId) || byText(a.flowId, b.flowId);
}
