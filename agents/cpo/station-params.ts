import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import { OCPI_CONNECTOR_TYPES, type OcpiConnectorType, type OcpiPowerType } from '../../src/protocol/payloads.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';

/**
 * Parameters of a charge point operator whose sessions are booked by drivers over Beckn (a `cpo`
 * entry with `bookings: true`): what its charging station publishes to drivers besides the CPO's
 * own parameters (tariff, fees, tax, EVSEs, charger power, site limit, PV), which the CPO kind
 * reads from the same entry.
 */
export interface StationEntry {
  /** Connector of each EVSE, given in turn (EVSE n has connector n mod the list's length). */
  readonly connectorTypes: readonly OcpiConnectorType[];
  readonly powerType: OcpiPowerType;
  /** Charge per hour connected, in the session contract's time flow; 0 = no time charge. */
  readonly timePricePerHour: number;
  readonly name: string;
  /** Where the station is; default the scenario's location. */
  readonly latitude: number;
  readonly longitude: number;
  readonly address: string | undefined;
}

/** Keys of a CPO entry read by the station (the CPO kind reads the rest). */
export const STATION_KEYS: readonly string[] = ['bookings', 'connectorTypes', 'powerType', 'timePricePerHour', 'stationName', 'latitude', 'longitude', 'address'];

const POWER_TYPES: readonly OcpiPowerType[] = ['AC_1_PHASE', 'AC_3_PHASE', 'DC'];
const CONNECTORS: ReadonlySet<string> = new Set(OCPI_CONNECTOR_TYPES);

/** True for a CPO entry whose sessions drivers book over Beckn. */
export function isBookingEntry(spec: ParticipantSpec): boolean {
  return spec['bookings'] === true;
}

/** The entry without the station's keys, for the CPO kind's own reader. */
export function withoutStationKeys(spec: ParticipantSpec): ParticipantSpec {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) if (!STATION_KEYS.includes(k)) out[k] = v;
  return out as ParticipantSpec;
}

/** Reads and checks the station's keys of a CPO entry; every problem at once, paths relative to the entry. */
export function stationParams(spec: ParticipantSpec, scenario: Scenario): Result<StationEntry> {
  const errors: Diagnostic[] = [];
  const bad = (path: string, message: string): void => void errors.push({ code: 'cpo.station-param', path, message });
  if (spec['bookings'] !== true) bad('bookings', 'bookings must be true for a station that drivers book');
  let connectorTypes: readonly OcpiConnectorType[] = ['IEC_62196_T2'];
  const c = spec['connectorTypes'];
  if (c !== undefined) {
    if (!Array.isArray(c) || c.length === 0) bad('connectorTypes', 'connectorTypes must be a non-empty list of OCPI connector types');
    else {
      c.forEach((x, i) => {
        if (typeof x !== 'string' || !CONNECTORS.has(x)) bad(`connectorTypes[${i}]`, `${JSON.stringify(x)} is not an OCPI connector type (e.g. IEC_62196_T2, IEC_62196_T2_COMBO, CHADEMO)`);
      });
      connectorTypes = c as OcpiConnectorType[];
    }
  }
  const powerType = spec['powerType'] ?? 'AC_3_PHASE';
  if (typeof powerType !== 'string' || !(POWER_TYPES as readonly string[]).includes(powerType)) bad('powerType', `powerType must be one of ${POWER_TYPES.join(', ')}`);
  const num = (key: string, fallback: number, ok: (x: number) => boolean, what: string): number => {
    const v = spec[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      bad(key, `${key} must be ${what}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  };
  const timePricePerHour = num('timePricePerHour', 0, (x) => x >= 0, 'a number ≥ 0 (charge per hour connected)');
  const latitude = num('latitude', scenario.location.latitude, (x) => Math.abs(x) <= 90, 'degrees north within ±90');
  const longitude = num('longitude', scenario.location.longitude, (x) => Math.abs(x) <= 180, 'degrees east within ±180');
  const name = spec['stationName'] ?? 'Charging station';
  if (typeof name !== 'string' || name.trim() === '') bad('stationName', 'stationName must be a non-empty string');
  const address = spec['address'];
  if (address !== undefined && typeof address !== 'string') bad('address', 'address must be a string');
  if (errors.length > 0) return fail(errors);
  return ok({ connectorTypes, powerType: powerType as OcpiPowerType, timePricePerHour, name: name as string, latitude, longitude, address: address as string | undefined });
}
