import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';

/** A parsed YAML (or JSON) source that can map a data path back to a line and column. */
export interface YamlSource {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** Syntax errors, each with its position. */
  readonly errors: readonly Diagnostic[];
}

/** Parses YAML text keeping source positions. JSON is valid YAML, so this reads both. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errors: Diagnostic[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { code: 'yaml.syntax', path: '', message: e.message.split('\n')[0] ?? e.message, file, line: pos.line, column: pos.col };
  });
  return { file, doc, lines, errors };
}

/** Splits a dotted path with [index] parts: `participants[2].pvKWp` → ['participants', 2, 'pvKWp']. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
  }
  return out;
}

/** Joins path parts into the dotted form used in diagnostics. */
export function joinPath(parts: readonly (string | number)[]): string {
  let s = '';
  for (const p of parts) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/**
 * Line and column of the deepest node that exists along `parts` (for a missing property, the
 * object that should hold it; for a bad value, the value itself; for a key, the key).
 */
export function positionOf(src: YamlSource, parts: readonly (string | number)[]): { line: number; column: number } | undefined {
  let node: unknown = src.doc.contents;
  let best: Node | undefined = isNodeLike(node) ? node : undefined;
  for (const part of parts) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(part));
      if (pair === undefined) break;
      node = pair.value;
      if (isNodeLike(node)) best = node;
      else if (isNodeLike(pair.key)) best = pair.key;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (isNodeLike(node)) best = node;
      else break;
    } else break;
  }
  const start = best?.range?.[0];
  if (start === undefined) return undefined;
  const p = src.lines.linePos(start);
  return { line: p.line, column: p.col };
}

function isNodeLike(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'range' in x;
}
