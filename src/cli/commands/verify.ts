import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics.js';
import { parseIsoMs } from '../../kernel/clock.js';
import { DEFAULT_PROFILE, detectProfile, PROFILE_IDS, type ProfileId } from '../../protocol/context.js';
import { readWireContext, type MessageValidator } from '../../protocol/receiver.js';
import { loadRegistry } from '../../protocol/registry.js';
import { verifyWireTrace, type WireVerification } from '../../protocol/trace.js';
import { validateMessage } from '../../protocol/validate.js';

/** Where the command writes; stdout and stderr in the CLI, buffers in tests. */
export interface Out {
  write(text: string): boolean;
}

/** Options of `degsim verify`. */
export interface VerifyOptions {
  /** Registry file; default `registry.json` beside the trace. */
  readonly registry?: string;
  /** `context` (each message at its own timestamp) or an RFC 3339 instant. */
  readonly now: string;
  readonly format: 'text' | 'json';
  /** Check each body against its profile's schemas (default true). */
  readonly schema?: boolean;
  /** The profile of the messages; default: detected per message from its context. */
  readonly profile?: ProfileId;
}

/** The schema check of `degsim verify`: each message against its (given or detected) profile. */
export function profileValidator(profile?: ProfileId): MessageValidator {
  return (wire) => validateMessage(wire, profile ?? detectProfile(wire) ?? DEFAULT_PROFILE);
}

function summaryLine(file: string, v: WireVerification): string {
  return `${file}: ${v.passed + v.failed} message${v.passed + v.failed === 1 ? '' : 's'}, ${v.passed} verified, ${v.failed} failed\n`;
}

/**
 * Re-verifies a `wire.ndjson` trace offline against a registry and prints one line per failure
 * (`file:line: reason CODE message`) and a summary, or the whole verdict as JSON. Returns the exit
 * code: 0 when every line verifies, 1 when any fails or the files cannot be read.
 */
export async function runVerify(file: string, opts: VerifyOptions, stdout: Out, stderr: Out): Promise<number> {
  const registryFile = opts.registry ?? join(dirname(file), 'registry.json');
  const registry = await loadRegistry(registryFile);
  if (!registry.ok) {
    for (const d of registry.errors) stderr.write(`${formatDiagnostic(d)}\n`);
    return 1;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    stderr.write(`${file}: cannot read the trace: ${(e as Error).message}\n`);
    return 1;
  }
  const now = opts.now === 'context' ? 'context' : Math.floor(parseIsoMs(opts.now) / 1000);
  const v = verifyWireTrace(text, registry.value, { now, contextReader: readWireContext, ...(opts.schema === false ? {} : { validator: profileValidator(opts.profile) }) });
  if (opts.format === 'json') {
    stdout.write(`${JSON.stringify({ file, registry: registryFile, now: opts.now, passed: v.passed, failed: v.failed, lines: v.lines }, null, 2)}\n`);
  } else {
    for (const l of v.lines) {
      if (l.ok) continue;
      const what = l.messageId === undefined ? '' : ` (${l.action ?? '?'} ${l.messageId})`;
      stdout.write(`${file}:${l.line}: ${l.reason} ${l.code}${what}: ${l.message}\n`);
    }
    stdout.write(summaryLine(file, v));
  }
  return v.failed === 0 ? 0 : 1;
}

function nowOption(value: string): string {
  if (value === 'context') return value;
  if (Number.isNaN(parseIsoMs(value))) throw new InvalidArgumentError(`expected "context" or an RFC 3339 instant, got "${value}"`);
  return value;
}

/** `degsim verify <wire.ndjson>`: offline re-verification of a run's signed wire trace. */
export function register(program: Command): void {
  program
    .command('verify')
    .description('Re-verify every signed message of a wire trace offline against a subscriber registry')
    .argument('<wire.ndjson>', 'the signed wire trace of a run (wire.ndjson)')
    .option('--registry <file>', 'subscriber registry (default: registry.json beside the trace)')
    .option('--now <when>', '"context" to check each message at its own context timestamp, or an RFC 3339 instant', nowOption, 'context')
    .addOption(new Option('--profile <profile>', 'profile of the messages for the schema check (default: detected per message)').choices([...PROFILE_IDS]))
    .option('--no-schema', 'skip the schema check of the bodies')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Checks, for each line: the Authorization header, that the subscriber and key are registered and
usable, the BLAKE2b-512 digest and the ed25519 signature of the exact body, the created/expires
window, that the signer is the caller named in the context (bapId for requests, bppId for on_*
callbacks), that no message id is replayed to the same recipient, and that the body is valid
against its profile's schemas (unless --no-schema). Exit code 0 when every line
verifies, 1 when any fails (each failure names its line), 2 on wrong arguments.

Examples:
  $ degsim verify runs/default/wire.ndjson
  $ degsim verify wire.ndjson --registry net/registry.json --now 2026-06-21T12:00:00Z`,
    )
    .action(async (file: string, opts: VerifyOptions) => {
      process.exitCode = await runVerify(file, opts, process.stdout, process.stderr);
    });
}
