import type { PeriodInputs } from '../evaluate.js';
import type { EnergyContract } from '../model.js';
import { contractOf, role, type TemplateBase } from './common.js';

export interface BilateralOptions extends TemplateBase {
  readonly seller: string;
  /** Undefined for the seller's catalogue offer, with the buyer role open. */
  readonly buyer?: string;
  readonly gridOperator: string;
  /** Agreed price per kWh. */
  readonly pricePerKWh: number;
  readonly wheelingPerKWh: number;
  /** Contracted energy per period (kWh); may instead be overridden per period. */
  readonly contractedKWh?: number;
  /**
   * `contracted`: the buyer pays for the contracted energy, and deviations are settled with the
   * grid operator; `delivered`: for the energy the seller's meter delivered, capped at the
   * contracted energy.
   */
  readonly settleOn: 'contracted' | 'delivered';
  readonly sellerMeterId?: string;
  readonly buyerMeterId?: string;
}

/**
 * Bilateral P2P trade: `energy` buyer → seller at the agreed price, `wheeling` buyer → grid
 * operator on the same energy. Inputs: `roles.BUYER.contractedKWh` (contract or override) and,
 * when settling on delivery, `telemetry.delivery.energyKWh` (`bilateralInputs`).
 */
export function bilateralP2P(o: BilateralOptions): EnergyContract {
  const energy = o.settleOn === 'contracted' ? 'roles.BUYER.contractedKWh' : 'clamp(telemetry.delivery.energyKWh, 0, roles.BUYER.contractedKWh)';
  return contractOf(
    o,
    'p2p/bilateral',
    [
      role('SELLER', o.seller, { pricePerKWh: o.pricePerKWh, ...(o.sellerMeterId === undefined ? {} : { sourceMeterId: o.sellerMeterId }) }),
      role('BUYER', o.buyer, { contractedKWh: o.contractedKWh ?? null, ...(o.buyerMeterId === undefined ? {} : { targetMeterId: o.buyerMeterId }) }),
      role('GRID_OPERATOR', o.gridOperator, { wheelingPerKWh: o.wheelingPerKWh }),
    ],
    {
      ...(o.settleOn === 'delivered'
        ? {
            telemetrySources: [
              { sourceId: 'delivery', sourceType: 'METER_READING', source: { era: o.seller, ...(o.sellerMeterId === undefined ? {} : { meterId: o.sellerMeterId }) }, fields: ['energyKWh'] },
            ],
          }
        : {}),
      revenueFlows: {
        netZero: true,
        flows: [
          { flowId: 'energy', kind: 'energy', from: 'BUYER', to: 'SELLER', quantity: energy, unit: 'kWh', rate: 'roles.SELLER.pricePerKWh', description: 'traded energy at the agreed price' },
          { flowId: 'wheeling', kind: 'wheeling', from: 'BUYER', to: 'GRID_OPERATOR', quantity: energy, unit: 'kWh', rate: 'roles.GRID_OPERATOR.wheelingPerKWh', description: 'network use by the trade' },
        ],
      },
    },
  );
}

/** Period inputs of a bilateral trade: contracted energy and, if settled on delivery, the seller's delivered energy. */
export function bilateralInputs(contractedKWh: number, deliveredKWh?: number): PeriodInputs {
  return {
    roleInputs: { BUYER: { contractedKWh } },
    ...(deliveredKWh === undefined ? {} : { telemetry: { delivery: { energyKWh: deliveredKWh } } }),
  };
}
