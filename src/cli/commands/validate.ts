import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Diagnostic } from '../../diagnostics.js';
import { loadScenarioFile } from '../../scenario/loader.js';
import { validateMessageFile } from '../../protocol/validate.js';
import { isProfileId } from '../../protocol/profiles/index.js';
import type { ProfileId } from '../../protocol/context.js';
import { collect, printDiagnostics } from '../io.js';

/** What kind of file `validate` was given, from its name and first bytes. */
export function detectFileKind(path: string): 'scenario' | 'messages' {
  if (path.endsWith('.ndjson')) return 'messages';
  if (path.endsWith('.json')) {
    const head = readFileSync(path, 'utf8').slice(0, 4096);
    if (/"context"\s*:/.test(head)) return 'messages';
  }
  return 'scenario';
}

/** `degsim validate <file>`: a scenario (YAML), a message (JSON) or a trace (NDJSON). */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file, a Beckn message (.json) or a trace (.ndjson); every problem at once')
    .argument('<file>', 'scenario .yaml, message .json or messages .ndjson')
    .option('--profile <profile>', 'wire profile of messages (default: detected from each context)', (v: string) => {
      if (!isProfileId(v)) throw new InvalidArgumentError(`expected beckn-2.0.0 or deg-order-draft, got "${v}"`);
      return v;
    })
    .option('--set <path=value>', 'override a scenario field before validating (repeatable)', collect, [])
    .action(async (file: string, o: { profile?: ProfileId; set: string[] }) => {
      let errors: readonly Diagnostic[];
      let what: string;
      try {
        if (detectFileKind(file) === 'messages') {
          const report = await validateMessageFile(file, o.profile);
          errors = report.diagnostics;
          what = `${report.messages} message${report.messages === 1 ? '' : 's'}`;
        } else {
          const r = loadScenarioFile(file, { overrides: o.set });
          errors = r.ok ? [] : r.errors;
          what = 'scenario';
        }
      } catch (e) {
        errors = [{ code: 'file.unreadable', path: '', message: (e as Error).message, file }];
        what = 'file';
      }
      if (errors.length > 0) {
        printDiagnostics(errors);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${file}: ${what} valid\n`);
    });
}
