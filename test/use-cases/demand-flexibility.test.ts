import { describe, expect, it } from 'vitest';
import { AggregatorAgent, type MemberAgent } from '../../agents/aggregator/index.js';
import { UtilityAgent } from '../../agents/utility/index.js';
import { netSumMinor, refusals, simulateUseCase } from './simulated.js';

/**
 * Demand flexibility: the requested reduction is delivered and verified against a baseline from
 * the meters, and paid with the aggregator's share. The whole scenario runs (two days at 30 min):
 * the members' batteries must start the baseline day as they start the event day, or the
 * baseline's in-day adjustment compares unlike afternoons.
 */
describe('use case: demand flexibility (scenarios/demand-flexibility.yaml)', async () => {
  const sim = await simulateUseCase('demand-flexibility');
  const clock = sim.clock;
  const h = clock.intervalHours;
  const utility = sim.agents.find((a): a is UtilityAgent => a instanceof UtilityAgent);
  const desk = utility?.flexibility;
  const aggregator = sim.agents.find((a): a is AggregatorAgent => a instanceof AggregatorAgent);
  const members = sim.agents.filter((a) => a.kind === 'aggregator-member') as unknown as MemberAgent[];
  const kOf = (iso: string): number => (Date.parse(iso) - clock.startMs) / clock.intervalMs;
  const first = kOf('2026-06-24T12:30:00Z');
  const last = kOf('2026-06-24T15:00:00Z');
  const perDay = 48;
  const lines = sim.settlement.ledger.lines();

  it('runs with every message accepted and money conserved', () => {
    expect(refusals(sim)).toEqual([]);
    expect(netSumMinor(sim)).toBe(0n);
    expect(members).toHaveLength(5);
  });

  it('publishes a real need: the day before, T001 ran above its 9 kW limit in the same hours', () => {
    const dayBefore = sim.flows.filter((f) => f.element === 'T001' && f.interval >= first - perDay && f.interval <= last - perDay);
    expect(dayBefore).toHaveLength(6);
    expect(dayBefore.some((f) => f.loadingKW > 9)).toBe(true);
    for (let k = first; k <= last; k++) expect(desk?.needKW(k), `interval ${k}`).toBeGreaterThan(0);
  });

  it('accepts what the need asks for and splits it into member setpoints', () => {
    for (let k = first; k <= last; k++) {
      const accepted = desk?.acceptedKW('flex-T001-flex', k) ?? 0;
      expect(accepted, `interval ${k}`).toBeCloseTo(desk?.needKW(k) ?? Number.NaN, 9);
      const deal = aggregator?.deal(k);
      expect(deal?.targetKW).toBeCloseTo(accepted, 6);
      expect(deal?.split.unallocatedKW).toBe(0);
      const moved = (deal?.split.shares ?? []).reduce((s, x) => s + x.powerKW, 0) - (deal?.baselineKW ?? Number.NaN);
      expect(moved, `interval ${k}`).toBeCloseTo(accepted, 6);
      for (const m of members) expect(m.setpointKW(k), `${m.id} interval ${k}`).toBeDefined();
    }
  });

  it('keeps T001 under its limit during the event', () => {
    const event = sim.flows.filter((f) => f.element === 'T001' && f.interval >= first && f.interval <= last);
    expect(event).toHaveLength(6);
    for (const f of event) expect(f.loadingKW, `interval ${f.interval}`).toBeLessThanOrEqual(9);
  });

  it('verifies delivery against the previous day’s meter readings and pays the reduction accepted', () => {
    const [v] = desk?.verified() ?? [];
    if (v === undefined) throw new Error('no verification');
    // The baseline recomputed from the members' meters: previous day's event intervals, shifted by the
    // mean difference of the two hours (four intervals) before the event.
    const portfolio = (k: number): number => members.reduce((s, m) => s + (m.actualKW(k) ?? Number.NaN) * h, 0);
    let adjust = 0;
    for (let j = first - 4; j < first; j++) adjust += (portfolio(j) - portfolio(j - perDay)) / 4;
    let baseline = 0;
    let actual = 0;
    for (let k = first; k <= last; k++) {
      baseline += portfolio(k - perDay) + adjust;
      actual += portfolio(k);
    }
    expect(v.baselineDays).toBe(1);
    expect(v.baselineKWh).toBeCloseTo(baseline, 4);
    expect(v.actualKWh).toBeCloseTo(actual, 4);
    let committed = 0;
    for (let k = first; k <= last; k++) committed += (desk?.acceptedKW('flex-T001-flex', k) ?? 0) * h;
    expect(v.committedKWh).toBeCloseTo(committed, 9);
    // Delivered: the verified reduction covers the commitment, so the utility pays all of it, once.
    expect(v.reductionKWh).toBeGreaterThanOrEqual(v.committedKWh);
    const paid = lines.filter((l) => l.contractId === 'flex-T001-flex');
    expect(paid.map((l) => [l.flowId, l.payer, l.payee, l.period.index])).toEqual([['flexibility', 'utility', 'flex', last + 1]]);
    expect(paid[0]?.quantity).toBeCloseTo(v.committedKWh, 9);
    expect(Number(paid[0]?.amountMinor)).toBe(Math.round(v.committedKWh * 12 * 100));
  });

  it('passes each member the payment for its own verified reduction, less 25 %', () => {
    const shares = lines.filter((l) => l.contractId.startsWith('share-flex.'));
    expect(new Set(shares.map((l) => l.contractId)).size).toBe(5);
    for (const m of members) {
      const energy = shares.find((l) => l.contractId === `share-${m.id}` && l.flowId === 'flexibility');
      const share = shares.find((l) => l.contractId === `share-${m.id}` && l.flowId === 'share');
      expect(energy?.ratePerUnit).toBe(12);
      expect(energy?.quantity).toBeGreaterThan(0);
      expect(Math.abs(Number(share?.amountMinor) - 0.25 * Number(energy?.amountMinor))).toBeLessThanOrEqual(1);
    }
  });
});
