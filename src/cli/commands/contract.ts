import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatSettlementCsv } from '../../../reports/settlement/csv.js';
import { evaluatePeriod, initialState, type ContractState } from '../../contracts/evaluate.js';
import { formContract } from '../../contracts/form.js';
import { readContracts, readPeriodInputs } from '../../contracts/load.js';
import type { EnergyContract } from '../../contracts/model.js';
import { formatDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { toSettlementReport } from '../../settlement/report.js';

/** Reads and parses a JSON file; a missing or malformed file is a usage problem (exit 2). */
function readJson(file: string): { readonly value: unknown } | { readonly error: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { error: `${file}: cannot read: ${(e as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { error: `${file}: not JSON: ${(e as Error).message}` };
  }
}

function printAll(ds: readonly Diagnostic[]): void {
  for (const d of ds) process.stderr.write(`${formatDiagnostic(d)}\n`);
}

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return Number(value);
}

interface CheckOptions {
  readonly quiet?: boolean;
}

interface EvalOptions {
  readonly inputs?: string;
  readonly start: string;
  readonly end: string;
  readonly index: number;
  readonly state?: string;
  readonly contract?: string;
  readonly format: 'json' | 'csv';
}

/**
 * `degsim contract check <files…>`: forms every contract in the JSON files (one contract or an
 * array each) and reports every problem; `degsim contract eval <file>`: evaluates one contract for
 * one period and prints its settlement lines. Exit 0 ok, 1 invalid contract or failed evaluation,
 * 2 usage (missing or unreadable files, bad options).
 */
export function register(program: Command): void {
  const contract = program.command('contract').description('Check and evaluate computable EnergyContracts (JSON)');

  contract
    .command('check')
    .description('Parse and type-check every flow, condition and state update of the contracts in the files')
    .argument('<files...>', 'JSON files, each holding one contract or an array of contracts')
    .option('-q, --quiet', 'print only problems')
    .action((files: readonly string[], opts: CheckOptions) => {
      let failed = false;
      for (const file of files) {
        const json = readJson(file);
        if ('error' in json) {
          process.stderr.write(`${json.error}\n`);
          process.exitCode = 2;
          return;
        }
        const read = readContracts(json.value, file);
        if (!read.ok) {
          printAll(read.errors);
          failed = true;
          continue;
        }
        for (const c of read.value) {
          const formed = formContract(c);
          if (!formed.ok) {
            printAll(formed.errors.map((e) => ({ ...e, file })));
            failed = true;
            continue;
          }
          printAll(formed.warnings.map((w) => ({ ...w, file })));
          if (opts.quiet !== true) {
            const flows = formed.value.flows.length;
            process.stdout.write(`ok ${c.contractId} (${c.template ?? 'custom'}, ${c.status}, ${flows} flow${flows === 1 ? '' : 's'}) in ${file}\n`);
          }
        }
      }
      process.exitCode = failed ? 1 : 0;
    });

  contract
    .command('eval')
    .description('Evaluate one contract for one period and print its settlement lines')
    .argument('<file>', 'JSON file with the contract (or an array; pick one with --contract)')
    .requiredOption('--start <time>', 'period start, RFC 3339')
    .requiredOption('--end <time>', 'period end, RFC 3339')
    .option('--index <n>', 'interval index of the period', nonNegativeInt, 0)
    .option('--inputs <file>', 'JSON file with {signals, telemetry, roleInputs} of the period')
    .option('--state <json>', 'contract state before the period, as JSON (default: the initial state)')
    .option('--contract <id>', 'which contract of the file')
    .addOption(new Option('--format <format>', 'output').choices(['json', 'csv']).default('json'))
    .addHelpText(
      'after',
      `
Example:
  $ degsim contract eval pac.json --start 2026-06-21T12:00:00Z --end 2026-06-21T12:15:00Z \\
      --inputs period.json --format csv`,
    )
    .action((file: string, opts: EvalOptions) => {
      const json = readJson(file);
      if ('error' in json) {
        process.stderr.write(`${json.error}\n`);
        process.exitCode = 2;
        return;
      }
      const read = readContracts(json.value, file);
      if (!read.ok) {
        printAll(read.errors);
        process.exitCode = 1;
        return;
      }
      const chosen: EnergyContract | undefined = opts.contract === undefined ? (read.value.length === 1 ? read.value[0] : undefined) : read.value.find((c) => c.contractId === opts.contract);
      if (chosen === undefined) {
        const ids = read.value.map((c) => c.contractId).join(', ');
        process.stderr.write(opts.contract === undefined ? `${file} holds ${read.value.length} contracts (${ids}); choose one with --contract\n` : `${file} has no contract ${opts.contract}; it has ${ids}\n`);
        process.exitCode = 2;
        return;
      }
      let inputs = {};
      if (opts.inputs !== undefined) {
        const ij = readJson(opts.inputs);
        if ('error' in ij) {
          process.stderr.write(`${ij.error}\n`);
          process.exitCode = 2;
          return;
        }
        const ri = readPeriodInputs(ij.value, opts.inputs);
        if (!ri.ok) {
          printAll(ri.errors);
          process.exitCode = 1;
          return;
        }
        inputs = ri.value;
      }
      const formed = formContract(chosen);
      if (!formed.ok) {
        printAll(formed.errors.map((e) => ({ ...e, file })));
        process.exitCode = 1;
        return;
      }
      let state: ContractState = initialState(formed.value);
      if (opts.state !== undefined) {
        try {
          state = JSON.parse(opts.state) as ContractState;
        } catch {
          process.stderr.write(`--state is not JSON: ${opts.state}\n`);
          process.exitCode = 2;
          return;
        }
      }
      const r = evaluatePeriod(formed.value, { start: opts.start, end: opts.end, index: opts.index }, inputs, state);
      if (!r.ok) {
        printAll(r.errors);
        process.exitCode = 1;
        return;
      }
      if (opts.format === 'csv') {
        process.stdout.write(formatSettlementCsv(r.value.lines));
      } else {
        const report = r.value.lines.length === 0 ? undefined : toSettlementReport(r.value.lines);
        const out = { report: report?.ok === true ? report.value : null, nextState: r.value.nextState };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      }
      process.exitCode = 0;
    });
}
