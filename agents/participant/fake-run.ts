import { stringify } from 'yaml';
import type { EnergyContract, RoleInputValue } from '../../src/contracts/model.js';
import type { PeriodInputs } from '../../src/contracts/evaluate.js';
import { payAsClearParticipant, CLEARING_PRICE_SIGNAL } from '../../src/contracts/templates/index.js';
import { createClock, isoOf, type SimClock } from '../../src/kernel/clock.js';
import { PHASES, phaseTimes, type Phase } from '../../src/kernel/phases.js';
import { createRandomStreams } from '../../src/kernel/random.js';
import { curvePowerAt } from '../../src/market/curve.js';
import type { CatalogPayload, ContractPayload, EnergyResourceType } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, DispatchRecord, InboundMessage, OutboundRequest } from '../../src/run/agent.js';
import { loadScenarioText } from '../../src/scenario/loader.js';
import type { Scenario } from '../../src/scenario/types.js';
import { intervalCount } from '../../src/scenario/types.js';
import { setpointWithCommand } from '../shared/setpoint.js';
import { withParameters, withRoleInputs } from '../shared/terms.js';
import { isResourceType } from '../shared/setpoint.js';
import { curveOf } from './terms.js';

/**
 * Test support: a participant alone with a stand-in market. The stand-in plays the market clearing
 * agent and the grid operator the way the protocol says (catalogue, approvals on on_init, on_confirm
 * at gate closure with price, cleared energy and setpoint), but the price of each interval is given
 * by the test, so a test can show how a participant's objective answers prices. Every request,
 * dispatch row, contract, period input, metric and note is kept for assertions.
 */

export interface SentRequest extends OutboundRequest {
  readonly from: string;
  readonly atMs: number;
}

export interface FakeRecords {
  readonly requests: SentRequest[];
  readonly callbacks: { readonly from: string; readonly action: string; readonly payload: unknown }[];
  readonly rows: DispatchRecord[];
  readonly contracts: { readonly contract: EnergyContract; readonly formedBy: string; readonly billing: 'per-interval' | 'at-end' | undefined }[];
  readonly periodInputs: { readonly contractId: string; readonly interval: number; readonly inputs: PeriodInputs }[];
  readonly metrics: Map<string, number>;
  readonly notes: { readonly interval: number; readonly text: string }[];
}

export interface FakeRun {
  readonly scenario: Scenario;
  readonly clock: SimClock;
  readonly records: FakeRecords;
  /** Services of one agent id. */
  services(id: string): AgentServices;
  /** Simulated now, ms. */
  nowMs(): number;
  setNow(ms: number): void;
}

/** Deep-merges plain objects (arrays and scalars replace). */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof b === 'object' && b !== null && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * A scenario (schema defaults applied) for tests: one day of 15-min intervals at Bengaluru from
 * 2026-06-21, an MCA and a utility, with `over` merged in (participants replace the list).
 */
export function testScenario(over: Record<string, unknown> = {}): Scenario {
  const base: Record<string, unknown> = {
    name: 'participant-test',
    start: '2026-06-21T00:00:00Z',
    horizonHours: 24,
    participants: [{ kind: 'mca', id: 'mca' }, { kind: 'utility', id: 'utility' }],
  };
  const r = loadScenarioText(stringify(merge(base, over)), 'participant-test.yaml');
  if (!r.ok) throw new Error(`test scenario: ${r.errors.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  return r.value;
}

/** The stand-in run: agents `mca` and `utility` exist in its directory; the grid is one transformer `tx-1`. */
export function createFakeRun(scenario: Scenario = testScenario()): FakeRun {
  const clock = createClock(scenario.start, scenario.intervalMinutes, intervalCount(scenario));
  const streams = createRandomStreams(scenario.seed);
  let now = clock.startMs - scenario.market.bidLeadMinutes * 60_000;
  const records: FakeRecords = { requests: [], callbacks: [], rows: [], contracts: [], periodInputs: [], metrics: new Map(), notes: [] };
  const byKind = new Map<string, string[]>([
    ['mca', ['mca']],
    ['utility', ['utility']],
  ]);
  return {
    scenario,
    clock,
    records,
    nowMs: () => now,
    setNow: (ms) => {
      now = ms;
    },
    services: (id) => ({
      scenario,
      clock,
      stream: (name) => streams.get(`${id}/${name}`),
      net: {
        request: (msg) => records.requests.push({ ...msg, from: id, atMs: now }),
        callback: (inReplyTo, action, payload) => records.callbacks.push({ from: id, action, payload }),
        nowMs: () => now,
      },
      directory: {
        mcaId: 'mca',
        utilityId: 'utility',
        governmentId: 'government',
        byKind: (k) => byKind.get(k) ?? [],
        kindOf: (x) => (x === 'mca' ? 'mca' : x === 'utility' ? 'utility' : undefined),
        uriOf: (x) => `https://${x}.test/beckn`,
      },
      grid: {
        nodeOfMeter: () => 'tx-1',
        nodes: [
          { id: 'feeder-head', kind: 'feeder-head' },
          { id: 'tx-1', parent: 'feeder-head', kind: 'transformer', ratingKVA: 250, maxForwardFlowKW: 225, maxReverseFlowKW: 225 },
        ],
        forecastNodeLoadKW: () => 0,
      },
      record: {
        dispatch: (row) => records.rows.push(row),
        clearing: () => undefined,
        contractActive: (contract, formedBy, billing) => records.contracts.push({ contract, formedBy, billing }),
        settlementReports: () => [],
        contractStatus: () => undefined,
        periodInputs: (contractId, interval, inputs) => records.periodInputs.push({ contractId, interval, inputs }),
        metric: (name, value) => records.metrics.set(name, (records.metrics.get(name) ?? 0) + value),
        note: (interval, text) => records.notes.push({ interval, text }),
      },
    }),
  };
}

export interface StandInMarketOptions {
  /** The price each interval clears at, per kWh. */
  readonly price: (k: number) => number;
  /** Approved import / export per interval, kW (default: unlimited, 10 MW). */
  readonly approvedMaxImportKW?: number;
  readonly approvedMaxExportKW?: number;
  /** Intervals to run (default: the whole scenario). */
  readonly intervals?: number;
  /** Called after each interval's physics with its actual power. */
  readonly onInterval?: (k: number, actualKW: number) => void;
}

/** One interval's outcome as the stand-in cleared it. */
export interface StandInOutcome {
  readonly k: number;
  readonly pricePerKWh: number;
  readonly clearedKW: number;
  readonly actualKW: number;
}

/**
 * Runs one participant through every phase of every interval in the kernel's time order, the
 * stand-in answering its requests right after each phase (as the bus would, before the next
 * phase). Each confirmed curve is cleared at `price(k)`: the participant gets exactly its own
 * curve's power at that price, as a price-taker in a large market would.
 */
export function runWithPrices(agent: Agent, run: FakeRun, o: StandInMarketOptions): StandInOutcome[] {
  const { clock, scenario, records } = run;
  const n = Math.min(o.intervals ?? clock.intervals, clock.intervals);
  const lead = scenario.market.bidLeadMinutes * 60_000;
  const gate = scenario.market.gateClosureMinutes * 60_000;
  const timeline: { atMs: number; k: number; phase: Phase; order: number }[] = [];
  for (let k = 0; k < n; k++) {
    const t = phaseTimes(clock.intervalStartMs(k), clock.intervalMs, lead, gate);
    PHASES.forEach((phase, order) => timeline.push({ atMs: t[phase], k, phase, order }));
  }
  timeline.sort((a, b) => a.atMs - b.atMs || a.k - b.k || a.order - b.order);

  const confirmed = new Map<number, { readonly msg: InboundMessage; readonly contract: EnergyContract }>();
  const cleared = new Map<number, number>();
  const out: StandInOutcome[] = [];
  let handled = 0;
  let seq = 0;
  const reply = (req: SentRequest, action: string, payload: unknown): void => {
    agent.onMessage({ action, from: req.to, transactionId: req.transactionId, messageId: `fake-${++seq}`, timestampMs: run.nowMs(), payload });
  };
  const answer = (): void => {
    while (handled < records.requests.length) {
      const req = records.requests[handled++]!;
      if (req.from !== agent.id) continue;
      const payload = req.payload as ContractPayload;
      if (req.action === 'discover') reply(req, 'on_discover', catalog(scenario, clock));
      else if (req.to === 'utility' && req.action === 'init') reply(req, 'on_init', payload);
      else if (req.to === 'utility' && req.action === 'confirm') reply(req, 'on_confirm', { ...payload, contract: { ...payload.contract, status: 'ACTIVE' } });
      else if (req.to === 'mca' && req.action === 'init') {
        const approved = withParameters(withRoleInputs(payload.contract, 'PROSUMER', { gridNodeId: 'tx-1' }), {
          approvedMaxImportKW: { value: o.approvedMaxImportKW ?? 10_000, unit: 'kW' },
          approvedMaxExportKW: { value: o.approvedMaxExportKW ?? 10_000, unit: 'kW' },
        });
        reply(req, 'on_init', { ...payload, contract: approved });
      } else if (req.to === 'mca' && req.action === 'confirm') {
        const k = Number(/^txn-i(\d+)-/.exec(req.transactionId)?.[1]);
        confirmed.set(k, { msg: { action: 'confirm', from: req.from, transactionId: req.transactionId, messageId: `req-${handled}`, timestampMs: req.atMs, payload }, contract: payload.contract });
      }
    }
  };

  for (const ev of timeline) {
    run.setNow(ev.atMs);
    if (ev.phase === 'clear') {
      // Gate closure: the stand-in clears before the participant hears the phase, as the MCA would.
      const c = confirmed.get(ev.k);
      if (c !== undefined) {
        const curve = curveOf(c.contract);
        const price = o.price(ev.k);
        const kw = curve === undefined ? 0 : Math.min(curve.maxExport, Math.max(curve.minExport, curvePowerAt(curve, price)));
        cleared.set(ev.k, kw);
        const kwh = kw * clock.intervalHours;
        const declared = c.contract.roles.find((r) => r.role === 'PROSUMER')?.roleInputs?.['resourceType'];
        const resourceType: EnergyResourceType = isResourceType(declared) ? declared : 'HOUSEHOLD';
        const contract = withRoleInputs({ ...c.contract, status: 'ACTIVE' }, 'PROSUMER', { clearedKWh: kwh } as Record<string, RoleInputValue>);
        const window = { start: clock.intervalStartIso(ev.k), end: clock.intervalStartIso(ev.k + 1) };
        const meterId = String(contract.roles.find((r) => r.role === 'PROSUMER')?.roleInputs?.['meterId'] ?? '');
        const payload: ContractPayload = {
          ...(c.msg.payload as ContractPayload),
          contract,
          delivery: {
            deliveryId: `d-${ev.k}`,
            status: 'PENDING',
            window,
            signalValues: [{ signalId: CLEARING_PRICE_SIGNAL, value: price, unit: `${scenario.currency}/kWh`, observedAt: isoOf(ev.atMs), interval: window }],
            setpoints: [setpointWithCommand({ setpointId: `sp-${ev.k}`, resourceId: meterId, resourceType, window, targetPowerKW: kw, atPricePerKWh: price, offsetKW: 0, issuedAt: isoOf(ev.atMs), chargingProfileId: ev.k + 1 })],
          },
        };
        agent.onMessage({ action: 'on_confirm', from: 'mca', transactionId: c.msg.transactionId, messageId: `fake-${++seq}`, timestampMs: ev.atMs, payload });
      }
    }
    agent.onPhase?.({ phase: ev.phase, interval: ev.k, nowMs: ev.atMs });
    if (ev.phase === 'physics') {
      let total = 0;
      for (const m of agent.meterIds) total += agent.actualPowerKW?.(m, ev.k) ?? 0;
      out.push({ k: ev.k, pricePerKWh: o.price(ev.k), clearedKW: cleared.get(ev.k) ?? 0, actualKW: total });
      o.onInterval?.(ev.k, total);
    }
    answer();
  }
  return out;
}

/** The stand-in market's catalogue: the pay-as-clear offer with the scenario's fee. */
export function catalog(scenario: Scenario, clock: SimClock): CatalogPayload {
  const template = payAsClearParticipant({ contractId: 'mca-pay-as-clear', createdAt: clock.intervalStartIso(0), currency: scenario.currency, mca: 'mca', marketMakingFeePerKWh: scenario.market.feePerKWh });
  return {
    kind: 'catalog',
    catalogs: [
      {
        catalogId: 'mca-market',
        name: 'Pay-as-clear market',
        provider: { id: 'mca', name: 'Market clearing agent' },
        resources: [{ resourceId: 'vm-mca', name: 'virtual meter', attributes: { type: 'EnergyResource', value: { resourceId: 'vm-mca', resourceType: 'MARKET', virtualMeter: true } } }],
        offers: [
          {
            offerId: 'pay-as-clear',
            name: 'Pay as clear',
            resourceIds: ['vm-mca'],
            attributes: { offerId: 'pay-as-clear', contractId: 'mca-pay-as-clear', providerId: 'mca', providerUri: 'https://mca.test/beckn', openRole: 'PROSUMER', pricingModel: 'PAY_AS_CLEAR', contract: template },
          },
        ],
      },
    ],
  };
}
