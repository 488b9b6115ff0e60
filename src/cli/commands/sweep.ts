import { basename, extname, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { settingText } from '../../sweep/job.js';
import { createLocalExecutor, defaultJobCount } from '../../sweep/local-executor.js';
import { ProgressBar } from '../../sweep/progress.js';
import { checkQueueServer, DEFAULT_QUEUE_NAME, parseQueueUrl } from '../../sweep/queue/connection.js';
import { createQueueExecutor, type QueueSweepEvent } from '../../sweep/queue/queue-executor.js';
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
  readonly queue?: string;
  readonly queueName: string;
  readonly clean?: boolean;
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

/** Flags that make no sense together with (or without) `--queue`. */
function queueUsage(opts: SweepOptions): readonly Diagnostic[] {
  if (opts.queue === undefined) return opts.clean === true ? [{ code: 'sweep.queue.usage', path: '--clean', message: '--clean only applies with --queue' }] : [];
  const out: Diagnostic[] = [];
  if (opts.jobs !== undefined) out.push({ code: 'sweep.queue.usage', path: '--jobs', message: 'with --queue, parallelism is the workers\' --concurrency; drop --jobs' });
  if (opts.runner !== undefined) out.push({ code: 'sweep.queue.usage', path: '--runner', message: 'with --queue, the workers choose the runner (degsim worker --runner); drop --runner' });
  const target = parseQueueUrl(opts.queue);
  if (!target.ok) out.push(...target.errors);
  return out;
}

function queueMessage(e: QueueSweepEvent): string {
  if (e.kind === 'cleaned') return `queue: removed ${e.removed} waiting run${e.removed === 1 ? '' : 's'}; ${e.left} already running finish and stay in the queue\n`;
  return `queue: ${e.enqueued} runs enqueued, ${e.reused} already done, ${e.requeued} failed before and enqueued again, ${e.pending} already queued\n`;
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
    .option('--queue <redis-url>', 'run on degsim workers through a Redis queue (redis://HOST:PORT/DB) instead of local threads')
    .option('--queue-name <name>', 'queue name; sweeps and workers must agree', DEFAULT_QUEUE_NAME)
    .option('--clean', 'with --queue: on Ctrl-C, remove this sweep\'s runs that no worker has started')
    .addHelpText(
      'after',
      `
Writes <out>/sweep.csv (one row per run), <out>/sweep.md (mean and 95 % interval over seeds,
best setting per metric), <out>/sweep-timings.csv, and one run folder per run in <out>/runs/.
sweep.csv and sweep.md are byte-identical whatever --jobs is, and with --queue. Exit code 0 when
every run succeeded, 1 when a run failed or the sweep was interrupted (Ctrl-C; then --resume),
2 on bad usage. With --queue, run folders stay with the workers (degsim worker --store), runs
already done in the queue are reused, Ctrl-C leaves queued runs to the workers (or removes them
with --clean) and exits 130; the same command again collects the results.

Examples:
  $ degsim sweep scenarios/default.yaml --vary market.fee=0,0.05,0.1 --vary utility.deviationPenalty=1..3:0.5 --seeds 1..10
  $ degsim sweep sweeps/fees.yaml --jobs 4 --resume
  $ degsim sweep sweeps/fees.yaml --queue redis://10.0.0.5:6379/0`,
    )
    .action(async (file: string, opts: SweepOptions) => {
      const built = buildSpec(file, opts);
      const usage = [...('usage' in built ? built.usage : []), ...queueUsage(opts)];
      if (usage.length > 0 || 'usage' in built) {
        printAll(usage);
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
      const target = opts.queue === undefined ? undefined : parseQueueUrl(opts.queue);
      if (target?.ok === true) {
        const server = await checkQueueServer(target.value);
        if (!server.ok) {
          printAll(server.errors);
          process.exitCode = 1;
          return;
        }
      }
      const bar = new ProgressBar(process.stderr, () => performance.now());
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const outcome = await runSweep(plan.value, {
          executor:
            target?.ok === true
              ? createQueueExecutor({
                  target: target.value,
                  queueName: opts.queueName,
                  cleanOnAbort: opts.clean === true,
                  onEvent: (e) => {
                    if (quiet) return;
                    bar.clear();
                    process.stderr.write(queueMessage(e));
                  },
                })
              : createLocalExecutor({ jobs: built.jobs ?? defaultJobCount(), runner: runner.value }),
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
        process.exitCode = outcome.interrupted && target !== undefined ? 130 : outcome.failed > 0 || outcome.interrupted ? 1 : 0;
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
