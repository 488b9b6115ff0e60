import type { EnergyContract, RoleName } from '../../src/contracts/model.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { derControlTargetKW, ocppPowerKW, type EnergyDelivery, type Setpoint } from '../../src/protocol/payloads.js';
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
  /**
   * The power the device is commanded to (kW, + export): the setpoint's target, unless its
   * embedded device command (IEEE 2030.5 DERControl or OCPP SetChargingProfile) states another
   * power beyond the command's own resolution — a device obeys its command.
   */
  readonly followKW: number;
  /** Why the device command and the setpoint disagree, when they do. */
  readonly commandMismatch: string | undefined;
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
  const command = setpoint === undefined ? undefined : commandedKW(setpoint);
  const mismatch = command !== undefined && Math.abs(command.kW - clearedKW) > command.resolutionKW;
  return {
    pricePerKWh: signal?.value ?? setpoint?.atPricePerKWh ?? Number.NaN,
    clearedKW,
    clearedKWh,
    setpoint,
    followKW: mismatch ? command.kW : clearedKW,
    commandMismatch: mismatch ? `the ${command.standard} command asks ${command.kW} kW, the setpoint ${clearedKW} kW` : undefined,
    gridNodeId: stringRoleInput(contract, role, 'gridNodeId'),
  };
}

/**
 * The power the first device command of a setpoint asks for, kW (+ export), with the resolution
 * of its encoding: an IEEE 2030.5 ActivePower is value × 10^multiplier W, an OCPP limit in W is a
 * whole watt. Undefined without a command, or for a command in amperes (no voltage known here).
 */
export function commandedKW(s: Setpoint): { readonly kW: number; readonly resolutionKW: number; readonly standard: string } | undefined {
  const c = s.commands?.[0];
  if (c === undefined) return undefined;
  if (c.standard === 'IEEE_2030_5') {
    const t = c.derControl.DERControlBase.opModTargetW;
    const kW = derControlTargetKW(c.derControl);
    return t === undefined || kW === undefined ? undefined : { kW, resolutionKW: 10 ** t.multiplier / 2000 + 1e-9, standard: 'IEEE 2030.5' };
  }
  const schedule = c.setChargingProfile.chargingProfile.chargingSchedule[0];
  if (schedule === undefined || schedule.chargingRateUnit !== 'W') return undefined;
  const kW = ocppPowerKW(c.setChargingProfile, 0);
  return kW === undefined ? undefined : { kW, resolutionKW: 0.0005 + 1e-9, standard: 'OCPP' };
}
