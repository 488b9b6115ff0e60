import type { Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { MeterAssignment } from '../../src/run/agent.js';
import type { ParticipantSpec } from '../../src/scenario/types.js';
import { ParamReader } from '../participant/params.js';
import type { SlotOrder } from './policy.js';

/**
 * Parameters of a home with an EV charger on the utility's retail tariff (kind `home-ev`). The car's
 * plug-ins are drawn from the home-charging statistics of the EV profiles; charger power, PV and
 * consumption default to what the feeder gave the connection.
 */
export interface HomeEvEntry {
  /** `cheapest`: charge in the cheapest intervals before departure; `immediate`: at full power from plug-in. */
  readonly policy: SlotOrder;
  /** Plug-ins per day: the run draws this × its days (rounded) arriving inside it; one made while the car is still plugged in is dropped. */
  readonly sessionsPerDay: number;
  /** Charger power, kW; default the connection's, else {@link DEFAULT_CHARGER_KW}. */
  readonly chargerKW: number | undefined;
  /** Yearly household consumption besides the car, kWh; default the connection's, else {@link DEFAULT_HOME_KWH}. */
  readonly annualKWh: number | undefined;
  /** Rooftop PV, kWp; default the connection's (none when it has none). */
  readonly pvKWp: number | undefined;
  /** Mean cloud cover of the day, 0–1. */
  readonly cloudiness: number;
  /** Relative sd of the household load forecast the charger plans with. */
  readonly loadForecastErrorSd: number;
  /** Margin kept below the sanctioned load when the car charges, kW. */
  readonly headroomKW: number;
  readonly sanctionedLoadKW: number | undefined;
}

/** The keys of a `home-ev` entry besides the common ones. */
export const HOME_EV_KEYS: readonly string[] = ['policy', 'sessionsPerDay', 'chargerKW', 'annualKWh', 'pvKWp', 'cloudiness', 'loadForecastErrorSd', 'headroomKW'];

/** A common wall-box power when the connection does not state one, kW. */
export const DEFAULT_CHARGER_KW = 7.4;
/** Household consumption when neither the entry nor the connection states one, kWh per year. */
export const DEFAULT_HOME_KWH = 3000;

/** Reads and checks a `home-ev` entry; every problem at once, paths relative to the entry. */
export function homeEvParams(spec: ParticipantSpec): Result<HomeEvEntry> {
  const r = new ParamReader(spec, 'home-ev', HOME_EV_KEYS);
  const e: HomeEvEntry = {
    policy: r.choice<SlotOrder>('policy', ['cheapest', 'immediate'], 'cheapest'),
    sessionsPerDay: r.number('sessionsPerDay', 1, { min: 0, max: 10, what: 'plug-ins per day' }),
    chargerKW: r.optionalNumber('chargerKW', { above: 0, max: 50, what: 'kW of charger power' }),
    annualKWh: r.optionalNumber('annualKWh', { min: 0, what: 'kWh of yearly household consumption' }),
    pvKWp: r.optionalNumber('pvKWp', { min: 0, what: 'kWp of PV' }),
    cloudiness: r.number('cloudiness', 0.3, { min: 0, max: 1, what: 'mean cloud cover' }),
    loadForecastErrorSd: r.number('loadForecastErrorSd', 0.1, { min: 0, max: 1, what: 'relative sd of the load forecast' }),
    headroomKW: r.number('headroomKW', 0.5, { min: 0, what: 'kW kept below the sanctioned load' }),
    sanctionedLoadKW: r.sanctionedLoadKW,
  };
  return r.errors.length > 0 ? fail(r.errors) : ok(e);
}

/** The physical facts of one home: entry first, then its connection, then the defaults. */
export interface HomeEvSite {
  readonly chargerKW: number;
  readonly annualKWh: number;
  readonly pvKWp: number;
}

export function resolveHomeEvSite(e: HomeEvEntry, meter: MeterAssignment | undefined): HomeEvSite {
  return {
    chargerKW: e.chargerKW ?? (meter?.evChargerKW !== undefined && meter.evChargerKW > 0 ? meter.evChargerKW : DEFAULT_CHARGER_KW),
    annualKWh: e.annualKWh ?? meter?.annualConsumptionKWh ?? DEFAULT_HOME_KWH,
    pvKWp: e.pvKWp ?? meter?.pvKWp ?? 0,
  };
}
