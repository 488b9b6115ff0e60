import type { ContractStatus } from '../../contracts/model.js';
import { fail, ok, type Diagnostic, type Result } from '../../diagnostics.js';
import type { ContextInput, MessageContext } from '../context.js';
import {
  ACTIONS,
  PAYLOAD_KIND,
  type Action,
  type Catalog,
  type ContractPayload,
  type DiscoverPayload,
  type Payload,
  type PayloadFor,
  type RatingCategory,
  type SupportInfoPayload,
} from '../payloads.js';
import { ENERGY_CONTEXT_URL, validateMessage } from '../validate.js';
import { importCatalog, importLegacyIntent, importOrder, isDegExampleDialect } from './deg-import.js';
import { decodeIntent, encodeIntent, type FilterVocabulary } from './intent.js';
import {
  contractFromPack,
  contractToPack,
  deliveryFromPack,
  deliveryToPack,
  isRecord,
  offerFromPack,
  offerToPack,
  placeToWire,
  Reader,
  resourceAttributesFromPack,
  resourceAttributesToPack,
  settlementFromPack,
  settlementToPack,
  unitCodeOf,
  type JsonObject,
} from './packs.js';
import type { ParsedMessage, ParseOptions, Profile, WireMessage } from './types.js';
import { contextInputOf, readContext, SNAKE, writeContext } from './wire-context.js';

/**
 * The order-centric draft the DEG examples use (`reference/beckn-core-v2-order`): snake_case
 * context, discover as `filters`/`spatial`, `message.catalogs` of `beckn:Catalog` with
 * `beckn:items` and `beckn:offers`, and `message.order` (`beckn:Order`) in select … on_status with
 * the EnergyContract pack in `beckn:orderAttributes`, the EnergyDelivery in
 * `beckn:fulfillment.beckn:deliveryAttributes` and the settlement report in
 * `beckn:payment.beckn:paymentAttributes`. The order id is the contractId. Messages in the
 * examples' own older dialect are read too, with warnings for what does not map.
 */

/** JSON-LD context of the Beckn core v2 objects of the draft. */
export const BECKN_CORE_CONTEXT = 'https://raw.githubusercontent.com/beckn/protocol-specifications-new/refs/heads/main/schema/core/v2/context.jsonld';

const VOCABULARY: FilterVocabulary = {
  offer: "@['beckn:offerAttributes']",
  resource: "@['beckn:itemAttributes']",
  geoTarget: "$['beckn:itemAttributes']['location']['geo']",
  dwithin: 's_dwithin',
};

const ORDER_STATUS: Readonly<Record<ContractStatus, string>> = {
  PENDING: 'PENDING',
  ACTIVE: 'CONFIRMED',
  COMPLETED: 'COMPLETED',
  TERMINATED: 'CANCELLED',
};

const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);

const descriptor = (name?: string): JsonObject => ({ '@type': 'beckn:Descriptor', ...(name === undefined ? {} : { 'schema:name': name }) });
const timePeriod = (w: { start: string; end: string }): JsonObject => ({ '@type': 'beckn:TimePeriod', 'schema:startDate': w.start, 'schema:endDate': w.end });
const fromTimePeriod = (p: unknown): { start: string; end: string } => {
  const t = p as { 'schema:startDate': string; 'schema:endDate': string };
  return { start: t['schema:startDate'], end: t['schema:endDate'] };
};

function buildDiscover(p: DiscoverPayload): JsonObject {
  const encoded = encodeIntent(p.intent, VOCABULARY);
  return {
    ...(p.textSearch === undefined ? {} : { text_search: p.textSearch }),
    filters: { type: 'jsonpath', expression: encoded.expression },
    ...(encoded.spatial === undefined ? {} : { spatial: encoded.spatial }),
  };
}

function buildCatalog(c: Catalog, ctx: ContextInput): JsonObject {
  const provider = { 'beckn:id': c.provider.id, 'beckn:descriptor': descriptor(c.provider.name) };
  return {
    '@context': BECKN_CORE_CONTEXT,
    '@type': 'beckn:Catalog',
    'beckn:id': c.catalogId,
    'beckn:descriptor': { ...descriptor(c.name), ...(c.description === undefined ? {} : { 'beckn:longDesc': c.description }) },
    'beckn:providerId': c.provider.id,
    'beckn:bppId': ctx.bppId ?? '',
    'beckn:bppUri': ctx.bppUri ?? '',
    ...(c.validity === undefined ? {} : { 'beckn:validity': timePeriod(c.validity) }),
    'beckn:items': c.resources.map((r) => {
      const location = r.attributes.type === 'EnergyResource' ? r.attributes.value.location : undefined;
      return {
        '@context': BECKN_CORE_CONTEXT,
        '@type': 'beckn:Item',
        'beckn:id': r.resourceId,
        'beckn:descriptor': descriptor(r.name),
        'beckn:provider': provider,
        ...(location === undefined ? {} : { 'beckn:availableAt': [placeToWire(location)] }),
        'beckn:itemAttributes': resourceAttributesToPack(r.attributes),
      };
    }),
    'beckn:offers': c.offers.map((o) => {
      const unitCode = o.price === undefined ? undefined : unitCodeOf(o.price.unit);
      return {
        '@context': BECKN_CORE_CONTEXT,
        '@type': 'beckn:Offer',
        'beckn:id': o.offerId,
        'beckn:descriptor': descriptor(o.name),
        'beckn:provider': c.provider.id,
        'beckn:items': o.resourceIds,
        ...(o.validity === undefined ? {} : { 'beckn:validity': timePeriod(o.validity) }),
        ...(o.price === undefined
          ? {}
          : {
              'beckn:price': {
                currency: o.price.currency,
                value: o.price.value,
                applicableQuantity: { unitText: o.price.unit, ...(unitCode === undefined ? {} : { unitCode }), unitQuantity: 1 },
              },
            }),
        'beckn:offerAttributes': offerToPack(o.attributes),
      };
    }),
  };
}

function readCatalog(w: unknown): Catalog {
  type Desc = { 'schema:name'?: string; 'beckn:longDesc'?: string };
  const c = w as {
    'beckn:id': string;
    'beckn:descriptor': Desc;
    'beckn:providerId'?: string;
    'beckn:validity'?: unknown;
    'beckn:items': { 'beckn:id': string; 'beckn:descriptor': Desc; 'beckn:provider': { 'beckn:id': string; 'beckn:descriptor': Desc }; 'beckn:itemAttributes': unknown }[];
    'beckn:offers'?: {
      'beckn:id': string;
      'beckn:descriptor': Desc;
      'beckn:items': string[];
      'beckn:validity'?: unknown;
      'beckn:price'?: { currency: string; value: number; applicableQuantity: { unitText: string } };
      'beckn:offerAttributes': unknown;
    }[];
  };
  const firstProvider = c['beckn:items'][0]?.['beckn:provider'];
  const description = c['beckn:descriptor']['beckn:longDesc'];
  return {
    catalogId: c['beckn:id'],
    name: c['beckn:descriptor']['schema:name'] ?? '',
    ...(description === undefined ? {} : { description }),
    provider: { id: c['beckn:providerId'] ?? firstProvider?.['beckn:id'] ?? '', name: firstProvider?.['beckn:descriptor']['schema:name'] ?? '' },
    ...(c['beckn:validity'] === undefined ? {} : { validity: fromTimePeriod(c['beckn:validity']) }),
    resources: c['beckn:items'].map((i) => ({ resourceId: i['beckn:id'], name: i['beckn:descriptor']['schema:name'] ?? '', attributes: resourceAttributesFromPack(i['beckn:itemAttributes']) })),
    offers: (c['beckn:offers'] ?? []).map((o) => {
      const price = o['beckn:price'];
      return {
        offerId: o['beckn:id'],
        name: o['beckn:descriptor']['schema:name'] ?? '',
        resourceIds: o['beckn:items'],
        ...(price === undefined ? {} : { price: { value: price.value, currency: price.currency, unit: price.applicableQuantity.unitText } }),
        ...(o['beckn:validity'] === undefined ? {} : { validity: fromTimePeriod(o['beckn:validity']) }),
        attributes: offerFromPack(o['beckn:offerAttributes']),
      };
    }),
  };
}

function buildOrder(p: ContractPayload, ctx: ContextInput): JsonObject {
  const c = p.contract;
  const d = p.delivery;
  const s = p.settlement;
  return {
    order: {
      '@context': BECKN_CORE_CONTEXT,
      '@type': 'beckn:Order',
      'beckn:id': c.contractId,
      'beckn:orderStatus': ORDER_STATUS[c.status],
      'beckn:seller': p.providerId,
      'beckn:buyer': { '@context': BECKN_CORE_CONTEXT, '@type': 'beckn:Buyer', 'beckn:id': ctx.bapId, 'beckn:role': 'BUYER' },
      'beckn:orderItems': p.resources.map((r) => {
        const unitCode = unitCodeOf(r.unit);
        return { 'beckn:orderedItem': r.resourceId, 'beckn:quantity': { unitText: r.unit, ...(unitCode === undefined ? {} : { unitCode }), unitQuantity: r.quantity } };
      }),
      'beckn:acceptedOffers': [
        {
          '@context': BECKN_CORE_CONTEXT,
          '@type': 'beckn:Offer',
          'beckn:id': p.offerId,
          'beckn:descriptor': descriptor(),
          'beckn:provider': p.providerId,
          'beckn:items': p.resources.map((r) => r.resourceId),
        },
      ],
      ...(d === undefined
        ? {}
        : {
            'beckn:fulfillment': {
              '@context': BECKN_CORE_CONTEXT,
              '@type': 'beckn:Fulfillment',
              'beckn:id': d.deliveryId,
              'beckn:mode': d.chargeDataRecords !== undefined || d.sessionEvents !== undefined ? 'RESERVATION' : 'DELIVERY',
              'beckn:fulfillmentStatus': d.status,
              'beckn:deliveryAttributes': deliveryToPack(d),
            },
          }),
      ...(s === undefined
        ? {}
        : {
            'beckn:payment': {
              '@context': BECKN_CORE_CONTEXT,
              '@type': 'beckn:Payment',
              'beckn:id': s.reportId,
              'beckn:paymentStatus': s.status === 'FINAL' ? 'SETTLED' : 'PENDING',
              'beckn:paymentAttributes': settlementToPack(s),
            },
          }),
      'beckn:orderAttributes': contractToPack(c),
    },
  };
}

function readOrder(w: unknown): ContractPayload {
  const o = w as {
    'beckn:seller': string;
    'beckn:orderItems': { 'beckn:orderedItem': string; 'beckn:quantity': { unitText: string; unitQuantity: number } }[];
    'beckn:acceptedOffers': [{ 'beckn:id': string }];
    'beckn:fulfillment'?: { 'beckn:deliveryAttributes': unknown };
    'beckn:payment'?: { 'beckn:paymentAttributes': unknown };
    'beckn:orderAttributes': unknown;
  };
  const delivery = o['beckn:fulfillment']?.['beckn:deliveryAttributes'];
  const settlement = o['beckn:payment']?.['beckn:paymentAttributes'];
  return {
    kind: 'contract',
    contract: contractFromPack(o['beckn:orderAttributes']),
    offerId: o['beckn:acceptedOffers'][0]['beckn:id'],
    providerId: o['beckn:seller'],
    resources: o['beckn:orderItems'].map((i) => ({ resourceId: i['beckn:orderedItem'], quantity: i['beckn:quantity'].unitQuantity, unit: i['beckn:quantity'].unitText })),
    ...(delivery === undefined ? {} : { delivery: deliveryFromPack(delivery) }),
    ...(settlement === undefined ? {} : { settlement: settlementFromPack(settlement) }),
  };
}

function buildSupportInfo(p: SupportInfoPayload): JsonObject {
  const channels = [...(p.phone === undefined ? [] : ['PHONE']), ...(p.email === undefined ? [] : ['EMAIL']), ...(p.url === undefined ? [] : ['WEB'])];
  return {
    support: {
      '@context': BECKN_CORE_CONTEXT,
      '@type': 'beckn:SupportInfo',
      ...(p.name === undefined ? {} : { name: p.name }),
      ...(p.phone === undefined ? {} : { phone: p.phone }),
      ...(p.email === undefined ? {} : { email: p.email }),
      ...(p.url === undefined ? {} : { url: p.url }),
      ...(channels.length === 0 ? {} : { channels }),
    },
  };
}

function buildMessage(ctx: ContextInput, p: Payload): JsonObject {
  switch (p.kind) {
    case 'discover':
      return buildDiscover(p);
    case 'catalog':
      return { catalogs: p.catalogs.map((c) => buildCatalog(c, ctx)) };
    case 'contract':
      return buildOrder(p, ctx);
    case 'contractRef':
      return { order: { 'beckn:id': p.contractId } };
    case 'trackRequest':
      return { tracking: { id: p.contractId, callbackUrl: p.callbackUrl } };
    case 'tracking':
      return { tracking: { id: p.contractId, url: p.url, trackingStatus: p.active ? 'ACTIVE' : 'DISABLED' } };
    case 'rating':
      return {
        ratings: p.ratings.map((r) => ({
          '@context': BECKN_CORE_CONTEXT,
          '@type': 'beckn:RatingInput',
          id: r.targetId,
          ratingValue: r.value,
          bestRating: r.best,
          worstRating: r.worst,
          category: r.category,
          ...(r.comment === undefined ? {} : { feedback: { comments: r.comment } }),
        })),
      };
    case 'ratingReceipt':
      return { received: true, ...(p.aggregate === undefined ? {} : { aggregate: p.aggregate }) };
    case 'supportRequest':
      return { refId: p.refId, refType: p.refType };
    case 'supportInfo':
      return buildSupportInfo(p);
  }
}

function readPayload(action: Action, m: Record<string, unknown>): Result<Payload> {
  switch (PAYLOAD_KIND[action]) {
    case 'discover': {
      const filters = m['filters'] as { expression: string } | undefined;
      const text = m['text_search'] as string | undefined;
      if (filters === undefined) return fail([{ code: 'intent.unrecognised', path: 'message.filters', message: 'a degsim discover carries its intent as a filter' }]);
      const decoded = decodeIntent(filters.expression, m['spatial'], VOCABULARY, 'message.filters.expression');
      if (decoded.intent === undefined) return fail(decoded.errors);
      return ok({ kind: 'discover', intent: decoded.intent, ...(text === undefined ? {} : { textSearch: text }) });
    }
    case 'catalog':
      return ok({ kind: 'catalog', catalogs: (m['catalogs'] as unknown[]).map(readCatalog) });
    case 'contract':
      return ok(readOrder(m['order']));
    case 'contractRef':
      return ok({ kind: 'contractRef', contractId: (m['order'] as { 'beckn:id': string })['beckn:id'] });
    case 'trackRequest': {
      const t = m['tracking'] as { id: string; callbackUrl: string };
      return ok({ kind: 'trackRequest', contractId: t.id, callbackUrl: t.callbackUrl });
    }
    case 'tracking': {
      const t = m['tracking'] as { id: string; url: string; trackingStatus: string };
      return ok({ kind: 'tracking', contractId: t.id, url: t.url, active: t.trackingStatus === 'ACTIVE' });
    }
    case 'rating': {
      const ratings = m['ratings'] as { id: string; ratingValue: number; bestRating: number; worstRating: number; category: RatingCategory; feedback?: { comments?: string } }[];
      return ok({
        kind: 'rating',
        ratings: ratings.map((r) => ({
          targetId: r.id,
          category: r.category,
          value: r.ratingValue,
          best: r.bestRating,
          worst: r.worstRating,
          ...(r.feedback?.comments === undefined ? {} : { comment: r.feedback.comments }),
        })),
      });
    }
    case 'ratingReceipt': {
      const a = m['aggregate'] as { targetId: string; count: number; value: number; best: number; worst: number } | undefined;
      return ok({ kind: 'ratingReceipt', ...(a === undefined ? {} : { aggregate: { targetId: a.targetId, count: a.count, value: a.value, best: a.best, worst: a.worst } }) });
    }
    case 'supportRequest':
      return ok({ kind: 'supportRequest', refId: m['refId'] as string, refType: m['refType'] as RatingCategory });
    case 'supportInfo': {
      const s = m['support'] as { name?: string; phone?: string; email?: string; url?: string };
      return ok({
        kind: 'supportInfo',
        ...(s.name === undefined ? {} : { name: s.name }),
        ...(s.phone === undefined ? {} : { phone: s.phone }),
        ...(s.email === undefined ? {} : { email: s.email }),
        ...(s.url === undefined ? {} : { url: s.url }),
      });
    }
  }
}

/** Reads a message in the DEG examples' own dialect; warnings say what did not map. */
function readExampleDialect(wire: unknown, ctx: MessageContext): Result<Payload> {
  const r = new Reader();
  const m = (wire as { message: Record<string, unknown> }).message;
  let payload: Payload | undefined;
  switch (PAYLOAD_KIND[ctx.action]) {
    case 'discover': {
      const intent = r.obj(m['intent'], 'message.intent');
      if (intent !== undefined) {
        const legacy = importLegacyIntent(r, intent, 'message.intent');
        payload = { kind: 'discover', ...legacy };
      }
      break;
    }
    case 'catalog': {
      const catalogs = (r.arr(m['catalogs'], 'message.catalogs') ?? []).map((c, i) => importCatalog(r, c, `message.catalogs[${i}]`, ctx.timestamp));
      if (catalogs.every((c): c is Catalog => c !== undefined)) payload = { kind: 'catalog', catalogs };
      break;
    }
    case 'contract':
      payload = importOrder(r, m['order'], 'message.order', ctx);
      break;
    case 'contractRef': {
      const order = r.obj(m['order'], 'message.order');
      const id = order === undefined ? undefined : r.str(order['beckn:id'], 'message.order.beckn:id');
      if (id !== undefined) payload = { kind: 'contractRef', contractId: id };
      break;
    }
    default:
      r.error('message', `the examples' dialect is not read for ${ctx.action}`);
  }
  if (payload === undefined || r.errors.length > 0) return fail(r.errors);
  return ok(payload, r.warnings);
}

function actionOf(wireAction: string): Action | undefined {
  return ACTION_SET.has(wireAction) ? (wireAction as Action) : undefined;
}

/** The DEG order-draft profile. */
export const degOrderDraft: Profile = {
  id: 'deg-order-draft',
  version: '2.0.0',
  wireAction: (action) => action,
  actionOf,
  endpointPath: (action) => `/beckn/${action}`,
  build<A extends Action>(action: A, context: ContextInput, payload: PayloadFor<A>): WireMessage {
    if (context.action !== action) throw new TypeError(`context.action ${context.action} differs from the action built, ${action}`);
    const p = payload as Payload;
    if (PAYLOAD_KIND[action] !== p.kind) throw new TypeError(`${action} carries a ${PAYLOAD_KIND[action]} payload, not ${p.kind}`);
    return { context: writeContext(context, action, '2.0.0', SNAKE, [ENERGY_CONTEXT_URL]), message: buildMessage(context, p) };
  },
  parse(wire: unknown, options?: ParseOptions): Result<ParsedMessage> {
    let diagnostics: Diagnostic[] = [];
    if (options?.assumeValid !== true) diagnostics = validateMessage(wire, 'deg-order-draft');
    const ctx = readContext(wire, 'deg-order-draft', SNAKE, actionOf);
    if (!ctx.ok) return fail([...diagnostics, ...ctx.errors.filter((e) => !diagnostics.some((d) => d.path === e.path))]);
    let payload: Result<Payload>;
    let warnings: readonly Diagnostic[] = [];
    if (diagnostics.length === 0) payload = readPayload(ctx.value.action, (wire as { message: Record<string, unknown> }).message);
    else if (isRecord(wire) && isDegExampleDialect(wire)) {
      payload = readExampleDialect(wire, ctx.value);
      if (!payload.ok) return fail([...diagnostics, ...payload.errors]);
      warnings = [
        { code: 'import.dialect', path: 'message', message: `read in the DEG examples' dialect: ${diagnostics.length} schema problem(s) of the degsim profile ignored` },
        ...payload.warnings,
      ];
    } else return fail(diagnostics);
    if (!payload.ok) return payload;
    return ok({ profile: 'deg-order-draft', action: ctx.value.action, context: contextInputOf(ctx.value), payload: payload.value } as ParsedMessage, warnings);
  },
  contextOf: (wire) => readContext(wire, 'deg-order-draft', SNAKE, actionOf),
};
