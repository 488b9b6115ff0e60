import type { Command } from 'commander';
import { runScenario } from '../../run/run.js';
import { collect, parseIntOption, printDiagnostics, progressBar } from '../io.js';

/** `degsim run <scenario>`: simulate a scenario and write its reports. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run a scenario and write its reports (clearing, dispatch, flows, settlement, trace, summary, report.html)')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('-o, --out <dir>', 'output folder (default: runs/<scenario name>)')
    .option('--seed <n>', 'replace the scenario seed', parseIntOption('--seed'))
    .option('--set <path=value>', 'override a scenario field, e.g. market.feePerKWh=0.2 (repeatable)', collect, [])
    .option('-q, --quiet', 'print only errors and the output folder')
    .addHelpText('after', '\nExamples:\n  $ degsim run scenarios/default.yaml\n  $ degsim run scenarios/default.yaml --seed 7 --set protocol.profile=deg-order-draft --out runs/order')
    .action(async (scenario: string, o: { out?: string; seed?: number; set: string[]; quiet?: boolean }) => {
      const bar = progressBar('simulating', 1, o.quiet !== true);
      const outcome = await runScenario({
        scenarioPath: scenario,
        overrides: o.set,
        ...(o.seed === undefined ? {} : { seed: o.seed }),
        ...(o.out === undefined ? {} : { outDir: o.out }),
        onProgress: (done, total) => {
          bar.tick(done * (1 / total));
        },
      });
      bar.done();
      if (!outcome.ok) {
        printDiagnostics(outcome.errors);
        process.exitCode = 1;
        return;
      }
      if (o.quiet !== true) {
        const s = outcome.summary;
        const p = s.price;
        process.stdout.write(
          `${s.scenario}: ${s.intervals} intervals, ${s.energyTradedKWh.toFixed(1)} kWh traded, price ${p.mean === null ? '–' : `${p.mean.toFixed(2)} (${p.min?.toFixed(2)}–${p.max?.toFixed(2)})`} ${s.currency}/kWh, ${s.messages} messages, ${s.transformerViolations} transformer violations\n`,
        );
      }
      process.stdout.write(`reports written to ${outcome.outDir}\n`);
    });
}
