import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';

/**
 * The runner a sweep calls for each job, named by module and export so that worker threads (and,
 * later, queue workers on other machines) can import it themselves.
 */

/** Options of one run, as `runScenario` of `src/run/run.ts` takes them. */
export interface RunScenarioOptions {
  readonly scenarioPath: string;
  /** `dotted.path=value` overrides, values parsed as YAML scalars. */
  readonly overrides?: readonly string[];
  readonly seed?: number;
  readonly outDir: string;
  readonly quiet?: boolean;
}

/** What a run returns: its folder, or every diagnostic of why it could not run. */
export type RunOutcome = { readonly ok: true; readonly outDir: string } | { readonly ok: false; readonly errors: readonly Diagnostic[] };

/** The runner function. */
export type RunScenarioFn = (opts: RunScenarioOptions) => Promise<RunOutcome>;

/** Where to import a runner from: a module URL (or absolute path) and the name of its export. */
export interface RunnerRef {
  readonly module: string;
  readonly exportName: string;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * The real runner: `runScenario` of `src/run/run.ts` when degsim runs from source, of
 * `dist/src/run/run.js` when built.
 */
export const DEFAULT_RUNNER: RunnerRef = {
  module: new URL(FROM_SOURCE ? '../run/run.ts' : '../run/run.js', import.meta.url).href,
  exportName: 'runScenario',
};

/** Parses `--runner module#export` (export defaults to `runScenario`); a plain path is taken relative to `cwd`. */
export function parseRunnerRef(text: string, cwd: string): RunnerRef {
  const hash = text.lastIndexOf('#');
  const mod = hash < 0 ? text : text.slice(0, hash);
  const exportName = hash < 0 ? 'runScenario' : text.slice(hash + 1);
  const module = /^(file|data|node):/.test(mod) ? mod : pathToFileURL(resolve(cwd, mod)).href;
  return { module, exportName };
}

/** True when the runner module's file is TypeScript (its worker threads then need tsx). */
export function needsTypeScriptLoader(url: string): boolean {
  return /\.[cm]?ts$/.test(url);
}

/** Checks, before any worker starts, that a `file:` runner module exists. */
export function checkRunner(ref: RunnerRef): Result<RunnerRef> {
  if (ref.module.startsWith('file:') && !existsSync(fileURLToPath(ref.module))) {
    return fail([{ code: 'sweep.runner.missing', path: '', message: `runner module not found (expected export ${ref.exportName})`, file: fileURLToPath(ref.module) }]);
  }
  return ok(ref);
}

/** Imports the runner; a missing module or export is a diagnostic, not a throw. */
export async function loadRunner(ref: RunnerRef): Promise<Result<RunScenarioFn>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ref.module)) as Record<string, unknown>;
  } catch (e) {
    return fail([{ code: 'sweep.runner.import', path: '', message: `cannot import runner ${ref.module}: ${(e as Error).message}` }]);
  }
  const fn = mod[ref.exportName];
  if (typeof fn !== 'function') {
    return fail([{ code: 'sweep.runner.export', path: '', message: `runner module ${ref.module} has no function export ${ref.exportName}` }]);
  }
  return ok(fn as RunScenarioFn);
}
