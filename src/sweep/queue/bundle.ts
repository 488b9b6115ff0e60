import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { fail, ok, type Diagnostic, type Result } from '../../diagnostics.js';
import { canonicalJson, sha256, type ParameterValue } from '../job.js';

/**
 * A scenario bundle: the scenario file's text and the files it names by relative path (feeder
 * file, subscriber registry), so a queue worker on another machine can run it without a shared
 * file system. Stored once per sweep in Redis under its content hash; jobs name the hash.
 */

/** Scenario fields whose value is a file path resolved against the scenario's folder. */
export const SCENARIO_FILE_FIELDS: readonly string[] = ['feeder.file', 'protocol.registry'];

/** Largest bundle the queue accepts (sum of file sizes), far above any scenario with its feeder. */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/** The scenario and its side files, under relative POSIX paths. File contents are base64. */
export interface ScenarioBundle {
  /** Path of the scenario file inside the bundle. */
  readonly entry: string;
  /** Relative POSIX path → base64 contents. */
  readonly files: Readonly<Record<string, string>>;
}

function fieldAt(doc: unknown, dotted: string): unknown {
  let v: unknown = doc;
  for (const key of dotted.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * Relative file references of a scenario: the file fields of the document and any value a sweep
 * sets on one of those fields. Absolute paths are left out (they must exist where the run happens).
 */
export function referencedFiles(doc: unknown, values: readonly ParameterValue[]): readonly string[] {
  const out = new Set<string>();
  for (const field of SCENARIO_FILE_FIELDS) {
    const v = fieldAt(doc, field);
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) out.add(v);
  }
  for (const pv of values) {
    if (SCENARIO_FILE_FIELDS.includes(pv.path) && typeof pv.value === 'string' && pv.value !== '' && !isAbsolute(pv.value)) out.add(pv.value);
  }
  return [...out].sort();
}

function commonDir(paths: readonly string[]): string {
  let common = dirname(paths[0] ?? '/');
  for (const p of paths) {
    while (common !== dirname(common) && relative(common, p).startsWith('..')) common = dirname(common);
  }
  return common;
}

/**
 * Builds the bundle of `scenarioPath` for jobs with the given parameter values. Side files are
 * laid out relative to the deepest folder holding them all, so `../feeders/x.json` still resolves
 * after the bundle is unpacked elsewhere. A named side file that does not exist is left out (the
 * run then reports it, as a local run would).
 */
export function buildScenarioBundle(scenarioPath: string, values: readonly ParameterValue[]): Result<ScenarioBundle> {
  const abs = resolve(scenarioPath);
  if (!existsSync(abs)) return fail([{ code: 'sweep.scenario.missing', path: '', message: 'scenario file not found', file: abs }]);
  const text = readFileSync(abs);
  const doc = parseDocument(text.toString('utf8'));
  const parsed: unknown = doc.errors.length > 0 ? undefined : doc.toJS();
  const side = referencedFiles(parsed, values)
    .map((rel) => resolve(dirname(abs), rel))
    .filter((p) => p !== abs && existsSync(p) && statSync(p).isFile());
  const all = [abs, ...side];
  const root = commonDir(all);
  const files: Record<string, string> = {};
  let bytes = 0;
  for (const p of all) {
    const data = p === abs ? text : readFileSync(p);
    bytes += data.length;
    files[relative(root, p).split(sep).join(posix.sep)] = data.toString('base64');
  }
  if (bytes > MAX_BUNDLE_BYTES) {
    return fail([{ code: 'queue.bundle.size', path: '', message: `the scenario and its files take ${(bytes / 1048576).toFixed(1)} MiB; the queue carries at most ${MAX_BUNDLE_BYTES / 1048576} MiB`, file: abs }]);
  }
  return ok({ entry: relative(root, abs).split(sep).join(posix.sep), files });
}

/** Content hash of a bundle: 32 hex digits of SHA-256 over its canonical JSON. */
export function bundleHash(bundle: ScenarioBundle): string {
  return sha256(canonicalJson(bundle)).slice(0, 32);
}

function safeRelative(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Checks a bundle read back from Redis: shape, safe relative paths, base64 contents, entry present. */
export function parseBundle(v: unknown): Result<ScenarioBundle> {
  const errors: Diagnostic[] = [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail([{ code: 'queue.bundle.shape', path: '', message: 'a scenario bundle must be an object with entry and files' }]);
  const { entry, files } = v as Record<string, unknown>;
  if (typeof entry !== 'string' || !safeRelative(entry)) errors.push({ code: 'queue.bundle.entry', path: 'entry', message: 'the entry must be a relative path inside the bundle' });
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    errors.push({ code: 'queue.bundle.files', path: 'files', message: 'files must map relative paths to base64 text' });
    return fail(errors);
  }
  const out: Record<string, string> = {};
  for (const [path, data] of Object.entries(files as Record<string, unknown>)) {
    if (!safeRelative(path)) errors.push({ code: 'queue.bundle.path', path: `files.${path}`, message: 'a bundled file must have a relative path without . or .. segments' });
    else if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) errors.push({ code: 'queue.bundle.data', path: `files.${path}`, message: 'file contents must be base64 text' });
    else out[path] = data;
  }
  if (typeof entry === 'string' && !(entry in out)) errors.push({ code: 'queue.bundle.entry', path: 'entry', message: `the entry ${entry} is not among the bundled files` });
  return errors.length > 0 || typeof entry !== 'string' ? fail(errors) : ok({ entry, files: out });
}

/**
 * Unpacks a bundle into `dir` (created afresh via a sibling temp folder and a rename, so a
 * concurrent or interrupted unpack never leaves a half-written scenario) and returns the absolute
 * path of its scenario file. An existing `dir` is taken as already unpacked.
 */
export function unpackBundle(bundle: ScenarioBundle, dir: string): string {
  const entry = join(dir, ...bundle.entry.split('/'));
  if (existsSync(entry)) return entry;
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [path, data] of Object.entries(bundle.files)) {
    const target = join(tmp, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(data, 'base64'));
  }
  mkdirSync(dirname(dir), { recursive: true });
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(entry)) throw e;
  }
  return entry;
}
