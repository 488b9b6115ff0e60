import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';
import { batteryParams, type StandAloneBatteryParams } from '../battery/params.js';
import { ParamReader } from '../participant/params.js';
import { prosumerParams, type ProsumerEntry } from '../prosumer/params.js';
import type { EvHomeParams } from './devices.js';
import { isMemberKind, MEMBER_KINDS, type MemberKind } from './members.js';

/**
 * Parameters of an aggregator entry. The aggregator runs one program for its members:
 * - `market` (a virtual power plant): it adds its members' curves into one, trades it in the
 *   pay-as-clear market as one participant, splits the cleared power into member setpoints and
 *   passes each member the market value of its metered energy, keeping `sharePercent`;
 * - `flexibility`: it takes the grid operator's published flexibility need, offers its members'
 *   aggregate upward flexibility in each interval of the event, splits what is accepted into
 *   setpoints and passes each member the payment for its verified reduction, keeping `sharePercent`.
 */
export type AggregatorProgram = 'market' | 'flexibility';
export const AGGREGATOR_PROGRAMS: readonly AggregatorProgram[] = ['market', 'flexibility'];

export interface AggregatorParams {
  readonly name: string;
  readonly program: AggregatorProgram;
  /** The aggregator's share of the value it earns for each member, percent. */
  readonly sharePercent: number;
  /** Members by kind (at least one member). */
  readonly members: Readonly<Partial<Record<MemberKind, number>>>;
  readonly prosumer: ProsumerEntry;
  readonly battery: StandAloneBatteryParams;
  readonly ev: EvHomeParams;
  /** Flexibility program: the grid node whose need it takes (default: the first need offered). */
  readonly flexibilityNode: string | undefined;
  /** Discovery attempts before giving up on the market or the need. */
  readonly maxDiscoverAttempts: number;
}

/** The keys of an aggregator entry besides the common ones. */
export const AGGREGATOR_KEYS: readonly string[] = ['name', 'program', 'sharePercent', 'members', 'memberParams', 'flexibilityNode', 'maxDiscoverAttempts'];
const EV_KEYS = ['chargerKW', 'sessionsPerDay', 'annualKWh', 'forecastErrorSd', 'priceLearningRate'];

function prefixed(ds: readonly Diagnostic[], prefix: string): Diagnostic[] {
  return ds.map((d) => ({ ...d, path: d.path === '' ? prefix : `${prefix}.${d.path}` }));
}

function record(x: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

/** Reads and checks an `aggregator` entry; every problem at once, paths relative to the entry. */
export function aggregatorParams(spec: ParticipantSpec, scenario: Scenario): Result<AggregatorParams> {
  const r = new ParamReader(spec, 'aggregator', AGGREGATOR_KEYS);
  const errors: Diagnostic[] = [];
  const name = spec['name'] ?? 'Aggregator';
  if (typeof name !== 'string' || name.trim() === '') errors.push({ code: 'aggregator.name', path: 'name', message: 'name must be a non-empty string' });
  const program = r.choice('program', AGGREGATOR_PROGRAMS, 'market');
  const sharePercent = r.number('sharePercent', 20, { min: 0, max: 100, what: 'percent of the value earned for a member' });
  const maxDiscoverAttempts = r.number('maxDiscoverAttempts', 3, { min: 1, max: 20, integer: true, what: 'discover attempts' });
  const node = spec['flexibilityNode'];
  if (node !== undefined && (typeof node !== 'string' || node === '')) errors.push({ code: 'aggregator.param-type', path: 'flexibilityNode', message: 'flexibilityNode must be a grid node id' });

  const members: Partial<Record<MemberKind, number>> = {};
  const m = record(spec['members']);
  if (m === undefined) {
    errors.push({ code: 'aggregator.members', path: 'members', message: `members must map member kinds (${Object.keys(MEMBER_KINDS).join(', ')}) to counts, e.g. { prosumer: 4, battery: 2 }` });
  } else {
    for (const [k, v] of Object.entries(m)) {
      if (!isMemberKind(k)) errors.push({ code: 'aggregator.member-kind', path: `members.${k}`, message: `unknown member kind "${k}" (known: ${Object.keys(MEMBER_KINDS).join(', ')})` });
      else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1000) errors.push({ code: 'aggregator.member-count', path: `members.${k}`, message: `members.${k} must be a whole number from 0 to 1000, got ${JSON.stringify(v)}` });
      else if (v > 0) members[k] = v;
    }
    if (Object.keys(members).length === 0 && errors.every((d) => !d.path.startsWith('members'))) errors.push({ code: 'aggregator.members', path: 'members', message: 'an aggregator needs at least one member' });
  }

  const mp = spec['memberParams'] === undefined ? {} : record(spec['memberParams']);
  if (mp === undefined) errors.push({ code: 'aggregator.param-type', path: 'memberParams', message: 'memberParams must map member kinds to their parameters' });
  for (const k of Object.keys(mp ?? {})) if (!isMemberKind(k)) errors.push({ code: 'aggregator.member-kind', path: `memberParams.${k}`, message: `unknown member kind "${k}" (known: ${Object.keys(MEMBER_KINDS).join(', ')})` });
  const sub = (k: MemberKind): ParticipantSpec => {
    const given = record(mp?.[k]);
    if (mp?.[k] !== undefined && given === undefined) errors.push({ code: 'aggregator.param-type', path: `memberParams.${k}`, message: `memberParams.${k} must be an object of ${k} parameters` });
    return { ...(given ?? {}), kind: k, count: 1 };
  };
  const pro = prosumerParams(sub('prosumer'), scenario);
  if (!pro.ok) errors.push(...prefixed(pro.errors, 'memberParams.prosumer'));
  const bat = batteryParams(sub('battery'));
  if (!bat.ok) errors.push(...prefixed(bat.errors, 'memberParams.battery'));
  const evReader = new ParamReader(sub('ev'), 'ev', EV_KEYS);
  const ev: EvHomeParams = {
    chargerKW: evReader.optionalNumber('chargerKW', { above: 0, max: 50, what: 'kW of charger power' }),
    sessionsPerDay: evReader.number('sessionsPerDay', 1, { min: 0, max: 10, what: 'charging sessions per day' }),
    annualKWh: evReader.optionalNumber('annualKWh', { min: 0, what: 'kWh of yearly household consumption' }),
    forecastErrorSd: evReader.number('forecastErrorSd', 0.1, { min: 0, max: 1, what: 'relative sd of the load forecast' }),
    priceLearningRate: evReader.number('priceLearningRate', 0.3, { above: 0, max: 1, what: 'weight of a new price' }),
  };
  errors.push(...prefixed(evReader.errors, 'memberParams.ev'));
  errors.push(...r.errors);
  if (errors.length > 0 || !pro.ok || !bat.ok) return fail(errors);
  return ok({
    name: name as string,
    program,
    sharePercent,
    members,
    prosumer: pro.value,
    battery: bat.value,
    ev,
    flexibilityNode: node as string | undefined,
    maxDiscoverAttempts,
  });
}
