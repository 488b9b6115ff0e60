import { describe, expect, it } from 'vitest';
import type { FactoryContext } from '../../src/run/agent.js';
import { ocppPowerKW, type SetpointCommand } from '../../src/protocol/payloads.js';
import type { ParticipantSpec } from '../../src/scenario/types.js';
import { createParticipantAgent } from '../participant/agent.js';
import { createFakeRun, runWithPrices, testScenario, type FakeRun, type StandInOutcome } from '../participant/fake-run.js';
import { cpoBehaviour, sessionContractId, UNMET_EV_ENERGY_METRIC, type CpoInternals } from './index.js';
import { cpoParams } from './params.js';

// A Monday: workplace charging is a weekday business.
const scenario = testScenario({ start: '2026-06-22T00:00:00Z', participants: [{ kind: 'mca', id: 'mca' }, { kind: 'utility', id: 'utility' }, { kind: 'cpo', id: 'cpo-1' }] });
const meter = { meterId: 'm-cpo-1', node: 'tx-1', bus: 'bus-cpo', evChargePoints: 6, evChargerKW: 11, sanctionedLoadKW: 66 };
const ctx: FactoryContext = { meterOf: () => meter };

function runCpo(entry: Partial<ParticipantSpec>, price: (k: number) => number): { out: StandInOutcome[]; run: FakeRun; internals: CpoInternals; profiles: Map<number, readonly SetpointCommand[]> } {
  const run = createFakeRun(scenario);
  const p = cpoParams({ kind: 'cpo', id: 'cpo-1', count: 1, ...entry }, scenario);
  if (!p.ok) throw new Error('params');
  const svc = run.services('cpo-1');
  const { behaviour, internals } = cpoBehaviour('cpo-1', p.value, ctx.meterOf('cpo-1'), svc);
  const profiles = new Map<number, readonly SetpointCommand[]>();
  internals.onProfiles = (k, p) => profiles.set(k, p);
  const agent = createParticipantAgent({ id: 'cpo-1', kind: 'cpo', meterId: meter.meterId, node: meter.node, services: svc, behaviour, sanctionedLoadKW: 66 });
  return { out: runWithPrices(agent, run, { price }), run, internals, profiles };
}

/** Workplace charging; energy is cheap 07:00–11:00 UTC (around local noon) or 11:00–15:00 UTC. */
const early = (k: number): number => (k >= 28 && k < 44 ? 4 : 12);
const late = (k: number): number => (k >= 44 && k < 60 ? 4 : 12);
const kwhIn = (out: readonly StandInOutcome[], from: number, to: number): number => -out.filter((o) => o.k >= from && o.k < to).reduce((s, o) => s + o.actualKW * 0.25, 0);

describe('CPO in a market', () => {
  const entry = { pattern: 'workplace', sessionsPerDay: 8, forecastErrorSd: 0 } as const;

  it('shifts flexible charging into the cheap hours and still meets every departure', () => {
    const a = runCpo(entry, early);
    const b = runCpo(entry, late);
    const total = kwhIn(a.out, 0, 96);
    expect(total).toBeGreaterThan(20);
    expect(kwhIn(b.out, 0, 96)).toBeCloseTo(total, 6);
    // The same sessions take most of their energy in whichever window is cheap.
    expect(kwhIn(a.out, 28, 44)).toBeGreaterThan(kwhIn(b.out, 28, 44) + 5);
    expect(kwhIn(b.out, 44, 60)).toBeGreaterThan(kwhIn(a.out, 44, 60) + 5);
    expect(a.run.records.metrics.get(UNMET_EV_ENERGY_METRIC) ?? 0).toBe(0);
    expect(b.run.records.metrics.get(UNMET_EV_ENERGY_METRIC) ?? 0).toBe(0);
    // Following its setpoints exactly: declared needs are exact, so every vehicle takes what it is given.
    for (const o of a.out) expect(o.actualKW).toBeCloseTo(o.clearedKW, 9);
  });

  it('bills every session to its driver from the charge data record at its end', () => {
    const { out, run, internals } = runCpo(entry, early);
    const sessions = internals.site.sessions;
    expect(run.records.contracts.map((c) => c.contract.contractId).sort()).toEqual(sessions.map((s) => sessionContractId('cpo-1', s.id)).sort());
    for (const c of run.records.contracts) {
      expect(c).toMatchObject({ formedBy: 'cpo-1', billing: 'at-end' });
      expect(c.contract.roles.find((r) => r.role === 'EV_DRIVER')?.filledBy).toMatch(/^cpo-1\/driver-s-\d+$/);
    }
    const cdrKWh = run.records.periodInputs.reduce((s, p) => s + (p.inputs.telemetry?.['cdr']?.['energyKWh'] ?? 0), 0);
    expect(cdrKWh).toBeCloseTo(kwhIn(out, 0, 96), 9);
  });

  it('tells each charger its share in an OCPP profile that adds up to the site import', () => {
    const { out, profiles: sent } = runCpo(entry, early);
    const busy = out.filter((o) => o.clearedKW < -1 && (sent.get(o.k)?.length ?? 0) > 1).slice(-1)[0];
    expect(busy).toBeDefined();
    const profiles = sent.get(busy!.k) ?? [];
    expect(profiles.length).toBeGreaterThan(0);
    const kw = profiles.reduce((s, p) => s + (p.standard === 'OCPP' ? (ocppPowerKW(p.setChargingProfile, 0) ?? 0) : 0), 0);
    expect(kw).toBeCloseTo(busy!.clearedKW, 2);
    for (const p of profiles) if (p.standard === 'OCPP') expect(p.setChargingProfile.chargingProfile.chargingProfilePurpose).toBe('TxProfile');
  });

  it('when vehicles fill before their declared need the site draws less than cleared', () => {
    const { out, internals } = runCpo({ ...entry, forecastErrorSd: 0.4 }, early);
    const short = out.filter((o) => o.actualKW > o.clearedKW + 1e-6);
    expect(short.length).toBeGreaterThan(0);
    // Once a vehicle is known to be full the CPO stops buying for it: it under-draws once per such session.
    const full = internals.site.sessions.filter((s) => internals.site.isFull(s.id));
    expect(full.length).toBeGreaterThan(0);
    expect(short.length).toBeLessThanOrEqual(full.length);
  });

  it('reports every bad parameter at once', () => {
    const r = cpoParams({ kind: 'cpo', count: 1, evses: 2.5, pattern: 'home', tariffPerKWh: -1 }, scenario);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((d) => d.path)).toEqual(['evses', 'pattern', 'tariffPerKWh']);
  });
});
