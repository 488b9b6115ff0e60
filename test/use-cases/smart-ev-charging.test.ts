import { describe, expect, it } from 'vitest';
import type { ClearingResult } from '../../src/market/types.js';
import { netSumMinor, refusals, simulateUseCase } from './simulated.js';

/**
 * Smart EV charging: the workplace CPO's sessions are charged by their departures, in the cheap
 * intervals the market offers, with OCPP SetChargingProfile setpoints. The run covers the working
 * day's sessions (01:30–11:30 UTC, 07:00–17:00 local).
 */
describe('use case: smart EV charging (scenarios/smart-ev-charging.yaml)', async () => {
  const sim = await simulateUseCase('smart-ev-charging', ['start=2026-06-23T01:30:00Z', 'horizonHours=10']);
  const clock = sim.clock;
  const h = clock.intervalHours;
  const cpo = sim.recorder.dispatchTable().filter((r) => r.participant === 'cpo-office');
  const lines = sim.settlement.ledger.lines();
  const sessions = sim.settlement.heldContracts().filter((c) => c.template === 'ev/cpo-session');

  it('runs with every message accepted and money conserved', () => {
    expect(refusals(sim)).toEqual([]);
    expect(netSumMinor(sim)).toBe(0n);
    expect(sessions.length).toBeGreaterThanOrEqual(5);
  });

  it('meets every departure: no energy is left missing, and the metric says so', () => {
    expect(sim.recorder.metrics.get('unmetEvEnergyKWh') ?? 0).toBe(0);
    const billed = lines.filter((l) => l.contractId.startsWith('ses-') && l.flowId === 'energy');
    expect(billed.length).toBe(sessions.filter((s) => Date.parse(s.validity?.end ?? '') <= clock.endMs).length);
    for (const l of billed) expect(l.quantity).toBeGreaterThan(0);
  });

  it('shifts charging to cheaper intervals than charging on arrival would use', () => {
    const price = (k: number): number => (sim.recorder.clearings.get(k) as ClearingResult).price;
    // What the CPO bought, at the prices it cleared at.
    let kWh = 0;
    let cost = 0;
    for (const r of cpo) {
      if (r.clearedKW >= 0) continue;
      kWh += -r.clearedKW * h;
      cost += -r.clearedKW * h * r.pricePerKWh;
    }
    // The same sessions charged at 11 kW from arrival until their energy is in, at the same prices.
    let asapKWh = 0;
    let asapCost = 0;
    for (const s of sessions) {
      const billed = lines.find((l) => l.contractId === s.contractId && l.flowId === 'energy');
      if (billed === undefined || s.validity === undefined) continue;
      let left = billed.quantity;
      for (let k = (Date.parse(s.validity.start) - clock.startMs) / clock.intervalMs; left > 1e-9 && k < clock.intervals; k++) {
        const e = Math.min(left, 11 * h);
        asapKWh += e;
        asapCost += e * price(k);
        left -= e;
      }
    }
    expect(kWh).toBeGreaterThan(20);
    const smart = cost / kWh;
    const asap = asapCost / asapKWh;
    expect(smart).toBeLessThan(asap);
  });

  it('sends each cleared interval to the site as an OCPP SetChargingProfile', () => {
    const confirms = sim.trace.messageLines.filter((l) => l.includes('"action":"on_confirm"') && l.includes('"bapId":"cpo-office"') && l.includes('"bppId":"mca"'));
    expect(confirms.length).toBeGreaterThan(0);
    for (const l of confirms) {
      if (!l.includes('"setpoints"')) continue;
      expect(l).toContain('"standard":"OCPP"');
      expect(l).toContain('"chargingRateUnit":"W"');
    }
    expect(confirms.filter((l) => l.includes('"setChargingProfile"')).length).toBe(cpo.filter((r) => !Number.isNaN(r.pricePerKWh)).length);
  });
});
