import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { testScenario } from '../shared/testing.js';
import { cpoParams } from './params.js';
import { isBookingEntry, stationParams, STATION_KEYS, withoutStationKeys } from './station-params.js';

describe('charging-station parameters of a cpo entry', () => {
  const scenario = testScenario();
  const entry = { kind: 'cpo', count: 1, bookings: true, connectorTypes: ['IEC_62196_T2', 'CHADEMO'], timePricePerHour: 10, stationName: 'Mall', tariffPerKWh: 18, evses: 2 };

  it('reads its keys with defaults and leaves the CPO’s own keys to the CPO reader', () => {
    expect(isBookingEntry(entry)).toBe(true);
    expect(isBookingEntry({ kind: 'cpo', count: 1 })).toBe(false);
    const r = stationParams(entry, scenario);
    expect(r.ok && r.value).toEqual({ connectorTypes: ['IEC_62196_T2', 'CHADEMO'], powerType: 'AC_3_PHASE', timePricePerHour: 10, name: 'Mall', latitude: 12.97, longitude: 77.59, address: undefined });
    expect(withoutStationKeys(entry)).toEqual({ kind: 'cpo', count: 1, tariffPerKWh: 18, evses: 2 });
    expect(cpoParams(withoutStationKeys(entry), scenario).ok).toBe(true);
  });

  it('reports every bad value at once, with its path', () => {
    const r = stationParams({ kind: 'cpo', count: 1, bookings: true, connectorTypes: ['TYPE2', 7], powerType: 'AC', timePricePerHour: -1, latitude: 95 }, scenario);
    expect(r.ok ? [] : r.errors.map((d) => d.path)).toEqual(['connectorTypes[0]', 'connectorTypes[1]', 'powerType', 'timePricePerHour', 'latitude']);
  });

  it('documents exactly its keys in station.params.schema.json, whose bounds the reader keeps', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'station.params.schema.json'), 'utf8')) as { properties: Record<string, { description?: string }> };
    expect(Object.keys(schema.properties).sort()).toEqual([...STATION_KEYS].sort());
    for (const p of Object.values(schema.properties)) expect(p.description?.length ?? 0).toBeGreaterThan(10);
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ bookings: true, connectorTypes: ['IEC_62196_T2'], timePricePerHour: 10 })).toBe(true);
    expect(validate({ bookings: true, timePricePerHour: -1 })).toBe(false);
    expect(stationParams({ kind: 'cpo', count: 1, bookings: true, timePricePerHour: -1 }, scenario).ok).toBe(false);
  });
});
