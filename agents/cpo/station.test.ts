import { describe, expect, it } from 'vitest';
import type { ContractPayload } from '../../src/protocol/payloads.js';
import { TestRun, testScenario, type TestGrid } from '../shared/testing.js';
import { UtilityAgent } from '../utility/agent.js';
import type { MeterRecord } from '../utility/policy.js';
import { EvDriverAgent, type DriverStay } from '../ev-driver/agent.js';
import { bookedCpo } from './booked.js';
import { cpoParams } from './params.js';
import { stationParams, withoutStationKeys } from './station-params.js';

/**
 * The DEG EV flow end to end on the test bus (every message built, validated and parsed by the
 * Beckn 2.0.0 profile): a mall station with two AC EVSEs under a tariff of 18 per kWh, 10 per hour
 * connected, 2 per idle minute after 15 minutes and 18 % tax; drivers with stays planned by hand.
 * The run covers 04:00–08:00 UTC in quarter hours; no market, so vehicles charge at once.
 */
const GRID: TestGrid = { nodes: [{ id: 'feeder-head', kind: 'feeder-head' }, { id: 'tx-1', parent: 'feeder-head', kind: 'transformer' }], meterNodes: { 'm-mall': 'tx-1' } };
const HERE = { latitude: 12.97, longitude: 77.59 };

function stay(sessionId: string, o: Partial<DriverStay> = {}): DriverStay {
  // arrives 05:00 (interval 4), leaves 07:00 (interval 12), 5.5 kWh at up to 11 kW
  return { sessionId, arrival: 4, departure: 12, energyKWh: 5.5, vehicleMaxKW: 11, connectorType: 'IEC_62196_T2', destination: HERE, cancels: false, ...o };
}

function bench(stays: Readonly<Record<string, readonly DriverStay[]>>, evses = 2) {
  const scenario = testScenario({ start: '2026-06-21T04:00:00Z', horizonHours: 4 });
  const kinds: Record<string, string> = { utility: 'utility', mall: 'cpo' };
  for (const d of Object.keys(stays)) kinds[d] = 'ev-driver';
  const run = new TestRun(scenario, GRID, kinds);
  const meters = new Map<string, MeterRecord>([['m-mall', { meterId: 'm-mall', participantId: 'mall', nodeId: 'tx-1', sanctionedLoadKW: 50, maxExportKW: 50 }]]);
  run.add(new UtilityAgent('utility', { name: 'U', currency: 'INR', rules: scenario.utility, gridMode: 'exact', priceTick: 0.01, meters }, run.services('utility')));
  const spec = { kind: 'cpo', count: 1, bookings: true, stationName: 'Mall', evses, chargerKW: 11, connectorTypes: ['IEC_62196_T2'], tariffPerKWh: 18, timePricePerHour: 10, idleFeePerMinute: 2, idleGraceMinutes: 15, driverTaxPct: 18, pvKWp: 0 };
  const st = stationParams(spec, scenario);
  const e = cpoParams(withoutStationKeys(spec), scenario);
  if (!st.ok || !e.ok) throw new Error('params');
  const cpo = bookedCpo('mall', e.value, st.value, { meterId: 'm-mall', node: 'tx-1', bus: 'b1' }, run.services('mall'), 50);
  run.add(cpo);
  const drivers = Object.entries(stays).map(([id, s]) => new EvDriverAgent({ id, services: run.services(id), stays: s, searchRadiusMeters: 3000, leadIntervals: 4 }));
  for (const d of drivers) run.add(d);
  return { run, cpo, drivers };
}

describe('charging station and EV drivers', () => {
  it('follows the DEG EV flow and bills the session from its charge data record under the tariff', () => {
    const { run, cpo, drivers } = bench({ 'driver-1': [stay('driver-1-s1')] });
    run.run();
    expect(run.invalid).toEqual([]);
    expect(run.recorder.errors).toEqual([]);
    const flow = run.trace((d) => d.transactionId === 'txn-ev-driver-1-s1');
    expect(flow.filter((x) => !x.endsWith(' status') && !x.endsWith(' on_status'))).toEqual([
      'driver-1→mall discover',
      'mall→driver-1 on_discover',
      'driver-1→mall select',
      'mall→driver-1 on_select',
      'driver-1→mall init',
      'mall→driver-1 on_init',
      'driver-1→mall confirm',
      'mall→driver-1 on_confirm',
      'driver-1→mall update',
      'mall→driver-1 on_update',
      'driver-1→mall track',
      'mall→driver-1 on_track',
      'driver-1→mall update',
      'mall→driver-1 on_update',
      'driver-1→mall rating',
      'mall→driver-1 on_rating',
    ]);
    // a status after each of the first seven intervals of the stay, then the billed record pushed by the station
    expect(flow.filter((x) => x.endsWith(' status'))).toHaveLength(7);
    expect(flow.filter((x) => x.endsWith(' on_status'))).toHaveLength(8);
    // 11 kW for two quarter hours (2.75 + 2.75 kWh), then six idle quarter hours: 90 idle minutes
    const o = drivers[0]?.outcomes()[0];
    expect(o?.state).toBe('stopped');
    expect(o?.cdr).toMatchObject({ sessionId: 'driver-1-s1', evseId: 'IN*MALL*E1', energyKWh: 5.5, durationHours: 2, maxPowerKW: 11, totalCost: '269.00', chargingPeriods: [{ start: '2026-06-21T05:00:00Z' }, { start: '2026-06-21T05:15:00Z' }] });
    expect(run.recorder.inputsOf('ses-mall-driver-1-s1', 11).telemetry?.['cdr']).toEqual({ energyKWh: 5.5, connectedHours: 2, idleMinutes: 90, sessionsStarted: 1 });
    // energy 5.5 × 18 = 99, time 2 h × 10 = 20, idle (90 − 15) × 2 = 150; tax 18 % on each: 17.82 + 3.60 + 27.00
    expect(o?.settlement?.lines.map((l) => `${l.flowId} ${l.payer}→${l.payee} ${l.amount}`)).toEqual([
      'energy driver-1→mall 99.00',
      'time driver-1→mall 20.00',
      'idle driver-1→mall 150.00',
      'tax-energy driver-1→government 17.82',
      'tax-time driver-1→government 3.60',
      'tax-idle driver-1→government 27.00',
    ]);
    expect(o?.settlement?.period).toEqual({ start: '2026-06-21T05:00:00Z', end: '2026-06-21T07:00:00Z' });
    expect(o?.contract?.status).toBe('COMPLETED');
    expect(o?.trackingUrl).toBe('https://mall.degsim.local/beckn/sessions/ses-mall-driver-1-s1/track');
    expect(cpo.station.bookingState('driver-1-s1')).toBe('completed');
  });

  it('carries the charger’s OCPP profile in the status answers while charging', () => {
    const { run } = bench({ 'driver-1': [stay('driver-1-s1')] });
    run.run();
    const statuses = run.delivered.filter((d) => d.action === 'on_status' && d.transactionId === 'txn-ev-driver-1-s1').map((d) => (d.payload as ContractPayload).delivery);
    // asked at the end of interval 4, answered as interval 5 starts: 2.75 kWh so far, charging at 11 kW
    expect(statuses[0]?.setpoints?.[0]?.targetPowerKW).toBe(-11);
    expect(statuses[0]?.sessionEvents?.[0]).toMatchObject({ eventType: 'Updated', chargingState: 'Charging' });
    // the meter as it reads on answering, 20 ms (the link's latency) into interval 5: 2.75 kWh + 11 kW × 20 ms
    expect(statuses[0]?.sessionEvents?.[0]?.energyKWh).toBe(2.750061);
    // at the end of interval 6 the car is full: the charger holds it at 0 W
    expect(statuses[2]?.setpoints?.[0]?.targetPowerKW).toBe(0);
    expect(statuses[2]?.sessionEvents?.[0]).toMatchObject({ chargingState: 'SuspendedEV', energyKWh: 5.5 });
  });

  it('gives a second driver the other EVSE, and turns a third away when both are taken', () => {
    const { run, drivers } = bench({ 'driver-1': [stay('driver-1-s1')], 'driver-2': [stay('driver-2-s1', { arrival: 5 })], 'driver-3': [stay('driver-3-s1', { arrival: 6, departure: 10 })] });
    run.run();
    expect(run.invalid).toEqual([]);
    expect(drivers.map((d) => [d.outcomes()[0]?.state, d.outcomes()[0]?.evseId])).toEqual([
      ['stopped', 'IN*MALL*E1'],
      ['stopped', 'IN*MALL*E2'],
      ['noBooking', 'IN*MALL*E1'],
    ]);
    expect(run.recorder.notes.map((n) => n.text)).toContain('driver-3: no charging for driver-3-s1: every option refused, the last: on_select: refused: no IEC_62196_T2 EVSE is free from 2026-06-21T05:30:00Z to 2026-06-21T06:30:00Z');
    expect(run.recorder.metrics.get('evStaysWithoutBooking')).toBe(1);
  });

  it('frees the EVSE of a cancelled booking and never bills it', () => {
    const { run, drivers, cpo } = bench({ 'driver-1': [stay('driver-1-s1', { cancels: true })], 'driver-2': [stay('driver-2-s1', { arrival: 9 })] }, 1);
    run.run();
    expect(run.invalid).toEqual([]);
    expect(drivers.map((d) => d.outcomes()[0]?.state)).toEqual(['cancelled', 'stopped']);
    expect(cpo.station.bookingState('driver-1-s1')).toBe('cancelled');
    expect(run.recorder.contracts.get('ses-mall-driver-1-s1')?.status).toBe('TERMINATED');
    expect(run.recorder.errors).toEqual([]);
  });
});
