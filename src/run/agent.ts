import type { PhaseContext } from '../kernel/phases.js';
import type { RandomStream } from '../kernel/random.js';
import type { SimClock } from '../kernel/clock.js';
import type { Scenario, ParticipantSpec } from '../scenario/types.js';
import type { EnergyContract } from '../contracts/model.js';
import type { PeriodInputs } from '../contracts/evaluate.js';
import type { SettlementReport } from '../protocol/payloads.js';

/**
 * What an agent sees of the run. Agents own their objectives (policy) and their protocol state
 * (xstate machines); everything else — the clock, random streams, the network, the physical grid
 * and the report recorder — comes from here.
 */
export interface AgentServices {
  readonly scenario: Scenario;
  readonly clock: SimClock;
  /** A stream private to this agent: `stream('pv')` is `<agent id>/pv`. */
  stream(name: string): RandomStream;
  readonly net: AgentNetwork;
  readonly directory: Directory;
  readonly grid: GridView;
  readonly record: Recorder;
}

/** Who is who in the run. */
export interface Directory {
  /** Id of the market clearing agent, if the scenario has one. */
  readonly mcaId: string | undefined;
  /** Id of the utility / grid operator. */
  readonly utilityId: string | undefined;
  /** Party id of the government (taxes). Not an agent; a party in contracts. */
  readonly governmentId: string;
  /** Every agent id by kind, sorted. */
  byKind(kind: string): readonly string[];
  /** Kind of an agent id. */
  kindOf(id: string): string | undefined;
  /** Network address of an agent (its Beckn subscriber URI). */
  uriOf(id: string): string;
}

/** The slice of the feeder an agent may know: where meters sit, transformer limits, forecasts. */
export interface GridView {
  /** Transformer (grid node) a meter is connected to. */
  nodeOfMeter(meterId: string): string;
  /** Grid nodes for clearing: root first, then transformers. */
  readonly nodes: readonly GridNodeInfo[];
  /**
   * The operator's own day-ahead forecast of a node's net load in interval k (kW, positive =
   * power flowing into the subtree), from connection data and standard profiles plus seeded
   * forecast error — what a utility knows without seeing participants' private forecasts.
   */
  forecastNodeLoadKW(nodeId: string, k: number): number;
}

export interface GridNodeInfo {
  readonly id: string;
  readonly parent?: string;
  readonly kind: 'feeder-head' | 'transformer';
  readonly ratingKVA?: number;
  readonly maxForwardFlowKW?: number;
  readonly maxReverseFlowKW?: number;
}

/** The messaging surface agents use. Agents hand over domain payloads; the protocol profile builds the wire JSON. */
export interface AgentNetwork {
  /** Sends a request (discover, init, confirm, …) to a BPP; `to` is the BPP's agent id. */
  request(msg: OutboundRequest): void;
  /** Answers a request with its `on_*` callback, to the BAP named in the request's context. */
  callback(inReplyTo: InboundMessage, action: string, payload: unknown): void;
  /** Simulated now, ms since the epoch. */
  nowMs(): number;
}

export interface OutboundRequest {
  readonly to: string;
  readonly action: string;
  readonly transactionId: string;
  readonly payload: unknown;
}

/** A message accepted by this agent's receiver: verified, validated, parsed into a domain payload. */
export interface InboundMessage {
  readonly action: string;
  readonly from: string;
  readonly transactionId: string;
  readonly messageId: string;
  readonly timestampMs: number;
  readonly payload: unknown;
}

/** A refusal of one of this agent's messages (NACK or timeout), so no contract is silently lost. */
export interface NackNotice {
  readonly action: string;
  readonly to: string;
  readonly transactionId: string;
  readonly messageId: string;
  readonly code: string;
  readonly message: string;
}

/** A dispatch row: one participant, one interval. */
export interface DispatchRecord {
  readonly interval: number;
  readonly participant: string;
  readonly kind: string;
  readonly node: string;
  readonly meterId: string;
  readonly offeredMinKW: number;
  readonly offeredMaxKW: number;
  readonly clearedKW: number;
  readonly pricePerKWh: number;
}

/** Where agents put what the reports need. */
export interface Recorder {
  /** Market outcome as the participant received it (actual and deviation are filled in by physics). */
  dispatch(row: DispatchRecord): void;
  /** A clearing outcome for one interval: the raw result of the clearing engine. */
  clearing(interval: number, result: unknown): void;
  /**
   * A contract that became ACTIVE through the protocol, recorded once by the BPP that confirmed it.
   * Settlement evaluates it every interval its validity covers (or once, at the end of its
   * validity, when `billing` is `at-end`, e.g. a charging session billed from its CDR).
   */
  contractActive(contract: EnergyContract, formedBy: string, billing?: 'per-interval' | 'at-end'): void;
  /** Settlement reports of the contracts this agent provides (as BPP) for an interval, ready in the settle phase. */
  settlementReports(providerId: string, interval: number): readonly SettlementReport[];
  /** Contract status changes (COMPLETED, TERMINATED). */
  contractStatus(contractId: string, status: EnergyContract['status']): void;
  /**
   * Inputs of one contract for one interval that only this agent knows: a signal it publishes
   * (the MCA's clearing price), a per-period role input (the utility's locked trades of a meter),
   * a virtual meter or a charge data record. Physical meter readings (`METER_READING` sources with
   * a meterId) are filled in by the run from the meters; nobody records them by hand.
   */
  periodInputs(contractId: string, interval: number, inputs: PeriodInputs): void;
  /** A named metric, accumulated (e.g. `unmetEvEnergyKWh`). */
  metric(name: string, value: number): void;
  /** A free-text event in the run log (rare: notable decisions). */
  note(interval: number, text: string): void;
}

/** A simulated agent. */
export interface Agent {
  readonly id: string;
  readonly kind: string;
  /** Meter ids of the physical resources this agent controls (none for the MCA and the utility). */
  readonly meterIds: readonly string[];
  /** Called at every phase of every interval, in phase order, agents in id order. */
  onPhase?(ctx: PhaseContext): void;
  /** An accepted message. */
  onMessage(msg: InboundMessage): void;
  /** A refusal or timeout of a message this agent sent. */
  onNack?(nack: NackNotice): void;
  /**
   * Actual average power (kW, positive export) at a meter of this agent during interval `k`,
   * asked once per meter in the physics phase after dispatch.
   */
  actualPowerKW?(meterId: string, k: number): number;
  /** Reactive power (kVAr, positive = consumption) at a meter; 0 when absent. */
  reactivePowerKVAr?(meterId: string, k: number): number;
}

/** Creates agents of one kind from a participant entry of the scenario. */
export type AgentFactory = (spec: ParticipantSpec, ids: readonly string[], services: (id: string) => AgentServices, ctx: FactoryContext) => readonly Agent[];

/** What a factory can read from the run beyond the services: the meters assigned to each participant. */
export interface FactoryContext {
  /** Meter id(s) and the connection facts (PV size, EV, battery) the feeder gave each participant. */
  meterOf(participantId: string): MeterAssignment | undefined;
}

export interface MeterAssignment {
  readonly meterId: string;
  readonly node: string;
  readonly bus: string;
  /** PV nameplate, kWp, when the connection has PV. */
  readonly pvKWp?: number;
  /** Battery capacity (kWh) and inverter power (kW), when it has a battery. */
  readonly batteryKWh?: number;
  readonly batteryKW?: number;
  /** EV charge points behind the meter and the power of each, kW. */
  readonly evChargePoints?: number;
  readonly evChargerKW?: number;
  /** Sanctioned load of the connection, kW, when the feeder states it. */
  readonly sanctionedLoadKW?: number;
  /** Yearly consumption to scale the load profile, kWh, when the feeder states it. */
  readonly annualConsumptionKWh?: number;
}
