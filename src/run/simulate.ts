import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import { createClock, type SimClock } from '../kernel/clock.js';
import { PHASES, phaseTimes, type Phase } from '../kernel/phases.js';
import { createRandomStreams, type RandomStreams } from '../kernel/random.js';
import type { Scenario, ParticipantSpec } from '../scenario/types.js';
import { intervalCount } from '../scenario/types.js';
import { createBus, type Bus } from '../protocol/transport/bus.js';
import { createMemoryTrace, type MemoryTrace } from '../protocol/trace.js';
import { generateRegistry, indexRegistry, type SubscriberRegistry } from '../protocol/registry.js';
import type { SubscriberSpec } from '../protocol/registry.js';
import { getProfile } from '../protocol/profiles/index.js';
import { validateMessage } from '../protocol/validate.js';
import { ackBuilder } from '../protocol/ack.js';
import { contextReaderOf } from '../protocol/receiver.js';
import { isoOf } from '../kernel/clock.js';
import type { FlowRow } from '../../grid/index.js';
import { AGENT_KINDS, MEMBER_RESOURCES } from '../../agents/index.js';
import type { Agent, AgentServices, Directory, FactoryContext } from './agent.js';
import { createNetwork, type Network } from './network.js';
import { RunRecorder } from './recorder.js';
import { SettlementEngine } from './settle.js';
import { buildWorld, type World } from './world.js';
import { connectRemoteAgents, type RemoteSetup } from './remote.js';

/** Kinds that are a role in the market rather than a customer connection. */
const UNMETERED_KINDS = new Set(['mca', 'utility', 'aggregator', 'ev-driver']);
/** Party id of the government in contracts (taxes and duties); not an agent. */
export const GOVERNMENT_ID = 'government';

/** One flow row with its interval. */
export interface IntervalFlowRow extends FlowRow {
  readonly interval: number;
}

/** Everything a finished simulation hands to the report writers. */
export interface Simulation {
  readonly scenario: Scenario;
  readonly clock: SimClock;
  readonly world: World;
  readonly agents: readonly Agent[];
  readonly directory: Directory;
  readonly recorder: RunRecorder;
  readonly settlement: SettlementEngine;
  readonly flows: readonly IntervalFlowRow[];
  readonly trace: MemoryTrace;
  readonly registry: SubscriberRegistry;
  readonly network: Network;
  readonly violations: { readonly voltage: number; readonly limit: number; readonly nonConverged: number };
}

/** Ids of every participant of a scenario entry, in order. */
export function participantIds(p: ParticipantSpec): string[] {
  if (p.count > 1) return Array.from({ length: p.count }, (_, i) => `${p.idPrefix ?? p.kind}-${i + 1}`);
  return [p.id ?? p.idPrefix ?? p.kind];
}

/** The address of an agent in a run (its Beckn subscriber URI). */
export function agentUri(id: string): string {
  return `https://${id}.degsim.local/beckn`;
}

/** How to run a scenario beyond its file. */
export interface SimulateOptions {
  /** A mixed run: agents served by `degsim serve` nodes, driven over HTTP (see `remote.ts`). */
  readonly remote?: RemoteSetup;
}

/**
 * Runs a scenario to the end in simulated time: builds the world and the agents, then steps every
 * interval's phases in time order (phases of consecutive intervals interleave: interval k+1 bids
 * while k is delivered), delivering messages on the bus between phases.
 */
export async function simulate(scenario: Scenario, onProgress?: (done: number, total: number) => void, options: SimulateOptions = {}): Promise<Result<Simulation>> {
  const n = intervalCount(scenario);
  const clock = createClock(scenario.start, scenario.intervalMinutes, n);
  const streams: RandomStreams = createRandomStreams(scenario.seed);

  const errors: Diagnostic[] = [];
  const entries = scenario.participants.map((p, i) => ({ spec: p, index: i, ids: participantIds(p) }));
  for (const e of entries) {
    if (!AGENT_KINDS.has(e.spec.kind)) errors.push({ code: 'participant.kind', path: `participants[${e.index}].kind`, message: `no agent of kind "${e.spec.kind}" (known: ${[...AGENT_KINDS.keys()].sort().join(', ')})` });
  }
  if (errors.length > 0) return fail(errors);

  const demand = new Map<string, { id: string; transformer?: string; bringsPV?: boolean }[]>();
  for (const e of entries) {
    if (UNMETERED_KINDS.has(e.spec.kind)) continue;
    const list = demand.get(e.spec.kind) ?? [];
    const ownsPV = typeof e.spec['pvKWp'] === 'number' && (e.spec['pvKWp'] as number) > 0;
    for (const id of e.ids) list.push({ id, ...(e.spec.transformer === undefined ? {} : { transformer: e.spec.transformer }), ...(ownsPV ? { bringsPV: true } : {}) });
    demand.set(e.spec.kind, list);
  }
  // Connections an entry brings along (an aggregator's members): metered and addressable like participants.
  const members = entries.flatMap((e) => MEMBER_RESOURCES.get(e.spec.kind)?.(e.spec, e.ids) ?? []);
  for (const m of members) demand.set(m.kind, [...(demand.get(m.kind) ?? []), m.transformer === undefined ? { id: m.id } : { id: m.id, transformer: m.transformer }]);
  const worldResult = buildWorld(scenario, clock, streams, demand);
  if (!worldResult.ok) return worldResult;
  const world = worldResult.value;

  const kindOf = new Map<string, string>();
  for (const e of entries) for (const id of e.ids) kindOf.set(id, e.spec.kind);
  for (const m of members) kindOf.set(m.id, m.kind);
  const byKind = new Map<string, string[]>();
  for (const [id, kind] of kindOf) byKind.set(kind, [...(byKind.get(kind) ?? []), id].sort());
  const directory: Directory = {
    mcaId: byKind.get('mca')?.[0],
    utilityId: byKind.get('utility')?.[0],
    governmentId: GOVERNMENT_ID,
    byKind: (k) => byKind.get(k) ?? [],
    kindOf: (id) => kindOf.get(id),
    uriOf: agentUri,
  };

  const subscribers: SubscriberSpec[] = [...kindOf.keys()].sort().map((id) => ({ subscriberId: id, role: kindOf.get(id) === 'mca' || kindOf.get(id) === 'utility' ? 'BPP' : 'BAP', uri: agentUri(id) }));
  // The MCA is a BAP too when it cascades to the utility; aggregators likewise. CPOs and bilateral
  // sellers are BPPs to drivers and buyers.
  for (const id of [...kindOf.keys()].sort()) {
    const k = kindOf.get(id);
    if (k === 'mca' || k === 'aggregator' || k === 'cpo' || k === 'p2p-seller') subscribers.push({ subscriberId: id, role: k === 'mca' ? 'BAP' : 'BPP', uri: agentUri(id) });
  }
  const reg = generateRegistry(scenario.seed, subscribers);
  if (!reg.ok) return reg;

  const profile = getProfile(scenario.protocol.profile);
  const trace = createMemoryTrace();
  const link = scenario.protocol.link;
  const bus: Bus = createBus({
    registry: indexRegistry(reg.value.registry),
    keys: reg.value.keys,
    validator: (wire) => validateMessage(wire, scenario.protocol.profile),
    contextReader: contextReaderOf((wire) => profile.contextOf(wire)),
    ackBuilder: ackBuilder({ profile: scenario.protocol.profile, now: () => isoOf(Number.isFinite(bus.nowMs) ? bus.nowMs : clock.startMs) }),
    random: streams,
    links: {
      default: {
        latencyMs: link.latencyMs,
        jitterMs: link.jitterMs,
        lossProbability: link.lossProbability,
        duplicationProbability: link.duplicateProbability,
        reorderProbability: link.reorderProbability,
        reorderDelayMs: link.reorderProbability > 0 ? Math.max(1, 5 * link.latencyMs) : 0,
      },
    },
    trace,
    defaultTtlMs: scenario.protocol.ttlSeconds * 1000,
  });
  const transactionKeys = new Map<string, string>();
  const network = createNetwork({ profileId: scenario.protocol.profile, profile, domain: scenario.protocol.domain, ttlSeconds: scenario.protocol.ttlSeconds, bus, directory, transactionKeys });
  const settlement = new SettlementEngine(clock);
  const recorder = new RunRecorder(settlement);

  const services = (id: string): AgentServices => ({
    scenario,
    clock,
    stream: (name) => streams.get(`${id}/${name}`),
    net: network.forAgent(id),
    directory,
    grid: { nodeOfMeter: world.nodeOfMeter, nodes: world.nodes, forecastNodeLoadKW: world.forecastNodeLoadKW },
    record: recorder,
  });
  const factoryContext: FactoryContext = { meterOf: (id) => world.assignment(id) };
  const agents: Agent[] = [];
  for (const e of entries) {
    const factory = AGENT_KINDS.get(e.spec.kind);
    if (factory === undefined) continue;
    agents.push(...factory(e.spec, e.ids, services, factoryContext));
  }
  agents.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const linked = options.remote === undefined || options.remote.nodes.size === 0 ? undefined : await connectRemoteAgents({ setup: options.remote, scenario, agents, bus, recorder, reportsFor: (p, k) => settlement.reportsFor(p, k), trace, registry: reg.value.registry, transactionKeys });
  if (linked !== undefined && !linked.ok) return linked;
  const remote = linked?.value;
  for (const a of agents) if (remote?.hosts(a.id) !== true) network.attach(a);
  const driven = remote?.agents ?? agents;

  const timeline = buildTimeline(scenario, clock);
  const flows: IntervalFlowRow[] = [];
  let voltage = 0;
  let limit = 0;
  let nonConverged = 0;
  let lastMeterEnergy: ReadonlyMap<string, number> = new Map();
  let done = 0;

  for (const ev of timeline) {
    await bus.runUntil(ev.atMs);
    network.setNow(ev.atMs);
    const ctx = { phase: ev.phase, interval: ev.k, nowMs: ev.atMs };
    if (ev.phase === 'physics') {
      await remote?.beforePhysics(ev.k, ev.atMs);
      const actual = new Map<string, { pKW: number; qKVAr: number }>();
      for (const a of driven) {
        let total = 0;
        for (const m of a.meterIds) {
          const p = a.actualPowerKW?.(m, ev.k) ?? 0;
          const q = a.reactivePowerKVAr?.(m, ev.k) ?? Math.max(0, -p) * 0.2;
          actual.set(m, { pKW: p, qKVAr: q });
          total += p;
        }
        if (a.meterIds.length > 0) recorder.setActual(ev.k, a.id, total);
      }
      const r = world.physics(ev.k, actual);
      lastMeterEnergy = r.meterEnergyKWh;
      if (!r.converged || r.report === undefined) {
        nonConverged++;
        recorder.note(ev.k, `power flow did not converge in ${r.iterations} iterations`);
      } else {
        for (const row of r.report.rows) flows.push({ ...row, interval: ev.k });
        voltage += r.report.voltageViolations.length;
        limit += r.report.limitViolations.length;
      }
    }
    if (ev.phase === 'settle') settlement.settleInterval(ev.k, lastMeterEnergy);
    for (const a of driven) {
      if (remote?.hosts(a.id) === true) await remote.phase(a.id, ctx);
      else a.onPhase?.(ctx);
    }
    if (ev.phase === 'settle') onProgress?.(++done, n);
  }
  await bus.runUntil(clock.endMs + scenario.protocol.ttlSeconds * 1000);
  if (remote !== undefined) {
    await remote.close();
    if (remote.errors.length > 0) return fail(remote.errors);
  }

  if (settlement.errors.length > 0) return fail(settlement.errors);
  const check = settlement.ledger.check();
  if (!check.ok) return fail(check.errors);

  return ok({ scenario, clock, world, agents: driven, directory, recorder, settlement, flows, trace, registry: reg.value.registry, network, violations: { voltage, limit, nonConverged } });
}

interface TimelineEvent {
  readonly atMs: number;
  readonly k: number;
  readonly phase: Phase;
  readonly order: number;
}

/** Every phase of every interval, sorted by time, then interval, then phase order. */
function buildTimeline(scenario: Scenario, clock: SimClock): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const lead = scenario.market.bidLeadMinutes * 60_000;
  const gate = scenario.market.gateClosureMinutes * 60_000;
  for (let k = 0; k < clock.intervals; k++) {
    const t = phaseTimes(clock.intervalStartMs(k), clock.intervalMs, lead, gate);
    PHASES.forEach((phase, order) => out.push({ atMs: t[phase], k, phase, order }));
  }
  return out.sort((a, b) => a.atMs - b.atMs || a.k - b.k || a.order - b.order);
}
