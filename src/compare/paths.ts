import { fail, ok, type Result } from '../diagnostics.js';

/**
 * JSON paths for diffs (`message.contract.commitments[0].offer.id`, `message.order["beckn:id"]`)
 * and `--ignore` patterns over them. Patterns may use `*` (any one key or index), `[*]` (any
 * index) and `**` (any number of levels), and ignore a whole subtree when they match a prefix of
 * a path. Keys compare loosely so one pattern covers both wire profiles: a namespace prefix
 * (`beckn:`) is dropped, `_` and `-` are ignored and case is folded, so `context.messageId` also
 * matches `context.message_id`.
 */

export type PathSegment = string | number;

/** One segment of a parsed pattern. */
export type PatternSegment = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'any' } | { readonly kind: 'deep' };

/** A parsed `--ignore` pattern. */
export interface PathPattern {
  readonly text: string;
  readonly segments: readonly PatternSegment[];
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Formats path segments: `a.b[0]["beckn:id"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Shape form of a path: indices become `[]`, so paths of different list elements coincide. */
export function shapePath(segments: readonly PathSegment[]): string {
  return formatPath(segments.map((s) => (typeof s === 'number' ? -1 : s))).replace(/\[-1\]/g, '[]');
}

/** The loose form of a key used for matching. */
export function looseKey(key: string): string {
  return key.replace(/^[A-Za-z][\w-]*:/, '').replace(/[_-]/g, '').toLowerCase();
}

/** Parses a pattern such as `context.messageId`, `message.*.commitments[*].id`, `**.timestamp`. */
export function parsePattern(text: string): Result<PathPattern> {
  const segments: PatternSegment[] = [];
  let i = 0;
  const bad = (why: string): Result<PathPattern> => fail([{ code: 'compare.ignore.syntax', path: '--ignore', message: `"${text}": ${why}` }]);
  if (text.trim() === '') return bad('empty pattern');
  while (i < text.length) {
    const ch = text[i];
    if (ch === '.') {
      if (i === 0 || text[i + 1] === undefined || text[i + 1] === '.' || text[i + 1] === '[') return bad(`misplaced "." at ${i + 1}`);
      i++;
      continue;
    }
    if (ch === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) return bad('unclosed "["');
      const inner = text.slice(i + 1, end).trim();
      if (inner === '*') segments.push({ kind: 'any' });
      else if (/^\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner) || /^'[^']*'$/.test(inner)) {
        const key = inner.startsWith('"') ? (JSON.parse(inner) as string) : inner.slice(1, -1);
        segments.push({ kind: 'key', key });
      } else return bad(`"[${inner}]" must be [n], [*] or ["key"]`);
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
    const word = text.slice(i, end);
    if (word === '**') segments.push({ kind: 'deep' });
    else if (word === '*') segments.push({ kind: 'any' });
    else segments.push({ kind: 'key', key: word });
    i = end;
  }
  return ok({ text, segments });
}

function matchFrom(p: readonly PatternSegment[], pi: number, path: readonly PathSegment[], si: number): boolean {
  if (pi === p.length) return true;
  const seg = p[pi];
  if (seg === undefined) return true;
  if (seg.kind === 'deep') {
    for (let k = si; k <= path.length; k++) if (matchFrom(p, pi + 1, path, k)) return true;
    return false;
  }
  if (si >= path.length) return false;
  const s = path[si] as PathSegment;
  const here =
    seg.kind === 'any' ||
    (seg.kind === 'index' && s === seg.index) ||
    (seg.kind === 'key' && (typeof s === 'string' ? looseKey(s) === looseKey(seg.key) : String(s) === seg.key));
  return here && matchFrom(p, pi + 1, path, si + 1);
}

/** True when the pattern matches `path` or one of its prefixes (so the whole subtree is ignored). */
export function matchesPrefix(pattern: PathPattern, path: readonly PathSegment[]): boolean {
  return matchFrom(pattern.segments, 0, path, 0);
}

/** A set of patterns; `ignores(path)` is true when any of them covers the path. */
export interface Ignore {
  readonly patterns: readonly PathPattern[];
  ignores(path: readonly PathSegment[]): boolean;
}

/** Builds the ignore set from pattern texts, reporting every malformed one. */
export function buildIgnore(texts: readonly string[]): Result<Ignore> {
  const patterns: PathPattern[] = [];
  const errors = [];
  for (const t of texts) {
    const p = parsePattern(t);
    if (p.ok) patterns.push(p.value);
    else errors.push(...p.errors);
  }
  if (errors.length > 0) return fail(errors);
  return ok({ patterns, ignores: (path) => patterns.some((p) => matchesPrefix(p, path)) });
}

/** An ignore set that ignores nothing. */
export const IGNORE_NOTHING: Ignore = { patterns: [], ignores: () => false };
