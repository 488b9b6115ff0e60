import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';

/** Builds the `degsim` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('degsim')
    .description('Multi-agent simulator and digital twin for decentralized energy exchange over Beckn (the Digital Energy Grid).')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ degsim run scenarios/default.yaml                     run the default pay-as-clear day
  $ degsim run scenarios/default.yaml --seed 7 --set market.feePerKWh=0.2 --out runs/fee
  $ degsim validate scenarios/default.yaml                check a scenario (every error at once)
  $ degsim validate runs/default/messages.ndjson          check every message of a trace
  $ degsim clear market.json --format table               clear one market by hand
  $ degsim powerflow grid/cases/ieee33.json               solve a feeder`,
    );
  program.exitOverride();
  for (const register of commands) register(program);
  return program;
}

const VERSION = '0.1.0';

/** Runs the CLI with process arguments; exit codes: 0 ok, 1 failure, 2 usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    process.stderr.write(`degsim: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
