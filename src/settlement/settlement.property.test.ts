import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePeriod, initialState } from '../contracts/evaluate.js';
import { formContract } from '../contracts/form.js';
import { LEDGER_KINDS, type EnergyContract, type LedgerKind, type RevenueFlow, type RoleName } from '../contracts/model.js';
import { Ledger } from './ledger.js';
import { exactLineAmountMinor } from './money.js';
import { checkSettlementReport, toSettlementReport } from './report.js';
import type { SettlementLine } from './types.js';

const ROLES: readonly RoleName[] = ['BUYER', 'SELLER', 'MARKET_CLEARING_AGENT', 'GRID_OPERATOR', 'GOVERNMENT'];
const SIGNALS = ['s0', 's1', 's2'] as const;

/** A random number formula over signals and telemetry, with its value computed independently. */
type Term = { readonly text: string; readonly value: (sig: readonly number[], tel: number) => number };
const term: fc.Memo<Term> = fc.memo((depth) => {
  const leaf = fc.oneof(
    fc.integer({ min: -5000, max: 5000 }).map((n): Term => ({ text: `${Math.abs(n) / 100}`, value: () => Math.abs(n) / 100 })),
    fc.constantFrom(0, 1, 2).map((i): Term => ({ text: `signals.${SIGNALS[i]}`, value: (s) => s[i] ?? 0 })),
    fc.constant<Term>({ text: 'telemetry.meter.energyKWh', value: (_s, t) => t }),
  );
  if (depth <= 1) return leaf;
  return fc.oneof(
    leaf,
    fc.tuple(term(depth - 1), term(depth - 1)).map(([a, b]): Term => ({ text: `(${a.text} + ${b.text})`, value: (s, t) => a.value(s, t) + b.value(s, t) })),
    fc.tuple(term(depth - 1), term(depth - 1)).map(([a, b]): Term => ({ text: `(${a.text} - ${b.text})`, value: (s, t) => a.value(s, t) - b.value(s, t) })),
    term(depth - 1).map((a): Term => ({ text: `abs(${a.text})`, value: (s, t) => Math.abs(a.value(s, t)) })),
    fc.tuple(term(depth - 1), term(depth - 1)).map(([a, b]): Term => ({ text: `max(${a.text}, ${b.text})`, value: (s, t) => Math.max(a.value(s, t), b.value(s, t)) })),
    fc.tuple(term(depth - 1), term(depth - 1)).map(([a, b]): Term => ({ text: `if(${a.text} < ${b.text}, ${a.text}, -${b.text})`, value: (s, t) => (a.value(s, t) < b.value(s, t) ? a.value(s, t) : -b.value(s, t)) })),
  );
});

interface FlowCase {
  readonly from: number;
  readonly to: number;
  readonly kind: LedgerKind;
  readonly quantity: Term;
  readonly rate: Term;
}

const flowCase = fc.record({
  from: fc.integer({ min: 0, max: ROLES.length - 1 }),
  to: fc.integer({ min: 0, max: ROLES.length - 1 }),
  kind: fc.constantFrom(...LEDGER_KINDS),
  quantity: term(3),
  rate: term(2),
}).filter((f) => f.from !== f.to);

const contractCase = fc.record({
  flows: fc.array(flowCase, { minLength: 1, maxLength: 5 }),
  currency: fc.constantFrom('INR', 'JPY', 'KWD'),
  periods: fc.array(fc.record({ signals: fc.array(fc.integer({ min: -100_000, max: 100_000 }), { minLength: 3, maxLength: 3 }), meter: fc.integer({ min: -50_000, max: 50_000 }) }), { minLength: 1, maxLength: 4 }),
});

function build(id: number, flows: readonly FlowCase[], currency: string): EnergyContract {
  return {
    contractId: `c-${id}`,
    status: 'ACTIVE',
    createdAt: '2026-01-01T00:00:00Z',
    currency,
    roles: ROLES.map((role, i) => ({ role, filled: true, filledBy: `party-${(id + i) % 7}-${i}` })),
    inputSignals: SIGNALS.map((signalId) => ({ signalId, signalType: 'PRICE', source: { era: 'mca' }, unit: `${currency}/kWh` })),
    telemetrySources: [{ sourceId: 'meter', sourceType: 'METER_READING', source: { era: 'x' }, fields: ['energyKWh'] }],
    revenueFlows: {
      netZero: true,
      flows: flows.map((f, i): RevenueFlow => ({ flowId: `f${i}`, kind: f.kind, from: ROLES[f.from] as RoleName, to: ROLES[f.to] as RoleName, quantity: f.quantity.text, unit: 'kWh', rate: f.rate.text })),
    },
  };
}

describe('settlement over random contracts and signals (property)', () => {
  it('conserves money per contract and per party, each line is quantity × rate under the rule, and reports check', () => {
    fc.assert(
      fc.property(fc.array(contractCase, { minLength: 1, maxLength: 4 }), (cases) => {
        const ledger = new Ledger();
        const perParty = new Map<string, bigint>();
        cases.forEach((cc, id) => {
          const formed = formContract(build(id, cc.flows, cc.currency));
          if (!formed.ok) throw new Error(formed.errors[0]?.message);
          const exp = formed.value.exponent;
          cc.periods.forEach((p, k) => {
            const start = Date.UTC(2026, 0, 1, 0, 15 * k);
            const period = { start: new Date(start).toISOString(), end: new Date(start + 900_000).toISOString(), index: k };
            const sig = p.signals.map((v) => v / 1000);
            const tel = p.meter / 1000;
            const r = evaluatePeriod(formed.value, period, { signals: { s0: sig[0] ?? 0, s1: sig[1] ?? 0, s2: sig[2] ?? 0 }, telemetry: { meter: { energyKWh: tel } } }, initialState(formed.value));
            if (!r.ok) throw new Error(r.errors[0]?.message);
            r.value.lines.forEach((line: SettlementLine, i) => {
              const f = cc.flows[i] as FlowCase;
              const q = f.quantity.value(sig, tel);
              const rate = f.rate.value(sig, tel);
              // Amount by the rounding rule; the payer is the flow's `from` unless the product is negative.
              expect(line.amountMinor).toBe(exactLineAmountMinor(q, rate, exp));
              const reversed = q * rate < 0;
              expect(line.payerRole).toBe(ROLES[reversed ? f.to : f.from]);
              expect(line.payeeRole).toBe(ROLES[reversed ? f.from : f.to]);
              expect(line.quantity).toBe(Math.abs(q));
              perParty.set(`${line.payer}|${line.currency}`, (perParty.get(`${line.payer}|${line.currency}`) ?? 0n) - line.amountMinor);
              perParty.set(`${line.payee}|${line.currency}`, (perParty.get(`${line.payee}|${line.currency}`) ?? 0n) + line.amountMinor);
            });
            expect(ledger.post(r.value.lines).ok).toBe(true);
            if (r.value.lines.length > 0) {
              const report = toSettlementReport(r.value.lines);
              expect(report.ok && checkSettlementReport(report.value).ok).toBe(true);
            }
          });
        });
        expect(ledger.check().ok).toBe(true);
        for (const c of ledger.contractTotals()) expect(c.byParty.reduce((s, p) => s + p.netMinor, 0n)).toBe(0n);
        for (const t of ledger.partyTotals()) expect(t.netMinor).toBe(perParty.get(`${t.party}|${t.currency}`));
        const total = ledger.partyTotals().reduce((s, t) => s + t.netMinor, 0n);
        expect(total).toBe(0n);
      }),
      { numRuns: 150 },
    );
  });
});
