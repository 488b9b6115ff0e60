import { LEDGER_KINDS, type LedgerKind } from '../contracts/model.js';
import { DiagnosticError, fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { currencyExponent, formatMinor } from './money.js';
import type { SettlementLine } from './types.js';

/** Totals of one party in one currency, in minor units. `net = received − paid`. */
export interface PartyTotals {
  readonly party: string;
  readonly currency: string;
  readonly paidMinor: bigint;
  readonly receivedMinor: bigint;
  readonly netMinor: bigint;
  readonly lines: number;
}

/** A party's totals for one kind of line (or against one counterparty). */
export interface PartyKindTotals extends PartyTotals {
  readonly kind: LedgerKind;
}

export interface PartyCounterpartyTotals extends PartyTotals {
  readonly counterparty: string;
}

/** All money that went from one payer to one payee, in one currency. */
export interface MoneyFlow {
  readonly payer: string;
  readonly payee: string;
  readonly currency: string;
  readonly amountMinor: bigint;
  readonly lines: number;
}

/** One contract's position: the net of each of its parties; the nets sum to zero. */
export interface ContractTotals {
  readonly contractId: string;
  readonly currency: string;
  readonly lines: number;
  /** Sum of all line amounts of the contract (gross money moved). */
  readonly grossMinor: bigint;
  readonly byParty: readonly { readonly party: string; readonly netMinor: bigint }[];
}

/** A bill's bottom line, to reconcile against the ledger. */
export interface BillTotal {
  readonly party: string;
  readonly currency: string;
  readonly netMinor: bigint;
}

export interface LedgerOptions {
  /**
   * Keep every posted line (default true). Without it the ledger keeps only its balances, so a
   * year of many contracts fits in memory; bills then need the lines from elsewhere.
   */
  readonly retainLines?: boolean;
}

interface Acc {
  paid: bigint;
  received: bigint;
  lines: number;
}

/** One party's running totals, nested by currency (and kind, and payee) to avoid composite keys. */
interface PartyBook {
  readonly totals: Map<string, Acc>;
  readonly kinds: Map<string, Map<string, Acc>>;
  /** Money this party paid, by payee then currency. */
  readonly paidTo: Map<string, Map<string, { amount: bigint; lines: number }>>;
}

interface ContractAcc {
  readonly currency: string;
  lines: number;
  gross: bigint;
  /** Double-entry postings summed per party: −amount for the payer, +amount for the payee. */
  readonly postings: Map<string, bigint>;
  lastStartMs: number;
  readonly flowsAtLast: Set<string>;
}

const KIND_SET = new Set<string>(LEDGER_KINDS);

function accOf(map: Map<string, Acc>, key: string): Acc {
  let a = map.get(key);
  if (a === undefined) {
    a = { paid: 0n, received: 0n, lines: 0 };
    map.set(key, a);
  }
  return a;
}

function nested<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let m = map.get(key);
  if (m === undefined) {
    m = new Map();
    map.set(key, m);
  }
  return m;
}

/** Memo of the last timestamp parsed: a batch usually shares one period. */
let lastStart: { text: string; ms: number } | undefined;

function startMsOf(text: string): number {
  if (lastStart?.text !== text) lastStart = { text, ms: Date.parse(text) };
  return lastStart.ms;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lineProblem(errors: Diagnostic[], i: number, l: SettlementLine, code: string, message: string): void {
  errors.push({ code, path: `lines[${i}]`, message: `contract ${l.contractId}, flow ${l.flowId}, period ${l.period.start}: ${message}` });
}

/**
 * The append-only, double-entry settlement ledger. Each posted line debits its payer and credits
 * its payee by the same integer amount, so money is conserved by construction; balances are kept
 * per party, per contract, per kind and per counterparty, all in exact minor units.
 *
 * Per contract, periods must be posted in time order and a flow at most once per period (no
 * double billing). `post` takes a batch all-or-nothing and returns diagnostics for bad lines.
 */
export class Ledger {
  private readonly retain: boolean;
  private readonly stored: SettlementLine[] = [];
  private count = 0;
  private readonly books = new Map<string, PartyBook>();
  private readonly contracts = new Map<string, ContractAcc>();

  constructor(options: LedgerOptions = {}) {
    this.retain = options.retainLines ?? true;
  }

  /** Number of lines posted so far. */
  get lineCount(): number {
    return this.count;
  }

  /** Whether posted lines are kept (see `LedgerOptions.retainLines`). */
  get retainsLines(): boolean {
    return this.retain;
  }

  /** Every posted line in posting order; empty when lines are not retained. */
  lines(): readonly SettlementLine[] {
    return this.stored;
  }

  /**
   * Posts a batch of lines, all or none: every line is validated first (amount a non-negative
   * integer, payer ≠ payee, known currency, one currency per contract, periods in time order per
   * contract, each flow once per period) and any problem rejects the whole batch.
   * Returns the number of lines posted.
   */
  post(lines: readonly SettlementLine[]): Result<number> {
    const errors: Diagnostic[] = [];
    const pending = new Map<string, { currency: string; lastStartMs: number; flows: Set<string> }>();
    const starts = new Float64Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] as SettlementLine;
      if (l.contractId === '') lineProblem(errors, i, l, 'ledger.line', 'the line names no contract');
      if (l.payer === '' || l.payee === '') lineProblem(errors, i, l, 'ledger.line', 'payer and payee must be party ids');
      if (l.payer === l.payee) lineProblem(errors, i, l, 'ledger.line', `${l.payer} would pay itself`);
      if (typeof l.amountMinor !== 'bigint' || l.amountMinor < 0n) lineProblem(errors, i, l, 'ledger.line', `amount ${String(l.amountMinor)} is not a non-negative integer of minor units`);
      if (currencyExponent(l.currency) === undefined) lineProblem(errors, i, l, 'ledger.line', `unknown currency ${l.currency}`);
      if (!KIND_SET.has(l.kind)) lineProblem(errors, i, l, 'ledger.line', `unknown kind ${String(l.kind)}`);
      if (!(Number.isFinite(l.quantity) && l.quantity >= 0 && Number.isFinite(l.ratePerUnit) && l.ratePerUnit >= 0)) {
        lineProblem(errors, i, l, 'ledger.line', 'quantity and rate must be finite magnitudes (≥ 0)');
      }
      const startMs = startMsOf(l.period.start);
      starts[i] = startMs;
      if (Number.isNaN(startMs)) {
        lineProblem(errors, i, l, 'ledger.line', 'the period start is not a timestamp');
        continue;
      }
      let p = pending.get(l.contractId);
      if (p === undefined) {
        const known = this.contracts.get(l.contractId);
        p = known === undefined
          ? { currency: l.currency, lastStartMs: -Infinity, flows: new Set() }
          : { currency: known.currency, lastStartMs: known.lastStartMs, flows: new Set(known.flowsAtLast) };
        pending.set(l.contractId, p);
      }
      if (l.currency !== p.currency) lineProblem(errors, i, l, 'ledger.currency', `currency ${l.currency} differs from the contract's ${p.currency}`);
      if (startMs < p.lastStartMs) {
        lineProblem(errors, i, l, 'ledger.order', 'posted after a later period of the same contract; the ledger is append-only in time');
        continue;
      }
      if (startMs > p.lastStartMs) {
        p.lastStartMs = startMs;
        p.flows.clear();
      }
      if (p.flows.has(l.flowId)) lineProblem(errors, i, l, 'ledger.duplicate', 'this flow is already posted for this period');
      p.flows.add(l.flowId);
    }
    if (errors.length > 0) return fail(errors);
    for (let i = 0; i < lines.length; i++) this.apply(lines[i] as SettlementLine, starts[i] as number);
    return ok(lines.length);
  }

  private book(party: string): PartyBook {
    let b = this.books.get(party);
    if (b === undefined) {
      b = { totals: new Map(), kinds: new Map(), paidTo: new Map() };
      this.books.set(party, b);
    }
    return b;
  }

  private apply(l: SettlementLine, startMs: number): void {
    const a = l.amountMinor;
    const cur = l.currency;
    const payer = this.book(l.payer);
    const payee = this.book(l.payee);
    const pt = accOf(payer.totals, cur);
    pt.paid += a;
    pt.lines++;
    const rt = accOf(payee.totals, cur);
    rt.received += a;
    rt.lines++;
    const pk = accOf(nested(payer.kinds, l.kind), cur);
    pk.paid += a;
    pk.lines++;
    const rk = accOf(nested(payee.kinds, l.kind), cur);
    rk.received += a;
    rk.lines++;
    const to = nested(payer.paidTo, l.payee);
    const f = to.get(cur);
    if (f === undefined) to.set(cur, { amount: a, lines: 1 });
    else {
      f.amount += a;
      f.lines++;
    }
    let c = this.contracts.get(l.contractId);
    if (c === undefined) {
      c = { currency: cur, lines: 0, gross: 0n, postings: new Map(), lastStartMs: startMs, flowsAtLast: new Set() };
      this.contracts.set(l.contractId, c);
    }
    c.lines++;
    c.gross += a;
    c.postings.set(l.payer, (c.postings.get(l.payer) ?? 0n) - a);
    c.postings.set(l.payee, (c.postings.get(l.payee) ?? 0n) + a);
    if (startMs > c.lastStartMs) {
      c.lastStartMs = startMs;
      c.flowsAtLast.clear();
    }
    c.flowsAtLast.add(l.flowId);
    this.count++;
    if (this.retain) this.stored.push(l);
  }

  /** Totals of every party in every currency it used, sorted by party then currency. */
  partyTotals(): readonly PartyTotals[] {
    const out: PartyTotals[] = [];
    for (const [party, b] of this.books) {
      for (const [currency, a] of b.totals) out.push({ party, currency, paidMinor: a.paid, receivedMinor: a.received, netMinor: a.received - a.paid, lines: a.lines });
    }
    return out.sort((x, y) => cmp(x.party, y.party) || cmp(x.currency, y.currency));
  }

  /** Net position (received − paid) of one party in one currency; 0 when it has no lines. */
  netMinor(party: string, currency: string): bigint {
    const a = this.books.get(party)?.totals.get(currency);
    return a === undefined ? 0n : a.received - a.paid;
  }

  /** Per party and kind of line, sorted by party, kind order, currency. Optionally for one party. */
  kindTotals(party?: string): readonly PartyKindTotals[] {
    const out: PartyKindTotals[] = [];
    for (const [p, b] of this.books) {
      if (party !== undefined && p !== party) continue;
      for (const [kind, byCurrency] of b.kinds) {
        for (const [currency, a] of byCurrency) {
          out.push({ party: p, kind: kind as LedgerKind, currency, paidMinor: a.paid, receivedMinor: a.received, netMinor: a.received - a.paid, lines: a.lines });
        }
      }
    }
    const order = (k: LedgerKind): number => LEDGER_KINDS.indexOf(k);
    return out.sort((x, y) => cmp(x.party, y.party) || order(x.kind) - order(y.kind) || cmp(x.currency, y.currency));
  }

  /** Per party and counterparty, sorted by party, counterparty, currency. Optionally for one party. */
  counterpartyTotals(party?: string): readonly PartyCounterpartyTotals[] {
    const acc = new Map<string, Map<string, Map<string, Acc>>>();
    for (const f of this.moneyFlows()) {
      if (party === undefined || f.payer === party) {
        const a = accOf(nested(nested(acc, f.payer), f.payee), f.currency);
        a.paid += f.amountMinor;
        a.lines += f.lines;
      }
      if (party === undefined || f.payee === party) {
        const a = accOf(nested(nested(acc, f.payee), f.payer), f.currency);
        a.received += f.amountMinor;
        a.lines += f.lines;
      }
    }
    const out: PartyCounterpartyTotals[] = [];
    for (const [p, byCounterparty] of acc) {
      for (const [counterparty, byCurrency] of byCounterparty) {
        for (const [currency, a] of byCurrency) {
          out.push({ party: p, counterparty, currency, paidMinor: a.paid, receivedMinor: a.received, netMinor: a.received - a.paid, lines: a.lines });
        }
      }
    }
    return out.sort((x, y) => cmp(x.party, y.party) || cmp(x.counterparty, y.counterparty) || cmp(x.currency, y.currency));
  }

  /** Who paid whom, in total: one entry per payer, payee and currency, sorted. */
  moneyFlows(): readonly MoneyFlow[] {
    const out: MoneyFlow[] = [];
    for (const [payer, b] of this.books) {
      for (const [payee, byCurrency] of b.paidTo) {
        for (const [currency, f] of byCurrency) out.push({ payer, payee, currency, amountMinor: f.amount, lines: f.lines });
      }
    }
    return out.sort((x, y) => cmp(x.currency, y.currency) || cmp(x.payer, y.payer) || cmp(x.payee, y.payee));
  }

  /** Each contract's position, sorted by contract id; parties sorted by id. */
  contractTotals(): readonly ContractTotals[] {
    const out: ContractTotals[] = [];
    for (const [contractId, c] of this.contracts) {
      const byParty = [...c.postings].map(([party, netMinor]) => ({ party, netMinor })).sort((x, y) => cmp(x.party, y.party));
      out.push({ contractId, currency: c.currency, lines: c.lines, grossMinor: c.gross, byParty });
    }
    return out.sort((x, y) => cmp(x.contractId, y.contractId));
  }

  /**
   * Checks the books: every contract's postings sum to zero across its parties; the sum over
   * contracts of each party's postings equals the party's balance; every party's paid and
   * received totals equal its kind and counterparty breakdowns; with retained lines, the balances
   * recomputed from the lines equal the running ones. Returns every fault found.
   */
  check(): Result<{ readonly contracts: number; readonly lines: number }> {
    const errors: Diagnostic[] = [];
    const key = (party: string, currency: string): string => `${party}\u0000${currency}`;
    const fromContracts = new Map<string, bigint>();
    for (const [contractId, c] of this.contracts) {
      let sum = 0n;
      for (const [party, v] of c.postings) {
        sum += v;
        const k = key(party, c.currency);
        fromContracts.set(k, (fromContracts.get(k) ?? 0n) + v);
      }
      if (sum !== 0n) {
        const exp = currencyExponent(c.currency) ?? 2;
        errors.push({ code: 'ledger.unbalanced', path: contractId, message: `contract ${contractId} nets to ${formatMinor(sum, exp)} ${c.currency}, not zero` });
      }
    }
    const byCounterparty = new Map<string, bigint>();
    for (const t of this.counterpartyTotals()) {
      const k = key(t.party, t.currency);
      byCounterparty.set(k, (byCounterparty.get(k) ?? 0n) + t.netMinor);
    }
    const recomputed = new Map<string, bigint>();
    if (this.retain) {
      for (const l of this.stored) {
        const kp = key(l.payer, l.currency);
        const kr = key(l.payee, l.currency);
        recomputed.set(kp, (recomputed.get(kp) ?? 0n) - l.amountMinor);
        recomputed.set(kr, (recomputed.get(kr) ?? 0n) + l.amountMinor);
      }
    }
    for (const [party, b] of this.books) {
      for (const [currency, a] of b.totals) {
        const k = key(party, currency);
        const net = a.received - a.paid;
        if ((fromContracts.get(k) ?? 0n) !== net) errors.push({ code: 'ledger.party', path: party, message: `party ${party}: balance in ${currency} differs from the sum of its contract postings` });
        let byKind = 0n;
        for (const byCurrency of b.kinds.values()) {
          const ka = byCurrency.get(currency);
          if (ka !== undefined) byKind += ka.received - ka.paid;
        }
        if (byKind !== net) errors.push({ code: 'ledger.party', path: party, message: `party ${party}: totals by kind differ from its balance` });
        if ((byCounterparty.get(k) ?? 0n) !== net) errors.push({ code: 'ledger.party', path: party, message: `party ${party}: totals by counterparty differ from its balance` });
        if (this.retain && (recomputed.get(k) ?? 0n) !== net) errors.push({ code: 'ledger.party', path: party, message: `party ${party}: balance differs from the sum of its retained lines` });
      }
    }
    if (errors.length > 0) return fail(errors);
    return ok({ contracts: this.contracts.size, lines: this.count });
  }

  /**
   * Reconciles bills against the ledger: one bill per party and currency with a net equal to the
   * ledger's, and no bill for a party the ledger does not know.
   */
  checkBills(bills: readonly BillTotal[]): Result<number> {
    const errors: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const b of bills) {
      const k = `${b.party}\u0000${b.currency}`;
      if (seen.has(k)) errors.push({ code: 'ledger.bill', path: b.party, message: `party ${b.party} has two bills in ${b.currency}` });
      seen.add(k);
      const a = this.books.get(b.party)?.totals.get(b.currency);
      const exp = currencyExponent(b.currency) ?? 2;
      if (a === undefined) {
        errors.push({ code: 'ledger.bill', path: b.party, message: `bill for ${b.party} in ${b.currency}, a party the ledger has no lines for` });
      } else if (a.received - a.paid !== b.netMinor) {
        errors.push({
          code: 'ledger.bill',
          path: b.party,
          message: `bill for ${b.party} nets ${formatMinor(b.netMinor, exp)} ${b.currency} but the ledger says ${formatMinor(a.received - a.paid, exp)}`,
        });
      }
    }
    for (const [party, book] of this.books) {
      for (const currency of book.totals.keys()) {
        if (!seen.has(`${party}\u0000${currency}`)) errors.push({ code: 'ledger.bill', path: party, message: `party ${party} has ledger lines in ${currency} but no bill` });
      }
    }
    if (errors.length > 0) return fail(errors);
    return ok(bills.length);
  }

  /** Throws a `DiagnosticError` naming every contract (and party) at fault when `check()` fails. */
  assertBalanced(): void {
    const r = this.check();
    if (!r.ok) {
      const contracts = r.errors.filter((e) => e.code === 'ledger.unbalanced').map((e) => e.path);
      const head: Diagnostic = {
        code: 'ledger.unbalanced',
        path: '',
        message: contracts.length > 0 ? `the ledger does not balance: contracts ${contracts.join(', ')}` : 'the ledger does not balance',
      };
      throw new DiagnosticError([head, ...r.errors]);
    }
  }
}
