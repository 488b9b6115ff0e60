/**
 * The contract formula language: a small, safe expression language for revenue flows, conditions
 * and state updates. Parsed once (`parseFormula`), type-checked against a contract
 * (`checkFormula`), compiled to closures (`compileNumber`, `compileBoolean`), evaluated many times.
 * No `eval`, no `Function`.
 *
 * - Values: numbers (doubles) and booleans (`true`, `false`, comparisons).
 * - Operators: `+ - * /` (also `×` `÷`), unary `-`, `< <= > >= == !=` (also `≤ ≥ ≠`), `and or not`
 *   (also `&& || !`), `c ? a : b`, parentheses. Comparisons do not chain.
 * - Functions: `min(x, …)`, `max(x, …)`, `abs(x)`, `clamp(x, lo, hi)`, `floor(x)`, `ceil(x)`,
 *   `mod(x, m)` (result has the sign of m), `if(c, a, b)`. Conditionals evaluate one branch only.
 * - References: `roles.<ROLE>.<input>`, `params.<name>`, `signals.<id>` or `signals["id-with-dashes"]`,
 *   `telemetry.<source>.<field>`, `state.<name>` (value before the period), and the period:
 *   `period.hours` (length), `period.index`, `period.hourOfDay` (UTC, fractional, 0 ≤ h < 24),
 *   `period.dayOfWeek` (UTC, 0 = Sunday). Any segment may be written `["…"]`.
 * - Errors: syntax, unknown reference, wrong type or arity, each with its character offset;
 *   at evaluation, division or `mod` by zero and an empty `clamp` range.
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
