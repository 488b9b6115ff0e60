import { referenceText, type Expr } from './ast.js';

/**
 * Compiles a checked AST to closures over a slot array: each distinct reference reads one slot of
 * a `Float64Array` (booleans stored as 1/0). Compiled once, evaluated many times; no `eval`.
 */
export type NumberFn = (env: Float64Array) => number;
export type BooleanFn = (env: Float64Array) => boolean;

/** A failure while evaluating (division by zero, empty clamp range), located in the formula. */
export class FormulaRuntimeError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'FormulaRuntimeError';
  }
}

/** Maps a reference's canonical text to its slot in the environment. */
export type SlotOf = (referenceText: string) => number;

/** Compiles a number-typed expression (the caller has type-checked it). */
export function compileNumber(expr: Expr, slotOf: SlotOf): NumberFn {
  switch (expr.type) {
    case 'num': {
      const v = expr.value;
      return () => v;
    }
    case 'ref': {
      const slot = slotOf(referenceText(expr));
      return (env) => env[slot] as number;
    }
    case 'neg': {
      const a = compileNumber(expr.arg, slotOf);
      return (env) => -a(env);
    }
    case 'binary': {
      const l = compileNumber(expr.left, slotOf);
      const r = compileNumber(expr.right, slotOf);
      switch (expr.op) {
        case '+':
          return (env) => l(env) + r(env);
        case '-':
          return (env) => l(env) - r(env);
        case '*':
          return (env) => l(env) * r(env);
        case '/': {
          const at = expr.right.offset;
          return (env) => {
            const d = r(env);
            if (d === 0) throw new FormulaRuntimeError(at, `division by zero`);
            return l(env) / d;
          };
        }
        default:
          break;
      }
      break;
    }
    case 'call': {
      const args = expr.args.map((a, i) => (expr.name === 'if' && i === 0 ? undefined : compileNumber(a, slotOf)));
      switch (expr.name) {
        case 'min':
        case 'max': {
          const fns = args as NumberFn[];
          const pick = expr.name === 'min' ? Math.min : Math.max;
          if (fns.length === 2) {
            const [a, b] = fns as [NumberFn, NumberFn];
            return (env) => pick(a(env), b(env));
          }
          return (env) => {
            let m = (fns[0] as NumberFn)(env);
            for (let i = 1; i < fns.length; i++) m = pick(m, (fns[i] as NumberFn)(env));
            return m;
          };
        }
        case 'abs': {
          const a = args[0] as NumberFn;
          return (env) => Math.abs(a(env));
        }
        case 'floor': {
          const a = args[0] as NumberFn;
          return (env) => Math.floor(a(env));
        }
        case 'ceil': {
          const a = args[0] as NumberFn;
          return (env) => Math.ceil(a(env));
        }
        case 'clamp': {
          const [x, lo, hi] = args as [NumberFn, NumberFn, NumberFn];
          const at = expr.offset;
          return (env) => {
            const l = lo(env);
            const h = hi(env);
            if (l > h) throw new FormulaRuntimeError(at, `clamp() with lower bound ${l} above upper bound ${h}`);
            return Math.min(h, Math.max(l, x(env)));
          };
        }
        case 'mod': {
          const [a, b] = args as [NumberFn, NumberFn];
          const at = expr.args[1]?.offset ?? expr.offset;
          return (env) => {
            const d = b(env);
            if (d === 0) throw new FormulaRuntimeError(at, `mod() by zero`);
            const m = a(env) % d;
            return m !== 0 && m < 0 !== d < 0 ? m + d : m;
          };
        }
        case 'if': {
          const test = compileBoolean(expr.args[0] as Expr, slotOf);
          const [, a, b] = args as [undefined, NumberFn, NumberFn];
          return (env) => (test(env) ? a(env) : b(env));
        }
      }
      break;
    }
    case 'cond': {
      const test = compileBoolean(expr.test, slotOf);
      const a = compileNumber(expr.then, slotOf);
      const b = compileNumber(expr.otherwise, slotOf);
      return (env) => (test(env) ? a(env) : b(env));
    }
    default:
      break;
  }
  throw new TypeError(`not a number expression`);
}

/** Compiles a boolean-typed expression (the caller has type-checked it). */
export function compileBoolean(expr: Expr, slotOf: SlotOf): BooleanFn {
  switch (expr.type) {
    case 'bool': {
      const v = expr.value;
      return () => v;
    }
    case 'ref': {
      const slot = slotOf(referenceText(expr));
      return (env) => env[slot] !== 0;
    }
    case 'not': {
      const a = compileBoolean(expr.arg, slotOf);
      return (env) => !a(env);
    }
    case 'binary': {
      switch (expr.op) {
        case 'and': {
          const l = compileBoolean(expr.left, slotOf);
          const r = compileBoolean(expr.right, slotOf);
          return (env) => l(env) && r(env);
        }
        case 'or': {
          const l = compileBoolean(expr.left, slotOf);
          const r = compileBoolean(expr.right, slotOf);
          return (env) => l(env) || r(env);
        }
        case '<':
        case '<=':
        case '>':
        case '>=': {
          const l = compileNumber(expr.left, slotOf);
          const r = compileNumber(expr.right, slotOf);
          if (expr.op === '<') return (env) => l(env) < r(env);
          if (expr.op === '<=') return (env) => l(env) <= r(env);
          if (expr.op === '>') return (env) => l(env) > r(env);
          return (env) => l(env) >= r(env);
        }
        case '==':
        case '!=': {
          const l = compileEither(expr.left, slotOf);
          const r = compileEither(expr.right, slotOf);
          return expr.op === '==' ? (env) => l(env) === r(env) : (env) => l(env) !== r(env);
        }
        default:
          break;
      }
      break;
    }
    case 'call':
      if (expr.name === 'if') {
        const [t, a, b] = expr.args.map((x) => compileBoolean(x, slotOf)) as [BooleanFn, BooleanFn, BooleanFn];
        return (env) => (t(env) ? a(env) : b(env));
      }
      break;
    case 'cond': {
      const t = compileBoolean(expr.test, slotOf);
      const a = compileBoolean(expr.then, slotOf);
      const b = compileBoolean(expr.otherwise, slotOf);
      return (env) => (t(env) ? a(env) : b(env));
    }
    default:
      break;
  }
  throw new TypeError(`not a boolean expression`);
}

/** Operands of == and != may be numbers or booleans (both sides checked to agree): compare as numbers. */
function compileEither(expr: Expr, slotOf: SlotOf): NumberFn {
  if (isBooleanShaped(expr)) {
    const b = compileBoolean(expr, slotOf);
    return (env) => (b(env) ? 1 : 0);
  }
  if (expr.type === 'ref') {
    const slot = slotOf(referenceText(expr));
    return (env) => env[slot] as number;
  }
  return compileNumber(expr, slotOf);
}

/** Whether an expression's type is boolean by its shape alone (references are read as numbers either way). */
function isBooleanShaped(expr: Expr): boolean {
  switch (expr.type) {
    case 'bool':
    case 'not':
      return true;
    case 'binary':
      return !['+', '-', '*', '/'].includes(expr.op);
    case 'cond':
      return isBooleanShaped(expr.then) || isBooleanShaped(expr.otherwise);
    case 'call':
      return expr.name === 'if' && (isBooleanShaped(expr.args[1] as Expr) || isBooleanShaped(expr.args[2] as Expr));
    default:
      return false;
  }
}
