import { describe, expect, it } from 'vitest';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { ContractPayload } from '../../src/protocol/payloads.js';
import type { AgentServices } from '../../src/run/agent.js';
import { createParticipantAgent, type FollowTarget, type ParticipantBehaviour } from './agent.js';
import { catalog, createFakeRun, runWithPrices, testScenario } from './fake-run.js';

/** A behaviour that offers a fixed curve and delivers its target, or 1 kW without a deal. */
function fixed(curve: OfferCurve): ParticipantBehaviour & { readonly followed: (FollowTarget | undefined)[] } {
  const followed: (FollowTarget | undefined)[] = [];
  return {
    resourceType: 'HOUSEHOLD',
    followed,
    offerCurve: () => curve,
    operate(_k, target) {
      followed.push(target);
      return target?.powerKW ?? 1;
    },
  };
}

const curve: OfferCurve = { currency: 'INR', minExport: -2, maxExport: 4, curve: [{ price: 3, powerKW: -2 }, { price: 6, powerKW: 4 }] };

describe('participant runtime', () => {
  it('bids, follows the cleared power and records one dispatch row per interval', () => {
    const run = createFakeRun();
    const b = fixed(curve);
    const agent = createParticipantAgent({ id: 'p1', kind: 'prosumer', meterId: 'm1', node: 'tx-1', services: run.services('p1'), behaviour: b, sanctionedLoadKW: 10 });
    const out = runWithPrices(agent, run, { price: (k) => (k % 2 === 0 ? 4.5 : 6), intervals: 4 });
    // At 4.5 the curve gives −2 + 6 × 1.5 / 3 = 1 kW; at 6 it gives 4 kW.
    expect(out.map((o) => o.clearedKW)).toEqual([1, 4, 1, 4]);
    expect(out.map((o) => o.actualKW)).toEqual([1, 4, 1, 4]);
    expect(run.records.rows.map((r) => [r.interval, r.clearedKW, r.pricePerKWh, r.offeredMinKW, r.offeredMaxKW])).toEqual([
      [0, 1, 4.5, -2, 4],
      [1, 4, 6, -2, 4],
      [2, 1, 4.5, -2, 4],
      [3, 4, 6, -2, 4],
    ]);
    expect(b.followed.every((t) => t?.setpoint?.commands?.[0]?.standard === 'IEEE_2030_5')).toBe(true);
  });

  it('clips its confirmed curve to the approval, and the clipped range is what it reports', () => {
    const run = createFakeRun();
    const agent = createParticipantAgent({ id: 'p1', kind: 'prosumer', meterId: 'm1', node: 'tx-1', services: run.services('p1'), behaviour: fixed(curve), sanctionedLoadKW: 10 });
    const out = runWithPrices(agent, run, { price: () => 6, intervals: 2, approvedMaxExportKW: 2.5, approvedMaxImportKW: 1 });
    const confirm = run.records.requests.find((r) => r.action === 'confirm' && r.to === 'mca');
    const sent = (confirm?.payload as ContractPayload).contract.roles.find((r) => r.role === 'PROSUMER')?.roleInputs?.['offerCurve'];
    expect(sent).toMatchObject({ minExport: -1, maxExport: 2.5 });
    expect(out.map((o) => o.clearedKW)).toEqual([2.5, 2.5]);
    expect(run.records.rows[0]).toMatchObject({ offeredMinKW: -1, offeredMaxKW: 2.5 });
  });

  it('runs free and records zero cleared power when no market answers', () => {
    const run = createFakeRun();
    const b = fixed(curve);
    const agent = createParticipantAgent({ id: 'p1', kind: 'prosumer', meterId: 'm1', node: 'tx-1', services: run.services('p1'), behaviour: b, sanctionedLoadKW: 10 });
    for (const phase of ['bid', 'exchange', 'clear', 'dispatch', 'physics', 'meter', 'settle'] as const) agent.onPhase?.({ phase, interval: 0, nowMs: run.clock.startMs });
    expect(agent.actualPowerKW?.('m1', 0)).toBe(1);
    expect(run.records.rows).toHaveLength(1);
    expect(run.records.rows[0]).toMatchObject({ clearedKW: 0 });
    expect(Number.isNaN(run.records.rows[0]!.pricePerKWh)).toBe(true);
    expect(b.followed).toEqual([undefined]);
    expect(agent.marketState(0)).toBe('closed');
  });

  it('bids for an interval whose bid phase passed once the catalogue arrives, if its gate is still open', () => {
    const run = createFakeRun();
    const svc: AgentServices = run.services('p1');
    const agent = createParticipantAgent({ id: 'p1', kind: 'prosumer', meterId: 'm1', node: 'tx-1', services: svc, behaviour: fixed(curve), sanctionedLoadKW: 10 });
    agent.onPhase?.({ phase: 'bid', interval: 0, nowMs: run.nowMs() });
    expect(run.records.requests.map((r) => r.action)).toEqual(['init', 'discover']);
    agent.onMessage({ action: 'on_discover', from: 'mca', transactionId: 'txn-setup-p1-market', messageId: 'x', timestampMs: run.nowMs(), payload: catalog(run.scenario, run.clock) });
    expect(run.records.requests.map((r) => `${r.action} ${r.transactionId}`)).toEqual(['init txn-setup-p1-deviation', 'discover txn-setup-p1-market', 'init txn-i0-p1']);
    expect(agent.offer()?.feePerKWh).toBe(run.scenario.market.feePerKWh);
  });

  it('retries discovery at later bid phases and gives up after three attempts', () => {
    const run = createFakeRun(testScenario());
    const agent = createParticipantAgent({ id: 'p1', kind: 'prosumer', meterId: 'm1', node: 'tx-1', services: run.services('p1'), behaviour: fixed(curve), sanctionedLoadKW: 10 });
    for (let k = 0; k < 5; k++) agent.onPhase?.({ phase: 'bid', interval: k, nowMs: run.clock.intervalStartMs(k) });
    expect(run.records.requests.filter((r) => r.action === 'discover')).toHaveLength(3);
    expect(run.records.notes.map((n) => n.text)).toEqual(['p1: gave up finding the market: no catalogue after 3 attempts']);
  });

  it('turns a NACK of its init into a failed interval with a note', () => {
    const run = createFakeRun();
    const agent = createParticipantAgent({ id: 'p1', kind: 'prosumer', meterId: 'm1', node: 'tx-1', services: run.services('p1'), behaviour: fixed(curve), sanctionedLoadKW: 10 });
    agent.onPhase?.({ phase: 'bid', interval: 0, nowMs: run.nowMs() });
    agent.onMessage({ action: 'on_discover', from: 'mca', transactionId: 'txn-setup-p1-market', messageId: 'x', timestampMs: run.nowMs(), payload: catalog(run.scenario, run.clock) });
    agent.onNack?.({ action: 'init', to: 'mca', transactionId: 'txn-i0-p1', messageId: 'm', code: '30001', message: 'invalid' });
    agent.onPhase?.({ phase: 'dispatch', interval: 0, nowMs: run.clock.startMs });
    expect(run.records.notes.map((n) => n.text)).toEqual(['p1: no deal for interval 0 (failed): init refused: 30001 invalid']);
    expect(run.records.rows[0]).toMatchObject({ interval: 0, clearedKW: 0 });
  });
});
