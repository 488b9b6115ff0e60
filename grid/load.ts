import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { fail, type Diagnostic, type Result } from '../src/diagnostics.js';
import type { Feeder } from './feeder.js';
import { parseFeeder } from './parse.js';

/**
 * Reads a feeder file (.json, .yaml or .yml) and parses it with `parseFeeder`. JSON is read with
 * the YAML parser (JSON is YAML), so every diagnostic, syntax or semantic, carries the file and
 * the 1-based line and column of the value it names.
 */
export function loadFeederFile(path: string): Result<Feeder> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
    return fail([{ code: 'file.extension', path: '', file: path, message: `expected a .json, .yaml or .yml feeder file, got '${ext || 'no extension'}'` }]);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return fail([{ code: 'file.read', path: '', file: path, message: `cannot read the feeder file: ${reason}` }]);
  }
  return parseFeederText(text, path);
}

/** Parses feeder text (JSON or YAML) named `file` for diagnostics; see `loadFeederFile`. */
export function parseFeederText(text: string, file: string): Result<Feeder> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const message = e.message.split('\n')[0] ?? e.message;
        return pos === undefined
          ? { code: 'yaml.syntax', path: '', file, message }
          : { code: 'yaml.syntax', path: '', file, message, line: pos.line, column: pos.col };
      }),
    );
  }
  const result = parseFeeder(doc.toJS({ maxAliasCount: 1000 }), file);
  const place = (d: Diagnostic): Diagnostic => locate(doc, lineCounter, d);
  return result.ok
    ? { ok: true, value: result.value, warnings: result.warnings.map(place) }
    : { ok: false, errors: result.errors.map(place) };
}

/** Splits `lines[4].rOhm` into `['lines', 4, 'rOhm']`. */
function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/** Adds line/column of the deepest existing node on the diagnostic's path. */
function locate(doc: Document, lineCounter: LineCounter, d: Diagnostic): Diagnostic {
  if (d.line !== undefined) return d;
  const segments = pathSegments(d.path);
  for (let n = segments.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
    const range = (node as { range?: readonly number[] } | null | undefined)?.range;
    const offset = range?.[0];
    if (typeof offset === 'number') {
      const pos = lineCounter.linePos(offset);
      return { ...d, line: pos.line, column: pos.col };
    }
  }
  return d;
}
