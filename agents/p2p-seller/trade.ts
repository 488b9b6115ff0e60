import type { Result } from '../../src/diagnostics.js';
import { fillRole } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { bilateralP2P } from '../../src/contracts/templates/index.js';
import type { CatalogPayload, EnergyResource, ExpectedRoleInput, TimeWindow } from '../../src/protocol/payloads.js';
import { canonicalJson, numericRoleInput, roleOf, stringRoleInput } from '../shared/terms.js';

/**
 * The bilateral trade as both sides see it: deterministic ids, the seller's catalogue (its PV as
 * an EnergyResource and one fixed-price offer per trading round whose contract is the bilateral
 * template with the BUYER role open), and reading a trade back from a contract.
 *
 * A trading round is one day of the run, counted from its start: round r covers intervals
 * [r·perDay, (r+1)·perDay). Each seller offers one block window per round; each buyer makes at
 * most one deal per round.
 */

/** Offer id (and template contract id) of a seller's offer in round r. */
export function p2pOfferId(sellerId: string, round: number): string {
  return `p2p-offer-${sellerId}-r${round}`;
}

/** Contract id of the trade between a seller and a buyer in round r. */
export function p2pContractId(sellerId: string, buyerId: string, round: number): string {
  return `p2p-${sellerId}-${buyerId}-r${round}`;
}

/** The buyer's transaction of round r: discover, then select … status with the chosen seller. */
export function p2pTransactionId(round: number, buyerId: string): string {
  return `txn-p2p-r${round}-${buyerId}`;
}

/** The seller's cascade of a trade to the grid operator. */
export function p2pGridTransactionId(round: number, buyerId: string, sellerId: string): string {
  return `txn-p2p-r${round}-${buyerId}-${sellerId}-grid`;
}

/** Resource id of a seller's generation in its catalogue. */
export function p2pResourceId(sellerId: string): string {
  return `${sellerId}-pv`;
}

/** What the BUYER must put in its role when it takes the offer. */
export const BUYER_INPUTS: readonly ExpectedRoleInput[] = [
  { name: 'contractedKWh', type: 'NUMBER', required: true, unit: 'kWh', description: 'energy bought in every interval of the window (a constant block)' },
  { name: 'targetMeterId', type: 'STRING', required: true, description: 'the meter the energy is delivered to' },
];

export interface OfferTemplateOptions {
  readonly sellerId: string;
  readonly round: number;
  readonly createdAt: string;
  readonly currency: string;
  readonly window: TimeWindow;
  readonly utilityId: string;
  readonly pricePerKWh: number;
  readonly wheelingPerKWh: number;
  readonly sellerMeterId: string;
}

/** The seller's offered contract: fixed price, settled on the contracted energy, wheeling paid by the buyer, BUYER open. */
export function offerTemplate(o: OfferTemplateOptions): EnergyContract {
  return bilateralP2P({
    contractId: p2pOfferId(o.sellerId, o.round),
    createdAt: o.createdAt,
    currency: o.currency,
    status: 'PENDING',
    validity: o.window,
    seller: o.sellerId,
    gridOperator: o.utilityId,
    pricePerKWh: o.pricePerKWh,
    wheelingPerKWh: o.wheelingPerKWh,
    settleOn: 'contracted',
    sellerMeterId: o.sellerMeterId,
  });
}

/** A seller's offer of one round, as it stands. */
export interface SellerOffer {
  readonly round: number;
  readonly offerId: string;
  /** Delivery window, RFC 3339 UTC. */
  readonly window: TimeWindow;
  readonly pricePerKWh: number;
  /** The block the seller is ready to sell in total, kW. */
  readonly blockKW: number;
  readonly contract: EnergyContract;
}

export interface SellerCatalogOptions {
  readonly sellerId: string;
  readonly sellerUri: string;
  readonly name: string;
  readonly currency: string;
  readonly resource: EnergyResource;
  readonly offer: SellerOffer;
  /** Still free to sell, kW (the block less what buyers hold). */
  readonly availableKW: number;
  readonly gridNodeId?: string;
}

/** The seller's answer to an energy-offer discover: its PV and its block offer of the round. */
export function sellerCatalog(o: SellerCatalogOptions): CatalogPayload {
  const { offer } = o;
  return {
    kind: 'catalog',
    catalogs: [
      {
        catalogId: `${o.sellerId}-p2p-r${offer.round}`,
        name: `${o.name}: solar energy`,
        description: `Fixed-price solar energy from ${o.sellerId}, a constant block over the window, settled on the contracted energy; the buyer pays the grid operator's wheeling charge.`,
        provider: { id: o.sellerId, name: o.name },
        validity: offer.window,
        resources: [{ resourceId: o.resource.resourceId, name: `Rooftop PV of ${o.sellerId}`, attributes: { type: 'EnergyResource', value: o.resource } }],
        offers: [
          {
            offerId: offer.offerId,
            name: `Solar block ${offer.window.start} – ${offer.window.end}`,
            resourceIds: [o.resource.resourceId],
            price: { value: offer.pricePerKWh, currency: o.currency, unit: 'kWh' },
            validity: offer.window,
            attributes: {
              offerId: offer.offerId,
              contractId: offer.contract.contractId,
              providerId: o.sellerId,
              providerUri: o.sellerUri,
              openRole: 'BUYER',
              service: 'ENERGY_TRADE',
              pricingModel: 'FIXED',
              window: offer.window,
              ...(o.gridNodeId === undefined ? {} : { gridNodeId: o.gridNodeId }),
              maxPowerKW: o.availableKW,
              indicativePricePerKWh: offer.pricePerKWh,
              currency: o.currency,
              summary: `Up to ${o.availableKW.toFixed(2)} kW in every interval of the window at ${offer.pricePerKWh} ${o.currency}/kWh.`,
              expectedInputs: BUYER_INPUTS,
              contract: offer.contract,
            },
          },
        ],
      },
    ],
  };
}

/** An offer as a buyer reads it from a catalogue. */
export interface TradeOffer {
  readonly providerId: string;
  readonly offerId: string;
  readonly resourceId: string;
  readonly window: TimeWindow;
  readonly pricePerKWh: number;
  readonly maxPowerKW: number;
  readonly contract: EnergyContract;
}

/** The fixed-price bilateral offers of `providerId` in a catalogue: BUYER open, window and price stated. */
export function findTradeOffers(payload: CatalogPayload, providerId: string): TradeOffer[] {
  const out: TradeOffer[] = [];
  for (const cat of payload.catalogs) {
    if (cat.provider.id !== providerId) continue;
    for (const offer of cat.offers) {
      const a = offer.attributes;
      const c = a.contract;
      const price = c === undefined ? undefined : numericRoleInput(c, 'SELLER', 'pricePerKWh');
      const resourceId = offer.resourceIds[0];
      if (c === undefined || c.template !== 'p2p/bilateral' || a.openRole !== 'BUYER' || a.window === undefined || price === undefined || resourceId === undefined) continue;
      if (roleOf(c, 'BUYER')?.filled !== false || roleOf(c, 'SELLER')?.filledBy !== providerId) continue;
      out.push({ providerId, offerId: offer.offerId, resourceId, window: a.window, pricePerKWh: price, maxPowerKW: a.maxPowerKW ?? 0, contract: c });
    }
  }
  return out;
}

/** The buyer's contract for an offer: renamed, the BUYER role filled with its meter and the energy per interval. */
export function takeOffer(template: EnergyContract, o: { readonly contractId: string; readonly createdAt: string; readonly buyerId: string; readonly buyerMeterId: string; readonly contractedKWh: number }): Result<EnergyContract> {
  return fillRole({ ...template, contractId: o.contractId, createdAt: o.createdAt }, 'BUYER', o.buyerId, { contractedKWh: o.contractedKWh, targetMeterId: o.buyerMeterId });
}

/** The facts of a trade contract, or undefined when it is not a complete bilateral trade. */
export interface Trade {
  readonly sellerId: string;
  readonly buyerId: string;
  readonly sellerMeterId: string;
  readonly buyerMeterId: string;
  readonly pricePerKWh: number;
  /** Energy per interval, kWh. */
  readonly contractedKWh: number;
  readonly window: TimeWindow;
}

export function tradeOf(c: EnergyContract): Trade | undefined {
  const sellerId = roleOf(c, 'SELLER')?.filledBy;
  const buyerId = roleOf(c, 'BUYER')?.filledBy;
  const sellerMeterId = stringRoleInput(c, 'SELLER', 'sourceMeterId');
  const buyerMeterId = stringRoleInput(c, 'BUYER', 'targetMeterId');
  const pricePerKWh = numericRoleInput(c, 'SELLER', 'pricePerKWh');
  const contractedKWh = numericRoleInput(c, 'BUYER', 'contractedKWh');
  if (c.template !== 'p2p/bilateral' || sellerId === undefined || buyerId === undefined || sellerMeterId === undefined || buyerMeterId === undefined || pricePerKWh === undefined || contractedKWh === undefined || c.validity === undefined) return undefined;
  return { sellerId, buyerId, sellerMeterId, buyerMeterId, pricePerKWh, contractedKWh, window: c.validity };
}

/**
 * Whether a buyer's contract keeps the offer's terms: same template, currency, flows, price,
 * wheeling, validity and seller; only the BUYER role (and the contract's id and time) may differ.
 * Returns the first difference, or undefined when it keeps them.
 */
export function termsDiffer(offered: EnergyContract, taken: EnergyContract): string | undefined {
  if (taken.template !== offered.template) return 'another contract template';
  if (taken.currency !== offered.currency) return `currency ${taken.currency} instead of ${offered.currency}`;
  if (canonicalJson(taken.validity) !== canonicalJson(offered.validity)) return 'another delivery window';
  if (canonicalJson(taken.revenueFlows) !== canonicalJson(offered.revenueFlows)) return 'other revenue flows';
  if (canonicalJson(taken.telemetrySources ?? []) !== canonicalJson(offered.telemetrySources ?? [])) return 'other telemetry';
  for (const r of offered.roles) {
    if (r.role === 'BUYER') continue;
    const mine = roleOf(taken, r.role);
    if (mine === undefined || mine.filledBy !== r.filledBy || canonicalJson(mine.roleInputs ?? {}) !== canonicalJson(r.roleInputs ?? {})) return `the ${r.role} role changed`;
  }
  if (taken.roles.length !== offered.roles.length) return 'roles added or removed';
  return undefined;
}
