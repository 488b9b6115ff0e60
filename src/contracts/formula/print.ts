import { referenceText, type Expr } from './ast.js';

/** Binding strength of each node, loosest first; atoms bind tightest. */
function precedence(e: Expr): number {
  switch (e.type) {
    case 'cond':
      return 0;
    case 'binary':
      switch (e.op) {
        case 'or':
          return 1;
        case 'and':
          return 2;
        case '<':
        case '<=':
        case '>':
        case '>=':
        case '==':
        case '!=':
          return 4;
        case '+':
        case '-':
          return 5;
        case '*':
        case '/':
          return 6;
      }
      break;
    case 'not':
      return 3;
    case 'neg':
      return 7;
    default:
      return 8;
  }
  return 8;
}

function wrap(e: Expr, atLeast: number): string {
  const s = printFormula(e);
  return precedence(e) < atLeast ? `(${s})` : s;
}

/**
 * Prints an AST as canonical formula text with the fewest parentheses that keep its meaning
 * (operators as `* / and or not`, references canonical). `parseFormula(printFormula(e))` gives `e`
 * back up to offsets.
 */
export function printFormula(e: Expr): string {
  switch (e.type) {
    case 'num':
      return String(e.value);
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'ref':
      return referenceText(e);
    case 'neg':
      return `-${wrap(e.arg, 7)}`;
    case 'not':
      return `not ${wrap(e.arg, 3)}`;
    case 'binary': {
      const p = precedence(e);
      // Left-associative: the right operand needs parentheses at equal precedence; comparisons do not chain.
      const leftMin = p === 4 ? 5 : p;
      return `${wrap(e.left, leftMin)} ${e.op} ${wrap(e.right, p + 1)}`;
    }
    case 'call':
      return `${e.name}(${e.args.map((a) => printFormula(a)).join(', ')})`;
    case 'cond':
      return `${wrap(e.test, 1)} ? ${printFormula(e.then)} : ${printFormula(e.otherwise)}`;
  }
}

/**
 * `left * right` as canonical text, each side wrapped in parentheses when it would otherwise bind
 * differently or read ambiguously (a division on the right is wrapped for clarity).
 */
export function printProduct(left: Expr, right: Expr): string {
  const l = precedence(left) < 6 ? `(${printFormula(left)})` : printFormula(left);
  const r = precedence(right) < 6 || (right.type === 'binary' && right.op === '/') ? `(${printFormula(right)})` : printFormula(right);
  return `${l} * ${r}`;
}
