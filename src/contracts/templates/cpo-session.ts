import type { Result } from '../../diagnostics.js';
import type { PeriodInputs } from '../evaluate.js';
import type { EnergyContract, RevenueFlow } from '../model.js';
import { contractOf, param, role, type TemplateBase } from './common.js';
import { withTaxes } from './taxes.js';

export interface CpoSessionOptions extends TemplateBase {
  readonly cpo: string;
  /** Undefined for the CPO's catalogue offer, with the driver role open. */
  readonly driver?: string;
  readonly energyPricePerKWh: number;
  /** Charge per hour connected. */
  readonly timePricePerHour?: number;
  /** Charge per minute connected but idle after charging, beyond the grace period. */
  readonly idleFeePerMinute?: number;
  readonly idleGraceMinutes?: number;
  /** Flat charge per session started. */
  readonly sessionFee?: number;
  /** Tax on every CPO charge, paid by the driver to `government` (e.g. 18 % GST). */
  readonly tax?: { readonly government: string; readonly ratePercent: number };
  readonly evseId?: string;
}

/**
 * EV driver ↔ CPO charging session under the CPO's tariff, from the charger's data record (CDR),
 * per period or once per session:
 * - `energy`: kWh delivered × energy price;
 * - `time`: hours connected × time price;
 * - `idle`: idle minutes beyond the grace period × idle fee, the grace counted over the whole
 *   session through the state `idleMinutesSoFar`;
 * - `session`: sessions started × session fee;
 * - `tax-<flow>`: the driver pays the tax on each charge to the government.
 * Inputs: `telemetry.cdr.*` (`cpoSessionInputs`).
 */
export function cpoSession(o: CpoSessionOptions): Result<EnergyContract> {
  const fields = ['energyKWh'];
  const flows: RevenueFlow[] = [
    { flowId: 'energy', kind: 'energy', from: 'EV_DRIVER', to: 'CPO', quantity: 'telemetry.cdr.energyKWh', unit: 'kWh', rate: 'roles.CPO.energyPricePerKWh', description: 'energy delivered to the vehicle' },
  ];
  const cpoInputs: Record<string, number> = { energyPricePerKWh: o.energyPricePerKWh };
  if (o.timePricePerHour !== undefined) {
    fields.push('connectedHours');
    cpoInputs.timePricePerHour = o.timePricePerHour;
    flows.push({ flowId: 'time', kind: 'fee', from: 'EV_DRIVER', to: 'CPO', quantity: 'telemetry.cdr.connectedHours', unit: 'h', rate: 'roles.CPO.timePricePerHour', description: 'time connected' });
  }
  const idle = o.idleFeePerMinute !== undefined;
  if (o.idleFeePerMinute !== undefined) {
    fields.push('idleMinutes');
    cpoInputs.idleFeePerMinute = o.idleFeePerMinute;
    flows.push({
      flowId: 'idle',
      kind: 'fee',
      from: 'EV_DRIVER',
      to: 'CPO',
      quantity: 'max(0, state.idleMinutesSoFar + telemetry.cdr.idleMinutes - params.idleGraceMinutes) - max(0, state.idleMinutesSoFar - params.idleGraceMinutes)',
      unit: 'min',
      rate: 'roles.CPO.idleFeePerMinute',
      description: 'idle minutes after charging, beyond the grace period of the session',
    });
  }
  if (o.sessionFee !== undefined) {
    fields.push('sessionsStarted');
    cpoInputs.sessionFee = o.sessionFee;
    flows.push({ flowId: 'session', kind: 'fee', from: 'EV_DRIVER', to: 'CPO', quantity: 'telemetry.cdr.sessionsStarted', unit: 'session', rate: 'roles.CPO.sessionFee', description: 'flat fee per session' });
  }
  const contract = contractOf(o, 'ev/cpo-session', [role('CPO', o.cpo, cpoInputs), role('EV_DRIVER', o.driver, {})], {
    ...(idle ? { inputParameters: { idleGraceMinutes: param(o.idleGraceMinutes ?? 0, 'min', 'idle time allowed free per session') } } : {}),
    telemetrySources: [{ sourceId: 'cdr', sourceType: 'CHARGE_DATA_RECORD', source: { era: o.cpo, ...(o.evseId === undefined ? {} : { meterId: o.evseId }) }, fields }],
    ...(idle ? { state: [{ name: 'idleMinutesSoFar', unit: 'min', initial: 0, update: 'state.idleMinutesSoFar + telemetry.cdr.idleMinutes' }] } : {}),
    revenueFlows: { netZero: true, flows },
  });
  if (o.tax === undefined) return { ok: true, value: contract, warnings: [] };
  return withTaxes(contract, { government: o.tax.government, payer: 'EV_DRIVER', percent: { ratePercent: o.tax.ratePercent, onFlows: flows.map((f) => f.flowId) } });
}

/** The charge data record of a period (or a whole session). */
export interface ChargeDataRecord {
  readonly energyKWh: number;
  readonly connectedHours?: number;
  readonly idleMinutes?: number;
  readonly sessionsStarted?: number;
}

/** Period inputs of a CPO session contract; absent CDR fields count as 0. */
export function cpoSessionInputs(cdr: ChargeDataRecord): PeriodInputs {
  return {
    telemetry: {
      cdr: { energyKWh: cdr.energyKWh, connectedHours: cdr.connectedHours ?? 0, idleMinutes: cdr.idleMinutes ?? 0, sessionsStarted: cdr.sessionsStarted ?? 0 },
    },
  };
}
