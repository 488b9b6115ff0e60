import type { PeriodInputs } from '../evaluate.js';
import type { EnergyContract } from '../model.js';
import { contractOf, param, per, role, type TemplateBase } from './common.js';

/** Signal the MCA publishes after clearing: the (locational) clearing price per kWh. */
export const CLEARING_PRICE_SIGNAL = 'market-clearing-price';
/** Signal the MCA publishes after clearing: the energy matched in the interval (kWh, one side). */
export const TRADED_ENERGY_SIGNAL = 'market-traded-energy';

export interface PayAsClearParticipantOptions extends TemplateBase {
  /** Party id of the market clearing agent. */
  readonly mca: string;
  /** Party id of the participant; undefined for the MCA's catalogue offer with the role open. */
  readonly participant?: string;
  readonly marketMakingFeePerKWh: number;
  readonly meterId?: string;
  /** Cleared energy of the participant (kWh, + export / − import), when one contract covers one interval. */
  readonly clearedKWh?: number;
}

/**
 * Pay-as-clear, participant ↔ MCA. Per period:
 * - `energy`: MCA pays the participant clearing price × cleared kWh (a buyer's negative kWh
 *   reverses it: the buyer pays the MCA);
 * - `fee`: the participant pays the MCA its market-making fee × |cleared kWh|.
 * Inputs: signal `market-clearing-price`; `roles.PROSUMER.clearedKWh` from the contract or
 * overridden per period (see `payAsClearInputs`).
 */
export function payAsClearParticipant(o: PayAsClearParticipantOptions): EnergyContract {
  return contractOf(
    o,
    'pay-as-clear/participant',
    [
      role('MARKET_CLEARING_AGENT', o.mca, { marketMakingFeePerKWh: o.marketMakingFeePerKWh }),
      role('PROSUMER', o.participant, { clearedKWh: o.clearedKWh ?? null, ...(o.meterId === undefined ? {} : { meterId: o.meterId }) }),
    ],
    {
      inputSignals: [
        { signalId: CLEARING_PRICE_SIGNAL, signalType: 'PRICE', source: { era: o.mca }, unit: per(o.currency, 'kWh'), description: 'price at which the interval cleared, at the participant’s node' },
      ],
      revenueFlows: {
        netZero: true,
        flows: [
          {
            flowId: 'energy',
            kind: 'energy',
            from: 'MARKET_CLEARING_AGENT',
            to: 'PROSUMER',
            quantity: 'roles.PROSUMER.clearedKWh',
            unit: 'kWh',
            rate: `signals["${CLEARING_PRICE_SIGNAL}"]`,
            description: 'cleared energy at the clearing price; negative (buying) reverses the payment',
          },
          {
            flowId: 'fee',
            kind: 'fee',
            from: 'PROSUMER',
            to: 'MARKET_CLEARING_AGENT',
            quantity: 'abs(roles.PROSUMER.clearedKWh)',
            unit: 'kWh',
            rate: 'roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh',
            description: 'market-making fee on the traded energy, both sides',
          },
        ],
      },
    },
  );
}

/** Period inputs of a pay-as-clear participant contract. */
export function payAsClearInputs(clearingPricePerKWh: number, clearedKWh: number): PeriodInputs {
  return { signals: { [CLEARING_PRICE_SIGNAL]: clearingPricePerKWh }, roleInputs: { PROSUMER: { clearedKWh } } };
}

export interface MarketWheelingOptions extends TemplateBase {
  readonly mca: string;
  readonly gridOperator: string;
  readonly wheelingPerKWh: number;
}

/**
 * MCA → grid operator wheeling: the MCA pays the wheeling charge × the energy matched in the
 * interval (signal `market-traded-energy`, kWh sold = kWh bought). Inputs: `marketWheelingInputs`.
 */
export function marketWheeling(o: MarketWheelingOptions): EnergyContract {
  return contractOf(
    o,
    'pay-as-clear/wheeling',
    [role('MARKET_CLEARING_AGENT', o.mca, {}), role('GRID_OPERATOR', o.gridOperator, { wheelingPerKWh: o.wheelingPerKWh })],
    {
      inputSignals: [{ signalId: TRADED_ENERGY_SIGNAL, signalType: 'STATE', source: { era: o.mca }, unit: 'kWh', description: 'energy matched by the market in the interval' }],
      revenueFlows: {
        netZero: true,
        flows: [
          {
            flowId: 'wheeling',
            kind: 'wheeling',
            from: 'MARKET_CLEARING_AGENT',
            to: 'GRID_OPERATOR',
            quantity: `signals["${TRADED_ENERGY_SIGNAL}"]`,
            unit: 'kWh',
            rate: 'roles.GRID_OPERATOR.wheelingPerKWh',
            description: 'use of the distribution network by the matched trades',
          },
        ],
      },
    },
  );
}

/** Period inputs of a market wheeling contract. */
export function marketWheelingInputs(tradedKWh: number): PeriodInputs {
  return { signals: { [TRADED_ENERGY_SIGNAL]: tradedKWh } };
}

export interface MarketImbalanceOptions extends TemplateBase {
  readonly mca: string;
  readonly gridOperator: string;
  /** Penalty per kWh of the virtual meter's net (both directions unless the surplus rate is given). */
  readonly penaltyPerKWh: number;
  /** Rate for a net surplus (more delivered than taken), when it differs from the deficit rate. */
  readonly surplusPenaltyPerKWh?: number;
  readonly virtualMeterId?: string;
}

/**
 * MCA ↔ grid operator imbalance: the MCA's virtual meter should net to zero; whatever it nets
 * (kWh, + surplus / − deficit) the MCA pays at the penalty rate. Inputs: `marketImbalanceInputs`.
 */
export function marketImbalance(o: MarketImbalanceOptions): EnergyContract {
  const asymmetric = o.surplusPenaltyPerKWh !== undefined;
  return contractOf(
    o,
    'pay-as-clear/imbalance',
    [role('MARKET_CLEARING_AGENT', o.mca, {}), role('GRID_OPERATOR', o.gridOperator, {})],
    {
      inputParameters: {
        deficitPenaltyPerKWh: param(o.penaltyPerKWh, per(o.currency, 'kWh'), 'penalty per kWh the market took more than it delivered'),
        ...(o.surplusPenaltyPerKWh !== undefined ? { surplusPenaltyPerKWh: param(o.surplusPenaltyPerKWh, per(o.currency, 'kWh'), 'penalty per kWh the market delivered more than it took') } : {}),
      },
      telemetrySources: [
        { sourceId: 'virtualMeter', sourceType: 'VIRTUAL_METER', source: { era: o.mca, ...(o.virtualMeterId === undefined ? {} : { meterId: o.virtualMeterId }) }, fields: ['energyKWh'] },
      ],
      revenueFlows: {
        netZero: true,
        flows: [
          {
            flowId: 'imbalance',
            kind: 'imbalance',
            from: 'MARKET_CLEARING_AGENT',
            to: 'GRID_OPERATOR',
            quantity: 'abs(telemetry.virtualMeter.energyKWh)',
            unit: 'kWh',
            rate: asymmetric ? 'if(telemetry.virtualMeter.energyKWh > 0, params.surplusPenaltyPerKWh, params.deficitPenaltyPerKWh)' : 'params.deficitPenaltyPerKWh',
            description: 'net of the market’s virtual meter, which should be zero',
          },
        ],
      },
    },
  );
}

/** Period inputs of a market imbalance contract: the virtual meter's net (kWh, + surplus). */
export function marketImbalanceInputs(virtualMeterNetKWh: number): PeriodInputs {
  return { telemetry: { virtualMeter: { energyKWh: virtualMeterNetKWh } } };
}
