import { payAsClearParticipant } from '../../src/contracts/templates/index.js';
import type { CatalogPayload, DiscoverIntent, ExpectedRoleInput } from '../../src/protocol/payloads.js';
import { PAY_AS_CLEAR_OFFER_ID } from '../shared/ids.js';
import type { McaParams } from './params.js';

/** Resource id of the market itself (its virtual meter) in the MCA's catalogue. */
export function marketResourceId(mcaId: string): string {
  return `${mcaId}-market`;
}

/** Contract id of the template in the MCA's offer; each bid renames it `pac-i<k>-<participant>`. */
export function offerTemplateId(mcaId: string): string {
  return `pac-offer-${mcaId}`;
}

/** What a participant must (or may) put in the PROSUMER role of its bid. */
export const EXPECTED_INPUTS: readonly ExpectedRoleInput[] = [
  { name: 'offerCurve', type: 'OFFER_CURVE', required: true, unit: 'kW', description: 'power versus price for the interval; positive = export, negative = import' },
  { name: 'meterId', type: 'STRING', required: true, description: 'the meter the power is delivered through' },
  { name: 'resourceType', type: 'STRING', required: false, description: 'what the meter serves (PV, BATTERY, EVSE, HOUSEHOLD, …); picks the device command of the setpoint' },
];

/** True when a discover asks for what the MCA offers: a market, pay-as-clear unless stated otherwise. */
export function seeksMarket(intent: DiscoverIntent): boolean {
  return intent.seek === 'energy-market' && (intent.pricingModel === undefined || intent.pricingModel === 'PAY_AS_CLEAR');
}

/**
 * The MCA's answer to discover: one catalogue with the market as a resource (a virtual meter whose
 * real net flow is zero) and one offer, "I pay PAY_AS_CLEAR", whose contract is the pay-as-clear
 * participant template with the MCA role filled (its market-making fee) and the PROSUMER role open.
 */
export function marketCatalog(mcaId: string, mcaUri: string, params: McaParams, nowIso: string): CatalogPayload {
  const resourceId = marketResourceId(mcaId);
  const contract = payAsClearParticipant({ contractId: offerTemplateId(mcaId), createdAt: nowIso, currency: params.currency, mca: mcaId, marketMakingFeePerKWh: params.feePerKWh });
  return {
    kind: 'catalog',
    catalogs: [
      {
        catalogId: `${mcaId}-catalog`,
        name: params.name,
        description: `Pay-as-clear market: one price per interval and grid node; bids are offer curves; the clearing price comes with on_confirm at gate closure (${params.gateClosureMinutes} min before delivery).`,
        provider: { id: mcaId, name: params.name },
        resources: [
          {
            resourceId,
            name: `${params.name} (virtual meter)`,
            attributes: { type: 'EnergyResource', value: { resourceId, resourceType: 'MARKET', virtualMeter: true, meterId: params.virtualMeterId } },
          },
        ],
        offers: [
          {
            offerId: PAY_AS_CLEAR_OFFER_ID,
            name: 'Pay-as-clear participation',
            resourceIds: [resourceId],
            price: { value: params.feePerKWh, currency: params.currency, unit: 'kWh' },
            attributes: {
              offerId: PAY_AS_CLEAR_OFFER_ID,
              contractId: contract.contractId,
              providerId: mcaId,
              providerUri: mcaUri,
              openRole: 'PROSUMER',
              service: 'MARKET_PARTICIPATION',
              pricingModel: 'PAY_AS_CLEAR',
              direction: 'BOTH',
              currency: params.currency,
              summary: `The market pays (or charges) each participant the clearing price at its node for its cleared energy, plus a fee of ${params.feePerKWh} ${params.currency}/kWh.`,
              expectedInputs: EXPECTED_INPUTS,
              contract,
            },
          },
        ],
      },
    ],
  };
}
