import { join } from 'node:path';
import { loadScenarioFile } from '../../src/scenario/loader.js';
import { simulate, type Simulation } from '../../src/run/simulate.js';
import { formatDiagnostic } from '../../src/diagnostics.js';

/**
 * Runs a use-case scenario in memory (as `degsim run` does, without writing the folder) so a test
 * can read the clearing results, the dispatch rows, the ledger and the agents themselves.
 * `simulate` fails the run when any contract cannot be settled or the ledger does not net to zero.
 */
export async function simulateUseCase(name: string, overrides: readonly string[] = []): Promise<Simulation> {
  const loaded = loadScenarioFile(join(import.meta.dirname, '..', '..', 'scenarios', `${name}.yaml`), { overrides: ['reports.html=false', ...overrides] });
  if (!loaded.ok) throw new Error(loaded.errors.map(formatDiagnostic).join('\n'));
  const sim = await simulate(loaded.value);
  if (!sim.ok) throw new Error(sim.errors.map(formatDiagnostic).join('\n'));
  return sim.value;
}

/** Every refused message of a run, as `action from→to: reason`. */
export function refusals(sim: Simulation): string[] {
  return sim.trace.ackLines
    .map((l) => JSON.parse(l) as { readonly ack: string; readonly action: string; readonly from: string; readonly to: string; readonly error?: { readonly message: string } })
    .filter((a) => a.ack !== 'ACK')
    .map((a) => `${a.action} ${a.from}→${a.to}: ${a.error?.message ?? ''}`);
}

/** Sum of every party's net position, minor units: 0 when money is conserved. */
export function netSumMinor(sim: Simulation): bigint {
  return sim.settlement.ledger.partyTotals().reduce((s, p) => s + p.netMinor, 0n);
}
