import type { LedgerKind } from '../contracts/model.js';
import { LEDGER_KINDS } from '../contracts/model.js';
import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { currencyExponent, formatMinor, lineAmountMinor, parseMinor } from './money.js';
import type { SettlementLine } from './types.js';

/** One evaluated revenue flow in a settlement report. `amount` is a decimal string, ≥ 0, payer → payee. */
export interface SettlementReportLine {
  readonly flowId: string;
  readonly kind: LedgerKind;
  readonly payer: string;
  readonly payee: string;
  readonly quantity: number;
  readonly unit: string;
  readonly ratePerUnit: number;
  readonly amount: string;
  readonly currency: string;
  readonly formula: string;
  readonly inputs: Readonly<Record<string, number>>;
}

/**
 * The settlement of one contract for one period, as sent in `on_status` / `on_update`: every
 * line with its formula and inputs, and each party's net (received − paid) as a signed decimal
 * string. The nets sum to zero.
 */
export interface SettlementReport {
  readonly reportId: string;
  readonly contractId: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly currency: string;
  readonly lines: readonly SettlementReportLine[];
  readonly totals: { readonly byParty: Readonly<Record<string, string>> };
}

/**
 * Builds the settlement report of one contract for one period from its ledger lines (in flow
 * order as given). All lines must share the contract, the period and the currency. `reportId`
 * defaults to `settlement/<contractId>/<period start>`. Parties in `byParty` are sorted by id.
 */
export function toSettlementReport(lines: readonly SettlementLine[], options: { readonly reportId?: string } = {}): Result<SettlementReport> {
  const first = lines[0];
  if (first === undefined) return fail([{ code: 'report.empty', path: 'lines', message: 'a settlement report needs at least one line' }]);
  const errors: Diagnostic[] = [];
  lines.forEach((l, i) => {
    if (l.contractId !== first.contractId) errors.push({ code: 'report.mixed', path: `lines[${i}]`, message: `line of contract ${l.contractId} in a report of ${first.contractId}` });
    if (l.period.start !== first.period.start || l.period.end !== first.period.end) {
      errors.push({ code: 'report.mixed', path: `lines[${i}]`, message: `line of period ${l.period.start} in a report of period ${first.period.start}` });
    }
    if (l.currency !== first.currency) errors.push({ code: 'report.mixed', path: `lines[${i}]`, message: `line in ${l.currency} in a report in ${first.currency}` });
  });
  const exp = currencyExponent(first.currency);
  if (exp === undefined) errors.push({ code: 'report.currency', path: 'currency', message: `unknown currency ${first.currency}` });
  if (errors.length > 0 || exp === undefined) return fail(errors);

  const net = new Map<string, bigint>();
  for (const l of lines) {
    net.set(l.payer, (net.get(l.payer) ?? 0n) - l.amountMinor);
    net.set(l.payee, (net.get(l.payee) ?? 0n) + l.amountMinor);
  }
  const byParty: Record<string, string> = {};
  for (const party of [...net.keys()].sort()) byParty[party] = formatMinor(net.get(party) ?? 0n, exp);
  return ok({
    reportId: options.reportId ?? `settlement/${first.contractId}/${first.period.start}`,
    contractId: first.contractId,
    period: { start: first.period.start, end: first.period.end },
    currency: first.currency,
    lines: lines.map((l) => ({
      flowId: l.flowId,
      kind: l.kind,
      payer: l.payer,
      payee: l.payee,
      quantity: l.quantity,
      unit: l.unit,
      ratePerUnit: l.ratePerUnit,
      amount: formatMinor(l.amountMinor, exp),
      currency: l.currency,
      formula: l.formula,
      inputs: l.inputs,
    })),
    totals: { byParty },
  });
}

/**
 * Verifies a settlement report received from another party: known currency, amounts that are
 * non-negative decimals with the currency's decimals, each amount equal to quantity × rate under
 * the rounding rule, party totals equal to the lines, and totals that net to zero. Returns every
 * problem found.
 */
export function checkSettlementReport(report: SettlementReport): Result<SettlementReport> {
  const errors: Diagnostic[] = [];
  const exp = currencyExponent(report.currency);
  const id = report.contractId;
  if (exp === undefined) return fail([{ code: 'report.currency', path: 'currency', message: `report ${report.reportId}: unknown currency ${report.currency}` }]);
  const net = new Map<string, bigint>();
  report.lines.forEach((l, i) => {
    const path = `lines[${i}]`;
    const amount = parseMinor(l.amount, exp);
    if (!LEDGER_KINDS.includes(l.kind)) errors.push({ code: 'report.line', path: `${path}.kind`, message: `contract ${id}, flow ${l.flowId}: unknown kind ${l.kind}` });
    if (l.currency !== report.currency) errors.push({ code: 'report.line', path: `${path}.currency`, message: `contract ${id}, flow ${l.flowId}: currency ${l.currency} in a report in ${report.currency}` });
    if (l.payer === l.payee) errors.push({ code: 'report.line', path, message: `contract ${id}, flow ${l.flowId}: ${l.payer} pays itself` });
    if (amount === undefined || amount < 0n) {
      errors.push({ code: 'report.amount', path: `${path}.amount`, message: `contract ${id}, flow ${l.flowId}: amount ${JSON.stringify(l.amount)} is not a non-negative decimal with ${exp} decimals` });
      return;
    }
    if (!(Number.isFinite(l.quantity) && Number.isFinite(l.ratePerUnit))) {
      errors.push({ code: 'report.amount', path, message: `contract ${id}, flow ${l.flowId}: quantity and rate must be finite` });
      return;
    }
    const expected = lineAmountMinor(l.quantity, l.ratePerUnit, exp);
    if (expected !== amount) {
      errors.push({
        code: 'report.amount',
        path: `${path}.amount`,
        message: `contract ${id}, flow ${l.flowId}: amount ${l.amount} is not ${l.quantity} × ${l.ratePerUnit} = ${formatMinor(expected, exp)}`,
      });
    }
    net.set(l.payer, (net.get(l.payer) ?? 0n) - amount);
    net.set(l.payee, (net.get(l.payee) ?? 0n) + amount);
  });
  let sum = 0n;
  for (const [party, text] of Object.entries(report.totals.byParty)) {
    const v = parseMinor(text, exp);
    if (v === undefined) {
      errors.push({ code: 'report.total', path: `totals.byParty.${party}`, message: `report ${report.reportId}: total ${JSON.stringify(text)} of ${party} is not a decimal` });
      continue;
    }
    sum += v;
    if (v !== (net.get(party) ?? 0n)) {
      errors.push({ code: 'report.total', path: `totals.byParty.${party}`, message: `report ${report.reportId}: total of ${party} is ${text} but its lines net ${formatMinor(net.get(party) ?? 0n, exp)}` });
    }
  }
  for (const party of net.keys()) {
    if (!Object.hasOwn(report.totals.byParty, party)) errors.push({ code: 'report.total', path: 'totals.byParty', message: `report ${report.reportId}: no total for ${party}` });
  }
  if (sum !== 0n) errors.push({ code: 'report.unbalanced', path: 'totals.byParty', message: `report ${report.reportId}: party totals net to ${formatMinor(sum, exp)}, not zero` });
  if (errors.length > 0) return fail(errors);
  return ok(report);
}
