import type { Ledger } from '../../src/settlement/ledger.js';
import { markdownTable, money, signedMoney } from './format.js';

/**
 * The money-flow section for `summary.md`: who paid whom in total (one row per payer, payee and
 * currency), each party's net position, and the conservation check (nets sum to zero per currency).
 */
export function moneyFlowMarkdown(ledger: Ledger, heading = '## Money flows'): string {
  const flows = ledger.moneyFlows();
  const parties = ledger.partyTotals();
  if (flows.length === 0) return `${heading}\n\nNo money moved in this run.\n`;
  const sums = new Map<string, bigint>();
  for (const p of parties) sums.set(p.currency, (sums.get(p.currency) ?? 0n) + p.netMinor);
  const conservation = [...sums]
    .map(([currency, sum]) => `${money(sum, currency)} ${currency}${sum === 0n ? ' (conserved)' : ' (NOT CONSERVED)'}`)
    .join(', ');
  return [
    heading,
    '',
    markdownTable(['payer', 'payee', 'currency', 'lines', 'amount'], flows.map((f) => [f.payer, f.payee, f.currency, String(f.lines), money(f.amountMinor, f.currency)]), [false, false, false, true, true]),
    '',
    markdownTable(
      ['party', 'currency', 'paid', 'received', 'net'],
      parties.map((p) => [p.party, p.currency, money(p.paidMinor, p.currency), money(p.receivedMinor, p.currency), signedMoney(p.netMinor, p.currency)]),
      [false, false, true, true, true],
    ),
    '',
    `Sum of net positions: ${conservation}.`,
    '',
  ].join('\n');
}
