import type { Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { MeterAssignment } from '../../src/run/agent.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';
import { ParamReader } from '../participant/params.js';

/**
 * Parameters of a rooftop-PV owner who sells fixed-price blocks to neighbours (kind `p2p-seller`).
 * PV size and consumption default to what the feeder gave its connection.
 */
export interface SellerEntry {
  /** Asking price per kWh; default halfway between feed-in and the flat retail tariff. */
  readonly pricePerKWh: number;
  readonly pvKWp: number | undefined;
  readonly annualKWh: number | undefined;
  /** Largest export of the connection, kW; default the PV size. */
  readonly inverterKW: number | undefined;
  readonly cloudiness: number;
  /** Relative sd of its PV and load forecasts (0 = perfect foresight). */
  readonly forecastErrorSd: number;
  /** Shortest and longest window it offers, whole hours. */
  readonly minWindowHours: number;
  readonly maxWindowHours: number;
  /** Smallest block worth trading, kW. */
  readonly minTradeKW: number;
  /** A window starts at least this long after the discover that asks for it, minutes. */
  readonly leadMinutes: number;
  readonly sanctionedLoadKW: number | undefined;
}

/** The keys of a `p2p-seller` entry besides the common ones. */
export const SELLER_KEYS: readonly string[] = ['pricePerKWh', 'pvKWp', 'annualKWh', 'inverterKW', 'cloudiness', 'forecastErrorSd', 'minWindowHours', 'maxWindowHours', 'minTradeKW', 'leadMinutes'];

/** Reads and checks a `p2p-seller` entry; every problem at once, paths relative to the entry. */
export function sellerParams(spec: ParticipantSpec, scenario: Scenario): Result<SellerEntry> {
  const r = new ParamReader(spec, 'p2p-seller', SELLER_KEYS);
  const u = scenario.utility;
  const e: SellerEntry = {
    pricePerKWh: r.number('pricePerKWh', (u.feedInPerKWh + u.retailPerKWh) / 2, { what: 'price per kWh' }),
    pvKWp: r.optionalNumber('pvKWp', { above: 0, what: 'kWp of PV' }),
    annualKWh: r.optionalNumber('annualKWh', { min: 0, what: 'kWh of yearly consumption' }),
    inverterKW: r.optionalNumber('inverterKW', { above: 0, what: 'kW of export limit' }),
    cloudiness: r.number('cloudiness', 0.3, { min: 0, max: 1, what: 'mean cloud cover' }),
    forecastErrorSd: r.number('forecastErrorSd', 0.1, { min: 0, max: 1, what: 'relative sd of the forecasts' }),
    minWindowHours: r.number('minWindowHours', 2, { min: 1, max: 24, integer: true, what: 'hours' }),
    maxWindowHours: r.number('maxWindowHours', 6, { min: 1, max: 24, integer: true, what: 'hours' }),
    minTradeKW: r.number('minTradeKW', 0.1, { above: 0, what: 'kW' }),
    leadMinutes: r.number('leadMinutes', 60, { min: 0, max: 1440, what: 'minutes' }),
    sanctionedLoadKW: r.sanctionedLoadKW,
  };
  r.check(e.minWindowHours <= e.maxWindowHours, 'minWindowHours', `minWindowHours (${e.minWindowHours}) must not exceed maxWindowHours (${e.maxWindowHours})`);
  return r.errors.length > 0 ? fail(r.errors) : ok(e);
}

/** PV size and consumption when neither the entry nor the connection states them. */
export const DEFAULT_SELLER_KWP = 5;
export const DEFAULT_SELLER_KWH = 3600;

/** The physical facts of one seller: entry first, then its connection, then the defaults. */
export interface SellerSite {
  readonly pvKWp: number;
  readonly annualKWh: number;
  /** Largest export, kW: the inverter, at most the sanctioned load. */
  readonly maxExportKW: number;
}

export function resolveSellerSite(e: SellerEntry, meter: MeterAssignment | undefined, sanctionedLoadKW: number): SellerSite {
  const pvKWp = e.pvKWp ?? (meter?.pvKWp !== undefined && meter.pvKWp > 0 ? meter.pvKWp : DEFAULT_SELLER_KWP);
  return { pvKWp, annualKWh: e.annualKWh ?? meter?.annualConsumptionKWh ?? DEFAULT_SELLER_KWH, maxExportKW: Math.min(sanctionedLoadKW, e.inverterKW ?? pvKWp) };
}
