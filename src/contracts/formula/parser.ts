import { FUNCTIONS, REFERENCE_ROOTS, type BinaryOperator, type Expr, type FunctionName, type ReferenceRoot } from './ast.js';
import { tokenize, type FormulaError, type OperatorText, type Token } from './lexer.js';

/**
 * Parses a formula to an AST. Grammar, loosest binding first:
 *   expr := or ('?' expr ':' expr)?            conditional, right-associative
 *   or   := and ('or' and)*                    also `||`
 *   and  := not ('and' not)*                   also `&&`
 *   not  := 'not' not | cmp                    also `!`
 *   cmp  := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?   not chainable
 *   sum  := prod (('+'|'-') prod)*
 *   prod := unary (('*'|'/') unary)*           also × ÷
 *   unary:= ('-'|'+') unary | primary
 *   primary := number | true | false | '(' expr ')' | fn '(' args ')' | reference
 *   reference := root ('.' name | '[' string ']')+
 * Returns the AST or the first syntax error with its character offset.
 */
export function parseFormula(text: string): { readonly expr: Expr } | { readonly error: FormulaError } {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const result = parseUncached(text);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, result);
  return result;
}

/**
 * Parse results by formula text. Contracts built from one template share their formula texts, so
 * a run forming thousands of contracts parses each text once. ASTs are immutable, so sharing them
 * is safe; the cache is cleared when it reaches its limit.
 */
const cache = new Map<string, { readonly expr: Expr } | { readonly error: FormulaError }>();
const CACHE_LIMIT = 10_000;

function parseUncached(text: string): { readonly expr: Expr } | { readonly error: FormulaError } {
  const lexed = tokenize(text);
  if ('error' in lexed) return lexed;
  const parser = new Parser(lexed.tokens);
  try {
    const expr = parser.expression();
    const t = parser.peek();
    if (t.kind !== 'eof') throw parser.unexpected(t, 'end of formula');
    return { expr };
  } catch (e) {
    if (e instanceof ParseFailure) return { error: e.error };
    throw e;
  }
}

class ParseFailure {
  constructor(readonly error: FormulaError) {}
}

const COMPARISONS = new Set<OperatorText>(['<', '<=', '>', '>=', '==', '!=']);
const ROOTS = new Set<string>(REFERENCE_ROOTS);
const FUNCTION_SET = new Set<string>(FUNCTIONS);
/** Nesting limit, so a hostile formula cannot exhaust the stack. */
const MAX_DEPTH = 200;

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of formula';
    case 'number':
      return `number ${t.value}`;
    case 'ident':
      return `'${t.name}'`;
    case 'string':
      return `string ${JSON.stringify(t.value)}`;
    case 'op':
      return `'${t.op}'`;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token {
    return this.tokens[this.pos] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isOp(op: OperatorText): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.op === op;
  }

  private expectOp(op: OperatorText): Token {
    const t = this.peek();
    if (t.kind !== 'op' || t.op !== op) throw this.unexpected(t, `'${op}'`);
    return this.next();
  }

  unexpected(t: Token, wanted: string): ParseFailure {
    return new ParseFailure({
      code: 'formula.syntax',
      offset: t.offset,
      message: `expected ${wanted} but found ${describe(t)}`,
    });
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) {
      throw new ParseFailure({ code: 'formula.syntax', offset: t.offset, message: `formula nested deeper than ${MAX_DEPTH} levels` });
    }
  }

  expression(): Expr {
    this.enter(this.peek());
    const test = this.or();
    let result = test;
    if (this.isOp('?')) {
      this.next();
      const then = this.expression();
      this.expectOp(':');
      const otherwise = this.expression();
      result = { type: 'cond', test, then, otherwise, offset: test.offset, end: otherwise.end };
    }
    this.depth--;
    return result;
  }

  private binaryChain(op: 'and' | 'or', operand: () => Expr): Expr {
    let left = operand();
    while (this.isOp(op)) {
      this.next();
      const right = operand();
      left = { type: 'binary', op, left, right, offset: left.offset, end: right.end };
    }
    return left;
  }

  private or(): Expr {
    return this.binaryChain('or', () => this.and());
  }

  private and(): Expr {
    return this.binaryChain('and', () => this.not());
  }

  private not(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && t.op === 'not') {
      this.enter(t);
      this.next();
      const arg = this.not();
      this.depth--;
      return { type: 'not', arg, offset: t.offset, end: arg.end };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.sum();
    const t = this.peek();
    if (t.kind === 'op' && COMPARISONS.has(t.op)) {
      this.next();
      const right = this.sum();
      const after = this.peek();
      if (after.kind === 'op' && COMPARISONS.has(after.op)) {
        throw new ParseFailure({
          code: 'formula.syntax',
          offset: after.offset,
          message: `comparisons cannot be chained; combine them with 'and'`,
        });
      }
      return { type: 'binary', op: t.op as BinaryOperator, left, right, offset: left.offset, end: right.end };
    }
    return left;
  }

  private sum(): Expr {
    let left = this.product();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.op !== '+' && t.op !== '-')) return left;
      this.next();
      const right = this.product();
      left = { type: 'binary', op: t.op, left, right, offset: left.offset, end: right.end };
    }
  }

  private product(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.op !== '*' && t.op !== '/')) return left;
      this.next();
      const right = this.unary();
      left = { type: 'binary', op: t.op, left, right, offset: left.offset, end: right.end };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.op === '-' || t.op === '+')) {
      this.enter(t);
      this.next();
      const arg = this.unary();
      this.depth--;
      return t.op === '-' ? { type: 'neg', arg, offset: t.offset, end: arg.end } : arg;
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { type: 'num', value: t.value, offset: t.offset, end: t.end };
      case 'op':
        if (t.op === '(') {
          const inner = this.expression();
          this.expectOp(')');
          return inner;
        }
        throw this.unexpected(t, 'a number, a reference, a function or (');
      case 'ident':
        return this.identifier(t);
      case 'string':
      case 'eof':
        throw this.unexpected(t, 'a number, a reference, a function or (');
    }
  }

  private identifier(t: Token & { kind: 'ident' }): Expr {
    if (t.name === 'true' || t.name === 'false') return { type: 'bool', value: t.name === 'true', offset: t.offset, end: t.end };
    if (this.isOp('(')) {
      if (!FUNCTION_SET.has(t.name)) {
        throw new ParseFailure({
          code: 'formula.unknown-function',
          offset: t.offset,
          message: `unknown function ${t.name}(); known: ${FUNCTIONS.join(', ')}`,
        });
      }
      this.next();
      const args: Expr[] = [];
      if (!this.isOp(')')) {
        args.push(this.expression());
        while (this.isOp(',')) {
          this.next();
          args.push(this.expression());
        }
      }
      const close = this.expectOp(')');
      return { type: 'call', name: t.name as FunctionName, args, offset: t.offset, end: close.end };
    }
    if (!ROOTS.has(t.name)) {
      throw new ParseFailure({
        code: 'formula.unknown-reference',
        offset: t.offset,
        message: `unknown reference ${t.name}; references start with ${REFERENCE_ROOTS.map((r) => `${r}.`).join(', ')}`,
      });
    }
    const path: string[] = [];
    let end = t.end;
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const seg = this.next();
        if (seg.kind !== 'ident') throw this.unexpected(seg, `a name after '.'`);
        path.push(seg.name);
        end = seg.end;
      } else if (this.isOp('[')) {
        this.next();
        const seg = this.next();
        if (seg.kind !== 'string') throw this.unexpected(seg, 'a quoted name inside [ ]');
        path.push(seg.value);
        end = this.expectOp(']').end;
      } else {
        break;
      }
    }
    if (path.length === 0) {
      throw new ParseFailure({
        code: 'formula.unknown-reference',
        offset: t.offset,
        message: `incomplete reference ${t.name}; expected ${t.name}.<name>`,
      });
    }
    return { type: 'ref', root: t.name as ReferenceRoot, path, offset: t.offset, end };
  }
}
