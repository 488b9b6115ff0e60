import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { currencyExponent } from '../settlement/money.js';
import {
  checkFormula,
  compileBoolean,
  compileNumber,
  formatFormulaError,
  PERIOD_FIELDS,
  printProduct,
  referenceText,
  type BooleanFn,
  type CheckedFormula,
  type FormulaType,
  type NumberFn,
  type PeriodField,
  type ReferenceNode,
  type ResolvedReference,
} from './formula/index.js';
import {
  LEDGER_KINDS,
  STANDARD_ROLES,
  type ContractRole,
  type EnergyContract,
  type RevenueFlow,
  type RoleName,
  type StateVariable,
} from './model.js';

/** Where the value of one environment slot comes from at evaluation time. */
export type SlotSource =
  | { readonly kind: 'role'; readonly text: string; readonly role: RoleName; readonly input: string; readonly type: FormulaType; readonly declared: number | boolean | null }
  | { readonly kind: 'param'; readonly text: string; readonly value: number }
  | { readonly kind: 'signal'; readonly text: string; readonly signalId: string }
  | { readonly kind: 'telemetry'; readonly text: string; readonly sourceId: string; readonly field: string }
  | { readonly kind: 'state'; readonly text: string; readonly name: string }
  | { readonly kind: 'period'; readonly text: string; readonly field: PeriodField };

/** A revenue flow with its formulas checked and compiled. */
export interface CompiledFlow {
  readonly flow: RevenueFlow;
  /** Index of the flow in `contract.revenueFlows.flows`. */
  readonly index: number;
  readonly quantity: CheckedFormula;
  readonly rate: CheckedFormula;
  readonly condition: CheckedFormula | undefined;
  readonly quantityFn: NumberFn;
  readonly rateFn: NumberFn;
  readonly conditionFn: BooleanFn | undefined;
  /** `quantity * rate` as canonical formula text, for reports. */
  readonly formula: string;
  /** References read by the quantity, rate and condition, with their slots, in first-use order. */
  readonly references: readonly { readonly text: string; readonly slot: number }[];
}

/** A state variable with its update formula checked and compiled. */
export interface CompiledStateUpdate {
  readonly variable: StateVariable;
  readonly update: CheckedFormula;
  readonly updateFn: NumberFn;
}

/**
 * A contract whose every formula parsed and type-checked: ready to be evaluated period after
 * period by `evaluatePeriod`. Holds the contract it was formed from, unchanged.
 */
export interface CompiledContract {
  readonly contract: EnergyContract;
  /** Minor-unit exponent of the contract currency. */
  readonly exponent: number;
  readonly flows: readonly CompiledFlow[];
  readonly stateUpdates: readonly CompiledStateUpdate[];
  /** What each slot of the evaluation environment reads. */
  readonly slots: readonly SlotSource[];
  /** Party filling each role, for roles that are filled. */
  readonly parties: ReadonlyMap<RoleName, string>;
}

const ROLE_SET = new Set<string>(STANDARD_ROLES);
const KIND_SET = new Set<string>(LEDGER_KINDS);
const PERIOD_SET = new Set<string>(PERIOD_FIELDS);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp to ms since the epoch; NaN when it is not one. */
export function parseTimestampMs(text: string): number {
  return RFC3339.test(text) ? Date.parse(text) : Number.NaN;
}

function listNames(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? 'none' : all.join(', ');
}

/** Resolves references against the declarations of one contract. */
class ContractResolver {
  private readonly roles = new Map<string, ContractRole>();
  private readonly signals: ReadonlySet<string>;
  private readonly telemetry: ReadonlyMap<string, ReadonlySet<string>>;
  private readonly state: ReadonlySet<string>;
  private readonly params: Readonly<Record<string, unknown>>;
  /** References that resolved, by canonical text. */
  readonly resolved = new Map<string, ReferenceNode>();

  constructor(contract: EnergyContract) {
    for (const r of contract.roles) if (!this.roles.has(r.role)) this.roles.set(r.role, r);
    this.signals = new Set((contract.inputSignals ?? []).map((s) => s.signalId));
    this.telemetry = new Map((contract.telemetrySources ?? []).map((t) => [t.sourceId, new Set(t.fields)] as const));
    this.state = new Set((contract.state ?? []).map((s) => s.name));
    this.params = contract.inputParameters ?? {};
  }

  readonly resolve = (ref: ReferenceNode): ResolvedReference => {
    const r = this.lookup(ref);
    if (r.ok) this.resolved.set(referenceText(ref), ref);
    return r;
  };

  private lookup(ref: ReferenceNode): ResolvedReference {
    const [a, b] = ref.path;
    switch (ref.root) {
      case 'roles': {
        if (ref.path.length !== 2 || a === undefined || b === undefined) return unknown(ref, 'expected roles.<ROLE>.<input>');
        const role = this.roles.get(a);
        if (role === undefined) return unknown(ref, `the contract has no ${a} role; it has ${listNames(this.roles.keys())}`);
        const inputs = role.roleInputs ?? {};
        if (!Object.hasOwn(inputs, b)) return unknown(ref, `role ${a} declares no input ${b}; it declares ${listNames(Object.keys(inputs))}`);
        const v = inputs[b];
        if (v === null || typeof v === 'number') return NUMBER;
        if (typeof v === 'boolean') return BOOLEAN;
        return { ok: false, message: `${referenceText(ref)} is ${typeof v === 'string' ? 'text' : 'an object'}; formulas can read only numbers and booleans` };
      }
      case 'params':
        if (ref.path.length !== 1 || a === undefined) return unknown(ref, 'expected params.<name>');
        if (!Object.hasOwn(this.params, a)) return unknown(ref, `no input parameter ${a}; the contract has ${listNames(Object.keys(this.params))}`);
        return NUMBER;
      case 'signals':
        if (ref.path.length !== 1 || a === undefined) return unknown(ref, 'expected signals.<id> or signals["id"]');
        if (!this.signals.has(a)) return unknown(ref, `no input signal ${a}; the contract has ${listNames(this.signals)}`);
        return NUMBER;
      case 'telemetry': {
        if (ref.path.length !== 2 || a === undefined || b === undefined) return unknown(ref, 'expected telemetry.<sourceId>.<field>');
        const fields = this.telemetry.get(a);
        if (fields === undefined) return unknown(ref, `no telemetry source ${a}; the contract has ${listNames(this.telemetry.keys())}`);
        if (!fields.has(b)) return unknown(ref, `telemetry source ${a} has no field ${b}; it has ${listNames(fields)}`);
        return NUMBER;
      }
      case 'state':
        if (ref.path.length !== 1 || a === undefined) return unknown(ref, 'expected state.<name>');
        if (!this.state.has(a)) return unknown(ref, `no state variable ${a}; the contract has ${listNames(this.state)}`);
        return NUMBER;
      case 'period':
        if (ref.path.length !== 1 || a === undefined || !PERIOD_SET.has(a)) return unknown(ref, `the period has ${PERIOD_FIELDS.join(', ')}`);
        return NUMBER;
    }
  }
}

const NUMBER: ResolvedReference = { ok: true, type: 'number' };
const BOOLEAN: ResolvedReference = { ok: true, type: 'boolean' };

function unknown(ref: ReferenceNode, why: string): ResolvedReference {
  return { ok: false, message: `unknown reference ${referenceText(ref)} (${why})` };
}

/**
 * Forms a contract: checks its structure and parses and type-checks every flow quantity, rate and
 * condition and every state update against the contract's declared roles, role inputs,
 * parameters, signals, telemetry fields and state. Every problem is returned at once, each
 * naming the contract, the flow and the reference, e.g.
 * `contract c-17, flow energy: unknown reference roles.BUYER.price (…) in the rate at character 0`.
 * An ACTIVE contract must also have every role that pays or is paid filled.
 */
export function formContract(contract: EnergyContract): Result<CompiledContract> {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const id = contract.contractId;
  const err = (code: string, path: string, message: string): void => {
    errors.push({ code, path, message: `contract ${id}, ${message}` });
  };

  if (typeof id !== 'string' || id.trim() === '') errors.push({ code: 'contract.id', path: 'contractId', message: 'a contract needs a non-empty contractId' });
  const exponent = currencyExponent(contract.currency);
  if (exponent === undefined) err('contract.currency', 'currency', `unknown currency ${JSON.stringify(contract.currency)}; use an ISO 4217 code such as INR, EUR, USD`);
  if (!['PENDING', 'ACTIVE', 'COMPLETED', 'TERMINATED'].includes(contract.status)) err('contract.status', 'status', `unknown status ${String(contract.status)}`);
  if (Number.isNaN(parseTimestampMs(contract.createdAt))) err('contract.time', 'createdAt', `createdAt ${JSON.stringify(contract.createdAt)} is not an RFC 3339 timestamp`);
  if (contract.validity !== undefined) {
    const s = parseTimestampMs(contract.validity.start);
    const e = parseTimestampMs(contract.validity.end);
    if (Number.isNaN(s) || Number.isNaN(e)) err('contract.time', 'validity', 'validity start and end must be RFC 3339 timestamps');
    else if (!(e > s)) err('contract.time', 'validity', `validity ends (${contract.validity.end}) before it starts (${contract.validity.start})`);
  }

  const parties = new Map<RoleName, string>();
  const seenRoles = new Set<string>();
  contract.roles.forEach((r, i) => {
    const path = `roles[${i}]`;
    if (!ROLE_SET.has(r.role)) err('contract.role', `${path}.role`, `unknown role ${String(r.role)}; roles are ${STANDARD_ROLES.join(', ')}`);
    if (seenRoles.has(r.role)) err('contract.role', `${path}.role`, `role ${r.role} appears twice`);
    seenRoles.add(r.role);
    const hasParty = typeof r.filledBy === 'string' && r.filledBy !== '';
    if (r.filled && !hasParty) err('contract.role', `${path}.filledBy`, `role ${r.role} is marked filled but names no party`);
    if (!r.filled && hasParty) err('contract.role', `${path}.filled`, `role ${r.role} names party ${r.filledBy ?? ''} but is not marked filled`);
    if (r.filled && hasParty && r.filledBy !== undefined) parties.set(r.role, r.filledBy);
  });

  for (const [name, p] of Object.entries(contract.inputParameters ?? {})) {
    if (typeof p.value !== 'number' || !Number.isFinite(p.value)) err('contract.param', `inputParameters.${name}.value`, `parameter ${name} must be a finite number`);
  }
  const dup = (items: readonly string[], what: string, path: string): void => {
    const seen = new Set<string>();
    items.forEach((x, i) => {
      if (x === '') err('contract.id', `${path}[${i}]`, `${what} with an empty id`);
      if (seen.has(x)) err('contract.duplicate', `${path}[${i}]`, `${what} ${x} is declared twice`);
      seen.add(x);
    });
  };
  dup((contract.inputSignals ?? []).map((s) => s.signalId), 'signal', 'inputSignals');
  dup((contract.telemetrySources ?? []).map((t) => t.sourceId), 'telemetry source', 'telemetrySources');
  dup((contract.state ?? []).map((s) => s.name), 'state variable', 'state');
  dup(contract.revenueFlows.flows.map((f) => f.flowId), 'flow', 'revenueFlows.flows');
  (contract.telemetrySources ?? []).forEach((t, i) => dup(t.fields, `field of ${t.sourceId}:`, `telemetrySources[${i}].fields`));
  if (contract.revenueFlows.netZero !== true) err('contract.net-zero', 'revenueFlows.netZero', 'revenue flows must be net-zero (every flow moves money between two parties)');
  if (contract.revenueFlows.flows.length === 0) {
    warnings.push({ code: 'contract.no-flows', path: 'revenueFlows.flows', message: `contract ${id} has no revenue flows; it will never produce a ledger line` });
  }

  const resolver = new ContractResolver(contract);
  const refNodes = resolver.resolved;
  const slotIndex = new Map<string, number>();
  const slots: SlotSource[] = [];
  const roles = new Map<string, ContractRole>();
  for (const r of contract.roles) if (!roles.has(r.role)) roles.set(r.role, r);
  const slotOf = (text: string): number => {
    const s = slotIndex.get(text);
    if (s === undefined) throw new Error(`internal: reference ${text} has no slot`);
    return s;
  };
  const register = (f: CheckedFormula): void => {
    for (const text of f.references) {
      if (slotIndex.has(text)) continue;
      slotIndex.set(text, slots.length);
      slots.push(slotSource(text, refNodes.get(text), contract, roles));
    }
  };
  const check = (source: string | undefined, type: FormulaType, path: string, owner: string, part: string): CheckedFormula | undefined => {
    if (typeof source !== 'string' || source.trim() === '') {
      err('formula.missing', path, `${owner}: the ${part} formula is missing`);
      return undefined;
    }
    const r = checkFormula(source, type, resolver.resolve);
    if ('errors' in r) {
      for (const e of r.errors) err(e.code, path, `${owner}: ${formatFormulaError(e)} in the ${part}`);
      return undefined;
    }
    register(r.formula);
    return r.formula;
  };

  const checkedFlows: { flow: RevenueFlow; index: number; q: CheckedFormula; r: CheckedFormula; c: CheckedFormula | undefined }[] = [];
  contract.revenueFlows.flows.forEach((flow, index) => {
    const path = `revenueFlows.flows[${index}]`;
    const owner = `flow ${flow.flowId}`;
    if (!KIND_SET.has(flow.kind)) err('contract.flow', `${path}.kind`, `${owner}: unknown kind ${String(flow.kind)}; kinds are ${LEDGER_KINDS.join(', ')}`);
    for (const end of ['from', 'to'] as const) {
      const role = flow[end];
      if (!seenRoles.has(role)) err('contract.flow', `${path}.${end}`, `${owner}: role ${String(role)} in '${end}' is not a role of the contract`);
      else if (contract.status === 'ACTIVE' && !parties.has(role)) err('contract.unfilled', `${path}.${end}`, `${owner}: role ${role} must be filled before the contract is ACTIVE`);
    }
    if (flow.from === flow.to) err('contract.flow', path, `${owner}: pays from ${flow.from} to itself`);
    if (typeof flow.unit !== 'string' || flow.unit === '') err('contract.flow', `${path}.unit`, `${owner}: the quantity needs a unit`);
    const q = check(flow.quantity, 'number', `${path}.quantity`, owner, 'quantity');
    const r = check(flow.rate, 'number', `${path}.rate`, owner, 'rate');
    const c = flow.condition === undefined ? undefined : check(flow.condition, 'boolean', `${path}.condition`, owner, 'condition');
    if (q !== undefined && r !== undefined && (flow.condition === undefined || c !== undefined)) checkedFlows.push({ flow, index, q, r, c });
  });

  const checkedState: { variable: StateVariable; u: CheckedFormula }[] = [];
  (contract.state ?? []).forEach((variable, i) => {
    if (typeof variable.initial !== 'number' || !Number.isFinite(variable.initial)) err('contract.state', `state[${i}].initial`, `state ${variable.name}: the initial value must be a finite number`);
    const u = check(variable.update, 'number', `state[${i}].update`, `state ${variable.name}`, 'update');
    if (u !== undefined) checkedState.push({ variable, u });
  });

  if (errors.length > 0 || exponent === undefined) return fail(errors);

  const flows: CompiledFlow[] = checkedFlows.map(({ flow, index, q, r, c }) => {
    const refs: { text: string; slot: number }[] = [];
    const seen = new Set<string>();
    for (const f of [q, r, c]) {
      for (const text of f?.references ?? []) {
        if (seen.has(text)) continue;
        seen.add(text);
        refs.push({ text, slot: slotOf(text) });
      }
    }
    return {
      flow,
      index,
      quantity: q,
      rate: r,
      condition: c,
      quantityFn: compileNumber(q.expr, slotOf),
      rateFn: compileNumber(r.expr, slotOf),
      conditionFn: c === undefined ? undefined : compileBoolean(c.expr, slotOf),
      formula: printProduct(q.expr, r.expr),
      references: refs,
    };
  });
  const stateUpdates: CompiledStateUpdate[] = checkedState.map(({ variable, u }) => ({ variable, update: u, updateFn: compileNumber(u.expr, slotOf) }));
  return ok({ contract, exponent, flows, stateUpdates, slots, parties }, warnings);
}

function slotSource(text: string, ref: ReferenceNode | undefined, contract: EnergyContract, roles: ReadonlyMap<string, ContractRole>): SlotSource {
  const [a = '', b = ''] = ref?.path ?? [];
  switch (ref?.root) {
    case 'roles': {
      const declared = roles.get(a)?.roleInputs?.[b];
      const value = typeof declared === 'number' || typeof declared === 'boolean' ? declared : null;
      return { kind: 'role', text, role: a as RoleName, input: b, type: typeof declared === 'boolean' ? 'boolean' : 'number', declared: value };
    }
    case 'params':
      return { kind: 'param', text, value: contract.inputParameters?.[a]?.value ?? Number.NaN };
    case 'signals':
      return { kind: 'signal', text, signalId: a };
    case 'telemetry':
      return { kind: 'telemetry', text, sourceId: a, field: b };
    case 'state':
      return { kind: 'state', text, name: a };
    case 'period':
      return { kind: 'period', text, field: a as PeriodField };
    case undefined:
      throw new Error(`internal: reference ${text} was never resolved`);
  }
}
