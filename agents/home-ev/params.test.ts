import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { homeEvParams, HOME_EV_KEYS, resolveHomeEvSite } from './params.js';

describe('home-ev parameters', () => {
  it('takes the defaults', () => {
    const r = homeEvParams({ kind: 'home-ev', count: 3 });
    expect(r.ok && r.value).toEqual({ policy: 'cheapest', sessionsPerDay: 1, chargerKW: undefined, annualKWh: undefined, pvKWp: undefined, cloudiness: 0.3, loadForecastErrorSd: 0.1, headroomKW: 0.5, sanctionedLoadKW: undefined });
  });

  it('reports every bad value at once, with its path', () => {
    const r = homeEvParams({ kind: 'home-ev', count: 1, policy: 'smart', chargerKW: 0, sessionsPerDay: -1, headroom: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((d) => `${d.path}: ${d.code}`)).toEqual(['headroom: home-ev.unknown-param', 'policy: home-ev.param-choice', 'sessionsPerDay: home-ev.param-range', 'chargerKW: home-ev.param-range']);
  });

  it('takes charger, consumption and PV from the entry, else the connection, else the defaults', () => {
    const e = homeEvParams({ kind: 'home-ev', count: 1, chargerKW: 11 });
    if (!e.ok) throw new Error('params');
    const meter = { meterId: 'm', node: 'tx-1', bus: 'b', evChargePoints: 1, evChargerKW: 3.7, pvKWp: 4, annualConsumptionKWh: 4200 };
    expect(resolveHomeEvSite(e.value, meter)).toEqual({ chargerKW: 11, annualKWh: 4200, pvKWp: 4 });
    const d = homeEvParams({ kind: 'home-ev', count: 1 });
    if (!d.ok) throw new Error('params');
    expect(resolveHomeEvSite(d.value, meter)).toEqual({ chargerKW: 3.7, annualKWh: 4200, pvKWp: 4 });
    expect(resolveHomeEvSite(d.value, undefined)).toEqual({ chargerKW: 7.4, annualKWh: 3000, pvKWp: 0 });
  });

  it('documents exactly the keys it reads in params.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'params.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties).sort()).toEqual([...HOME_EV_KEYS, 'sanctionedLoadKW'].sort());
  });
});
