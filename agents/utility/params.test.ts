import { describe, expect, it } from 'vitest';
import type { FactoryContext, MeterAssignment } from '../../src/run/agent.js';
import { testScenario } from '../shared/testing.js';
import { meterRecords, utilityParams } from './params.js';

const ASSIGNED: Readonly<Record<string, MeterAssignment>> = {
  'pv-1': { meterId: 'm-a', node: 'tx-1', bus: 'b1', pvKWp: 4 },
  'pv-2': { meterId: 'm-b', node: 'tx-1', bus: 'b2', pvKWp: 6, batteryKWh: 10, batteryKW: 5, sanctionedLoadKW: 8 },
  cpo: { meterId: 'm-c', node: 'tx-2', bus: 'b3', evChargePoints: 4, evChargerKW: 11, sanctionedLoadKW: 44 },
  home: { meterId: 'm-d', node: 'tx-2', bus: 'b4' },
};
const CTX: FactoryContext = { meterOf: (id) => ASSIGNED[id] };

describe('meterRecords', () => {
  it('takes the sanctioned load from the entry, else the connection, else the utility default; export from the inverters', () => {
    const s = testScenario({
      participants: [
        { kind: 'mca', id: 'mca', count: 1 },
        { kind: 'prosumer', idPrefix: 'pv', count: 2 },
        { kind: 'cpo', id: 'cpo', count: 1, sanctionedLoadKW: 60 },
        { kind: 'consumer', id: 'home', count: 1, inverterKW: 3 },
      ],
    });
    expect([...meterRecords(s, CTX).values()].map((m) => [m.meterId, m.participantId, m.nodeId, m.sanctionedLoadKW, m.maxExportKW])).toEqual([
      ['m-a', 'pv-1', 'tx-1', 10, 4],
      ['m-b', 'pv-2', 'tx-1', 8, 8],
      ['m-c', 'cpo', 'tx-2', 60, 60],
      ['m-d', 'home', 'tx-2', 10, 3],
    ]);
  });
});

describe('utilityParams', () => {
  it('reads the scenario rules', () => {
    const r = utilityParams({ kind: 'utility', id: 'u', count: 1 }, testScenario(), CTX);
    expect(r.ok && [r.value.name, r.value.rules.wheelingPerKWh, r.value.gridMode, r.value.priceTick]).toEqual(['Distribution utility', 0.5, 'exact', 0.01]);
  });

  it('reports every problem of its entry at once', () => {
    const r = utilityParams({ kind: 'utility', id: 'u', count: 2, transformer: 'tx-1', name: '', tariff: 3 }, testScenario(), CTX);
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.path])).toEqual([
      ['utility.unknown-param', 'tariff'],
      ['utility.count', 'count'],
      ['utility.transformer', 'transformer'],
      ['utility.name', 'name'],
    ]);
  });
});
