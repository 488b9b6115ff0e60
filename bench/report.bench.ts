/**
 * Report and diagram benchmark. For synthetic run folders of growing size (intervals ×
 * participants, 15-minute intervals, 10 transformers, one bus per four participants, two ledger
 * lines per participant and interval, the pay-as-clear trace of interval 0 at 9 messages per
 * participant), times the steps of `writeHtmlReport` (reading the folder, building the model,
 * rendering report.html, writing it atomically) and their total, and the sequence diagram of the trace (build, collapsed build, SVG,
 * Mermaid). The run folders are generated from a seed into a temporary folder, then removed.
 *
 * Run: npx tsx bench/report.bench.ts [--quick]   (--quick: the two small sizes only)
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomStream } from '../src/kernel/random.js';
import { buildSequenceDiagram, participantsFromScenario, toMermaid, toSvg } from '../reports/diagram/index.js';
import { buildReportModel, loadReportAssets, readRunFolder, renderReportHtml, writeFileAtomic } from '../reports/html/index.js';

const quick = process.argv.includes('--quick');
const sizes: readonly (readonly [number, number])[] = quick
  ? [
      [24, 20],
      [96, 100],
    ]
  : [
      [24, 20],
      [96, 100],
      [96, 1_000],
      [96, 2_500],
    ];

const T0 = Date.parse('2025-06-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const f = (x: number, d: number): string => x.toFixed(d);

/** Writes a synthetic run folder and returns the number of trace messages. */
async function generate(dir: string, intervals: number, n: number): Promise<number> {
  const rng = randomStream(20_250_601, `report-bench-${intervals}x${n}`);
  const kinds = ['prosumer', 'consumer', 'cpo', 'battery'] as const;
  const parts = Array.from({ length: n }, (_, i) => ({
    id: `${kinds[i % 4]}-${i}`,
    kind: kinds[i % 4] ?? 'prosumer',
    node: `tx-${i % 10}`,
    bus: `bus-${Math.floor(i / 4)}`,
    maxKW: rng.uniform(2, 12),
  }));
  const clearing = ['interval,start,node,price,adderPerKWh,clearedSupplyKW,clearedDemandKW,netKW,participants,status'];
  const dispatch = ['interval,start,participant,kind,node,meterId,offeredMinKW,offeredMaxKW,clearedKW,pricePerKWh,actualKW,deviationKW'];
  const flows = ['interval,start,element,kind,loadingKW,limitKW,loadingPct,reverse,voltagePu,lossesKW'];
  const settlement = ['interval,contractId,payer,payee,kind,quantity,unit,ratePerUnit,amount,currency,formula'];
  for (let t = 0; t < intervals; t++) {
    const start = iso(T0 + t * 900_000);
    const price = 4 + Math.sin((t / intervals) * 2 * Math.PI) + rng.normal(0, 0.1);
    let supply = 0;
    for (const p of parts) {
      const sign = p.kind === 'prosumer' ? 1 : p.kind === 'battery' ? (rng.bernoulli(0.5) ? 1 : -1) : -1;
      const cleared = sign * rng.uniform(0, p.maxKW);
      const actual = cleared + rng.normal(0, 0.2);
      if (cleared > 0) supply += cleared;
      dispatch.push([t, start, p.id, p.kind, p.node, `m-${p.id}`, f(Math.min(0, sign * p.maxKW), 3), f(Math.max(0, sign * p.maxKW), 3), f(cleared, 3), f(price, 4), f(actual, 3), f(actual - cleared, 3)].join(','));
      const kwh = Math.abs(cleared) / 4;
      settlement.push([t, `pac-i${t}-${p.id}`, cleared > 0 ? 'mca' : p.id, cleared > 0 ? p.id : 'mca', 'energy', f(kwh, 3), 'kWh', f(price, 4), f(kwh * price, 2), 'INR', 'cleared * price'].join(','));
      settlement.push([t, `pac-i${t}-${p.id}`, p.id, 'mca', 'fee', f(kwh, 3), 'kWh', '0.0500', f(kwh * 0.05, 2), 'INR', 'cleared * fee'].join(','));
    }
    clearing.push([t, start, 'market', f(price, 4), '0.0000', f(supply, 3), f(supply, 3), '0.000', n, 'cleared'].join(','));
    for (let k = 0; k < 10; k++) {
      const adder = rng.bernoulli(0.2) ? -rng.uniform(0, 0.5) : 0;
      clearing.push([t, start, `tx-${k}`, f(price + adder, 4), f(adder, 4), f(supply / 10, 3), f(supply / 10, 3), '0.000', Math.ceil(n / 10), 'cleared'].join(','));
      const load = rng.uniform(20, 110);
      flows.push([t, start, `tx-${k}`, 'transformer', f(load * 4, 3), '400.0', f(load, 2), 'false', '', f(load / 50, 3)].join(','));
    }
    for (let b = 0; b < Math.ceil(n / 4); b++) flows.push([t, start, `bus-${b}`, 'bus', '', '', '', 'false', f(1 + rng.normal(0, 0.02), 4), ''].join(','));
  }
  const messages: string[] = [];
  const acks: string[] = [];
  let m = 0;
  const send = (action: string, bap: string, bpp: string, txn: string, attributes: object): void => {
    const id = `msg-${++m}`;
    const context = { version: '2.0.0', action, domain: 'energy-trade', bapId: bap, bapUri: `https://${bap}`, bppId: bpp, bppUri: `https://${bpp}`, transactionId: txn, messageId: id, timestamp: iso(T0 - 600_000 + m), ttl: 'PT30S' };
    messages.push(JSON.stringify({ context, message: { contract: { id: txn, status: { code: 'DRAFT' }, commitments: [], contractAttributes: attributes } } }));
    acks.push(JSON.stringify({ messageId: id, action, from: action.startsWith('on_') ? bpp : bap, to: action.startsWith('on_') ? bap : bpp, ack: 'ACK' }));
  };
  const curve = { currency: 'INR', minExport: -5, maxExport: 5, curve: [{ price: 3, powerKW: -5 }, { price: 4, powerKW: 0 }, { price: 5, powerKW: 5 }] };
  for (const p of parts) {
    const bap = `${p.id}.degsim.test`;
    const txn = `txn-i0-${p.id}`;
    const cascade = `txn-i0-mca-utility-${p.id}`;
    send('init', bap, 'mca.degsim.test', txn, { roles: [{ role: 'PROSUMER', roleInputs: { offerCurve: curve } }] });
    send('init', 'mca.degsim.test', 'utility.degsim.test', cascade, { roles: [{ role: 'PROSUMER', roleInputs: { offerCurve: curve } }] });
    send('on_init', 'mca.degsim.test', 'utility.degsim.test', cascade, { inputParameters: { approvedMaxTradeKW: { value: 5, unit: 'kW' } } });
    send('on_init', bap, 'mca.degsim.test', txn, { inputParameters: { approvedMaxTradeKW: { value: 5, unit: 'kW' } } });
    send('confirm', bap, 'mca.degsim.test', txn, { roles: [{ role: 'PROSUMER', roleInputs: { offerCurve: curve } }] });
  }
  for (const p of parts) {
    send('confirm', 'mca.degsim.test', 'utility.degsim.test', `txn-i0-mca-utility-${p.id}`, { roles: [{ role: 'PROSUMER', roleInputs: { clearedKW: 2 } }] });
    send('on_confirm', 'mca.degsim.test', 'utility.degsim.test', `txn-i0-mca-utility-${p.id}`, { status: 'ACTIVE', roles: [{ role: 'PROSUMER', roleInputs: { clearedKW: 2 } }] });
  }
  for (const p of parts) {
    send('on_confirm', `${p.id}.degsim.test`, 'mca.degsim.test', `txn-i0-${p.id}`, { status: 'ACTIVE', inputParameters: { clearingPricePerKWh: { value: 4, unit: 'INR/kWh' } }, roles: [{ role: 'PROSUMER', roleInputs: { clearedKW: 2 } }] });
    send('status', `${p.id}.degsim.test`, 'mca.degsim.test', `txn-i0-${p.id}`, {});
  }
  const scenario = { name: 'bench', participants: parts.map((p) => ({ id: p.id, kind: p.kind })) };
  const summary = { scenario: 'bench', seed: 1, profile: 'beckn-2.0.0', intervals, intervalMinutes: 15, start: iso(T0), currency: 'INR' };
  await Promise.all([
    writeFile(join(dir, 'clearing.csv'), `${clearing.join('\n')}\n`),
    writeFile(join(dir, 'dispatch.csv'), `${dispatch.join('\n')}\n`),
    writeFile(join(dir, 'flows.csv'), `${flows.join('\n')}\n`),
    writeFile(join(dir, 'settlement.csv'), `${settlement.join('\n')}\n`),
    writeFile(join(dir, 'messages.ndjson'), `${messages.join('\n')}\n`),
    writeFile(join(dir, 'acks.ndjson'), `${acks.join('\n')}\n`),
    writeFile(join(dir, 'scenario.resolved.json'), JSON.stringify(scenario)),
    writeFile(join(dir, 'summary.json'), JSON.stringify(summary)),
  ]);
  return messages.length;
}

async function time<T>(fn: () => T | Promise<T>): Promise<{ readonly ms: number; readonly value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

const pad = (s: string, w: number): string => s.padStart(w);
const ms = (x: number): string => x.toFixed(1);

const root = await mkdtemp(join(tmpdir(), 'degsim-report-bench-'));
try {
  await loadReportAssets();
  const header = ['intervals', 'particip.', 'input MB', 'read ms', 'model ms', 'render ms', 'write ms', 'total ms', 'html KB', 'messages', 'diag ms', 'collapsed ms', 'svg ms', 'mermaid ms', 'arrows/coll.'];
  const widths = header.map((h) => Math.max(h.length, 9));
  console.log(header.map((h, i) => pad(h, widths[i] ?? 9)).join(' '));
  for (const [intervals, n] of sizes) {
    const dir = join(root, `${intervals}x${n}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    const messageCount = await generate(dir, intervals, n);
    let inputBytes = 0;
    for (const file of ['clearing.csv', 'dispatch.csv', 'flows.csv', 'settlement.csv', 'messages.ndjson']) inputBytes += (await stat(join(dir, file))).size;

    const read = await time(() => readRunFolder(dir));
    const model = await time(() => buildReportModel(read.value));
    const assets = await loadReportAssets();
    const render = await time(() => renderReportHtml(model.value, assets));
    const write = await time(() => writeFileAtomic(join(dir, 'report.html'), render.value));
    const html = (await stat(join(dir, 'report.html'))).size;

    const messages = read.value.messages.state === 'ok' ? read.value.messages.value : [];
    const participants = read.value.scenario.state === 'ok' ? participantsFromScenario(read.value.scenario.value) : [];
    const diagram = await time(() => buildSequenceDiagram(messages, { participants }));
    const collapsed = await time(() => buildSequenceDiagram(messages, { participants, collapse: true }));
    const svg = await time(() => toSvg(diagram.value));
    const mermaid = await time(() => toMermaid(diagram.value));
    const arrows = (d: typeof diagram.value): number => d.steps.filter((s) => s.type === 'arrow').length;

    const row = [
      String(intervals),
      String(n),
      (inputBytes / 1e6).toFixed(1),
      ms(read.ms),
      ms(model.ms),
      ms(render.ms),
      ms(write.ms),
      ms(read.ms + model.ms + render.ms + write.ms),
      (html / 1024).toFixed(0),
      String(messageCount),
      ms(diagram.ms),
      ms(collapsed.ms),
      ms(svg.ms),
      ms(mermaid.ms),
      `${arrows(diagram.value)}/${arrows(collapsed.value)}`,
    ];
    console.log(row.map((c, i) => pad(c, widths[i] ?? 9)).join(' '));
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
