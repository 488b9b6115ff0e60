import type { Diagnostic } from '../../diagnostics.js';
import {
  OCPI_CONNECTOR_TYPES,
  type DiscoverIntent,
  type GeoCircle,
  type OcpiConnectorType,
  type PricingModel,
  type TimeWindow,
} from '../payloads.js';
import { STANDARD_ROLES, type RoleName } from '../../contracts/model.js';

/**
 * A discover intent travels as standard Beckn query parts — a JSONPath (RFC 9535) filter over
 * catalogue entries and a spatial constraint — so any catalogue service can evaluate it, not only
 * degsim. This module writes the canonical filter of each intent and reads it back.
 *
 * Filters address the Energy packs: `<offer>.service`, `<resource>.evse.connectorType`, … where
 * `<offer>`/`<resource>` is the attribute slot of the profile (`@.offerAttributes` in Beckn
 * 2.0.0, `@['beckn:offerAttributes']` in the order draft). Each intent kind has a marker term
 * (`service == 'MARKET_PARTICIPATION'`, `resourceType == 'EVSE'`, …) and optional terms, joined
 * with `&&`; alternatives (several connector types) are a parenthesised `||` group. A grid
 * topology request selects the resources whose pack is a GridNode (`<resource>['@type']`).
 */

/** Where a profile keeps the attribute packs a filter reads. */
export interface FilterVocabulary {
  /** JSONPath of the offer attribute slot relative to `@`, e.g. `@.offerAttributes`. */
  readonly offer: string;
  /** JSONPath of the resource attribute slot relative to `@`. */
  readonly resource: string;
  /** Absolute JSONPath of a resource's GeoJSON point, for spatial constraints. */
  readonly geoTarget: string;
  /** Spelling of the distance operator: `S_DWITHIN` (2.0.0) or `s_dwithin` (order draft). */
  readonly dwithin: string;
}

export interface EncodedIntent {
  readonly expression: string;
  readonly spatial?: readonly {
    readonly op: string;
    readonly targets: string;
    readonly geometry: { readonly type: 'Point'; readonly coordinates: readonly [number, number] };
    readonly distanceMeters: number;
  }[];
}

const quote = (s: string): string => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const literal = (v: string | number): string => (typeof v === 'number' ? String(v) : quote(v));

function windowTerms(prefix: string, w: TimeWindow | undefined): string[] {
  return w === undefined ? [] : [`${prefix}.window.start <= ${quote(w.start)}`, `${prefix}.window.end >= ${quote(w.end)}`];
}

/** The canonical filter (and spatial constraint) of an intent. */
export function encodeIntent(intent: DiscoverIntent, v: FilterVocabulary): EncodedIntent {
  const o = v.offer;
  const r = v.resource;
  const terms: string[] = [];
  let near: GeoCircle | undefined;
  switch (intent.seek) {
    case 'energy-market':
      terms.push(`${o}.service == 'MARKET_PARTICIPATION'`);
      if (intent.pricingModel !== undefined) terms.push(`${o}.pricingModel == ${quote(intent.pricingModel)}`);
      terms.push(...windowTerms(o, intent.window));
      break;
    case 'ev-charging':
      terms.push(`${r}.resourceType == 'EVSE'`);
      if (intent.connectorTypes !== undefined && intent.connectorTypes.length > 0) {
        const alts = intent.connectorTypes.map((c) => `${r}.evse.connectorType == ${quote(c)}`);
        terms.push(alts.length === 1 ? (alts[0] as string) : `(${alts.join(' || ')})`);
      }
      if (intent.minPowerKW !== undefined) terms.push(`${r}.evse.maxPowerKW >= ${literal(intent.minPowerKW)}`);
      if (intent.window !== undefined) terms.push(`${r}.availability[?(@.start <= ${quote(intent.window.start)} && @.end >= ${quote(intent.window.end)})]`);
      near = intent.near;
      break;
    case 'flexibility':
      terms.push(`${o}.service == 'FLEXIBILITY'`, `${o}.direction == ${quote(intent.direction)}`);
      if (intent.minPowerKW !== undefined) terms.push(`${o}.maxPowerKW >= ${literal(intent.minPowerKW)}`);
      if (intent.gridNodeId !== undefined) terms.push(`${o}.gridNodeId == ${quote(intent.gridNodeId)}`);
      terms.push(...windowTerms(o, intent.window));
      break;
    case 'energy-offer':
      terms.push(`${o}.service == 'ENERGY_TRADE'`, `${o}.openRole == ${quote(intent.openRole)}`);
      if (intent.maxPricePerKWh !== undefined) terms.push(`${o}.indicativePricePerKWh <= ${literal(intent.maxPricePerKWh)}`);
      terms.push(...windowTerms(o, intent.window));
      break;
    case 'grid-topology':
      terms.push(`${r}['@type'] == 'GridNode'`);
      break;
  }
  const expression = `$[?(${terms.join(' && ')})]`;
  if (near === undefined) return { expression };
  return {
    expression,
    spatial: [
      {
        op: v.dwithin,
        targets: v.geoTarget,
        geometry: { type: 'Point', coordinates: [near.longitude, near.latitude] },
        distanceMeters: near.radiusMeters,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a filter back
// ---------------------------------------------------------------------------------------------

type Op = '==' | '!=' | '<=' | '>=' | '<' | '>';

interface Comparison {
  readonly scope: 'offer' | 'resource';
  readonly field: string;
  readonly op: Op;
  readonly value: string | number;
}

/** Splits on a two-character operator at the top level (outside quotes and parentheses). */
function splitTop(s: string, sep: '&&' | '||'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoteChar: string | undefined;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoteChar !== undefined) {
      if (c === '\\') i++;
      else if (c === quoteChar) quoteChar = undefined;
    } else if (c === "'" || c === '"') quoteChar = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(start, i).trim());
      start = i + 2;
      i++;
    }
  }
  parts.push(s.slice(start).trim());
  return parts;
}

/** Parses a relative path `@.a.b` / `@['a'].b` into member names. */
function pathSegments(path: string): string[] | undefined {
  if (!path.startsWith('@')) return undefined;
  const segs: string[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(i + 1));
      if (m === null) return undefined;
      segs.push(m[0]);
      i += 1 + m[0].length;
    } else if (path.startsWith("['", i)) {
      const end = path.indexOf("']", i + 2);
      if (end < 0) return undefined;
      segs.push(path.slice(i + 2, end));
      i = end + 2;
    } else return undefined;
  }
  return segs;
}

function parseLiteral(s: string): string | number | undefined {
  if (s.startsWith("'") && s.endsWith("'") && s.length >= 2) {
    return s.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s)) return Number(s);
  return undefined;
}

function parseComparison(term: string, v: FilterVocabulary): Comparison | undefined {
  const m = /^(@\S*)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(term.trim());
  if (m === null) return undefined;
  const [, path = '', op = '==', lit = ''] = m;
  const value = parseLiteral(lit.trim());
  const segs = pathSegments(path);
  if (value === undefined || segs === undefined) return undefined;
  for (const scope of ['offer', 'resource'] as const) {
    const prefix = pathSegments(v[scope]);
    if (prefix === undefined || segs.length <= prefix.length) continue;
    if (prefix.every((p, i) => segs[i] === p)) return { scope, field: segs.slice(prefix.length).join('.'), op: op as Op, value };
  }
  return undefined;
}

export interface DecodedIntent {
  readonly intent?: DiscoverIntent;
  readonly errors: readonly Diagnostic[];
}

const ROLE_SET: ReadonlySet<string> = new Set(STANDARD_ROLES);
const CONNECTOR_SET: ReadonlySet<string> = new Set(OCPI_CONNECTOR_TYPES);
const PRICING = new Set(['PAY_AS_CLEAR', 'PAY_AS_BID', 'PER_KWH', 'TIME_OF_DAY', 'SUBSCRIPTION', 'FIXED']);

/**
 * Reads a filter expression (and spatial constraints) written by `encodeIntent` back into an
 * intent. Terms it does not recognise are errors at `path` (the intent cannot be reproduced).
 */
export function decodeIntent(expression: string, spatial: unknown, v: FilterVocabulary, path: string): DecodedIntent {
  const errors: Diagnostic[] = [];
  const bad = (message: string): DecodedIntent => ({ errors: [...errors, { code: 'intent.unrecognised', path, message }] });
  const m = /^\$\[\?\((.*)\)\]$/s.exec(expression.trim()) ?? /^\$\[\?(.*)\]$/s.exec(expression.trim());
  if (m === null) return bad(`not a filter selector $[?(...)]: ${expression}`);
  const eq = new Map<string, string | number>();
  const bounds = new Map<string, { op: Op; value: string | number }>();
  const connectors: OcpiConnectorType[] = [];
  let scopeOfMarker: string | undefined;
  let slot: TimeWindow | undefined;
  const slotPrefix = `${v.resource}.availability[?(@.start <= `;
  for (const term of splitTop(m[1] ?? '', '&&')) {
    if (term.startsWith(slotPrefix)) {
      const s = /^'((?:[^'\\]|\\.)*)' && @\.end >= '((?:[^'\\]|\\.)*)'\)\]$/.exec(term.slice(slotPrefix.length));
      if (s === null) return bad(`unrecognised availability term: ${term}`);
      slot = { start: (s[1] ?? '').replace(/\\(.)/g, '$1'), end: (s[2] ?? '').replace(/\\(.)/g, '$1') };
      continue;
    }
    const inner = term.startsWith('(') && term.endsWith(')') ? term.slice(1, -1) : term;
    const alternatives = splitTop(inner, '||');
    if (alternatives.length > 1) {
      for (const alt of alternatives) {
        const c = parseComparison(alt, v);
        if (c === undefined || c.scope !== 'resource' || c.field !== 'evse.connectorType' || c.op !== '==' || typeof c.value !== 'string' || !CONNECTOR_SET.has(c.value)) {
          return bad(`unrecognised alternative: ${alt}`);
        }
        connectors.push(c.value as OcpiConnectorType);
      }
      continue;
    }
    const c = parseComparison(inner, v);
    if (c === undefined) return bad(`unrecognised term: ${term}`);
    const key = `${c.scope}:${c.field}`;
    if (c.op === '==') {
      if (key === 'resource:evse.connectorType' && typeof c.value === 'string' && CONNECTOR_SET.has(c.value)) connectors.push(c.value as OcpiConnectorType);
      else eq.set(key, c.value);
      if (key === 'offer:service' || key === 'resource:resourceType' || key === 'resource:@type') scopeOfMarker = `${key}=${String(c.value)}`;
    } else bounds.set(`${key}${c.op}`, { op: c.op, value: c.value });
  }
  const str = (k: string): string | undefined => {
    const x = eq.get(k);
    return typeof x === 'string' ? x : undefined;
  };
  const bound = (k: string): string | number | undefined => bounds.get(k)?.value;
  const window = (): TimeWindow | undefined => {
    const start = bound('offer:window.start<=');
    const end = bound('offer:window.end>=');
    return typeof start === 'string' && typeof end === 'string' ? { start, end } : undefined;
  };
  const used = new Set<string>();
  const take = <T>(k: string, x: T): T => {
    used.add(k);
    return x;
  };
  let intent: DiscoverIntent | undefined;
  const w = window();
  if (w !== undefined) {
    used.add('offer:window.start<=');
    used.add('offer:window.end>=');
  }
  switch (scopeOfMarker) {
    case 'offer:service=MARKET_PARTICIPATION': {
      used.add('offer:service');
      const pm = take('offer:pricingModel', str('offer:pricingModel'));
      if (pm !== undefined && !PRICING.has(pm)) return bad(`unknown pricing model ${pm}`);
      intent = { seek: 'energy-market', ...(pm === undefined ? {} : { pricingModel: pm as PricingModel }), ...(w === undefined ? {} : { window: w }) };
      break;
    }
    case 'resource:resourceType=EVSE': {
      used.add('resource:resourceType');
      const min = take('resource:evse.maxPowerKW>=', bound('resource:evse.maxPowerKW>='));
      const near = decodeNear(spatial, v);
      if (near === 'bad') return bad('unrecognised spatial constraint');
      intent = {
        seek: 'ev-charging',
        ...(near === undefined ? {} : { near }),
        ...(connectors.length === 0 ? {} : { connectorTypes: connectors }),
        ...(typeof min === 'number' ? { minPowerKW: min } : {}),
        ...(slot === undefined ? {} : { window: slot }),
      };
      break;
    }
    case 'offer:service=FLEXIBILITY': {
      used.add('offer:service');
      const direction = take('offer:direction', str('offer:direction'));
      if (direction !== 'UP' && direction !== 'DOWN') return bad('flexibility filter needs direction UP or DOWN');
      const min = take('offer:maxPowerKW>=', bound('offer:maxPowerKW>='));
      const node = take('offer:gridNodeId', str('offer:gridNodeId'));
      intent = {
        seek: 'flexibility',
        direction,
        ...(typeof min === 'number' ? { minPowerKW: min } : {}),
        ...(node === undefined ? {} : { gridNodeId: node }),
        ...(w === undefined ? {} : { window: w }),
      };
      break;
    }
    case 'offer:service=ENERGY_TRADE': {
      used.add('offer:service');
      const role = take('offer:openRole', str('offer:openRole'));
      if (role === undefined || !ROLE_SET.has(role)) return bad('energy offer filter needs an openRole');
      const max = take('offer:indicativePricePerKWh<=', bound('offer:indicativePricePerKWh<='));
      intent = {
        seek: 'energy-offer',
        openRole: role as RoleName,
        ...(typeof max === 'number' ? { maxPricePerKWh: max } : {}),
        ...(w === undefined ? {} : { window: w }),
      };
      break;
    }
    case 'resource:@type=GridNode':
      used.add('resource:@type');
      intent = { seek: 'grid-topology' };
      break;
    default:
      return bad('the filter names no known intent (service, resourceType or @type marker)');
  }
  for (const k of [...eq.keys(), ...bounds.keys()]) if (!used.has(k)) return bad(`term on ${k.replace(':', ' ')} is not part of the ${intent.seek} intent`);
  if (intent.seek !== 'ev-charging' && connectors.length > 0) return bad('connector types belong to an ev-charging intent');
  if (intent.seek !== 'ev-charging' && spatial !== undefined) return bad('spatial constraints belong to an ev-charging intent');
  if (intent.seek !== 'ev-charging' && slot !== undefined) return bad('availability slots belong to an ev-charging intent');
  return { intent, errors };
}

function decodeNear(spatial: unknown, v: FilterVocabulary): GeoCircle | undefined | 'bad' {
  if (spatial === undefined) return undefined;
  if (!Array.isArray(spatial) || spatial.length !== 1) return 'bad';
  const s = spatial[0] as Record<string, unknown>;
  const g = s['geometry'] as Record<string, unknown> | undefined;
  const coords = g?.['coordinates'];
  if (s['op'] !== v.dwithin || s['targets'] !== v.geoTarget || g?.['type'] !== 'Point' || !Array.isArray(coords)) return 'bad';
  const [longitude, latitude] = coords as unknown[];
  const radius = s['distanceMeters'];
  if (typeof longitude !== 'number' || typeof latitude !== 'number' || typeof radius !== 'number') return 'bad';
  return { latitude, longitude, radiusMeters: radius };
}
