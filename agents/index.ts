import type { AgentFactory } from '../src/run/agent.js';
import type { ParticipantSpec } from '../src/scenario/types.js';
import { create as mca } from './mca/index.js';
import { create as utility } from './utility/index.js';
import { create as prosumer } from './prosumer/index.js';
import { create as battery } from './battery/index.js';
import { create as cpo } from './cpo/index.js';
import { create as consumer } from './consumer/index.js';
import { create as aggregator, memberResources } from './aggregator/index.js';
import { create as homeEv } from './home-ev/index.js';
import { create as p2pSeller } from './p2p-seller/index.js';
import { create as p2pBuyer } from './p2p-buyer/index.js';
import { create as evDriver } from './ev-driver/index.js';

/**
 * Every agent kind a scenario may name, by its `kind`. Each kind lives in `agents/<kind>/`
 * (machine, policy, params) and exports its factory from `index.ts`.
 */
export const AGENT_KINDS: ReadonlyMap<string, AgentFactory> = new Map<string, AgentFactory>([
  ['mca', mca],
  ['utility', utility],
  ['prosumer', prosumer],
  ['battery', battery],
  ['cpo', cpo],
  ['consumer', consumer],
  ['aggregator', aggregator],
  ['home-ev', homeEv],
  ['p2p-seller', p2pSeller],
  ['p2p-buyer', p2pBuyer],
  ['ev-driver', evDriver],
]);

/** A connection an entry brings along besides its own ids, with the connection kind it is metered as. */
export interface MemberConnection {
  readonly id: string;
  readonly kind: string;
  readonly transformer?: string;
}

/**
 * Kinds whose entries bring member connections along (an aggregator's members): the run gives
 * each a meter of its kind and a place on the network, as it does any participant.
 */
export const MEMBER_RESOURCES: ReadonlyMap<string, (spec: ParticipantSpec, ids: readonly string[]) => readonly MemberConnection[]> = new Map([['aggregator', memberResources]]);
