import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import { isoOf, parseIsoMs } from '../../src/kernel/clock.js';
import type { SimClock } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import { transition as contractTransition } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { demandFlexibility, flexibilityInputs } from '../../src/contracts/templates/index.js';
import { curvePowerAt, validateCurve } from '../../src/market/index.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { CatalogPayload, ContractPayload, ContractRefPayload, DiscoverIntent, EnergyDelivery, ExpectedRoleInput, GridNode, MeterReading, SettlementReport, TimeWindow } from '../../src/protocol/payloads.js';
import type { AgentServices, GridNodeInfo, InboundMessage } from '../../src/run/agent.js';
import { portfolioMeterId } from '../aggregator/members.js';
import { intervalOfWindow } from '../shared/ids.js';
import { termsOf } from '../shared/market-contract.js';
import { canonicalJson, numericRoleInput, refusedContract, roleInput, roleOf, withParameters, withRoleInputs } from '../shared/terms.js';
import { portfolioMembers } from './portfolio.js';
import type { MeterRecord } from './policy.js';

/**
 * Demand flexibility, the grid operator's side. The utility publishes a need — keep a transformer
 * under its forward limit over an event window — as a catalogue offer (discover intent
 * `flexibility`): the transformer as a GridNode, its own load forecast as a Forecast, and a
 * demand-flexibility contract with the AGGREGATOR role open at a fixed price per verified kWh.
 * An aggregator whose members hang under the transformer takes it (init/confirm); in each event
 * interval it nominates its members' aggregate upward flexibility as an offer curve (update) and
 * the utility accepts what the need calls for (on_update, with a setpoint for the portfolio).
 * After every interval the aggregator reports its members' meter readings (update). One interval
 * after the event the utility verifies delivery against a baseline from those readings — the same
 * intervals on earlier days, adjusted by how the portfolio ran in the hours before the event —
 * and the contract is settled once (billing at the end) and reported (on_status).
 */

/** The need as configured on the utility's entry (`flexibility:`). */
export interface FlexibilityNeedParams {
  /** Grid node (transformer) to keep under its forward limit. */
  readonly node: string;
  /** Event window, RFC 3339 UTC. */
  readonly window: TimeWindow;
  /** Offset of the local time the window was written in, minutes (the contract states local hours). */
  readonly utcOffsetMinutes: number;
  /** Paid per kWh of verified reduction. */
  readonly pricePerKWh: number;
  /** Headroom kept below the limit, percent of it. */
  readonly marginPct: number;
  /** Charged per committed kWh not delivered; none when absent. */
  readonly shortfallPenaltyPerKWh: number | undefined;
  /** Earlier days averaged for the baseline (as many as the readings hold, up to this). */
  readonly baselineDays: number;
  /** Hours before the event over which the baseline is adjusted to the day (0 = no adjustment). */
  readonly adjustmentHours: number;
}

const NEED_KEYS = ['node', 'start', 'end', 'pricePerKWh', 'marginPct', 'shortfallPenaltyPerKWh', 'baselineDays', 'adjustmentHours'];

const OFFSET = /(Z|([+-])(\d{2}):(\d{2}))$/;

/** Reads the `flexibility` parameter of the utility's entry; every problem at once, paths under `path`. */
export function flexibilityNeedParams(x: unknown, path = 'flexibility'): Result<FlexibilityNeedParams> {
  const errors: Diagnostic[] = [];
  const at = (k: string): string => `${path}.${k}`;
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return fail([{ code: 'utility.flexibility', path, message: 'flexibility must be an object with node, start, end and pricePerKWh' }]);
  const o = x as Readonly<Record<string, unknown>>;
  for (const k of Object.keys(o)) if (!NEED_KEYS.includes(k)) errors.push({ code: 'utility.unknown-param', path: at(k), message: `unknown parameter "${k}" of the flexibility need (known: ${NEED_KEYS.join(', ')})` });
  const num = (k: string, fallback: number | undefined, okay: (v: number) => boolean, what: string): number | undefined => {
    const v = o[k];
    if (v === undefined) {
      if (fallback === undefined) errors.push({ code: 'utility.flexibility', path: at(k), message: `${k} is required (${what})` });
      return fallback;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || !okay(v)) {
      errors.push({ code: 'utility.flexibility', path: at(k), message: `${k} must be ${what}, got ${JSON.stringify(v)}` });
      return fallback;
    }
    return v;
  };
  const node = o['node'];
  if (typeof node !== 'string' || node === '') errors.push({ code: 'utility.flexibility', path: at('node'), message: 'node must name the transformer to relieve' });
  const times: number[] = [];
  let offset = 0;
  for (const k of ['start', 'end']) {
    const v = o[k];
    const ms = typeof v === 'string' ? parseIsoMs(v) : Number.NaN;
    if (typeof v !== 'string' || !Number.isFinite(ms)) errors.push({ code: 'utility.flexibility', path: at(k), message: `${k} must be an RFC 3339 time, e.g. 2026-06-24T18:00:00+05:30` });
    else {
      times.push(ms);
      const m = OFFSET.exec(v);
      if (k === 'start' && m !== null && m[1] !== 'Z') offset = (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4]));
    }
  }
  if (times.length === 2 && !(times[1]! > times[0]!)) errors.push({ code: 'utility.flexibility', path: at('end'), message: 'end must come after start' });
  const price = num('pricePerKWh', undefined, (v) => v > 0, 'a price per kWh > 0');
  const margin = num('marginPct', 0, (v) => v >= 0 && v < 100, 'a percentage from 0 to below 100');
  const penalty = num('shortfallPenaltyPerKWh', Number.NaN, (v) => v >= 0, 'a price per kWh ≥ 0');
  const days = num('baselineDays', 5, (v) => Number.isInteger(v) && v >= 1 && v <= 30, 'a whole number of days from 1 to 30');
  const adjust = num('adjustmentHours', 2, (v) => v >= 0 && v <= 12, 'hours from 0 to 12');
  if (errors.length > 0) return fail(errors);
  return ok({
    node: node as string,
    window: { start: isoOf(times[0]!), end: isoOf(times[1]!) },
    utcOffsetMinutes: offset,
    pricePerKWh: price!,
    marginPct: margin!,
    shortfallPenaltyPerKWh: Number.isNaN(penalty) ? undefined : penalty,
    baselineDays: days!,
    adjustmentHours: adjust!,
  });
}

/** The reduction (kW ≥ 0) a forecast load calls for: what lies above the limit less the margin. */
export function needKW(forecastLoadKW: number, maxForwardFlowKW: number, marginPct: number): number {
  return Math.max(0, forecastLoadKW - maxForwardFlowKW * (1 - marginPct / 100));
}

/** Intervals of the run an event window covers, `[first, last]`, or undefined when it covers none. */
export function eventIntervals(clock: SimClock, w: TimeWindow): readonly [number, number] | undefined {
  const first = Math.ceil((parseIsoMs(w.start) - clock.startMs) / clock.intervalMs - 1e-9);
  const last = Math.floor((parseIsoMs(w.end) - clock.startMs) / clock.intervalMs + 1e-9) - 1;
  const a = Math.max(0, first);
  const b = Math.min(clock.intervals - 1, last);
  return a <= b ? [a, b] : undefined;
}

/** How a baseline is drawn from meter readings. */
export interface BaselineMethod {
  /** Earlier days averaged, at most. */
  readonly days: number;
  /** Intervals before the event whose difference from the earlier days shifts the baseline. */
  readonly adjustmentIntervals: number;
  readonly intervalsPerDay: number;
}

/** A baseline over an event: per interval, kWh (+ export), with how it was made. */
export interface Baseline {
  readonly perIntervalKWh: readonly number[];
  readonly totalKWh: number;
  /** Earlier days found for every event interval. */
  readonly daysUsed: number;
  /** The additive in-day adjustment applied to every interval, kWh. */
  readonly adjustmentKWh: number;
}

/**
 * A baseline from meter readings (`read(k)` = net energy of interval k, kWh, + export; undefined
 * when not known): each event interval's reading on the same interval of up to `days` earlier
 * days, averaged over the days every event interval has (the days before the oldest missing one),
 * plus the mean difference between the readings of the `adjustmentIntervals` intervals just
 * before the event and their own earlier-day average (an adjustment to how the day runs; dropped
 * when any of those readings is missing). Undefined when no earlier day is known. Pure.
 */
export function meterBaseline(read: (k: number) => number | undefined, first: number, last: number, m: BaselineMethod): Baseline | undefined {
  let days = 0;
  for (let d = 1; d <= m.days; d++) {
    let all = true;
    for (let k = first; k <= last && all; k++) all = read(k - d * m.intervalsPerDay) !== undefined;
    if (!all) break;
    days = d;
  }
  if (days === 0) return undefined;
  const prior = (k: number): number | undefined => {
    let s = 0;
    for (let d = 1; d <= days; d++) {
      const v = read(k - d * m.intervalsPerDay);
      if (v === undefined) return undefined;
      s += v;
    }
    return s / days;
  };
  let adjustment = 0;
  if (m.adjustmentIntervals > 0) {
    let sum = 0;
    let complete = true;
    for (let j = first - m.adjustmentIntervals; j < first && complete; j++) {
      const today = read(j);
      const before = prior(j);
      if (today === undefined || before === undefined) complete = false;
      else sum += today - before;
    }
    adjustment = complete ? sum / m.adjustmentIntervals : 0;
  }
  const perIntervalKWh: number[] = [];
  for (let k = first; k <= last; k++) perIntervalKWh.push((prior(k) as number) + adjustment);
  return { perIntervalKWh, totalKWh: perIntervalKWh.reduce((s, x) => s + x, 0), daysUsed: days, adjustmentKWh: adjustment };
}

/** Offer id of the utility's need at a node. */
export function flexibilityOfferId(node: string): string {
  return `flex-${node}`;
}

/** Contract id of an aggregator's contract under the need at a node. */
export function flexibilityContractId(node: string, aggregatorId: string): string {
  return `flex-${node}-${aggregatorId}`;
}

/** What an aggregator must (or may) put in the AGGREGATOR role. */
export const FLEXIBILITY_EXPECTED_INPUTS: readonly ExpectedRoleInput[] = [
  { name: 'offerCurve', type: 'OFFER_CURVE', required: true, unit: 'kW', description: 'in each nomination (update): upward flexibility of the portfolio, kW, versus the price paid per kWh of it' },
  { name: 'baselineKW', type: 'NUMBER', required: false, unit: 'kW', description: 'in each nomination: the portfolio’s own forecast of its net power without the event' },
];

/**
 * The need's contract as offered: the demand-flexibility template with the AGGREGATOR role open,
 * valid from the event's start to one interval after its end (the interval in which the meter
 * readings of the last event interval arrive and delivery is verified), the baseline method
 * stated as parameters.
 */
export function flexibilityOfferContract(o: { readonly utilityId: string; readonly need: FlexibilityNeedParams; readonly currency: string; readonly createdAt: string; readonly intervalMinutes: number }): EnergyContract {
  const n = o.need;
  const hour = (iso: string): number => ((((parseIsoMs(iso) / 3_600_000 + n.utcOffsetMinutes / 60) % 24) + 24) % 24);
  const base = demandFlexibility({
    contractId: `flex-offer-${n.node}`,
    createdAt: o.createdAt,
    currency: o.currency,
    status: 'PENDING',
    validity: { start: n.window.start, end: isoOf(parseIsoMs(n.window.end) + o.intervalMinutes * 60_000) },
    utility: o.utilityId,
    pricePerKWh: n.pricePerKWh,
    window: { startHour: hour(n.window.start), endHour: hour(n.window.end), utcOffsetMinutes: n.utcOffsetMinutes },
    ...(n.shortfallPenaltyPerKWh === undefined ? {} : { shortfallPenaltyPerKWh: n.shortfallPenaltyPerKWh }),
  });
  return withParameters(base, {
    baselineDays: { value: n.baselineDays, unit: 'd', description: 'baseline: the same intervals on up to this many earlier days, from the meters' },
    adjustmentHours: { value: n.adjustmentHours, unit: 'h', description: 'baseline: shifted by the mean difference from the earlier days over this many hours before the event' },
  });
}

/** True when a discover asks for what the need offers (upward flexibility at the node in the window). */
export function seeksNeed(intent: DiscoverIntent, need: FlexibilityNeedParams): boolean {
  if (intent.seek !== 'flexibility' || intent.direction !== 'UP') return false;
  if (intent.gridNodeId !== undefined && intent.gridNodeId !== need.node) return false;
  if (intent.window !== undefined && !(parseIsoMs(intent.window.start) < parseIsoMs(need.window.end) && parseIsoMs(need.window.start) < parseIsoMs(intent.window.end))) return false;
  return true;
}

/** Inputs of the need's catalogue. */
export interface NeedCatalogInput {
  readonly utilityId: string;
  readonly utilityUri: string;
  readonly name: string;
  readonly currency: string;
  readonly need: FlexibilityNeedParams;
  readonly node: GridNodeInfo;
  readonly contract: EnergyContract;
  /** Forecast load of the node per event interval, kW, from the event's first interval. */
  readonly forecastKW: readonly number[];
  readonly issuedAt: string;
  readonly intervalMinutes: number;
}

/** The catalogue answering a flexibility discover: the node, its load forecast and the offer. */
export function needCatalog(i: NeedCatalogInput): CatalogPayload {
  const n = i.need;
  const limit = i.node.maxForwardFlowKW ?? Number.POSITIVE_INFINITY;
  const needs = i.forecastKW.map((f) => needKW(f, limit, n.marginPct));
  const peak = needs.reduce((a, b) => Math.max(a, b), 0);
  const gridNode: GridNode = {
    nodeId: i.node.id,
    nodeType: i.node.kind === 'transformer' ? 'TRANSFORMER' : 'SUBSTATION',
    ...(i.node.parent === undefined ? {} : { parentNodeId: i.node.parent }),
    ...(i.node.ratingKVA === undefined ? {} : { ratedKVA: i.node.ratingKVA }),
    limits: { maxForwardFlowKW: i.node.maxForwardFlowKW ?? 0, maxReverseFlowKW: i.node.maxReverseFlowKW ?? 0 },
  };
  const offerId = flexibilityOfferId(n.node);
  const forecastId = `forecast-${n.node}-load`;
  return {
    kind: 'catalog',
    catalogs: [
      {
        catalogId: `${i.utilityId}-flexibility-${n.node}`,
        name: `${i.name}: flexibility at ${n.node}`,
        description: `Keep ${n.node} under its forward limit of ${fmt(limit)} kW from ${n.window.start} to ${n.window.end}: upward flexibility paid ${n.pricePerKWh} ${i.currency} per kWh verified against a baseline from the meters.`,
        provider: { id: i.utilityId, name: i.name },
        validity: n.window,
        resources: [
          { resourceId: n.node, name: `Transformer ${n.node}`, attributes: { type: 'GridNode', value: gridNode } },
          {
            resourceId: forecastId,
            name: `Load forecast of ${n.node}`,
            attributes: {
              type: 'Forecast',
              value: { forecastId, subjectId: n.node, variable: 'LOAD_KW', unit: 'kW', issuedAt: i.issuedAt, start: n.window.start, stepMinutes: i.intervalMinutes, values: i.forecastKW.map((v) => round3(v)), method: 'standard load and PV profiles of the connections under the node, with the operator’s forecast error' },
            },
          },
        ],
        offers: [
          {
            offerId,
            name: `Upward flexibility at ${n.node}`,
            resourceIds: [n.node, forecastId],
            price: { value: n.pricePerKWh, currency: i.currency, unit: 'kWh' },
            validity: n.window,
            attributes: {
              offerId,
              contractId: i.contract.contractId,
              providerId: i.utilityId,
              providerUri: i.utilityUri,
              openRole: 'AGGREGATOR',
              service: 'FLEXIBILITY',
              pricingModel: 'PER_KWH',
              direction: 'UP',
              window: n.window,
              gridNodeId: n.node,
              maxPowerKW: round3(peak),
              indicativePricePerKWh: n.pricePerKWh,
              currency: i.currency,
              summary: `Reduce the net load under ${n.node} by up to ${fmt(peak)} kW in the event; the utility pays ${n.pricePerKWh} ${i.currency}/kWh of reduction verified against the meters' baseline, up to what it accepted.`,
              expectedInputs: FLEXIBILITY_EXPECTED_INPUTS,
              contract: i.contract,
            },
          },
        ],
      },
    ],
  };
}

function round3(x: number): number {
  const v = Math.round(x * 1000) / 1000;
  return Object.is(v, -0) ? 0 : v;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(round3(x)) : 'no';
}

/** An aggregator's contract under the need, as the utility holds it. */
interface Taken {
  readonly aggregatorId: string;
  readonly members: ReadonlyMap<string, string>;
  readonly payload: ContractPayload;
  contract: EnergyContract;
  state: 'offered' | 'active' | 'completed' | 'refused';
  confirmMsg: InboundMessage | undefined;
  /** Accepted upward flexibility by interval, kW. */
  readonly acceptedKW: Map<number, number>;
  lastReport: SettlementReport | undefined;
  verified: boolean;
}

/** What the desk reports of a contract after verification (for tests and reports). */
export interface Verification {
  readonly contractId: string;
  readonly committedKWh: number;
  readonly baselineKWh: number;
  readonly actualKWh: number;
  readonly reductionKWh: number;
  readonly baselineDays: number;
  readonly adjustmentKWh: number;
}

/**
 * The utility's flexibility desk: publishes the need, forms contracts with aggregators, accepts
 * nominations, collects the portfolios' meter readings and verifies delivery. The utility agent
 * routes discover (intent flexibility), the init/confirm/update/status of `flexibility/demand`
 * contracts and its phases here.
 */
export class FlexibilityDesk {
  private readonly taken = new Map<string, Taken>();
  /** Meter readings reported, kWh (+ export), by meter then interval. */
  private readonly readings = new Map<string, Map<number, number>>();
  private readonly verifications: Verification[] = [];
  private readonly span: readonly [number, number] | undefined;
  private readonly node: GridNodeInfo | undefined;

  constructor(
    private readonly utilityId: string,
    private readonly name: string,
    readonly need: FlexibilityNeedParams,
    private readonly meters: ReadonlyMap<string, MeterRecord>,
    private readonly services: AgentServices,
  ) {
    this.span = eventIntervals(services.clock, need.window);
    this.node = services.grid.nodes.find((n) => n.id === need.node);
  }

  /** Contracts verified so far. */
  verified(): readonly Verification[] {
    return this.verifications;
  }

  /** Accepted upward flexibility of a contract in interval k, kW (0 when none). */
  acceptedKW(contractId: string, k: number): number {
    return this.taken.get(contractId)?.acceptedKW.get(k) ?? 0;
  }

  /** The reduction the need calls for in interval k, kW (0 outside the event). */
  needKW(k: number): number {
    if (this.span === undefined || this.node === undefined || k < this.span[0] || k > this.span[1]) return 0;
    return needKW(this.services.grid.forecastNodeLoadKW(this.need.node, k), this.node.maxForwardFlowKW ?? Number.POSITIVE_INFINITY, this.need.marginPct);
  }

  /** True for the contracts this desk handles. */
  handles(contract: EnergyContract | undefined): boolean {
    return contract?.template === 'flexibility/demand';
  }

  /** The answer to a discover: the need's catalogue when it matches, else undefined. */
  catalogFor(intent: DiscoverIntent): CatalogPayload | undefined {
    if (this.node === undefined || this.span === undefined || !seeksNeed(intent, this.need)) return undefined;
    const forecastKW: number[] = [];
    for (let k = this.span[0]; k <= this.span[1]; k++) forecastKW.push(this.services.grid.forecastNodeLoadKW(this.need.node, k));
    return needCatalog({
      utilityId: this.utilityId,
      utilityUri: this.services.directory.uriOf(this.utilityId),
      name: this.name,
      currency: this.services.scenario.currency,
      need: this.need,
      node: this.node,
      contract: this.offerContract(),
      forecastKW,
      issuedAt: this.nowIso(),
      intervalMinutes: this.services.clock.intervalMinutes,
    });
  }

  /** True for a message this desk answers: a flexibility discover it matches, or a message about its contracts. */
  accepts(msg: InboundMessage): boolean {
    const p = msg.payload as { readonly kind?: string; readonly intent?: DiscoverIntent; readonly contract?: EnergyContract; readonly contractId?: string };
    if (msg.action === 'discover') return p.intent !== undefined && this.catalogFor(p.intent) !== undefined;
    if (msg.action === 'status') return p.contractId !== undefined && this.taken.has(p.contractId);
    return (msg.action === 'init' || msg.action === 'confirm' || msg.action === 'update') && this.handles(p.contract);
  }

  onMessage(msg: InboundMessage): void {
    switch (msg.action) {
      case 'discover': {
        const intent = (msg.payload as { readonly intent?: DiscoverIntent }).intent;
        const catalog = intent === undefined ? undefined : this.catalogFor(intent);
        this.services.net.callback(msg, 'on_discover', catalog ?? { kind: 'catalog', catalogs: [] });
        return;
      }
      case 'init':
        return this.onInit(msg, msg.payload as ContractPayload);
      case 'confirm':
        return this.onConfirm(msg, msg.payload as ContractPayload);
      case 'update':
        return this.onUpdate(msg, msg.payload as ContractPayload);
      case 'status': {
        const t = this.taken.get((msg.payload as ContractRefPayload).contractId);
        if (t !== undefined && t.aggregatorId === msg.from) this.reply(msg, 'on_status', t, t.contract, t.lastReport === undefined ? {} : { settlement: t.lastReport });
        return;
      }
      default:
        return;
    }
  }

  onPhase(ctx: PhaseContext): void {
    if (this.span === undefined) return;
    const evalK = this.span[1] + 1;
    if (ctx.phase === 'meter' && ctx.interval === evalK) for (const t of this.taken.values()) if (t.state === 'active') this.verify(t, evalK);
    if (ctx.phase === 'settle') {
      for (const report of this.services.record.settlementReports(this.utilityId, ctx.interval)) {
        const t = this.taken.get(report.contractId);
        if (t === undefined || t.confirmMsg === undefined) continue;
        t.lastReport = report;
        const done = contractTransition(t.contract, 'COMPLETED');
        if (done.ok) {
          t.contract = done.value;
          t.state = 'completed';
          this.services.record.contractStatus(t.contract.contractId, 'COMPLETED');
        }
        this.services.net.callback(t.confirmMsg, 'on_status', { ...t.payload, contract: t.contract, settlement: report });
      }
    }
  }

  // --- contract formation --------------------------------------------------------------------

  private offerContract(): EnergyContract {
    return flexibilityOfferContract({ utilityId: this.utilityId, need: this.need, currency: this.services.scenario.currency, createdAt: this.services.clock.intervalStartIso(0), intervalMinutes: this.services.clock.intervalMinutes });
  }

  private onInit(msg: InboundMessage, p: ContractPayload): void {
    const c = p.contract;
    const from = msg.from;
    const problems: string[] = [];
    const expectedId = flexibilityContractId(this.need.node, from);
    const offer = this.offerContract();
    if (p.offerId !== flexibilityOfferId(this.need.node)) problems.push(`the need's offer is ${flexibilityOfferId(this.need.node)}, not ${p.offerId}`);
    if (c.contractId !== expectedId) problems.push(`the contract of ${from} under this need is named ${expectedId}`);
    if (roleOf(c, 'AGGREGATOR')?.filledBy !== from) problems.push(`the AGGREGATOR role must be filled by the sender ${from}`);
    if (termsOf(c) !== termsOf(offer) || canonicalJson(c.validity) !== canonicalJson(offer.validity)) problems.push('the terms differ from the offered contract');
    if (this.span === undefined) problems.push('the event lies outside the run');
    else if (this.services.net.nowMs() >= this.services.clock.intervalStartMs(this.span[0])) problems.push('the event has started');
    if (this.taken.has(expectedId)) problems.push(`${expectedId} was already submitted`);
    const portfolio = this.meters.get(portfolioMeterId(from));
    const members = new Map(portfolioMembers(from, this.services.scenario, this.meters).map((m) => [m.meterId, m.memberId]));
    if (portfolio === undefined || members.size === 0) problems.push(`${from} has no portfolio of member connections on this feeder`);
    else {
      const outside = [...members.keys()].filter((m) => !this.under(this.meters.get(m)?.nodeId));
      if (outside.length > 0) problems.push(`${outside.length} of ${from}'s member meters are not under ${this.need.node}, where the need is`);
    }
    const filled: EnergyContract = { ...offer, contractId: expectedId, roles: offer.roles.map((r) => (r.role === 'AGGREGATOR' ? { ...r, filled: true, filledBy: from } : r)) };
    const resources = [{ resourceId: portfolioMeterId(from), quantity: 0, unit: 'kW' }];
    const t: Taken = { aggregatorId: from, members, payload: { ...p, providerId: this.utilityId, resources: p.resources.length > 0 ? p.resources : resources }, contract: filled, state: 'offered', confirmMsg: undefined, acceptedKW: new Map(), lastReport: undefined, verified: false };
    if (problems.length > 0) {
      t.state = 'refused';
      this.reply(msg, 'on_init', t, refusedContract(c, 'GRID_OPERATOR', 'refused', problems.join('; ')));
      return;
    }
    this.taken.set(expectedId, t);
    this.reply(msg, 'on_init', t, filled);
  }

  private onConfirm(msg: InboundMessage, p: ContractPayload): void {
    const t = this.taken.get(p.contract.contractId);
    if (t === undefined || t.aggregatorId !== msg.from || t.state !== 'offered') {
      const stub: Taken = { aggregatorId: msg.from, members: new Map(), payload: { ...p, providerId: this.utilityId }, contract: p.contract, state: 'refused', confirmMsg: undefined, acceptedKW: new Map(), lastReport: undefined, verified: false };
      this.reply(msg, 'on_confirm', stub, refusedContract(p.contract, 'GRID_OPERATOR', 'unknown-contract', `no offered contract ${p.contract.contractId} of ${msg.from}`));
      return;
    }
    const same = termsOf(p.contract) === termsOf(t.contract) && canonicalJson(p.contract.roles) === canonicalJson(t.contract.roles) && canonicalJson(p.contract.validity) === canonicalJson(t.contract.validity);
    const moved = same ? contractTransition(t.contract, 'ACTIVE') : undefined;
    if (moved === undefined || !moved.ok) {
      t.state = 'refused';
      this.taken.delete(t.contract.contractId);
      this.reply(msg, 'on_confirm', t, refusedContract(t.contract, 'GRID_OPERATOR', 'terms-changed', 'the confirm changes the terms offered in on_init'));
      return;
    }
    t.contract = moved.value;
    t.state = 'active';
    t.confirmMsg = msg;
    this.services.record.contractActive(t.contract, this.utilityId, 'at-end');
    this.reply(msg, 'on_confirm', t, t.contract);
  }

  // --- nominations and readings --------------------------------------------------------------

  private onUpdate(msg: InboundMessage, p: ContractPayload): void {
    const t = this.taken.get(p.contract.contractId);
    if (t === undefined || t.aggregatorId !== msg.from || t.state !== 'active') {
      const stub: Taken = { aggregatorId: msg.from, members: new Map(), payload: { ...p, providerId: this.utilityId }, contract: p.contract, state: 'refused', confirmMsg: undefined, acceptedKW: new Map(), lastReport: undefined, verified: false };
      this.reply(msg, 'on_update', stub, refusedContract(p.contract, 'GRID_OPERATOR', 'unknown-contract', `no active contract ${p.contract.contractId} of ${msg.from}`));
      return;
    }
    const readings = p.delivery?.meterReadings ?? [];
    if (readings.length > 0) return this.onReadings(msg, t, readings);
    this.onNomination(msg, t, p);
  }

  private onReadings(msg: InboundMessage, t: Taken, readings: readonly MeterReading[]): void {
    const clock = this.services.clock;
    let taken = 0;
    for (const r of readings) {
      const k = intervalOfWindow(clock, r.interval);
      if (k === undefined || !t.members.has(r.meterId)) continue;
      let m = this.readings.get(r.meterId);
      if (m === undefined) this.readings.set(r.meterId, (m = new Map()));
      m.set(k, r.netKWh);
      taken++;
    }
    if (taken < readings.length) this.services.record.note(this.currentInterval(), `${this.utilityId}: ${readings.length - taken} of ${readings.length} readings from ${t.aggregatorId} name no member meter or no interval of the run`);
    this.reply(msg, 'on_update', t, t.contract, { delivery: { deliveryId: `dl-${t.contract.contractId}-readings`, status: 'IN_PROGRESS', window: t.contract.validity ?? this.need.window } });
  }

  private onNomination(msg: InboundMessage, t: Taken, p: ContractPayload): void {
    const clock = this.services.clock;
    const w = p.delivery?.window;
    const k = w === undefined ? undefined : intervalOfWindow(clock, w);
    const curve = roleInput(p.contract, 'AGGREGATOR', 'offerCurve') as OfferCurve | null | undefined;
    let problem: string | undefined;
    if (k === undefined || this.span === undefined || k < this.span[0] || k > this.span[1]) problem = 'a nomination names one interval of the event in delivery.window';
    else if (this.services.net.nowMs() >= clock.intervalStartMs(k)) problem = `delivery of interval ${k} has started`;
    else if (t.acceptedKW.has(k)) problem = `interval ${k} was already nominated`;
    else if (curve === null || curve === undefined || validateCurve(curve, 'offerCurve').length > 0) problem = 'the AGGREGATOR role needs a valid offerCurve of upward flexibility';
    if (problem !== undefined || k === undefined || curve === null || curve === undefined) {
      this.reply(msg, 'on_update', t, withRoleInputs(t.contract, 'AGGREGATOR', { refusal: `nomination-refused: ${problem ?? 'invalid'}` }));
      return;
    }
    const offered = Math.max(0, curvePowerAt(curve, this.need.pricePerKWh));
    const accepted = Math.min(offered, this.needKW(k));
    t.acceptedKW.set(k, accepted);
    const committedKWh = [...t.acceptedKW.values()].reduce((s, x) => s + x, 0) * clock.intervalHours;
    const declared = numericRoleInput(p.contract, 'AGGREGATOR', 'baselineKW');
    const expected = this.expectedBaselineKW(t, k) ?? declared ?? 0;
    const window = { start: clock.intervalStartIso(k), end: clock.intervalStartIso(k + 1) };
    const delivery: EnergyDelivery = {
      deliveryId: `dl-${t.contract.contractId}-i${k}`,
      status: 'PENDING',
      window,
      setpoints: [{ setpointId: `sp-${t.contract.contractId}-i${k}`, resourceId: portfolioMeterId(t.aggregatorId), interval: window, targetPowerKW: round6(expected + accepted), atPricePerKWh: this.need.pricePerKWh, offsetKW: round6(accepted) }],
    };
    this.services.record.metric('flexibilityAcceptedKWh', accepted * clock.intervalHours);
    this.reply(msg, 'on_update', t, withRoleInputs(t.contract, 'AGGREGATOR', { committedKWh: round6(committedKWh) }), { delivery });
  }

  /** The portfolio's baseline for interval k from the readings so far (earlier days only), kW. */
  private expectedBaselineKW(t: Taken, k: number): number | undefined {
    const b = meterBaseline((j) => this.portfolioKWh(t, j), k, k, { days: this.need.baselineDays, adjustmentIntervals: 0, intervalsPerDay: this.intervalsPerDay() });
    return b === undefined ? undefined : b.totalKWh / this.services.clock.intervalHours;
  }

  // --- verification --------------------------------------------------------------------------

  private verify(t: Taken, evalK: number): void {
    if (this.span === undefined || t.verified) return;
    t.verified = true;
    const [first, last] = this.span;
    const h = this.services.clock.intervalHours;
    const committedKWh = [...t.acceptedKW.values()].reduce((s, x) => s + x, 0) * h;
    const method = { days: this.need.baselineDays, adjustmentIntervals: Math.round((this.need.adjustmentHours * 60) / this.services.clock.intervalMinutes), intervalsPerDay: this.intervalsPerDay() };
    const baseline = meterBaseline((j) => this.portfolioKWh(t, j), first, last, method);
    let actual = 0;
    let complete = true;
    for (let k = first; k <= last; k++) {
      const v = this.portfolioKWh(t, k);
      if (v === undefined) complete = false;
      else actual += v;
    }
    const id = t.contract.contractId;
    if (baseline === undefined || !complete) {
      this.services.record.note(evalK, `${this.utilityId}: delivery under ${id} cannot be verified (${baseline === undefined ? 'no earlier day in the readings' : 'readings of the event are missing'}); no reduction is paid`);
      this.services.record.periodInputs(id, evalK, flexibilityInputs(0, 0, committedKWh));
      this.verifications.push({ contractId: id, committedKWh, baselineKWh: 0, actualKWh: 0, reductionKWh: 0, baselineDays: 0, adjustmentKWh: 0 });
      return;
    }
    this.services.record.periodInputs(id, evalK, flexibilityInputs(baseline.totalKWh, actual, committedKWh));
    this.services.record.metric('flexibilityVerifiedKWh', Math.max(0, Math.min(committedKWh, actual - baseline.totalKWh)));
    this.verifications.push({ contractId: id, committedKWh, baselineKWh: baseline.totalKWh, actualKWh: actual, reductionKWh: actual - baseline.totalKWh, baselineDays: baseline.daysUsed, adjustmentKWh: baseline.adjustmentKWh });
  }

  /** The portfolio's net energy in interval k, kWh, when every member meter has reported it. */
  private portfolioKWh(t: Taken, k: number): number | undefined {
    let s = 0;
    for (const meterId of t.members.keys()) {
      const v = this.readings.get(meterId)?.get(k);
      if (v === undefined) return undefined;
      s += v;
    }
    return s;
  }

  // --- helpers -------------------------------------------------------------------------------

  /** True when a node is the need's node or lies below it. */
  private under(nodeId: string | undefined): boolean {
    const parent = new Map(this.services.grid.nodes.map((n) => [n.id, n.parent]));
    let n = nodeId;
    while (n !== undefined) {
      if (n === this.need.node) return true;
      n = parent.get(n);
    }
    return false;
  }

  private intervalsPerDay(): number {
    return Math.round(1440 / this.services.clock.intervalMinutes);
  }

  private reply(msg: InboundMessage, action: string, t: Taken, contract: EnergyContract, extra: Partial<Pick<ContractPayload, 'delivery' | 'settlement'>> = {}): void {
    this.services.net.callback(msg, action, { ...t.payload, contract, ...extra });
  }

  private nowIso(): string {
    return isoOf(this.services.net.nowMs());
  }

  private currentInterval(): number {
    const c = this.services.clock;
    return Math.min(c.intervals - 1, Math.max(0, Math.floor((this.services.net.nowMs() - c.startMs) / c.intervalMs)));
  }
}

function round6(x: number): number {
  const v = Math.round(x * 1e6) / 1e6;
  return Object.is(v, -0) ? 0 : v;
}
