import {
  LEDGER_KINDS,
  STANDARD_ROLES,
  type ContractRole,
  type ContractStatus,
  type EnergyContract,
  type InputParameter,
  type InputSignal,
  type LedgerKind,
  type RevenueFlow,
  type RoleInputValue,
  type RoleName,
  type SignalType,
  type TelemetrySource,
  type TelemetrySourceType,
} from '../../contracts/model.js';
import type { OfferCurve } from '../../market/curve-types.js';
import type {
  Catalog,
  CatalogOffer,
  CommittedResource,
  ContractPayload,
  DeliveryStatus,
  DiscoverIntent,
  EnergyDelivery,
  EnergyOffer,
  PricingModel,
  SettlementLine,
  SettlementReport,
  SignalValue,
  TimeWindow,
} from '../payloads.js';
import { isRecord, Reader } from './packs.js';

/**
 * Reading the dialect of the published DEG examples (`reference/deg-examples/`) into degsim's
 * domain payloads. Those messages predate the packs degsim emits: contracts are
 * `EnergyContractP2PTrade` / `EnergyTradeContract` with single-formula flows and free-form
 * parameters, orders use `beckn:items`/`beckn:fulfillments`, discover uses a legacy `intent`.
 * Everything that maps is kept; what cannot be represented is dropped with a warning naming it,
 * and every assumption made is a warning too — nothing is invented silently.
 */

const ROLE_SET: ReadonlySet<string> = new Set(STANDARD_ROLES);
const STATUS_SET: ReadonlySet<string> = new Set(['PENDING', 'ACTIVE', 'COMPLETED', 'TERMINATED']);
const SIGNAL_TYPES: ReadonlySet<string> = new Set(['PRICE', 'STATE', 'COMMAND', 'FREQUENCY', 'AGC_SETPOINT']);
const TELEMETRY_TYPES: ReadonlySet<string> = new Set(['METER_READING', 'CHARGE_DATA_RECORD', 'INVERTER_DATA', 'BATTERY_STATE', 'VIRTUAL_METER']);
const DELIVERY_STATUS: ReadonlySet<string> = new Set(['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED']);
const PRICING_MODELS: ReadonlySet<string> = new Set(['PAY_AS_CLEAR', 'PAY_AS_BID', 'PER_KWH', 'TIME_OF_DAY', 'SUBSCRIPTION', 'FIXED']);

/** Contract pack types of the DEG examples that this importer reads. */
export const DEG_CONTRACT_TYPES: ReadonlySet<string> = new Set(['EnergyContractP2PTrade', 'EnergyTradeContract', 'EnergyContract']);

/** Keys that mark an order in the examples' older order shape. */
const LEGACY_ORDER_KEYS = ['beckn:items', 'beckn:offers', 'beckn:provider', 'beckn:fulfillments', 'beckn:payments'];

/** True when a message is in the DEG examples' dialect rather than degsim's own packs. */
export function isDegExampleDialect(wire: unknown): boolean {
  if (!isRecord(wire) || !isRecord(wire['message'])) return false;
  const m = wire['message'];
  if (isRecord(m['intent'])) return true;
  const order = m['order'];
  if (isRecord(order)) {
    if (LEGACY_ORDER_KEYS.some((k) => k in order)) return true;
    if (typeof order['@context'] === 'string' && order['@context'].includes('/refs/heads/draft/')) return true;
    const attrs = order['beckn:orderAttributes'];
    if (isRecord(attrs) && attrs['@type'] !== 'EnergyContract') return true;
  }
  const catalogs = m['catalogs'];
  if (Array.isArray(catalogs)) {
    return catalogs.some((c) => isRecord(c) && (!('beckn:items' in c) || (typeof c['@context'] === 'string' && c['@context'].includes('/refs/heads/draft/'))));
  }
  return false;
}

/** Unit guessed from a parameter name's suffix (`approvedMaxTradeKW` → kW), '' when there is none. */
function unitFromName(name: string): string {
  if (/PerKWh$/i.test(name)) return 'per kWh';
  if (/KWh$/i.test(name)) return 'kWh';
  if (/KW$/i.test(name)) return 'kW';
  if (/Percent$/i.test(name)) return '%';
  if (/Minutes$/i.test(name)) return 'min';
  return '';
}

function isOfferCurve(v: unknown): v is OfferCurve {
  return (
    isRecord(v) &&
    typeof v['currency'] === 'string' &&
    typeof v['minExport'] === 'number' &&
    typeof v['maxExport'] === 'number' &&
    Array.isArray(v['curve']) &&
    v['curve'].every((p) => isRecord(p) && typeof p['price'] === 'number' && typeof p['powerKW'] === 'number')
  );
}

function importRoleInputs(r: Reader, v: unknown, path: string): Record<string, RoleInputValue> {
  const out: Record<string, RoleInputValue> = {};
  const inputs = r.obj(v, path, false);
  if (inputs === undefined) return out;
  for (const [k, x] of Object.entries(inputs)) {
    if (x === null || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean') out[k] = x;
    else if (isOfferCurve(x)) out[k] = { currency: x.currency, minExport: x.minExport, maxExport: x.maxExport, curve: x.curve.map((p) => ({ price: p.price, powerKW: p.powerKW })) };
    else if (isRecord(x) && Object.values(x).every((y) => typeof y === 'number')) {
      for (const [sub, y] of Object.entries(x)) out[`${k}.${sub}`] = y as number;
      r.warn(`${path}.${k}`, `map of numbers flattened into role inputs ${k}.<key>`, 'import.flattened');
    } else r.warn(`${path}.${k}`, 'dropped: not a number, string, boolean, null or offer curve', 'import.dropped');
  }
  return out;
}

function flowKind(text: string): LedgerKind {
  const t = text.toLowerCase();
  if (t.includes('wheeling')) return 'wheeling';
  if (t.includes('deviation') || t.includes('penalt')) return 'deviation';
  if (t.includes('tax')) return 'tax';
  if (t.includes('fee') && !t.includes('clearingprice')) return 'fee';
  return 'energy';
}

export interface ImportedContract {
  readonly contract: EnergyContract;
  readonly signalValues: readonly SignalValue[];
}

/**
 * Reads a contract pack of the DEG examples. `fallback` supplies what older packs lack (the id,
 * creation time and currency come from the order and context when the pack has none).
 */
export function importContract(
  r: Reader,
  v: unknown,
  path: string,
  fallback: { readonly contractId: string; readonly createdAt: string },
): ImportedContract | undefined {
  const p = r.obj(v, path);
  if (p === undefined) return undefined;
  const type = typeof p['@type'] === 'string' ? p['@type'] : 'EnergyContract';
  if (type === 'EnergyTradeContract') return importTradeContract(r, p, path, fallback);
  const contractId = r.str(p['contractId'], `${path}.contractId`) ?? fallback.contractId;
  const statusText = r.str(p['status'], `${path}.status`) ?? 'PENDING';
  if (!STATUS_SET.has(statusText)) r.error(`${path}.status`, `unknown contract status ${statusText}`);
  const createdAt = r.str(p['createdAt'], `${path}.createdAt`) ?? fallback.createdAt;
  const roles: ContractRole[] = [];
  for (const [i, x] of (r.arr(p['roles'], `${path}.roles`) ?? []).entries()) {
    const rp = `${path}.roles[${i}]`;
    const role = r.obj(x, rp);
    if (role === undefined) continue;
    const name = r.str(role['role'], `${rp}.role`);
    if (name === undefined) continue;
    if (!ROLE_SET.has(name)) {
      r.error(`${rp}.role`, `role ${name} is not one degsim can settle`);
      continue;
    }
    const filledBy = typeof role['filledBy'] === 'string' ? role['filledBy'] : undefined;
    const filled = role['filled'] === true && filledBy !== undefined;
    const roleInputs = importRoleInputs(r, role['roleInputs'], `${rp}.roleInputs`);
    roles.push({ role: name as RoleName, filled, ...(filled ? { filledBy } : {}), ...(Object.keys(roleInputs).length === 0 ? {} : { roleInputs }) });
  }
  let currency: string | undefined = typeof p['currency'] === 'string' ? p['currency'] : undefined;
  for (const role of roles) for (const x of Object.values(role.roleInputs ?? {})) if (currency === undefined && isRecord(x)) currency = (x as OfferCurve).currency;
  const signals: InputSignal[] = [];
  const signalValues: SignalValue[] = [];
  for (const [i, x] of (r.arr(p['inputSignals'], `${path}.inputSignals`, false) ?? []).entries()) {
    const sp = `${path}.inputSignals[${i}]`;
    const s = r.obj(x, sp);
    if (s === undefined) continue;
    const signalId = r.str(s['signalId'], `${sp}.signalId`);
    const signalType = r.str(s['signalType'], `${sp}.signalType`);
    const source = r.obj(s['source'], `${sp}.source`);
    const era = source === undefined ? undefined : r.str(source['era'], `${sp}.source.era`);
    const unit = r.str(s['unit'], `${sp}.unit`, false) ?? '';
    if (signalId === undefined || signalType === undefined || era === undefined) continue;
    if (!SIGNAL_TYPES.has(signalType)) {
      r.error(`${sp}.signalType`, `unknown signal type ${signalType}`);
      continue;
    }
    const endpoint = source !== undefined && typeof source['endpoint'] === 'string' ? source['endpoint'] : undefined;
    const description = typeof s['description'] === 'string' ? s['description'] : undefined;
    signals.push({ signalId, signalType: signalType as SignalType, source: { era, ...(endpoint === undefined ? {} : { endpoint }) }, unit, ...(description === undefined ? {} : { description }) });
    if (currency === undefined && /^[A-Z]{3}\//.test(unit)) currency = unit.slice(0, 3);
    if (typeof s['value'] === 'number') {
      const observedAt = typeof s['timestamp'] === 'string' ? s['timestamp'] : createdAt;
      signalValues.push({ signalId, value: s['value'], unit, observedAt });
    }
  }
  if (currency === undefined) {
    r.warn(`${path}.currency`, 'no currency in the pack, its curves or its signals; XXX (no currency) assumed', 'import.assumed');
    currency = 'XXX';
  }
  const inputParameters: Record<string, InputParameter> = {};
  let validity: TimeWindow | undefined;
  const params = r.obj(p['inputParameters'], `${path}.inputParameters`, false) ?? {};
  for (const [k, x] of Object.entries(params)) {
    if (k === 'validityWindow' && isRecord(x) && typeof x['startTime'] === 'string' && typeof x['endTime'] === 'string') {
      validity = { start: x['startTime'], end: x['endTime'] };
    } else if (typeof x === 'number') {
      const unit = unitFromName(k);
      inputParameters[k] = { value: x, unit };
      if (unit === '') r.warn(`${path}.inputParameters.${k}`, 'no unit given; left empty', 'import.assumed');
    } else r.warn(`${path}.inputParameters.${k}`, 'dropped: contract parameters are numbers with a unit', 'import.dropped');
  }
  const telemetrySources: TelemetrySource[] = [];
  for (const [i, x] of (r.arr(p['telemetrySources'], `${path}.telemetrySources`, false) ?? []).entries()) {
    const tp = `${path}.telemetrySources[${i}]`;
    const t = r.obj(x, tp);
    if (t === undefined) continue;
    const sourceId = r.str(t['sourceId'], `${tp}.sourceId`);
    const sourceType = r.str(t['sourceType'], `${tp}.sourceType`);
    const src = r.obj(t['source'], `${tp}.source`, false) ?? {};
    const era = typeof src['era'] === 'string' ? src['era'] : '';
    if (sourceId === undefined || sourceType === undefined) continue;
    if (!TELEMETRY_TYPES.has(sourceType)) {
      r.error(`${tp}.sourceType`, `unknown telemetry source type ${sourceType}`);
      continue;
    }
    const fields = Array.isArray(t['fields']) ? t['fields'].filter((f): f is string => typeof f === 'string') : [];
    telemetrySources.push({
      sourceId,
      sourceType: sourceType as TelemetrySourceType,
      source: { era, ...(typeof src['meterId'] === 'string' ? { meterId: src['meterId'] } : {}), ...(typeof src['endpoint'] === 'string' ? { endpoint: src['endpoint'] } : {}) },
      fields,
    });
  }
  const flows: RevenueFlow[] = [];
  const logic = r.obj(p['revenueFlows'], `${path}.revenueFlows`, false);
  for (const [i, x] of (logic === undefined ? [] : (r.arr(logic['flows'], `${path}.revenueFlows.flows`) ?? [])).entries()) {
    const fp = `${path}.revenueFlows.flows[${i}]`;
    const f = r.obj(x, fp);
    if (f === undefined) continue;
    const from = r.str(f['from'], `${fp}.from`);
    const to = r.str(f['to'], `${fp}.to`);
    if (from === undefined || to === undefined) continue;
    if (!ROLE_SET.has(from) || !ROLE_SET.has(to)) {
      r.error(fp, `flow between unknown roles ${from} → ${to}`);
      continue;
    }
    const description = typeof f['description'] === 'string' ? f['description'] : undefined;
    if (typeof f['quantity'] === 'string' && typeof f['rate'] === 'string') {
      const kind = typeof f['kind'] === 'string' && (LEDGER_KINDS as readonly string[]).includes(f['kind']) ? (f['kind'] as LedgerKind) : flowKind(`${f['rate']} ${description ?? ''}`);
      flows.push({
        flowId: typeof f['flowId'] === 'string' ? f['flowId'] : `flow-${i + 1}`,
        kind,
        from: from as RoleName,
        to: to as RoleName,
        quantity: f['quantity'],
        unit: typeof f['unit'] === 'string' ? f['unit'] : '',
        rate: f['rate'],
        ...(typeof f['condition'] === 'string' ? { condition: f['condition'] } : {}),
        ...(description === undefined ? {} : { description }),
      });
      continue;
    }
    const formula = r.str(f['formula'], `${fp}.formula`);
    if (formula === undefined) continue;
    const kind = flowKind(`${formula} ${description ?? ''}`);
    r.warn(fp, `single formula kept as the rate of one unit (quantity "1"); kind ${kind} inferred from its text`, 'import.assumed');
    flows.push({
      flowId: `flow-${i + 1}`,
      kind,
      from: from as RoleName,
      to: to as RoleName,
      quantity: '1',
      unit: 'each',
      rate: formula.replaceAll('×', '*'),
      ...(description === undefined ? {} : { description }),
    });
  }
  const metrics = isRecord(p['qualityMetrics']) && Array.isArray(p['qualityMetrics']['metrics']) ? p['qualityMetrics']['metrics'] : [];
  if (metrics.length > 0) r.warn(`${path}.qualityMetrics`, 'dropped: quality metrics are not part of degsim contracts', 'import.dropped');
  if (type !== 'EnergyContract') r.warn(`${path}.@type`, `${type} read as an EnergyContract; template set to ${type}`, 'import.dialect');
  const contract: EnergyContract = {
    contractId,
    status: (STATUS_SET.has(statusText) ? statusText : 'PENDING') as ContractStatus,
    createdAt,
    currency,
    roles,
    ...(type === 'EnergyContract' ? (typeof p['template'] === 'string' ? { template: p['template'] } : {}) : { template: type }),
    ...(validity === undefined ? {} : { validity }),
    ...(Object.keys(inputParameters).length === 0 ? {} : { inputParameters }),
    ...(signals.length === 0 ? {} : { inputSignals: signals }),
    ...(telemetrySources.length === 0 ? {} : { telemetrySources }),
    revenueFlows: { flows, netZero: true },
  };
  return { contract, signalValues };
}

/** The v0.2 `EnergyTradeContract`: a completed trade with a settlement block and no roles. */
function importTradeContract(r: Reader, p: Record<string, unknown>, path: string, fallback: { contractId: string; createdAt: string }): ImportedContract {
  const status = typeof p['contractStatus'] === 'string' && STATUS_SET.has(p['contractStatus']) ? (p['contractStatus'] as ContractStatus) : 'PENDING';
  const settlement = isRecord(p['settlement']) ? p['settlement'] : {};
  const flows = Array.isArray(settlement['revenueFlows']) ? settlement['revenueFlows'] : [];
  const roles: ContractRole[] = [];
  let currency: string | undefined;
  for (const f of flows) {
    if (!isRecord(f) || !isRecord(f['party'])) continue;
    const role = f['party']['role'];
    const era = f['party']['era'];
    if (typeof f['currency'] === 'string') currency ??= f['currency'];
    if (typeof role === 'string' && ROLE_SET.has(role) && typeof era === 'string' && !roles.some((x) => x.role === role)) {
      roles.push({ role: role as RoleName, filled: true, filledBy: era });
    }
  }
  r.warn(path, 'EnergyTradeContract v0.2 read as an EnergyContract: roles from its settlement parties, no revenue flow formulas', 'import.dialect');
  return {
    contract: {
      contractId: typeof p['contractId'] === 'string' ? p['contractId'] : fallback.contractId,
      status,
      createdAt: fallback.createdAt,
      currency: currency ?? 'XXX',
      roles,
      template: 'EnergyTradeContract',
      revenueFlows: { flows: [], netZero: true },
    },
    signalValues: [],
  };
}

/**
 * The settlement block of a v0.2 `EnergyTradeContract`: each revenue flow names only the party
 * paid, so the payer is taken to be `payer` (the BAP's party, the buyer in those examples) — a
 * warning says so. Quantities are not given: each line is one unit at its amount.
 */
export function importTradeSettlement(r: Reader, pack: unknown, path: string, contractId: string, payer: string, period: TimeWindow): SettlementReport | undefined {
  if (!isRecord(pack) || !isRecord(pack['settlement'])) return undefined;
  const s = pack['settlement'];
  const report = isRecord(s['settlementReport']) ? s['settlementReport'] : {};
  const lines: SettlementLine[] = [];
  const flows = Array.isArray(s['revenueFlows']) ? s['revenueFlows'] : [];
  const currency = typeof report['currency'] === 'string' ? report['currency'] : 'XXX';
  flows.forEach((f, i) => {
    if (!isRecord(f) || !isRecord(f['party']) || typeof f['amount'] !== 'number' || typeof f['party']['era'] !== 'string') return;
    const role = f['party']['role'];
    const description = typeof f['description'] === 'string' ? f['description'] : undefined;
    lines.push({
      flowId: `flow-${i + 1}`,
      kind: flowKind(description ?? ''),
      payer,
      payee: f['party']['era'],
      ...(typeof role === 'string' && ROLE_SET.has(role) ? { payeeRole: role as RoleName } : {}),
      quantity: 1,
      unit: 'each',
      ratePerUnit: f['amount'],
      amount: f['amount'].toFixed(2),
      currency,
      formula: description ?? 'amount as reported',
      inputs: {},
      ...(description === undefined ? {} : { description }),
    });
  });
  r.warn(`${path}.settlement`, `payer of every line assumed to be ${payer}: the DEG settlement names only the party paid`, 'import.assumed');
  const totals = new Map<string, { paid: number; received: number }>();
  for (const l of lines) {
    const a = Number(l.amount);
    const p = totals.get(l.payer) ?? { paid: 0, received: 0 };
    totals.set(l.payer, { paid: p.paid + a, received: p.received });
    const q = totals.get(l.payee) ?? { paid: 0, received: 0 };
    totals.set(l.payee, { paid: q.paid, received: q.received + a });
  }
  return {
    reportId: typeof report['reportId'] === 'string' ? report['reportId'] : `${contractId}/settlement`,
    contractId,
    period,
    currency,
    status: 'FINAL',
    generatedAt: typeof report['generatedAt'] === 'string' ? report['generatedAt'] : period.end,
    lines,
    totals: [...totals].map(([party, t]) => ({ party, paid: t.paid.toFixed(2), received: t.received.toFixed(2), net: (t.received - t.paid).toFixed(2) })),
  };
}

/** A fulfilment of the examples (`beckn:fulfillments[0]`) as an EnergyDelivery, when it has an id. */
export function importDelivery(r: Reader, v: unknown, path: string, signalValues: readonly SignalValue[]): EnergyDelivery | undefined {
  const f = r.obj(v, path, false);
  if (f === undefined) {
    if (signalValues.length > 0) r.warn(path, 'signal values dropped: the order has no fulfilment to carry them', 'import.dropped');
    return undefined;
  }
  const deliveryId = r.str(f['beckn:id'], `${path}.beckn:id`) ?? '';
  const attrs = isRecord(f['beckn:attributes']) ? f['beckn:attributes'] : undefined;
  const state = isRecord(f['beckn:state']) && isRecord(f['beckn:state']['beckn:descriptor']) ? f['beckn:state']['beckn:descriptor']['schema:name'] : undefined;
  const statusText = attrs !== undefined && typeof attrs['deliveryStatus'] === 'string' ? attrs['deliveryStatus'] : state;
  const status: DeliveryStatus = typeof statusText === 'string' && DELIVERY_STATUS.has(statusText) ? (statusText as DeliveryStatus) : 'PENDING';
  let window: TimeWindow | undefined;
  if (attrs !== undefined) {
    if (typeof attrs['deliveryStartTime'] === 'string' && typeof attrs['deliveryEndTime'] === 'string') window = { start: attrs['deliveryStartTime'], end: attrs['deliveryEndTime'] };
    for (const k of ['meterReadings', 'telemetry', 'settlementCycles']) {
      if (Array.isArray(attrs[k]) && attrs[k].length > 0) r.warn(`${path}.beckn:attributes.${k}`, `dropped: the example's ${k} do not say which meter and interval they measure`, 'import.dropped');
    }
  }
  return { deliveryId, status, ...(window === undefined ? {} : { window }), ...(signalValues.length === 0 ? {} : { signalValues }) };
}

/** The legacy discover intent of the pay-as-clear example: an energy market over a delivery window. */
export function importLegacyIntent(r: Reader, v: Record<string, unknown>, path: string): { intent: DiscoverIntent; textSearch?: string } {
  const item = isRecord(v['item']) && isRecord(v['item']['descriptor']) ? v['item']['descriptor'] : {};
  const name = typeof item['name'] === 'string' ? item['name'] : undefined;
  let window: TimeWindow | undefined;
  const fulfillment = isRecord(v['fulfillment']) ? v['fulfillment'] : {};
  for (const stop of Array.isArray(fulfillment['stops']) ? fulfillment['stops'] : []) {
    const range = isRecord(stop) && isRecord(stop['time']) && isRecord(stop['time']['range']) ? stop['time']['range'] : undefined;
    if (range !== undefined && typeof range['start'] === 'string' && typeof range['end'] === 'string') window ??= { start: range['start'], end: range['end'] };
    if (isRecord(stop) && isRecord(stop['location'])) r.warn(`${path}.fulfillment.stops`, 'dropped: the meter named in a discover stop is not a catalogue filter', 'import.dropped');
  }
  r.warn(path, 'legacy discover intent read as an energy-market intent', 'import.dialect');
  return { intent: { seek: 'energy-market', ...(window === undefined ? {} : { window }) }, ...(name === undefined ? {} : { textSearch: name }) };
}

/** An EnergyOffer pack of the examples. */
export function importOffer(r: Reader, v: unknown, path: string, createdAt: string): EnergyOffer | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const offerId = r.str(o['offerId'], `${path}.offerId`);
  const contractId = r.str(o['contractId'], `${path}.contractId`);
  const providerId = r.str(o['providerId'], `${path}.providerId`);
  const providerUri = r.str(o['providerUri'], `${path}.providerUri`);
  const openRole = r.str(o['openRole'], `${path}.openRole`);
  if (offerId === undefined || contractId === undefined || providerId === undefined || providerUri === undefined || openRole === undefined) return undefined;
  if (!ROLE_SET.has(openRole)) {
    r.error(`${path}.openRole`, `unknown role ${openRole}`);
    return undefined;
  }
  const contract = o['contract'] === undefined ? undefined : importContract(r, o['contract'], `${path}.contract`, { contractId, createdAt });
  const summary = typeof o['contractSummary'] === 'string' ? o['contractSummary'] : isRecord(o['contractSummary']) && typeof o['contractSummary']['description'] === 'string' ? o['contractSummary']['description'] : undefined;
  const params = isRecord(o['contract']) && isRecord(o['contract']['inputParameters']) ? o['contract']['inputParameters'] : {};
  const pricingModel = typeof params['pricingModel'] === 'string' && PRICING_MODELS.has(params['pricingModel']) ? (params['pricingModel'] as PricingModel) : undefined;
  if (pricingModel === 'PAY_AS_CLEAR') r.warn(`${path}.contract.inputParameters.pricingModel`, 'PAY_AS_CLEAR offer read as a MARKET_PARTICIPATION service', 'import.assumed');
  return {
    offerId,
    contractId,
    providerId,
    providerUri,
    openRole: openRole as RoleName,
    ...(pricingModel === undefined ? {} : { pricingModel }),
    ...(pricingModel === 'PAY_AS_CLEAR' ? { service: 'MARKET_PARTICIPATION' as const } : {}),
    ...(summary === undefined ? {} : { summary }),
    ...(contract === undefined ? {} : { contract: contract.contract }),
  };
}

/** A catalogue of the examples: offers (with EnergyOffer packs) and possibly no items. */
export function importCatalog(r: Reader, v: unknown, path: string, createdAt: string): Catalog | undefined {
  const c = r.obj(v, path);
  if (c === undefined) return undefined;
  const catalogId = r.str(c['beckn:id'], `${path}.beckn:id`) ?? '';
  const descriptor = isRecord(c['beckn:descriptor']) ? c['beckn:descriptor'] : {};
  const name = typeof descriptor['schema:name'] === 'string' ? descriptor['schema:name'] : catalogId;
  const description = typeof descriptor['beckn:shortDesc'] === 'string' ? descriptor['beckn:shortDesc'] : undefined;
  const offers: CatalogOffer[] = [];
  let providerId = typeof c['beckn:providerId'] === 'string' ? c['beckn:providerId'] : undefined;
  for (const [i, x] of (r.arr(c['beckn:offers'], `${path}.beckn:offers`, false) ?? []).entries()) {
    const op = `${path}.beckn:offers[${i}]`;
    const o = r.obj(x, op);
    if (o === undefined) continue;
    const attributes = importOffer(r, o['beckn:offerAttributes'], `${op}.beckn:offerAttributes`, createdAt);
    if (attributes === undefined) continue;
    if (typeof o['beckn:provider'] === 'string') providerId ??= o['beckn:provider'];
    const oname = isRecord(o['beckn:descriptor']) && typeof o['beckn:descriptor']['schema:name'] === 'string' ? o['beckn:descriptor']['schema:name'] : attributes.offerId;
    const price = isRecord(o['beckn:price']) ? o['beckn:price'] : undefined;
    const value = price?.['schema:price'] ?? price?.['value'];
    const currency = price?.['schema:priceCurrency'] ?? price?.['currency'];
    const resourceIds = Array.isArray(o['beckn:items']) ? o['beckn:items'].filter((s): s is string => typeof s === 'string') : [];
    offers.push({
      offerId: typeof o['beckn:id'] === 'string' ? o['beckn:id'] : attributes.offerId,
      name: oname,
      resourceIds,
      ...(typeof value === 'number' && typeof currency === 'string' ? { price: { value, currency, unit: typeof price?.['schema:unitText'] === 'string' ? price['schema:unitText'] : 'kWh' } } : {}),
      attributes,
    });
  }
  if (!Array.isArray(c['beckn:items'])) r.warn(`${path}.beckn:items`, 'the catalogue lists no items; degsim catalogues always list their resources', 'import.lossy');
  providerId ??= offers[0]?.attributes.providerId ?? '';
  return { catalogId, name, ...(description === undefined ? {} : { description }), provider: { id: providerId, name: providerId }, resources: [], offers };
}

/** An order of the examples (select … on_status, cascaded init) as a contract payload. */
export function importOrder(r: Reader, v: unknown, path: string, ctx: { readonly timestamp: string; readonly bapId: string; readonly bppId?: string }): ContractPayload | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const orderId = r.str(o['beckn:id'], `${path}.beckn:id`) ?? '';
  const imported = importContract(r, o['beckn:orderAttributes'], `${path}.beckn:orderAttributes`, { contractId: orderId, createdAt: ctx.timestamp });
  if (imported === undefined) return undefined;
  const offers = Array.isArray(o['beckn:offers']) ? o['beckn:offers'] : Array.isArray(o['beckn:acceptedOffers']) ? o['beckn:acceptedOffers'] : [];
  const first = offers[0];
  let offerId = isRecord(first) && typeof first['beckn:id'] === 'string' ? first['beckn:id'] : undefined;
  if (offerId === undefined) {
    r.warn(`${path}.beckn:offers`, 'the order names no offer; offerId left empty', 'import.assumed');
    offerId = '';
  }
  const provider = isRecord(o['beckn:provider']) && typeof o['beckn:provider']['beckn:id'] === 'string' ? o['beckn:provider']['beckn:id'] : typeof o['beckn:seller'] === 'string' ? o['beckn:seller'] : undefined;
  if (provider === undefined) r.warn(`${path}.beckn:provider`, 'the order names no provider; the BPP id is used', 'import.assumed');
  const resources: CommittedResource[] = [];
  for (const x of Array.isArray(o['beckn:items']) ? o['beckn:items'] : []) {
    if (!isRecord(x) || typeof x['beckn:id'] !== 'string') continue;
    const q = isRecord(x['quantity']) ? x['quantity'] : {};
    resources.push({ resourceId: x['beckn:id'], quantity: typeof q['count'] === 'number' ? q['count'] : 0, unit: typeof q['unit'] === 'string' ? q['unit'] : '' });
  }
  for (const x of Array.isArray(o['beckn:orderItems']) ? o['beckn:orderItems'] : []) {
    if (!isRecord(x) || typeof x['beckn:orderedItem'] !== 'string') continue;
    const q = isRecord(x['beckn:quantity']) ? x['beckn:quantity'] : {};
    resources.push({ resourceId: x['beckn:orderedItem'], quantity: typeof q['unitQuantity'] === 'number' ? q['unitQuantity'] : 0, unit: typeof q['unitText'] === 'string' ? q['unitText'] : '' });
  }
  if (resources.length === 0) r.warn(`${path}.beckn:items`, 'the order commits no items', 'import.lossy');
  const fulfillments = Array.isArray(o['beckn:fulfillments']) ? o['beckn:fulfillments'] : [];
  const delivery = importDelivery(r, fulfillments[0], `${path}.beckn:fulfillments[0]`, imported.signalValues);
  const attrs = o['beckn:orderAttributes'];
  const validity = imported.contract.validity ?? { start: imported.contract.createdAt, end: ctx.timestamp };
  const settlement = isRecord(attrs) && attrs['@type'] === 'EnergyTradeContract' ? importTradeSettlement(r, attrs, `${path}.beckn:orderAttributes`, imported.contract.contractId, ctx.bapId, validity) : undefined;
  for (const k of ['beckn:payments', 'beckn:billing', 'beckn:quote', 'beckn:cancellationTerms']) {
    if (k in o) r.warn(`${path}.${k}`, `dropped: ${k} has no place in a degsim contract payload`, 'import.dropped');
  }
  return {
    kind: 'contract',
    contract: imported.contract,
    offerId,
    providerId: provider ?? ctx.bppId ?? '',
    resources,
    ...(delivery === undefined ? {} : { delivery }),
    ...(settlement === undefined ? {} : { settlement }),
  };
}
