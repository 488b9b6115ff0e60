import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from './docs.js';

describe('degsim docs', () => {
  it('registers the command with its output folder defaulting to docs', () => {
    const program = new Command();
    register(program);
    const docs = program.commands.find((c) => c.name() === 'docs');
    expect(docs?.options.map((o) => o.long)).toEqual(['--out', '--quiet']);
    expect(docs?.opts()).toEqual({ out: 'docs' });
  });

  it('refuses an unknown option as a usage error (exit 2 in the CLI)', async () => {
    const program = new Command().exitOverride();
    register(program);
    program.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: () => undefined }));
    await expect(program.parseAsync(['docs', '--colour'], { from: 'user' })).rejects.toThrow(/unknown option/);
  });
});
