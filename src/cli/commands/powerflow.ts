import { Command, InvalidArgumentError, Option } from 'commander';
import { formatPowerFlowTable, loadFeederFile, powerFlowSummary, solveFeeder } from '../../../grid/index.js';
import { formatDiagnostic } from '../../diagnostics.js';

export interface PowerflowOptions {
  readonly format: 'json' | 'table';
  /** Multiplies consuming loads (pKW ≥ 0). */
  readonly scaleLoads: number;
  /** Multiplies generating loads (pKW < 0). */
  readonly scaleGeneration: number;
  readonly maxIterations?: number;
}

interface Output {
  write(text: string): unknown;
}

/**
 * Loads a feeder file, solves its base case and prints the result (JSON by default, or a table)
 * to `stdout`; diagnostics and non-convergence go to `stderr`. Returns the exit code: 0 solved,
 * 1 bad file or no solution.
 */
export function runPowerflow(file: string, opts: PowerflowOptions, stdout: Output = process.stdout, stderr: Output = process.stderr): number {
  const loaded = loadFeederFile(file);
  if (!loaded.ok) {
    for (const d of loaded.errors) stderr.write(`${formatDiagnostic(d)}\n`);
    stderr.write(`${loaded.errors.length} problem${loaded.errors.length === 1 ? '' : 's'} in ${file}\n`);
    return 1;
  }
  for (const w of loaded.warnings) stderr.write(`warning: ${formatDiagnostic(w)}\n`);
  const result = solveFeeder(loaded.value, {
    loadScale: opts.scaleLoads,
    generationScale: opts.scaleGeneration,
    ...(opts.maxIterations === undefined ? {} : { maxIterations: opts.maxIterations }),
  });
  const { compiled } = result;
  const summary = powerFlowSummary(compiled, result);
  stdout.write(opts.format === 'table' ? formatPowerFlowTable(loaded.value.name, summary) : `${JSON.stringify(summary, null, 2)}\n`);
  if (!summary.converged) {
    stderr.write(`${file}: ${summary.message} [powerflow.${summary.reason}]\n`);
    return 1;
  }
  return 0;
}

function nonNegativeNumber(name: string): (value: string) => number {
  return (value: string) => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError(`${name} expects a number ≥ 0, got "${value}"`);
    return x;
  };
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  return Number(value);
}

/** `degsim powerflow <feeder>`: solve one feeder file and print voltages, flows and losses. */
export function register(program: Command): void {
  program
    .command('powerflow')
    .description('Solve the radial power flow of a feeder file (.json/.yaml) and print bus voltages, branch flows and losses')
    .argument('<feeder>', 'feeder file: name, baseKV, slackBus, lines, loads (+ transformers, connections)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .option('--scale-loads <x>', 'multiply every consuming load (pKW ≥ 0), P and Q', nonNegativeNumber('--scale-loads'), 1)
    .option('--scale-generation <x>', 'multiply every generating load (pKW < 0), P and Q', nonNegativeNumber('--scale-generation'), 1)
    .option('--max-iterations <n>', 'give up after n sweeps (default 200)', positiveInt)
    .addHelpText(
      'after',
      `
Prints { converged, iterations, lossesKW, minVoltagePu, minVoltageBus, maxVoltagePu, maxVoltageBus,
slackPKW, slackQKVAr, buses: [{id, voltagePu, angleDeg}], branches: [{id, kind, from, to, pKW, qKVAr,
currentA, lossesKW}] }. Loads: positive pKW consumes, negative pKW generates.
Exit codes: 0 solved, 1 bad feeder file or no solution (voltage collapse, no convergence), 2 usage.

Examples:
  $ degsim powerflow grid/cases/ieee33.json
  $ degsim powerflow grid/cases/ieee33.json --format table --scale-loads 2`,
    )
    .action((file: string, opts: { format: 'json' | 'table'; scaleLoads: number; scaleGeneration: number; maxIterations?: number }) => {
      process.exitCode = runPowerflow(file, {
        format: opts.format,
        scaleLoads: opts.scaleLoads,
        scaleGeneration: opts.scaleGeneration,
        ...(opts.maxIterations === undefined ? {} : { maxIterations: opts.maxIterations }),
      });
    });
}
