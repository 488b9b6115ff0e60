import { Command, InvalidArgumentError, Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics.js';
import { compareRuns, DEFAULT_TOL } from '../../compare/compare.js';
import { formatCompareJson, formatCompareMarkdown } from '../../compare/format.js';

interface CompareCliOptions {
  readonly tol: number;
  readonly relTol: number;
  readonly ignore: readonly string[];
  readonly ignoreEnvelope?: boolean;
  readonly format: 'md' | 'json';
  readonly maxItems: number;
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative number, got "${value}"`);
  return n;
}

function count(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  return Number(value);
}

/** `degsim compare <runA> <runB>`: regression test of two run folders; exit 0 equal, 1 different, 2 usage. */
export function register(program: Command): void {
  program
    .command('compare')
    .description('Compare two run folders: tables by row key with a tolerance, summary, and the message trace field by field')
    .argument('<runA>', 'the reference run folder')
    .argument('<runB>', 'the run folder to check against it')
    .option('--tol <x>', 'absolute tolerance on numbers', nonNegative, DEFAULT_TOL)
    .option('--rel-tol <x>', 'relative tolerance on numbers (a difference passes if within either)', nonNegative, 0)
    .option('--ignore <path>', 'leave out a path: context.messageId, message.**.timestamp, settlement.csv.formula, summary.json.profile; repeatable', collect, [])
    .option('--ignore-envelope', 'compare messages on their domain content (attribute packs) only, so two wire profiles can be compared')
    .addOption(new Option('--format <format>', 'report format').choices(['md', 'json']).default('md'))
    .option('--max-items <n>', 'entries listed per section in the md report', count, 20)
    .addHelpText(
      'after',
      `
Exit code 0 when the runs are equal, 1 when they differ, 2 when a folder cannot be read or
the arguments are wrong; so CI can gate on it.

Examples:
  $ degsim compare runs/base runs/candidate --ignore context.messageId --ignore context.timestamp
  $ degsim compare runs/beckn runs/draft --ignore-envelope --format json`,
    )
    .action((runA: string, runB: string, opts: CompareCliOptions) => {
      const report = compareRuns(runA, runB, { tol: opts.tol, relTol: opts.relTol, ignore: opts.ignore, ignoreEnvelope: opts.ignoreEnvelope === true });
      if (!report.ok) {
        for (const d of report.errors) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(opts.format === 'json' ? formatCompareJson(report.value) : formatCompareMarkdown(report.value, opts.maxItems));
      process.exitCode = report.value.equal ? 0 : 1;
    });
}
