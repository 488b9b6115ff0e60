import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import type { PeriodInputs } from './evaluate.js';
import type { EnergyContract } from './model.js';

/**
 * Structural reading of contracts from untrusted JSON (files, messages): checks the shape the
 * model needs — field types, arrays, objects — and returns every problem at once, so that
 * `formContract` then only has to judge meaning. The JSON Schema in `schemas/energy/` is the
 * stricter wire check; this is what the library needs not to crash.
 */

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  readonly errors: Diagnostic[] = [];
  constructor(private readonly file: string | undefined) {}

  problem(path: string, message: string): void {
    this.errors.push({ code: 'contract.shape', path, message, ...(this.file === undefined ? {} : { file: this.file }) });
  }

  string(o: Record<string, Json>, key: string, path: string, required: boolean): void {
    const v = o[key];
    if (v === undefined && !required) return;
    if (typeof v !== 'string') this.problem(`${path}${key}`, `${key} must be a string`);
  }

  array(o: Record<string, Json>, key: string, path: string, required: boolean, each: (item: Json, at: string) => void): void {
    const v = o[key];
    if (v === undefined && !required) return;
    if (!Array.isArray(v)) {
      this.problem(`${path}${key}`, `${key} must be an array`);
      return;
    }
    v.forEach((item, i) => each(item, `${path}${key}[${i}]`));
  }

  record(v: Json, at: string, each: (item: Json, at: string) => void): void {
    if (!isRecord(v)) {
      this.problem(at, 'must be an object');
      return;
    }
    for (const [k, item] of Object.entries(v)) each(item, `${at}.${k}`);
  }

  object(v: Json, at: string, fields: (o: Record<string, Json>, path: string) => void): void {
    if (!isRecord(v)) this.problem(at, 'must be an object');
    else fields(v, `${at}.`);
  }
}

/** Reads one EnergyContract from parsed JSON; `file` is put on the diagnostics. */
export function readContract(value: Json, file?: string, at = ''): Result<EnergyContract> {
  const r = new Reader(file);
  const p = at === '' ? '' : `${at}.`;
  if (!isRecord(value)) return fail([{ code: 'contract.shape', path: at, message: 'a contract must be a JSON object', ...(file === undefined ? {} : { file }) }]);
  for (const key of ['contractId', 'status', 'createdAt', 'currency']) r.string(value, key, p, true);
  r.string(value, 'template', p, false);
  if (value.validity !== undefined) r.object(value.validity, `${p}validity`, (o, q) => ['start', 'end'].forEach((k) => r.string(o, k, q, true)));
  r.array(value, 'roles', p, true, (role, a) =>
    r.object(role, a, (o, q) => {
      r.string(o, 'role', q, true);
      r.string(o, 'filledBy', q, false);
      if (typeof o.filled !== 'boolean') r.problem(`${q}filled`, 'filled must be true or false');
      if (o.roleInputs !== undefined) r.record(o.roleInputs, `${q}roleInputs`, () => undefined);
    }),
  );
  if (value.inputParameters !== undefined) {
    r.record(value.inputParameters, `${p}inputParameters`, (param, a) =>
      r.object(param, a, (o, q) => {
        if (typeof o.value !== 'number') r.problem(`${q}value`, 'value must be a number');
        r.string(o, 'unit', q, true);
      }),
    );
  }
  r.array(value, 'inputSignals', p, false, (s, a) =>
    r.object(s, a, (o, q) => {
      for (const k of ['signalId', 'signalType', 'unit']) r.string(o, k, q, true);
      r.object(o.source, `${q}source`, (src, qq) => r.string(src, 'era', qq, true));
    }),
  );
  r.array(value, 'telemetrySources', p, false, (s, a) =>
    r.object(s, a, (o, q) => {
      for (const k of ['sourceId', 'sourceType']) r.string(o, k, q, true);
      r.object(o.source, `${q}source`, (src, qq) => r.string(src, 'era', qq, true));
      r.array(o, 'fields', q, true, (f, fa) => {
        if (typeof f !== 'string') r.problem(fa, 'a field name must be a string');
      });
    }),
  );
  r.array(value, 'state', p, false, (s, a) =>
    r.object(s, a, (o, q) => {
      for (const k of ['name', 'unit', 'update']) r.string(o, k, q, true);
      if (typeof o.initial !== 'number') r.problem(`${q}initial`, 'initial must be a number');
    }),
  );
  r.object(value.revenueFlows, `${p}revenueFlows`, (o, q) => {
    if (typeof o.netZero !== 'boolean') r.problem(`${q}netZero`, 'netZero must be true');
    r.array(o, 'flows', q, true, (f, a) =>
      r.object(f, a, (fo, fq) => {
        for (const k of ['flowId', 'kind', 'from', 'to', 'quantity', 'unit', 'rate']) r.string(fo, k, fq, true);
        r.string(fo, 'condition', fq, false);
        r.string(fo, 'description', fq, false);
      }),
    );
  });
  if (r.errors.length > 0) return fail(r.errors);
  return ok(value as unknown as EnergyContract);
}

/** Reads a JSON document holding one contract or an array of contracts. */
export function readContracts(value: Json, file?: string): Result<readonly EnergyContract[]> {
  const items = Array.isArray(value) ? value : [value];
  const errors: Diagnostic[] = [];
  const out: EnergyContract[] = [];
  items.forEach((item, i) => {
    const r = readContract(item, file, Array.isArray(value) ? `[${i}]` : '');
    if (r.ok) out.push(r.value);
    else errors.push(...r.errors);
  });
  return errors.length > 0 ? fail(errors) : ok(out);
}

/** Reads period inputs `{signals?, telemetry?, roleInputs?}` from parsed JSON. */
export function readPeriodInputs(value: Json, file?: string): Result<PeriodInputs> {
  const r = new Reader(file);
  if (!isRecord(value)) return fail([{ code: 'inputs.shape', path: '', message: 'period inputs must be a JSON object', ...(file === undefined ? {} : { file }) }]);
  const num = (v: Json, a: string): void => {
    if (typeof v !== 'number') r.problem(a, 'must be a number');
  };
  if (value.signals !== undefined) r.record(value.signals, 'signals', num);
  if (value.telemetry !== undefined) r.record(value.telemetry, 'telemetry', (src, a) => r.record(src, a, num));
  if (value.roleInputs !== undefined) {
    r.record(value.roleInputs, 'roleInputs', (role, a) =>
      r.record(role, a, (v, aa) => {
        if (typeof v !== 'number' && typeof v !== 'boolean') r.problem(aa, 'must be a number or a boolean');
      }),
    );
  }
  for (const key of Object.keys(value)) {
    if (!['signals', 'telemetry', 'roleInputs'].includes(key)) r.problem(key, 'unknown key; period inputs have signals, telemetry and roleInputs');
  }
  if (r.errors.length > 0) return fail(r.errors.map((e) => ({ ...e, code: 'inputs.shape' })));
  return ok(value as PeriodInputs);
}
