import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceText, type Expr } from './ast.js';
import { checkFormula, type ReferenceResolver } from './check.js';
import { compileBoolean, compileNumber, FormulaRuntimeError } from './compile.js';
import { parseFormula } from './parser.js';
import { printFormula } from './print.js';

const NAMES = ['a', 'b', 'c'] as const;
const resolve: ReferenceResolver = (ref) =>
  ref.root === 'state' && ref.path.length === 1 && NAMES.includes(ref.path[0] as 'a') ? { ok: true, type: 'number' } : { ok: false, message: 'unknown' };
const slotOf = (text: string): number => NAMES.indexOf(text.slice('state.'.length) as 'a');

function run(text: string, env: readonly number[] = [0, 0, 0]): number {
  const r = checkFormula(text, 'number', resolve);
  if ('errors' in r) throw new Error(r.errors[0]?.message);
  return compileNumber(r.formula.expr, slotOf)(Float64Array.from(env));
}

function test(text: string, env: readonly number[] = [0, 0, 0]): boolean {
  const r = checkFormula(text, 'boolean', resolve);
  if ('errors' in r) throw new Error(r.errors[0]?.message);
  return compileBoolean(r.formula.expr, slotOf)(Float64Array.from(env));
}

describe('compiled formulas', () => {
  it('evaluate arithmetic, functions and references', () => {
    expect(run('(state.a + 2) * state.b - 10 / 4', [1, 3, 0])).toBe(6.5);
    expect(run('2 × 3 ÷ 4')).toBe(1.5);
    expect(run('min(state.a, 4, -1)', [2, 0, 0])).toBe(-1);
    expect(run('max(state.a, state.b)', [2, 7, 0])).toBe(7);
    expect(run('max(5)')).toBe(5);
    expect(run('abs(state.a)', [-3.5, 0, 0])).toBe(3.5);
    expect(run('clamp(state.a, 0, 10)', [12, 0, 0])).toBe(10);
    expect(run('clamp(state.a, 0, 10)', [-2, 0, 0])).toBe(0);
    expect(run('floor(-2.5) + ceil(2.1)')).toBe(0);
    expect(run('mod(state.a + 2, 24)', [23, 0, 0])).toBe(1);
    expect(run('mod(-1, 24)')).toBe(23);
    expect(run('-state.a', [4, 0, 0])).toBe(-4);
  });

  it('evaluate comparisons, logic and both spellings of the conditional', () => {
    expect(run('if(state.a >= state.b, 1, 2)', [3, 3, 0])).toBe(1);
    expect(run('state.a < state.b ? 1 : 2', [3, 3, 0])).toBe(2);
    expect(test('state.a > 1 and state.b < 1 or state.c == 5', [0, 0, 5])).toBe(true);
    expect(test('not (state.a > 1) && state.b != 0', [0, 1, 0])).toBe(true);
    expect(test('(state.a > 1) == (state.b > 1)', [2, 0, 0])).toBe(false);
    expect(test('if(state.a > 0, state.b > 0, state.c > 0)', [1, 0, 1])).toBe(false);
  });

  it('evaluate the conditional lazily: the branch not taken cannot fail', () => {
    expect(run('if(state.b == 0, 0, state.a / state.b)', [5, 0, 0])).toBe(0);
    expect(test('state.b != 0 and state.a / state.b > 1', [5, 0, 0])).toBe(false);
  });

  it('raise located runtime errors for division by zero, mod by zero and an empty clamp range', () => {
    expect(() => run('1 + state.a / state.b', [1, 0, 0])).toThrow(new FormulaRuntimeError(14, 'division by zero'));
    try {
      run('1 + state.a / state.b', [1, 0, 0]);
    } catch (e) {
      expect(e).toBeInstanceOf(FormulaRuntimeError);
      expect((e as FormulaRuntimeError).offset).toBe(14);
    }
    expect(() => run('mod(3, state.a)')).toThrow('mod() by zero');
    expect(() => run('clamp(1, 5, state.a)')).toThrow('clamp() with lower bound 5 above upper bound 0');
  });
});

/** Random well-typed number expressions over state.a/b/c. */
const numberExpr: fc.Memo<Expr> = fc.memo((n) => {
  const leaf = fc.oneof(
    fc.integer({ min: 0, max: 100 }).map((v): Expr => ({ type: 'num', value: v / 4, offset: 0, end: 0 })),
    fc.constantFrom(...NAMES).map((name): Expr => ({ type: 'ref', root: 'state', path: [name], offset: 0, end: 0 })),
  );
  if (n <= 1) return leaf;
  return fc.oneof(
    leaf,
    fc.tuple(fc.constantFrom('+', '-', '*'), numberExpr(n - 1), numberExpr(n - 1)).map(([op, left, right]): Expr => ({ type: 'binary', op, left, right, offset: 0, end: 0 })),
    numberExpr(n - 1).map((arg): Expr => ({ type: 'neg', arg, offset: 0, end: 0 })),
    fc.tuple(fc.constantFrom('min', 'max'), numberExpr(n - 1), numberExpr(n - 1)).map(([name, x, y]): Expr => ({ type: 'call', name, args: [x, y], offset: 0, end: 0 })),
    fc.tuple(fc.constantFrom('<', '>=', '=='), numberExpr(n - 1), numberExpr(n - 1), numberExpr(n - 1), numberExpr(n - 1)).map(
      ([op, l, r, a, b]): Expr => ({ type: 'cond', test: { type: 'binary', op, left: l, right: r, offset: 0, end: 0 }, then: a, otherwise: b, offset: 0, end: 0 }),
    ),
  );
});

/** A direct tree-walking interpreter, independent of the compiler. */
function interpret(e: Expr, env: Readonly<Record<string, number>>): number | boolean {
  switch (e.type) {
    case 'num':
      return e.value;
    case 'bool':
      return e.value;
    case 'ref':
      return env[referenceText(e)] as number;
    case 'neg':
      return -(interpret(e.arg, env) as number);
    case 'not':
      return !(interpret(e.arg, env) as boolean);
    case 'binary': {
      const l = interpret(e.left, env) as number;
      const r = interpret(e.right, env) as number;
      const ops: Record<string, (x: number, y: number) => number | boolean> = {
        '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y, '/': (x, y) => x / y,
        '<': (x, y) => x < y, '<=': (x, y) => x <= y, '>': (x, y) => x > y, '>=': (x, y) => x >= y, '==': (x, y) => x === y, '!=': (x, y) => x !== y,
      };
      return (ops[e.op] as (x: number, y: number) => number | boolean)(l, r);
    }
    case 'call': {
      const args = e.args.map((a) => interpret(a, env) as number);
      return e.name === 'min' ? Math.min(...args) : Math.max(...args);
    }
    case 'cond':
      return interpret(e.test, env) ? interpret(e.then, env) : interpret(e.otherwise, env);
  }
}

describe('formula round trip (property)', () => {
  it('printing then parsing gives a formula that evaluates the same as the original tree', () => {
    fc.assert(
      fc.property(numberExpr(5), fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 3, maxLength: 3 }), (expr, values) => {
        const text = printFormula(expr);
        const reparsed = parseFormula(text);
        if ('error' in reparsed) throw new Error(`${text}: ${reparsed.error.message}`);
        expect(printFormula(reparsed.expr)).toBe(text);
        const env = { 'state.a': values[0] ?? 0, 'state.b': values[1] ?? 0, 'state.c': values[2] ?? 0 };
        expect(run(text, values)).toBe(interpret(expr, env));
      }),
      { numRuns: 300 },
    );
  });
});
