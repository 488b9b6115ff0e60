import type { Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { MeterAssignment } from '../../src/run/agent.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';
import { ParamReader } from '../participant/params.js';

/** Charging patterns a public CPO site can have (home charging is not a CPO's business). */
export const CPO_PATTERNS = ['destination', 'workplace'] as const;
export type CpoPattern = (typeof CPO_PATTERNS)[number];

/** Parameters of a CPO entry. Site facts default to what the feeder gave its connection. */
export interface CpoEntry {
  /** Charge points (EVSEs) at the site; default the connection's. */
  readonly evses: number | undefined;
  /** Power of one charge point, kW; default the connection's. */
  readonly chargerKW: number | undefined;
  readonly pattern: CpoPattern;
  /** Mean sessions per weekday; default 3 per EVSE (destination) or 1.2 per EVSE (workplace). */
  readonly sessionsPerDay: number | undefined;
  /** Driver tariff per kWh; default twice the utility's retail tariff. */
  readonly tariffPerKWh: number;
  /** Flat fee per session, when charged. */
  readonly sessionFee: number | undefined;
  /** Fee per idle minute after charging, beyond the grace period, when charged. */
  readonly idleFeePerMinute: number | undefined;
  readonly idleGraceMinutes: number;
  /** Tax on driver charges, percent; default the utility's fee tax. */
  readonly driverTaxPct: number;
  /** Site connection limit, kW; default evses × chargerKW. */
  readonly siteLimitKW: number | undefined;
  /** Site PV, kWp; default the connection's. */
  readonly pvKWp: number | undefined;
  readonly cloudiness: number;
  /** Lowest price for a PV surplus, per kWh; default feed-in. */
  readonly reservationPricePerKWh: number;
  /**
   * Relative sd of drivers' declared energy needs: a vehicle whose battery fills before the
   * declared energy stops drawing, so the site draws less than its setpoint. 0 = exact.
   */
  readonly forecastErrorSd: number;
  readonly lookaheadHours: number;
  readonly priceLearningRate: number;
  readonly sanctionedLoadKW: number | undefined;
}

/** The keys of a CPO entry besides the common ones. */
export const CPO_KEYS: readonly string[] = [
  'evses',
  'chargerKW',
  'pattern',
  'sessionsPerDay',
  'tariffPerKWh',
  'sessionFee',
  'idleFeePerMinute',
  'idleGraceMinutes',
  'driverTaxPct',
  'siteLimitKW',
  'pvKWp',
  'cloudiness',
  'reservationPricePerKWh',
  'forecastErrorSd',
  'lookaheadHours',
  'priceLearningRate',
];

/** Reads and checks a `cpo` entry; every problem at once, paths relative to the entry. */
export function cpoParams(spec: ParticipantSpec, scenario: Scenario): Result<CpoEntry> {
  const r = new ParamReader(spec, 'cpo', CPO_KEYS);
  const u = scenario.utility;
  const e: CpoEntry = {
    evses: r.optionalNumber('evses', { min: 1, max: 1000, integer: true, what: 'charge points' }),
    chargerKW: r.optionalNumber('chargerKW', { above: 0, what: 'kW per charge point' }),
    pattern: r.choice('pattern', CPO_PATTERNS, 'destination'),
    sessionsPerDay: r.optionalNumber('sessionsPerDay', { min: 0, what: 'mean sessions per weekday' }),
    tariffPerKWh: r.number('tariffPerKWh', 2 * u.retailPerKWh, { min: 0, what: 'driver price per kWh' }),
    sessionFee: r.optionalNumber('sessionFee', { min: 0, what: 'fee per session' }),
    idleFeePerMinute: r.optionalNumber('idleFeePerMinute', { min: 0, what: 'fee per idle minute' }),
    idleGraceMinutes: r.number('idleGraceMinutes', 0, { min: 0, what: 'free idle minutes per session' }),
    driverTaxPct: r.number('driverTaxPct', u.feeTaxPct, { min: 0, max: 100, what: 'percent tax on driver charges' }),
    siteLimitKW: r.optionalNumber('siteLimitKW', { above: 0, what: 'kW of site connection' }),
    pvKWp: r.optionalNumber('pvKWp', { min: 0, what: 'kWp of site PV' }),
    cloudiness: r.number('cloudiness', 0.3, { min: 0, max: 1, what: 'mean cloud cover' }),
    reservationPricePerKWh: r.number('reservationPricePerKWh', u.feedInPerKWh, { what: 'price per kWh' }),
    forecastErrorSd: r.number('forecastErrorSd', 0.1, { min: 0, max: 1, what: 'relative sd of declared energy needs' }),
    lookaheadHours: r.number('lookaheadHours', 24, { above: 0, max: 168, what: 'hours of price forecast' }),
    priceLearningRate: r.number('priceLearningRate', 0.3, { above: 0, max: 1, what: 'weight of a new price' }),
    sanctionedLoadKW: r.sanctionedLoadKW,
  };
  return r.errors.length > 0 ? fail(r.errors) : ok(e);
}

/** The physical site of one CPO: entry first, then its connection, then defaults. */
export interface CpoSite {
  readonly evses: number;
  readonly chargerKW: number;
  readonly sessionsPerDay: number;
  readonly siteLimitKW: number;
  readonly pvKWp: number;
}

export const DEFAULT_EVSES = 4;
export const DEFAULT_CHARGER_KW = 22;

export function resolveCpoSite(e: CpoEntry, meter: MeterAssignment | undefined): CpoSite {
  const evses = e.evses ?? (meter?.evChargePoints !== undefined && meter.evChargePoints > 0 ? meter.evChargePoints : DEFAULT_EVSES);
  const chargerKW = e.chargerKW ?? (meter?.evChargerKW !== undefined && meter.evChargerKW > 0 ? meter.evChargerKW : DEFAULT_CHARGER_KW);
  return {
    evses,
    chargerKW,
    sessionsPerDay: e.sessionsPerDay ?? evses * (e.pattern === 'workplace' ? 1.2 : 3),
    siteLimitKW: e.siteLimitKW ?? evses * chargerKW,
    pvKWp: e.pvKWp ?? meter?.pvKWp ?? 0,
  };
}
