import { assign, emit, enqueueActions, setup } from 'xstate';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { CatalogPayload, EnergyResourceType } from '../../src/protocol/payloads.js';
import { PAY_AS_CLEAR_OFFER_ID } from '../shared/ids.js';
import { numericRoleInput } from '../shared/terms.js';

/**
 * Finding the market: one `discover` to the market clearing agent, whose catalogue must hold the
 * `pay-as-clear` offer with its contract template. A lost or refused request is retried at the
 * next bid phase, a bounded number of times.
 */

/** The market's offer as a participant needs it to bid. */
export interface MarketOffer {
  readonly providerId: string;
  readonly offerId: string;
  /** The payAsClearParticipant template, PROSUMER role open. */
  readonly contract: EnergyContract;
  /** Market-making fee per |cleared kWh| stated in the template. */
  readonly feePerKWh: number | undefined;
  /** Resource types the market serves, when its catalogue says. */
  readonly resourceTypes: readonly EnergyResourceType[];
}

/** The pay-as-clear offer of `providerId` in a catalogue payload, if it is there with its contract. */
export function findMarketOffer(payload: CatalogPayload, providerId: string): MarketOffer | undefined {
  for (const cat of payload.catalogs) {
    if (cat.provider.id !== providerId) continue;
    for (const offer of cat.offers) {
      const contract = offer.attributes.contract;
      if (offer.offerId !== PAY_AS_CLEAR_OFFER_ID || contract === undefined) continue;
      if (!contract.roles.some((r) => r.role === 'PROSUMER' && !r.filled)) continue;
      const resourceTypes = cat.resources.flatMap((r) => (r.attributes.type === 'EnergyResource' ? [r.attributes.value.resourceType] : []));
      return { providerId, offerId: offer.offerId, contract, feePerKWh: numericRoleInput(contract, 'MARKET_CLEARING_AGENT', 'marketMakingFeePerKWh'), resourceTypes };
    }
  }
  return undefined;
}

export type DiscoveryEvent =
  | { readonly type: 'DISCOVER' }
  | { readonly type: 'CATALOG'; readonly offer: MarketOffer | undefined }
  | { readonly type: 'NACK'; readonly code: string; readonly message: string };

export type DiscoveryEffect =
  | { readonly type: 'sendDiscover'; readonly attempt: number }
  | { readonly type: 'offerKnown'; readonly offer: MarketOffer }
  | { readonly type: 'gaveUp'; readonly detail: string };

export interface DiscoveryContext {
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly offer: MarketOffer | undefined;
  readonly detail: string;
}

/**
 * `idle ─DISCOVER─▶ searching ─CATALOG(offer)─▶ ready`. A catalogue without the offer, a NACK, or a
 * new DISCOVER while still searching (the previous answer never came) counts as a failed attempt;
 * after `maxAttempts` the machine stops in `unavailable` and emits `gaveUp` once.
 */
export const discoveryMachine = setup({
  types: { context: {} as DiscoveryContext, events: {} as DiscoveryEvent, emitted: {} as DiscoveryEffect, input: {} as { readonly maxAttempts: number } },
  guards: {
    canRetry: ({ context }) => context.attempts < context.maxAttempts,
    hasOffer: ({ event }) => event.type === 'CATALOG' && event.offer !== undefined,
  },
  actions: {
    send: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ attempts: context.attempts + 1 });
      enqueue.emit({ type: 'sendDiscover', attempt: context.attempts + 1 });
    }),
  },
}).createMachine({
  id: 'discovery',
  initial: 'idle',
  context: ({ input }) => ({ attempts: 0, maxAttempts: input.maxAttempts, offer: undefined, detail: '' }),
  states: {
    idle: { on: { DISCOVER: { target: 'searching', actions: 'send' } } },
    searching: {
      on: {
        CATALOG: [
          {
            guard: 'hasOffer',
            target: 'ready',
            actions: [
              assign({ offer: ({ event }) => (event.type === 'CATALOG' ? event.offer : undefined) }),
              emit(({ event }) => ({ type: 'offerKnown' as const, offer: (event as Extract<DiscoveryEvent, { type: 'CATALOG' }>).offer as MarketOffer })),
            ],
          },
          { target: 'failed', actions: assign({ detail: 'the catalogue holds no pay-as-clear offer with an open PROSUMER role' }) },
        ],
        NACK: { target: 'failed', actions: assign({ detail: ({ event }) => `discover refused: ${event.code} ${event.message}` }) },
        DISCOVER: [
          { guard: 'canRetry', target: 'searching', reenter: true, actions: 'send' },
          { target: 'unavailable', actions: emit(({ context }) => ({ type: 'gaveUp' as const, detail: `no catalogue after ${context.attempts} attempts` })) },
        ],
      },
    },
    failed: {
      on: {
        DISCOVER: [
          { guard: 'canRetry', target: 'searching', actions: 'send' },
          { target: 'unavailable', actions: emit(({ context }) => ({ type: 'gaveUp' as const, detail: context.detail })) },
        ],
      },
    },
    ready: { type: 'final' },
    unavailable: { type: 'final' },
  },
});
