import type { ContractStatus } from '../../contracts/model.js';
import { fail, ok, type Result } from '../../diagnostics.js';
import { uuidForName, type ContextInput } from '../context.js';
import {
  ACTIONS,
  PAYLOAD_KIND,
  type Action,
  type Catalog,
  type ContractPayload,
  type DiscoverPayload,
  type Payload,
  type PayloadFor,
  type RatingPayload,
  type RatingReceiptPayload,
  type SupportInfoPayload,
} from '../payloads.js';
import { ENERGY_CONTEXT_URL, validateMessage } from '../validate.js';
import { decodeIntent, encodeIntent, type FilterVocabulary } from './intent.js';
import {
  contractFromPack,
  contractToPack,
  deliveryFromPack,
  deliveryToPack,
  offerFromPack,
  offerToPack,
  resourceAttributesFromPack,
  resourceAttributesToPack,
  settlementFromPack,
  settlementToPack,
  unitCodeOf,
  type JsonObject,
} from './packs.js';
import type { ParsedMessage, ParseOptions, Profile, WireMessage } from './types.js';
import { CAMEL, contextInputOf, readContext, writeContext } from './wire-context.js';

/**
 * The contract-centric Beckn 2.0.0 profile (`reference/beckn-v2.0.0/beckn.yaml`): camelCase
 * context, `message.intent` in discover, `message.catalogs` in on_discover, `message.contract` in
 * select … on_status with the EnergyContract pack in `contractAttributes`, one commitment per
 * contract (id = contractId; Beckn's `contract.id` must be a UUID and is the name-based UUID of
 * the contractId), delivery data in `performance[0].performanceAttributes` (EnergyDelivery) and
 * the settlement report in `settlements[0].settlementAttributes`. `rating` is spelled `rate`.
 */

const VOCABULARY: FilterVocabulary = {
  offer: '@.offerAttributes',
  resource: '@.resourceAttributes',
  geoTarget: "$['resourceAttributes']['location']['geo']",
  dwithin: 'S_DWITHIN',
};

const CONTRACT_STATUS: Readonly<Record<ContractStatus, string>> = {
  PENDING: 'DRAFT',
  ACTIVE: 'ACTIVE',
  COMPLETED: 'COMPLETE',
  TERMINATED: 'CANCELLED',
};

const COMMITMENT_STATUS: Readonly<Record<ContractStatus, string>> = {
  PENDING: 'DRAFT',
  ACTIVE: 'ACTIVE',
  COMPLETED: 'CLOSED',
  TERMINATED: 'CLOSED',
};

const WIRE_ACTION: Readonly<Partial<Record<Action, string>>> = { rating: 'rate', on_rating: 'on_rate' };
const FROM_WIRE: ReadonlyMap<string, Action> = new Map(ACTIONS.map((a) => [WIRE_ACTION[a] ?? a, a]));

const timePeriod = (w: { start: string; end: string }): JsonObject => ({ startDate: w.start, endDate: w.end });
const fromTimePeriod = (p: unknown): { start: string; end: string } => {
  const t = p as { startDate: string; endDate: string };
  return { start: t.startDate, end: t.endDate };
};

/** A reference commitment naming only the contract (status, cancel, track). */
function contractRef(contractId: string): JsonObject {
  return {
    id: uuidForName(contractId),
    commitments: [{ id: contractId, status: { descriptor: { code: 'ACTIVE' } }, resources: [], offer: { id: contractId, resourceIds: [] } }],
  };
}

function refContractId(contract: unknown): string {
  return ((contract as { commitments: [{ id: string }] }).commitments[0]).id;
}

function buildDiscover(p: DiscoverPayload): JsonObject {
  const encoded = encodeIntent(p.intent, VOCABULARY);
  return {
    intent: {
      ...(p.textSearch === undefined ? {} : { textSearch: p.textSearch }),
      filters: { type: 'jsonpath', expression: encoded.expression },
      ...(encoded.spatial === undefined ? {} : { spatial: encoded.spatial }),
    },
  };
}

function buildCatalog(c: Catalog, ctx: ContextInput): JsonObject {
  return {
    id: c.catalogId,
    descriptor: { name: c.name, ...(c.description === undefined ? {} : { longDesc: c.description }) },
    provider: { id: c.provider.id, descriptor: { name: c.provider.name } },
    ...(ctx.bppId === undefined ? {} : { bppId: ctx.bppId }),
    ...(ctx.bppUri === undefined ? {} : { bppUri: ctx.bppUri }),
    ...(c.validity === undefined ? {} : { validity: timePeriod(c.validity) }),
    resources: c.resources.map((r) => ({ id: r.resourceId, descriptor: { name: r.name }, resourceAttributes: resourceAttributesToPack(r.attributes) })),
    offers: c.offers.map((o) => ({
      id: o.offerId,
      descriptor: { name: o.name },
      resourceIds: o.resourceIds,
      ...(o.price === undefined
        ? {}
        : {
            considerations: [
              {
                id: `${o.offerId}#price`,
                status: { code: 'QUOTED' },
                considerationAttributes: { '@context': ENERGY_CONTEXT_URL, '@type': 'PriceSpecification', price: o.price.value, priceCurrency: o.price.currency, unitText: o.price.unit },
              },
            ],
          }),
      ...(o.validity === undefined ? {} : { validity: timePeriod(o.validity) }),
      offerAttributes: offerToPack(o.attributes),
    })),
  };
}

function readCatalog(w: unknown): Catalog {
  const c = w as Record<string, unknown> & {
    id: string;
    descriptor: { name: string; longDesc?: string };
    provider: { id: string; descriptor: { name: string } };
    validity?: unknown;
    resources: { id: string; descriptor: { name: string }; resourceAttributes: unknown }[];
    offers?: {
      id: string;
      descriptor: { name: string };
      resourceIds: string[];
      considerations?: { considerationAttributes: { price: number; priceCurrency: string; unitText: string } }[];
      validity?: unknown;
      offerAttributes: unknown;
    }[];
  };
  return {
    catalogId: c.id,
    name: c.descriptor.name,
    ...(c.descriptor.longDesc === undefined ? {} : { description: c.descriptor.longDesc }),
    provider: { id: c.provider.id, name: c.provider.descriptor.name },
    ...(c.validity === undefined ? {} : { validity: fromTimePeriod(c.validity) }),
    resources: c.resources.map((r) => ({ resourceId: r.id, name: r.descriptor.name, attributes: resourceAttributesFromPack(r.resourceAttributes) })),
    offers: (c.offers ?? []).map((o) => {
      const price = o.considerations?.[0]?.considerationAttributes;
      return {
        offerId: o.id,
        name: o.descriptor.name,
        resourceIds: o.resourceIds,
        ...(price === undefined ? {} : { price: { value: price.price, currency: price.priceCurrency, unit: price.unitText } }),
        ...(o.validity === undefined ? {} : { validity: fromTimePeriod(o.validity) }),
        attributes: offerFromPack(o.offerAttributes),
      };
    }),
  };
}

function buildContract(p: ContractPayload): JsonObject {
  const c = p.contract;
  const participants = c.roles.flatMap((r) => (r.filled && r.filledBy !== undefined ? [{ id: r.filledBy, descriptor: { code: r.role } }] : []));
  return {
    contract: {
      id: uuidForName(c.contractId),
      commitments: [
        {
          id: c.contractId,
          status: { descriptor: { code: COMMITMENT_STATUS[c.status] } },
          resources: p.resources.map((r) => {
            const unitCode = unitCodeOf(r.unit);
            return { id: r.resourceId, quantity: { unitQuantity: r.quantity, unitText: r.unit, ...(unitCode === undefined ? {} : { unitCode }) } };
          }),
          offer: { id: p.offerId, resourceIds: p.resources.map((r) => r.resourceId), provider: { id: p.providerId, descriptor: { code: 'PROVIDER' } } },
        },
      ],
      ...(participants.length === 0 ? {} : { participants }),
      ...(p.delivery === undefined
        ? {}
        : {
            performance: [
              { id: p.delivery.deliveryId, status: { code: p.delivery.status }, commitmentIds: [c.contractId], performanceAttributes: deliveryToPack(p.delivery) },
            ],
          }),
      ...(p.settlement === undefined
        ? {}
        : {
            settlements: [
              { id: p.settlement.reportId, status: p.settlement.status === 'FINAL' ? 'COMPLETE' : 'DRAFT', settlementAttributes: settlementToPack(p.settlement) },
            ],
          }),
      status: { code: CONTRACT_STATUS[c.status] },
      contractAttributes: contractToPack(c),
    },
  };
}

function readContract(w: unknown): ContractPayload {
  const c = w as {
    commitments: [{ resources: { id: string; quantity: { unitQuantity: number; unitText: string } }[]; offer: { id: string; provider?: { id: string } } }];
    performance?: { performanceAttributes: unknown }[];
    settlements?: { settlementAttributes: unknown }[];
    contractAttributes: unknown;
  };
  const commitment = c.commitments[0];
  const delivery = c.performance?.[0]?.performanceAttributes;
  const settlement = c.settlements?.[0]?.settlementAttributes;
  return {
    kind: 'contract',
    contract: contractFromPack(c.contractAttributes),
    offerId: commitment.offer.id,
    providerId: commitment.offer.provider?.id ?? '',
    resources: commitment.resources.map((r) => ({ resourceId: r.id, quantity: r.quantity.unitQuantity, unit: r.quantity.unitText })),
    ...(delivery === undefined ? {} : { delivery: deliveryFromPack(delivery) }),
    ...(settlement === undefined ? {} : { settlement: settlementFromPack(settlement) }),
  };
}

function buildRating(p: RatingPayload): JsonObject {
  return {
    ratingInputs: p.ratings.map((r) => ({
      target: { id: r.targetId, descriptor: { code: r.category } },
      range: { min: r.worst, max: r.best, value: r.value },
      ...(r.comment === undefined ? {} : { feedbackFormSubmission: { data: { comments: r.comment } } }),
    })),
  };
}

function buildRatingReceipt(p: RatingReceiptPayload): JsonObject {
  const a = p.aggregate;
  return { ratings: a === undefined ? [] : [{ target: { id: a.targetId }, range: { min: a.worst, max: a.best, value: a.value, count: a.count } }] };
}

function buildSupportInfo(p: SupportInfoPayload): JsonObject {
  const channels = [
    ...(p.phone === undefined ? [] : [{ channel: 'PHONE', contactAddress: p.phone }]),
    ...(p.email === undefined ? [] : [{ channel: 'EMAIL', contactAddress: p.email }]),
    ...(p.url === undefined ? [] : [{ channel: 'WEB', contactAddress: p.url }]),
  ].map((c) => ({ '@context': ENERGY_CONTEXT_URL, '@type': 'SupportContact', ...c }));
  return {
    support: {
      ...(p.name === undefined ? {} : { descriptor: { name: p.name } }),
      ...(channels.length === 0 ? {} : { channels }),
    },
  };
}

function readSupportInfo(w: unknown): SupportInfoPayload {
  const s = w as { descriptor?: { name?: string }; channels?: { channel: string; contactAddress?: string }[] };
  const find = (channel: string): string | undefined => s.channels?.find((c) => c.channel === channel)?.contactAddress;
  const phone = find('PHONE');
  const email = find('EMAIL');
  const url = find('WEB');
  const name = s.descriptor?.name;
  return {
    kind: 'supportInfo',
    ...(name === undefined ? {} : { name }),
    ...(phone === undefined ? {} : { phone }),
    ...(email === undefined ? {} : { email }),
    ...(url === undefined ? {} : { url }),
  };
}

function buildMessage(ctx: ContextInput, p: Payload): JsonObject {
  switch (p.kind) {
    case 'discover':
      return buildDiscover(p);
    case 'catalog':
      return { catalogs: p.catalogs.map((c) => buildCatalog(c, ctx)) };
    case 'contract':
      return buildContract(p);
    case 'contractRef':
      return { contract: contractRef(p.contractId) };
    case 'trackRequest':
      return { tracking: { contract: contractRef(p.contractId), status: 'ACTIVE', url: p.callbackUrl } };
    case 'tracking':
      return { tracking: { contract: contractRef(p.contractId), status: p.active ? 'ACTIVE' : 'INACTIVE', url: p.url } };
    case 'rating':
      return buildRating(p);
    case 'ratingReceipt':
      return buildRatingReceipt(p);
    case 'supportRequest':
      return { support: { orderId: p.refId, descriptor: { code: p.refType } } };
    case 'supportInfo':
      return buildSupportInfo(p);
  }
}

function readPayload(action: Action, m: Record<string, unknown>): Result<Payload> {
  switch (PAYLOAD_KIND[action]) {
    case 'discover': {
      const intent = m['intent'] as { textSearch?: string; filters: { expression: string }; spatial?: unknown };
      const decoded = decodeIntent(intent.filters.expression, intent.spatial, VOCABULARY, 'message.intent.filters.expression');
      if (decoded.intent === undefined) return fail(decoded.errors);
      return ok({ kind: 'discover', intent: decoded.intent, ...(intent.textSearch === undefined ? {} : { textSearch: intent.textSearch }) });
    }
    case 'catalog':
      return ok({ kind: 'catalog', catalogs: (m['catalogs'] as unknown[]).map(readCatalog) });
    case 'contract':
      return ok(readContract(m['contract']));
    case 'contractRef':
      return ok({ kind: 'contractRef', contractId: refContractId(m['contract']) });
    case 'trackRequest': {
      const t = m['tracking'] as { contract: unknown; url: string };
      return ok({ kind: 'trackRequest', contractId: refContractId(t.contract), callbackUrl: t.url });
    }
    case 'tracking': {
      const t = m['tracking'] as { contract: unknown; url: string; status: string };
      return ok({ kind: 'tracking', contractId: refContractId(t.contract), url: t.url, active: t.status === 'ACTIVE' });
    }
    case 'rating': {
      const inputs = m['ratingInputs'] as {
        target: { id: string; descriptor: { code: string } };
        range: { min: number; max: number; value: number };
        feedbackFormSubmission?: { data: { comments?: string } };
      }[];
      return ok({
        kind: 'rating',
        ratings: inputs.map((r) => {
          const comment = r.feedbackFormSubmission?.data.comments;
          return {
            targetId: r.target.id,
            category: r.target.descriptor.code as RatingPayload['ratings'][number]['category'],
            value: r.range.value,
            best: r.range.max,
            worst: r.range.min,
            ...(comment === undefined ? {} : { comment }),
          };
        }),
      });
    }
    case 'ratingReceipt': {
      const r = (m['ratings'] as { target: { id: string }; range: { min: number; max: number; value: number; count?: number } }[])[0];
      return ok({
        kind: 'ratingReceipt',
        ...(r === undefined ? {} : { aggregate: { targetId: r.target.id, count: r.range.count ?? 1, value: r.range.value, best: r.range.max, worst: r.range.min } }),
      });
    }
    case 'supportRequest': {
      const s = m['support'] as { orderId?: string; descriptor?: { code?: string } };
      if (s.orderId === undefined || s.descriptor?.code === undefined) {
        return fail([{ code: 'parse.invalid', path: 'message.support', message: 'a support request needs orderId and descriptor.code' }]);
      }
      return ok({ kind: 'supportRequest', refId: s.orderId, refType: s.descriptor.code as 'ORDER' });
    }
    case 'supportInfo':
      return ok(readSupportInfo(m['support']));
  }
}

function wireActionOf(action: Action): string {
  return WIRE_ACTION[action] ?? action;
}

function actionOf(wireAction: string): Action | undefined {
  return FROM_WIRE.get(wireAction);
}

/** The Beckn 2.0.0 profile. */
export const beckn200: Profile = {
  id: 'beckn-2.0.0',
  version: '2.0.0',
  wireAction: wireActionOf,
  actionOf,
  endpointPath: (action) => `/${wireActionOf(action)}`,
  build<A extends Action>(action: A, context: ContextInput, payload: PayloadFor<A>): WireMessage {
    if (context.action !== action) throw new TypeError(`context.action ${context.action} differs from the action built, ${action}`);
    const p = payload as Payload;
    if (PAYLOAD_KIND[action] !== p.kind) throw new TypeError(`${action} carries a ${PAYLOAD_KIND[action]} payload, not ${p.kind}`);
    return { context: writeContext(context, wireActionOf(action), '2.0.0', CAMEL, [ENERGY_CONTEXT_URL]), message: buildMessage(context, p) };
  },
  parse(wire: unknown, options?: ParseOptions): Result<ParsedMessage> {
    if (options?.assumeValid !== true) {
      const diagnostics = validateMessage(wire, 'beckn-2.0.0');
      if (diagnostics.length > 0) return fail(diagnostics);
    }
    const ctx = readContext(wire, 'beckn-2.0.0', CAMEL, actionOf);
    if (!ctx.ok) return ctx;
    const payload = readPayload(ctx.value.action, (wire as { message: Record<string, unknown> }).message);
    if (!payload.ok) return payload;
    return ok({ profile: 'beckn-2.0.0', action: ctx.value.action, context: contextInputOf(ctx.value), payload: payload.value } as ParsedMessage);
  },
  contextOf: (wire) => readContext(wire, 'beckn-2.0.0', CAMEL, actionOf),
};
