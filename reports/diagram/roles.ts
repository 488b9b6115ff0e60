import { isRecord } from './context.js';

/** What a lifeline stands for. `network` is the discovery service a `discover` without a BPP goes to. */
export type LifelineRole = 'participant' | 'network' | 'mca' | 'utility';

/** A participant as the run's `scenario.resolved.json` lists it. */
export interface ScenarioParticipantRef {
  readonly id: string;
  readonly kind: string;
}

/** Who a subscriber id is: its role, its kind (cpo, prosumer, …) and a short label for a lifeline. */
export interface PartyInfo {
  readonly subscriberId: string;
  readonly role: LifelineRole;
  readonly kind: string;
  readonly label: string;
}

/** The id used for the receiver of a request that names no BPP. */
export const NETWORK_ID = '';

/** Participant kinds recognised in a subscriber id when the scenario does not list it, longest first. */
const KIND_WORDS = ['p2p-seller', 'p2p-buyer', 'ev-driver', 'aggregator', 'prosumer', 'consumer', 'battery', 'cpo'] as const;

const MCA_PATTERN = /(^|[^a-z])mca([^a-z]|$)|market-?clearing|clearing-?agent/;
const UTILITY_PATTERN = /utility|grid-?operator|(^|[^a-z])dso([^a-z]|$)|discom|transmission|distribution/;

/**
 * The participants of a resolved scenario (`participants[].id` and `kind`); anything else in the
 * file is ignored, and a file without such a list gives an empty list.
 */
export function participantsFromScenario(scenario: unknown): readonly ScenarioParticipantRef[] {
  if (!isRecord(scenario)) return [];
  const list = scenario['participants'];
  if (!Array.isArray(list)) return [];
  const out: ScenarioParticipantRef[] = [];
  for (const p of list) {
    if (!isRecord(p)) continue;
    const id = p['id'];
    const kind = p['kind'];
    if (typeof id === 'string' && id !== '') out.push({ id, kind: typeof kind === 'string' && kind !== '' ? kind : 'participant' });
  }
  return out;
}

/**
 * The first meaningful label of a subscriber id: `bap.solar-prosumer.com` → `solar-prosumer`,
 * `prosumer-7.degsim.net` → `prosumer-7`, `cpo-1` stays `cpo-1`; URLs lose scheme and path.
 */
export function shortId(subscriberId: string): string {
  const host = subscriberId.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  const labels = host.split('.').filter((l) => l !== '');
  if (labels.length >= 2 && /^(bap|bpp|api|www)$/i.test(labels[0] ?? '')) labels.shift();
  const first = labels[0];
  return first === undefined || first === '' ? subscriberId : first;
}

const indexCache = new WeakMap<readonly ScenarioParticipantRef[], ReadonlyMap<string, ScenarioParticipantRef>>();

/** Participants by id, built once per list. */
function indexOf(known: readonly ScenarioParticipantRef[]): ReadonlyMap<string, ScenarioParticipantRef> {
  let index = indexCache.get(known);
  if (index === undefined) {
    const m = new Map<string, ScenarioParticipantRef>();
    for (const p of known) if (!m.has(p.id)) m.set(p.id, p);
    index = m;
    indexCache.set(known, index);
  }
  return index;
}

/**
 * The longest known participant id that occurs in `subscriberId` as a whole token, i.e. bounded by
 * the start, the end or one of `.`, `/`, `:`, `@`. Looks up each separator-bounded span of the id.
 */
function matchToken(subscriberId: string, index: ReadonlyMap<string, ScenarioParticipantRef>): ScenarioParticipantRef | undefined {
  const starts = [0];
  const ends: number[] = [];
  for (let i = 0; i < subscriberId.length; i++) {
    if ('./:@'.includes(subscriberId[i] ?? '')) {
      ends.push(i);
      starts.push(i + 1);
    }
  }
  ends.push(subscriberId.length);
  let best: ScenarioParticipantRef | undefined;
  for (const s of starts) {
    for (const e of ends) {
      if (e <= s || (best !== undefined && e - s <= best.id.length)) continue;
      const hit = index.get(subscriberId.slice(s, e));
      if (hit !== undefined) best = hit;
    }
  }
  return best;
}

function roleOfKind(kind: string): LifelineRole {
  const k = kind.toLowerCase();
  if (k === 'mca' || MCA_PATTERN.test(k)) return 'mca';
  if (k === 'utility' || UTILITY_PATTERN.test(k)) return 'utility';
  return 'participant';
}

/**
 * Classifies a subscriber id. A scenario participant whose id equals the subscriber id, or occurs
 * in it as a whole token (the longest such id wins), gives the kind (the list is indexed once); otherwise the id's words do
 * (`mca`, `market-clearing`, `utility`, `grid-operator`, `dso`, `prosumer`, `cpo`, …).
 */
export function classifyParty(subscriberId: string, known: readonly ScenarioParticipantRef[]): PartyInfo {
  if (subscriberId === NETWORK_ID) return { subscriberId, role: 'network', kind: 'network', label: 'Network' };
  const match = matchToken(subscriberId, indexOf(known));
  const lower = subscriberId.toLowerCase();
  if (match !== undefined) {
    const role = roleOfKind(match.kind);
    return { subscriberId, role, kind: match.kind, label: role === 'participant' ? match.id : roleLabel(role) };
  }
  if (MCA_PATTERN.test(lower)) return { subscriberId, role: 'mca', kind: 'mca', label: 'MCA' };
  if (UTILITY_PATTERN.test(lower)) return { subscriberId, role: 'utility', kind: 'utility', label: 'Utility' };
  const kind = KIND_WORDS.find((w) => lower.includes(w)) ?? 'participant';
  return { subscriberId, role: 'participant', kind, label: shortId(subscriberId) };
}

function roleLabel(role: LifelineRole): string {
  switch (role) {
    case 'mca':
      return 'MCA';
    case 'utility':
      return 'Utility';
    case 'network':
      return 'Network';
    case 'participant':
      return 'Participant';
  }
}

/** Display name of a kind for group lifelines: `cpo` → `CPOs`, `battery` → `batteries`, `prosumer` → `prosumers`. */
export function pluralKind(kind: string): string {
  if (kind === 'cpo') return 'CPOs';
  if (/[^aeiou]y$/.test(kind)) return `${kind.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(kind)) return `${kind}es`;
  return `${kind}s`;
}
