import type { Diagnostic } from '../../diagnostics.js';
import type { EnergyContract } from '../../contracts/model.js';
import { ENERGY_CONTEXT_URL } from '../validate.js';
import type {
  ChargeDataRecord,
  EnergyDelivery,
  EnergyOffer,
  EnergyResource,
  Forecast,
  GridNode,
  MeterReading,
  Place,
  SettlementReport,
  Setpoint,
} from '../payloads.js';

/**
 * Conversions between the domain values of `payloads.ts` and the Energy attribute packs on the
 * wire, shared by both profiles: the packs are the same JSON-LD objects whichever core shape
 * carries them. Wire → domain conversions assume a schema-valid pack.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

/** Adds the Energy context and a type to a pack body, context and type first. */
export function ld(type: string, body: object): JsonObject {
  return { '@context': ENERGY_CONTEXT_URL, '@type': type, ...body };
}

/** The pack body without its JSON-LD keywords. */
export function unld<T>(pack: unknown): T {
  const { '@context': _c, '@type': _t, ...rest } = pack as Record<string, unknown>;
  return rest as T;
}

/** A place as Beckn spells a location: GeoJSON Point [longitude, latitude] and an address. */
export function placeToWire(p: Place): JsonObject {
  return { geo: { type: 'Point', coordinates: [p.longitude, p.latitude] }, ...(p.address === undefined ? {} : { address: p.address }) };
}

/** The place of a wire location (a valid GeoJSON Point). */
export function placeFromWire(w: unknown): Place {
  const r = w as { geo: { coordinates: [number, number] }; address?: string };
  const [longitude, latitude] = r.geo.coordinates;
  return { latitude, longitude, ...(r.address === undefined ? {} : { address: r.address }) };
}

/** EnergyResource pack of a resource; its location becomes a GeoJSON point. */
export function energyResourceToPack(r: EnergyResource): JsonObject {
  return ld('EnergyResource', r.location === undefined ? r : { ...r, location: placeToWire(r.location) });
}

/** The resource of a valid EnergyResource pack. */
export function energyResourceFromPack(p: unknown): EnergyResource {
  const body = unld<Record<string, unknown>>(p);
  return (body['location'] === undefined ? body : { ...body, location: placeFromWire(body['location']) }) as unknown as EnergyResource;
}

/** The EnergyContract pack: the model as it is, with @context/@type. */
export const contractToPack = (c: EnergyContract): JsonObject => ld('EnergyContract', c);
/** The contract of a valid EnergyContract pack. */
export const contractFromPack = (p: unknown): EnergyContract => unld<EnergyContract>(p);

/** EnergyOffer pack; a contract template inside becomes an EnergyContract pack. */
export function offerToPack(o: EnergyOffer): JsonObject {
  return ld('EnergyOffer', o.contract === undefined ? o : { ...o, contract: contractToPack(o.contract) });
}

/** The offer of a valid EnergyOffer pack. */
export function offerFromPack(p: unknown): EnergyOffer {
  const body = unld<Record<string, unknown>>(p);
  return (body['contract'] === undefined ? body : { ...body, contract: contractFromPack(body['contract']) }) as unknown as EnergyOffer;
}

/** EnergyDelivery pack; setpoints, readings and CDRs inside become packs of their own. */
export function deliveryToPack(d: EnergyDelivery): JsonObject {
  return ld('EnergyDelivery', {
    ...d,
    ...(d.setpoints === undefined ? {} : { setpoints: d.setpoints.map((s: Setpoint) => ld('Setpoint', s)) }),
    ...(d.meterReadings === undefined ? {} : { meterReadings: d.meterReadings.map((m: MeterReading) => ld('MeterReading', m)) }),
    ...(d.chargeDataRecords === undefined ? {} : { chargeDataRecords: d.chargeDataRecords.map((c: ChargeDataRecord) => ld('ChargeDataRecord', c)) }),
  });
}

/** The delivery of a valid EnergyDelivery pack. */
export function deliveryFromPack(p: unknown): EnergyDelivery {
  const body = unld<Record<string, unknown>>(p);
  const strip = (key: string): object => (Array.isArray(body[key]) ? { [key]: (body[key] as unknown[]).map((x) => unld<object>(x)) } : {});
  return { ...body, ...strip('setpoints'), ...strip('meterReadings'), ...strip('chargeDataRecords') } as unknown as EnergyDelivery;
}

/** The SettlementReport pack. */
export const settlementToPack = (s: SettlementReport): JsonObject => ld('SettlementReport', s);
/** The report of a valid SettlementReport pack. */
export const settlementFromPack = (p: unknown): SettlementReport => unld<SettlementReport>(p);

export type ResourcePack =
  | { readonly type: 'EnergyResource'; readonly value: EnergyResource }
  | { readonly type: 'GridNode'; readonly value: GridNode }
  | { readonly type: 'Forecast'; readonly value: Forecast };

/** The pack of a catalogue resource's attributes, by kind. */
export function resourceAttributesToPack(a: ResourcePack): JsonObject {
  return a.type === 'EnergyResource' ? energyResourceToPack(a.value) : ld(a.type, a.value);
}

/** A catalogue resource's attributes from a valid pack, by its @type. */
export function resourceAttributesFromPack(p: unknown): ResourcePack {
  const type = (p as Record<string, unknown>)['@type'];
  if (type === 'GridNode') return { type, value: unld<GridNode>(p) };
  if (type === 'Forecast') return { type, value: unld<Forecast>(p) };
  return { type: 'EnergyResource', value: energyResourceFromPack(p) };
}

/** UN/CEFACT common code for the units degsim commits in (KWH, KWT), when known. */
export function unitCodeOf(unit: string): string | undefined {
  const codes: Readonly<Record<string, string>> = { kWh: 'KWH', kW: 'KWT', MWh: 'MWH', MW: 'MAW', h: 'HUR', min: 'MIN' };
  return codes[unit];
}

// ---------------------------------------------------------------------------------------------
// Reading untrusted JSON with diagnostics instead of exceptions.
// ---------------------------------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads fields of untrusted JSON, collecting a diagnostic for each missing or mistyped one. */
export class Reader {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];

  /** An error at `path`. */
  error(path: string, message: string, code = 'parse.invalid'): void {
    this.errors.push({ code, path, message });
  }

  /** A warning at `path` (kept in the parse result). */
  warn(path: string, message: string, code = 'parse.lossy'): void {
    this.warnings.push({ code, path, message });
  }

  obj(v: unknown, path: string, required = true): Record<string, unknown> | undefined {
    if (isRecord(v)) return v;
    if (required || v !== undefined) this.error(path, v === undefined ? 'is required but missing' : 'must be an object');
    return undefined;
  }

  arr(v: unknown, path: string, required = true): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    if (required || v !== undefined) this.error(path, v === undefined ? 'is required but missing' : 'must be an array');
    return undefined;
  }

  str(v: unknown, path: string, required = true): string | undefined {
    if (typeof v === 'string') return v;
    if (required || v !== undefined) this.error(path, v === undefined ? 'is required but missing' : 'must be a string');
    return undefined;
  }

  num(v: unknown, path: string, required = true): number | undefined {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (required || v !== undefined) this.error(path, v === undefined ? 'is required but missing' : 'must be a number');
    return undefined;
  }
}

export { isRecord };
