import type { LedgerKind, RoleName } from '../../src/contracts/model.js';
import { LEDGER_KINDS } from '../../src/contracts/model.js';
import type { BillTotal } from '../../src/settlement/ledger.js';
import { currencyExponent, parseMinor } from '../../src/settlement/money.js';
import type { SettlementLine } from '../../src/settlement/types.js';
import { compareLines, fixed, markdownTable, money, QUANTITY_DECIMALS, RATE_DECIMALS, readable, signedMoney } from './format.js';

/** Paid, received and net (received − paid) as decimal strings, with the number of lines. */
export interface BillTotals {
  readonly paid: string;
  readonly received: string;
  readonly net: string;
  readonly lines: number;
}

/** One ledger line seen from the party the bill is for. */
export interface BillLine {
  readonly interval: number;
  readonly start: string;
  readonly end: string;
  readonly contractId: string;
  readonly flowId: string;
  readonly kind: LedgerKind;
  readonly direction: 'pays' | 'receives';
  readonly role: RoleName;
  readonly counterparty: string;
  readonly counterpartyRole: RoleName;
  readonly quantity: number;
  readonly unit: string;
  readonly ratePerUnit: number;
  /** Magnitude moved, in the currency's decimals. */
  readonly amount: string;
  /** + received / − paid. */
  readonly signedAmount: string;
  readonly formula: string;
  readonly inputs: Readonly<Record<string, number>>;
}

/** Everything a party paid or received in one currency. */
export interface BillSection {
  readonly currency: string;
  readonly total: BillTotals;
  readonly byKind: readonly (BillTotals & { readonly kind: LedgerKind })[];
  readonly byCounterparty: readonly (BillTotals & { readonly counterparty: string })[];
  readonly byContract: readonly (BillTotals & { readonly contractId: string })[];
  readonly lines: readonly BillLine[];
}

/** A party's bill: one section per currency it dealt in (usually one). */
export interface Bill {
  readonly party: string;
  readonly sections: readonly BillSection[];
}

interface Acc {
  paid: bigint;
  received: bigint;
  lines: number;
}

function add(map: Map<string, Acc>, key: string, paid: bigint, received: bigint): void {
  const a = map.get(key) ?? { paid: 0n, received: 0n, lines: 0 };
  a.paid += paid;
  a.received += received;
  a.lines++;
  map.set(key, a);
}

function totals(a: Acc, currency: string): BillTotals {
  return { paid: money(a.paid, currency), received: money(a.received, currency), net: signedMoney(a.received - a.paid, currency), lines: a.lines };
}

function byText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Builds every party's bill from ledger lines: each line appears in the payer's bill (pays) and
 * the payee's (receives), with totals by kind, counterparty and contract and the net position,
 * all summed in exact minor units. Bills are sorted by party; lines by interval, contract, flow.
 */
export function buildBills(lines: readonly SettlementLine[]): readonly Bill[] {
  const perParty = new Map<string, Map<string, SettlementLine[]>>();
  const put = (party: string, l: SettlementLine): void => {
    let byCurrency = perParty.get(party);
    if (byCurrency === undefined) {
      byCurrency = new Map();
      perParty.set(party, byCurrency);
    }
    const list = byCurrency.get(l.currency);
    if (list === undefined) byCurrency.set(l.currency, [l]);
    else list.push(l);
  };
  for (const l of lines) {
    put(l.payer, l);
    put(l.payee, l);
  }
  return [...perParty.keys()].sort(byText).map((party) => {
    const byCurrency = perParty.get(party) ?? new Map<string, SettlementLine[]>();
    const sections = [...byCurrency.keys()].sort(byText).map((currency) => section(party, currency, [...(byCurrency.get(currency) ?? [])].sort(compareLines)));
    return { party, sections };
  });
}

function section(party: string, currency: string, lines: readonly SettlementLine[]): BillSection {
  const total: Acc = { paid: 0n, received: 0n, lines: 0 };
  const kinds = new Map<string, Acc>();
  const counterparties = new Map<string, Acc>();
  const contracts = new Map<string, Acc>();
  const billLines = lines.map((l): BillLine => {
    const pays = l.payer === party;
    const paid = pays ? l.amountMinor : 0n;
    const received = pays ? 0n : l.amountMinor;
    total.paid += paid;
    total.received += received;
    total.lines++;
    const counterparty = pays ? l.payee : l.payer;
    add(kinds, l.kind, paid, received);
    add(counterparties, counterparty, paid, received);
    add(contracts, l.contractId, paid, received);
    return {
      interval: l.period.index,
      start: l.period.start,
      end: l.period.end,
      contractId: l.contractId,
      flowId: l.flowId,
      kind: l.kind,
      direction: pays ? 'pays' : 'receives',
      role: pays ? l.payerRole : l.payeeRole,
      counterparty,
      counterpartyRole: pays ? l.payeeRole : l.payerRole,
      quantity: l.quantity,
      unit: l.unit,
      ratePerUnit: l.ratePerUnit,
      amount: money(l.amountMinor, currency),
      signedAmount: signedMoney(received - paid, currency),
      formula: l.formula,
      inputs: l.inputs,
    };
  });
  const kindOrder = (k: string): number => LEDGER_KINDS.indexOf(k as LedgerKind);
  return {
    currency,
    total: totals(total, currency),
    byKind: [...kinds].sort(([a], [b]) => kindOrder(a) - kindOrder(b)).map(([kind, a]) => ({ kind: kind as LedgerKind, ...totals(a, currency) })),
    byCounterparty: [...counterparties].sort(([a], [b]) => byText(a, b)).map(([counterparty, a]) => ({ counterparty, ...totals(a, currency) })),
    byContract: [...contracts].sort(([a], [b]) => byText(a, b)).map(([contractId, a]) => ({ contractId, ...totals(a, currency) })),
    lines: billLines,
  };
}

/** Each bill section's bottom line in minor units, to reconcile with `Ledger.checkBills`. */
export function billTotals(bills: readonly Bill[]): readonly BillTotal[] {
  return bills.flatMap((b) =>
    b.sections.map((s) => ({ party: b.party, currency: s.currency, netMinor: parseMinor(s.total.net.replace(/^\+/, ''), currencyExponent(s.currency) ?? 2) ?? 0n })),
  );
}

/** The bill as JSON text (2-space indent, trailing newline). */
export function billJson(bill: Bill): string {
  return `${JSON.stringify(bill, null, 2)}\n`;
}

function inputsText(inputs: Readonly<Record<string, number>>): string {
  return Object.entries(inputs)
    .map(([k, v]) => `${k} = ${readable(v)}`)
    .join('; ');
}

/** The bill as Markdown: net position, totals by kind, counterparty and contract, then every line. */
export function billMarkdown(bill: Bill): string {
  const out: string[] = [`# Bill: ${bill.party}`, ''];
  for (const s of bill.sections) {
    const t = s.total;
    out.push(
      `## ${s.currency}`,
      '',
      `Net position **${t.net} ${s.currency}**: received ${t.received}, paid ${t.paid}, over ${t.lines} line${t.lines === 1 ? '' : 's'}. Positive means ${bill.party} is owed money.`,
      '',
      '### By kind',
      '',
      markdownTable(['kind', 'paid', 'received', 'net', 'lines'], s.byKind.map((k) => [k.kind, k.paid, k.received, k.net, String(k.lines)]), [false, true, true, true, true]),
      '',
      '### By counterparty',
      '',
      markdownTable(['counterparty', 'paid', 'received', 'net', 'lines'], s.byCounterparty.map((k) => [k.counterparty, k.paid, k.received, k.net, String(k.lines)]), [false, true, true, true, true]),
      '',
      '### By contract',
      '',
      markdownTable(['contract', 'paid', 'received', 'net', 'lines'], s.byContract.map((k) => [k.contractId, k.paid, k.received, k.net, String(k.lines)]), [false, true, true, true, true]),
      '',
      '### Lines',
      '',
      markdownTable(
        ['interval', 'start', 'contract', 'flow', 'kind', 'counterparty', 'quantity', 'unit', 'rate', 'paid', 'received', 'formula', 'inputs'],
        s.lines.map((l) => [
          String(l.interval),
          l.start,
          l.contractId,
          l.flowId,
          l.kind,
          `${l.counterparty} (${l.counterpartyRole})`,
          fixed(l.quantity, QUANTITY_DECIMALS),
          l.unit,
          fixed(l.ratePerUnit, RATE_DECIMALS),
          l.direction === 'pays' ? l.amount : '',
          l.direction === 'receives' ? l.amount : '',
          `\`${l.formula}\``,
          inputsText(l.inputs),
        ]),
        [true, false, false, false, false, false, true, false, true, true, true, false, false],
      ),
      '',
    );
  }
  return out.join('\n');
}

/**
 * File name (without extension) of a party's bill: the id with every character outside
 * `A–Z a–z 0–9 . _ -` written as `~xx` (hex), so distinct parties never share a file and no name
 * escapes the folder.
 */
export function billFileName(party: string): string {
  let s = '';
  for (const ch of party) {
    if (/^[A-Za-z0-9._-]$/.test(ch) && !(s === '' && ch === '.')) s += ch;
    else for (const b of new TextEncoder().encode(ch)) s += `~${b.toString(16).padStart(2, '0')}`;
  }
  return s === '' ? '~' : s;
}
