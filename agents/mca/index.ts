import { DiagnosticError } from '../../src/diagnostics.js';
import type { AgentFactory } from '../../src/run/agent.js';
import { MarketClearingAgent } from './agent.js';
import { mcaParams } from './params.js';

export { MarketClearingAgent } from './agent.js';
export { mcaParams, type McaParams } from './params.js';
export { mcaTransactionMachine, type McaEffect, type McaTxEvent } from './machine.js';
export { clipCurve, marketInputFor, marketTotals, nodeAddersFromPaths, gridNodesFromCatalog, type ApprovedLimits, type CatalogGridNode, type ClearingBid } from './policy.js';
export { marketCatalog, EXPECTED_INPUTS } from './catalog.js';

/**
 * Creates the market clearing agent of a scenario entry (kind `mca`). Parameter problems are
 * thrown as one DiagnosticError carrying every diagnostic (a factory returns agents, not results).
 */
export const create: AgentFactory = (spec, ids, services) =>
  ids.map((id) => {
    const s = services(id);
    const p = mcaParams(spec, s.scenario, id);
    if (!p.ok) throw new DiagnosticError(p.errors);
    return new MarketClearingAgent(id, p.value, s);
  });
