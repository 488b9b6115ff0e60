import { basename, extname, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { settingText } from '../../sweep/job.js';
import { createLocalExecutor, defaultJobCount } from '../../sweep/local-executor.js';
import { ProgressBar } from '../../sweep/progress.js';
import { checkRunner, DEFAULT_RUNNER, parseRunnerRef } from '../../sweep/runner.js';
import { isSweepFile, loadSweepFile } from '../../sweep/sweep-file.js';
import { planSweep, runSweep, type SweepSpec } from '../../sweep/sweep.js';
import { parseSeeds, parseVaryFlags, type SweepParameter } from '../../sweep/values.js';

interface SweepOptions {
  readonly vary: readonly string[];
  readonly seeds?: string;
  readonly jobs?: number;
  readonly out?: string;
  readonly resume?: boolean;
  readonly runner?: string;
  readonly quiet?: boolean;
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  return Number(value);
}

function printAll(ds: readonly Diagnostic[]): void {
  for (const d of ds) process.stderr.write(`${formatDiagnostic(d)}\n`);
}

/** Builds the sweep from a sweep file and/or flags; flags add parameters and replace seeds, jobs and out. */
function buildSpec(file: string, opts: SweepOptions): { spec: SweepSpec; jobs: number | undefined } | { usage: readonly Diagnostic[] } | { invalid: readonly Diagnostic[] } {
  const flags = parseVaryFlags(opts.vary);
  const seeds = opts.seeds === undefined ? undefined : parseSeeds(opts.seeds, '--seeds');
  const usage = [...(flags.ok ? [] : flags.errors), ...(seeds === undefined || seeds.ok ? [] : seeds.errors)];
  if (usage.length > 0) return { usage };
  let scenarioPath = file;
  let parameters: readonly SweepParameter[] = flags.ok ? flags.value : [];
  let fileSeeds: readonly number[] | undefined;
  let fileJobs: number | undefined;
  let fileOut: string | undefined;
  if (isSweepFile(file)) {
    const sf = loadSweepFile(file);
    if (!sf.ok) return { invalid: sf.errors };
    scenarioPath = sf.value.scenarioPath;
    const fromFlags = new Set(parameters.map((p) => p.path));
    parameters = [...sf.value.parameters.filter((p) => !fromFlags.has(p.path)), ...parameters];
    fileSeeds = sf.value.seeds;
    fileJobs = sf.value.jobs;
    fileOut = sf.value.outDir;
  }
  const name = basename(scenarioPath, extname(scenarioPath));
  return {
    spec: {
      scenarioPath,
      parameters,
      seeds: seeds?.ok === true ? seeds.value : (fileSeeds ?? [1]),
      outDir: opts.out ?? fileOut ?? `runs/${name}-sweep`,
    },
    jobs: opts.jobs ?? fileJobs,
  };
}

/** `degsim sweep`: runs a scenario over a grid of parameter values and seeds, in parallel. */
export function register(program: Command): void {
  program
    .command('sweep')
    .description('Run a scenario for every combination of varied parameters and seeds; write sweep.csv and sweep.md')
    .argument('<file>', 'a scenario file, or a sweep file (YAML with scenario, vary, seeds; see schemas/sweep.schema.json)')
    .option('--vary <path=values>', 'vary a scenario path: a,b,c (YAML scalars) or lo..hi:step (exact decimals); repeatable', collect, [])
    .option('--seeds <list>', 'seeds: 1..10, 1,4,9 or 1..5,9 (default 1)')
    .option('--jobs <n>', `runs in parallel (default: cores − 1 = ${defaultJobCount()})`, positiveInt)
    .option('--out <dir>', 'sweep folder (default runs/<scenario>-sweep)')
    .option('--resume', 'skip runs the checkpoint in the sweep folder records as done')
    .option('--runner <module#export>', 'the run function to call (default: runScenario of src/run/run)')
    .option('--quiet', 'no progress bar and no per-failure lines')
    .addHelpText(
      'after',
      `
Writes <out>/sweep.csv (one row per run), <out>/sweep.md (mean and 95 % interval over seeds,
best setting per metric), <out>/sweep-timings.csv, and one run folder per run in <out>/runs/.
sweep.csv and sweep.md are byte-identical whatever --jobs is. Exit code 0 when every run
succeeded, 1 when a run failed or the sweep was interrupted (Ctrl-C; then --resume), 2 on bad usage.

Examples:
  $ degsim sweep scenarios/default.yaml --vary market.fee=0,0.05,0.1 --vary utility.deviationPenalty=1..3:0.5 --seeds 1..10
  $ degsim sweep sweeps/fees.yaml --jobs 4 --resume`,
    )
    .action(async (file: string, opts: SweepOptions) => {
      const built = buildSpec(file, opts);
      if ('usage' in built) {
        printAll(built.usage);
        process.exitCode = 2;
        return;
      }
      if ('invalid' in built) {
        printAll(built.invalid);
        process.exitCode = 1;
        return;
      }
      const plan = planSweep(built.spec);
      if (!plan.ok) {
        printAll(plan.errors);
        process.exitCode = 1;
        return;
      }
      const runner = checkRunner(opts.runner === undefined ? DEFAULT_RUNNER : parseRunnerRef(opts.runner, process.cwd()));
      if (!runner.ok) {
        printAll(runner.errors);
        process.exitCode = 1;
        return;
      }
      const quiet = opts.quiet === true;
      const bar = new ProgressBar(process.stderr, () => performance.now());
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const outcome = await runSweep(plan.value, {
          executor: createLocalExecutor({ jobs: built.jobs ?? defaultJobCount(), runner: runner.value }),
          resume: opts.resume === true,
          signal: controller.signal,
          onProgress: (p) => {
            if (!quiet) bar.update(p);
          },
          onRecord: (r) => {
            if (quiet || r.status === 'ok') return;
            bar.clear();
            process.stderr.write(`run failed: ${settingText(r.values)}, seed ${r.seed} (job ${r.jobId})\n`);
            for (const d of r.errors) process.stderr.write(`  ${formatDiagnostic(d)}\n`);
          },
        });
        bar.finish();
        printAll(outcome.warnings);
        const where = relative(process.cwd(), outcome.outDir) || '.';
        process.stdout.write(
          `sweep: ${outcome.total} runs, ${outcome.succeeded} succeeded, ${outcome.failed} failed` +
            `${outcome.skipped > 0 ? `, ${outcome.skipped} already done` : ''}` +
            `${outcome.interrupted ? `, ${outcome.total - outcome.records.length} not run (interrupted: continue with --resume)` : ''}\n` +
            `wrote ${where}/sweep.csv, ${where}/sweep.md, ${where}/sweep-timings.csv\n`,
        );
        process.exitCode = outcome.failed > 0 || outcome.interrupted ? 1 : 0;
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
