import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { splitPath } from './yaml-source.js';

/** One `--set path=value` override; the value is parsed as a YAML scalar or flow collection. */
export interface Override {
  readonly path: readonly (string | number)[];
  readonly pathText: string;
  readonly value: unknown;
}

/** Parses `path=value` strings; every malformed one is a diagnostic (file `--set`). */
export function parseOverrides(items: readonly string[]): { overrides: Override[]; errors: Diagnostic[] } {
  const overrides: Override[] = [];
  const errors: Diagnostic[] = [];
  items.forEach((item, i) => {
    const eq = item.indexOf('=');
    const pathText = eq < 0 ? item : item.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*|\[\d+\])*$/.test(pathText)) {
      errors.push({ code: 'override.syntax', path: `--set[${i}]`, message: `expected path=value (e.g. market.feePerKWh=0.05 or participants[2].count=4), got "${item}"`, file: '--set' });
      return;
    }
    const raw = item.slice(eq + 1);
    let value: unknown;
    try {
      value = raw === '' ? '' : parseYaml(raw);
    } catch {
      value = raw;
    }
    overrides.push({ path: splitPath(pathText), pathText, value });
  });
  return { overrides, errors };
}

/**
 * Applies overrides to a plain document, creating intermediate objects where missing. Returns a
 * diagnostic when a path walks through a scalar or indexes past the end of a list.
 */
export function applyOverrides(doc: unknown, overrides: readonly Override[]): { doc: unknown; errors: Diagnostic[] } {
  const root: unknown = structuredClone(doc);
  const errors: Diagnostic[] = [];
  for (const o of overrides) {
    let node: unknown = root;
    let failed = false;
    for (let i = 0; i < o.path.length - 1 && !failed; i++) {
      const key = o.path[i] as string | number;
      const next = o.path[i + 1] as string | number;
      const container = node as Record<string | number, unknown>;
      if (typeof node !== 'object' || node === null || (Array.isArray(node) && typeof key !== 'number')) {
        failed = true;
        break;
      }
      if (Array.isArray(node) && (key as number) >= node.length) {
        errors.push({ code: 'override.index', path: o.pathText, message: `index ${key} is past the end of a list of ${node.length}`, file: '--set' });
        failed = true;
        break;
      }
      if (container[key] === undefined || container[key] === null) container[key] = typeof next === 'number' ? [] : {};
      node = container[key];
    }
    if (failed) {
      if (!errors.some((e) => e.path === o.pathText)) {
        errors.push({ code: 'override.path', path: o.pathText, message: 'the path goes through a value that is not an object or list', file: '--set' });
      }
      continue;
    }
    const last = o.path[o.path.length - 1] as string | number;
    if (typeof node !== 'object' || node === null) {
      errors.push({ code: 'override.path', path: o.pathText, message: 'the path goes through a value that is not an object or list', file: '--set' });
      continue;
    }
    (node as Record<string | number, unknown>)[last] = o.value;
  }
  return { doc: root, errors };
}
