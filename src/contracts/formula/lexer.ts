/**
 * Lexer of the contract formula language. Input is a formula string; output is a token list or
 * the first error with its character offset (0-based, UTF-16 code units).
 */

/** A problem in a formula, located by character offset. */
export interface FormulaError {
  /** Stable code, e.g. `formula.syntax`, `formula.unknown-reference`, `formula.type`. */
  readonly code: string;
  /** 0-based character offset into the formula text. */
  readonly offset: number;
  readonly message: string;
}

/** Operators and punctuation after normalisation (× → *, ÷ → /, ≤ → <=, && → and, …). */
export type OperatorText =
  | '+' | '-' | '*' | '/' | '(' | ')' | '[' | ']' | ',' | '.' | '?' | ':'
  | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or' | 'not';

export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly offset: number; readonly end: number }
  | { readonly kind: 'ident'; readonly name: string; readonly offset: number; readonly end: number }
  | { readonly kind: 'string'; readonly value: string; readonly offset: number; readonly end: number }
  | { readonly kind: 'op'; readonly op: OperatorText; readonly offset: number; readonly end: number }
  | { readonly kind: 'eof'; readonly offset: number; readonly end: number };

const SINGLE: Readonly<Record<string, OperatorText>> = {
  '+': '+', '-': '-', '−': '-', '*': '*', '×': '*', '·': '*', '/': '/', '÷': '/',
  '(': '(', ')': ')', '[': '[', ']': ']', ',': ',', '.': '.', '?': '?', ':': ':',
  '≤': '<=', '≥': '>=', '≠': '!=',
};

const DOUBLE: Readonly<Record<string, OperatorText>> = {
  '<=': '<=', '>=': '>=', '==': '==', '!=': '!=', '&&': 'and', '||': 'or',
};

const KEYWORD_OPS: Readonly<Record<string, OperatorText>> = { and: 'and', or: 'or', not: 'not' };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}

function isIdentPart(c: string | undefined): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** Splits a formula into tokens; the last token is always `eof`. */
export function tokenize(text: string): { readonly tokens: readonly Token[] } | { readonly error: FormulaError } {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      while (isDigit(text[i])) i++;
      if (text[i] === '.') {
        i++;
        while (isDigit(text[i])) i++;
      }
      if (text[i] === 'e' || text[i] === 'E') {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (!isDigit(text[j])) {
          return { error: { code: 'formula.syntax', offset: i, message: `malformed number exponent` } };
        }
        while (isDigit(text[j])) j++;
        i = j;
      }
      if (isIdentStart(text[i])) {
        return { error: { code: 'formula.syntax', offset: i, message: `unexpected '${text[i]}' after number` } };
      }
      tokens.push({ kind: 'number', value: Number(text.slice(start, i)), offset: start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(text[i])) i++;
      const name = text.slice(start, i);
      const op = KEYWORD_OPS[name];
      tokens.push(op === undefined ? { kind: 'ident', name, offset: start, end: i } : { kind: 'op', op, offset: start, end: i });
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined) {
          return { error: { code: 'formula.syntax', offset: start, message: `unterminated string` } };
        }
        if (d === c) {
          i++;
          break;
        }
        if (d === '\\') {
          const e = text[i + 1];
          if (e !== '\\' && e !== '"' && e !== "'") {
            return { error: { code: 'formula.syntax', offset: i, message: `unknown escape` } };
          }
          value += e;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: 'string', value, offset: start, end: i });
      continue;
    }
    const two = text.slice(i, i + 2);
    const dop = DOUBLE[two];
    if (dop !== undefined) {
      tokens.push({ kind: 'op', op: dop, offset: start, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === '!') {
      tokens.push({ kind: 'op', op: 'not', offset: start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '<' || c === '>') {
      tokens.push({ kind: 'op', op: c, offset: start, end: i + 1 });
      i++;
      continue;
    }
    const sop = c === undefined ? undefined : SINGLE[c];
    if (sop === undefined) {
      return { error: { code: 'formula.syntax', offset: i, message: `unexpected character '${c ?? ''}'` } };
    }
    tokens.push({ kind: 'op', op: sop, offset: start, end: i + 1 });
    i++;
  }
  tokens.push({ kind: 'eof', offset: n, end: n });
  return { tokens };
}
