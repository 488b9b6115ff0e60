import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { lineAmountMinor } from '../settlement/money.js';
import type { SettlementLine, SettlementPeriod } from '../settlement/types.js';
import { parseTimestampMs, type CompiledContract } from './form.js';
import { formatFormulaError, FormulaRuntimeError } from './formula/index.js';
import type { RoleName } from './model.js';

/** Accumulated state of a contract: one number per declared state variable. */
export type ContractState = Readonly<Record<string, number>>;

/** What the world supplies for one period. */
export interface PeriodInputs {
  /** Signal values by signalId, e.g. `{ 'market-clearing-price': 4.2 }`. */
  readonly signals?: Readonly<Record<string, number>>;
  /** Telemetry by sourceId, then field, e.g. `{ meter: { energyKWh: -1.25 } }`. */
  readonly telemetry?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Role input values for this period only, overriding the contract's (e.g. the cleared kWh of the interval). */
  readonly roleInputs?: Readonly<Partial<Record<RoleName, Readonly<Record<string, number | boolean>>>>>;
}

export interface PeriodEvaluation {
  /** One line per flow whose condition held, in flow order. */
  readonly lines: readonly SettlementLine[];
  /** State after the period: every update formula evaluated on the state before it. */
  readonly nextState: ContractState;
}

/** The state a contract starts with: each variable at its declared initial value. */
export function initialState(compiled: CompiledContract): ContractState {
  const s: Record<string, number> = {};
  for (const v of compiled.contract.state ?? []) s[v.name] = v.initial;
  return s;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Memo of the last period parsed (many contracts share a period); never changes a result. */
let lastPeriod: { start: string; end: string; startMs: number; endMs: number } | undefined;

function periodTimes(period: SettlementPeriod): { startMs: number; endMs: number } {
  if (lastPeriod !== undefined && lastPeriod.start === period.start && lastPeriod.end === period.end) return lastPeriod;
  const t = { start: period.start, end: period.end, startMs: parseTimestampMs(period.start), endMs: parseTimestampMs(period.end) };
  lastPeriod = t;
  return t;
}

/**
 * Evaluates one period of an ACTIVE contract: fills every reference from the contract, the inputs
 * and the state; evaluates each flow's condition, quantity and rate; turns each into a ledger line
 * whose amount is |quantity × rate| rounded once (money.ts) and whose payer and payee are swapped
 * when the product is negative; then evaluates the state updates on the state before the period.
 * Pure. Every missing input, non-finite value or evaluation error is returned as a diagnostic.
 */
export function evaluatePeriod(
  compiled: CompiledContract,
  period: SettlementPeriod,
  inputs: PeriodInputs,
  state: ContractState,
): Result<PeriodEvaluation> {
  const c = compiled.contract;
  const id = c.contractId;
  const errors: Diagnostic[] = [];
  const err = (code: string, path: string, message: string): void => {
    errors.push({ code, path, message: `contract ${id}, ${message}` });
  };

  if (c.status !== 'ACTIVE') err('settlement.status', 'status', `is ${c.status}; only ACTIVE contracts are evaluated`);
  for (const f of compiled.flows) {
    for (const role of [f.flow.from, f.flow.to]) {
      if (!compiled.parties.has(role)) err('settlement.unfilled', `revenueFlows.flows[${f.index}]`, `flow ${f.flow.flowId}: role ${role} is not filled`);
    }
    const payer = compiled.parties.get(f.flow.from);
    if (payer !== undefined && payer === compiled.parties.get(f.flow.to)) {
      err('settlement.self-payment', `revenueFlows.flows[${f.index}]`, `flow ${f.flow.flowId}: roles ${f.flow.from} and ${f.flow.to} are both filled by ${payer}, who cannot pay itself`);
    }
  }
  const { startMs, endMs } = periodTimes(period);
  if (Number.isNaN(startMs) || Number.isNaN(endMs) || !(endMs > startMs)) {
    err('settlement.period', 'period', `period ${period.start} – ${period.end} is not a pair of increasing RFC 3339 timestamps`);
  } else if (c.validity !== undefined) {
    const vs = parseTimestampMs(c.validity.start);
    const ve = parseTimestampMs(c.validity.end);
    if (startMs < vs || endMs > ve) err('settlement.period', 'period', `period ${period.start} – ${period.end} lies outside the validity ${c.validity.start} – ${c.validity.end}`);
  }
  if (!Number.isInteger(period.index) || period.index < 0) err('settlement.period', 'period.index', `period index ${period.index} is not a non-negative integer`);

  const overrides = inputs.roleInputs;
  if (overrides !== undefined) {
    for (const [role, values] of Object.entries(overrides)) {
      const declared = c.roles.find((r) => r.role === role)?.roleInputs ?? {};
      for (const [name, v] of Object.entries(values ?? {})) {
        if (!Object.hasOwn(declared, name)) {
          err('settlement.input', `roleInputs.${role}.${name}`, `override of roles.${role}.${name}, which the contract does not declare`);
          continue;
        }
        const d = declared[name];
        const wantBoolean = typeof d === 'boolean';
        if (wantBoolean ? typeof v !== 'boolean' : typeof v !== 'number') {
          err('settlement.input', `roleInputs.${role}.${name}`, `override of roles.${role}.${name} must be a ${wantBoolean ? 'boolean' : 'number'}`);
        }
      }
    }
  }
  for (const v of c.state ?? []) {
    if (typeof state[v.name] !== 'number') err('settlement.state', `state.${v.name}`, `state ${v.name} has no value`);
  }

  const env = new Float64Array(compiled.slots.length);
  compiled.slots.forEach((s, i) => {
    let v: number | boolean | undefined;
    switch (s.kind) {
      case 'role': {
        const o = overrides?.[s.role]?.[s.input];
        v = o ?? s.declared ?? undefined;
        if (v === undefined) {
          err('settlement.missing-input', s.text, `${s.text} has no value: the contract leaves it open and no override was given`);
          return;
        }
        break;
      }
      case 'param':
        v = s.value;
        break;
      case 'signal':
        v = inputs.signals?.[s.signalId];
        if (v === undefined) {
          err('settlement.missing-input', s.text, `no value for signal ${s.signalId}`);
          return;
        }
        break;
      case 'telemetry':
        v = inputs.telemetry?.[s.sourceId]?.[s.field];
        if (v === undefined) {
          err('settlement.missing-input', s.text, `no value for telemetry ${s.sourceId}.${s.field}`);
          return;
        }
        break;
      case 'state':
        v = state[s.name];
        if (v === undefined) return;
        break;
      case 'period':
        switch (s.field) {
          case 'hours':
            v = (endMs - startMs) / HOUR_MS;
            break;
          case 'index':
            v = period.index;
            break;
          case 'hourOfDay':
            v = (((startMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
            break;
          case 'dayOfWeek':
            v = (((Math.floor(startMs / DAY_MS) + 4) % 7) + 7) % 7;
            break;
        }
        break;
    }
    if (typeof v === 'boolean') env[i] = v ? 1 : 0;
    else if (typeof v === 'number' && Number.isFinite(v)) env[i] = v;
    else err('settlement.input', s.text, `${s.text} is ${String(v)}, not a finite number`);
  });
  if (errors.length > 0) return fail(errors);

  const lines: SettlementLine[] = [];
  const currency = c.currency;
  const guarded = <T>(owner: string, path: string, part: string, run: () => T): T | undefined => {
    try {
      return run();
    } catch (e) {
      if (!(e instanceof FormulaRuntimeError)) throw e;
      err('settlement.evaluation', path, `${owner}: ${formatFormulaError({ code: 'formula.runtime', offset: e.offset, message: e.message })} in the ${part}`);
      return undefined;
    }
  };
  for (const f of compiled.flows) {
    const owner = `flow ${f.flow.flowId}`;
    const path = `revenueFlows.flows[${f.index}]`;
    const cond = f.conditionFn;
    if (cond !== undefined) {
      const holds = guarded(owner, path, 'condition', () => cond(env));
      if (holds !== true) continue;
    }
    const q = guarded(owner, path, 'quantity', () => f.quantityFn(env));
    const r = guarded(owner, path, 'rate', () => f.rateFn(env));
    if (q === undefined || r === undefined) continue;
    if (!Number.isFinite(q) || !Number.isFinite(r)) {
      err('settlement.non-finite', path, `${owner}: quantity ${q} × rate ${r} is not finite`);
      continue;
    }
    const reversed = q !== 0 && r !== 0 && q < 0 !== r < 0;
    const payerRole = reversed ? f.flow.to : f.flow.from;
    const payeeRole = reversed ? f.flow.from : f.flow.to;
    const lineInputs: Record<string, number> = {};
    for (const ref of f.references) lineInputs[ref.text] = env[ref.slot] as number;
    lines.push({
      contractId: id,
      period,
      flowId: f.flow.flowId,
      kind: f.flow.kind,
      payer: compiled.parties.get(payerRole) as string,
      payee: compiled.parties.get(payeeRole) as string,
      payerRole,
      payeeRole,
      reversed,
      quantity: Math.abs(q),
      unit: f.flow.unit,
      ratePerUnit: Math.abs(r),
      amountMinor: lineAmountMinor(q, r, compiled.exponent),
      currency,
      formula: f.formula,
      inputs: lineInputs,
    });
  }
  const nextState: Record<string, number> = {};
  for (const u of compiled.stateUpdates) {
    const owner = `state ${u.variable.name}`;
    const v = guarded(owner, `state.${u.variable.name}`, 'update', () => u.updateFn(env));
    if (v === undefined) continue;
    if (!Number.isFinite(v)) err('settlement.non-finite', `state.${u.variable.name}`, `${owner}: the update gives ${v}`);
    nextState[u.variable.name] = v;
  }
  if (errors.length > 0) return fail(errors);
  return ok({ lines, nextState });
}
