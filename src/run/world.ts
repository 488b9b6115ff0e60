import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import type { RandomStreams } from '../kernel/random.js';
import type { SimClock } from '../kernel/clock.js';
import type { Scenario } from '../scenario/types.js';
import {
  compileFeeder,
  createPowerFlowWorkspace,
  emptyBusLoads,
  flowReport,
  forecast as withForecastError,
  generateFeeder,
  gridNodesFromFeeder,
  householdLoad,
  loadFeederFile,
  pvProfile,
  solvePowerFlow,
  FEEDER_HEAD_ID,
  type BusLoads,
  type CompiledFeeder,
  type CustomerConnection,
  type Feeder,
  type FlowReport,
  type FlowLimits,
  type PowerFlowWorkspace,
} from '../../grid/index.js';
import type { GridNodeInfo, MeterAssignment } from './agent.js';

/** Participant kinds that own a physical connection, and which connections suit each. */
const METERED_KINDS: Readonly<Record<string, (c: CustomerConnection) => boolean>> = {
  cpo: (c) => c.kind === 'cpo',
  prosumer: (c) => c.der.hasPV && c.kind !== 'cpo',
  'p2p-seller': (c) => c.der.hasPV && c.kind !== 'cpo',
  consumer: (c) => !c.der.hasPV && c.kind !== 'cpo',
  'p2p-buyer': (c) => !c.der.hasPV && c.kind !== 'cpo',
  battery: (c) => !c.der.hasPV && c.kind !== 'cpo',
  'home-ev': (c) => c.der.hasEV && c.kind !== 'cpo',
};

/** A connection's default annual consumption by kind, kWh (when the feeder does not say). */
const DEFAULT_ANNUAL_KWH: Readonly<Record<string, number>> = { household: 3000, prosumer: 3600, commercial: 12000, cpo: 0 };

/** The physical world of a run: the feeder, who sits where, passive loads, power flow and meters. */
export interface World {
  readonly feeder: Feeder;
  readonly compiled: CompiledFeeder;
  readonly nodes: readonly GridNodeInfo[];
  /** Meter → grid node id. */
  nodeOfMeter(meterId: string): string;
  /** The connection given to a participant, if its kind is metered. */
  assignment(participantId: string): MeterAssignment | undefined;
  /** Forecast net load of a node's subtree in interval k, kW (positive = import). */
  forecastNodeLoadKW(nodeId: string, k: number): number;
  /**
   * Solves the power flow of interval k from the participants' actual powers (kW, + export, by
   * meter) and the passive connections; returns the flow report and each meter's net export kWh.
   */
  physics(k: number, actualByMeter: ReadonlyMap<string, { readonly pKW: number; readonly qKVAr: number }>): PhysicsResult;
}

export interface PhysicsResult {
  readonly converged: boolean;
  readonly iterations: number;
  readonly report: FlowReport | undefined;
  readonly lossesKW: number;
  /** Net export energy over the interval per metered connection, kWh (participants and passive). */
  readonly meterEnergyKWh: ReadonlyMap<string, number>;
}

/** Counts of metered participants by kind, to size the feeder. */
export type MeteredDemand = ReadonlyMap<string, readonly MeteredParticipant[]>;

/** A participant that needs a connection: its transformer, if pinned, and whether its entry states its own PV. */
export interface MeteredParticipant {
  readonly id: string;
  readonly transformer?: string;
  /** The entry gives `pvKWp`: any customer connection will do, PV ones preferred. */
  readonly bringsPV?: boolean;
}

/** Builds the world: the feeder (from a file or generated from the seed), assignments and passive profiles. */
export function buildWorld(scenario: Scenario, clock: SimClock, streams: RandomStreams, demand: MeteredDemand): Result<World> {
  const feederResult = loadOrGenerateFeeder(scenario, demand);
  if (!feederResult.ok) return feederResult;
  const feeder = feederResult.value;
  const compiled = compileFeeder(feeder);
  const nodes: GridNodeInfo[] = gridNodesFromFeeder(feeder, compiled).map((n) => ({
    id: n.id,
    kind: n.kind,
    ...(n.parent === undefined ? {} : { parent: n.parent }),
    ...(n.ratingKVA === undefined ? {} : { ratingKVA: n.ratingKVA }),
    ...(n.maxForwardFlowKW === undefined ? {} : { maxForwardFlowKW: n.maxForwardFlowKW }),
    ...(n.maxReverseFlowKW === undefined ? {} : { maxReverseFlowKW: n.maxReverseFlowKW }),
  }));
  const meterNode = new Map<string, string>();
  for (const c of feeder.connections) meterNode.set(c.meterId, c.transformer ?? FEEDER_HEAD_ID);

  const assigned = assign(feeder, demand, scenario);
  if (!assigned.ok) return assigned;
  const byParticipant = assigned.value;
  const takenMeters = new Set([...byParticipant.values()].map((a) => a.meterId));

  const n = clock.intervals;
  const grid = { startIso: scenario.start, intervalMinutes: scenario.intervalMinutes, intervals: n, longitude: scenario.location.longitude };
  // Passive connections: every customer not played by an agent still loads the feeder.
  const passive: { meterId: string; busIndex: number; pKW: Float64Array }[] = [];
  for (const c of feeder.connections) {
    if (takenMeters.has(c.meterId)) continue;
    const annual = c.annualConsumptionKWh ?? DEFAULT_ANNUAL_KWH[c.kind] ?? 3000;
    const load = annual > 0 ? householdLoad({ ...grid, annualKWh: annual }, streams.get(`world/load/${c.meterId}`)) : new Float64Array(n);
    const net = new Float64Array(n);
    const pv = c.der.hasPV
      ? pvProfile({ ...grid, latitude: scenario.location.latitude, longitude: scenario.location.longitude, kWp: c.der.pvKWp, cloudiness: 0.3 }, streams.get(`world/pv/${c.meterId}`))
      : undefined;
    for (let k = 0; k < n; k++) net[k] = (load[k] ?? 0) - (pv?.[k] ?? 0);
    const busIndex = compiled.busIndex.get(c.bus);
    if (busIndex === undefined) continue;
    passive.push({ meterId: c.meterId, busIndex, pKW: net });
  }

  // The operator's forecast per node: standard shapes for every connection it serves (participants
  // included, from their connection data only), plus seeded forecast error.
  const forecastByNode = new Map<string, Float64Array>();
  for (const node of nodes) forecastByNode.set(node.id, new Float64Array(n));
  const parentOf = new Map(nodes.map((x) => [x.id, x.parent]));
  for (const c of feeder.connections) {
    const annual = c.annualConsumptionKWh ?? DEFAULT_ANNUAL_KWH[c.kind] ?? 3000;
    const shape = annual > 0 ? householdLoad({ ...grid, annualKWh: annual, noise: 0 }, streams.get(`world/forecast-load/${c.meterId}`)) : new Float64Array(n);
    const pv = c.der.hasPV
      ? pvProfile({ ...grid, latitude: scenario.location.latitude, longitude: scenario.location.longitude, kWp: c.der.pvKWp, cloudiness: 0.3 }, streams.get(`world/forecast-pv/${c.meterId}`))
      : undefined;
    const ev = c.der.hasEV ? c.der.evChargePoints * c.der.evChargerKW * 0.25 : 0;
    let node: string | undefined = meterNode.get(c.meterId);
    while (node !== undefined) {
      const arr = forecastByNode.get(node);
      if (arr !== undefined) for (let k = 0; k < n; k++) arr[k] = (arr[k] ?? 0) + (shape[k] ?? 0) - (pv?.[k] ?? 0) + ev;
      node = parentOf.get(node);
    }
  }
  for (const [id, arr] of forecastByNode) forecastByNode.set(id, withForecastError(arr, 0.1, streams.get(`world/forecast-error/${id}`)));

  const workspace: PowerFlowWorkspace = createPowerFlowWorkspace(compiled);
  const loads: BusLoads = emptyBusLoads(compiled);
  const limits = transformerLimits(feeder);
  const hours = scenario.intervalMinutes / 60;

  return ok({
    feeder,
    compiled,
    nodes,
    nodeOfMeter: (m) => meterNode.get(m) ?? FEEDER_HEAD_ID,
    assignment: (id) => byParticipant.get(id),
    forecastNodeLoadKW: (node, k) => forecastByNode.get(node)?.[k] ?? 0,
    physics(k, actualByMeter) {
      loads.pKW.fill(0);
      loads.qKVAr.fill(0);
      const energy = new Map<string, number>();
      for (const p of passive) {
        const kw = p.pKW[k] ?? 0;
        loads.pKW[p.busIndex] = (loads.pKW[p.busIndex] ?? 0) + kw;
        loads.qKVAr[p.busIndex] = (loads.qKVAr[p.busIndex] ?? 0) + Math.max(0, kw) * 0.2;
        energy.set(p.meterId, -kw * hours);
      }
      for (const c of feeder.connections) {
        const a = actualByMeter.get(c.meterId);
        if (a === undefined) continue;
        const bus = compiled.busIndex.get(c.bus);
        if (bus === undefined) continue;
        loads.pKW[bus] = (loads.pKW[bus] ?? 0) - a.pKW;
        loads.qKVAr[bus] = (loads.qKVAr[bus] ?? 0) + a.qKVAr;
        energy.set(c.meterId, a.pKW * hours);
      }
      const result = solvePowerFlow(compiled, loads, { workspace });
      if (!result.converged) return { converged: false, iterations: result.iterations, report: undefined, lossesKW: 0, meterEnergyKWh: energy };
      const report = flowReport(compiled, result, { transformerLimits: limits });
      return { converged: true, iterations: result.iterations, report, lossesKW: result.lossesKW, meterEnergyKWh: energy };
    },
  });
}

function transformerLimits(feeder: Feeder): ReadonlyMap<string, FlowLimits> {
  return new Map(feeder.transformers.map((t) => [t.id, { maxForwardFlowKW: t.maxForwardFlowKW, maxReverseFlowKW: t.maxReverseFlowKW }]));
}

function loadOrGenerateFeeder(scenario: Scenario, demand: MeteredDemand): Result<Feeder> {
  if (scenario.feeder.file !== undefined) {
    const r = loadFeederFile(scenario.feeder.file);
    if (!r.ok) return r;
    return ok(applyLimitOverrides(r.value, scenario));
  }
  const g = scenario.feeder.generate ?? { transformers: 3, customersPerTransformer: 12, pvShare: 0.5, evShare: 0.2, batteryShare: 0.2 };
  const cpoSites = demand.get('cpo')?.length ?? 0;
  try {
    const feeder = generateFeeder(
      {
        transformers: g.transformers,
        customersPerTransformer: g.customersPerTransformer,
        pvShare: g.pvShare,
        evShare: g.evShare,
        batteryShare: g.batteryShare,
        cpoSites,
        name: scenario.name,
        ...(scenario.feeder.transformerLimits === undefined ? {} : { transformerLimits: scenario.feeder.transformerLimits }),
      },
      scenario.seed,
    );
    return ok(feeder);
  } catch (e) {
    return fail([{ code: 'feeder.generate', path: 'feeder.generate', message: (e as Error).message }]);
  }
}

function applyLimitOverrides(feeder: Feeder, scenario: Scenario): Feeder {
  const o = scenario.feeder.transformerLimits;
  if (o === undefined) return feeder;
  return {
    ...feeder,
    transformers: feeder.transformers.map((t) => {
      const x = o[t.id];
      return x === undefined ? t : { ...t, ...(x.maxForwardFlowKW === undefined ? {} : { maxForwardFlowKW: x.maxForwardFlowKW }), ...(x.maxReverseFlowKW === undefined ? {} : { maxReverseFlowKW: x.maxReverseFlowKW }) };
    }),
  };
}

/**
 * Gives each metered participant a connection of the right kind, spreading each kind over the
 * transformers in turn (first customer of each transformer, then the second, …) so that a group
 * is not piled onto one transformer. A participant with `transformer` set gets one under it.
 */
function assign(feeder: Feeder, demand: MeteredDemand, scenario: Scenario): Result<Map<string, MeterAssignment>> {
  const errors: Diagnostic[] = [];
  const out = new Map<string, MeterAssignment>();
  const taken = new Set<string>();
  const rank = new Map<string, number>();
  const seenPerTx = new Map<string, number>();
  for (const c of feeder.connections) {
    const tx = c.transformer ?? FEEDER_HEAD_ID;
    const i = seenPerTx.get(tx) ?? 0;
    seenPerTx.set(tx, i + 1);
    rank.set(c.meterId, i);
  }
  const spread = [...feeder.connections].sort((a, b) => (rank.get(a.meterId) ?? 0) - (rank.get(b.meterId) ?? 0));
  const kinds = [...demand.keys()].sort();
  for (const kind of kinds) {
    const suits = METERED_KINDS[kind];
    if (suits === undefined) continue;
    for (const p of demand.get(kind) ?? []) {
      const free = (x: CustomerConnection): boolean => !taken.has(x.meterId) && (p.transformer === undefined || x.transformer === p.transformer);
      const c = spread.find((x) => free(x) && suits(x)) ?? (p.bringsPV === true ? spread.find((x) => free(x) && x.kind !== 'cpo') : undefined);
      if (c === undefined) {
        const idx = scenario.participants.findIndex((s) => s.kind === kind);
        errors.push({
          code: 'feeder.capacity',
          path: `participants[${idx}]`,
          message: `no free ${kind} connection for ${p.id}${p.transformer === undefined ? '' : ` under ${p.transformer}`} on feeder ${feeder.name}: give the feeder more customers (feeder.generate.customersPerTransformer, pvShare, evShare) or fewer ${kind} participants`,
        });
        continue;
      }
      taken.add(c.meterId);
      out.set(p.id, {
        meterId: c.meterId,
        node: c.transformer ?? FEEDER_HEAD_ID,
        bus: c.bus,
        ...(c.der.hasPV ? { pvKWp: c.der.pvKWp } : {}),
        ...(c.der.hasBattery ? { batteryKWh: c.der.batteryKWh, batteryKW: c.der.batteryKW } : {}),
        ...(c.der.hasEV ? { evChargePoints: c.der.evChargePoints, evChargerKW: c.der.evChargerKW } : {}),
        ...(c.sanctionedLoadKW === undefined ? {} : { sanctionedLoadKW: c.sanctionedLoadKW }),
        ...(c.annualConsumptionKWh === undefined ? {} : { annualConsumptionKWh: c.annualConsumptionKWh }),
      });
    }
  }
  return errors.length > 0 ? fail(errors) : ok(out);
}
