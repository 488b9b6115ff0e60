import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import { readTextIfExists } from '../html/files.js';
import type { IntervalClock } from './build.js';
import { isRecord } from './context.js';
import type { ScenarioParticipantRef } from './roles.js';
import { participantsFromScenario } from './roles.js';

/** Parses NDJSON: one JSON value per non-blank line. Bad lines become diagnostics with their line number. */
export function parseNdjson(text: string, file: string): { readonly values: readonly unknown[]; readonly diagnostics: readonly Diagnostic[] } {
  const values: unknown[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    try {
      values.push(JSON.parse(line) as unknown);
    } catch (err) {
      diagnostics.push({
        code: 'ndjson.syntax',
        path: '',
        message: `not a JSON value: ${err instanceof Error ? err.message : String(err)}`,
        file,
        line: i + 1,
      });
    }
  });
  return { values, diagnostics };
}

/** Parses a JSON document; a syntax error is a diagnostic. */
export function parseJson(text: string, file: string): Result<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (err) {
    return fail([{ code: 'json.syntax', path: '', message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}`, file }]);
  }
}

/** The run clock from `summary.json` (`start`, `intervalMinutes`), or from the resolved scenario (top level, `clock` or `time`). */
export function clockFrom(...documents: readonly unknown[]): IntervalClock | undefined {
  for (const doc of documents) {
    if (!isRecord(doc)) continue;
    for (const holder of [doc, doc['clock'], doc['time'], doc['simulation']]) {
      if (!isRecord(holder)) continue;
      const start = holder['start'];
      const minutes = holder['intervalMinutes'];
      if (typeof start === 'string' && typeof minutes === 'number' && minutes > 0) return { start, intervalMinutes: minutes };
    }
  }
  return undefined;
}

/** Everything the diagram needs from a run: messages in delivery order, acks, participants and clock. */
export interface TraceInput {
  readonly messages: readonly unknown[];
  readonly acks: readonly unknown[];
  readonly participants: readonly ScenarioParticipantRef[];
  readonly clock?: IntervalClock;
  /** Problems with lines or side files that were skipped; the trace is still usable. */
  readonly warnings: readonly Diagnostic[];
}

/**
 * Loads a trace from a run folder (its `messages.ndjson`) or from an NDJSON file. Side files are
 * read from the same folder when present: `acks.ndjson`, `scenario.resolved.json`, `summary.json`.
 * Fails only when the messages file is missing or unreadable; bad lines are warnings.
 */
export async function loadTrace(path: string): Promise<Result<TraceInput>> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return fail([{ code: 'trace.not-found', path: '', message: 'no such run folder or trace file', file: path }]);
  }
  const dir = info.isDirectory() ? path : dirname(path);
  const messagesFile = info.isDirectory() ? join(path, 'messages.ndjson') : path;
  const messagesText = await readTextIfExists(messagesFile);
  if (messagesText === undefined) {
    return fail([{ code: 'trace.no-messages', path: '', message: 'the run folder has no messages.ndjson (was the run traced?)', file: messagesFile }]);
  }
  const warnings: Diagnostic[] = [];
  const messages = parseNdjson(messagesText, messagesFile);
  warnings.push(...messages.diagnostics);

  let acks: readonly unknown[] = [];
  const acksFile = join(dir, 'acks.ndjson');
  const acksText = basename(messagesFile) === 'acks.ndjson' ? undefined : await readTextIfExists(acksFile);
  if (acksText !== undefined) {
    const parsed = parseNdjson(acksText, acksFile);
    acks = parsed.values;
    warnings.push(...parsed.diagnostics);
  }

  const readJson = async (name: string): Promise<unknown> => {
    const file = join(dir, name);
    const text = await readTextIfExists(file);
    if (text === undefined) return undefined;
    const r = parseJson(text, file);
    if (!r.ok) {
      warnings.push(...r.errors);
      return undefined;
    }
    return r.value;
  };
  const scenario = await readJson('scenario.resolved.json');
  const summary = await readJson('summary.json');
  const clock = clockFrom(summary, scenario);
  return ok({
    messages: messages.values,
    acks,
    participants: participantsFromScenario(scenario),
    ...(clock === undefined ? {} : { clock }),
    warnings,
  });
}
