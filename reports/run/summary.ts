import type { Simulation } from '../../src/run/simulate.js';
import type { DispatchRow } from '../../src/run/recorder.js';
import { moneyFlowMarkdown } from '../settlement/money-flow.js';
import { currencyExponent, formatMinor } from '../../src/settlement/money.js';

/** The numbers a person reads first about a run. Stable key order, fixed decimals. */
export interface RunSummary {
  readonly scenario: string;
  readonly seed: number;
  readonly profile: string;
  readonly start: string;
  readonly intervals: number;
  readonly intervalMinutes: number;
  readonly currency: string;
  readonly participants: Readonly<Record<string, number>>;
  readonly energyTradedKWh: number;
  readonly price: { readonly mean: number | null; readonly min: number | null; readonly max: number | null; readonly volatility: number | null };
  readonly clearingStatus: Readonly<Record<string, number>>;
  readonly bindingLimits: readonly { readonly node: string; readonly forward: number; readonly reverse: number; readonly maxAdderPerKWh: number }[];
  readonly deviationKWh: number;
  readonly unmetEvEnergyKWh: number;
  readonly transformerViolations: number;
  readonly voltageViolations: number;
  readonly lossesKWh: number;
  readonly messages: number;
  readonly nacks: number;
  readonly messagesByAction: Readonly<Record<string, number>>;
  readonly contracts: number;
  readonly ledgerLines: number;
  readonly netByParty: Readonly<Record<string, string>>;
}

const r = (x: number, d: number): number => {
  const v = Number(x.toFixed(d));
  return Object.is(v, -0) ? 0 : v;
};

/** Computes the summary of a finished simulation. */
export function summarize(sim: Simulation, dispatch: readonly DispatchRow[]): RunSummary {
  const s = sim.scenario;
  const h = sim.clock.intervalHours;
  const prices: number[] = [];
  const status: Record<string, number> = {};
  let traded = 0;
  const binding = new Map<string, { forward: number; reverse: number; maxAdder: number }>();
  for (let k = 0; k < sim.clock.intervals; k++) {
    const c = sim.recorder.clearings.get(k);
    if (c === undefined) {
      status['none'] = (status['none'] ?? 0) + 1;
      continue;
    }
    status[c.status] = (status[c.status] ?? 0) + 1;
    prices.push(c.price);
    traded += Math.min(c.clearedSupplyKW, c.clearedDemandKW) * h;
    for (const node of c.nodes) {
      if (node.binding === null) continue;
      const b = binding.get(node.id) ?? { forward: 0, reverse: 0, maxAdder: 0 };
      b[node.binding]++;
      b.maxAdder = Math.max(b.maxAdder, Math.abs(node.adder));
      binding.set(node.id, b);
    }
  }
  const mean = prices.length === 0 ? null : prices.reduce((a, b) => a + b, 0) / prices.length;
  // A loop, not Math.min(...prices): a year of 1-minute intervals would overflow the call stack.
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const p of prices) {
    if (p < lowest) lowest = p;
    if (p > highest) highest = p;
  }
  let vol: number | null = null;
  if (prices.length > 1) {
    const d = prices.slice(1).map((p, i) => p - (prices[i] as number));
    const m = d.reduce((a, b) => a + b, 0) / d.length;
    vol = Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length);
  }
  const participants: Record<string, number> = {};
  for (const a of sim.agents) participants[a.kind] = (participants[a.kind] ?? 0) + 1;
  const byAction: Record<string, number> = {};
  for (const line of sim.trace.messageLines) {
    const m = /"action":"([a-z_]+)"/.exec(line);
    const a = m?.[1] ?? 'unknown';
    byAction[a] = (byAction[a] ?? 0) + 1;
  }
  const exp = currencyExponent(s.currency) ?? 2;
  const net: Record<string, string> = {};
  for (const p of sim.settlement.ledger.partyTotals()) net[p.party] = formatMinor(p.netMinor, exp);
  const lossesKWh = sim.flows.filter((f) => f.kind === 'feeder-head').reduce((a, f) => a + f.lossesKW * h, 0);
  return {
    scenario: s.name,
    seed: s.seed,
    profile: s.protocol.profile,
    start: s.start,
    intervals: sim.clock.intervals,
    intervalMinutes: s.intervalMinutes,
    currency: s.currency,
    participants: sortKeys(participants),
    energyTradedKWh: r(traded, 3),
    price: { mean: mean === null ? null : r(mean, 4), min: prices.length === 0 ? null : r(lowest, 4), max: prices.length === 0 ? null : r(highest, 4), volatility: vol === null ? null : r(vol, 4) },
    clearingStatus: sortKeys(status),
    bindingLimits: [...binding.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([node, b]) => ({ node, forward: b.forward, reverse: b.reverse, maxAdderPerKWh: r(b.maxAdder, 4) })),
    deviationKWh: r(dispatch.reduce((a, d) => a + Math.abs(d.deviationKW) * h, 0), 3),
    unmetEvEnergyKWh: r(sim.recorder.metrics.get('unmetEvEnergyKWh') ?? 0, 3),
    transformerViolations: sim.flows.filter((f) => f.kind === 'transformer' && f.loadingPct !== null && f.loadingPct > 100 + 1e-9).length,
    voltageViolations: sim.violations.voltage,
    lossesKWh: r(lossesKWh, 3),
    messages: sim.trace.messageLines.length,
    nacks: sim.trace.ackLines.filter((l) => l.includes('"ack":"NACK"')).length,
    messagesByAction: sortKeys(byAction),
    contracts: sim.settlement.heldContracts().length,
    ledgerLines: sim.settlement.ledger.lineCount,
    netByParty: net,
  };
}

function sortKeys<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k] as T;
  return out;
}

/** `summary.md`: the summary as a page a person reads first, with the money-flow table. */
export function summaryMarkdown(sum: RunSummary, sim: Simulation): string {
  const lines: string[] = [];
  const p = sum.price;
  lines.push(`# Run summary: ${sum.scenario}`, '');
  lines.push(`Seed ${sum.seed}, profile \`${sum.profile}\`, ${sum.intervals} intervals of ${sum.intervalMinutes} min from ${sum.start}.`, '');
  lines.push('| figure | value |', '|---|---:|');
  lines.push(`| participants | ${Object.entries(sum.participants).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  lines.push(`| energy traded | ${sum.energyTradedKWh.toFixed(3)} kWh |`);
  lines.push(`| clearing price mean / min / max | ${fmt(p.mean)} / ${fmt(p.min)} / ${fmt(p.max)} ${sum.currency}/kWh |`);
  lines.push(`| price volatility (sd of interval change) | ${fmt(p.volatility)} ${sum.currency}/kWh |`);
  lines.push(`| clearing outcomes | ${Object.entries(sum.clearingStatus).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  lines.push(`| deviations (sum of \\|actual − cleared\\|) | ${sum.deviationKWh.toFixed(3)} kWh |`);
  lines.push(`| unmet EV energy | ${sum.unmetEvEnergyKWh.toFixed(3)} kWh |`);
  lines.push(`| transformer limit violations (intervals) | ${sum.transformerViolations} |`);
  lines.push(`| voltage band violations | ${sum.voltageViolations} |`);
  lines.push(`| network losses | ${sum.lossesKWh.toFixed(3)} kWh |`);
  lines.push(`| messages (NACKs) | ${sum.messages} (${sum.nacks}) |`);
  lines.push(`| contracts / ledger lines | ${sum.contracts} / ${sum.ledgerLines} |`, '');
  if (sum.bindingLimits.length > 0) {
    lines.push('## Binding grid limits', '', '| node | forward (intervals) | reverse (intervals) | largest adder per kWh |', '|---|---:|---:|---:|');
    for (const b of sum.bindingLimits) lines.push(`| ${b.node} | ${b.forward} | ${b.reverse} | ${b.maxAdderPerKWh.toFixed(4)} |`);
    lines.push('');
  }
  lines.push('## Messages by action', '', '| action | messages |', '|---|---:|');
  for (const [a, n] of Object.entries(sum.messagesByAction)) lines.push(`| ${a} | ${n} |`);
  lines.push('');
  lines.push(moneyFlowMarkdown(sim.settlement.ledger).trimEnd(), '');
  return `${lines.join('\n')}\n`;
}

function fmt(x: number | null): string {
  return x === null ? '–' : x.toFixed(4);
}
