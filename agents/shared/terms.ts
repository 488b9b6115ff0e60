import type { ContractRole, EnergyContract, InputParameter, RoleInputValue, RoleName } from '../../src/contracts/model.js';
import { transition } from '../../src/contracts/lifecycle.js';

/**
 * Reading and amending contract values the way agents exchange them: role inputs, parameters and
 * the refusal a provider writes into a contract it will not take further. All functions are pure.
 */

/** The role entry of a contract, if it has that role. */
export function roleOf(contract: EnergyContract, role: RoleName): ContractRole | undefined {
  return contract.roles.find((r) => r.role === role);
}

/** A role input of a contract, or undefined when the role or the input is absent. */
export function roleInput(contract: EnergyContract, role: RoleName, name: string): RoleInputValue | undefined {
  return roleOf(contract, role)?.roleInputs?.[name];
}

/** A numeric role input, or undefined when absent or not a finite number. */
export function numericRoleInput(contract: EnergyContract, role: RoleName, name: string): number | undefined {
  const v = roleInput(contract, role, name);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A string role input, or undefined. */
export function stringRoleInput(contract: EnergyContract, role: RoleName, name: string): string | undefined {
  const v = roleInput(contract, role, name);
  return typeof v === 'string' ? v : undefined;
}

/** The value of a contract parameter, or undefined. */
export function parameterValue(contract: EnergyContract, name: string): number | undefined {
  const p = contract.inputParameters?.[name];
  return p === undefined || !Number.isFinite(p.value) ? undefined : p.value;
}

/** The contract with role inputs merged into an existing role (whatever its status); unchanged if the role is absent. */
export function withRoleInputs(contract: EnergyContract, role: RoleName, inputs: Readonly<Record<string, RoleInputValue>>): EnergyContract {
  if (!contract.roles.some((r) => r.role === role)) return contract;
  return { ...contract, roles: contract.roles.map((r) => (r.role === role ? { ...r, roleInputs: { ...(r.roleInputs ?? {}), ...inputs } } : r)) };
}

/** The contract with parameters added or replaced. */
export function withParameters(contract: EnergyContract, params: Readonly<Record<string, InputParameter>>): EnergyContract {
  return { ...contract, inputParameters: { ...(contract.inputParameters ?? {}), ...params } };
}

/** Name of the role input in which a provider explains why it refused a contract. */
export const REFUSAL_INPUT = 'refusal';

/**
 * The contract as a refusal: TERMINATED when the lifecycle allows it (a PENDING or ACTIVE
 * contract; a COMPLETED one keeps its status) and, when the refusing party holds `role` in it,
 * `roles.<role>.refusal = "<code>: <message>"`.
 */
export function refusedContract(contract: EnergyContract, role: RoleName | undefined, code: string, message: string): EnergyContract {
  const moved = transition(contract, 'TERMINATED');
  const terminated = moved.ok ? moved.value : contract;
  return role === undefined ? terminated : withRoleInputs(terminated, role, { [REFUSAL_INPUT]: `${code}: ${message}` });
}

/**
 * Why a contract came back refused: the first role's `refusal` input, else the description of an
 * approval parameter set to zero by a party without a role (the grid operator in a cascade).
 * Undefined when the contract carries no refusal.
 */
export function refusalOf(contract: EnergyContract): string | undefined {
  for (const r of contract.roles) {
    const v = r.roleInputs?.[REFUSAL_INPUT];
    if (typeof v === 'string') return v;
  }
  if (contract.status !== 'TERMINATED') return undefined;
  for (const p of Object.values(contract.inputParameters ?? {})) if (p.description?.startsWith('refused') === true) return p.description;
  return undefined;
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}
