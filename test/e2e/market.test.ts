import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import { runScenario } from '../../src/run/run.js';
import { getProfile } from '../../src/protocol/profiles/index.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { clearMarket } from '../../src/market/index.js';
import { clipCurve, gridNodesFromCatalog, marketInputFor, type ClearingBid } from '../../agents/mca/policy.js';
import type { CatalogPayload } from '../../src/protocol/payloads.js';

const scenario = join(import.meta.dirname, '..', '..', 'scenarios', 'default.yaml');
// Midday in Bengaluru (UTC+5:30): T002's reverse-flow limit binds. Forecasts are perfect, so
// participants follow their setpoints exactly and physics shows what the market decided.
const overrides = [
  'horizonHours=1.5',
  'start=2026-06-21T06:30:00Z',
  'participants[2].forecastErrorSd=0',
  'participants[3].forecastErrorSd=0',
  'participants[4].forecastErrorSd=0',
  'participants[6].forecastErrorSd=0',
];

let dir = '';
let messages: { context: { action: string; bapId?: string; bppId?: string; transactionId?: string }; message: unknown }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'degsim-market-'));
  const r = await runScenario({ scenarioPath: scenario, overrides, outDir: join(dir, 'run') });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  messages = readFileSync(join(dir, 'run', 'messages.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as (typeof messages)[number]);
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = (name: string): Record<string, string>[] => csvParse(readFileSync(join(dir, 'run', name), 'utf8')) as unknown as Record<string, string>[];

describe('the pay-as-clear market, end to end', () => {
  it('follows the flow of the design: discover once, then init → cascaded init → on_init → confirm → cascaded confirm → on_confirm, no select', () => {
    const seq = (pid: string): string[] =>
      messages
        .filter((m) => m.context.bapId === pid || (m.context.bapId === 'mca' && m.context.bppId === 'utility'))
        .map((m) => `${m.context.action}:${m.context.bapId}->${m.context.bppId}`);
    expect(messages.some((m) => m.context.action === 'select')).toBe(false);
    const own = messages.filter((m) => m.context.bapId === 'solar-t2-1').map((m) => m.context.action);
    expect(own.filter((a) => a === 'discover')).toHaveLength(1);
    expect(own.filter((a) => a === 'on_discover')).toHaveLength(1);
    // The first interval of solar-t2-1, in delivery order, with the MCA's cascades to the utility between.
    const flow = seq('solar-t2-1');
    const firstInit = flow.indexOf('init:solar-t2-1->mca');
    const order = ['init:solar-t2-1->mca', 'init:mca->utility', 'on_init:mca->utility', 'on_init:solar-t2-1->mca', 'confirm:solar-t2-1->mca', 'confirm:mca->utility', 'on_confirm:mca->utility', 'on_confirm:solar-t2-1->mca'];
    let at = firstInit;
    for (const step of order) {
      const i = flow.indexOf(step, at);
      expect(i, step).toBeGreaterThanOrEqual(at);
      at = i;
    }
  });

  it('cleared powers in dispatch.csv equal the clearing engine on the same curves and limits', () => {
    const profile = getProfile('beckn-2.0.0');
    const catalog = messages.find((m) => m.context.action === 'on_discover' && m.context.bppId === 'utility');
    expect(catalog).toBeDefined();
    const parsedCatalog = profile.parse(catalog, { assumeValid: true });
    if (!parsedCatalog.ok) throw new Error('catalog does not parse');
    const grid = gridNodesFromCatalog(parsedCatalog.value.payload as CatalogPayload);
    if (!grid.ok) throw new Error('no grid');
    const dispatch = rows('dispatch.csv');
    const start = '2026-06-21T07:00:00Z';
    // Confirms of the interval starting at `start`, with the approval the utility gave.
    const bids: ClearingBid[] = [];
    for (const m of messages) {
      if (m.context.action !== 'confirm' || m.context.bppId !== 'mca') continue;
      const p = profile.parse(m, { assumeValid: true });
      if (!p.ok || p.value.payload.kind !== 'contract') continue;
      const c: EnergyContract = p.value.payload.contract;
      if (c.validity?.start !== start) continue;
      const role = c.roles.find((r) => r.role === 'PROSUMER');
      const curve = role?.roleInputs?.['offerCurve'] as OfferCurve;
      const node = role?.roleInputs?.['gridNodeId'];
      const limits = { maxImportKW: c.inputParameters?.['approvedMaxImportKW']?.value ?? 0, maxExportKW: c.inputParameters?.['approvedMaxExportKW']?.value ?? 0 };
      bids.push({ participantId: role?.filledBy ?? '', ...(typeof node === 'string' ? { nodeId: node } : {}), curve: clipCurve(curve, limits) });
    }
    expect(bids.length).toBeGreaterThan(30);
    const result = clearMarket(marketInputFor(bids, grid.value, { currency: 'INR', priceFloor: -2, priceCap: 15, priceTick: 0.01, priceRule: 'midpoint', gridMode: 'exact' }));
    const interval = dispatch.filter((d) => d['start'] === start);
    expect(interval.length).toBe(bids.length);
    for (const p of result.participants) {
      const row = interval.find((d) => d['participant'] === p.id);
      expect(Number(row?.['clearedKW']), p.id).toBeCloseTo(p.powerKW, 3);
      expect(Number(row?.['pricePerKWh']), p.id).toBeCloseTo(p.price, 4);
    }
  });

  it('the binding transformer shows a locational adder and stays within its limit when setpoints are followed', () => {
    const clearing = rows('clearing.csv').filter((r) => r['node'] === 'T002');
    const binding = clearing.filter((r) => r['status'] === 'binding-reverse');
    expect(binding.length).toBeGreaterThan(0);
    for (const b of binding) {
      expect(Number(b['adderPerKWh'])).toBeLessThan(0);
      expect(Number(b['netKW'])).toBeCloseTo(15, 3);
    }
    const flows = rows('flows.csv').filter((r) => r['element'] === 'T002');
    for (const b of binding) {
      const f = flows.find((x) => x['interval'] === b['interval']);
      // Physical export through T002 = the market's 15 kW minus what the customers behind it
      // who do not trade consume, plus losses: never more than the limit.
      expect(Number(f?.['loadingPct'])).toBeLessThanOrEqual(100);
    }
  });
});
