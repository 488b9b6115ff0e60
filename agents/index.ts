import type { AgentFactory } from '../src/run/agent.js';
import { create as mca } from './mca/index.js';
import { create as utility } from './utility/index.js';
import { create as prosumer } from './prosumer/index.js';
import { create as battery } from './battery/index.js';
import { create as homeEv } from './home-ev/index.js';

/**
 * Every agent kind a scenario may name, by its `kind`. Each kind lives in `agents/<kind>/`
 * (machine, policy, params) and exports its factory from `index.ts`.
 */
export const AGENT_KINDS: ReadonlyMap<string, AgentFactory> = new Map<string, AgentFactory>([
  ['mca', mca],
  ['utility', utility],
  ['prosumer', prosumer],
  ['battery', battery],
  ['home-ev', homeEv],
]);
