/** Abstract syntax of the contract formula language. Offsets are 0-based characters in the source. */

/** The namespaces a reference can start with. */
export const REFERENCE_ROOTS = ['roles', 'params', 'signals', 'telemetry', 'state', 'period'] as const;
export type ReferenceRoot = (typeof REFERENCE_ROOTS)[number];

/** Fields of the `period` namespace. */
export const PERIOD_FIELDS = ['hours', 'index', 'hourOfDay', 'dayOfWeek'] as const;
export type PeriodField = (typeof PERIOD_FIELDS)[number];

/** A reference such as `roles.PROSUMER.clearedKWh` or `signals["market-clearing-price"]`. */
export interface ReferenceNode {
  readonly type: 'ref';
  readonly root: ReferenceRoot;
  /** Path after the root, e.g. ['PROSUMER', 'clearedKWh']. */
  readonly path: readonly string[];
  readonly offset: number;
  readonly end: number;
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';

/** Built-in functions. `if` is the conditional, like `c ? a : b`. */
export const FUNCTIONS = ['min', 'max', 'abs', 'clamp', 'floor', 'ceil', 'mod', 'if'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export type Expr =
  | { readonly type: 'num'; readonly value: number; readonly offset: number; readonly end: number }
  | { readonly type: 'bool'; readonly value: boolean; readonly offset: number; readonly end: number }
  | ReferenceNode
  | { readonly type: 'neg' | 'not'; readonly arg: Expr; readonly offset: number; readonly end: number }
  | { readonly type: 'binary'; readonly op: BinaryOperator; readonly left: Expr; readonly right: Expr; readonly offset: number; readonly end: number }
  | { readonly type: 'call'; readonly name: FunctionName; readonly args: readonly Expr[]; readonly offset: number; readonly end: number }
  | { readonly type: 'cond'; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr; readonly offset: number; readonly end: number };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Memo of canonical texts by node (parsed ASTs are shared and immutable). */
const texts = new WeakMap<object, string>();

/** Canonical text of a reference: dotted where a segment is an identifier, else `["…"]`. */
export function referenceText(ref: Pick<ReferenceNode, 'root' | 'path'>): string {
  const hit = texts.get(ref);
  if (hit !== undefined) return hit;
  let s: string = ref.root;
  for (const seg of ref.path) s += IDENT.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  texts.set(ref, s);
  return s;
}
