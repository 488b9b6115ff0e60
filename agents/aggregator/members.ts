import type { ParticipantSpec } from '../../src/scenario/types.js';
import { participantIdsOf } from '../shared/ids.js';

/**
 * Who belongs to an aggregator. An aggregator entry names its members by kind and count
 * (`members: { prosumer: 4, battery: 2, ev: 2 }`); each member is an ordinary metered connection
 * of the feeder — the run gives it a meter of the matching kind, as it does any participant — and
 * an agent of its own that joins the aggregator by contract instead of trading in the market.
 * Ids are `<aggregator>.<short kind>-<n>`, e.g. `vpp.pv-1`.
 */

/** Member kinds an aggregator can enrol, with the connection kind the feeder gives them. */
export const MEMBER_KINDS = {
  /** A home with rooftop PV (and the home battery its connection has, if any). */
  prosumer: { connection: 'prosumer', short: 'pv' },
  /** A stand-alone battery behind its own meter. */
  battery: { connection: 'battery', short: 'bat' },
  /** A home with an EV charger: the household load plus its car's charging sessions. */
  ev: { connection: 'home-ev', short: 'ev' },
} as const;
export type MemberKind = keyof typeof MEMBER_KINDS;

/** True for a member kind name. */
export function isMemberKind(x: string): x is MemberKind {
  return Object.prototype.hasOwnProperty.call(MEMBER_KINDS, x);
}

/** One member resource of an aggregator. */
export interface MemberResource {
  readonly id: string;
  readonly memberKind: MemberKind;
  /** The connection kind the run assigns it a meter by (`prosumer`, `battery`, `home-ev`). */
  readonly kind: string;
  readonly aggregatorId: string;
  /** Transformer the member hangs under, when the aggregator's entry names one. */
  readonly transformer?: string;
}

/** Id of a member: `<aggregator>.<short kind>-<n>` (n from 1). */
export function memberId(aggregatorId: string, kind: MemberKind, n: number): string {
  return `${aggregatorId}.${MEMBER_KINDS[kind].short}-${n}`;
}

/**
 * The members of one aggregator entry, for each of its ids, in a fixed order (kinds in the order of
 * {@link MEMBER_KINDS}, then by number). Tolerant: a missing or malformed `members` gives none (the
 * aggregator's parameters report it); this runs before any parameter is checked.
 */
export function memberResources(spec: ParticipantSpec, ids: readonly string[] = participantIdsOf(spec)): readonly MemberResource[] {
  const members = spec['members'];
  if (typeof members !== 'object' || members === null || Array.isArray(members)) return [];
  const counts = members as Readonly<Record<string, unknown>>;
  const out: MemberResource[] = [];
  for (const aggregatorId of ids) {
    for (const kind of Object.keys(MEMBER_KINDS) as MemberKind[]) {
      const n = counts[kind];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) continue;
      for (let i = 1; i <= n; i++) {
        out.push({ id: memberId(aggregatorId, kind, i), memberKind: kind, kind: MEMBER_KINDS[kind].connection, aggregatorId, ...(spec.transformer === undefined ? {} : { transformer: spec.transformer }) });
      }
    }
  }
  return out;
}

/** Id of the portfolio's virtual meter: the sum of its members' meters, as the market and the grid operator see it. */
export function portfolioMeterId(aggregatorId: string): string {
  return `${aggregatorId}.portfolio`;
}
