/**
 * Diagnostics are values, not exceptions: loaders and validators return every problem they find
 * at once, each naming the file, the path inside it and what was expected.
 */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. `schema.type`, `yaml.syntax`, `curve.unsorted`. */
  readonly code: string;
  /** Path inside the document, dotted with [index] for arrays, e.g. `participants[3].pvKWp`. */
  readonly path: string;
  /** What is wrong and what was expected, in words a person can act on. */
  readonly message: string;
  /** The file the problem is in, when it came from a file. */
  readonly file?: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
}

/** A result that is either a value or the full list of diagnostics explaining why not. */
export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] };

/** Successful result with optional warnings. */
export function ok<T>(value: T, warnings: readonly Diagnostic[] = []): Result<T> {
  return { ok: true, value, warnings };
}

/** Failed result carrying every diagnostic found. */
export function fail<T>(errors: readonly Diagnostic[]): Result<T> {
  return { ok: false, errors };
}

/** `file:line:column: path: message [code]`, the form editors and terminals link to. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file === undefined ? '' : `${d.file}${d.line === undefined ? '' : `:${d.line}${d.column === undefined ? '' : `:${d.column}`}`}: `;
  const path = d.path === '' ? '' : `${d.path}: `;
  return `${where}${path}${d.message} [${d.code}]`;
}

/** Thrown only at boundaries that cannot return a value (e.g. inside a worker); carries diagnostics. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DiagnosticError';
  }
}
