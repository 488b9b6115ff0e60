import type { Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { MeterAssignment } from '../../src/run/agent.js';
import type { ParticipantSpec } from '../../src/scenario/types.js';
import { ParamReader } from '../participant/params.js';
import type { BatterySpec } from './policy.js';

/**
 * Parameters of a battery, for the stand-alone battery kind and for a prosumer's home battery:
 * size and power (from the entry, else the connection the feeder gave, else a default),
 * efficiency, SoC window and start, and how the owner forecasts prices.
 */

/** The battery keys a participant entry may carry. */
export const BATTERY_KEYS: readonly string[] = ['batteryKWh', 'batteryKW', 'roundTripEfficiency', 'socMinPct', 'socMaxPct', 'initialSocPct', 'lookaheadHours', 'priceLearningRate'];

/** Battery settings as written in the entry; size and power may be left to the connection. */
export interface BatteryEntry {
  readonly batteryKWh: number | undefined;
  readonly batteryKW: number | undefined;
  readonly roundTripEfficiency: number;
  readonly socMinPct: number;
  readonly socMaxPct: number;
  readonly initialSocPct: number;
  /** How far ahead the price forecast looks when valuing stored energy, hours. */
  readonly lookaheadHours: number;
  /** Weight of each new clearing price in the owner's price estimate, (0, 1]. */
  readonly priceLearningRate: number;
}

/** Reads the battery keys through `r` (which collects the diagnostics). */
export function readBatteryEntry(r: ParamReader, allowZeroSize: boolean): BatteryEntry {
  const sizeRule = allowZeroSize ? { min: 0, what: 'kWh of usable capacity; 0 = no battery' } : { above: 0, what: 'kWh of usable capacity' };
  const e: BatteryEntry = {
    batteryKWh: r.optionalNumber('batteryKWh', sizeRule),
    batteryKW: r.optionalNumber('batteryKW', { above: 0, what: 'kW of inverter power' }),
    roundTripEfficiency: r.number('roundTripEfficiency', 0.9, { above: 0, max: 1, what: 'energy out over energy in' }),
    socMinPct: r.number('socMinPct', 10, { min: 0, max: 100, what: 'percent of capacity' }),
    socMaxPct: r.number('socMaxPct', 95, { min: 0, max: 100, what: 'percent of capacity' }),
    initialSocPct: r.number('initialSocPct', 50, { min: 0, max: 100, what: 'percent of capacity' }),
    lookaheadHours: r.number('lookaheadHours', 24, { above: 0, max: 168, what: 'hours of price forecast' }),
    priceLearningRate: r.number('priceLearningRate', 0.3, { above: 0, max: 1, what: 'weight of a new price' }),
  };
  r.check(e.socMinPct < e.socMaxPct, 'socMinPct', `socMinPct (${e.socMinPct}) must be below socMaxPct (${e.socMaxPct})`);
  return e;
}

/** Default size of a stand-alone battery without one on its connection (a common home unit). */
export const DEFAULT_BATTERY_KWH = 13.5;
export const DEFAULT_BATTERY_KW = 5;

/**
 * The battery spec: size from the entry, else the connection (when it has a battery), else
 * `fallback`; power from the entry, else from wherever the size came from (half the size when
 * the entry gives only the size). Undefined when the size is 0 (no battery).
 */
export function resolveBatterySpec(e: BatteryEntry, meter: MeterAssignment | undefined, fallback: { readonly kWh: number; readonly kW: number }): BatterySpec | undefined {
  const fromMeter = meter?.batteryKWh !== undefined && meter.batteryKWh > 0;
  const kWh = e.batteryKWh ?? (fromMeter ? (meter?.batteryKWh ?? 0) : fallback.kWh);
  if (!(kWh > 0)) return undefined;
  const sourceKW = e.batteryKWh !== undefined ? kWh / 2 : fromMeter ? (meter?.batteryKW ?? kWh / 2) : fallback.kW;
  const kW = e.batteryKW ?? (sourceKW > 0 ? sourceKW : kWh / 2);
  return { capacityKWh: kWh, powerKW: kW, roundTripEfficiency: e.roundTripEfficiency, socMinPct: e.socMinPct, socMaxPct: e.socMaxPct };
}

/** Parameters of a stand-alone battery entry. */
export interface StandAloneBatteryParams {
  readonly battery: BatteryEntry;
  readonly sanctionedLoadKW: number | undefined;
}

/** Reads and checks a `battery` entry; every problem at once, paths relative to the entry. */
export function batteryParams(spec: ParticipantSpec): Result<StandAloneBatteryParams> {
  const r = new ParamReader(spec, 'battery', BATTERY_KEYS);
  const battery = readBatteryEntry(r, false);
  if (r.errors.length > 0) return fail(r.errors);
  return ok({ battery, sanctionedLoadKW: r.sanctionedLoadKW });
}
