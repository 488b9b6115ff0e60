import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import YAML from 'yaml';

/**
 * Compiles schemas of the upstream OpenAPI files in `reference/` with ajv, for conformance tests:
 * OpenAPI's `nullable` becomes a null type, `$ref`s to components become `$defs` references
 * (through a caller-supplied mapping for references to other files), and OpenAPI-only keywords
 * are left for ajv to ignore.
 */

type Json = Record<string, unknown>;

export type RefMapper = (ref: string) => string;

/** An OpenAPI schema object as a JSON Schema 2020-12 schema. */
export function convertSchema(node: unknown, mapRef: RefMapper): unknown {
  if (Array.isArray(node)) return node.map((n) => convertSchema(n, mapRef));
  if (typeof node !== 'object' || node === null) return node;
  const o = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'example' || k === '$schema' || k === 'nullable' || k.startsWith('x-')) continue;
    if (k === 'examples' && !Array.isArray(v)) continue;
    if (k === '$ref' && typeof v === 'string') out[k] = mapRef(v);
    else out[k] = convertSchema(v, mapRef);
  }
  if (o['nullable'] === true && typeof o['type'] === 'string') out['type'] = [o['type'], 'null'];
  return out;
}

export function loadYaml(path: string): Json {
  return YAML.parse(readFileSync(path, 'utf8')) as Json;
}

/** A lenient ajv for third-party schemas: unknown keywords and formats are ignored, not errors. */
export function upstreamAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false, logger: false });
  ajvFormats.default(ajv, ['date-time', 'time', 'date', 'uri', 'uuid', 'email']);
  return ajv;
}

/** The request-body schema of an OpenAPI path (post, else get), or undefined. */
export function requestSchema(api: Json, path: string): unknown {
  const paths = api['paths'] as Record<string, Record<string, Json>> | undefined;
  const item = paths?.[path];
  const op = item?.['post'] ?? item?.['get'];
  const body = op?.['requestBody'] as { content?: Record<string, { schema?: unknown }> } | undefined;
  return body?.content?.['application/json']?.schema;
}

export function componentSchemas(api: Json): Json {
  return ((api['components'] as Json | undefined)?.['schemas'] ?? {}) as Json;
}

export type { ValidateFunction };
