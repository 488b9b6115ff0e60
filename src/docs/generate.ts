import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import type { Payload } from '../protocol/payloads.js';
import { validateMessage } from '../protocol/validate.js';
import { writeFileAtomic, writeFolderAtomic } from '../util/atomic.js';
import { buildingBlocksMarkdown, exampleFileName, exampleJson, useCaseMarkdown, type Finding } from './render.js';
import { runUseCaseForDocs, type DocRun } from './run.js';
import { USE_CASES, type UseCase } from './use-cases.js';

/**
 * `degsim docs`: runs every use case whose scenario exists and writes, under the output folder,
 * `use-cases/<name>.md` (story, blocks, sequence diagram, example steps, contracts, money flows),
 * `use-cases/README.md` (the table of use cases), `examples/<name>/<NN>-<action>.json` (one
 * validated message per step) and `building-blocks.md` (the blocks, the matrix, the findings).
 * Deterministic: the same code and scenarios give the same bytes.
 */

export interface DocsOptions {
  /** Project root: scenarios are read relative to it. */
  readonly root: string;
  /** Output folder, e.g. `<root>/docs`. */
  readonly outDir: string;
  /** Use cases to consider (default: all of {@link USE_CASES}). */
  readonly useCases?: readonly UseCase[];
  /** Called after each use case has run. */
  readonly onProgress?: (name: string) => void;
}

export interface DocsOutcome {
  /** Files written, relative to the output folder, sorted. */
  readonly files: readonly string[];
  readonly documented: readonly string[];
  /** Use cases whose scenario file does not exist (yet). */
  readonly skipped: readonly string[];
}

/** The docs as files (relative path → text), without writing them. */
export async function buildDocs(o: Omit<DocsOptions, 'outDir'>): Promise<Result<{ readonly files: ReadonlyMap<string, string>; readonly documented: readonly string[]; readonly skipped: readonly string[] }>> {
  const runs: DocRun[] = [];
  const skipped: string[] = [];
  const errors: Diagnostic[] = [];
  for (const uc of o.useCases ?? USE_CASES) {
    if (!existsSync(join(o.root, uc.scenario))) {
      skipped.push(uc.name);
      continue;
    }
    const r = await runUseCaseForDocs(o.root, uc);
    if (!r.ok) errors.push(...r.errors);
    else runs.push(r.value);
    o.onProgress?.(uc.name);
  }
  if (errors.length > 0) return fail(errors);
  const files = new Map<string, string>();
  for (const run of runs) {
    const profile = run.scenario.protocol.profile;
    for (const step of run.steps) {
      const problems = validateMessage(step.message.wire, profile);
      if (problems.length > 0) errors.push(...problems.map((d) => ({ ...d, message: `${run.useCase.name} step ${step.n}: ${d.message}` })));
      files.set(`examples/${run.useCase.name}/${exampleFileName(step)}`, exampleJson(step));
    }
    files.set(`use-cases/${run.useCase.name}.md`, useCaseMarkdown(run, `profile \`${profile}\``));
  }
  if (errors.length > 0) return fail(errors);
  files.set('use-cases/README.md', useCaseIndex(runs, skipped));
  files.set('building-blocks.md', buildingBlocksMarkdown(runs, findings(runs)));
  return ok({ files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), documented: runs.map((r) => r.useCase.name), skipped });
}

/** Builds the docs and writes them: `use-cases/` and `examples/` each replaced atomically, `building-blocks.md` likewise. */
export async function generateDocs(o: DocsOptions): Promise<Result<DocsOutcome>> {
  const built = await buildDocs(o);
  if (!built.ok) return built;
  const { files } = built.value;
  for (const folder of ['use-cases', 'examples']) {
    await writeFolderAtomic(join(o.outDir, folder), async (staging) => {
      for (const [path, text] of files) {
        if (!path.startsWith(`${folder}/`)) continue;
        const target = join(staging, path.slice(folder.length + 1));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, text);
      }
    });
  }
  writeFileAtomic(join(o.outDir, 'building-blocks.md'), files.get('building-blocks.md') ?? '');
  return ok({ files: [...files.keys()], documented: built.value.documented, skipped: built.value.skipped });
}

/** `use-cases/README.md`: use case → scenario → doc. */
export function useCaseIndex(runs: readonly DocRun[], skipped: readonly string[]): string {
  const lines = ['# Use cases', '', 'Each use case is a scenario anyone can run (`degsim run <scenario>`) and a page generated from its run by `degsim docs`. See [building blocks](../building-blocks.md) for what they are made of.', '', '| use case | scenario | doc |', '|---|---|---|'];
  for (const r of runs) lines.push(`| ${r.useCase.title} | [\`${r.useCase.scenario}\`](../../${r.useCase.scenario}) | [${r.useCase.name}.md](${r.useCase.name}.md) |`);
  if (skipped.length > 0) lines.push('', `Not documented because their scenario file is missing: ${skipped.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

/**
 * Findings about the blocks, each stated only when the runs show its evidence: what a use case
 * needed that the blocks carry only as a richer instance, not as a new block.
 */
export function findings(runs: readonly DocRun[]): Finding[] {
  const out: Finding[] = [];
  const contracts = runs.flatMap((r) => r.sim.settlement.heldContracts().map((c) => ({ run: r, c })));
  const templates = new Set(contracts.map((x) => x.c.template ?? 'untemplated'));
  const flows = new Set(contracts.flatMap((x) => x.c.revenueFlows.flows.map((f) => `${x.c.template ?? ''}/${f.flowId}`)));
  out.push({
    title: 'Money is one block',
    text: `${templates.size} contract templates with ${flows.size} distinct revenue flows (${[...templates].sort().join(', ')}) carry every payment of every run as formulas over role inputs, signals and telemetry; no use case needed a payment outside EnergyContract, and every run’s ledger nets to zero.`,
  });
  const portfolio = contracts.find((x) => x.c.template === 'grid/portfolio-deviation');
  if (portfolio !== undefined) {
    const n = portfolio.c.telemetrySources?.length ?? 0;
    out.push({
      title: 'A portfolio is a sum of meters',
      text: `A telemetry source names one meter. The ${portfolio.run.useCase.name} aggregator's deviation contract (\`${portfolio.c.contractId}\`) is the standard deviation contract whose meter is the sum of ${n} member meters, so it lists ${n} telemetry sources and sums them in its formulas. A meter-group source (one source, several meter ids, summed by settlement) would keep such contracts as short as a single home's — a richer TelemetrySource, not a new block.`,
    });
  }
  const flexRun = runs.find((r) => r.sim.settlement.heldContracts().some((c) => c.template === 'flexibility/demand'));
  if (flexRun !== undefined) {
    const readings = flexRun.messages.filter((m) => ((m.parsed.payload as Payload).kind === 'contract' ? ((m.parsed.payload as { delivery?: { meterReadings?: readonly unknown[] } }).delivery?.meterReadings?.length ?? 0) > 0 : false)).length;
    out.push({
      title: 'Verification needs readings after delivery',
      text: `Demand flexibility pays a reduction against a baseline drawn from meter readings of earlier days. The readings travel as MeterReading packs in \`update\` messages (${readings} in the documented run), arrive only after each interval, and so the contract is settled once, one interval after the event (billing at the end), with the baseline method stated as two contract parameters (days averaged, hours of in-day adjustment). The blocks carry all of it; what a deployment would add is the meter data from the operator's own meters rather than the aggregator's report.`,
    });
  }
  const forecast = runs.filter((r) => r.usage.packs.has('Forecast'));
  if (forecast.length > 0) {
    out.push({
      title: 'Forecasts are catalogue items',
      text: `${forecast.map((r) => r.useCase.name).join(', ')} share${forecast.length === 1 ? 's' : ''} a Forecast as a catalogue item beside the GridNode it is about, in the same \`itemAttributes\` slot as an EnergyResource: a pack that travels with the blocks, not a seventh block.`,
    });
  }
  const vpp = runs.find((r) => r.messages.some((m) => m.fromKind === 'aggregator' && m.toKind === 'mca'));
  if (vpp !== undefined) {
    out.push({
      title: 'An aggregate is an EnergyResource with a virtual meter',
      text: `In ${vpp.useCase.name} the aggregator bids as one PROSUMER under its portfolio's virtual meter, the same way the market's own virtual meter is an EnergyResource with \`virtualMeter\`; EnergyResource has no resource type for a portfolio, so its setpoint's device command takes the household category. A \`PORTFOLIO\` resource type would name it — a value, not a block.`,
    });
  }
  const commands = new Map<string, number>();
  for (const r of runs) {
    for (const m of r.messages) {
      const p = m.parsed.payload as Payload;
      if (p.kind !== 'contract') continue;
      for (const s of p.delivery?.setpoints ?? []) for (const c of s.commands ?? []) commands.set(c.standard, (commands.get(c.standard) ?? 0) + 1);
    }
  }
  if (commands.size > 0) {
    out.push({
      title: 'Device commands are carried, not re-invented',
      text: `Setpoints carried ${[...commands].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${n} ${s === 'OCPP' ? 'OCPP SetChargingProfile' : 'IEEE 2030.5 DERControl'} command${n === 1 ? '' : 's'}`).join(' and ')} across the runs, each as its standard defines it inside the Setpoint pack of the contract's delivery.`,
    });
  }
  return out;
}
