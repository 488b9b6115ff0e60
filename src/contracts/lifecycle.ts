import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import type { ContractStatus, EnergyContract, RoleInputValue, RoleName } from './model.js';

/**
 * Contract lifecycle steps as pure functions on contract values, used by the agents that form
 * contracts through init/confirm. Each returns a new contract or diagnostics; none mutates.
 */

const TRANSITIONS: Readonly<Record<ContractStatus, readonly ContractStatus[]>> = {
  PENDING: ['ACTIVE', 'TERMINATED'],
  ACTIVE: ['COMPLETED', 'TERMINATED'],
  COMPLETED: [],
  TERMINATED: [],
};

/**
 * Fills an open role with a party and (optionally) merges role inputs. Filling a role again with
 * the same party only merges inputs; with another party it is an error. Only PENDING contracts
 * take new parties.
 */
export function fillRole(
  contract: EnergyContract,
  role: RoleName,
  partyId: string,
  roleInputs: Readonly<Record<string, RoleInputValue>> = {},
): Result<EnergyContract> {
  const at = contract.roles.findIndex((r) => r.role === role);
  const id = contract.contractId;
  if (at < 0) return fail([{ code: 'contract.role', path: 'roles', message: `contract ${id} has no ${role} role to fill` }]);
  const current = contract.roles[at];
  if (current === undefined) return fail([{ code: 'contract.role', path: 'roles', message: `contract ${id} has no ${role} role to fill` }]);
  if (partyId === '') return fail([{ code: 'contract.role', path: `roles[${at}].filledBy`, message: `contract ${id}: role ${role} needs a party id` }]);
  if (current.filled && current.filledBy !== partyId) {
    return fail([{ code: 'contract.role', path: `roles[${at}].filledBy`, message: `contract ${id}: role ${role} is already filled by ${current.filledBy ?? '?'}` }]);
  }
  if (!current.filled && contract.status !== 'PENDING') {
    return fail([{ code: 'contract.status', path: 'status', message: `contract ${id} is ${contract.status}; roles are filled only while PENDING` }]);
  }
  const roles = contract.roles.map((r, i) =>
    i === at ? { ...r, filled: true, filledBy: partyId, roleInputs: { ...(r.roleInputs ?? {}), ...roleInputs } } : r,
  );
  return ok({ ...contract, roles });
}

/**
 * Moves a contract to another status: PENDING → ACTIVE (only when every role is filled),
 * PENDING → TERMINATED, ACTIVE → COMPLETED or TERMINATED. Role inputs left open (null) may still
 * be supplied per period at evaluation.
 */
export function transition(contract: EnergyContract, to: ContractStatus): Result<EnergyContract> {
  const id = contract.contractId;
  if (!TRANSITIONS[contract.status].includes(to)) {
    return fail([{ code: 'contract.status', path: 'status', message: `contract ${id} cannot go from ${contract.status} to ${to}` }]);
  }
  if (to === 'ACTIVE') {
    const errors: Diagnostic[] = contract.roles.flatMap((r, i) =>
      r.filled && r.filledBy !== undefined && r.filledBy !== ''
        ? []
        : [{ code: 'contract.unfilled', path: `roles[${i}]`, message: `contract ${id}: role ${r.role} is open; every role must be filled before the contract is ACTIVE` }],
    );
    if (errors.length > 0) return fail(errors);
  }
  return ok({ ...contract, status: to });
}
