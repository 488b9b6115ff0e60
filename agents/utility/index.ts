import { DiagnosticError } from '../../src/diagnostics.js';
import type { AgentFactory } from '../../src/run/agent.js';
import { UtilityAgent } from './agent.js';
import { utilityParams } from './params.js';

export { UtilityAgent } from './agent.js';
export { meterRecords, utilityParams, type UtilityParams } from './params.js';
export { approvalMachine, providedContractMachine } from './machine.js';
export { approvalFor, fitsApproval, gridCatalog, LockBook, pathAdder, policyAdder, publishedLimits, tradeLegs, type Approval, type MeterRecord, type PolicyAdder, type TradeLeg } from './policy.js';

/**
 * Creates the utility / grid operator of a scenario entry (kind `utility`). Parameter problems are
 * thrown as one DiagnosticError carrying every diagnostic (a factory returns agents, not results).
 */
export const create: AgentFactory = (spec, ids, services, ctx) =>
  ids.map((id) => {
    const s = services(id);
    const p = utilityParams(spec, s.scenario, ctx);
    if (!p.ok) throw new DiagnosticError(p.errors);
    return new UtilityAgent(id, p.value, s);
  });
