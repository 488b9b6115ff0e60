import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import type { Diagnostic, Result } from '../../src/diagnostics.js';
import type { ParticipantSpec, Scenario } from '../../src/scenario/types.js';
import { BATTERY_KEYS, batteryParams } from '../battery/params.js';
import { CONSUMER_KEYS, consumerParams } from '../consumer/params.js';
import { CPO_KEYS, cpoParams } from '../cpo/params.js';
import { PROSUMER_KEYS, prosumerParams } from '../prosumer/params.js';
import { testScenario } from './fake-run.js';
import { COMMON_KEYS } from './params.js';

interface PropertySchema {
  readonly type: string;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
  readonly description?: string;
}

const scenario = testScenario();
const kinds: readonly { kind: string; keys: readonly string[]; read: (s: ParticipantSpec, sc: Scenario) => Result<unknown> }[] = [
  { kind: 'battery', keys: BATTERY_KEYS, read: (s) => batteryParams(s) },
  { kind: 'prosumer', keys: PROSUMER_KEYS, read: prosumerParams },
  { kind: 'consumer', keys: CONSUMER_KEYS, read: consumerParams },
  { kind: 'cpo', keys: CPO_KEYS, read: cpoParams },
];

/** A value the schema accepts: its default, else inside its bounds. */
function sample(p: PropertySchema): unknown {
  if (p.default !== undefined) return p.default;
  if (p.enum !== undefined) return p.enum[0];
  const lo = p.minimum ?? (p.exclusiveMinimum !== undefined ? p.exclusiveMinimum + 1 : 1);
  return p.type === 'integer' ? Math.ceil(lo) : Math.min(lo, p.maximum ?? lo);
}

describe('params.schema.json of each participant kind', () => {
  for (const k of kinds) {
    const schema = JSON.parse(readFileSync(new URL(`../${k.kind}/params.schema.json`, import.meta.url), 'utf8')) as { properties: Record<string, PropertySchema> };

    it(`${k.kind}: compiles, describes every key, and names exactly the keys its reader knows`, () => {
      const validate = new Ajv({ strict: false }).compile(schema);
      const props = Object.keys(schema.properties).sort();
      expect(props).toEqual([...k.keys, ...COMMON_KEYS.filter((c) => c === 'sanctionedLoadKW' || c === 'inverterKW')].sort());
      for (const p of Object.values(schema.properties)) expect(p.description?.length ?? 0).toBeGreaterThan(10);
      const full: Record<string, unknown> = Object.fromEntries(Object.entries(schema.properties).map(([name, p]) => [name, sample(p)]));
      expect(validate(full)).toBe(true);
      const r = k.read({ kind: k.kind, count: 1, ...full }, scenario);
      expect(r.ok ? [] : (r.errors as Diagnostic[])).toEqual([]);
    });

    it(`${k.kind}: a value its schema refuses, its reader refuses too`, () => {
      for (const [name, p] of Object.entries(schema.properties)) {
        const bad = p.enum !== undefined ? 'no-such-choice' : p.minimum !== undefined ? p.minimum - 1 : p.exclusiveMinimum !== undefined ? p.exclusiveMinimum : 'text';
        const r = k.read({ kind: k.kind, count: 1, [name]: bad }, scenario);
        expect(r.ok, `${k.kind}.${name} = ${String(bad)}`).toBe(false);
      }
    });
  }
});
