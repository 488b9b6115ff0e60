import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Diagnostic } from '../../diagnostics.js';
import { formatDiagnostic } from '../../diagnostics.js';
import { clearMarket, formatClearingTable, parseMarketInput, roundClearingResult } from '../../market/index.js';
import { parseYamlSource, positionOf, splitPath } from '../../scenario/yaml-source.js';
import { writeFileAtomic } from '../../util/atomic.js';

export interface ClearOptions {
  readonly format: 'json' | 'table';
  /** Write the output to this file (atomically) instead of stdout. */
  readonly out?: string;
}

interface Output {
  write(text: string): unknown;
}

/**
 * Reads a market file (JSON or YAML), clears it and prints the result: JSON with every number
 * rounded to 9 decimals (no float noise), or tables for people. Problems in the file are printed
 * to `stderr` all at once, each with its line and column. Returns the exit code: 0 cleared (also
 * at the floor or the cap, which are outcomes), 1 unreadable or invalid market.
 */
export function runClear(file: string, opts: ClearOptions, stdout: Output = process.stdout, stderr: Output = process.stderr): number {
  const fail = (ds: readonly Diagnostic[]): number => {
    for (const d of ds) stderr.write(`${formatDiagnostic(d)}\n`);
    stderr.write(`${ds.length} problem${ds.length === 1 ? '' : 's'} in ${file}\n`);
    return 1;
  };
  if (!existsSync(file)) return fail([{ code: 'file.missing', path: '', message: 'no such file', file }]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail([{ code: 'file.unreadable', path: '', message: (e as Error).message, file }]);
  }
  const src = parseYamlSource(text, file);
  if (src.errors.length > 0) return fail(src.errors);
  const locate = (d: Diagnostic): Diagnostic => {
    const pos = positionOf(src, splitPath(d.path));
    return pos === undefined ? d : { ...d, line: pos.line, column: pos.column };
  };
  const parsed = parseMarketInput(src.doc.toJS(), file);
  if (!parsed.ok) return fail(parsed.errors.map(locate));
  for (const w of parsed.warnings) stderr.write(`warning: ${formatDiagnostic(locate(w))}\n`);
  const result = clearMarket(parsed.value);
  const output = opts.format === 'table' ? formatClearingTable(result) : `${JSON.stringify(roundClearingResult(result), null, 2)}\n`;
  if (opts.out === undefined) {
    stdout.write(output);
    return 0;
  }
  try {
    writeFileAtomic(opts.out, output);
  } catch (e) {
    stderr.write(`${formatDiagnostic({ code: 'file.unwritable', path: '', message: (e as Error).message, file: opts.out })}\n`);
    return 1;
  }
  return 0;
}

/** `degsim clear <market>`: clear one market by hand and print prices and cleared powers. */
export function register(program: Command): void {
  program
    .command('clear')
    .description('Clear one pay-as-clear market file (.json/.yaml): the clearing price, every cleared power, locational prices on a grid')
    .argument('<market>', 'market file: currency, priceFloor, priceCap, participants (+ priceRule, priceTick, grid)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .addHelpText(
      'after',
      `
Input: { currency, priceFloor, priceCap, priceRule?: midpoint|low|high, priceTick?,
  participants: [{ id, node?, offerCurve: { currency, minExport, maxExport, curve: [{price, powerKW}] } }],
  grid?: { mode?: exact|policy, nodes: [{ id, parent?, maxForwardFlowKW?, maxReverseFlowKW?, adderPerKWh? }] } }
Power: positive sells/exports, negative buys/imports. A participant without node sits at the root.
Prints { status: cleared|cap|floor, price, priceInterval, netKW, rationed, nodes: [{id, price, adder,
flowKW, binding, ...}], participants: [{id, node, price, powerKW, offsetKW, rationedKW}] }; numbers are
rounded to 9 decimals.
Exit codes: 0 cleared (including at the floor or the cap), 1 unreadable or invalid market file, 2 usage.

Examples:
  $ degsim clear market.json
  $ degsim clear market.yaml --format table`,
    )
    .action((market: string, opts: { format: 'json' | 'table'; out?: string }) => {
      process.exitCode = runClear(market, { format: opts.format, ...(opts.out === undefined ? {} : { out: opts.out }) });
    });
}
