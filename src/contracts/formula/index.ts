/**
 * The contract formula language: a small, safe expression language for revenue flows, conditions
 * and state updates. Parsed once (`parseFormula`), type-checked against a contract
 * (`checkFormula`), compiled to closures (`compileNumber`, `compileBoolean`), evaluated many times.
 * No `eval`, no `Function`.
 */
export * from './ast.js';
export * from './check.js';
export * from './compile.js';
export * from './lexer.js';
export * from './parser.js';
export * from './print.js';

import type { FormulaError } from './lexer.js';

/** `message at character N`, the form used in diagnostics. */
export function formatFormulaError(e: FormulaError): string {
  return `${e.message} at character ${e.offset}`;
}
