import { formContract, type CompiledContract } from '../../src/contracts/form.js';
import { evaluatePeriod, initialState, type ContractState, type PeriodInputs } from '../../src/contracts/evaluate.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { createClock, isoOf, type SimClock } from '../../src/kernel/clock.js';
import { PHASES, phaseTimes, type Phase } from '../../src/kernel/phases.js';
import { randomStream } from '../../src/kernel/random.js';
import { uuidForName, type ContextInput, type ProfileId } from '../../src/protocol/context.js';
import type { Action, CatalogPayload, ContractPayload, EnergyDelivery, EnergyResourceType, SettlementReport } from '../../src/protocol/payloads.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import { deviationContractId, intervalOfPayAsClear, intervalWindow, marketTransactionId, PAY_AS_CLEAR_OFFER_ID, payAsClearContractId, setupTransactionId } from './ids.js';
import { bidContract } from './market-contract.js';
import { deviationContract, runWindow } from './standing.js';
import { getProfile } from '../../src/protocol/profiles/index.js';
import { validateMessage } from '../../src/protocol/validate.js';
import type { Agent, AgentServices, DispatchRecord, GridNodeInfo, InboundMessage, Recorder } from '../../src/run/agent.js';
import type { Scenario } from '../../src/scenario/types.js';
import { currencyExponent, formatMinor } from '../../src/settlement/money.js';

/**
 * A small, faithful stand-in for the run, for agent tests: the scenario's clock and phases, a
 * message bus that builds every payload into the wire JSON of a real profile, validates it against
 * the project's schemas and parses it back before delivery (so a test proves every message is
 * valid on the wire), and a recorder that evaluates recorded contracts with the contract engine.
 * Transaction ids travel as UUIDs derived from their names, as Beckn requires, and are handed back
 * to the receiver as names, as the run's network does.
 */

/** A scenario with the defaults of `schemas/scenario.schema.json`, for tests. */
export function testScenario(over: Partial<Scenario> = {}): Scenario {
  return {
    name: 'test',
    seed: 1,
    start: '2026-06-21T00:00:00Z',
    intervalMinutes: 15,
    horizonHours: 1,
    currency: 'INR',
    location: { latitude: 12.97, longitude: 77.59 },
    protocol: { profile: 'beckn-2.0.0', domain: 'deg:energy', ttlSeconds: 30, signing: true, link: { latencyMs: 20, jitterMs: 0, lossProbability: 0, duplicateProbability: 0, reorderProbability: 0 } },
    feeder: {},
    participants: [],
    market: { pricing: 'pay-as-clear', feePerKWh: 0.1, priceFloor: -5, priceCap: 20, priceTick: 0.01, priceRule: 'midpoint', gridMode: 'exact', bidLeadMinutes: 15, gateClosureMinutes: 5 },
    utility: {
      retailPerKWh: 8,
      feedInPerKWh: 3,
      wheelingPerKWh: 0.5,
      deviationMode: 'tariff',
      deviationPenaltyPerKWh: 2,
      imbalancePenaltyPerKWh: 4,
      feeTaxPct: 18,
      dutyPerKWh: 0,
      sanctionedLoadKW: 10,
      adderPolicy: { basePerKWh: 0, perPctPerKWh: 0.05, thresholdPct: 80 },
    },
    reports: { html: false, wire: false },
    ...over,
  };
}

/** One message as it went over the test bus. */
export interface Delivered {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly action: string;
  /** The transaction id as the sender named it (not its wire UUID). */
  readonly transactionId: string;
  readonly payload: unknown;
}

interface Pending extends Delivered {
  readonly seq: number;
  readonly message: InboundMessage;
}

/** The grid an agent sees, as plain data. */
export interface TestGrid {
  readonly nodes: readonly GridNodeInfo[];
  readonly meterNodes: Readonly<Record<string, string>>;
  readonly forecastKW?: (nodeId: string, k: number) => number;
}

/** A recorded contract with what settlement needs. */
interface Held {
  readonly compiled: CompiledContract;
  readonly formedBy: string;
  readonly billing: 'per-interval' | 'at-end';
  state: ContractState;
  status: EnergyContract['status'];
}

/** Records what agents report and settles their contracts with the contract engine. */
export class TestRecorder implements Recorder {
  readonly dispatches: DispatchRecord[] = [];
  readonly clearings = new Map<number, unknown>();
  readonly notes: { interval: number; text: string }[] = [];
  readonly metrics = new Map<string, number>();
  readonly errors: Diagnostic[] = [];
  readonly contracts = new Map<string, Held>();
  readonly inputs = new Map<string, PeriodInputs[]>();
  private readonly reports = new Map<string, SettlementReport[]>();

  constructor(private readonly clock: SimClock) {}

  dispatch(row: DispatchRecord): void {
    this.dispatches.push(row);
  }
  clearing(interval: number, result: unknown): void {
    this.clearings.set(interval, result);
  }
  contractActive(contract: EnergyContract, formedBy: string, billing: 'per-interval' | 'at-end' = 'per-interval'): void {
    if (this.contracts.has(contract.contractId)) {
      this.errors.push({ code: 'contract.duplicate', path: contract.contractId, message: `recorded twice by ${formedBy}` });
      return;
    }
    const r = formContract(contract);
    if (!r.ok) {
      this.errors.push(...r.errors);
      return;
    }
    this.contracts.set(contract.contractId, { compiled: r.value, formedBy, billing, state: initialState(r.value), status: contract.status });
  }
  settlementReports(providerId: string, interval: number): readonly SettlementReport[] {
    return this.reports.get(`${providerId}\u0000${interval}`) ?? [];
  }
  contractStatus(contractId: string, status: EnergyContract['status']): void {
    const h = this.contracts.get(contractId);
    if (h !== undefined) h.status = status;
  }
  periodInputs(contractId: string, interval: number, inputs: PeriodInputs): void {
    const key = `${contractId}\u0000${interval}`;
    this.inputs.set(key, [...(this.inputs.get(key) ?? []), inputs]);
  }
  metric(name: string, value: number): void {
    this.metrics.set(name, (this.metrics.get(name) ?? 0) + value);
  }
  note(interval: number, text: string): void {
    this.notes.push({ interval, text });
  }

  /** Inputs recorded for a contract and interval, merged. */
  inputsOf(contractId: string, k: number): PeriodInputs {
    const signals: Record<string, number> = {};
    const telemetry: Record<string, Record<string, number>> = {};
    const roleInputs: Record<string, Record<string, number | boolean>> = {};
    for (const p of this.inputs.get(`${contractId}\u0000${k}`) ?? []) {
      Object.assign(signals, p.signals ?? {});
      for (const [s, f] of Object.entries(p.telemetry ?? {})) telemetry[s] = { ...(telemetry[s] ?? {}), ...f };
      for (const [r, v] of Object.entries(p.roleInputs ?? {})) roleInputs[r] = { ...(roleInputs[r] ?? {}), ...(v ?? {}) };
    }
    return { signals, telemetry, roleInputs };
  }

  /** Evaluates every ACTIVE contract covering interval k, with meter energy (kWh, + export) by meter id. */
  settle(k: number, meterKWh: ReadonlyMap<string, number>): void {
    const start = this.clock.intervalStartIso(k);
    const end = this.clock.intervalStartIso(k + 1);
    for (const [id, h] of [...this.contracts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const c = h.compiled.contract;
      if (h.status !== 'ACTIVE') continue;
      // at-end: once, for the whole validity, in the interval its end falls in (as the run's settlement does)
      const whole = h.billing === 'at-end' ? c.validity : undefined;
      if (whole !== undefined ? !(whole.end > start && whole.end <= end) : c.validity !== undefined && (c.validity.start > start || c.validity.end < end)) continue;
      const period = whole !== undefined ? { start: whole.start, end: whole.end, index: k } : { start, end, index: k };
      const inputs = this.inputsOf(id, k);
      const telemetry: Record<string, Record<string, number>> = { ...(inputs.telemetry ?? {}) };
      for (const t of c.telemetrySources ?? []) {
        const m = t.source.meterId;
        if (t.sourceType === 'METER_READING' && m !== undefined) telemetry[t.sourceId] = { energyKWh: meterKWh.get(m) ?? 0 };
      }
      const r = evaluatePeriod(h.compiled, period, { ...inputs, telemetry }, h.state);
      if (!r.ok) {
        this.errors.push(...r.errors);
        continue;
      }
      h.state = r.value.nextState;
      const exp = currencyExponent(c.currency) ?? 2;
      const paid = new Map<string, bigint>();
      const got = new Map<string, bigint>();
      for (const l of r.value.lines) {
        paid.set(l.payer, (paid.get(l.payer) ?? 0n) + l.amountMinor);
        got.set(l.payee, (got.get(l.payee) ?? 0n) + l.amountMinor);
      }
      const parties = [...new Set([...paid.keys(), ...got.keys()])].sort();
      const report: SettlementReport = {
        reportId: `settlement/${id}/${start}`,
        contractId: id,
        period: { start: period.start, end: period.end },
        currency: c.currency,
        status: 'FINAL',
        generatedAt: end,
        lines: r.value.lines.map((l) => ({ flowId: l.flowId, kind: l.kind, payer: l.payer, payee: l.payee, payerRole: l.payerRole, payeeRole: l.payeeRole, quantity: l.quantity, unit: l.unit, ratePerUnit: l.ratePerUnit, amount: formatMinor(l.amountMinor, exp), currency: l.currency, formula: l.formula, inputs: l.inputs })),
        totals: parties.map((party) => {
          const p = paid.get(party) ?? 0n;
          const q = got.get(party) ?? 0n;
          return { party, paid: formatMinor(p, exp), received: formatMinor(q, exp), net: formatMinor(q - p, exp) };
        }),
      };
      const key = `${h.formedBy}\u0000${k}`;
      this.reports.set(key, [...(this.reports.get(key) ?? []), report]);
    }
  }
}

/**
 * The test run: agents, a bus with latency over a real profile, the phase loop of the kernel and
 * a recorder. `meterKWh(k)` gives each meter's energy for settlement (default: each metered agent's
 * `actualPowerKW` × hours).
 */
export class TestRun {
  readonly clock: SimClock;
  readonly recorder: TestRecorder;
  /** Every delivered message, in delivery order. */
  readonly delivered: Delivered[] = [];
  /** Every wire problem found (schema or round trip); a test expects none. */
  readonly invalid: { readonly action: string; readonly from: string; readonly problems: readonly Diagnostic[] }[] = [];
  private readonly agents = new Map<string, Agent>();
  private readonly queue: Pending[] = [];
  private head = 0;
  private readonly seqBySender = new Map<string, number>();
  private nowMs: number;
  private seq = 0;
  private readonly phasesRun = new Set<string>();
  private byKind: ReadonlyMap<string, readonly string[]> | undefined;
  private readonly profileId: ProfileId;

  /**
   * `wire: false` hands payloads over as they are, without building, validating and parsing the
   * wire JSON (for benchmarks of the agents alone); by default every message goes over the wire.
   */
  constructor(
    readonly scenario: Scenario,
    private readonly grid: TestGrid,
    private readonly kinds: Readonly<Record<string, string>>,
    private readonly options: { readonly wire?: boolean } = {},
  ) {
    this.clock = createClock(scenario.start, scenario.intervalMinutes, Math.round((scenario.horizonHours * 60) / scenario.intervalMinutes));
    this.recorder = new TestRecorder(this.clock);
    this.nowMs = this.clock.startMs - scenario.market.bidLeadMinutes * 60_000;
    this.profileId = scenario.protocol.profile;
  }

  /** The services of agent `id`. */
  services(id: string): AgentServices {
    if (this.byKind === undefined) {
      const m = new Map<string, string[]>();
      for (const [agent, kind] of Object.entries(this.kinds)) m.set(kind, [...(m.get(kind) ?? []), agent]);
      for (const list of m.values()) list.sort();
      this.byKind = m;
    }
    const kinds = this.byKind;
    const byKind = (kind: string): readonly string[] => kinds.get(kind) ?? [];
    return {
      scenario: this.scenario,
      clock: this.clock,
      stream: (name) => randomStream(this.scenario.seed, `${id}/${name}`),
      net: {
        nowMs: () => this.nowMs,
        request: (m) => this.send(id, m.to, m.action, m.transactionId, m.payload),
        callback: (inReplyTo, action, payload) => this.send(id, inReplyTo.from, action, inReplyTo.transactionId, payload),
      },
      directory: {
        mcaId: byKind('mca')[0],
        utilityId: byKind('utility')[0],
        governmentId: 'government',
        byKind,
        kindOf: (x) => this.kinds[x],
        uriOf: (x) => `https://${x}.degsim.local/beckn`,
      },
      grid: {
        nodes: this.grid.nodes,
        nodeOfMeter: (m) => this.grid.meterNodes[m] ?? 'feeder-head',
        forecastNodeLoadKW: (n, k) => this.grid.forecastKW?.(n, k) ?? 0,
      },
      record: this.recorder,
    };
  }

  add(agent: Agent): void {
    this.agents.set(agent.id, agent);
  }

  private send(from: string, to: string, action: string, transactionId: string, payload: unknown): void {
    const n = (this.seqBySender.get(from) ?? 0) + 1;
    this.seqBySender.set(from, n);
    const atMs = this.nowMs + this.scenario.protocol.link.latencyMs;
    if (this.options.wire === false) {
      const message: InboundMessage = { action, from, transactionId, messageId: `${from}/${n}`, timestampMs: this.nowMs, payload };
      this.enqueue({ atMs, from, to, action, transactionId, payload, seq: this.seq++, message });
      return;
    }
    const wireTxn = uuidForName(`transaction/${transactionId}`);
    const isCallback = action.startsWith('on_');
    const bap = isCallback ? to : from;
    const bpp = isCallback ? from : to;
    const context: ContextInput = {
      domain: this.scenario.protocol.domain,
      action: action as Action,
      bapId: bap,
      bapUri: `https://${bap}.degsim.local/beckn`,
      bppId: bpp,
      bppUri: `https://${bpp}.degsim.local/beckn`,
      transactionId: wireTxn,
      messageId: uuidForName(`${from}/${n}`),
      timestamp: isoOf(this.nowMs),
      ttl: 'PT30S',
    };
    const profile = getProfile(this.profileId);
    const wire = profile.build(action as Action, context, payload as never);
    const problems = validateMessage(JSON.parse(JSON.stringify(wire)) as unknown, this.profileId);
    const parsed = profile.parse(JSON.parse(JSON.stringify(wire)) as unknown);
    if (problems.length > 0 || !parsed.ok) {
      this.invalid.push({ action, from, problems: problems.length > 0 ? problems : parsed.ok ? [] : parsed.errors });
      return;
    }
    const message: InboundMessage = { action, from, transactionId, messageId: context.messageId, timestampMs: this.nowMs, payload: parsed.value.payload };
    this.enqueue({ atMs, from, to, action, transactionId, payload: parsed.value.payload, seq: this.seq++, message });
  }

  /** Queues a message in (time, sequence) order; sends come in time order, so this is an append. */
  private enqueue(m: Pending): void {
    let i = this.queue.length;
    while (i > this.head && (this.queue[i - 1] as Pending).atMs > m.atMs) i--;
    this.queue.splice(i, 0, m);
  }

  /** Delivers every message due by `untilMs` (and the messages they cause), in time order. */
  deliverUntil(untilMs: number): void {
    for (;;) {
      const next = this.queue[this.head];
      if (next === undefined || next.atMs > untilMs) break;
      this.head++;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.nowMs = next.atMs;
      const { seq: _s, message, ...rest } = next;
      this.delivered.push(rest);
      this.agents.get(next.to)?.onMessage(message);
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  /**
   * Runs intervals `[0, upTo)` phase by phase in time order (phases of consecutive intervals
   * interleave as in the kernel), settling each interval before agents see its settle phase, then
   * delivers what is left. Phases already run (by {@link advanceTo}) are not run again.
   */
  run(upTo: number = this.clock.intervals, meterKWh?: (k: number) => ReadonlyMap<string, number>): void {
    this.advanceTo(this.clock.intervalStartMs(upTo), upTo, meterKWh);
    this.deliverUntil(this.clock.intervalStartMs(upTo) + 60_000);
  }

  /** Runs every phase of intervals `[0, upTo)` due by `untilMs`, delivering messages in between. */
  advanceTo(untilMs: number, upTo: number = this.clock.intervals, meterKWh?: (k: number) => ReadonlyMap<string, number>): void {
    const lead = this.scenario.market.bidLeadMinutes * 60_000;
    const gate = this.scenario.market.gateClosureMinutes * 60_000;
    const events: { atMs: number; k: number; phase: Phase; order: number }[] = [];
    for (let k = 0; k < upTo; k++) {
      const t = phaseTimes(this.clock.intervalStartMs(k), this.clock.intervalMs, lead, gate);
      PHASES.forEach((phase, order) => {
        if (t[phase] <= untilMs && !this.phasesRun.has(`${k}/${phase}`)) events.push({ atMs: t[phase], k, phase, order });
      });
    }
    events.sort((a, b) => a.atMs - b.atMs || a.k - b.k || a.order - b.order);
    const agents = [...this.agents.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const ev of events) {
      this.deliverUntil(ev.atMs);
      this.nowMs = Math.max(this.nowMs, ev.atMs);
      this.phasesRun.add(`${ev.k}/${ev.phase}`);
      if (ev.phase === 'settle') this.recorder.settle(ev.k, meterKWh?.(ev.k) ?? this.actualEnergy(ev.k));
      for (const a of agents) a.onPhase?.({ phase: ev.phase, interval: ev.k, nowMs: ev.atMs });
    }
    this.deliverUntil(untilMs);
  }

  private actualEnergy(k: number): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const a of this.agents.values()) for (const m of a.meterIds) out.set(m, (a.actualPowerKW?.(m, k) ?? 0) * this.clock.intervalHours);
    return out;
  }

  /** Delivered messages of one transaction (by its name), as `from→to action` lines. */
  trace(filter: (d: Delivered) => boolean = () => true): string[] {
    return this.delivered.filter(filter).map((d) => `${d.from}→${d.to} ${d.action}`);
  }
}

/** How a scripted participant behaves. */
export interface ScriptOptions {
  readonly meterId: string;
  /** Its curve for interval k, or undefined to sit the interval out. */
  readonly curve: (k: number) => OfferCurve | undefined;
  readonly resourceType?: EnergyResourceType;
  /** Whether it confirms what on_init offers (default true). */
  readonly confirm?: (k: number) => boolean;
  /** Its actual power in interval k given its cleared power (default: exactly the cleared power). */
  readonly actualKW?: (k: number, clearedKW: number) => number;
  /** Whether it forms a deviation contract with the utility at setup (default true). */
  readonly deviation?: boolean;
}

/**
 * A participant that follows the pay-as-clear flow to the letter with scripted curves: discover,
 * deviation contract with the utility, then per interval init → confirm, following its setpoint.
 * A test double for the MCA and utility tests; real participants live in their own kinds.
 */
export class ScriptedParticipant implements Agent {
  readonly kind = 'prosumer';
  readonly meterIds: readonly string[];
  /** What each interval's on_confirm said: cleared kW and price, or the refusal. */
  readonly outcomes = new Map<number, { readonly status: string; readonly clearedKW: number; readonly pricePerKWh: number | undefined; readonly delivery: EnergyDelivery | undefined }>();
  readonly reports: SettlementReport[] = [];
  readonly initAnswers = new Map<number, EnergyContract>();
  deviationStatus: string | undefined;
  private template: EnergyContract | undefined;
  private readonly waiting: number[] = [];

  constructor(
    readonly id: string,
    private readonly services: AgentServices,
    private readonly o: ScriptOptions,
  ) {
    this.meterIds = [o.meterId];
  }

  onPhase(ctx: PhaseContext): void {
    const d = this.services.directory;
    if (ctx.phase === 'bid') {
      if (ctx.interval === 0 && d.mcaId !== undefined) {
        this.services.net.request({ to: d.mcaId, action: 'discover', transactionId: setupTransactionId(this.id), payload: { kind: 'discover', intent: { seek: 'energy-market', pricingModel: 'PAY_AS_CLEAR' } } });
      }
      if (ctx.interval === 0 && d.utilityId !== undefined && this.o.deviation !== false) {
        const contract = deviationContract({
          contractId: deviationContractId(this.id),
          createdAt: isoOf(ctx.nowMs),
          currency: this.services.scenario.currency,
          validity: runWindow(this.services.clock),
          utilityId: d.utilityId,
          utility: this.services.scenario.utility,
          participantId: this.id,
          meterId: this.o.meterId,
        });
        this.services.net.request({ to: d.utilityId, action: 'init', transactionId: setupTransactionId(this.id, 'deviation'), payload: { kind: 'contract', contract, offerId: 'deviation', providerId: d.utilityId, resources: [{ resourceId: this.o.meterId, quantity: 0, unit: 'kWh' }] } });
      }
      if (this.template === undefined) this.waiting.push(ctx.interval);
      else this.bid(ctx.interval);
    }
    if (ctx.phase === 'dispatch' && !this.outcomes.has(ctx.interval)) {
      this.outcomes.set(ctx.interval, { status: 'NONE', clearedKW: 0, pricePerKWh: undefined, delivery: undefined });
      this.services.record.dispatch({ interval: ctx.interval, participant: this.id, kind: this.kind, node: this.services.grid.nodeOfMeter(this.o.meterId), meterId: this.o.meterId, offeredMinKW: 0, offeredMaxKW: 0, clearedKW: 0, pricePerKWh: 0 });
    }
  }

  private bid(k: number): void {
    const curve = this.o.curve(k);
    const mca = this.services.directory.mcaId;
    if (curve === undefined || this.template === undefined || mca === undefined) return;
    const u = this.services.scenario.utility;
    const c = bidContract({
      offerContract: this.template,
      contractId: payAsClearContractId(k, this.id),
      createdAt: isoOf(this.services.net.nowMs()),
      window: intervalWindow(this.services.clock, k),
      participantId: this.id,
      meterId: this.o.meterId,
      offerCurve: curve,
      ...(this.o.resourceType === undefined ? {} : { resourceType: this.o.resourceType }),
      governmentId: this.services.directory.governmentId,
      feeTaxPct: u.feeTaxPct,
      dutyPerKWh: u.dutyPerKWh,
    });
    if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('; '));
    this.services.net.request({
      to: mca,
      action: 'init',
      transactionId: marketTransactionId(k, this.id),
      payload: { kind: 'contract', contract: c.value, offerId: PAY_AS_CLEAR_OFFER_ID, providerId: mca, resources: [{ resourceId: this.o.meterId, quantity: Math.abs(curve.maxExport - curve.minExport), unit: 'kW' }] },
    });
  }

  onMessage(msg: InboundMessage): void {
    const p = msg.payload as { readonly kind: string; readonly catalogs?: CatalogPayload['catalogs'] } & Partial<Omit<ContractPayload, 'kind'>>;
    if (msg.action === 'on_discover') {
      this.template = p.catalogs?.[0]?.offers[0]?.attributes.contract;
      for (const k of this.waiting.splice(0)) this.bid(k);
      return;
    }
    const c = p.contract;
    if (c === undefined) return;
    if (c.template === 'grid/deviation') {
      if (msg.action === 'on_init' && c.status === 'PENDING') this.services.net.request({ to: msg.from, action: 'confirm', transactionId: setupTransactionId(this.id, 'deviation'), payload: { ...(p as ContractPayload), contract: c } });
      if (msg.action === 'on_confirm' || msg.action === 'on_init') this.deviationStatus = c.status;
      if (msg.action === 'on_status' && p.settlement !== undefined) this.reports.push(p.settlement);
      return;
    }
    const k = intervalOfPayAsClear(c.contractId, this.id);
    if (k === undefined) return;
    if (msg.action === 'on_init') {
      this.initAnswers.set(k, c);
      if (c.status === 'PENDING' && (this.o.confirm?.(k) ?? true)) this.services.net.request({ to: msg.from, action: 'confirm', transactionId: marketTransactionId(k, this.id), payload: { ...(p as ContractPayload), contract: c } });
    } else if (msg.action === 'on_confirm') {
      const clearedKWh = c.roles.find((r) => r.role === 'PROSUMER')?.roleInputs?.['clearedKWh'];
      const clearedKW = c.status === 'ACTIVE' && typeof clearedKWh === 'number' ? clearedKWh / this.services.clock.intervalHours : 0;
      const price = p.delivery?.signalValues?.[0]?.value;
      this.outcomes.set(k, { status: c.status, clearedKW, pricePerKWh: price, delivery: p.delivery });
      const curve = this.o.curve(k);
      this.services.record.dispatch({ interval: k, participant: this.id, kind: this.kind, node: this.services.grid.nodeOfMeter(this.o.meterId), meterId: this.o.meterId, offeredMinKW: curve?.minExport ?? 0, offeredMaxKW: curve?.maxExport ?? 0, clearedKW, pricePerKWh: price ?? 0 });
    } else if (msg.action === 'on_status' && p.settlement !== undefined) this.reports.push(p.settlement);
  }

  actualPowerKW(_meterId: string, k: number): number {
    const cleared = this.outcomes.get(k)?.clearedKW ?? 0;
    return this.o.actualKW?.(k, cleared) ?? cleared;
  }
}

/** An agent a test drives by hand: it sends what the test says and keeps what it receives. */
export class Probe implements Agent {
  readonly meterIds: readonly string[] = [];
  readonly inbox: InboundMessage[] = [];

  constructor(
    readonly id: string,
    readonly kind: string,
    private readonly services: AgentServices,
  ) {}

  onMessage(msg: InboundMessage): void {
    this.inbox.push(msg);
  }

  /** Sends a request. */
  request(to: string, action: string, transactionId: string, payload: unknown): void {
    this.services.net.request({ to, action, transactionId, payload });
  }

  /** The last message received with this action. */
  last(action: string): InboundMessage | undefined {
    return [...this.inbox].reverse().find((m) => m.action === action);
  }

  /** The contract of the last message received with this action. */
  lastContract(action: string): EnergyContract | undefined {
    return (this.last(action)?.payload as Partial<ContractPayload> | undefined)?.contract;
  }
}
