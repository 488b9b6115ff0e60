/**
 * Settlement benchmark: N contracts × 96 fifteen-minute periods (one day), N = 10³ and 10⁴.
 * The contract mix is a market's: half pay-as-clear participants with an 18 % tax on the fee
 * (3 lines a period), a quarter deviation contracts (1 line), a quarter CPO sessions with idle
 * state and tax (4 lines). Reported:
 * - form: contracts formed (parsed, type-checked, compiled) per second;
 * - eval: ledger lines produced per second by `evaluatePeriod` alone;
 * - eval+post: lines per second evaluated and posted to a balances-only ledger (the year-run mode);
 * - csv: rows per second formatting `settlement.csv` from retained lines (10³ only);
 * - heap: heap used after the run, MB.
 * Inputs come from a small seeded pool so generating them costs little of the measured time.
 *
 * Run: npx tsx bench/settlement.bench.ts [--quick]   (--quick: 10³ only)
 */
import { performance } from 'node:perf_hooks';
import { formatSettlementCsv } from '../reports/settlement/csv.js';
import { evaluatePeriod, initialState, type ContractState, type PeriodInputs } from '../src/contracts/evaluate.js';
import { formContract, type CompiledContract } from '../src/contracts/form.js';
import type { EnergyContract } from '../src/contracts/model.js';
import { cpoSession, cpoSessionInputs } from '../src/contracts/templates/cpo-session.js';
import { deviationInputs, participantDeviation } from '../src/contracts/templates/deviation.js';
import { payAsClearInputs, payAsClearParticipant } from '../src/contracts/templates/pay-as-clear.js';
import { withTaxes } from '../src/contracts/templates/taxes.js';
import { randomStream } from '../src/kernel/random.js';
import { Ledger } from '../src/settlement/ledger.js';
import type { SettlementLine, SettlementPeriod } from '../src/settlement/types.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [1_000] : [1_000, 10_000];
const PERIODS = 96;
const POOL = 64;
const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR' } as const;

type Kind = 'market' | 'deviation' | 'session';

function unwrap<T>(r: { ok: true; value: T } | { ok: false; errors: readonly { message: string }[] }): T {
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value;
}

function contractOf(i: number): { kind: Kind; contract: EnergyContract } {
  const id = `p${i}`;
  if (i % 4 < 2) {
    const c = payAsClearParticipant({ ...BASE, contractId: `pac-${id}`, mca: 'mca', participant: id, marketMakingFeePerKWh: 0.1 });
    return { kind: 'market', contract: unwrap(withTaxes(c, { government: 'gov', payer: 'PROSUMER', percent: { ratePercent: 18, onFlows: ['fee'] } })) };
  }
  if (i % 4 === 2) {
    return { kind: 'deviation', contract: participantDeviation({ ...BASE, contractId: `dev-${id}`, gridOperator: 'dso', participant: id, pricing: { kind: 'tariff', retailPerKWh: 8, feedInPerKWh: 3 } }) };
  }
  return { kind: 'session', contract: unwrap(cpoSession({ ...BASE, contractId: `ses-${id}`, cpo: 'cpo', driver: id, energyPricePerKWh: 18, idleFeePerMinute: 2, idleGraceMinutes: 10, tax: { government: 'gov', ratePercent: 18 } })) };
}

/** A seeded pool of period inputs per contract kind. */
function pool(): Record<Kind, PeriodInputs[]> {
  const rng = randomStream(20_260_621, 'settlement-bench');
  const out: Record<Kind, PeriodInputs[]> = { market: [], deviation: [], session: [] };
  for (let j = 0; j < POOL; j++) {
    const cleared = rng.int(-5000, 5000) / 1000;
    out.market.push(payAsClearInputs(rng.int(-500, 12_000) / 1000, cleared));
    out.deviation.push(deviationInputs(cleared + rng.int(-500, 500) / 1000, cleared));
    out.session.push(cpoSessionInputs({ energyKWh: rng.int(0, 5500) / 1000, idleMinutes: rng.int(0, 3) * 5 }));
  }
  return out;
}

function periods(): SettlementPeriod[] {
  const start = Date.UTC(2026, 5, 21);
  return Array.from({ length: PERIODS }, (_, k) => ({
    start: new Date(start + k * 900_000).toISOString().replace('.000Z', 'Z'),
    end: new Date(start + (k + 1) * 900_000).toISOString().replace('.000Z', 'Z'),
    index: k,
  }));
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

interface Row {
  readonly n: number;
  readonly formPerS: number;
  readonly lines: number;
  readonly evalPerS: number;
  readonly postPerS: number;
  readonly csvPerS: number | undefined;
  readonly heapMB: number;
}

function run(n: number, inputs: Record<Kind, PeriodInputs[]>, ps: readonly SettlementPeriod[]): Row {
  const specs = Array.from({ length: n }, (_, i) => contractOf(i));
  gc();
  let t0 = performance.now();
  const compiled: { kind: Kind; c: CompiledContract }[] = specs.map((s) => ({ kind: s.kind, c: unwrap(formContract(s.contract)) }));
  const formMs = performance.now() - t0;

  const evaluateAll = (sink: (lines: readonly SettlementLine[]) => void): number => {
    const states: ContractState[] = compiled.map((x) => initialState(x.c));
    let count = 0;
    for (let k = 0; k < ps.length; k++) {
      const period = ps[k] as SettlementPeriod;
      const batch: SettlementLine[] = [];
      for (let i = 0; i < compiled.length; i++) {
        const x = compiled[i] as { kind: Kind; c: CompiledContract };
        const r = evaluatePeriod(x.c, period, inputs[x.kind][(i * 7 + k) % POOL] as PeriodInputs, states[i] as ContractState);
        if (!r.ok) throw new Error(r.errors[0]?.message);
        states[i] = r.value.nextState;
        for (const l of r.value.lines) batch.push(l);
      }
      count += batch.length;
      sink(batch);
    }
    return count;
  };

  gc();
  t0 = performance.now();
  const lines = evaluateAll(() => undefined);
  const evalMs = performance.now() - t0;

  gc();
  const ledger = new Ledger({ retainLines: false });
  t0 = performance.now();
  evaluateAll((batch) => {
    const r = ledger.post(batch);
    if (!r.ok) throw new Error(r.errors[0]?.message);
  });
  ledger.assertBalanced();
  const postMs = performance.now() - t0;

  let csvPerS: number | undefined;
  if (n <= 1_000) {
    const kept: SettlementLine[] = [];
    evaluateAll((batch) => kept.push(...batch));
    gc();
    t0 = performance.now();
    const text = formatSettlementCsv(kept);
    csvPerS = kept.length / ((performance.now() - t0) / 1000);
    if (text.length === 0) throw new Error('empty csv');
  }
  gc();
  return {
    n,
    formPerS: n / (formMs / 1000),
    lines,
    evalPerS: lines / (evalMs / 1000),
    postPerS: lines / (postMs / 1000),
    csvPerS,
    heapMB: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const inputs = pool();
const ps = periods();
const header = ['contracts', 'periods', 'lines', 'form contracts/s', 'eval lines/s', 'eval+post lines/s', 'csv rows/s', 'heap MB'];
const rows = sizes.map((n) => {
  const r = run(n, inputs, ps);
  return [fmt(r.n), String(PERIODS), fmt(r.lines), fmt(r.formPerS), fmt(r.evalPerS), fmt(r.postPerS), r.csvPerS === undefined ? '-' : fmt(r.csvPerS), r.heapMB.toFixed(0)];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
