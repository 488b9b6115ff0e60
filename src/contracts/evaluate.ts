import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { lineAmountMinor } from '../settlement/money.js';
import type { SettlementLine, SettlementPeriod } from '../settlement/types.js';
import { parseTimestampMs, type CompiledContract, type SlotSource } from './form.js';
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

/** Everything about a compiled contract that does not change from period to period. */
interface Prepared {
  /** Problems that make every period fail: not ACTIVE, an unfilled role, a self-payment. */
  readonly staticErrors: readonly Diagnostic[];
  readonly validityMs: { readonly start: number; readonly end: number } | undefined;
  /** Declared role inputs by role, for checking overrides. */
  readonly declared: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  readonly stateNames: readonly string[];
}

/** Memo of `prepare`, keyed by the compiled contract object (compiled contracts are immutable). */
const preparedOf = new WeakMap<CompiledContract, Prepared>();

function diag(id: string, code: string, path: string, message: string): Diagnostic {
  return { code, path, message: `contract ${id}, ${message}` };
}

function prepare(compiled: CompiledContract): Prepared {
  const hit = preparedOf.get(compiled);
  if (hit !== undefined) return hit;
  const c = compiled.contract;
  const id = c.contractId;
  const staticErrors: Diagnostic[] = [];
  if (c.status !== 'ACTIVE') staticErrors.push(diag(id, 'settlement.status', 'status', `is ${c.status}; only ACTIVE contracts are evaluated`));
  for (const f of compiled.flows) {
    const path = `revenueFlows.flows[${f.index}]`;
    for (const role of [f.flow.from, f.flow.to]) {
      if (!compiled.parties.has(role)) staticErrors.push(diag(id, 'settlement.unfilled', path, `flow ${f.flow.flowId}: role ${role} is not filled`));
    }
    const payer = compiled.parties.get(f.flow.from);
    if (payer !== undefined && payer === compiled.parties.get(f.flow.to)) {
      staticErrors.push(diag(id, 'settlement.self-payment', path, `flow ${f.flow.flowId}: roles ${f.flow.from} and ${f.flow.to} are both filled by ${payer}, who cannot pay itself`));
    }
  }
  const declared = new Map<string, Readonly<Record<string, unknown>>>();
  for (const r of c.roles) if (!declared.has(r.role)) declared.set(r.role, r.roleInputs ?? {});
  const prepared: Prepared = {
    staticErrors,
    validityMs: c.validity === undefined ? undefined : { start: parseTimestampMs(c.validity.start), end: parseTimestampMs(c.validity.end) },
    declared,
    stateNames: (c.state ?? []).map((v) => v.name),
  };
  preparedOf.set(compiled, prepared);
  return prepared;
}

/** Checks per-period role input overrides against the declarations. */
function checkOverrides(id: string, prepared: Prepared, overrides: NonNullable<PeriodInputs['roleInputs']>, errors: Diagnostic[]): void {
  for (const role in overrides) {
    const values = overrides[role as RoleName];
    const declared = prepared.declared.get(role) ?? {};
    for (const name in values) {
      const v = values[name];
      const path = `roleInputs.${role}.${name}`;
      if (!Object.hasOwn(declared, name)) {
        errors.push(diag(id, 'settlement.input', path, `override of roles.${role}.${name}, which the contract does not declare`));
        continue;
      }
      const wantBoolean = typeof declared[name] === 'boolean';
      if (wantBoolean ? typeof v !== 'boolean' : typeof v !== 'number') {
        errors.push(diag(id, 'settlement.input', path, `override of roles.${role}.${name} must be a ${wantBoolean ? 'boolean' : 'number'}`));
      }
    }
  }
}

function runtimeDiag(id: string, path: string, owner: string, part: string, e: unknown): Diagnostic {
  if (!(e instanceof FormulaRuntimeError)) throw e;
  return diag(id, 'settlement.evaluation', path, `${owner}: ${formatFormulaError({ code: 'formula.runtime', offset: e.offset, message: e.message })} in the ${part}`);
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
  const prepared = prepare(compiled);
  const errors: Diagnostic[] = [...prepared.staticErrors];

  const { startMs, endMs } = periodTimes(period);
  if (Number.isNaN(startMs) || Number.isNaN(endMs) || !(endMs > startMs)) {
    errors.push(diag(id, 'settlement.period', 'period', `period ${period.start} – ${period.end} is not a pair of increasing RFC 3339 timestamps`));
  } else if (prepared.validityMs !== undefined && (startMs < prepared.validityMs.start || endMs > prepared.validityMs.end)) {
    errors.push(diag(id, 'settlement.period', 'period', `period ${period.start} – ${period.end} lies outside the validity ${c.validity?.start ?? ''} – ${c.validity?.end ?? ''}`));
  }
  if (!Number.isInteger(period.index) || period.index < 0) errors.push(diag(id, 'settlement.period', 'period.index', `period index ${period.index} is not a non-negative integer`));

  const overrides = inputs.roleInputs;
  if (overrides !== undefined) checkOverrides(id, prepared, overrides, errors);
  for (const name of prepared.stateNames) {
    if (typeof state[name] !== 'number') errors.push(diag(id, 'settlement.state', `state.${name}`, `state ${name} has no value`));
  }

  const slots = compiled.slots;
  const env = new Float64Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i] as SlotSource;
    let v: number | boolean | undefined;
    switch (s.kind) {
      case 'role':
        v = overrides?.[s.role]?.[s.input] ?? s.declared ?? undefined;
        if (v === undefined) errors.push(diag(id, 'settlement.missing-input', s.text, `${s.text} has no value: the contract leaves it open and no override was given`));
        break;
      case 'param':
        v = s.value;
        break;
      case 'signal':
        v = inputs.signals?.[s.signalId];
        if (v === undefined) errors.push(diag(id, 'settlement.missing-input', s.text, `no value for signal ${s.signalId}`));
        break;
      case 'telemetry':
        v = inputs.telemetry?.[s.sourceId]?.[s.field];
        if (v === undefined) errors.push(diag(id, 'settlement.missing-input', s.text, `no value for telemetry ${s.sourceId}.${s.field}`));
        break;
      case 'state':
        v = state[s.name];
        break;
      case 'period':
        v =
          s.field === 'hours'
            ? (endMs - startMs) / HOUR_MS
            : s.field === 'index'
              ? period.index
              : s.field === 'hourOfDay'
                ? (((startMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS
                : (((Math.floor(startMs / DAY_MS) + 4) % 7) + 7) % 7;
        break;
    }
    if (v === undefined) continue;
    if (typeof v === 'boolean') env[i] = v ? 1 : 0;
    else if (typeof v === 'number' && Number.isFinite(v)) env[i] = v;
    else errors.push(diag(id, 'settlement.input', s.text, `${s.text} is ${String(v)}, not a finite number`));
  }
  if (errors.length > 0) return fail(errors);

  const lines: SettlementLine[] = [];
  const currency = c.currency;
  for (const f of compiled.flows) {
    let q: number;
    let r: number;
    try {
      if (f.conditionFn !== undefined && !f.conditionFn(env)) continue;
    } catch (e) {
      errors.push(runtimeDiag(id, `revenueFlows.flows[${f.index}]`, `flow ${f.flow.flowId}`, 'condition', e));
      continue;
    }
    try {
      q = f.quantityFn(env);
    } catch (e) {
      errors.push(runtimeDiag(id, `revenueFlows.flows[${f.index}]`, `flow ${f.flow.flowId}`, 'quantity', e));
      continue;
    }
    try {
      r = f.rateFn(env);
    } catch (e) {
      errors.push(runtimeDiag(id, `revenueFlows.flows[${f.index}]`, `flow ${f.flow.flowId}`, 'rate', e));
      continue;
    }
    if (!Number.isFinite(q) || !Number.isFinite(r)) {
      errors.push(diag(id, 'settlement.non-finite', `revenueFlows.flows[${f.index}]`, `flow ${f.flow.flowId}: quantity ${q} × rate ${r} is not finite`));
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
    const name = u.variable.name;
    let v: number;
    try {
      v = u.updateFn(env);
    } catch (e) {
      errors.push(runtimeDiag(id, `state.${name}`, `state ${name}`, 'update', e));
      continue;
    }
    if (!Number.isFinite(v)) errors.push(diag(id, 'settlement.non-finite', `state.${name}`, `state ${name}: the update gives ${v}`));
    nextState[name] = v;
  }
  if (errors.length > 0) return fail(errors);
  return ok({ lines, nextState });
}
