import type { Result } from '../../src/diagnostics.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { cpoSession } from '../../src/contracts/templates/index.js';
import type { CatalogPayload, CatalogResource, DiscoverIntent, EnergyResource, ExpectedRoleInput, GeoPoint, OcpiConnectorType, OcpiPowerType } from '../../src/protocol/payloads.js';
import { numericRoleInput, parameterValue } from '../shared/terms.js';

/**
 * What a charging station publishes to drivers: one EnergyResource per EVSE (connector, power,
 * location) and one offer, charging under the CPO's tariff, whose contract is the CPO-session
 * template with the EV_DRIVER role open. Discovery by location (a circle around the driver's
 * destination), connector type and least power selects the EVSEs that fit.
 */

/** Offer id of a station's charging offer. */
export function chargingOfferId(cpoId: string): string {
  return `${cpoId}-charging`;
}

/** Catalogue resource id of EVSE n (1-based) of a station. */
export function evseResourceId(cpoId: string, evse: number): string {
  return `${cpoId}-evse-${evse}`;
}

/** EVSE number of a resource id of this station, or undefined. */
export function evseOfResource(cpoId: string, resourceId: string): number | undefined {
  const prefix = `${cpoId}-evse-`;
  if (!resourceId.startsWith(prefix)) return undefined;
  const n = Number(resourceId.slice(prefix.length));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** eMI3 EVSE id of EVSE n: country, operator, `E` and the number, e.g. `IN*CPO1*E2`. */
export function emi3EvseId(cpoId: string, evse: number): string {
  return `IN*${cpoId.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}*E${evse}`;
}

/** Great-circle distance between two points, metres (haversine, mean Earth radius). */
export function distanceMeters(a: GeoPoint, b: GeoPoint): number {
  const r = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The driver's tariff of a station. */
export interface StationTariff {
  readonly currency: string;
  readonly energyPerKWh: number;
  readonly timePerHour: number;
  readonly idleFeePerMinute: number;
  readonly idleGraceMinutes: number;
  readonly sessionFee: number;
  /** Tax on every charge, percent. */
  readonly taxPct: number;
}

/** The session contract a station offers: the CPO's tariff with the EV_DRIVER role open. */
export function sessionOfferContract(o: { readonly cpoId: string; readonly createdAt: string; readonly governmentId: string; readonly tariff: StationTariff }): Result<EnergyContract> {
  const t = o.tariff;
  return cpoSession({
    contractId: `${chargingOfferId(o.cpoId)}-offer`,
    createdAt: o.createdAt,
    currency: t.currency,
    status: 'PENDING',
    cpo: o.cpoId,
    energyPricePerKWh: t.energyPerKWh,
    ...(t.timePerHour > 0 ? { timePricePerHour: t.timePerHour } : {}),
    ...(t.idleFeePerMinute > 0 ? { idleFeePerMinute: t.idleFeePerMinute, idleGraceMinutes: t.idleGraceMinutes } : {}),
    ...(t.sessionFee > 0 ? { sessionFee: t.sessionFee } : {}),
    ...(t.taxPct > 0 ? { tax: { government: o.governmentId, ratePercent: t.taxPct } } : {}),
  });
}

/** A station's tariff read back from a session contract (absent charges are 0). */
export function tariffOf(c: EnergyContract): StationTariff {
  return {
    currency: c.currency,
    energyPerKWh: numericRoleInput(c, 'CPO', 'energyPricePerKWh') ?? 0,
    timePerHour: numericRoleInput(c, 'CPO', 'timePricePerHour') ?? 0,
    idleFeePerMinute: numericRoleInput(c, 'CPO', 'idleFeePerMinute') ?? 0,
    idleGraceMinutes: parameterValue(c, 'idleGraceMinutes') ?? 0,
    sessionFee: numericRoleInput(c, 'CPO', 'sessionFee') ?? 0,
    taxPct: parameterValue(c, 'taxPercent') ?? 0,
  };
}

/** What a driver puts in the EV_DRIVER role when it books. */
export const DRIVER_INPUTS: readonly ExpectedRoleInput[] = [
  { name: 'sessionId', type: 'STRING', required: true, description: 'the driver’s id of the charging session' },
  { name: 'requestedKWh', type: 'NUMBER', required: true, unit: 'kWh', description: 'energy the vehicle needs by its departure' },
  { name: 'vehicleMaxKW', type: 'NUMBER', required: true, unit: 'kW', description: 'most power the vehicle takes' },
  { name: 'connectorType', type: 'STRING', required: true, description: 'the vehicle’s connector (OCPI ConnectorType)' },
];

/** One EVSE of a station. */
export interface StationEvse {
  readonly evse: number;
  readonly connectorType: OcpiConnectorType;
}

export interface StationCatalogOptions {
  readonly cpoId: string;
  readonly cpoUri: string;
  readonly name: string;
  readonly meterId: string;
  readonly gridNodeId: string;
  readonly location: GeoPoint & { readonly address?: string };
  readonly evses: readonly StationEvse[];
  readonly powerType: OcpiPowerType;
  readonly chargerKW: number;
  readonly offerContract: EnergyContract;
  readonly tariff: StationTariff;
}

/** Whether an EVSE fits a discover intent: within the circle, one of the connectors, enough power. */
export function evseMatches(intent: DiscoverIntent, o: Pick<StationCatalogOptions, 'location' | 'chargerKW'>, evse: StationEvse): boolean {
  if (intent.seek !== 'ev-charging') return false;
  if (intent.near !== undefined && distanceMeters(intent.near, o.location) > intent.near.radiusMeters) return false;
  if (intent.connectorTypes !== undefined && intent.connectorTypes.length > 0 && !intent.connectorTypes.includes(evse.connectorType)) return false;
  return intent.minPowerKW === undefined || o.chargerKW >= intent.minPowerKW;
}

/** The station's answer to a discover: the EVSEs that fit the intent and the charging offer over them; empty when none fits. */
export function stationCatalog(o: StationCatalogOptions, intent: DiscoverIntent): CatalogPayload {
  const fit = o.evses.filter((e) => evseMatches(intent, o, e));
  if (fit.length === 0) return { kind: 'catalog', catalogs: [] };
  const resources: CatalogResource[] = fit.map((e) => {
    const resourceId = evseResourceId(o.cpoId, e.evse);
    const value: EnergyResource = {
      resourceId,
      resourceType: 'EVSE',
      meterId: o.meterId,
      gridNodeId: o.gridNodeId,
      deliveryMode: 'EV_CHARGING',
      ratedPowerKW: o.chargerKW,
      location: { latitude: o.location.latitude, longitude: o.location.longitude, ...(o.location.address === undefined ? {} : { address: o.location.address }) },
      evse: { evseId: emi3EvseId(o.cpoId, e.evse), connectorType: e.connectorType, connectorFormat: o.powerType === 'DC' ? 'CABLE' : 'SOCKET', powerType: o.powerType, maxPowerKW: o.chargerKW },
    };
    return { resourceId, name: `${o.name}, EVSE ${e.evse} (${e.connectorType}, ${o.chargerKW} kW)`, attributes: { type: 'EnergyResource', value } };
  });
  const t = o.tariff;
  const extras = [t.timePerHour > 0 ? `${t.timePerHour} per hour connected` : '', t.idleFeePerMinute > 0 ? `${t.idleFeePerMinute} per idle minute after ${t.idleGraceMinutes} min` : '', t.sessionFee > 0 ? `${t.sessionFee} per session` : '', t.taxPct > 0 ? `plus ${t.taxPct} % tax` : ''].filter((x) => x !== '');
  return {
    kind: 'catalog',
    catalogs: [
      {
        catalogId: `${o.cpoId}-stations`,
        name: o.name,
        description: 'EV charging bookable by the session: reserve an EVSE for your stay, plug in, stop when you leave; billed from the charge data record.',
        provider: { id: o.cpoId, name: o.name },
        resources,
        offers: [
          {
            offerId: chargingOfferId(o.cpoId),
            name: `Charging at ${t.energyPerKWh} ${t.currency}/kWh`,
            resourceIds: resources.map((r) => r.resourceId),
            price: { value: t.energyPerKWh, currency: t.currency, unit: 'kWh' },
            attributes: {
              offerId: chargingOfferId(o.cpoId),
              contractId: o.offerContract.contractId,
              providerId: o.cpoId,
              providerUri: o.cpoUri,
              openRole: 'EV_DRIVER',
              service: 'EV_CHARGING',
              pricingModel: 'PER_KWH',
              gridNodeId: o.gridNodeId,
              maxPowerKW: o.chargerKW,
              indicativePricePerKWh: t.energyPerKWh,
              currency: t.currency,
              summary: `${t.energyPerKWh} ${t.currency} per kWh${extras.length === 0 ? '' : `, ${extras.join(', ')}`}.`,
              expectedInputs: DRIVER_INPUTS,
              contract: o.offerContract,
            },
          },
        ],
      },
    ],
  };
}
