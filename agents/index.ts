import type { AgentFactory } from '../src/run/agent.js';

/**
 * Every agent kind a scenario may name, by its `kind`. Each kind lives in `agents/<kind>/`
 * (machine, policy, params) and exports its factory from `index.ts`.
 */
export const AGENT_KINDS: ReadonlyMap<string, AgentFactory> = new Map<string, AgentFactory>([]);
