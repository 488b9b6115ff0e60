import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { driverParams, DRIVER_KEYS } from './params.js';

describe('ev-driver parameters', () => {
  it('takes the defaults', () => {
    const r = driverParams({ kind: 'ev-driver', count: 4 });
    expect(r.ok && r.value).toEqual({ sessionsPerDay: 1, connectorTypes: ['IEC_62196_T2'], vehicleMaxKW: 11, searchRadiusMeters: 3000, destinationSpreadMeters: 1000, bookingLeadMinutes: 60, cancelProbability: 0 });
  });

  it('reports every bad value at once, with its path', () => {
    const r = driverParams({ kind: 'ev-driver', count: 1, connectorTypes: ['IEC_62196_T2', 'CCS'], cancelProbability: 2, radius: 5 });
    expect(r.ok ? [] : r.errors.map((d) => `${d.path}: ${d.code}`)).toEqual(['radius: ev-driver.unknown-param', 'cancelProbability: ev-driver.param-range', 'connectorTypes[1]: ev-driver.param-choice']);
  });

  it('documents exactly the keys it reads in params.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'params.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties).sort()).toEqual([...DRIVER_KEYS].sort());
  });
});
