import type { Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';
import { ParamReader } from '../participant/params.js';

/** Parameters of a household consumer entry. */
export interface ConsumerEntry {
  /** Yearly consumption, kWh; default the connection's. */
  readonly annualKWh: number | undefined;
  /** Share of the load that can shift in time, 0–1. */
  readonly flexibleShare: number;
  /** Flexible load is bought in full up to retail × flexPriceFactor … */
  readonly flexPriceFactor: number;
  /** … and shifted entirely from retail × flexCutoffFactor. */
  readonly flexCutoffFactor: number;
  /** Longest a shifted load waits, hours. */
  readonly maxShiftHours: number;
  /** Fastest shifted energy comes back, kW. */
  readonly maxReboundKW: number;
  /** Highest price paid for inelastic load, per kWh; default the market's cap. */
  readonly maxPricePerKWh: number;
  /** Relative sd of its load forecast. */
  readonly forecastErrorSd: number;
  readonly sanctionedLoadKW: number | undefined;
}

/** The keys of a consumer entry besides the common ones. */
export const CONSUMER_KEYS: readonly string[] = ['annualKWh', 'flexibleShare', 'flexPriceFactor', 'flexCutoffFactor', 'maxShiftHours', 'maxReboundKW', 'maxPricePerKWh', 'forecastErrorSd'];

/** Default yearly consumption of a household whose connection does not state it. */
export const DEFAULT_CONSUMER_KWH = 3000;

/** Reads and checks a `consumer` entry; every problem at once, paths relative to the entry. */
export function consumerParams(spec: ParticipantSpec, scenario: Scenario): Result<ConsumerEntry> {
  const r = new ParamReader(spec, 'consumer', CONSUMER_KEYS);
  const e: ConsumerEntry = {
    annualKWh: r.optionalNumber('annualKWh', { min: 0, what: 'kWh of yearly consumption' }),
    flexibleShare: r.number('flexibleShare', 0.1, { min: 0, max: 1, what: 'share of the load that can shift' }),
    flexPriceFactor: r.number('flexPriceFactor', 1, { above: 0, what: 'multiple of the retail tariff' }),
    flexCutoffFactor: r.number('flexCutoffFactor', 1.5, { above: 0, what: 'multiple of the retail tariff' }),
    maxShiftHours: r.number('maxShiftHours', 3, { above: 0, max: 24, what: 'hours a shifted load may wait' }),
    maxReboundKW: r.number('maxReboundKW', 2, { min: 0, what: 'kW at which shifted load comes back' }),
    maxPricePerKWh: r.number('maxPricePerKWh', scenario.market.priceCap, { what: 'price per kWh' }),
    forecastErrorSd: r.number('forecastErrorSd', 0.1, { min: 0, max: 1, what: 'relative sd of the load forecast' }),
    sanctionedLoadKW: r.sanctionedLoadKW,
  };
  r.check(e.flexCutoffFactor > e.flexPriceFactor, 'flexCutoffFactor', `flexCutoffFactor (${e.flexCutoffFactor}) must be above flexPriceFactor (${e.flexPriceFactor})`);
  return r.errors.length > 0 ? fail(r.errors) : ok(e);
}
