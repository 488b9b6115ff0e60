import { beforeAll, describe, expect, it } from 'vitest';
import { HomeEvAgent } from '../../agents/home-ev/agent.js';
import { loadScenarioFile } from '../../src/scenario/loader.js';
import { simulate, type Simulation } from '../../src/run/simulate.js';
import { nacksOf, netSumMinor, runUseCase, scenarioPath, type RunFolder, type SettlementRow } from './support.js';

/**
 * Home EV charging on the utility's time-of-use tariff, no market (scenarios/home-ev-tou.yaml):
 * six homes form the tariff contract at setup, charge their car in the cheapest intervals before it
 * leaves, and are billed under the contract. The objective: the bill that follows the TOU contract
 * is lower than the same metered energy on the flat tariff, and lower than charging on arrival.
 */

const HOMES = ['home-1', 'home-2', 'home-3', 'home-4', 'home-5', 'home-6'];
const FLAT_RETAIL = 8;
const FEED_IN = 3;
/** Peak 12:30–16:30 UTC (18:00–22:00 IST) of the scenario's tariff. */
const isPeak = (sim: Simulation, k: number): boolean => {
  const h = (((sim.clock.intervalStartMs(k) % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000;
  return h >= 12.5 && h < 16.5;
};

/** A home's bill under its TOU contract and the flat tariff on the same meter data. */
function bills(rows: readonly SettlementRow[], home: string): { tou: number; flat: number } {
  const mine = rows.filter((r) => r.contractId === `tou-${home}`);
  const imports = mine.filter((r) => r.payer === home);
  const exports = mine.filter((r) => r.payee === home);
  const tou = imports.reduce((a, r) => a + r.amount, 0) - exports.reduce((a, r) => a + r.amount, 0);
  const flat = imports.reduce((a, r) => a + r.quantity, 0) * FLAT_RETAIL - exports.reduce((a, r) => a + r.quantity, 0) * FEED_IN;
  return { tou: Math.round(tou * 100) / 100, flat: Math.round(flat * 100) / 100 };
}

async function simulated(policy: string): Promise<Simulation> {
  const s = loadScenarioFile(scenarioPath('home-ev-tou'), { overrides: [`participants[1].policy=${policy}`] });
  if (!s.ok) throw new Error(s.errors.map((d) => d.message).join('; '));
  const sim = await simulate(s.value);
  if (!sim.ok) throw new Error(sim.errors.map((d) => d.message).join('; '));
  return sim.value;
}

function homes(sim: Simulation): HomeEvAgent[] {
  return sim.agents.filter((a): a is HomeEvAgent => a instanceof HomeEvAgent);
}

/** The import bill of each home's TOU contract in a simulation, minus its export credit. */
function touBill(sim: Simulation, home: string): number {
  const lines = sim.settlement.ledger.lines().filter((l) => l.contractId === `tou-${home}`);
  return lines.reduce((a, l) => a + (l.payer === home ? 1 : -1) * Number(l.amountMinor), 0) / 100;
}

describe('use case: home EV charging on a time-of-use tariff', () => {
  let run: RunFolder;
  let smart: Simulation;
  let onArrival: Simulation;
  beforeAll(async () => {
    run = await runUseCase('home-ev-tou');
    smart = await simulated('cheapest');
    onArrival = await simulated('immediate');
  }, 60_000);

  it('runs from the CLI with every message accepted and the books balanced', () => {
    expect(nacksOf(run)).toEqual([]);
    expect(netSumMinor(run)).toBe(0);
    expect(run.summary.intervals).toBe(96);
    // one tariff contract per home, formed by init/confirm; one bill per home and interval in on_status
    expect(run.summary.contracts).toBe(6);
    expect(run.summary.messagesByAction).toEqual({ confirm: 6, init: 6, on_confirm: 6, on_init: 6, on_status: 6 * 96 });
    expect(run.summary.unmetEvEnergyKWh).toBe(0);
  });

  it('bills every home under its TOU contract, lower than the flat tariff on the same meter data', () => {
    const b = HOMES.map((h) => bills(run.settlement, h));
    for (const [i, x] of b.entries()) expect(x.tou, HOMES[i]).toBeLessThan(x.flat);
    expect(b.map((x) => x.tou)).toEqual([39.64, 99.93, 115.94, 38.1, 179.21, 37.33]);
    expect(b.map((x) => x.flat)).toEqual([81.2, 130.37, 127.73, 43.37, 189.6, 66.93]);
    const total = b.reduce((a, x) => ({ tou: a.tou + x.tou, flat: a.flat + x.flat }), { tou: 0, flat: 0 });
    expect(total.tou).toBeCloseTo(510.15, 2);
    expect(total.flat).toBeCloseTo(639.2, 2);
  });

  it('charges no car in the evening peak, and every car leaves with its energy', () => {
    const outcomes = homes(smart).flatMap((h) => h.sessionOutcomes());
    expect(outcomes).toHaveLength(6);
    for (const o of outcomes) {
      expect(o.unmetKWh, o.sessionId).toBe(0);
      o.powerKW.forEach((p, i) => {
        if (isPeak(smart, o.arrival + i)) expect(p, `${o.sessionId} at ${o.arrival + i}`).toBe(0);
      });
    }
    const charged = outcomes.reduce((a, o) => a + o.deliveredKWh, 0);
    expect(charged).toBeCloseTo(48, 0);
    // the same cars charged on arrival draw part of it in the peak
    const peakOnArrival = homes(onArrival)
      .flatMap((h) => h.sessionOutcomes())
      .reduce((a, o) => a + o.powerKW.reduce((b, p, i) => b + (isPeak(onArrival, o.arrival + i) ? p * onArrival.clock.intervalHours : 0), 0), 0);
    expect(peakOnArrival).toBeGreaterThan(20);
  });

  it('pays less than charging on arrival under the same tariff', () => {
    const smartTotal = HOMES.reduce((a, h) => a + touBill(smart, h), 0);
    const arrivalTotal = HOMES.reduce((a, h) => a + touBill(onArrival, h), 0);
    expect(smartTotal).toBeCloseTo(510.15, 2);
    expect(arrivalTotal).toBeCloseTo(732.64, 2);
  });
});
