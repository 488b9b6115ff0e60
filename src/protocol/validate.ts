import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SchemaValidateFunction } from 'ajv';
import { Ajv2020, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import { DEFAULT_PROFILE, detectProfile, PROFILE_IDS, type ProfileId } from './context.js';

/**
 * Message validation against degsim's own JSON Schemas (`schemas/`), with ajv (draft 2020-12).
 * Every schema is loaded once and each validator compiled once, on first use, then cached; a
 * validation call does no schema work. All problems are returned at once as diagnostics with JSON
 * paths (`message.contract.contractAttributes.roles[1].role`).
 *
 * Besides JSON Schema, the schemas use a few `x-` keywords for rules JSON Schema cannot state,
 * implemented here: `x-offerCurve` (points sorted by price, power non-decreasing, clip bounds in
 * order), `x-orderedInterval` (start before end), `x-uniqueBy` (no two items share a key),
 * `x-netEquals` (net = export − import) and `x-settlementTotals` (per-party totals equal the sums
 * of the lines, amounts equal quantity × rate to the cent). Other validators ignore them.
 */

/** The Energy attribute packs, by `@type`. */
export const PACK_TYPES = [
  'EnergyResource',
  'GridNode',
  'Forecast',
  'EnergyOffer',
  'OfferCurve',
  'EnergyContract',
  'EnergyDelivery',
  'Setpoint',
  'MeterReading',
  'ChargeDataRecord',
  'SettlementReport',
] as const;
export type PackType = (typeof PACK_TYPES)[number];

/** Base URI of every degsim schema `$id` and of the Energy JSON-LD context. */
export const SCHEMA_BASE_URI = 'https://raw.githubusercontent.com/degsim/degsim/main/schemas/';
/** The JSON-LD context of the Energy packs, the `@context` of every pack degsim emits. */
export const ENERGY_CONTEXT_URL = `${SCHEMA_BASE_URI}energy/context.jsonld`;

/** ajv-formats is CommonJS: under NodeNext its default import is the module object. */
const addFormats = ajvFormats.default;

const SCHEMA_FOLDERS = ['energy', ...PROFILE_IDS] as const;
const NOT_ACTIONS = new Set(['core', 'context', 'ack', 'envelope']);

/** The `schemas/` folder: found by walking up from this module, so it works from `src/` and `dist/`. */
export function schemasDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'energy', 'EnergyContract.schema.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('schemas/ folder not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

// ---------------------------------------------------------------------------------------------
// Custom keywords
// ---------------------------------------------------------------------------------------------

type KeywordError = Partial<ErrorObject>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escapePointer = (s: string): string => s.replaceAll('~', '~0').replaceAll('/', '~1');

function keywordError(keyword: string, instancePath: string, code: string, message: string): KeywordError {
  return { keyword, instancePath, schemaPath: `#/${keyword}`, params: { code }, message };
}

const NO_ERRORS: KeywordError[] = [];

/**
 * Builds a validate function for a custom keyword whose errors carry full instance paths. Checks
 * return the shared empty list when all is well, so a valid message allocates nothing here.
 */
function customKeyword(check: (schema: unknown, data: unknown, path: string) => KeywordError[]): SchemaValidateFunction {
  const fn: SchemaValidateFunction = (schema: unknown, data: unknown, _parent?: AnySchemaObject, cxt?: { instancePath: string }) => {
    const errors = check(schema, data, cxt?.instancePath ?? '');
    if (errors.length === 0) return true;
    fn.errors = errors;
    return false;
  };
  return fn;
}

const offerCurveKeyword = customKeyword((_s, data, path) => {
  if (!isRecord(data)) return NO_ERRORS;
  let errors = NO_ERRORS;
  const push = (e: KeywordError): void => {
    if (errors === NO_ERRORS) errors = [];
    errors.push(e);
  };
  const { minExport, maxExport, curve } = data;
  if (typeof minExport === 'number' && typeof maxExport === 'number' && minExport > maxExport) {
    push(keywordError('x-offerCurve', `${path}/maxExport`, 'curve.bounds', `must not be below minExport (${minExport})`));
  }
  if (Array.isArray(curve)) {
    for (let i = 1; i < curve.length; i++) {
      const a: unknown = curve[i - 1];
      const b: unknown = curve[i];
      if (!isRecord(a) || !isRecord(b)) continue;
      if (typeof a['price'] === 'number' && typeof b['price'] === 'number' && b['price'] < a['price']) {
        push(keywordError('x-offerCurve', `${path}/curve/${i}/price`, 'curve.unsorted', `points must be sorted by price: ${b['price']} follows ${a['price']}`));
      } else if (typeof a['powerKW'] === 'number' && typeof b['powerKW'] === 'number' && b['powerKW'] < a['powerKW']) {
        push(keywordError('x-offerCurve', `${path}/curve/${i}/powerKW`, 'curve.decreasing', `power must not decrease as price rises: ${b['powerKW']} kW follows ${a['powerKW']} kW`));
      }
    }
  }
  return errors;
});

const orderedIntervalKeyword = customKeyword((schema, data, path) => {
  if (!isRecord(data) || !Array.isArray(schema)) return NO_ERRORS;
  const [startKey, endKey] = schema as [string, string];
  const start = data[startKey];
  const end = data[endKey];
  if (typeof start !== 'string' || typeof end !== 'string') return NO_ERRORS;
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (Number.isNaN(s) || Number.isNaN(e) || s < e) return NO_ERRORS;
  return [keywordError('x-orderedInterval', `${path}/${escapePointer(endKey)}`, 'interval.order', `must be after ${startKey} (${start})`)];
});

const uniqueByKeyword = customKeyword((schema, data, path) => {
  if (!Array.isArray(data) || typeof schema !== 'string' || data.length < 2) return NO_ERRORS;
  const seen = new Map<unknown, number>();
  const errors: KeywordError[] = [];
  data.forEach((item: unknown, i) => {
    if (!isRecord(item) || !(schema in item)) return;
    const key = item[schema];
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else errors.push(keywordError('x-uniqueBy', `${path}/${i}/${escapePointer(schema)}`, 'unique', `${schema} ${JSON.stringify(key)} already used by item ${first}`));
  });
  return errors;
});

const netEqualsKeyword = customKeyword((schema, data, path) => {
  if (!isRecord(data) || !Array.isArray(schema)) return NO_ERRORS;
  const [exportKey, importKey, netKey] = schema as [string, string, string];
  const exp = data[exportKey];
  const imp = data[importKey];
  const net = data[netKey];
  if (typeof exp !== 'number' || typeof imp !== 'number' || typeof net !== 'number') return NO_ERRORS;
  const expected = exp - imp;
  if (Math.abs(net - expected) <= 1e-9 * Math.max(1, Math.abs(expected))) return NO_ERRORS;
  return [keywordError('x-netEquals', `${path}/${netKey}`, 'reading.net', `must equal ${exportKey} − ${importKey} = ${expected}`)];
});

/** Scale of a decimal string (digits after the point). */
const scaleOf = (s: string): number => {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
};

/** Exact integer arithmetic on decimal strings at a fixed scale (units of 10^-scale). */
interface Units<T> {
  of(s: string): T;
  readonly zero: T;
  add(a: T, b: T): T;
  neg(a: T): T;
  isNegative(a: T): boolean;
  format(a: T): string;
}

function formatUnits(v: bigint, scale: number): string {
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/**
 * Units in plain numbers: doubles hold integers exactly below 2^53, so for decimals of at most 15
 * digits `round(value × 10^scale)` is the exact integer count of units.
 */
function numberUnits(scale: number): Units<number> {
  const f = 10 ** scale;
  return {
    of: (s: string): number => Math.round(Number(s) * f),
    zero: 0,
    add: (a: number, b: number): number => a + b,
    neg: (a: number): number => -a,
    isNegative: (a: number): boolean => a < 0,
    format: (a: number): string => formatUnits(BigInt(a), scale),
  };
}

/** Units in BigInt, for decimals too long for a double. */
function bigintUnits(scale: number): Units<bigint> {
  return {
    of: (s: string): bigint => {
      const negative = s.startsWith('-');
      const [int = '0', frac = ''] = (negative ? s.slice(1) : s).split('.');
      const v = BigInt(int + frac.padEnd(scale, '0'));
      return negative ? -v : v;
    },
    zero: 0n,
    add: (a: bigint, b: bigint): bigint => a + b,
    neg: (a: bigint): bigint => -a,
    isNegative: (a: bigint): boolean => a < 0n,
    format: (a: bigint): string => formatUnits(a, scale),
  };
}

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

const settlementKeyword = customKeyword((_s, data, path) => {
  if (!isRecord(data) || !Array.isArray(data['lines']) || !Array.isArray(data['totals'])) return NO_ERRORS;
  const lines = data['lines'] as unknown[];
  const totals = data['totals'] as unknown[];
  let scale = 0;
  let intDigits = 0;
  const note = (s: unknown): void => {
    if (typeof s !== 'string' || !DECIMAL.test(s)) return;
    const sc = scaleOf(s);
    scale = Math.max(scale, sc);
    intDigits = Math.max(intDigits, s.length - (sc === 0 ? 0 : sc + 1) - (s.startsWith('-') ? 1 : 0));
  };
  for (const l of lines) if (isRecord(l)) note(l['amount']);
  for (const t of totals) if (isRecord(t)) for (const k of ['paid', 'received', 'net']) note(t[k]);
  return intDigits + scale <= 15 ? checkSettlement(data, lines, totals, path, numberUnits(scale)) : checkSettlement(data, lines, totals, path, bigintUnits(scale));
});

/** The settlement rules, in exact units: amounts, currency, self-payment, totals, conservation. */
function checkSettlement<T>(data: Record<string, unknown>, lines: unknown[], totals: unknown[], path: string, u: Units<T>): KeywordError[] {
  const errors: KeywordError[] = [];
  const paid = new Map<string, T>();
  const received = new Map<string, T>();
  const add = (m: Map<string, T>, k: string, v: T): void => {
    m.set(k, u.add(m.get(k) ?? u.zero, v));
  };
  lines.forEach((l, i) => {
    if (!isRecord(l)) return;
    const { payer, payee, amount, quantity, ratePerUnit, currency } = l;
    if (typeof payer !== 'string' || typeof payee !== 'string' || typeof amount !== 'string' || !DECIMAL.test(amount)) return;
    if (payer === payee) errors.push(keywordError('x-settlementTotals', `${path}/lines/${i}/payee`, 'settlement.self', 'payee must differ from payer'));
    if (typeof currency === 'string' && typeof data['currency'] === 'string' && currency !== data['currency']) {
      errors.push(keywordError('x-settlementTotals', `${path}/lines/${i}/currency`, 'settlement.currency', `must be the report currency ${data['currency']}`));
    }
    if (typeof quantity === 'number' && typeof ratePerUnit === 'number') {
      const exact = quantity * ratePerUnit;
      const tolerance = 0.5 * 10 ** -scaleOf(amount) + 1e-9 * Math.max(1, Math.abs(exact));
      if (Math.abs(Number(amount) - exact) > tolerance) {
        errors.push(keywordError('x-settlementTotals', `${path}/lines/${i}/amount`, 'settlement.amount', `must be quantity × ratePerUnit = ${exact} rounded to ${scaleOf(amount)} decimals`));
      }
    }
    const v = u.of(amount);
    if (!u.isNegative(v)) {
      add(paid, payer, v);
      add(received, payee, v);
    } else {
      add(received, payer, u.neg(v));
      add(paid, payee, u.neg(v));
    }
  });
  const listed = new Set<string>();
  let netSum = u.zero;
  totals.forEach((t, i) => {
    if (!isRecord(t) || typeof t['party'] !== 'string') return;
    const party = t['party'];
    if (listed.has(party)) errors.push(keywordError('x-settlementTotals', `${path}/totals/${i}/party`, 'settlement.duplicate', `party ${party} has two total rows`));
    listed.add(party);
    const p = paid.get(party) ?? u.zero;
    const r = received.get(party) ?? u.zero;
    const expected = { paid: p, received: r, net: u.add(r, u.neg(p)) };
    for (const k of ['paid', 'received', 'net'] as const) {
      const given = t[k];
      if (typeof given !== 'string' || !DECIMAL.test(given)) continue;
      const g = u.of(given);
      if (k === 'net') netSum = u.add(netSum, g);
      if (u.format(g) !== u.format(expected[k])) {
        errors.push(keywordError('x-settlementTotals', `${path}/totals/${i}/${k}`, 'settlement.total', `${party} ${k} must be ${u.format(expected[k])} (the sum of the lines)`));
      }
    }
  });
  for (const party of new Set([...paid.keys(), ...received.keys()])) {
    if (!listed.has(party)) errors.push(keywordError('x-settlementTotals', `${path}/totals`, 'settlement.missing-party', `party ${party} appears in the lines but has no total row`));
  }
  if (u.format(netSum) !== u.format(u.zero) && errors.length === 0) {
    errors.push(keywordError('x-settlementTotals', `${path}/totals`, 'settlement.not-conserved', `nets sum to ${u.format(netSum)}, not 0`));
  }
  return errors.length === 0 ? NO_ERRORS : errors;
}

// ---------------------------------------------------------------------------------------------
// Schema registry: loaded once, validators compiled once each.
// ---------------------------------------------------------------------------------------------

interface Registry {
  readonly ajv: Ajv2020;
  readonly ids: ReadonlyMap<string, string>;
  readonly actions: ReadonlyMap<ProfileId, ReadonlySet<string>>;
  readonly compiled: Map<string, ValidateFunction>;
}

let registry: Registry | undefined;

function loadRegistry(): Registry {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, inlineRefs: false, discriminator: true, allowUnionTypes: true });
  // Full RFC 3339 checks for times and dates; the fast URI check (scheme and no spaces): the full
  // RFC 3986 expression costs more than the rest of a message's validation.
  addFormats(ajv, ['date-time', 'time', 'date', 'uuid', 'email']);
  addFormats(ajv, { mode: 'fast', formats: ['uri'] });
  ajv.addKeyword({ keyword: 'x-offerCurve', type: 'object', schemaType: 'boolean', validate: offerCurveKeyword, errors: 'full' });
  ajv.addKeyword({ keyword: 'x-orderedInterval', type: 'object', schemaType: 'array', validate: orderedIntervalKeyword, errors: 'full' });
  ajv.addKeyword({ keyword: 'x-uniqueBy', type: 'array', schemaType: 'string', validate: uniqueByKeyword, errors: 'full' });
  ajv.addKeyword({ keyword: 'x-netEquals', type: 'object', schemaType: 'array', validate: netEqualsKeyword, errors: 'full' });
  ajv.addKeyword({ keyword: 'x-settlementTotals', type: 'object', schemaType: 'boolean', validate: settlementKeyword, errors: 'full' });
  const root = schemasDir();
  const ids = new Map<string, string>();
  const actions = new Map<ProfileId, Set<string>>();
  for (const folder of SCHEMA_FOLDERS) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      if (!file.endsWith('.schema.json')) continue;
      const schema = JSON.parse(readFileSync(join(root, folder, file), 'utf8')) as AnySchemaObject;
      const id = schema.$id;
      if (typeof id !== 'string') throw new Error(`${folder}/${file} has no $id`);
      ajv.addSchema(schema);
      const name = file.slice(0, -'.schema.json'.length);
      ids.set(`${folder}/${name}`, id);
      if (folder !== 'energy' && !NOT_ACTIONS.has(name)) {
        const set = actions.get(folder) ?? new Set<string>();
        set.add(name);
        actions.set(folder, set);
      }
    }
  }
  return { ajv, ids, actions, compiled: new Map() };
}

function getRegistry(): Registry {
  registry ??= loadRegistry();
  return registry;
}

/** The compiled validator of `schemas/<key>.schema.json` (e.g. `beckn-2.0.0/init`), compiled on first use. */
function validatorFor(key: string): ValidateFunction {
  const r = getRegistry();
  let v = r.compiled.get(key);
  if (v === undefined) {
    const id = r.ids.get(key);
    if (id === undefined) throw new Error(`no schema ${key}`);
    v = r.ajv.getSchema(id);
    if (v === undefined) throw new Error(`schema ${key} did not compile`);
    r.compiled.set(key, v);
  }
  return v;
}

/** The wire actions a profile has message schemas for (e.g. `rate` in Beckn 2.0.0). */
export function schemaActions(profile: ProfileId): ReadonlySet<string> {
  return getRegistry().actions.get(profile) ?? new Set();
}

/** Compiles every validator now instead of on first use, e.g. before a benchmark or a long run. */
export function warmUpValidators(): void {
  const r = getRegistry();
  for (const key of r.ids.keys()) if (!key.endsWith('/core') && !key.endsWith('/common')) validatorFor(key);
}

// ---------------------------------------------------------------------------------------------
// ajv errors → diagnostics
// ---------------------------------------------------------------------------------------------

/** A diagnostic with its path as segments (object keys and array indices), for source locations. */
interface LocatedDiagnostic {
  readonly diagnostic: Diagnostic;
  readonly segments: readonly string[];
}

const unescapePointer = (s: string): string => s.replaceAll('~1', '/').replaceAll('~0', '~');

function segmentsOf(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map(unescapePointer);
}

/** Dotted JSON path with [index] for array positions: `message.order.beckn:orderItems[0].beckn:quantity`. */
export function jsonPathOf(segments: readonly string[], arrayIndices?: ReadonlySet<number>): string {
  let out = '';
  segments.forEach((s, i) => {
    const isIndex = /^\d+$/.test(s) && (arrayIndices === undefined || arrayIndices.has(i));
    if (isIndex) out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  });
  return out;
}

function listValues(values: readonly unknown[]): string {
  const shown = values.slice(0, 12).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return values.length > 12 ? `${shown.join(', ')}, … (${values.length} values)` : shown.join(', ');
}

function convert(e: ErrorObject): LocatedDiagnostic {
  const segments = segmentsOf(e.instancePath);
  const params = e.params as Record<string, unknown>;
  let message = e.message ?? 'is invalid';
  let code = `schema.${e.keyword}`;
  switch (e.keyword) {
    case 'required':
      segments.push(String(params['missingProperty']));
      message = 'is required but missing';
      break;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      segments.push(String(params['additionalProperty'] ?? params['unevaluatedProperty']));
      message = 'is not allowed here';
      code = 'schema.additionalProperties';
      break;
    case 'enum':
      message = `must be one of ${listValues(params['allowedValues'] as unknown[])}`;
      break;
    case 'const':
      message = `must be ${JSON.stringify(params['allowedValue'])}`;
      break;
    case 'pattern':
      message = PATTERN_HINTS.get(String(params['pattern'])) ?? message;
      break;
    case 'false schema':
      message = 'is not allowed here';
      code = 'schema.additionalProperties';
      break;
    case 'discriminator':
      message = params['error'] === 'mapping' ? `${JSON.stringify(params['tagValue'])} is not one of the kinds allowed here` : `must have ${String(params['tag'])}`;
      segments.push(String(params['tag']));
      code = 'schema.type-unsupported';
      break;
    default:
      if (typeof params['code'] === 'string') code = params['code'];
  }
  return { diagnostic: { code, path: jsonPathOf(segments), message }, segments };
}

/** Readable wording for the patterns the schemas use. */
const PATTERN_HINTS: ReadonlyMap<string, string> = new Map([
  ['^[A-Z]{3}$', 'must be an ISO 4217 currency code such as INR'],
  ['^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$', 'must be a decimal string such as "12.50"'],
  ['^\\S(.*\\S)?$', 'must be non-empty, without leading or trailing spaces'],
  ['^P(?=\\d|T\\d)(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$', 'must be an ISO 8601 duration such as PT30S'],
  ['^[0-9A-Fa-f]{32}$', 'must be 32 hexadecimal digits (a 128-bit mRID)'],
  ['^[0-9A-Fa-f]{1,8}$', 'must be 1 to 8 hexadecimal digits'],
  ['^BLAKE-512=[A-Za-z0-9+/]+=*$', 'must be BLAKE-512= followed by a base64 digest'],
]);

const AGGREGATE = new Set(['anyOf', 'oneOf', 'if', 'allOf', 'not']);

/** Converts ajv errors, dropping aggregate errors that a more specific error at or under the same path explains. */
function convertAll(errors: readonly ErrorObject[]): LocatedDiagnostic[] {
  const specific = errors.filter((e) => !AGGREGATE.has(e.keyword));
  const out: LocatedDiagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (AGGREGATE.has(e.keyword) && specific.some((s) => s.instancePath === e.instancePath || s.instancePath.startsWith(`${e.instancePath}/`))) continue;
    const d = convert(e);
    const key = `${d.diagnostic.path}\u0000${d.diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public validation entry points
// ---------------------------------------------------------------------------------------------

function validateLocated(wire: unknown, profile: ProfileId): LocatedDiagnostic[] {
  if (!isRecord(wire)) {
    return [{ diagnostic: { code: 'message.type', path: '', message: 'a Beckn message must be a JSON object with context and message' }, segments: [] }];
  }
  const context = wire['context'];
  const action = isRecord(context) ? context['action'] : undefined;
  const key = typeof action === 'string' && schemaActions(profile).has(action) ? `${profile}/${action}` : `${profile}/envelope`;
  const v = validatorFor(key);
  if (v(wire)) return [];
  return convertAll(v.errors ?? []);
}

/**
 * Validates a wire message against its profile's schemas: the context, the action's message body
 * and every attribute pack in it. Returns every problem found (empty when valid). An unknown action
 * is reported on `context.action` together with the other context problems.
 */
export function validateMessage(wire: unknown, profile: ProfileId): Diagnostic[] {
  return validateLocated(wire, profile).map((d) => d.diagnostic);
}

/** Validates a synchronous ACK/NACK body of a profile. */
export function validateAck(body: unknown, profile: ProfileId): Diagnostic[] {
  const v = validatorFor(`${profile}/ack`);
  return v(body) ? [] : convertAll(v.errors ?? []).map((d) => d.diagnostic);
}

/**
 * Validates one Energy attribute pack (with its `@context`/`@type`). The pack type is taken from
 * `@type` unless given.
 */
export function validatePack(pack: unknown, type?: PackType): Diagnostic[] {
  const t = type ?? (isRecord(pack) ? pack['@type'] : undefined);
  if (typeof t !== 'string' || !(PACK_TYPES as readonly string[]).includes(t)) {
    return [{ code: 'schema.type-unsupported', path: '@type', message: `must be one of ${PACK_TYPES.join(', ')}` }];
  }
  const v = validatorFor(`energy/${t}`);
  return v(pack) ? [] : convertAll(v.errors ?? []).map((d) => d.diagnostic);
}

// ---------------------------------------------------------------------------------------------
// Files: one .json message or an .ndjson trace, with line and column numbers.
// ---------------------------------------------------------------------------------------------

/** Line and column (1-based) of a character offset in a text. */
export function positionInText(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** A minimal JSON scanner that finds syntax errors and the positions of values by path. */
class JsonScanner {
  pos = 0;
  constructor(private readonly text: string) {}

  ws(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(): boolean {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.container('}', true);
    if (c === '[') return this.container(']', false);
    if (c === '"') return this.string();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return true;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 512));
    if (m === null) return false;
    this.pos += m[0].length;
    return true;
  }

  string(): boolean {
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return true;
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.pos += 6;
        else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.pos += 2;
        else return false;
      } else if (this.text.charCodeAt(this.pos) < 0x20) return false;
      else this.pos++;
    }
    return false;
  }

  /** Reads `"key":` and returns the key, or undefined on a syntax error. */
  key(): string | undefined {
    this.ws();
    if (this.text[this.pos] !== '"') return undefined;
    const start = this.pos;
    if (!this.string()) return undefined;
    const k = JSON.parse(this.text.slice(start, this.pos)) as string;
    this.ws();
    if (this.text[this.pos] !== ':') return undefined;
    this.pos++;
    return k;
  }

  container(close: string, isObject: boolean): boolean {
    this.pos++;
    this.ws();
    if (this.text[this.pos] === close) {
      this.pos++;
      return true;
    }
    for (;;) {
      if (isObject && this.key() === undefined) return false;
      if (!this.value()) return false;
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === close) {
        this.pos++;
        return true;
      } else return false;
    }
  }
}

/** Offset of the first JSON syntax error in `text`, or undefined when it is one valid JSON value. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  const s = new JsonScanner(text);
  if (!s.value()) return s.pos;
  s.ws();
  return s.pos < text.length ? s.pos : undefined;
}

/**
 * Offset where the value at `segments` starts in a valid JSON text; for a path that runs out of
 * the document (a missing property), the offset of its deepest existing ancestor.
 */
export function offsetOfJsonPath(text: string, segments: readonly string[]): number {
  const s = new JsonScanner(text);
  s.ws();
  let found = s.pos;
  for (const seg of segments) {
    const open = text[s.pos];
    let matched = false;
    if (open === '{' || (open === '[' && /^\d+$/.test(seg))) {
      s.pos++;
      s.ws();
      const index = Number(seg);
      for (let i = 0; text[s.pos] !== (open === '{' ? '}' : ']'); i++) {
        if (open === '{') {
          const k = s.key();
          if (k === undefined) return found;
          s.ws();
          if (k === seg) {
            matched = true;
            break;
          }
        } else if (i === index) {
          matched = true;
          break;
        }
        if (!s.value()) return found;
        s.ws();
        if (text[s.pos] !== ',') break;
        s.pos++;
        s.ws();
      }
    }
    if (!matched) break;
    s.ws();
    found = s.pos;
  }
  return found;
}

/** The outcome of validating a message file. */
export interface MessageFileReport {
  readonly file: string;
  /** Messages read (non-blank lines of an .ndjson file; 1 for a .json file). */
  readonly messages: number;
  /** Messages with at least one diagnostic. */
  readonly invalid: number;
  readonly diagnostics: readonly Diagnostic[];
}

export type MessageFileFormat = 'json' | 'ndjson';

/** `ndjson` for `.ndjson`/`.jsonl` names, `json` otherwise. */
export function formatOfFile(path: string): MessageFileFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : 'json';
}

function validateOneText(text: string, file: string, lineOffset: number, profile: ProfileId | undefined): Diagnostic[] {
  const bad = jsonSyntaxErrorOffset(text);
  if (bad !== undefined) {
    const p = positionInText(text, bad);
    return [{ code: 'json.syntax', path: '', message: 'not valid JSON', file, line: p.line + lineOffset, column: p.column }];
  }
  const wire = JSON.parse(text) as unknown;
  const detected = profile ?? detectProfile(wire);
  const located = validateLocated(wire, detected ?? DEFAULT_PROFILE);
  const out: Diagnostic[] = [];
  if (profile === undefined && detected === undefined) {
    out.push({ code: 'context.profile', path: 'context', message: `cannot tell the profile from the context; checked as ${DEFAULT_PROFILE}`, file, line: 1 + lineOffset });
  }
  for (const l of located) {
    const p = positionInText(text, offsetOfJsonPath(text, l.segments));
    out.push({ ...l.diagnostic, file, line: p.line + lineOffset, column: p.column });
  }
  return out;
}

/**
 * Validates the text of a message file: one message (`json`) or one message per line (`ndjson`,
 * blank lines skipped). The profile of each message is detected from its context unless given.
 * Diagnostics carry the file name, line and column.
 */
export function validateMessageText(text: string, format: MessageFileFormat, file: string, profile?: ProfileId): MessageFileReport {
  if (format === 'json') {
    const diagnostics = validateOneText(text, file, 0, profile);
    return { file, messages: 1, invalid: diagnostics.length === 0 ? 0 : 1, diagnostics };
  }
  const diagnostics: Diagnostic[] = [];
  let messages = 0;
  let invalid = 0;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    messages++;
    const d = validateOneText(line.endsWith('\r') ? line.slice(0, -1) : line, file, i, profile);
    if (d.length > 0) invalid++;
    diagnostics.push(...d);
  });
  return { file, messages, invalid, diagnostics };
}

/**
 * Reads and validates a `.json` message or an `.ndjson` trace (`messages.ndjson`) with the same
 * validators as the transports. A file that cannot be read gives a single `file.read` diagnostic.
 */
export async function validateMessageFile(path: string, profile?: ProfileId): Promise<MessageFileReport> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { file, messages: 0, invalid: 0, diagnostics: [{ code: 'file.read', path: '', message: `cannot read ${basename(file)}: ${reason}`, file }] };
  }
  return validateMessageText(text.startsWith('\uFEFF') ? text.slice(1) : text, formatOfFile(file), file, profile);
}

/**
 * A report as terminal lines: one `file:line:column: path: message [code]` per problem, then
 * `N messages, M invalid` (the form `degsim validate` prints).
 */
export function formatMessageFileReport(report: MessageFileReport): string {
  const lines = report.diagnostics.map(formatDiagnostic);
  lines.push(`${report.file}: ${report.messages} message${report.messages === 1 ? '' : 's'}, ${report.invalid} invalid`);
  return lines.join('\n');
}
