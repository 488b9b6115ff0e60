import type { Diagnostic } from '../diagnostics.js';
import type { EnergyContract } from '../contracts/model.js';
import { formContract, type CompiledContract } from '../contracts/form.js';
import { evaluatePeriod, initialState, type ContractState, type PeriodInputs } from '../contracts/evaluate.js';
import { Ledger } from '../settlement/ledger.js';
import { toSettlementReport, type SettlementReport as SettlementReportValue } from '../settlement/report.js';
import { currencyExponent, formatMinor } from '../settlement/money.js';
import type { SettlementLine, SettlementPeriod } from '../settlement/types.js';
import type { SimClock } from '../kernel/clock.js';
import { isoOf, parseIsoMs } from '../kernel/clock.js';
import type { SettlementReport as WireSettlementReport } from '../protocol/payloads.js';

interface Held {
  readonly compiled: CompiledContract;
  readonly formedBy: string;
  readonly billing: 'per-interval' | 'at-end';
  readonly startMs: number;
  readonly endMs: number;
  state: ContractState;
  status: EnergyContract['status'];
}

/**
 * The run's settlement: holds every contract that became ACTIVE through the protocol, evaluates
 * each for every interval it covers (or once at the end of its validity), posts the lines to the
 * double-entry ledger and prepares each contract's settlement report for the BPP that formed it.
 * Meter telemetry comes from the meters; signals and per-period role inputs from the agents that
 * own them. A formula that cannot be evaluated is a run failure, loudly, never a silent zero.
 */
export class SettlementEngine {
  readonly ledger: Ledger;
  private readonly contracts = new Map<string, Held>();
  private readonly inputs = new Map<string, PeriodInputs[]>();
  private readonly reports = new Map<string, WireSettlementReport[]>();
  readonly errors: Diagnostic[] = [];

  constructor(private readonly clock: SimClock) {
    this.ledger = new Ledger();
  }

  /** Registers an ACTIVE contract; a contract whose formulas do not type-check is refused with diagnostics. */
  activate(contract: EnergyContract, formedBy: string, billing: 'per-interval' | 'at-end' = 'per-interval'): readonly Diagnostic[] {
    if (this.contracts.has(contract.contractId)) {
      const d = { code: 'contract.duplicate', path: contract.contractId, message: `contract ${contract.contractId} recorded twice (by ${formedBy})` };
      this.errors.push(d);
      return [d];
    }
    const r = formContract(contract);
    if (!r.ok) {
      this.errors.push(...r.errors);
      return r.errors;
    }
    const startMs = contract.validity === undefined ? this.clock.startMs : parseIsoMs(contract.validity.start);
    const endMs = contract.validity === undefined ? this.clock.endMs : parseIsoMs(contract.validity.end);
    this.contracts.set(contract.contractId, { compiled: r.value, formedBy, billing, startMs, endMs, state: initialState(r.value), status: contract.status });
    return [];
  }

  /** Marks a contract COMPLETED or TERMINATED; it is not evaluated after that. */
  setStatus(contractId: string, status: EnergyContract['status']): void {
    const h = this.contracts.get(contractId);
    if (h !== undefined) h.status = status;
  }

  /** Adds inputs one agent knows for a contract and interval. */
  addInputs(contractId: string, interval: number, inputs: PeriodInputs): void {
    const key = `${contractId}\u0000${interval}`;
    const list = this.inputs.get(key);
    if (list === undefined) this.inputs.set(key, [inputs]);
    else list.push(inputs);
  }

  /**
   * Settles interval k: evaluates every contract due, posts lines to the ledger and builds the
   * reports. `meterEnergyKWh` is each meter's net export over the interval (kWh).
   */
  settleInterval(k: number, meterEnergyKWh: ReadonlyMap<string, number>): readonly SettlementLine[] {
    const s = this.clock.intervalStartMs(k);
    const e = s + this.clock.intervalMs;
    const ids = [...this.contracts.keys()].sort();
    const all: SettlementLine[] = [];
    for (const id of ids) {
      const h = this.contracts.get(id) as Held;
      if (h.status !== 'ACTIVE') continue;
      let period: SettlementPeriod;
      if (h.billing === 'per-interval') {
        if (!(h.startMs <= s && e <= h.endMs)) continue;
        period = { start: this.clock.intervalStartIso(k), end: this.clock.intervalStartIso(k + 1), index: k };
      } else {
        if (!(h.endMs > s && h.endMs <= e)) continue;
        period = { start: h.compiled.contract.validity?.start ?? this.clock.intervalStartIso(0), end: h.compiled.contract.validity?.end ?? this.clock.intervalStartIso(k + 1), index: k };
      }
      const inputs = this.inputsFor(h.compiled.contract, k, meterEnergyKWh);
      const r = evaluatePeriod(h.compiled, period, inputs, h.state);
      if (!r.ok) {
        this.errors.push(...r.errors.map((d) => ({ ...d, message: `interval ${k}, contract ${id}: ${d.message}` })));
        continue;
      }
      h.state = r.value.nextState;
      if (r.value.lines.length === 0) continue;
      const posted = this.ledger.post(r.value.lines);
      if (!posted.ok) this.errors.push(...posted.errors);
      all.push(...r.value.lines);
      const rep = toSettlementReport(r.value.lines);
      if (rep.ok) {
        const key = `${h.formedBy}\u0000${k}`;
        const list = this.reports.get(key) ?? [];
        list.push(toWireReport(r.value.lines, rep.value, e));
        this.reports.set(key, list);
      } else this.errors.push(...rep.errors);
    }
    return all;
  }

  /** Reports of the contracts a BPP formed, settled in interval k. */
  reportsFor(providerId: string, k: number): readonly WireSettlementReport[] {
    return this.reports.get(`${providerId}\u0000${k}`) ?? [];
  }

  /** Every contract held, sorted by id. */
  heldContracts(): readonly EnergyContract[] {
    return [...this.contracts.keys()].sort().map((id) => (this.contracts.get(id) as Held).compiled.contract);
  }

  private inputsFor(contract: EnergyContract, k: number, meterEnergyKWh: ReadonlyMap<string, number>): PeriodInputs {
    const signals: Record<string, number> = {};
    const telemetry: Record<string, Record<string, number>> = {};
    const roleInputs: Record<string, Record<string, number | boolean>> = {};
    for (const t of contract.telemetrySources ?? []) {
      const meterId = t.source.meterId;
      if (t.sourceType !== 'METER_READING' || meterId === undefined) continue;
      const kwh = meterEnergyKWh.get(meterId);
      if (kwh === undefined) continue;
      telemetry[t.sourceId] = { energyKWh: kwh, exportKWh: Math.max(0, kwh), importKWh: Math.max(0, -kwh) };
    }
    for (const p of this.inputs.get(`${contract.contractId}\u0000${k}`) ?? []) {
      Object.assign(signals, p.signals ?? {});
      for (const [src, fields] of Object.entries(p.telemetry ?? {})) telemetry[src] = { ...(telemetry[src] ?? {}), ...fields };
      for (const [role, vals] of Object.entries(p.roleInputs ?? {})) roleInputs[role] = { ...(roleInputs[role] ?? {}), ...(vals ?? {}) };
    }
    return { signals, telemetry, roleInputs };
  }
}

function toWireReport(lines: readonly SettlementLine[], r: SettlementReportValue, generatedAtMs: number): WireSettlementReport {
  const exp = currencyExponent(r.currency) ?? 2;
  const paid = new Map<string, bigint>();
  const received = new Map<string, bigint>();
  for (const l of lines) {
    paid.set(l.payer, (paid.get(l.payer) ?? 0n) + l.amountMinor);
    received.set(l.payee, (received.get(l.payee) ?? 0n) + l.amountMinor);
  }
  const parties = [...new Set([...paid.keys(), ...received.keys()])].sort();
  return {
    reportId: r.reportId,
    contractId: r.contractId,
    period: r.period,
    currency: r.currency,
    status: 'FINAL',
    generatedAt: isoOf(generatedAtMs),
    lines: r.lines.map((l) => ({ ...l })),
    totals: parties.map((party) => {
      const p = paid.get(party) ?? 0n;
      const q = received.get(party) ?? 0n;
      return { party, paid: formatMinor(p, exp), received: formatMinor(q, exp), net: formatMinor(q - p, exp) };
    }),
  };
}
