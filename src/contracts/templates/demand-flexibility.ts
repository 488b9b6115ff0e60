import type { PeriodInputs } from '../evaluate.js';
import type { EnergyContract, InputParameter, RevenueFlow } from '../model.js';
import { contractOf, hourWindow, param, per, role, type TemplateBase } from './common.js';

export interface DemandFlexibilityOptions extends TemplateBase {
  /** The utility that published the need. */
  readonly utility: string;
  readonly aggregator?: string;
  /** Price per kWh of verified reduction. */
  readonly pricePerKWh: number;
  /** Flexibility accepted per period (kWh of reduction); may be overridden per period. */
  readonly committedKWh?: number;
  /** Event window in local hours [startHour, endHour), e.g. 18–21. */
  readonly window: { readonly startHour: number; readonly endHour: number; readonly utcOffsetMinutes?: number };
  /** Charged per kWh of committed reduction not delivered; no shortfall line when absent. */
  readonly shortfallPenaltyPerKWh?: number;
  /** Most reduction paid over the whole event (kWh); unlimited when absent. */
  readonly eventCapKWh?: number;
}

/**
 * Demand flexibility, utility ↔ aggregator. In each period of the event window, from the meters:
 * reduction = actual − baseline (kWh, + export, so consuming less is positive);
 * - `flexibility`: the utility pays min(clamp(reduction, 0, committed), cap left) × price;
 * - `shortfall`: the aggregator pays max(0, committed − max(0, reduction)) × penalty (optional).
 * State `paidKWh` accumulates the reduction paid, which the event cap limits.
 * Inputs: `telemetry.flex.baselineKWh`, `telemetry.flex.actualKWh`, `roles.AGGREGATOR.committedKWh`
 * (`flexibilityInputs`).
 */
export function demandFlexibility(o: DemandFlexibilityOptions): EnergyContract {
  const inWindow = hourWindow(o.window.startHour, o.window.endHour, o.window.utcOffsetMinutes ?? 0);
  const reduction = 'telemetry.flex.actualKWh - telemetry.flex.baselineKWh';
  const verified = `clamp(${reduction}, 0, roles.AGGREGATOR.committedKWh)`;
  const paid = o.eventCapKWh === undefined ? verified : `min(${verified}, max(0, params.eventCapKWh - state.paidKWh))`;
  const params: Record<string, InputParameter> = {};
  if (o.eventCapKWh !== undefined) params.eventCapKWh = param(o.eventCapKWh, 'kWh', 'most reduction paid over the event');
  if (o.shortfallPenaltyPerKWh !== undefined) params.shortfallPenaltyPerKWh = param(o.shortfallPenaltyPerKWh, per(o.currency, 'kWh'), 'penalty per committed kWh not delivered');
  const flows: RevenueFlow[] = [
    { flowId: 'flexibility', kind: 'energy', from: 'GRID_OPERATOR', to: 'AGGREGATOR', quantity: paid, unit: 'kWh', rate: 'roles.GRID_OPERATOR.flexibilityPricePerKWh', condition: inWindow, description: 'verified reduction against the baseline' },
  ];
  if (o.shortfallPenaltyPerKWh !== undefined) {
    flows.push({
      flowId: 'shortfall',
      kind: 'deviation',
      from: 'AGGREGATOR',
      to: 'GRID_OPERATOR',
      quantity: `max(0, roles.AGGREGATOR.committedKWh - max(0, ${reduction}))`,
      unit: 'kWh',
      rate: 'params.shortfallPenaltyPerKWh',
      condition: inWindow,
      description: 'committed reduction not delivered',
    });
  }
  return contractOf(o, 'flexibility/demand', [role('GRID_OPERATOR', o.utility, { flexibilityPricePerKWh: o.pricePerKWh }), role('AGGREGATOR', o.aggregator, { committedKWh: o.committedKWh ?? null })], {
    ...(Object.keys(params).length > 0 ? { inputParameters: params } : {}),
    telemetrySources: [{ sourceId: 'flex', sourceType: 'METER_READING', source: { era: o.aggregator ?? 'aggregator' }, fields: ['baselineKWh', 'actualKWh'] }],
    state: [{ name: 'paidKWh', unit: 'kWh', initial: 0, update: `state.paidKWh + if(${inWindow}, ${paid}, 0)` }],
    revenueFlows: { netZero: true, flows },
  });
}

/** Period inputs of a demand-flexibility contract (kWh, + export). */
export function flexibilityInputs(baselineKWh: number, actualKWh: number, committedKWh: number): PeriodInputs {
  return { telemetry: { flex: { baselineKWh, actualKWh } }, roleInputs: { AGGREGATOR: { committedKWh } } };
}
