import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import { OCPI_CONNECTOR_TYPES, type OcpiConnectorType } from '../../src/protocol/payloads.js';
import type { ParticipantSpec } from '../../src/scenario/types.js';
import { ParamReader } from '../participant/params.js';

/**
 * Parameters of EV drivers who book charging at destination stations over Beckn (kind
 * `ev-driver`). A driver has no meter of its own: its energy is metered at the station. Its stays
 * follow the destination-charging statistics of the EV profiles.
 */
export interface DriverEntry {
  /** Stays per day: the run draws this × its days (rounded) stays arriving inside it. */
  readonly sessionsPerDay: number;
  /** The vehicles' connectors; each driver's vehicle has one of them (drawn in turn by driver number). */
  readonly connectorTypes: readonly OcpiConnectorType[];
  /** Most power the vehicle takes, kW. */
  readonly vehicleMaxKW: number;
  /** Radius of the search around the destination, metres. */
  readonly searchRadiusMeters: number;
  /** How far destinations scatter around the scenario's location, metres. */
  readonly destinationSpreadMeters: number;
  /** How long before arriving the driver books, minutes. */
  readonly bookingLeadMinutes: number;
  /** Chance that a booking is cancelled before arrival. */
  readonly cancelProbability: number;
}

/** The keys of an `ev-driver` entry besides the common ones. */
export const DRIVER_KEYS: readonly string[] = ['sessionsPerDay', 'connectorTypes', 'vehicleMaxKW', 'searchRadiusMeters', 'destinationSpreadMeters', 'bookingLeadMinutes', 'cancelProbability'];

const CONNECTORS: ReadonlySet<string> = new Set(OCPI_CONNECTOR_TYPES);

/** Reads and checks an `ev-driver` entry; every problem at once, paths relative to the entry. */
export function driverParams(spec: ParticipantSpec): Result<DriverEntry> {
  const r = new ParamReader({ ...spec, connectorTypes: undefined }, 'ev-driver', DRIVER_KEYS);
  const errors: Diagnostic[] = [];
  let connectorTypes: readonly OcpiConnectorType[] = ['IEC_62196_T2'];
  const c = spec['connectorTypes'];
  if (c !== undefined) {
    if (!Array.isArray(c) || c.length === 0) errors.push({ code: 'ev-driver.param-type', path: 'connectorTypes', message: 'connectorTypes must be a non-empty list of OCPI connector types' });
    else {
      c.forEach((x, i) => {
        if (typeof x !== 'string' || !CONNECTORS.has(x)) errors.push({ code: 'ev-driver.param-choice', path: `connectorTypes[${i}]`, message: `${JSON.stringify(x)} is not an OCPI connector type (e.g. IEC_62196_T2, IEC_62196_T2_COMBO, CHADEMO)` });
      });
      connectorTypes = c as OcpiConnectorType[];
    }
  }
  const e: DriverEntry = {
    sessionsPerDay: r.number('sessionsPerDay', 1, { min: 0, max: 10, what: 'stays per day' }),
    connectorTypes,
    vehicleMaxKW: r.number('vehicleMaxKW', 11, { above: 0, max: 350, what: 'kW the vehicle takes' }),
    searchRadiusMeters: r.number('searchRadiusMeters', 3000, { above: 0, what: 'metres around the destination' }),
    destinationSpreadMeters: r.number('destinationSpreadMeters', 1000, { min: 0, what: 'metres around the scenario location' }),
    bookingLeadMinutes: r.number('bookingLeadMinutes', 60, { min: 0, max: 1440, what: 'minutes before arrival' }),
    cancelProbability: r.number('cancelProbability', 0, { min: 0, max: 1, what: 'chance a booking is cancelled' }),
  };
  const all = [...r.errors, ...errors];
  return all.length > 0 ? fail(all) : ok(e);
}
