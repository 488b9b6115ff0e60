import { beforeAll, describe, expect, it } from 'vitest';
import { messagesOf, nacksOf, netSumMinor, runUseCase, type RunFolder } from './support.js';

/**
 * Destination EV charging, the DEG guide's EV flow (scenarios/destination-ev-charging.yaml): 24
 * drivers discover the stations near their destination that take their connector, book the
 * cheapest stay (select, init, confirm), start and stop the session with updates, track it and ask
 * for its status; each session is billed once from its charge data record under its station's
 * tariff. The objective: every driver who plugs in leaves with the energy it booked, and every
 * bill is the station's tariff applied to the record — energy, time connected, idle minutes beyond
 * the grace period, session fee, and the tax on each.
 */

interface Tariff {
  readonly energy: number;
  readonly time: number;
  readonly idle: number;
  readonly grace: number;
  readonly session: number;
}
const TARIFFS: Readonly<Record<string, Tariff>> = {
  mall: { energy: 18, time: 10, idle: 2, grace: 15, session: 0 },
  'office-park': { energy: 16, time: 0, idle: 3, grace: 10, session: 20 },
};
const TAX = 0.18;

/** Half-to-even rounding to the paisa, as settlement rounds each line. */
function paise(x: number): number {
  const scaled = Math.round(x * 1e9) / 1e7;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const r = diff > 0.5 + 1e-9 ? floor + 1 : diff < 0.5 - 1e-9 ? floor : floor % 2 === 0 ? floor : floor + 1;
  return r / 100;
}

describe('use case: destination EV charging', () => {
  let run: RunFolder;
  beforeAll(async () => {
    run = await runUseCase('destination-ev-charging');
  }, 60_000);

  it('runs from the CLI with every message accepted and the books balanced', () => {
    expect(nacksOf(run)).toEqual([]);
    expect(netSumMinor(run)).toBe(0);
    const count = (action: string, from: RegExp): number => run.acks.filter((a) => a.action === action && from.test(a.from)).length;
    const driver = /^driver-/;
    const station = /^(mall|office-park)$/;
    // (the wire action of a rating is `rate`) every driver asks both stations; 23 bookings confirmed (one driver tried a full station first,
    // one found none), 3 cancelled before arrival, 20 sessions started and stopped and rated
    expect([count('discover', driver), count('select', driver), count('confirm', driver), count('cancel', driver), count('update', driver), count('track', driver), count('rate', driver)]).toEqual([48, 25, 23, 3, 40, 20, 20]);
    // every session ends with the billed charge data record pushed to its driver
    expect(messagesOf(run, 'on_status').filter((m) => station.test(m.from) && m.payload.settlement !== undefined && m.payload.contract.status === 'COMPLETED')).toHaveLength(20);
  });

  it('gives every driver who plugs in the energy it booked by its departure', () => {
    expect(run.summary.unmetEvEnergyKWh).toBe(0);
    const billed = messagesOf(run, 'on_status').filter((m) => m.from !== 'utility' && m.payload.contract.status === 'COMPLETED' && m.payload.settlement !== undefined);
    expect(billed).toHaveLength(20);
    for (const m of billed) {
      const requested = m.payload.contract.roles.find((r) => r.role === 'EV_DRIVER')?.roleInputs?.['requestedKWh'];
      expect(m.payload.delivery?.chargeDataRecords?.[0]?.energyKWh, m.payload.contract.contractId).toBe(requested);
    }
  });

  it('bills each session exactly the station’s tariff applied to its charge data record', () => {
    const billed = messagesOf(run, 'on_status').filter((m) => m.from !== 'utility' && m.payload.contract.status === 'COMPLETED' && m.payload.settlement !== undefined);
    let checked = 0;
    for (const m of billed) {
      const t = TARIFFS[m.from] as Tariff;
      const cdr = m.payload.delivery?.chargeDataRecords?.[0];
      const lines = m.payload.settlement?.lines ?? [];
      const amount = (flow: string): number => Number(lines.find((l) => l.flowId === flow)?.amount ?? 0);
      const idleMinutes = ((cdr?.durationHours ?? 0) * 60 - (cdr?.chargingPeriods?.length ?? 0) * 15);
      const charges = { energy: (cdr?.energyKWh ?? 0) * t.energy, time: (cdr?.durationHours ?? 0) * t.time, idle: Math.max(0, idleMinutes - t.grace) * t.idle, session: t.session };
      expect(amount('energy'), m.payload.contract.contractId).toBe(paise(charges.energy));
      expect(amount('time')).toBe(paise(charges.time));
      expect(amount('idle')).toBe(paise(charges.idle));
      expect(amount('session')).toBe(paise(charges.session));
      for (const f of ['energy', 'time', 'idle', 'session']) expect(amount(`tax-${f}`)).toBe(paise(TAX * charges[f as keyof typeof charges]));
      expect(cdr?.totalCost).toBe((amount('energy') + amount('time') + amount('idle') + amount('session')).toFixed(2));
      checked++;
    }
    expect(checked).toBe(20);
  });

  it('pays each station its drivers’ charges and the government the tax on them', () => {
    const sessions = run.settlement.filter((r) => r.contractId.startsWith('ses-'));
    const to = (party: string): number => Math.round(sessions.filter((r) => r.payee === party).reduce((a, r) => a + r.amount, 0) * 100) / 100;
    expect([to('mall'), to('office-park'), to('government')]).toEqual([1759.03, 2435.83, 755.08]);
    // 18 % of every charge, each tax line rounded on its own
    expect(to('government')).toBeCloseTo(0.18 * (to('mall') + to('office-park')), 1);
    // the stations' energy comes from the utility at retail under their deviation contracts
    const net = run.summary.netByParty;
    expect([net['mall'], net['office-park'], net['government']]).toEqual(['1371.69', '1642.92', '755.08']);
  });
});
