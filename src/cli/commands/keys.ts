import { Command, InvalidArgumentError, Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics.js';
import { parseIsoMs } from '../../kernel/clock.js';
import { generateSubscriberKey } from '../../protocol/keys.js';
import type { SubscriberRole } from '../../protocol/registry.js';

/** Where the command writes; stdout and stderr in the CLI, buffers in tests. */
export interface Out {
  write(text: string): boolean;
}

/** Options of `degsim keys generate`. */
export interface KeysGenerateOptions {
  readonly subscriber: string;
  readonly keyId?: string;
  readonly role: SubscriberRole;
  readonly uri?: string;
  readonly out: string;
  readonly registry?: string;
  readonly validUntil?: string;
}

/**
 * Generates (or reuses) a subscriber key pair, writes the private key file (mode 0600) and adds or
 * updates the registry entry; prints what it wrote. Returns the exit code: 0 ok, 1 failure.
 */
export async function runKeysGenerate(opts: KeysGenerateOptions, nowMs: number, stdout: Out, stderr: Out): Promise<number> {
  const r = await generateSubscriberKey({
    subscriberId: opts.subscriber,
    role: opts.role,
    outDir: opts.out,
    nowMs,
    ...(opts.keyId === undefined ? {} : { uniqueKeyId: opts.keyId }),
    ...(opts.uri === undefined ? {} : { uri: opts.uri }),
    ...(opts.registry === undefined ? {} : { registryPath: opts.registry }),
    ...(opts.validUntil === undefined ? {} : { validUntil: opts.validUntil }),
  });
  if (!r.ok) {
    for (const d of r.errors) stderr.write(`${formatDiagnostic(d)}\n`);
    stderr.write(`${r.errors.length} problem${r.errors.length === 1 ? '' : 's'}; nothing written\n`);
    return 1;
  }
  const { entry } = r.value;
  stdout.write(`private key  ${r.value.keyFile} (mode 600${r.value.reusedKey ? ', existing key reused' : ''})\n`);
  stdout.write(`registry     ${r.value.registryFile} (${r.value.registryChange} ${entry.subscriberId} key ${entry.uniqueKeyId} as ${entry.role})\n`);
  stdout.write(`public key   ${entry.publicKey}\n`);
  stdout.write(`valid        ${entry.validFrom ?? ''} → ${entry.validUntil}\n`);
  return 0;
}

function rfc3339(value: string): string {
  if (Number.isNaN(parseIsoMs(value))) throw new InvalidArgumentError(`expected an RFC 3339 instant such as 2027-01-01T00:00:00Z, got "${value}"`);
  return value;
}

function subscriberId(value: string): string {
  if (value === '' || /["|,\s/\\]/.test(value)) throw new InvalidArgumentError(`a subscriber or key id may not contain quotes, pipes, commas, spaces or slashes: "${value}"`);
  return value;
}

/** `degsim keys generate`: key pairs and registry entries for real network nodes. */
export function register(program: Command): void {
  const keys = program.command('keys').description('Manage the ed25519 signing keys and subscriber-registry entries of network nodes');
  keys
    .command('generate')
    .description('Create a key pair for a subscriber: a private key file (mode 600) and its public entry in a registry file')
    .requiredOption('--subscriber <id>', 'subscriber id (usually the node’s domain name)', subscriberId)
    .option('--key-id <id>', 'unique key id (default: a new UUID)', subscriberId)
    .addOption(new Option('--role <role>', 'network role of the entry').choices(['BAP', 'BPP']).default('BAP'))
    .option('--uri <url>', 'the subscriber’s Beckn endpoint (default https://<subscriber>)')
    .option('--out <dir>', 'folder for the private key file', 'keys')
    .option('--registry <file>', 'registry file to add the entry to (default <out>/registry.json)')
    .option('--valid-until <instant>', 'end of the key’s validity, RFC 3339 (default one year from now)', rfc3339)
    .addHelpText(
      'after',
      `
The public key is published as the standard base64 of the raw 32-byte ed25519 key. Running the
command again for the same subscriber and key id with the other --role reuses the key and adds
the second role; with the same role it refreshes the entry.

Examples:
  $ degsim keys generate --subscriber bpp.mca.example --role BPP --uri http://127.0.0.1:7002
  $ degsim keys generate --subscriber bpp.mca.example --key-id k1 --role BAP --registry net/registry.json`,
    )
    .action(async (opts: KeysGenerateOptions) => {
      process.exitCode = await runKeysGenerate(opts, Date.now(), process.stdout, process.stderr);
    });
}
