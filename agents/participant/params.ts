import type { Diagnostic } from '../../src/diagnostics.js';
import type { ParticipantSpec } from '../../src/scenario/types.js';

/**
 * Reading a participant entry's kind-specific parameters: every problem is collected (paths
 * relative to the entry, e.g. `batteryKWh`), unknown keys are named with the known ones, and a
 * missing parameter takes its default. Kinds declare their keys; the keys every entry may carry
 * (`kind`, `id`, `idPrefix`, `count`, `transformer`) and the connection facts the grid operator
 * reads from the entry (`sanctionedLoadKW`, `inverterKW`) are known to all and checked here.
 */

/** Keys every participant entry may carry, whatever its kind. */
export const COMMON_KEYS: readonly string[] = ['kind', 'id', 'idPrefix', 'count', 'transformer', 'sanctionedLoadKW', 'inverterKW'];

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** Strict lower bound. */
  readonly above?: number;
  readonly integer?: boolean;
  /** What the number is, for messages: "kWp of PV", "percent of capacity". */
  readonly what: string;
}

/** Collects the diagnostics of one participant entry. */
export class ParamReader {
  readonly errors: Diagnostic[] = [];
  /** The entry's sanctioned load, kW, when given (the grid operator approves trades up to it). */
  readonly sanctionedLoadKW: number | undefined;
  /** The entry's inverter rating, kW, when given (the grid operator caps approved export at it). */
  readonly inverterKW: number | undefined;

  constructor(
    private readonly spec: ParticipantSpec,
    private readonly kind: string,
    known: readonly string[],
  ) {
    const all = new Set([...COMMON_KEYS, ...known]);
    for (const key of Object.keys(spec)) {
      if (!all.has(key)) this.errors.push({ code: `${kind}.unknown-param`, path: key, message: `unknown parameter "${key}" for kind ${kind} (known: ${known.join(', ')})` });
    }
    this.sanctionedLoadKW = this.optionalNumber('sanctionedLoadKW', { above: 0, what: 'kW of sanctioned load' });
    this.inverterKW = this.optionalNumber('inverterKW', { above: 0, what: 'kW of inverter rating' });
  }

  /** A number, or undefined when absent; a present value that breaks the rule is a diagnostic. */
  optionalNumber(key: string, rule: NumberRule): number | undefined {
    const v = this.spec[key];
    if (v === undefined) return undefined;
    const bounds = [
      rule.above !== undefined ? `> ${rule.above}` : rule.min !== undefined ? `≥ ${rule.min}` : '',
      rule.max !== undefined ? `≤ ${rule.max}` : '',
    ].filter((s) => s !== '');
    const expected = `${rule.integer === true ? 'a whole number' : 'a number'}${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''} (${rule.what})`;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.errors.push({ code: `${this.kind}.param-type`, path: key, message: `${key} must be ${expected}, got ${JSON.stringify(v)}` });
      return undefined;
    }
    const bad =
      (rule.integer === true && !Number.isInteger(v)) ||
      (rule.above !== undefined && !(v > rule.above)) ||
      (rule.min !== undefined && v < rule.min) ||
      (rule.max !== undefined && v > rule.max);
    if (bad) {
      this.errors.push({ code: `${this.kind}.param-range`, path: key, message: `${key} must be ${expected}, got ${v}` });
      return undefined;
    }
    return v;
  }

  /** A number with a default. */
  number(key: string, fallback: number, rule: NumberRule): number {
    return this.optionalNumber(key, rule) ?? fallback;
  }

  /** One of a set of strings, with a default. */
  choice<T extends string>(key: string, values: readonly T[], fallback: T): T {
    const v = this.spec[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.errors.push({ code: `${this.kind}.param-choice`, path: key, message: `${key} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}` });
      return fallback;
    }
    return v as T;
  }

  /** Reports a rule between parameters, at `path`. */
  check(ok: boolean, path: string, message: string): void {
    if (!ok) this.errors.push({ code: `${this.kind}.param-relation`, path, message });
  }
}
