import type { ContractRole, ContractStatus, EnergyContract, InputParameter, RoleInputValue, RoleName } from '../model.js';

/** Fields every template takes. */
export interface TemplateBase {
  readonly contractId: string;
  /** RFC 3339 UTC of the simulated clock. */
  readonly createdAt: string;
  /** ISO 4217 code, e.g. INR. */
  readonly currency: string;
  /** Defaults to ACTIVE when every role is filled, PENDING otherwise (an offer with open roles). */
  readonly status?: ContractStatus;
  readonly validity?: { readonly start: string; readonly end: string };
}

/** A role filled by `party`, or open when `party` is undefined. */
export function role(name: RoleName, party: string | undefined, roleInputs: Readonly<Record<string, RoleInputValue>>): ContractRole {
  return party === undefined ? { role: name, filled: false, roleInputs } : { role: name, filled: true, filledBy: party, roleInputs };
}

/** A contract-level parameter. */
export function param(value: number, unit: string, description: string): InputParameter {
  return { value, unit, description };
}

/** The contract skeleton shared by all templates. */
export function contractOf(
  base: TemplateBase,
  template: string,
  roles: readonly ContractRole[],
  rest: Omit<EnergyContract, 'contractId' | 'createdAt' | 'currency' | 'status' | 'roles' | 'template' | 'validity'>,
): EnergyContract {
  const status = base.status ?? (roles.every((r) => r.filled) ? 'ACTIVE' : 'PENDING');
  return {
    contractId: base.contractId,
    status,
    createdAt: base.createdAt,
    currency: base.currency,
    template,
    ...(base.validity === undefined ? {} : { validity: base.validity }),
    roles,
    ...rest,
  };
}

/** Formula text of "the hour of day in local time", from the UTC offset in minutes. */
export function localHour(utcOffsetMinutes: number): string {
  if (utcOffsetMinutes === 0) return 'period.hourOfDay';
  const h = utcOffsetMinutes / 60;
  return `mod(period.hourOfDay ${h < 0 ? '-' : '+'} ${Math.abs(h)}, 24)`;
}

/** Condition text "local hour within [startHour, endHour)", wrapping past midnight when start > end. */
export function hourWindow(startHour: number, endHour: number, utcOffsetMinutes: number): string {
  const h = localHour(utcOffsetMinutes);
  return startHour <= endHour ? `${h} >= ${startHour} and ${h} < ${endHour}` : `${h} >= ${startHour} or ${h} < ${endHour}`;
}

/** Unit text of a price per unit in a currency, e.g. `INR/kWh`. */
export function per(currency: string, unit: string): string {
  return `${currency}/${unit}`;
}
