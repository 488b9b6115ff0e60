import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getProfile } from './profiles/index.js';
import { payAsClearTransaction } from './profiles/test-support/transactions.js';
import {
  offsetOfJsonPath,
  PACK_TYPES,
  jsonPathOf,
  positionInText,
  SCHEMA_BASE_URI,
  schemasDir,
  jsonSyntaxErrorOffset,
  formatMessageFileReport,
  validateMessage,
  validateMessageFile,
  validateMessageText,
  validatePack,
  type PackType,
} from './validate.js';

type Json = Record<string, unknown>;
const root = schemasDir();
const readSchema = (folder: string, name: string): Json => JSON.parse(readFileSync(join(root, folder, `${name}.schema.json`), 'utf8')) as Json;
const example = (type: PackType, i = 0): Json => structuredClone((readSchema('energy', type)['examples'] as Json[])[i] as Json);
const codesAndPaths = (d: readonly { code: string; path: string }[]): string[] => d.map((x) => `${x.code} @ ${x.path}`);

describe('Energy packs: the examples in the schemas are valid', () => {
  for (const type of PACK_TYPES) {
    it(`${type}`, () => {
      const examples = readSchema('energy', type)['examples'] as unknown[];
      expect(examples.length).toBeGreaterThan(0);
      for (const e of examples) expect(validatePack(e)).toEqual([]);
    });
  }
});

describe('Energy packs: invalid examples are refused at the right path', () => {
  const cases: { name: string; type: PackType; i?: number; mutate: (p: Json & Record<string, never>) => void; expected: string[] }[] = [
    { name: 'EVSE without its connector', type: 'EnergyResource', i: 1, mutate: (p) => delete p['evse'], expected: ['schema.required @ evse'] },
    {
      name: 'unknown resource type and a longitude outside ±180',
      type: 'EnergyResource',
      mutate: (p) => {
        p['resourceType'] = 'SOLAR_PANEL' as never;
        (p['location'] as unknown as { geo: { coordinates: number[] } }).geo.coordinates[0] = 200;
      },
      expected: ['schema.enum @ resourceType', 'schema.maximum @ location.geo.coordinates[0]'],
    },
    {
      name: 'negative reverse-flow limit, missing type',
      type: 'GridNode',
      mutate: (p) => {
        (p['limits'] as unknown as Json)['maxReverseFlowKW'] = -5;
        delete p['@type'];
      },
      expected: ['schema.required @ @type', 'schema.minimum @ limits.maxReverseFlowKW'],
    },
    {
      name: 'zero step and no values',
      type: 'Forecast',
      mutate: (p) => {
        p['stepMinutes'] = 0 as never;
        p['values'] = [] as never;
      },
      expected: ['schema.exclusiveMinimum @ stepMinutes', 'schema.minItems @ values'],
    },
    {
      name: 'unknown open role, provider URI not a URI',
      type: 'EnergyOffer',
      mutate: (p) => {
        p['openRole'] = 'TRADER' as never;
        p['providerUri'] = 'mca example net' as never;
      },
      expected: ['schema.format @ providerUri', 'schema.enum @ openRole'],
    },
    {
      name: 'power falling as price rises, clip bounds crossed',
      type: 'OfferCurve',
      mutate: (p) => {
        p['curve'] = [{ price: 5, powerKW: 2 }, { price: 6, powerKW: 1 }] as never;
        p['minExport'] = 6 as never;
      },
      expected: ['curve.bounds @ maxExport', 'curve.decreasing @ curve[1].powerKW'],
    },
    { name: 'points out of price order', type: 'OfferCurve', mutate: (p) => void (p['curve'] = [{ price: 7, powerKW: 5 }, { price: 5, powerKW: 5 }] as never), expected: ['curve.unsorted @ curve[1].price'] },
    {
      name: 'open role with a party, filled role without, two agents, validity backwards, net not zero',
      type: 'EnergyContract',
      mutate: (p) => {
        const roles = p['roles'] as unknown as Json[];
        roles[1] = { role: 'PROSUMER', filled: false, filledBy: 'x' };
        roles.push({ role: 'MARKET_CLEARING_AGENT', filled: true });
        p['validity'] = { start: '2024-10-04T10:15:00Z', end: '2024-10-04T10:00:00Z' } as never;
        (p['revenueFlows'] as unknown as Json)['netZero'] = false;
      },
      expected: [
        'schema.additionalProperties @ roles[1].filledBy',
        'schema.required @ roles[2].filledBy',
        'unique @ roles[2].role',
        'interval.order @ validity.end',
        'schema.const @ revenueFlows.netZero',
      ],
    },
    {
      name: 'a field the model does not have',
      type: 'EnergyContract',
      mutate: (p) => void (p['qualityMetrics'] = { metrics: [] } as never),
      expected: ['schema.additionalProperties @ qualityMetrics'],
    },
    {
      name: 'unknown delivery status, a signal value that is not a number',
      type: 'EnergyDelivery',
      mutate: (p) => {
        p['status'] = 'DONE' as never;
        ((p['signalValues'] as unknown as Json[])[0] as Json)['value'] = '6.25';
      },
      expected: ['schema.enum @ status', 'schema.type @ signalValues[0].value'],
    },
    {
      name: 'OCPP rate unit kW, 2030.5 target beyond int16, unknown standard',
      type: 'Setpoint',
      mutate: (p) => {
        const c = p['commands'] as unknown as { setChargingProfile: { chargingProfile: { chargingSchedule: Json[] } } }[];
        (c[0]?.setChargingProfile.chargingProfile.chargingSchedule[0] as Json)['chargingRateUnit'] = 'kW';
        const other = example('Setpoint', 1)['commands'] as { derControl: { DERControlBase: { opModTargetW: Json } } }[];
        (other[0] as { derControl: { DERControlBase: { opModTargetW: Json } } }).derControl.DERControlBase.opModTargetW['value'] = 40000;
        (p['commands'] as unknown as unknown[]).push(other[0], { standard: 'OCPPX' });
      },
      expected: [
        'schema.enum @ commands[0].setChargingProfile.chargingProfile.chargingSchedule[0].chargingRateUnit',
        'schema.maximum @ commands[1].derControl.DERControlBase.opModTargetW.value',
        'schema.type-unsupported @ commands[2].standard',
      ],
    },
    {
      name: 'net not export − import, negative import',
      type: 'MeterReading',
      mutate: (p) => {
        p['importKWh'] = -1 as never;
        p['netKWh'] = 0.5 as never;
      },
      expected: ['schema.minimum @ importKWh', 'reading.net @ netKWh'],
    },
    {
      name: 'session ending before it starts, cost not a decimal',
      type: 'ChargeDataRecord',
      mutate: (p) => {
        p['end'] = '2024-10-04T10:00:00Z' as never;
        p['totalCost'] = '565.2.0' as never;
      },
      expected: ['schema.pattern @ totalCost', 'interval.order @ end'],
    },
    {
      name: 'a line priced wrong, in another currency, paying itself; totals that do not add up',
      type: 'SettlementReport',
      mutate: (p) => {
        const lines = p['lines'] as unknown as Json[];
        (lines[1] as Json)['payee'] = 'prosumer-7.example.net';
        (lines[0] as Json)['currency'] = 'USD';
        (lines[0] as Json)['amount'] = '3.20';
      },
      expected: [
        'settlement.currency @ lines[0].currency',
        'settlement.amount @ lines[0].amount',
        'settlement.self @ lines[1].payee',
        'settlement.total @ totals[0].paid',
        'settlement.total @ totals[0].received',
        'settlement.total @ totals[0].net',
        'settlement.total @ totals[1].received',
        'settlement.total @ totals[1].net',
      ],
    },
    {
      name: 'a party paid but missing from the totals',
      type: 'SettlementReport',
      mutate: (p) => void (p['totals'] as unknown as unknown[]).pop(),
      expected: ['settlement.missing-party @ totals'],
    },
  ];
  for (const c of cases) {
    it(`${c.type}: ${c.name}`, () => {
      const pack = example(c.type, c.i ?? 0);
      c.mutate(pack as Json & Record<string, never>);
      expect(codesAndPaths(validatePack(pack, c.type)).sort()).toEqual([...c.expected].sort());
    });
  }

  it('keeps totals exact beyond the digits of a double: one paisa off a 16-digit amount is caught', () => {
    const pack = example('SettlementReport');
    const lines = pack['lines'] as Json[];
    Object.assign(lines[0] as Json, { quantity: 1, ratePerUnit: Number('90071992547409.93'), amount: '90071992547409.93' });
    pack['totals'] = [
      { party: 'mca.example.net', paid: '90071992547409.93', received: '0.05', net: '-90071992547409.88' },
      { party: 'prosumer-7.example.net', paid: '0.05', received: '90071992547409.93', net: '90071992547409.88' },
    ];
    expect(validatePack(pack)).toEqual([]);
    ((pack['totals'] as Json[])[1] as Json)['received'] = '90071992547409.94';
    expect(codesAndPaths(validatePack(pack))).toEqual(['settlement.total @ totals[1].received']);
  });

  it('says which packs exist when the @type is unknown', () => {
    expect(validatePack({ '@type': 'Battery' })).toEqual([{ code: 'schema.type-unsupported', path: '@type', message: `must be one of ${PACK_TYPES.join(', ')}` }]);
  });
});

describe('schemas: identified, described field by field, telescoping', () => {
  const folders = ['energy', 'beckn-2.0.0', 'deg-order-draft'];
  const files = folders.flatMap((f) => readdirSync(join(root, f)).filter((n) => n.endsWith('.schema.json')).map((n) => ({ folder: f, name: n.slice(0, -'.schema.json'.length) })));

  it('every file has an $id under the base URI matching its path, a title and a description', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const { folder, name } of files) {
      const s = readSchema(folder, name);
      expect(s['$id']).toBe(`${SCHEMA_BASE_URI}${folder}/${name}.schema.json`);
      expect(typeof s['title']).toBe('string');
      expect(typeof s['description']).toBe('string');
    }
  });

  it('every property of every schema and every definition is described', () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
      else if (typeof node === 'object' && node !== null) {
        const o = node as Json;
        for (const [k, v] of Object.entries(o)) {
          // Conditions (if/not) restate fields defined elsewhere; examples are data.
          if (k === 'examples' || k === 'if' || k === 'not') continue;
          if ((k === 'properties' || k === '$defs') && typeof v === 'object' && v !== null) {
            for (const [name, sub] of Object.entries(v as Json)) {
              if (typeof sub === 'object' && sub !== null && typeof (sub as Json)['description'] !== 'string') missing.push(`${where}.${k}.${name}`);
            }
          }
          walk(v, `${where}.${k}`);
        }
      }
    };
    for (const { folder, name } of files) walk(readSchema(folder, name), `${folder}/${name}`);
    expect(missing).toEqual([]);
  });

  it('each pack requires only a small shell: @context, @type and its identity', () => {
    for (const type of PACK_TYPES) {
      const s = readSchema('energy', type);
      const required = s['required'] as string[];
      expect(required.slice(0, 2)).toEqual(['@context', '@type']);
      const properties = Object.keys((s['properties'] as Json | undefined) ?? {});
      if (type !== 'OfferCurve') expect(properties.length).toBeGreaterThan(required.length);
    }
  });

  it('README documents every field of every pack', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const undocumented: string[] = [];
    for (const type of PACK_TYPES) {
      expect(readme).toContain(`## ${type}`);
      const s = readSchema('energy', type);
      for (const name of Object.keys((s['properties'] as Json | undefined) ?? {})) if (!readme.includes(`\`${name}\``)) undocumented.push(`${type}.${name}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('the JSON-LD context defines every pack type and every pack field', () => {
    const top = (JSON.parse(readFileSync(join(root, 'energy', 'context.jsonld'), 'utf8')) as { '@context': Json })['@context'];
    // Terms of the top-level context and of the scoped contexts of its term definitions.
    const ctx: Json = { ...top };
    for (const def of Object.values(top)) if (typeof def === 'object' && def !== null && typeof (def as Json)['@context'] === 'object') Object.assign(ctx, (def as Json)['@context']);
    const undefinedTerms: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === 'object' && node !== null) {
        const o = node as Json;
        if (typeof o['properties'] === 'object' && o['properties'] !== null) {
          for (const name of Object.keys(o['properties'] as Json)) if (!name.startsWith('@') && !(name in ctx)) undefinedTerms.push(name);
        }
        for (const [k, v] of Object.entries(o)) if (k !== 'examples' && k !== 'setChargingProfile' && k !== 'derControl') walk(v);
      }
    };
    for (const type of [...PACK_TYPES, 'common']) {
      const s = readSchema('energy', type);
      if (type !== 'common') expect(ctx).toHaveProperty(type);
      const { $defs, ...rest } = s;
      walk(rest);
      const defs = ($defs ?? {}) as Json;
      for (const [name, d] of Object.entries(defs)) if (!['OcppSetChargingProfile', 'Ieee2030_5DERControl'].includes(name)) walk(d);
    }
    expect([...new Set(undefinedTerms)]).toEqual([]);
  });
});

describe('validateMessage', () => {
  const steps = payAsClearTransaction();
  const init = steps.find((s) => s.action === 'init');
  if (init === undefined) throw new Error('fixture has no init');
  const wire = (): Json => JSON.parse(JSON.stringify(getProfile('beckn-2.0.0').build(init.action, init.context, init.payload))) as Json;

  it('refuses what is not an object', () => {
    expect(validateMessage('hello', 'beckn-2.0.0')).toEqual([{ code: 'message.type', path: '', message: 'a Beckn message must be a JSON object with context and message' }]);
  });

  it('reports every context problem and every body problem at once', () => {
    const w = wire();
    const c = w['context'] as Json;
    delete c['bapId'];
    c['ttl'] = '30s';
    c['messageId'] = 'msg-1';
    const contract = (w['message'] as { contract: { contractAttributes: { roles: Json[]; currency: string } } }).contract;
    contract.contractAttributes.roles[1] = { ...contract.contractAttributes.roles[1], role: 'PROSUMERX' };
    contract.contractAttributes.currency = 'rupees';
    const d = validateMessage(w, 'beckn-2.0.0');
    expect(codesAndPaths(d)).toEqual([
      'schema.required @ context.bapId',
      'schema.format @ context.messageId',
      'schema.pattern @ context.ttl',
      'schema.pattern @ message.contract.contractAttributes.currency',
      'schema.enum @ message.contract.contractAttributes.roles[1].role',
    ]);
    expect(d.find((x) => x.path === 'context.ttl')?.message).toBe('must be an ISO 8601 duration such as PT30S');
  });

  it('names the allowed actions when the action is unknown', () => {
    const w = wire();
    (w['context'] as Json)['action'] = 'bid';
    const d = validateMessage(w, 'beckn-2.0.0');
    expect(d).toHaveLength(1);
    expect(d[0]?.path).toBe('context.action');
    expect(d[0]?.message).toMatch(/^must be one of discover, on_discover, select/);
  });

  it('catches a message in the other profile by its context spelling', () => {
    const paths = validateMessage(wire(), 'deg-order-draft').map((d) => d.path);
    expect(paths).toContain('context.bap_id');
    expect(paths).toContain('context.bapId');
  });
});

describe('message files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'degsim-validate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const steps = payAsClearTransaction();
  const p = getProfile('deg-order-draft');
  const lines = steps.slice(0, 3).map((s) => JSON.stringify(p.build(s.action, s.context, s.payload)));

  it('locates values and syntax errors in JSON text', () => {
    const text = '{\n  "a": [1, {"b": "x"}],\n  "c": tru\n}';
    expect(jsonSyntaxErrorOffset(text)).toBe(text.indexOf('tru'));
    expect(positionInText(text, text.indexOf('tru'))).toEqual({ line: 3, column: 8 });
    const valid = '{\n  "a": [1, {"b": "x"}],\n  "c": true\n}';
    expect(jsonSyntaxErrorOffset(valid)).toBeUndefined();
    expect(positionInText(valid, offsetOfJsonPath(valid, ['a', '1', 'b']))).toEqual({ line: 2, column: 18 });
    expect(positionInText(valid, offsetOfJsonPath(valid, ['a', '1', 'missing']))).toEqual({ line: 2, column: 12 });
    expect(jsonPathOf(['message', 'order', 'beckn:orderItems', '0', 'beckn:quantity'])).toBe('message.order.beckn:orderItems[0].beckn:quantity');
  });

  it('validates an .ndjson trace line by line, auto-detecting the profile', async () => {
    const bad = JSON.parse(lines[1] as string) as { message: { catalogs: Json[] } };
    (bad.message.catalogs[0] as Json)['beckn:items'] = [];
    const file = join(dir, 'messages.ndjson');
    writeFileSync(file, `${lines[0]}\n${JSON.stringify(bad)}\n\n${(lines[2] as string).slice(0, 40)}\n`);
    const report = await validateMessageFile(file);
    expect(report.messages).toBe(3);
    expect(report.invalid).toBe(2);
    expect(report.diagnostics.map((d) => [d.code, d.path, d.line])).toEqual([
      ['schema.minItems', 'message.catalogs[0].beckn:items', 2],
      ['json.syntax', '', 4],
    ]);
    expect(report.diagnostics[1]?.column).toBe(41);
  });

  it('gives line and column inside a pretty-printed .json message', () => {
    const w = JSON.parse(lines[2] as string) as { message: { order: Json } };
    w.message.order['beckn:orderStatus'] = 'OPEN';
    const text = JSON.stringify(w, null, 2);
    const report = validateMessageText(text, 'json', 'init.json');
    expect(report).toMatchObject({ file: 'init.json', messages: 1, invalid: 1 });
    const d = report.diagnostics[0];
    expect(d?.path).toBe('message.order.beckn:orderStatus');
    const lineText = text.split('\n')[(d?.line ?? 0) - 1] ?? '';
    expect(lineText.trim()).toBe('"beckn:orderStatus": "OPEN",');
    expect(lineText.slice((d?.column ?? 0) - 1)).toBe('"OPEN",');
  });

  it('prints a report the way a terminal links it', () => {
    const report = validateMessageText('{"context": {}}', 'json', 'bad.json', 'beckn-2.0.0');
    const text = formatMessageFileReport(report);
    expect(text.split('\n')[0]).toBe('bad.json:1:1: message: is required but missing [schema.required]');
    expect(text.split('\n')).toContain('bad.json:1:13: context.version: is required but missing [schema.required]');
    expect(text.split('\n').at(-1)).toBe('bad.json: 1 message, 1 invalid');
  });

  it('says when a file cannot be read', async () => {
    const report = await validateMessageFile(join(dir, 'absent.json'));
    expect(report.diagnostics[0]?.code).toBe('file.read');
    expect(report.messages).toBe(0);
  });
});
