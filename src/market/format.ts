import type { ClearingResult } from './types.js';

/** Decimals of prices in the table. */
const PRICE_DECIMALS = 4;
/** Decimals of powers (kW) in the table. */
const KW_DECIMALS = 3;

/** Fixed decimals, never "-0.000". */
export function fixed(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** `v` rounded to `decimals` decimal places (default 9), with −0 as 0: float noise removed for JSON. */
export function roundNumber(v: number, decimals = 9): number {
  if (!Number.isFinite(v)) return v;
  const r = Number(v.toFixed(decimals));
  return r === 0 ? 0 : r;
}

/**
 * A deep copy of a clearing result with every number rounded by {@link roundNumber} (9 decimals:
 * nano-kW and nano-currency, far below any meter), so printed JSON carries no float noise such as
 * 5.500000000000001 or -1e-15.
 */
export function roundClearingResult(result: ClearingResult, decimals = 9): ClearingResult {
  return roundDeep(result, decimals) as ClearingResult;
}

function roundDeep(x: unknown, decimals: number): unknown {
  if (typeof x === 'number') return roundNumber(x, decimals);
  if (Array.isArray(x)) return x.map((v) => roundDeep(v, decimals));
  if (typeof x === 'object' && x !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = roundDeep(v, decimals);
    return out;
  }
  return x;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * The clearing result as text tables for people: a summary line, then nodes, participants and any
 * rationing. Prices with 4 decimals, powers in kW with 3.
 */
export function formatClearingTable(result: ClearingResult): string {
  const P = (v: number): string => fixed(v, PRICE_DECIMALS);
  const W = (v: number): string => fixed(v, KW_DECIMALS);
  const cur = result.currency;
  const out: string[] = [];
  const [a, b] = result.priceInterval;
  if (result.status === 'cleared') {
    out.push(`Cleared at ${P(result.price)} ${cur}/kWh (price rule ${result.priceRule}; balancing prices ${P(a)} to ${P(b)})`);
  } else if (result.status === 'cap') {
    out.push(`Short at the cap ${P(result.price)} ${cur}/kWh: ${W(result.unservedKW)} kW of demand unserved`);
  } else {
    out.push(`Long at the floor ${P(result.price)} ${cur}/kWh: ${W(result.curtailedKW)} kW of supply not placed`);
  }
  out.push(`Supply ${W(result.clearedSupplyKW)} kW, demand ${W(result.clearedDemandKW)} kW, net ${W(result.netKW)} kW`);
  out.push('');
  out.push('Nodes');
  out.push(
    table(
      ['node', 'parent', 'price', 'adder', 'flow kW', 'binding', 'limit kW', 'n', 'supply kW', 'demand kW', 'notes'],
      result.nodes.map((n) => {
        const notes: string[] = [];
        if (n.curtailedKW > 0) notes.push(`curtailed ${W(n.curtailedKW)} kW`);
        if (n.unservedKW > 0) notes.push(`unserved ${W(n.unservedKW)} kW`);
        if (n.overloadKW > 0) notes.push(`over limit by ${W(n.overloadKW)} kW`);
        return [
          n.id,
          n.parent ?? '-',
          P(n.price),
          P(n.adder),
          W(n.flowKW),
          n.binding ?? '-',
          n.limitKW === undefined ? '-' : W(n.limitKW),
          String(n.participants),
          W(n.clearedSupplyKW),
          W(n.clearedDemandKW),
          notes.join('; '),
        ];
      }),
      new Set([2, 3, 4, 6, 7, 8, 9]),
    ),
  );
  out.push('');
  out.push('Participants');
  out.push(
    table(
      ['participant', 'node', 'price', 'power kW', 'offset kW', 'rationed kW'],
      result.participants.map((p) => [p.id, p.node, P(p.price), W(p.powerKW), W(p.offsetKW), W(p.rationedKW)]),
      new Set([2, 3, 4, 5]),
    ),
  );
  if (result.rationed.length > 0) {
    out.push('');
    out.push('Rationed');
    out.push(
      table(
        ['side', 'node', 'price', 'excess kW', 'participants'],
        result.rationed.map((r) => [r.side, r.node, P(r.price), W(r.excessKW), r.participants.map((p) => `${p.id} ${W(p.reductionKW)}`).join(', ')]),
        new Set([2, 3]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
