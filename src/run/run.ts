import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { loadScenarioFile } from '../scenario/loader.js';
import type { Scenario } from '../scenario/types.js';
import { writeFolderAtomic } from '../util/atomic.js';
import { FEEDER_HEAD_ID } from '../../grid/index.js';
import { clearingCsv, dispatchCsv, flowsCsv } from '../../reports/run/tables.js';
import { summarize, summaryMarkdown, type RunSummary } from '../../reports/run/summary.js';
import { writeSettlementReports } from '../../reports/settlement/write.js';
import { writeHtmlReport } from '../../reports/html/write.js';
import { simulate, type SimulateOptions } from './simulate.js';

/** How to run a scenario. */
export interface RunOptions {
  readonly scenarioPath: string;
  /** `dotted.path=value` overrides, applied before validation. */
  readonly overrides?: readonly string[];
  /** Replaces the scenario's seed. */
  readonly seed?: number;
  /** Output folder; default `runs/<scenario name>` under the current directory. */
  readonly outDir?: string;
  readonly quiet?: boolean;
  /** Called after each settled interval. */
  readonly onProgress?: (done: number, total: number) => void;
  /** A mixed run: agents served by `degsim serve` nodes. */
  readonly remote?: SimulateOptions['remote'];
}

/** What a run gives back. */
export type RunOutcome =
  | { readonly ok: true; readonly outDir: string; readonly summary: RunSummary }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] };

/** Files every run writes, in the order they are written. */
export const RUN_FILES = [
  'scenario.resolved.json',
  'clearing.csv',
  'dispatch.csv',
  'flows.csv',
  'settlement.csv',
  'messages.ndjson',
  'acks.ndjson',
  'wire.ndjson',
  'registry.json',
  'summary.json',
  'summary.md',
  'report.html',
] as const;

/**
 * Loads, simulates and reports one scenario. The output folder is written atomically: it is built
 * beside the target and renamed into place only when every report is complete, so a failed run
 * leaves the previous output (or nothing) and never a half-written folder.
 */
export async function runScenario(opts: RunOptions): Promise<RunOutcome> {
  const loaded = loadScenarioFile(opts.scenarioPath, { ...(opts.overrides === undefined ? {} : { overrides: opts.overrides }), ...(opts.seed === undefined ? {} : { seed: opts.seed }) });
  if (!loaded.ok) return { ok: false, errors: loaded.errors };
  return runLoadedScenario(loaded.value, opts.outDir ?? join('runs', loaded.value.name), opts.onProgress, opts.remote === undefined ? {} : { remote: opts.remote });
}

/** Runs a scenario already loaded (e.g. by a sweep) into `outDir`. */
export async function runLoadedScenario(scenario: Scenario, outDir: string, onProgress?: (done: number, total: number) => void, options: SimulateOptions = {}): Promise<RunOutcome> {
  const sim = await simulate(scenario, onProgress, options);
  if (!sim.ok) return { ok: false, errors: sim.errors };
  const s = sim.value;
  const target = resolve(outDir);
  const written = await writeFolderAtomic(target, async (dir) => {
    const write = (name: string, text: string): void => writeFileSync(join(dir, name), text);
    write('scenario.resolved.json', `${JSON.stringify(scenario, null, 2)}\n`);
    const root = s.world.nodes.find((n) => n.parent === undefined)?.id ?? FEEDER_HEAD_ID;
    write('clearing.csv', clearingCsv(s.clock, s.recorder.clearings, root));
    const dispatch = s.recorder.dispatchTable();
    write('dispatch.csv', dispatchCsv(s.clock, dispatch));
    write('flows.csv', flowsCsv(s.clock, s.flows));
    const settled = writeSettlementReports(dir, s.settlement.ledger);
    if (!settled.ok) return { ok: false as const, errors: settled.errors };
    await s.trace.writeTo(dir, s.registry);
    if (!scenario.reports.wire) writeFileSync(join(dir, 'wire.ndjson'), '');
    const summary = summarize(s, dispatch);
    write('summary.json', `${JSON.stringify(summary, null, 2)}\n`);
    write('summary.md', summaryMarkdown(summary, s));
    if (scenario.reports.html) await writeHtmlReport(dir);
    return { ok: true as const, summary };
  });
  if (!written.ok) return written;
  return { ok: true, outDir: target, summary: written.summary };
}
