import { beforeAll, describe, expect, it } from 'vitest';
import { messagesOf, nacksOf, netSumMinor, runUseCase, type RunFolder } from './support.js';

/**
 * Bilateral P2P trade side by side with the pay-as-clear market (scenarios/p2p-bilateral.yaml):
 * three PV owners offer fixed-price blocks, four buyers take them through discover → select → init
 * (cascaded to the utility) → confirm (cascaded) → status until completed; prosumers and a battery
 * trade in the market meanwhile. The objective: every trade is approved, locked and delivered, and
 * both sides come out better than without it — each buyer pays less for the same metered energy
 * than at retail, each seller earns more than feed-in for it.
 */

const RETAIL = 8;
const FEED_IN = 3;
const BUYERS = ['buyer-1', 'buyer-2', 'buyer-3', 'buyer-4'];
const SELLERS = ['seller-1', 'seller-2', 'seller-3'];

/** What a party paid (positive) or received (negative) in interval k under every contract. */
function paidIn(run: RunFolder, party: string, k: number): number {
  return run.settlement.filter((r) => r.interval === k).reduce((a, r) => a + (r.payer === party ? r.amount : r.payee === party ? -r.amount : 0), 0);
}

/** Over the intervals a party traded in: what it paid less what the same meter data costs on the utility's tariffs alone. */
function againstTariffs(run: RunFolder, party: string): number {
  let total = 0;
  for (const d of run.dispatch.filter((x) => x.participant === party)) {
    const kwh = d.actualKW * 0.25;
    const alone = RETAIL * Math.max(0, -kwh) - FEED_IN * Math.max(0, kwh);
    total += paidIn(run, party, d.interval) - alone;
  }
  return Math.round(total * 100) / 100;
}

describe('use case: bilateral P2P trade beside a pay-as-clear market', () => {
  let run: RunFolder;
  beforeAll(async () => {
    run = await runUseCase('p2p-bilateral');
  }, 60_000);

  it('runs from the CLI with every message accepted, the books balanced and the market clearing every interval', () => {
    expect(nacksOf(run)).toEqual([]);
    expect(netSumMinor(run)).toBe(0);
    expect(run.summary.clearingStatus).toEqual({ cleared: 32 });
    const count = (action: string, from: RegExp, to: RegExp): number => run.acks.filter((a) => a.action === action && from.test(a.from) && to.test(a.to)).length;
    const [buyer, seller, utility] = [/^buyer/, /^seller/, /^utility$/];
    // 4 buyers ask 3 sellers; 6 selects, as two buyers find seller-1 sold out and move on; 4 trades,
    // each cascaded to the utility at init and confirm (beside the 3 sellers' deviation contracts);
    // a status after each of the 20 delivered intervals
    expect([count('discover', buyer, seller), count('on_discover', seller, buyer), count('select', buyer, seller), count('init', buyer, seller), count('confirm', buyer, seller), count('status', buyer, seller)]).toEqual([12, 12, 6, 4, 4, 80]);
    expect([count('init', seller, utility), count('confirm', seller, utility), count('on_confirm', seller, buyer)]).toEqual([4 + 3, 4 + 3, 4]);
  });

  it('forms four trades, each approved and locked by the utility and delivered to completion', () => {
    const trades = run.settlement.filter((r) => r.contractId.startsWith('p2p-') && r.kind === 'energy');
    const byContract = new Map<string, { kwh: number; price: number; lines: number }>();
    for (const r of trades) {
      const x = byContract.get(r.contractId) ?? { kwh: 0, price: r.ratePerUnit, lines: 0 };
      byContract.set(r.contractId, { kwh: x.kwh + r.quantity, price: x.price, lines: x.lines + 1 });
    }
    expect([...byContract.entries()].sort().map(([id, x]) => [id, Number(x.kwh.toFixed(4)), x.price, x.lines])).toEqual([
      ['p2p-seller-1-buyer-1-r0', 5.7, 5, 20],
      ['p2p-seller-1-buyer-2-r0', 2.75, 5, 20],
      ['p2p-seller-2-buyer-4-r0', 3.95, 5.5, 20],
      ['p2p-seller-3-buyer-3-r0', 7.15, 6, 20],
    ]);
    // each buyer's last status answer: the contract and the delivery completed, 20 settlement reports received
    const statuses = messagesOf(run, 'on_status').filter((m) => m.from.startsWith('seller'));
    const last = BUYERS.map((b) => statuses.filter((m) => m.to === b).at(-1)?.payload);
    expect(last.map((p) => [p?.contract.contractId, p?.contract.status, p?.delivery?.status])).toEqual([
      ['p2p-seller-1-buyer-1-r0', 'COMPLETED', 'COMPLETED'],
      ['p2p-seller-1-buyer-2-r0', 'COMPLETED', 'COMPLETED'],
      ['p2p-seller-3-buyer-3-r0', 'COMPLETED', 'COMPLETED'],
      ['p2p-seller-2-buyer-4-r0', 'COMPLETED', 'COMPLETED'],
    ]);
    expect(BUYERS.map((b) => new Set(statuses.filter((m) => m.to === b).map((m) => m.payload.settlement?.reportId)).size)).toEqual([20, 20, 20, 20]);
    // the utility's approval is in every confirmed contract: the largest trade both meters carry
    const confirmed = messagesOf(run, 'on_confirm').filter((m) => m.from.startsWith('seller'));
    expect(confirmed.map((m) => [m.payload.contract.status, (m.payload.contract.inputParameters?.['approvedMaxTradeKW']?.value ?? 0) > 0])).toEqual(Array.from({ length: 4 }, () => ['ACTIVE', true]));
    // each seller's offer as the first buyer saw it: its window and its whole block
    const firstOffer = SELLERS.map((s) => messagesOf(run, 'on_discover').find((m) => m.from === s)?.payload.catalogs[0]?.offers[0]?.attributes);
    expect(firstOffer.map((o) => [o?.window?.start, o?.window?.end, o?.maxPowerKW, o?.indicativePricePerKWh])).toEqual([
      ['2026-06-21T04:00:00Z', '2026-06-21T09:00:00Z', 1.69, 5],
      ['2026-06-21T05:00:00Z', '2026-06-21T10:00:00Z', 0.79, 5.5],
      ['2026-06-21T04:00:00Z', '2026-06-21T09:00:00Z', 3, 6],
    ]);
    // the wheeling charge goes to the utility on every traded kWh
    const wheeling = run.settlement.filter((r) => r.contractId.startsWith('p2p-') && r.payee === 'utility').reduce((a, r) => a + r.amount, 0);
    expect(wheeling).toBeCloseTo(9.8, 2);
  });

  it('leaves every buyer paying less and every seller earning more than the tariffs would on the same meter data', () => {
    const buyerSavings = BUYERS.map((b) => -againstTariffs(run, b));
    const sellerGains = SELLERS.map((s) => -againstTariffs(run, s));
    for (const [i, x] of buyerSavings.entries()) expect(x, BUYERS[i]).toBeGreaterThan(0);
    for (const [i, x] of sellerGains.entries()) expect(x, SELLERS[i]).toBeGreaterThan(0);
    expect(buyerSavings).toEqual([11.68, 6.81, 8.88, 7.77]);
    expect(sellerGains).toEqual([12.58, 8.94, 21.33]);
  });
});
