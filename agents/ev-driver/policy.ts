import type { CatalogPayload, GeoPoint, OcpiConnectorType } from '../../src/protocol/payloads.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { distanceMeters, tariffOf, type StationTariff } from '../cpo/station-catalog.js';

/**
 * The driver's choice of where to charge, as pure functions: what a stay would cost at a station
 * under its tariff, and the fitting EVSEs of every catalogue ranked by that cost (then distance).
 */

/** One stay: energy wanted, how long the car stays, how fast it charges. */
export interface StayNeed {
  readonly energyKWh: number;
  readonly stayHours: number;
  /** Most the car charges at, kW (the EVSE may allow less). */
  readonly maxKW: number;
}

/**
 * Expected cost of a stay under a tariff, tax included: energy × energy price, hours connected ×
 * time price, the idle minutes beyond the grace period × idle fee (idle = the stay less the time
 * to charge at full power), the session fee; all plus the tax percentage.
 */
export function stayCost(t: StationTariff, need: StayNeed): number {
  const chargeHours = need.maxKW > 0 ? Math.min(need.stayHours, need.energyKWh / need.maxKW) : need.stayHours;
  const idleMinutes = Math.max(0, (need.stayHours - chargeHours) * 60 - t.idleGraceMinutes);
  const net = need.energyKWh * t.energyPerKWh + need.stayHours * t.timePerHour + idleMinutes * t.idleFeePerMinute + t.sessionFee;
  return net * (1 + t.taxPct / 100);
}

/** An EVSE a driver could book, with what the stay would cost there. */
export interface ChargingOption {
  readonly providerId: string;
  readonly offerId: string;
  readonly resourceId: string;
  readonly evseId: string;
  readonly connectorType: OcpiConnectorType;
  readonly maxPowerKW: number;
  readonly distanceMeters: number;
  readonly expectedCost: number;
  readonly contract: EnergyContract;
}

/**
 * The best EVSE of each station that takes the car's connector, under an offer open to a driver,
 * with the stay's cost at the EVSE's power (the slower of car and charger): cheapest first, then
 * nearest, then by provider and resource id. One option per station: a station gives the driver
 * another free EVSE of the same connector when the chosen one is taken, so once a station refuses,
 * none of its EVSEs is free for the stay.
 */
export function chargingOptions(catalogs: readonly { readonly providerId: string; readonly payload: CatalogPayload }[], connector: OcpiConnectorType, destination: GeoPoint, need: StayNeed): ChargingOption[] {
  const out: ChargingOption[] = [];
  for (const { providerId, payload } of catalogs) {
    for (const cat of payload.catalogs) {
      if (cat.provider.id !== providerId) continue;
      for (const offer of cat.offers) {
        const c = offer.attributes.contract;
        if (c === undefined || c.template !== 'ev/cpo-session' || offer.attributes.openRole !== 'EV_DRIVER') continue;
        const tariff = tariffOf(c);
        for (const rid of offer.resourceIds) {
          const r = cat.resources.find((x) => x.resourceId === rid);
          if (r === undefined || r.attributes.type !== 'EnergyResource') continue;
          const v = r.attributes.value;
          if (v.evse === undefined || v.evse.connectorType !== connector) continue;
          const kw = Math.min(need.maxKW, v.evse.maxPowerKW);
          out.push({
            providerId,
            offerId: offer.offerId,
            resourceId: rid,
            evseId: v.evse.evseId,
            connectorType: v.evse.connectorType,
            maxPowerKW: v.evse.maxPowerKW,
            distanceMeters: v.location === undefined ? 0 : distanceMeters(destination, v.location),
            expectedCost: stayCost(tariff, { ...need, maxKW: kw }),
            contract: c,
          });
        }
      }
    }
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = out.sort((a, b) => a.expectedCost - b.expectedCost || a.distanceMeters - b.distanceMeters || cmp(a.providerId, b.providerId) || cmp(a.resourceId, b.resourceId));
  const seen = new Set<string>();
  return sorted.filter((o) => !seen.has(o.providerId) && seen.add(o.providerId) !== undefined);
}

/** Metres per degree of latitude on the mean Earth sphere (the one `distanceMeters` uses). */
const METERS_PER_DEGREE = (Math.PI * 6_371_008.8) / 180;

/** A point `meters` from `origin` on bearing `bearingDeg` (locally flat: exact to well under 0.1 % within a few km). */
export function offsetPoint(origin: GeoPoint, meters: number, bearingDeg: number): GeoPoint {
  const rad = (bearingDeg * Math.PI) / 180;
  const dLat = (meters * Math.cos(rad)) / METERS_PER_DEGREE;
  const dLon = (meters * Math.sin(rad)) / (METERS_PER_DEGREE * Math.cos((origin.latitude * Math.PI) / 180));
  return { latitude: Number((origin.latitude + dLat).toFixed(6)), longitude: Number((origin.longitude + dLon).toFixed(6)) };
}

/** The driver's rating of a session, 1–5: 5 when it got what it asked for, less in proportion to what it missed. */
export function sessionRating(requestedKWh: number, deliveredKWh: number): number {
  if (!(requestedKWh > 0)) return 5;
  return Math.max(1, Math.min(5, Math.round((5 * deliveredKWh) / requestedKWh)));
}
