import type { EnergyContract, RoleName } from '../../src/contracts/model.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { EnergyDelivery, Setpoint } from '../../src/protocol/payloads.js';
import { CLEARING_PRICE_SIGNAL } from '../../src/contracts/templates/index.js';
import { canonicalJson, numericRoleInput, parameterValue, roleInput, stringRoleInput, withRoleInputs } from '../shared/terms.js';
import { clipCurve } from './curve.js';

/**
 * What a participant reads from the contracts the market sends back, and the one change it makes
 * before confirming (clipping its curve to the approved limits). All pure.
 */

/** Parameters the grid operator adds to a bid at on_init: its approval of the meter. */
export const APPROVED_IMPORT_PARAM = 'approvedMaxImportKW';
export const APPROVED_EXPORT_PARAM = 'approvedMaxExportKW';

const PARAM_REF = /params\.([A-Za-z_][A-Za-z0-9_]*)/g;
const ROLE_REF = /roles\.([A-Z_]+)\.([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * True when two versions of a contract move the same money: identical revenue flows, and equal
 * values for every parameter and every other party's role input those flows read. The
 * participant's own role inputs (its curve, its cleared energy) and parameters no flow reads
 * (approvals, the grid node, adders shown for information) may differ.
 */
export function sameMoneyTerms(mine: EnergyContract, theirs: EnergyContract, ownRole: RoleName = 'PROSUMER'): boolean {
  if (mine.currency !== theirs.currency) return false;
  if (canonicalJson(mine.revenueFlows) !== canonicalJson(theirs.revenueFlows)) return false;
  const text = mine.revenueFlows.flows.map((f) => `${f.quantity} ${f.rate} ${f.condition ?? ''}`).join(' ');
  for (const m of text.matchAll(PARAM_REF)) {
    const name = m[1]!;
    if (canonicalJson(mine.inputParameters?.[name]?.value) !== canonicalJson(theirs.inputParameters?.[name]?.value)) return false;
  }
  for (const m of text.matchAll(ROLE_REF)) {
    const role = m[1] as RoleName;
    if (role === ownRole) continue;
    if (canonicalJson(roleInput(mine, role, m[2]!)) !== canonicalJson(roleInput(theirs, role, m[2]!))) return false;
  }
  return true;
}

/** The offer curve a contract carries in the participant's role, when it is one. */
export function curveOf(contract: EnergyContract, role: RoleName = 'PROSUMER'): OfferCurve | undefined {
  const v = roleInput(contract, role, 'offerCurve');
  if (v === null || v === undefined || typeof v !== 'object') return undefined;
  return v;
}

/**
 * The contract to confirm after on_init: the market's version (its approvals, fee and node) with
 * the curve clipped to the approved import and export, so the confirmed curve is exactly what
 * may clear. Status stays PENDING: the market activates it at clearing.
 */
export function confirmContract(onInit: EnergyContract, role: RoleName = 'PROSUMER'): EnergyContract {
  const curve = curveOf(onInit, role);
  if (curve === undefined) return onInit;
  const clipped = clipCurve(curve, parameterValue(onInit, APPROVED_IMPORT_PARAM), parameterValue(onInit, APPROVED_EXPORT_PARAM));
  return clipped === curve ? onInit : withRoleInputs(onInit, role, { offerCurve: clipped });
}

/** What the market's on_confirm tells a participant about its interval. */
export interface ClearedOutcome {
  /** The participant's (locational) clearing price, per kWh; NaN when the message carries none. */
  readonly pricePerKWh: number;
  /** Cleared power, kW (+ export), from the setpoint when present, else from the cleared energy. */
  readonly clearedKW: number;
  /** Cleared energy, kWh. */
  readonly clearedKWh: number;
  /** The setpoint to follow, when the market sent one. */
  readonly setpoint: Setpoint | undefined;
  /** Grid node of the meter as the grid operator stated it. */
  readonly gridNodeId: string | undefined;
}

/**
 * Reads the outcome from an ACTIVE pay-as-clear contract and its delivery: price from the
 * `market-clearing-price` signal value, cleared power from the setpoint for the meter (else the
 * cleared kWh over the interval), and the grid node.
 */
export function clearedOutcome(contract: EnergyContract, delivery: EnergyDelivery | undefined, meterId: string, intervalHours: number, role: RoleName = 'PROSUMER'): ClearedOutcome {
  const clearedKWh = numericRoleInput(contract, role, 'clearedKWh') ?? 0;
  const signal = delivery?.signalValues?.find((s) => s.signalId === CLEARING_PRICE_SIGNAL);
  const setpoints = delivery?.setpoints ?? [];
  const setpoint = setpoints.find((s) => s.resourceId === meterId) ?? (setpoints.length === 1 ? setpoints[0] : undefined);
  const clearedKW = setpoint?.targetPowerKW ?? clearedKWh / intervalHours;
  return {
    pricePerKWh: signal?.value ?? setpoint?.atPricePerKWh ?? Number.NaN,
    clearedKW,
    clearedKWh,
    setpoint,
    gridNodeId: stringRoleInput(contract, role, 'gridNodeId'),
  };
}
