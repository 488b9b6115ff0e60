import type { OfferCurve } from '../market/curve-types.js';

/**
 * The EnergyContract domain model. It is the JSON-LD attribute pack of the same name without its
 * `@context`/`@type`, so the protocol profiles serialise it as it is and the schema in
 * `schemas/energy/EnergyContract.schema.json` describes exactly these fields.
 *
 * A contract is formed only through protocol messages (init/confirm); settlement only ever
 * evaluates contracts. Money flows are formulas over role inputs, parameters, signals, telemetry
 * and accumulated state, in the expression language of `src/contracts/formula`.
 */

/** Contract lifecycle: PENDING during init, ACTIVE after confirm, then COMPLETED or TERMINATED. */
export type ContractStatus = 'PENDING' | 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

/**
 * Standard role names. The first six are the DEG proposal's; CPO, EV_DRIVER, CONSUMER and
 * GOVERNMENT are needed for charging sessions and taxes. Formulas address roles by these names:
 * `roles.MARKET_CLEARING_AGENT.feePerKWh`.
 */
export const STANDARD_ROLES = [
  'BUYER',
  'SELLER',
  'PROSUMER',
  'CONSUMER',
  'MARKET_CLEARING_AGENT',
  'AGGREGATOR',
  'GRID_OPERATOR',
  'CPO',
  'EV_DRIVER',
  'GOVERNMENT',
] as const;
export type RoleName = (typeof STANDARD_ROLES)[number];

/** A role input value. Only numbers can be used in formulas; the rest are carried for the parties. */
export type RoleInputValue = number | string | boolean | OfferCurve | null;

/** One role of the contract: open (`filledBy` absent) or filled by a party id. */
export interface ContractRole {
  readonly role: RoleName;
  readonly filled: boolean;
  /** Party id (subscriber id or participant id) that fills the role. */
  readonly filledBy?: string;
  /** Inputs this role provides, by name (e.g. `offerCurve`, `meterId`, `feePerKWh`). */
  readonly roleInputs?: Readonly<Record<string, RoleInputValue>>;
}

/** A contract-level numeric parameter with its unit (e.g. `wheelingPerKWh`: 0.5 INR/kWh). */
export interface InputParameter {
  readonly value: number;
  readonly unit: string;
  readonly description?: string;
}

export type SignalType = 'PRICE' | 'STATE' | 'COMMAND' | 'FREQUENCY' | 'AGC_SETPOINT';

/** A trusted external signal, e.g. `market-clearing-price` published by the MCA. */
export interface InputSignal {
  readonly signalId: string;
  readonly signalType: SignalType;
  /** Who publishes it: an energy resource address / party id, optionally an endpoint. */
  readonly source: { readonly era: string; readonly endpoint?: string };
  readonly unit: string;
  readonly description?: string;
}

export type TelemetrySourceType = 'METER_READING' | 'CHARGE_DATA_RECORD' | 'INVERTER_DATA' | 'BATTERY_STATE' | 'VIRTUAL_METER';

/** Where fulfilment data comes from: a meter, a charger's CDR, a virtual meter. */
export interface TelemetrySource {
  readonly sourceId: string;
  readonly sourceType: TelemetrySourceType;
  readonly source: { readonly era: string; readonly meterId?: string; readonly endpoint?: string };
  /** Numeric fields a formula may read as `telemetry.<sourceId>.<field>`, e.g. `energyKWh`. */
  readonly fields: readonly string[];
}

/**
 * Accumulated state, e.g. energy delivered so far. `update` is a formula evaluated at the end of
 * each period; inside it `state.<name>` is the value before the period.
 */
export interface StateVariable {
  readonly name: string;
  readonly unit: string;
  readonly initial: number;
  readonly update: string;
}

/** The kinds of ledger line. */
export const LEDGER_KINDS = ['energy', 'fee', 'wheeling', 'deviation', 'imbalance', 'tariff', 'tax', 'share'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * One revenue flow: each period, `from` pays `to` an amount of quantity × rate. A negative amount
 * moves the other way (a seller's positive energy at a negative price pays the buyer).
 * `condition`, when given, must evaluate true for the flow to produce a line.
 */
export interface RevenueFlow {
  readonly flowId: string;
  readonly kind: LedgerKind;
  readonly from: RoleName;
  readonly to: RoleName;
  /** Formula for the quantity, in `unit` (e.g. `abs(telemetry.meter.energyKWh - roles.PROSUMER.clearedKWh)`). */
  readonly quantity: string;
  readonly unit: string;
  /** Formula for the rate per unit in the contract currency. */
  readonly rate: string;
  readonly condition?: string;
  readonly description?: string;
}

export interface RevenueFlowLogic {
  readonly flows: readonly RevenueFlow[];
  /** Every flow moves money between two parties of this contract, so the contract nets to zero. */
  readonly netZero: true;
}

export interface EnergyContract {
  readonly contractId: string;
  readonly status: ContractStatus;
  /** RFC 3339 UTC of the simulated clock. */
  readonly createdAt: string;
  readonly currency: string;
  readonly roles: readonly ContractRole[];
  /** Contract template name, e.g. `pay-as-clear/participant`, `p2p/bilateral`, `tou-tariff`. */
  readonly template?: string;
  /** Delivery window covered by the contract, RFC 3339 UTC. */
  readonly validity?: { readonly start: string; readonly end: string };
  readonly inputParameters?: Readonly<Record<string, InputParameter>>;
  readonly inputSignals?: readonly InputSignal[];
  readonly telemetrySources?: readonly TelemetrySource[];
  readonly state?: readonly StateVariable[];
  readonly revenueFlows: RevenueFlowLogic;
}
