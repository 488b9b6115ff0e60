import { InvalidArgumentError } from 'commander';
import type { Diagnostic } from '../diagnostics.js';
import { formatDiagnostic } from '../diagnostics.js';

/** Prints diagnostics to stderr, one per line, with a count. */
export function printDiagnostics(ds: readonly Diagnostic[], out: NodeJS.WritableStream = process.stderr): void {
  for (const d of ds) out.write(`${formatDiagnostic(d)}\n`);
  out.write(`${ds.length} problem${ds.length === 1 ? '' : 's'} found\n`);
}

/** Collects repeated option values: `--set a=1 --set b=2`. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** Parses a non-negative integer option or throws a usage error naming the option. */
export function parseIntOption(name: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} expects a whole number, got "${value}"`);
    return Number(value);
  };
}

/** A usage error: the CLI prints it and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A terminal progress bar with ETA on stderr, drawn only when stderr is a TTY. The wall clock is
 * read here, in the CLI, never in simulation code.
 */
export function progressBar(label: string, total: number, enabled: boolean): { tick(done: number): void; done(): void } {
  const tty = enabled && process.stderr.isTTY === true;
  const t0 = Date.now();
  let last = 0;
  return {
    tick(done: number) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const frac = total === 0 ? 1 : done / total;
      const width = 30;
      const filled = Math.round(frac * width);
      const elapsed = (now - t0) / 1000;
      const eta = frac > 0 ? elapsed / frac - elapsed : 0;
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${(frac * 100).toFixed(0)}% ETA ${eta.toFixed(0)}s `);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}
