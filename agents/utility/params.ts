import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { GridMode, ParticipantSpec, Scenario, UtilitySettings } from '../../src/scenario/types.js';
import type { FactoryContext } from '../../src/run/agent.js';
import { participantIdsOf } from '../shared/ids.js';
import type { MeterRecord } from './policy.js';
import { flexibilityNeedParams, type FlexibilityNeedParams } from './flexibility.js';
import { aggregatorMeterRecords } from './portfolio.js';

/**
 * Parameters of the utility / grid operator: the scenario's `utility` rules, the market's grid
 * mode and price tick (for policy adders), its own entry's name, and the meters it serves with
 * their sanctioned load and export limit.
 */
export interface UtilityParams {
  readonly name: string;
  readonly currency: string;
  readonly rules: UtilitySettings;
  readonly gridMode: GridMode;
  readonly priceTick: number;
  /** Every meter of a trading participant, by meter id. */
  readonly meters: ReadonlyMap<string, MeterRecord>;
  /** A flexibility need the utility publishes, when its entry states one. */
  readonly flexibility?: FlexibilityNeedParams;
}

const COMMON_KEYS = new Set(['kind', 'id', 'idPrefix', 'count', 'transformer']);
const OWN_KEYS = new Set(['name', 'flexibility']);
/** Kinds that are roles rather than connections: they have no meter. */
const UNMETERED = new Set(['mca', 'utility', 'aggregator', 'ev-driver']);

function positive(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : undefined;
}

/**
 * The meter records of every metered participant: sanctioned load from the participant's
 * `sanctionedLoadKW`, else the connection's, else `utility.sanctionedLoadKW`; export limit from the
 * participant's `inverterKW`, else the connection's PV and battery inverters, capped at the
 * sanctioned load (a connection without generation may export up to its sanctioned load).
 */
export function meterRecords(scenario: Scenario, ctx: FactoryContext): Map<string, MeterRecord> {
  const out = new Map<string, MeterRecord>();
  for (const spec of scenario.participants) {
    if (UNMETERED.has(spec.kind)) continue;
    for (const pid of participantIdsOf(spec)) {
      const a = ctx.meterOf(pid);
      if (a === undefined) continue;
      const sanctioned = positive(spec['sanctionedLoadKW']) ?? positive(a.sanctionedLoadKW) ?? scenario.utility.sanctionedLoadKW;
      const inverters = (a.pvKWp ?? 0) + (a.batteryKW ?? 0);
      const inverter = positive(spec['inverterKW']) ?? (inverters > 0 ? inverters : undefined);
      out.set(a.meterId, { meterId: a.meterId, participantId: pid, nodeId: a.node, sanctionedLoadKW: sanctioned, maxExportKW: inverter === undefined ? sanctioned : Math.min(sanctioned, inverter) });
    }
  }
  for (const r of aggregatorMeterRecords(scenario, ctx)) out.set(r.meterId, r);
  return out;
}

/**
 * Reads and checks the utility's parameters; every problem at once, paths relative to its entry.
 * The connection parameters it reads from other entries (`sanctionedLoadKW`, `inverterKW`) are
 * checked by those entries' kinds; a value that is not a positive number is not used.
 */
export function utilityParams(spec: ParticipantSpec, scenario: Scenario, ctx: FactoryContext): Result<UtilityParams> {
  const errors: Diagnostic[] = [];
  for (const key of Object.keys(spec)) {
    if (COMMON_KEYS.has(key) || OWN_KEYS.has(key)) continue;
    errors.push({ code: 'utility.unknown-param', path: key, message: `unknown parameter "${key}" for kind utility (known: ${[...OWN_KEYS].join(', ')})` });
  }
  if (spec.count !== 1) errors.push({ code: 'utility.count', path: 'count', message: `a scenario has one utility; count must be 1, got ${spec.count}` });
  if (spec.transformer !== undefined) errors.push({ code: 'utility.transformer', path: 'transformer', message: 'the utility operates the whole feeder; remove transformer' });
  const name = spec['name'] ?? 'Distribution utility';
  if (typeof name !== 'string' || name.trim() === '') errors.push({ code: 'utility.name', path: 'name', message: 'name must be a non-empty string' });
  const need = spec['flexibility'] === undefined ? undefined : flexibilityNeedParams(spec['flexibility']);
  if (need !== undefined && !need.ok) errors.push(...need.errors);
  if (errors.length > 0) return fail(errors);
  return ok({ name: name as string, currency: scenario.currency, rules: scenario.utility, gridMode: scenario.market.gridMode, priceTick: scenario.market.priceTick, meters: meterRecords(scenario, ctx), ...(need?.ok === true ? { flexibility: need.value } : {}) });
}
