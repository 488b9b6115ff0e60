import type { PeriodInputs } from '../evaluate.js';
import type { EnergyContract } from '../model.js';
import { contractOf, param, role, type TemplateBase } from './common.js';

/** How a participant's deviation from its cleared energy is billed. */
export type DeviationPricing =
  /** Energy the participant fell short by is bought at retail; excess export is paid at feed-in. */
  | { readonly kind: 'tariff'; readonly retailPerKWh: number; readonly feedInPerKWh: number }
  /** Every kWh of deviation beyond the tolerance, either way, is charged a penalty. */
  | { readonly kind: 'penalty'; readonly penaltyPerKWh: number; readonly toleranceKWh?: number };

export interface DeviationOptions extends TemplateBase {
  readonly gridOperator: string;
  readonly participant?: string;
  readonly meterId?: string;
  readonly pricing: DeviationPricing;
  readonly clearedKWh?: number;
}

/**
 * Participant ↔ grid operator deviation, deviation = actual − cleared (kWh, + export):
 * - tariff: one `deviation` line of |actual − cleared| kWh; when actual < cleared (an import
 *   shortfall) the participant pays at retail, otherwise the operator pays the excess at feed-in;
 * - penalty: the participant pays max(0, |actual − cleared| − tolerance) × penalty.
 * Inputs: meter `telemetry.meter.energyKWh` and `roles.PROSUMER.clearedKWh` (`deviationInputs`).
 */
export function participantDeviation(o: DeviationOptions): EnergyContract {
  const d = 'telemetry.meter.energyKWh - roles.PROSUMER.clearedKWh';
  const p = o.pricing;
  const goInputs =
    p.kind === 'tariff' ? { retailPerKWh: p.retailPerKWh, feedInPerKWh: p.feedInPerKWh } : { deviationPenaltyPerKWh: p.penaltyPerKWh };
  return contractOf(
    o,
    'grid/deviation',
    [role('GRID_OPERATOR', o.gridOperator, goInputs), role('PROSUMER', o.participant, { clearedKWh: o.clearedKWh ?? null, ...(o.meterId === undefined ? {} : { meterId: o.meterId }) })],
    {
      ...(p.kind === 'penalty' ? { inputParameters: { toleranceKWh: param(p.toleranceKWh ?? 0, 'kWh', 'deviation allowed without penalty') } } : {}),
      telemetrySources: [
        { sourceId: 'meter', sourceType: 'METER_READING', source: { era: o.participant ?? 'participant', ...(o.meterId === undefined ? {} : { meterId: o.meterId }) }, fields: ['energyKWh'] },
      ],
      revenueFlows: {
        netZero: true,
        flows: [
          p.kind === 'tariff'
            ? {
                flowId: 'deviation',
                kind: 'deviation',
                from: 'GRID_OPERATOR',
                to: 'PROSUMER',
                quantity: d,
                unit: 'kWh',
                rate: 'if(telemetry.meter.energyKWh >= roles.PROSUMER.clearedKWh, roles.GRID_OPERATOR.feedInPerKWh, roles.GRID_OPERATOR.retailPerKWh)',
                description: 'excess export paid at feed-in; a shortfall (negative) reverses: the participant buys it at retail',
              }
            : {
                flowId: 'deviation',
                kind: 'deviation',
                from: 'PROSUMER',
                to: 'GRID_OPERATOR',
                quantity: `max(0, abs(${d}) - params.toleranceKWh)`,
                unit: 'kWh',
                rate: 'roles.GRID_OPERATOR.deviationPenaltyPerKWh',
                description: 'symmetric penalty on the deviation beyond the tolerance',
              },
        ],
      },
    },
  );
}

/** Period inputs of a deviation contract: metered and cleared energy of the interval (kWh, + export). */
export function deviationInputs(actualKWh: number, clearedKWh: number): PeriodInputs {
  return { telemetry: { meter: { energyKWh: actualKWh } }, roleInputs: { PROSUMER: { clearedKWh } } };
}
