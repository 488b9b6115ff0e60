import { csvFormatValue } from 'd3-dsv';
import type { SettlementLine } from '../../src/settlement/types.js';
import { compareLines, fixed, money, QUANTITY_DECIMALS, RATE_DECIMALS } from './format.js';

/** Columns of `settlement.csv`, in order. */
export const SETTLEMENT_CSV_COLUMNS = ['interval', 'contractId', 'payer', 'payee', 'kind', 'quantity', 'unit', 'ratePerUnit', 'amount', 'currency', 'formula'] as const;

/** One `settlement.csv` row as strings: quantity and rate with 4 decimals, amount in the currency's decimals. */
export function settlementCsvRow(l: SettlementLine): readonly string[] {
  return [
    String(l.period.index),
    l.contractId,
    l.payer,
    l.payee,
    l.kind,
    fixed(l.quantity, QUANTITY_DECIMALS),
    l.unit,
    fixed(l.ratePerUnit, RATE_DECIMALS),
    money(l.amountMinor, l.currency),
    l.currency,
    l.formula,
  ];
}

/**
 * `settlement.csv`: a header and one row per ledger line, sorted by interval, contract id, flow id;
 * `amount` ≥ 0 moves from payer to payee. Byte-identical for the same lines in any order.
 * Text cells are quoted by d3-dsv's rules; each distinct text is quoted once (ids and formulas
 * repeat on every interval), numeric cells never need quoting.
 */
export function formatSettlementCsv(lines: readonly SettlementLine[]): string {
  const sorted = [...lines].sort(compareLines);
  const quoted = new Map<string, string>();
  const text = (s: string): string => {
    let q = quoted.get(s);
    if (q === undefined) {
      q = csvFormatValue(s);
      quoted.set(s, q);
    }
    return q;
  };
  const out: string[] = [SETTLEMENT_CSV_COLUMNS.join(',')];
  for (const l of sorted) {
    out.push(
      [
        String(l.period.index),
        text(l.contractId),
        text(l.payer),
        text(l.payee),
        text(l.kind),
        fixed(l.quantity, QUANTITY_DECIMALS),
        text(l.unit),
        fixed(l.ratePerUnit, RATE_DECIMALS),
        money(l.amountMinor, l.currency),
        text(l.currency),
        text(l.formula),
      ].join(','),
    );
  }
  return `${out.join('\n')}\n`;
}
