import type { PeriodInputs } from '../evaluate.js';
import type { EnergyContract } from '../model.js';
import { contractOf, param, per, role, type TemplateBase } from './common.js';
import { CLEARING_PRICE_SIGNAL } from './pay-as-clear.js';

/** What the aggregator earns for a member and passes on. */
export type ShareBasis =
  /** The member's metered energy (kWh, + export) valued at the market clearing price. */
  | { readonly kind: 'market-energy' }
  /** The member's verified reduction (kWh) valued at the flexibility price. */
  | { readonly kind: 'flexibility'; readonly pricePerKWh: number };

export interface RevenueShareOptions extends TemplateBase {
  readonly aggregator: string;
  readonly member?: string;
  readonly basis: ShareBasis;
  /** The aggregator's share of the value, in percent. */
  readonly sharePercent: number;
  readonly memberMeterId?: string;
}

/**
 * Aggregator / VPP ↔ member revenue share. The aggregator trades (or bids flexibility) as one
 * participant; each member's contract passes the value of the member's part through and keeps a
 * share:
 * - `energy` / `flexibility`: aggregator → member, the member's kWh × price (a member that
 *   imports pays instead);
 * - `share`: member → aggregator, sharePercent of that value's magnitude.
 * Inputs: `telemetry.member.energyKWh` (+ signal `market-clearing-price`) or
 * `telemetry.member.reductionKWh` (`revenueShareInputs`).
 */
export function aggregatorRevenueShare(o: RevenueShareOptions): EnergyContract {
  const market = o.basis.kind === 'market-energy';
  const quantity = market ? 'telemetry.member.energyKWh' : 'max(0, telemetry.member.reductionKWh)';
  const rate = market ? `signals["${CLEARING_PRICE_SIGNAL}"]` : 'params.flexibilityPricePerKWh';
  return contractOf(o, 'aggregator/revenue-share', [role('AGGREGATOR', o.aggregator, {}), role('PROSUMER', o.member, o.memberMeterId === undefined ? {} : { meterId: o.memberMeterId })], {
    inputParameters: {
      sharePercent: param(o.sharePercent, '%', 'aggregator’s share of the value it earns for the member'),
      ...(o.basis.kind === 'flexibility' ? { flexibilityPricePerKWh: param(o.basis.pricePerKWh, per(o.currency, 'kWh'), 'price per kWh of verified reduction') } : {}),
    },
    ...(market
      ? { inputSignals: [{ signalId: CLEARING_PRICE_SIGNAL, signalType: 'PRICE' as const, source: { era: o.aggregator }, unit: per(o.currency, 'kWh'), description: 'price the aggregator’s portfolio cleared at' }] }
      : {}),
    telemetrySources: [
      {
        sourceId: 'member',
        sourceType: 'METER_READING',
        source: { era: o.member ?? 'member', ...(o.memberMeterId === undefined ? {} : { meterId: o.memberMeterId }) },
        fields: [market ? 'energyKWh' : 'reductionKWh'],
      },
    ],
    revenueFlows: {
      netZero: true,
      flows: [
        { flowId: market ? 'energy' : 'flexibility', kind: 'energy', from: 'AGGREGATOR', to: 'PROSUMER', quantity, unit: 'kWh', rate, description: 'the member’s part, passed through' },
        { flowId: 'share', kind: 'share', from: 'PROSUMER', to: 'AGGREGATOR', quantity: `abs(${quantity} * ${rate})`, unit: o.currency, rate: 'params.sharePercent / 100', description: 'the aggregator’s share' },
      ],
    },
  });
}

/** Period inputs of a revenue-share contract: the member's kWh and, for market energy, the clearing price. */
export function revenueShareInputs(memberKWh: number, clearingPricePerKWh?: number): PeriodInputs {
  return clearingPricePerKWh === undefined
    ? { telemetry: { member: { reductionKWh: memberKWh } } }
    : { telemetry: { member: { energyKWh: memberKWh } }, signals: { [CLEARING_PRICE_SIGNAL]: clearingPricePerKWh } };
}
