/**
 * Use-case benchmark: the bilateral P2P, destination EV charging and home-EV-on-TOU scenarios run
 * in memory (`simulate`, the whole run without writing the folder), as written and with four times
 * the participants of the use case, reporting simulated intervals, agents, messages, contracts and
 * ledger lines with the wall time, intervals per second and messages per second. Every message is
 * built, signed, validated, verified and parsed as in any run; the figure of merit is messages per
 * second, since the protocol dominates these agent-light scenarios.
 *
 * Run: npx tsx bench/use-cases.bench.ts [--quick]   (--quick: the scenarios as written, 4 hours each)
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatDiagnostic } from '../src/diagnostics.js';
import { loadScenarioFile } from '../src/scenario/loader.js';
import { simulate } from '../src/run/simulate.js';

const quick = process.argv.includes('--quick');

interface Case {
  readonly label: string;
  readonly scenario: string;
  readonly overrides: readonly string[];
}

const SCALED: readonly Case[] = [
  { label: 'p2p-bilateral ×4 buyers', scenario: 'p2p-bilateral', overrides: ['participants[7].count=16', 'feeder.generate.customersPerTransformer=30'] },
  { label: 'destination-ev-charging ×4 drivers', scenario: 'destination-ev-charging', overrides: ['participants[3].count=96', 'participants[1].evses=16', 'participants[2].evses=16'] },
  { label: 'home-ev-tou ×4 homes', scenario: 'home-ev-tou', overrides: ['participants[1].count=24', 'feeder.generate.customersPerTransformer=40'] },
];
const AS_WRITTEN: readonly Case[] = [
  { label: 'p2p-bilateral', scenario: 'p2p-bilateral', overrides: [] },
  { label: 'destination-ev-charging', scenario: 'destination-ev-charging', overrides: [] },
  { label: 'home-ev-tou', scenario: 'home-ev-tou', overrides: [] },
];
const cases: readonly Case[] = quick ? AS_WRITTEN.map((c) => ({ ...c, label: `${c.label} (4 h)`, overrides: ['horizonHours=4'] })) : [...AS_WRITTEN, ...SCALED];

interface Row {
  readonly label: string;
  readonly intervals: number;
  readonly agents: number;
  readonly messages: number;
  readonly contracts: number;
  readonly lines: number;
  readonly seconds: number;
}

async function measure(c: Case): Promise<Row> {
  const loaded = loadScenarioFile(join(import.meta.dirname, '..', 'scenarios', `${c.scenario}.yaml`), { overrides: ['reports.html=false', ...c.overrides] });
  if (!loaded.ok) throw new Error(loaded.errors.map(formatDiagnostic).join('\n'));
  const t0 = performance.now();
  const sim = await simulate(loaded.value);
  const seconds = (performance.now() - t0) / 1000;
  if (!sim.ok) throw new Error(sim.errors.map(formatDiagnostic).join('\n'));
  const s = sim.value;
  return { label: c.label, intervals: s.clock.intervals, agents: s.agents.length, messages: s.trace.messageLines.length, contracts: s.settlement.heldContracts().length, lines: s.settlement.ledger.lineCount, seconds };
}

const rows: Row[] = [];
for (const c of cases) rows.push(await measure(c));

const header = ['scenario', 'intervals', 'agents', 'messages', 'contracts', 'ledger lines', 'wall s', 'intervals/s', 'messages/s'];
const body = rows.map((r) => [r.label, String(r.intervals), String(r.agents), String(r.messages), String(r.contracts), String(r.lines), r.seconds.toFixed(2), (r.intervals / r.seconds).toFixed(1), (r.messages / r.seconds).toFixed(0)]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
const line = (cells: readonly string[]): string => cells.map((x, i) => (i === 0 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join('  ');
process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${body.map(line).join('\n')}\n`);
