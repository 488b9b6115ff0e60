import { referenceText, type Expr, type FunctionName, type ReferenceNode } from './ast.js';
import type { FormulaError } from './lexer.js';
import { parseFormula } from './parser.js';

/** The two value types of the language. Money and quantities are numbers; conditions are booleans. */
export type FormulaType = 'number' | 'boolean';

/** What a reference means in the context where the formula is used (usually a contract). */
export type ResolvedReference =
  | { readonly ok: true; readonly type: FormulaType }
  | { readonly ok: false; readonly message: string };

export type ReferenceResolver = (ref: ReferenceNode) => ResolvedReference;

/** A parsed and type-checked formula. */
export interface CheckedFormula {
  readonly source: string;
  readonly expr: Expr;
  readonly type: FormulaType;
  /** Canonical text of each distinct reference, in order of first appearance. */
  readonly references: readonly string[];
}

type Checked = FormulaType | 'error';

const ARITY: Readonly<Record<FunctionName, { readonly min: number; readonly max: number }>> = {
  min: { min: 1, max: Infinity },
  max: { min: 1, max: Infinity },
  abs: { min: 1, max: 1 },
  floor: { min: 1, max: 1 },
  ceil: { min: 1, max: 1 },
  clamp: { min: 3, max: 3 },
  mod: { min: 2, max: 2 },
  if: { min: 3, max: 3 },
};

/**
 * Parses `source` and checks it: every reference must resolve, every operator and function must
 * get operands of its type, and the whole must have type `expected`. Returns every error found
 * (a syntax error stops at the first).
 */
export function checkFormula(
  source: string,
  expected: FormulaType,
  resolve: ReferenceResolver,
): { readonly formula: CheckedFormula } | { readonly errors: readonly FormulaError[] } {
  const parsed = parseFormula(source);
  if ('error' in parsed) return { errors: [parsed.error] };
  const checker = new Checker(source, resolve);
  const type = checker.visit(parsed.expr);
  const errors = checker.errors;
  if (type !== 'error' && type !== expected) {
    errors.push({ code: 'formula.type', offset: parsed.expr.offset, message: `the formula must give a ${expected} but gives a ${type}` });
  }
  if (errors.length > 0 || type === 'error') return { errors };
  return { formula: { source, expr: parsed.expr, type, references: checker.references } };
}

class Checker {
  readonly errors: FormulaError[] = [];
  readonly references: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly resolve: ReferenceResolver,
  ) {}

  private describe(e: Expr): string {
    const text = this.source.slice(e.offset, e.end).trim();
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
  }

  private want(e: Expr, got: Checked, type: FormulaType, where: string): void {
    if (got === 'error' || got === type) return;
    this.errors.push({ code: 'formula.type', offset: e.offset, message: `${where} needs a ${type} but ${this.describe(e)} is a ${got}` });
  }

  private branches(test: Expr, t: Checked, a: Checked, b: Checked, whole: Expr): Checked {
    this.want(test, t, 'boolean', 'the condition of a conditional');
    if (a === 'error' || b === 'error') return a === 'error' ? b : a;
    if (a !== b) {
      this.errors.push({ code: 'formula.type', offset: whole.offset, message: `the branches of ${this.describe(whole)} have different types (${a} and ${b})` });
      return 'error';
    }
    return a;
  }

  visit(e: Expr): Checked {
    switch (e.type) {
      case 'num':
        return 'number';
      case 'bool':
        return 'boolean';
      case 'ref': {
        const r = this.resolve(e);
        if (!r.ok) {
          this.errors.push({ code: 'formula.unknown-reference', offset: e.offset, message: r.message });
          return 'error';
        }
        const text = referenceText(e);
        if (!this.seen.has(text)) {
          this.seen.add(text);
          this.references.push(text);
        }
        return r.type;
      }
      case 'neg':
        this.want(e.arg, this.visit(e.arg), 'number', 'unary minus');
        return 'number';
      case 'not':
        this.want(e.arg, this.visit(e.arg), 'boolean', "'not'");
        return 'boolean';
      case 'binary': {
        const l = this.visit(e.left);
        const r = this.visit(e.right);
        switch (e.op) {
          case '+':
          case '-':
          case '*':
          case '/':
            this.want(e.left, l, 'number', `'${e.op}'`);
            this.want(e.right, r, 'number', `'${e.op}'`);
            return 'number';
          case '<':
          case '<=':
          case '>':
          case '>=':
            this.want(e.left, l, 'number', `'${e.op}'`);
            this.want(e.right, r, 'number', `'${e.op}'`);
            return 'boolean';
          case '==':
          case '!=':
            if (l !== 'error' && r !== 'error' && l !== r) {
              this.errors.push({ code: 'formula.type', offset: e.offset, message: `'${e.op}' compares a ${l} with a ${r} in ${this.describe(e)}` });
            }
            return 'boolean';
          case 'and':
          case 'or':
            this.want(e.left, l, 'boolean', `'${e.op}'`);
            this.want(e.right, r, 'boolean', `'${e.op}'`);
            return 'boolean';
        }
        break;
      }
      case 'call': {
        const arity = ARITY[e.name];
        const types = e.args.map((a) => this.visit(a));
        if (e.args.length < arity.min || e.args.length > arity.max) {
          const wanted = arity.max === Infinity ? `at least ${arity.min}` : `${arity.min}`;
          this.errors.push({ code: 'formula.arity', offset: e.offset, message: `${e.name}() takes ${wanted} argument${arity.min === 1 ? '' : 's'} but got ${e.args.length}` });
          return e.name === 'if' ? 'error' : 'number';
        }
        if (e.name === 'if') return this.branches(e.args[0] as Expr, types[0] ?? 'error', types[1] ?? 'error', types[2] ?? 'error', e);
        e.args.forEach((a, i) => this.want(a, types[i] ?? 'error', 'number', `${e.name}()`));
        return 'number';
      }
      case 'cond':
        return this.branches(e.test, this.visit(e.test), this.visit(e.then), this.visit(e.otherwise), e);
    }
    return 'error';
  }
}
