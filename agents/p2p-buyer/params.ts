import type { Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { MeterAssignment } from '../../src/run/agent.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';
import { ParamReader } from '../participant/params.js';

/**
 * Parameters of a household that buys fixed-price blocks from neighbours' PV (kind `p2p-buyer`).
 * Consumption defaults to what the feeder gave its connection.
 */
export interface BuyerEntry {
  readonly annualKWh: number | undefined;
  /** Relative sd of its load forecast (0 = perfect foresight). */
  readonly forecastErrorSd: number;
  /** Highest price per kWh it asks sellers for; default the flat retail tariff less wheeling (break-even). */
  readonly maxPricePerKWh: number;
  /** Smallest block worth trading, kW. */
  readonly minTradeKW: number;
  readonly sanctionedLoadKW: number | undefined;
}

/** The keys of a `p2p-buyer` entry besides the common ones. */
export const BUYER_KEYS: readonly string[] = ['annualKWh', 'forecastErrorSd', 'maxPricePerKWh', 'minTradeKW'];

/** Reads and checks a `p2p-buyer` entry; every problem at once, paths relative to the entry. */
export function buyerParams(spec: ParticipantSpec, scenario: Scenario): Result<BuyerEntry> {
  const r = new ParamReader(spec, 'p2p-buyer', BUYER_KEYS);
  const u = scenario.utility;
  const e: BuyerEntry = {
    annualKWh: r.optionalNumber('annualKWh', { min: 0, what: 'kWh of yearly consumption' }),
    forecastErrorSd: r.number('forecastErrorSd', 0.1, { min: 0, max: 1, what: 'relative sd of the load forecast' }),
    maxPricePerKWh: r.number('maxPricePerKWh', u.retailPerKWh - u.wheelingPerKWh, { what: 'price per kWh' }),
    minTradeKW: r.number('minTradeKW', 0.1, { above: 0, what: 'kW' }),
    sanctionedLoadKW: r.sanctionedLoadKW,
  };
  return r.errors.length > 0 ? fail(r.errors) : ok(e);
}

/** Consumption when neither the entry nor the connection states one, kWh per year. */
export const DEFAULT_BUYER_KWH = 3000;

/** Yearly consumption of a buyer: entry, else connection, else the default. */
export function buyerAnnualKWh(e: BuyerEntry, meter: MeterAssignment | undefined): number {
  return e.annualKWh ?? meter?.annualConsumptionKWh ?? DEFAULT_BUYER_KWH;
}
