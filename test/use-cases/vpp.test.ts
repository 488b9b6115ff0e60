import { describe, expect, it } from 'vitest';
import type { ClearingResult } from '../../src/market/types.js';
import { AggregatorAgent } from '../../agents/aggregator/index.js';
import { netSumMinor, refusals, simulateUseCase } from './simulated.js';

/**
 * The virtual power plant: members' curves summed into one bid, the cleared power split back into
 * member setpoints, revenue shared by contract. Two hours around midday keep the test short.
 */
describe('use case: virtual power plant (scenarios/vpp.yaml)', async () => {
  const sim = await simulateUseCase('vpp', ['start=2026-06-23T05:00:00Z', 'horizonHours=2']);
  const n = sim.clock.intervals;
  const rows = sim.recorder.dispatchTable();
  const members = rows.filter((r) => r.participant.startsWith('vpp.'));
  const vpp = sim.agents.find((a): a is AggregatorAgent => a instanceof AggregatorAgent);
  const lines = sim.settlement.ledger.lines();

  it('runs with every message accepted and money conserved', () => {
    expect(refusals(sim)).toEqual([]);
    expect(netSumMinor(sim)).toBe(0n);
    expect(sim.settlement.ledger.check().ok).toBe(true);
  });

  it('trades the portfolio as one participant in every interval', () => {
    for (let k = 0; k < n; k++) {
      const c = sim.recorder.clearings.get(k) as ClearingResult;
      expect(c.participants.some((p) => p.id === 'vpp'), `interval ${k}`).toBe(true);
      expect(c.participants.some((p) => p.id.startsWith('vpp.')), `interval ${k}`).toBe(false);
    }
  });

  it("splits the cleared power into member setpoints that sum to it in every interval", () => {
    let traded = 0;
    for (let k = 0; k < n; k++) {
      const cleared = (sim.recorder.clearings.get(k) as ClearingResult).participants.find((p) => p.id === 'vpp');
      const mine = members.filter((r) => r.interval === k);
      expect(mine).toHaveLength(8);
      const sum = mine.reduce((s, r) => s + r.clearedKW, 0);
      // Setpoints travel rounded to the watt-millionth; eight of them stay within 1e-5 kW.
      expect(Math.abs(sum - (cleared?.powerKW ?? Number.NaN)), `interval ${k}`).toBeLessThan(1e-5);
      for (const r of mine) expect(r.pricePerKWh, `${r.participant} interval ${k}`).toBe(cleared?.price);
      expect([...(vpp?.setpoints(k).values() ?? [])].reduce((s, x) => s + x, 0)).toBeCloseTo(cleared?.powerKW ?? Number.NaN, 9);
      traded += Math.abs(cleared?.powerKW ?? 0);
    }
    // Midday: the PV homes sell through the VPP.
    expect(traded).toBeGreaterThan(5);
  });

  it('pays each member the market value of its metered energy and keeps a 20 % share', () => {
    const shares = lines.filter((l) => l.contractId.startsWith('share-vpp.'));
    expect(new Set(shares.map((l) => l.contractId)).size).toBe(8);
    for (const period of new Set(shares.map((l) => `${l.contractId}@${l.period.index}`))) {
      const [id, k] = period.split('@') as [string, string];
      const energy = shares.find((l) => l.contractId === id && l.period.index === Number(k) && l.flowId === 'energy');
      const share = shares.find((l) => l.contractId === id && l.period.index === Number(k) && l.flowId === 'share');
      if (energy === undefined || share === undefined) throw new Error(`missing lines of ${period}`);
      const price = (sim.recorder.clearings.get(Number(k)) as ClearingResult).participants.find((p) => p.id === 'vpp')?.price;
      expect(energy.ratePerUnit).toBe(price);
      expect(share.payer).toBe(id.slice('share-'.length));
      expect(share.payee).toBe('vpp');
      // 20 % of the energy value, each rounded once to the paisa.
      expect(Math.abs(Number(share.amountMinor) - 0.2 * Number(energy.amountMinor))).toBeLessThanOrEqual(1);
    }
  });

  it('settles the portfolio deviation on the sum of its members’ meters', () => {
    const h = sim.clock.intervalHours;
    for (let k = 0; k < n; k++) {
      const dev = lines.find((l) => l.contractId === 'dev-vpp' && l.period.index === k);
      const cleared = (sim.recorder.clearings.get(k) as ClearingResult).participants.find((p) => p.id === 'vpp')?.powerKW ?? 0;
      const metered = members.filter((r) => r.interval === k).reduce((s, r) => s + r.actualKW, 0) * h;
      const quantity = dev === undefined ? 0 : dev.quantity;
      expect(quantity, `interval ${k}`).toBeCloseTo(Math.abs(metered - cleared * h), 6);
    }
  });
});
