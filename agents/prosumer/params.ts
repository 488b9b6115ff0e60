import type { Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { MeterAssignment } from '../../src/run/agent.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';
import { BATTERY_KEYS, readBatteryEntry, resolveBatterySpec, type BatteryEntry } from '../battery/params.js';
import type { BatterySpec } from '../battery/policy.js';
import { ParamReader } from '../participant/params.js';

/**
 * Parameters of a solar prosumer entry. PV size, battery and consumption default to what the
 * feeder gave its connection, so a group of prosumers differs the way its connections do; any of
 * them can be fixed in the entry for the whole group.
 */
export interface ProsumerEntry {
  /** PV nameplate, kWp; default the connection's. */
  readonly pvKWp: number | undefined;
  /** Mean cloud cover of the day, 0–1. */
  readonly cloudiness: number;
  /** Yearly own consumption, kWh; default the connection's. */
  readonly annualKWh: number | undefined;
  /** Lowest price it sells surplus at, per kWh; default the feed-in tariff. */
  readonly reservationPricePerKWh: number;
  /** Relative sd of its PV and load forecasts (0 = perfect foresight). */
  readonly forecastErrorSd: number;
  readonly battery: BatteryEntry;
  readonly sanctionedLoadKW: number | undefined;
}

/** The keys of a prosumer entry besides the common ones. */
export const PROSUMER_KEYS: readonly string[] = ['pvKWp', 'cloudiness', 'annualKWh', 'reservationPricePerKWh', 'forecastErrorSd', ...BATTERY_KEYS];

/** Reads and checks a `prosumer` entry; every problem at once, paths relative to the entry. */
export function prosumerParams(spec: ParticipantSpec, scenario: Scenario): Result<ProsumerEntry> {
  const r = new ParamReader(spec, 'prosumer', PROSUMER_KEYS);
  const e: ProsumerEntry = {
    pvKWp: r.optionalNumber('pvKWp', { min: 0, what: 'kWp of PV' }),
    cloudiness: r.number('cloudiness', 0.3, { min: 0, max: 1, what: 'mean cloud cover' }),
    annualKWh: r.optionalNumber('annualKWh', { min: 0, what: 'kWh of yearly consumption' }),
    reservationPricePerKWh: r.number('reservationPricePerKWh', scenario.utility.feedInPerKWh, { what: 'price per kWh' }),
    forecastErrorSd: r.number('forecastErrorSd', 0.1, { min: 0, max: 1, what: 'relative sd of the forecasts' }),
    battery: readBatteryEntry(r, true),
    sanctionedLoadKW: r.sanctionedLoadKW,
  };
  return r.errors.length > 0 ? fail(r.errors) : ok(e);
}

/** Default PV size and consumption of a prosumer whose connection does not state them. */
export const DEFAULT_PV_KWP = 5;
export const DEFAULT_PROSUMER_KWH = 3600;

/** The physical facts of one prosumer: entry first, then its connection, then the defaults. */
export interface ProsumerSite {
  readonly pvKWp: number;
  readonly annualKWh: number;
  readonly battery: BatterySpec | undefined;
}

export function resolveProsumerSite(e: ProsumerEntry, meter: MeterAssignment | undefined): ProsumerSite {
  return {
    pvKWp: e.pvKWp ?? meter?.pvKWp ?? DEFAULT_PV_KWP,
    annualKWh: e.annualKWh ?? meter?.annualConsumptionKWh ?? DEFAULT_PROSUMER_KWH,
    battery: resolveBatterySpec(e.battery, meter, { kWh: 0, kW: 0 }),
  };
}
