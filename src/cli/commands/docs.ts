import { resolve } from 'node:path';
import type { Command } from 'commander';
import { generateDocs } from '../../docs/generate.js';
import { printDiagnostics } from '../io.js';
import { packageRoot } from '../../util/package-root.js';

interface DocsFlags {
  readonly out: string;
  readonly quiet?: boolean;
}

/**
 * `degsim docs [--out docs]`: runs every use-case scenario (short horizons) and writes the use-case
 * pages, their example messages and the building-blocks page. Exit 0 ok, 1 a run or an example
 * failed (nothing is written then), 2 usage.
 */
export function register(program: Command): void {
  program
    .command('docs')
    .description('generate the use-case docs from runs: docs/use-cases/*.md, docs/examples/*/*.json, docs/building-blocks.md')
    .option('-o, --out <dir>', 'output folder', 'docs')
    .option('-q, --quiet', 'print only errors and the summary line')
    .addHelpText('after', '\nExamples:\n  degsim docs\n  degsim docs --out /tmp/docs')
    .action(async (flags: DocsFlags) => {
      const outDir = resolve(flags.out);
      const r = await generateDocs({ root: packageRoot(), outDir, onProgress: (name) => (flags.quiet === true ? undefined : process.stderr.write(`documented ${name}\n`)) });
      if (!r.ok) {
        printDiagnostics(r.errors);
        process.exitCode = 1;
        return;
      }
      const skipped = r.value.skipped.length === 0 ? '' : `; skipped (no scenario): ${r.value.skipped.join(', ')}`;
      process.stdout.write(`${r.value.documented.length} use cases, ${r.value.files.length} files written to ${flags.out}${skipped}\n`);
    });
}
