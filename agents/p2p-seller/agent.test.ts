import { describe, expect, it } from 'vitest';
import type { ContractPayload } from '../../src/protocol/payloads.js';
import { TestRun, testScenario, type TestGrid } from '../shared/testing.js';
import { UtilityAgent } from '../utility/agent.js';
import type { MeterRecord } from '../utility/policy.js';
import { P2pBuyerAgent } from '../p2p-buyer/agent.js';
import { buyerParams } from '../p2p-buyer/params.js';
import { P2pSellerAgent } from './agent.js';
import { sellerParams } from './params.js';

/**
 * The bilateral trade end to end on the test bus (every message built, validated and parsed by
 * the Beckn 2.0.0 profile): one seller with a certain 3.5 kW surplus, two buyers drawing 2 kW each,
 * and the utility approving and locking the trades. The run covers 04:00–08:00 UTC.
 */
const GRID: TestGrid = { nodes: [{ id: 'feeder-head', kind: 'feeder-head' }, { id: 'tx-1', parent: 'feeder-head', kind: 'transformer' }], meterNodes: { 'm-s1': 'tx-1', 'm-b1': 'tx-1', 'm-b2': 'tx-1' } };

function bench(buyers: readonly string[] = ['buyer-1', 'buyer-2'], utilityMeters: readonly string[] = ['m-s1', 'm-b1', 'm-b2']) {
  const scenario = testScenario({ start: '2026-06-21T04:00:00Z', horizonHours: 4 });
  const kinds: Record<string, string> = { utility: 'utility', 'seller-1': 'p2p-seller' };
  for (const b of buyers) kinds[b] = 'p2p-buyer';
  const run = new TestRun(scenario, GRID, kinds);
  const n = run.clock.intervals;
  const owners: Record<string, string> = { 'm-s1': 'seller-1', 'm-b1': 'buyer-1', 'm-b2': 'buyer-2' };
  const meters = new Map<string, MeterRecord>(utilityMeters.map((m) => [m, { meterId: m, participantId: owners[m] ?? '?', nodeId: 'tx-1', sanctionedLoadKW: 10, maxExportKW: m === 'm-s1' ? 5 : 10 }]));
  const utility = new UtilityAgent('utility', { name: 'U', currency: 'INR', rules: scenario.utility, gridMode: 'exact', priceTick: 0.01, meters }, run.services('utility'));
  const se = sellerParams({ kind: 'p2p-seller', count: 1, forecastErrorSd: 0, minWindowHours: 1, maxWindowHours: 2 }, scenario);
  const be = buyerParams({ kind: 'p2p-buyer', count: 1, forecastErrorSd: 0 }, scenario);
  if (!se.ok || !be.ok) throw new Error('params');
  const flat = (kw: number): Float64Array => new Float64Array(n).fill(kw);
  const seller = new P2pSellerAgent({ id: 'seller-1', meterId: 'm-s1', node: 'tx-1', services: run.services('seller-1'), entry: se.value, site: { pvKWp: 5, annualKWh: 3000, maxExportKW: 5 }, sanctionedLoadKW: 10, profiles: { pvKW: flat(4), loadKW: flat(0.5), pvForecastKW: flat(4), loadForecastKW: flat(0.5) } });
  const bs = buyers.map((id, i) => new P2pBuyerAgent({ id, meterId: `m-b${i + 1}`, services: run.services(id), entry: be.value, sanctionedLoadKW: 10, profiles: { loadKW: flat(2), loadForecastKW: flat(2) } }));
  for (const a of [utility, seller, ...bs]) run.add(a);
  return { run, utility, seller, buyers: bs };
}

describe('bilateral P2P trade', () => {
  it('follows the DEG flow: discover, select, init with cascaded init, confirm with cascaded confirm, status until completed', () => {
    const { run, seller, buyers } = bench();
    run.run();
    expect(run.invalid).toEqual([]);
    // the seller's window: from 05:00 (an hour after the discover at 03:45, on a whole hour), two hours, 3.5 kW
    expect(seller.offerOf(0)).toMatchObject({ window: { start: '2026-06-21T05:00:00Z', end: '2026-06-21T07:00:00Z' }, blockKW: 3.5, pricePerKWh: 5.5 });
    const b1 = run.trace((d) => d.transactionId.startsWith('txn-p2p-r0-buyer-1') && d.action !== 'status' && d.action !== 'on_status');
    expect(b1).toEqual([
      'buyer-1→seller-1 discover',
      'seller-1→buyer-1 on_discover',
      'buyer-1→seller-1 select',
      'seller-1→buyer-1 on_select',
      'buyer-1→seller-1 init',
      'seller-1→utility init',
      'utility→seller-1 on_init',
      'seller-1→buyer-1 on_init',
      'buyer-1→seller-1 confirm',
      'seller-1→utility confirm',
      'utility→seller-1 on_confirm',
      'seller-1→buyer-1 on_confirm',
    ]);
    // buyer-1 takes its 2 kW; buyer-2 asks for 2 kW and is quoted the 1.5 kW left
    const [o1, o2] = buyers.map((b) => b.outcomes()[0]);
    expect([o1?.state, o2?.state]).toEqual(['completed', 'completed']);
    expect(o1?.contract?.roles.find((r) => r.role === 'BUYER')?.roleInputs?.['contractedKWh']).toBe(0.5);
    expect(o2?.contract?.roles.find((r) => r.role === 'BUYER')?.roleInputs?.['contractedKWh']).toBe(0.375);
    expect(seller.availableKW(0)).toBe(0);
    // eight statuses each, after every delivered interval; eight settlement reports of 0.5 kWh × 5.50 + 0.5 × 0.50
    expect(run.trace((d) => d.action === 'status' && d.from === 'buyer-1')).toHaveLength(8);
    expect(o1?.reports.map((r) => r.lines.map((l) => `${l.flowId} ${l.payer}→${l.payee} ${l.amount}`))[0]).toEqual(['energy buyer-1→seller-1 2.75', 'wheeling buyer-1→utility 0.25']);
    expect(o1?.reports).toHaveLength(8);
    expect(o2?.reports[7]?.lines.map((l) => l.amount)).toEqual(['2.06', '0.19']); // 0.375 × 5.5 = 2.0625, × 0.5 = 0.1875 (half to even)
  });

  it('has the utility lock both trades against the meters, in the window only', () => {
    const { run, utility } = bench();
    run.run(4); // the window is intervals 4–11; their locks are held until each is settled
    expect(utility.lockedAt('m-s1', 4)).toEqual({ importKW: 0, exportKW: 3.5 });
    expect(utility.lockedAt('m-b1', 7)).toEqual({ importKW: 2, exportKW: 0 });
    expect(utility.lockedAt('m-b2', 5)).toEqual({ importKW: 1.5, exportKW: 0 });
    expect(utility.lockedAt('m-s1', 11)).toEqual({ importKW: 0, exportKW: 3.5 });
    expect(utility.lockedAt('m-s1', 12)).toEqual({ importKW: 0, exportKW: 0 });
  });

  it('settles what the meters do beyond the locked trades under the deviation contracts', () => {
    const { run } = bench();
    run.run();
    const dev = (id: string, k: number): string[] => {
      const r = run.recorder.inputsOf(`dev-${id}`, k);
      return [String(r.roleInputs?.PROSUMER?.['clearedKWh'])];
    };
    // in the window the seller's meter is locked at +3.5 kW (0.875 kWh) and delivers exactly that
    expect(dev('seller-1', 4)).toEqual(['0.875']);
    expect(dev('buyer-1', 4)).toEqual(['-0.5']);
    expect(dev('seller-1', 2)).toEqual(['0']);
    expect(run.recorder.errors).toEqual([]);
    expect([...run.recorder.contracts.keys()].sort()).toEqual(['dev-buyer-1', 'dev-buyer-2', 'dev-seller-1', 'p2p-seller-1-buyer-1-r0', 'p2p-seller-1-buyer-2-r0']);
  });

  it('passes the grid operator’s refusal to the buyer, frees the block and leaves the buyer without a deal', () => {
    // the utility does not serve buyer-1's meter: it refuses the cascaded init
    const { run, seller, buyers } = bench(['buyer-1'], ['m-s1']);
    run.run(2);
    expect(run.invalid).toEqual([]);
    expect(run.trace((d) => d.transactionId.startsWith('txn-p2p-r0-buyer-1')).slice(4, 8)).toEqual(['buyer-1→seller-1 init', 'seller-1→utility init', 'utility→seller-1 on_init', 'seller-1→buyer-1 on_init']);
    expect(buyers[0]?.outcomes()[0]?.state).toBe('noDeal');
    expect(seller.tradeState('p2p-seller-1-buyer-1-r0')).toBe('refused');
    expect(seller.availableKW(0)).toBe(3.5);
    expect(run.recorder.notes.map((x) => x.text)).toContain('buyer-1: offer p2p-offer-seller-1-r0 refused in round 0: on_init: refused: grid operator: grid-refused: meter m-b1 is not a connection of this utility');
  });

  it('refuses a confirm for a trade it does not hold, and keeps the real one', () => {
    const { run, seller } = bench(['buyer-1']);
    run.run(1);
    const confirmPayload = (msg: { payload: unknown }): ContractPayload => msg.payload as ContractPayload;
    const quoted = run.delivered.find((d) => d.action === 'on_select');
    expect(quoted).toBeDefined();
    const changed = { ...confirmPayload(quoted as { payload: unknown }) };
    const tampered = { ...changed, contract: { ...changed.contract, contractId: 'p2p-seller-1-buyer-1-r9' } };
    const probe = run.services('buyer-1');
    probe.net.request({ to: 'seller-1', action: 'confirm', transactionId: 'txn-x', payload: tampered });
    run.deliverUntil(run.clock.startMs + run.clock.intervalMs + 120_000);
    const answer = run.delivered.filter((d) => d.transactionId === 'txn-x' && d.action === 'on_confirm').map((d) => (d.payload as ContractPayload).contract);
    expect(answer.map((c) => [c.status, c.roles.find((r) => r.role === 'SELLER')?.roleInputs?.['refusal']])).toEqual([['TERMINATED', 'unknown-contract: no trade p2p-seller-1-buyer-1-r9 with buyer-1']]);
    expect(seller.tradeState('p2p-seller-1-buyer-1-r0')).toBe('active');
  });
});
