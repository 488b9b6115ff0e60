import { Command } from 'commander';
import { vi } from 'vitest';

/** What a command printed and the exit code it set. */
export interface CommandOutput {
  readonly out: string;
  readonly err: string;
  readonly code: number;
}

/**
 * Runs one registered `degsim` command in-process, as the CLI would (`degsim <name> …args`),
 * capturing stdout and stderr and the exit code it set. Usage errors throw commander's error.
 */
export async function runCommand(register: (program: Command) => void, name: string, args: readonly string[]): Promise<CommandOutput> {
  const program = new Command();
  program.exitOverride();
  register(program);
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync([name, ...args], { from: 'user' });
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, code };
}
