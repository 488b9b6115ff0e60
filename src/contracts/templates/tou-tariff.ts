import { fail, ok, type Diagnostic, type Result } from '../../diagnostics.js';
import type { PeriodInputs } from '../evaluate.js';
import type { EnergyContract, InputParameter, RevenueFlow } from '../model.js';
import { contractOf, localHour, param, per, role, type TemplateBase } from './common.js';

/** From `fromHour` (local time, 0 ≤ h < 24) until the next band, energy costs `pricePerKWh`. */
export interface TouBand {
  readonly fromHour: number;
  readonly pricePerKWh: number;
}

/** Signal carrying the time-of-use price when the tariff is published as a signal. */
export const TOU_PRICE_SIGNAL = 'tou-price';

export type TouRates =
  /** A daily table of bands; hours before the first band belong to the last one (the day wraps). */
  | { readonly kind: 'table'; readonly bands: readonly [TouBand, ...TouBand[]]; readonly utcOffsetMinutes?: number }
  /** The utility publishes the price per period as the signal `tou-price`. */
  | { readonly kind: 'signal' };

export interface TouTariffOptions extends TemplateBase {
  /** The utility / grid operator. */
  readonly utility: string;
  readonly customer?: string;
  readonly meterId?: string;
  readonly rates: TouRates;
  /** Paid for exported energy; no export line when absent. */
  readonly exportPerKWh?: number;
  /** Fixed charge per day, billed pro rata per period. */
  readonly fixedPerDay?: number;
}

function bandParamName(fromHour: number): string {
  const h = Math.floor(fromHour);
  const m = Math.round((fromHour - h) * 60);
  return `priceFrom${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}`;
}

/**
 * Time-of-use tariff, customer ↔ utility, from the customer's meter (kWh, + export):
 * - `import`: max(0, −metered kWh) × the price of the band the period starts in (or `tou-price`);
 * - `export`: max(0, metered kWh) × the export price, paid by the utility (optional);
 * - `fixed`: the daily fixed charge × period hours / 24 (optional).
 * Table bands become parameters `priceFromHHMM` and one nested conditional over the local hour.
 * Fails on bands out of [0, 24), on duplicate hours, or on non-finite prices.
 */
export function touTariff(o: TouTariffOptions): Result<EnergyContract> {
  const errors: Diagnostic[] = [];
  const params: Record<string, InputParameter> = {};
  let rate = `signals["${TOU_PRICE_SIGNAL}"]`;
  if (o.rates.kind === 'table') {
    const bands = [...o.rates.bands].sort((a, b) => a.fromHour - b.fromHour);
    bands.forEach((b, i) => {
      if (!(b.fromHour >= 0 && b.fromHour < 24)) errors.push({ code: 'template.tou', path: `rates.bands[${i}]`, message: `contract ${o.contractId}: band hour ${b.fromHour} is outside [0, 24)` });
      if (!Number.isFinite(b.pricePerKWh)) errors.push({ code: 'template.tou', path: `rates.bands[${i}]`, message: `contract ${o.contractId}: band price must be finite` });
      if (i > 0 && bands[i - 1]?.fromHour === b.fromHour) errors.push({ code: 'template.tou', path: `rates.bands[${i}]`, message: `contract ${o.contractId}: two bands start at hour ${b.fromHour}` });
      params[bandParamName(b.fromHour)] = param(b.pricePerKWh, per(o.currency, 'kWh'), `import price from ${b.fromHour} h local time`);
    });
    const h = localHour(o.rates.utcOffsetMinutes ?? 0);
    const p = (b: TouBand): string => `params.${bandParamName(b.fromHour)}`;
    const last = bands[bands.length - 1] as TouBand;
    rate = p(last);
    for (let i = bands.length - 2; i >= 0; i--) rate = `if(${h} < ${(bands[i + 1] as TouBand).fromHour}, ${p(bands[i] as TouBand)}, ${rate})`;
    const first = bands[0] as TouBand;
    if (first.fromHour > 0) rate = `if(${h} < ${first.fromHour}, ${p(last)}, ${rate})`;
  }
  if (errors.length > 0) return fail(errors);
  const flows: RevenueFlow[] = [
    { flowId: 'import', kind: 'tariff', from: 'CONSUMER', to: 'GRID_OPERATOR', quantity: 'max(0, -telemetry.meter.energyKWh)', unit: 'kWh', rate, description: 'imported energy at the time-of-use price' },
  ];
  const goInputs: Record<string, number> = {};
  if (o.exportPerKWh !== undefined) {
    goInputs.exportPerKWh = o.exportPerKWh;
    flows.push({ flowId: 'export', kind: 'tariff', from: 'GRID_OPERATOR', to: 'CONSUMER', quantity: 'max(0, telemetry.meter.energyKWh)', unit: 'kWh', rate: 'roles.GRID_OPERATOR.exportPerKWh', description: 'exported energy at the export price' });
  }
  if (o.fixedPerDay !== undefined) {
    goInputs.fixedPerDay = o.fixedPerDay;
    flows.push({ flowId: 'fixed', kind: 'tariff', from: 'CONSUMER', to: 'GRID_OPERATOR', quantity: 'period.hours / 24', unit: 'day', rate: 'roles.GRID_OPERATOR.fixedPerDay', description: 'fixed charge, pro rata' });
  }
  return ok(
    contractOf(o, 'tariff/time-of-use', [role('GRID_OPERATOR', o.utility, goInputs), role('CONSUMER', o.customer, o.meterId === undefined ? {} : { meterId: o.meterId })], {
      ...(Object.keys(params).length > 0 ? { inputParameters: params } : {}),
      ...(o.rates.kind === 'signal'
        ? { inputSignals: [{ signalId: TOU_PRICE_SIGNAL, signalType: 'PRICE' as const, source: { era: o.utility }, unit: per(o.currency, 'kWh'), description: 'time-of-use import price of the period' }] }
        : {}),
      telemetrySources: [
        { sourceId: 'meter', sourceType: 'METER_READING', source: { era: o.customer ?? 'customer', ...(o.meterId === undefined ? {} : { meterId: o.meterId }) }, fields: ['energyKWh'] },
      ],
      revenueFlows: { netZero: true, flows },
    }),
  );
}

/** Period inputs of a time-of-use contract: the customer's metered energy (kWh, + export) and, in signal mode, the price. */
export function touInputs(meteredKWh: number, touPricePerKWh?: number): PeriodInputs {
  return {
    telemetry: { meter: { energyKWh: meteredKWh } },
    ...(touPricePerKWh === undefined ? {} : { signals: { [TOU_PRICE_SIGNAL]: touPricePerKWh } }),
  };
}
