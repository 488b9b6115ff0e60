import { Command, InvalidArgumentError } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { settingText } from '../../sweep/job.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from '../../sweep/queue/connection.js';
import { startQueueWorker, type QueueWorkerEvent } from '../../sweep/queue/queue-worker.js';
import { checkRunner, DEFAULT_RUNNER, parseRunnerRef } from '../../sweep/runner.js';

interface WorkerOptions {
  readonly queue: string;
  readonly queueName: string;
  readonly concurrency: number;
  readonly store?: string;
  readonly runner?: string;
  readonly lockDuration: number;
  readonly quiet?: boolean;
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  return Number(value);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n < 1) throw new InvalidArgumentError(`expected a number of seconds ≥ 1, got "${value}"`);
  return n;
}

function printAll(ds: readonly Diagnostic[]): void {
  for (const d of ds) process.stderr.write(`${formatDiagnostic(d)}\n`);
}

/** One log line per worker event (`quiet` keeps only readiness, crashes, rejections and errors). */
export function formatWorkerEvent(e: QueueWorkerEvent, quiet: boolean): string | undefined {
  switch (e.kind) {
    case 'ready':
      return `worker ${e.name}: taking runs from queue ${e.queueName} with ${e.concurrency} thread${e.concurrency === 1 ? '' : 's'}`;
    case 'start':
      return quiet ? undefined : `start  ${e.jobId}  ${settingText(e.values)}, seed ${e.seed}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`;
    case 'finish': {
      if (quiet) return undefined;
      const r = e.record;
      const took = `${(r.runTimeMs / 1000).toFixed(2)} s`;
      if (r.status === 'ok') return `ok     ${r.jobId}  ${took}`;
      const first = r.errors[0];
      return `failed ${r.jobId}  ${took}  ${first === undefined ? '' : formatDiagnostic(first)}`;
    }
    case 'crash':
      return `crash  ${e.jobId}  ${settingText(e.values)}, seed ${e.seed}: ${e.message}${e.willRetry ? ' (will be retried)' : ' (no attempts left)'}`;
    case 'reject':
      return `reject ${e.jobId}  ${e.errors.map(formatDiagnostic).join('; ')}`;
    case 'error':
      return `error  ${e.message}`;
  }
}

/** `degsim worker`: runs sweep jobs from a Redis queue until stopped. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('Take sweep runs from a Redis queue and run them in worker threads, until stopped (Ctrl-C / SIGTERM)')
    .requiredOption('--queue <redis-url>', 'the queue: redis://HOST:PORT/DB (rediss:// for TLS; user:password@ if needed)')
    .option('--queue-name <name>', 'queue name; sweeps and workers must agree', DEFAULT_QUEUE_NAME)
    .option('--concurrency <n>', 'runs at a time, each in its own worker thread', positiveInt, 1)
    .option('--store <dir>', 'keep each run folder as <dir>/<job id> (default: delete it once its metrics are read)')
    .option('--runner <module#export>', 'the run function to call (default: runScenario of this installation)')
    .option('--lock-duration <s>', "seconds before a silent worker's runs are given to another worker", seconds, 30)
    .option('--quiet', 'log only readiness, crashes and errors, not every run')
    .addHelpText(
      'after',
      `
Each job carries its scenario (and the files it names), so a worker needs no copy of the sweep's
files. A run that fails is returned as a failed row and never retried; a run whose thread dies is
retried up to 3 times; if the worker itself dies, its runs are retried elsewhere after
--lock-duration. First Ctrl-C (or SIGTERM): finish running runs, then exit 0; second: exit now
(the runs go back to the queue). Exit code 1 when Redis cannot be reached, 2 on bad usage.

Example:
  $ degsim worker --queue redis://10.0.0.5:6379/0 --concurrency 4 --store /data/runs`,
    )
    .action(async (opts: WorkerOptions) => {
      const target = parseQueueUrl(opts.queue);
      if (!target.ok) {
        printAll(target.errors);
        process.exitCode = 2;
        return;
      }
      const runner = checkRunner(opts.runner === undefined ? DEFAULT_RUNNER : parseRunnerRef(opts.runner, process.cwd()));
      if (!runner.ok) {
        printAll(runner.errors);
        process.exitCode = 1;
        return;
      }
      const quiet = opts.quiet === true;
      const started = await startQueueWorker({
        target: target.value,
        queueName: opts.queueName,
        concurrency: opts.concurrency,
        runner: runner.value,
        lockDurationMs: opts.lockDuration * 1000,
        ...(opts.store === undefined ? {} : { storeDir: opts.store }),
        onEvent: (e) => {
          const line = formatWorkerEvent(e, quiet);
          if (line !== undefined) (e.kind === 'error' || e.kind === 'reject' ? process.stderr : process.stdout).write(`${line}\n`);
        },
      });
      if (!started.ok) {
        printAll(started.errors);
        process.exitCode = 1;
        return;
      }
      const worker = started.value;
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (): void => {
          signals++;
          if (signals === 1) {
            process.stderr.write('worker: finishing the runs in progress (Ctrl-C again to stop now; they then go back to the queue)\n');
            void worker.close(false).then(resolve);
          } else {
            void worker.close(true).then(resolve);
          }
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        void worker.closed.then(() => {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
          resolve();
        });
      });
      process.stdout.write(`worker ${worker.name}: stopped after ${worker.finished} run${worker.finished === 1 ? '' : 's'}\n`);
      process.exitCode = 0;
    });
}
