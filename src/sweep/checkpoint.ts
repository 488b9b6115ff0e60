import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { parseRecord, type SweepRecord } from './record.js';

/**
 * The checkpoint of a sweep: one JSON line per finished job, appended as each job ends, in the
 * sweep folder. A crash can only truncate the last line, which is then ignored.
 */

export const CHECKPOINT_FILE = 'sweep.checkpoint.ndjson';

/** What a checkpoint holds: the latest record per job id, and warnings for unreadable lines. */
export interface Checkpoint {
  readonly records: ReadonlyMap<string, SweepRecord>;
  readonly warnings: readonly Diagnostic[];
}

/** Reads the checkpoint of `sweepDir` (empty when absent). A later line for a job replaces an earlier one. */
export function readCheckpoint(sweepDir: string): Checkpoint {
  const file = join(sweepDir, CHECKPOINT_FILE);
  const records = new Map<string, SweepRecord>();
  const warnings: Diagnostic[] = [];
  if (!existsSync(file)) return { records, warnings };
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const rec = parseRecord(parsed);
    if (rec === undefined) {
      warnings.push({ code: 'sweep.checkpoint.line', path: '', message: 'unreadable checkpoint line ignored (its job will run again)', file, line: i + 1 });
    } else {
      records.set(rec.jobId, rec);
    }
  });
  return { records, warnings };
}

/** Appends one finished job to the checkpoint of `sweepDir`. */
export function appendCheckpoint(sweepDir: string, record: SweepRecord): void {
  mkdirSync(sweepDir, { recursive: true });
  appendFileSync(join(sweepDir, CHECKPOINT_FILE), `${JSON.stringify(record)}\n`);
}

/** Starts a fresh checkpoint (a sweep run without `--resume`). */
export function resetCheckpoint(sweepDir: string): void {
  rmSync(join(sweepDir, CHECKPOINT_FILE), { force: true });
}

/**
 * Ends the checkpoint with a newline if a crash cut its last line short, so the next appended
 * record starts on a line of its own.
 */
export function repairCheckpointTail(sweepDir: string): void {
  const file = join(sweepDir, CHECKPOINT_FILE);
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  if (text.length > 0 && !text.endsWith('\n')) appendFileSync(file, '\n');
}
