import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeHtmlReport } from '../../../reports/html/write.js';

interface ReportFlags {
  readonly out?: string;
  readonly interval?: string;
}

/**
 * `degsim report <run>`: regenerates the self-contained `report.html` of a run folder.
 * Exit 0 ok, 1 not a run folder or the report could not be written, 2 usage.
 */
export function register(program: Command): void {
  program
    .command('report')
    .description('regenerate the self-contained report.html of a run folder')
    .argument('<run>', 'run folder written by degsim run')
    .option('-o, --out <file>', 'write here instead of <run>/report.html')
    .option('-i, --interval <n>', 'interval whose message sequence the report draws (default: the first)')
    .action(async (run: string, flags: ReportFlags) => {
      let interval: number | undefined;
      if (flags.interval !== undefined) {
        interval = /^\d+$/.test(flags.interval.trim()) ? Number(flags.interval) : undefined;
        if (interval === undefined || !Number.isSafeInteger(interval)) {
          process.stderr.write(`degsim report: --interval must be a whole number ≥ 0, not "${flags.interval}"\n`);
          process.exitCode = 2;
          return;
        }
      }
      const isFolder = await stat(run).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isFolder) {
        process.stderr.write(`degsim report: ${run} is not a run folder\n`);
        process.exitCode = 1;
        return;
      }
      const out = flags.out ?? join(run, 'report.html');
      try {
        await writeHtmlReport(run, { outFile: out, ...(interval === undefined ? {} : { diagramInterval: interval }) });
      } catch (err) {
        process.stderr.write(`degsim report: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`wrote ${out}\n`);
    });
}
