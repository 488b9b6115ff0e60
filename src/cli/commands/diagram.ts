import type { Command } from 'commander';
import { formatDiagnostic } from '../../diagnostics.js';
import type { DiagramFormat } from '../../../reports/diagram/from-run.js';
import { DIAGRAM_FORMATS, diagramFromRun } from '../../../reports/diagram/from-run.js';
import { writeFileAtomic } from '../../../reports/html/files.js';

interface DiagramFlags {
  readonly format: string;
  readonly out?: string;
  readonly interval?: string;
  readonly transaction?: string;
  readonly includeSetup?: boolean;
  readonly collapse?: boolean;
  readonly collapseMin?: string;
  readonly title?: string;
}

function usage(message: string): void {
  process.stderr.write(`degsim diagram: ${message}\n`);
  process.exitCode = 2;
}

/** A whole number ≥ `min`, or `undefined`. */
function wholeNumber(text: string, min: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

/**
 * `degsim diagram <run>`: a sequence diagram of a run's trace, as Mermaid text (renders on
 * GitHub), Mermaid in a Markdown fence, or SVG. Exit 0 ok, 1 no trace / nothing selected, 2 usage.
 */
export function register(program: Command): void {
  program
    .command('diagram')
    .description('draw a sequence diagram of a run (run folder or messages.ndjson): Mermaid text or SVG')
    .argument('<run>', 'run folder (with messages.ndjson) or an NDJSON trace file')
    .option('-f, --format <format>', `output format: ${DIAGRAM_FORMATS.join(', ')}`, 'mermaid')
    .option('-o, --out <file>', 'write to this file (atomically) instead of standard output')
    .option('-i, --interval <n>', 'only transactions of delivery interval n (0-based): id "…-i<n>-…" or contract validity start')
    .option('-t, --transaction <id>', 'only the messages of this transaction id')
    .option('--include-setup', 'with --interval, also messages that belong to no interval (e.g. discovery)')
    .option('-c, --collapse', 'merge participants of one kind into one lifeline ("prosumers ×20") and their identical arrows')
    .option('--collapse-min <n>', 'smallest group merged by --collapse', '2')
    .option('--title <text>', 'diagram title')
    .addHelpText(
      'after',
      '\nExamples:\n  degsim diagram runs/default --interval 0 --collapse > flow.mmd\n  degsim diagram runs/default -i 3 -c -f svg -o interval-3.svg\n  degsim diagram runs/default -f markdown -t txn-i0-prosumer-7',
    )
    .action(async (run: string, flags: DiagramFlags) => {
      if (!(DIAGRAM_FORMATS as readonly string[]).includes(flags.format)) {
        usage(`--format must be one of ${DIAGRAM_FORMATS.join(', ')}, not "${flags.format}"`);
        return;
      }
      const interval = flags.interval === undefined ? undefined : wholeNumber(flags.interval, 0);
      if (flags.interval !== undefined && interval === undefined) {
        usage(`--interval must be a whole number ≥ 0, not "${flags.interval}"`);
        return;
      }
      const collapseMin = flags.collapseMin === undefined ? undefined : wholeNumber(flags.collapseMin, 2);
      if (flags.collapseMin !== undefined && collapseMin === undefined) {
        usage(`--collapse-min must be a whole number ≥ 2, not "${flags.collapseMin}"`);
        return;
      }
      const result = await diagramFromRun(run, {
        format: flags.format as DiagramFormat,
        ...(interval === undefined ? {} : { interval }),
        ...(flags.transaction === undefined ? {} : { transactionId: flags.transaction }),
        ...(flags.includeSetup === true ? { includeUnscoped: true } : {}),
        ...(flags.collapse === true ? { collapse: true } : {}),
        ...(collapseMin === undefined ? {} : { collapseMinGroup: collapseMin }),
        ...(flags.title === undefined ? {} : { title: flags.title }),
      });
      if (!result.ok) {
        for (const d of result.errors) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.exitCode = 1;
        return;
      }
      for (const d of result.warnings) process.stderr.write(`warning: ${formatDiagnostic(d)}\n`);
      const { text, diagram } = result.value;
      if (flags.out === undefined) {
        process.stdout.write(text);
      } else {
        await writeFileAtomic(flags.out, text);
        const arrows = diagram.steps.filter((s) => s.type === 'arrow').length;
        process.stdout.write(`wrote ${flags.out}: ${diagram.messageCount} messages, ${arrows} arrows, ${diagram.lifelines.length} lifelines\n`);
      }
    });
}
