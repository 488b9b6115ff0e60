/**
 * The feeder model: a balanced three-phase distribution network described by its per-phase
 * equivalent. Plain data, produced by `parseFeeder` (from a feeder file) or `generateFeeder`
 * (synthetic, from a seed), consumed by `compileFeeder`.
 *
 * Units: voltages in kV line-to-line, per-unit (pu) on the bus's nominal voltage; series
 * impedances in ohms per phase; powers in kW / kVAr (three-phase totals); currents in A per phase.
 *
 * Load sign: a load's `pKW` is consumption (positive draws power from the grid); a negative `pKW`
 * is generation. This is the feeder-file convention of power-flow tools and is the opposite of the
 * market convention (positive = export) used elsewhere in degsim.
 */

/** Role of a bus in the network; informational except `substation`. */
export type BusKind = 'substation' | 'mv' | 'lv' | 'pole' | 'customer' | 'junction';

export const BUS_KINDS: readonly BusKind[] = ['substation', 'mv', 'lv', 'pole', 'customer', 'junction'];

export interface FeederBus {
  readonly id: string;
  readonly kind?: BusKind;
}

/** Switching state of a line: open lines (tie switches, normally-open points) carry no current. */
export type LineStatus = 'closed' | 'open';

/** A line or cable: series impedance only (shunt capacitance is neglected, as usual below 33 kV). */
export interface FeederLine {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Total series resistance per phase, ohms (not per km). */
  readonly rOhm: number;
  /** Total series reactance per phase, ohms (not per km). */
  readonly xOhm: number;
  readonly lengthKm?: number;
  /** Thermal current rating, A per phase; lines above it are reported as violations. */
  readonly ratedA?: number;
  readonly status: LineStatus;
}

/**
 * A two-winding distribution transformer between `from` (primary, the side facing the slack bus)
 * and `to` (secondary). Its series impedance `rOhm`/`xOhm` is referred to the secondary side
 * (ohms per phase at `secondaryKV`); magnetising current and no-load losses are neglected.
 */
export interface FeederTransformer {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly ratingKVA: number;
  /** Series resistance per phase, ohms referred to the secondary side. */
  readonly rOhm: number;
  /** Series reactance per phase, ohms referred to the secondary side. */
  readonly xOhm: number;
  /** Nominal line-to-line voltage of the secondary side, kV. */
  readonly secondaryKV: number;
  /** Off-nominal ratio (pu primary / pu secondary); 1 = nominal tap. */
  readonly tapRatio: number;
  /** Largest power from primary to secondary (towards customers), kW, positive. */
  readonly maxForwardFlowKW: number;
  /** Largest power from secondary to primary (towards the substation), kW, positive. */
  readonly maxReverseFlowKW: number;
}

/** A constant-power load at a bus: positive `pKW` consumes, negative `pKW` generates. */
export interface FeederLoad {
  readonly bus: string;
  readonly pKW: number;
  readonly qKVAr: number;
}

export type CustomerKind = 'household' | 'prosumer' | 'cpo' | 'commercial';

export const CUSTOMER_KINDS: readonly CustomerKind[] = ['household', 'prosumer', 'cpo', 'commercial'];

/** Where an EV connected at this customer charges: its own driveway, or a public/destination site. */
export type EvChargingKind = 'home' | 'workplace' | 'destination';

/** Distributed energy resources behind one meter; zeros when absent. */
export interface DerFlags {
  readonly hasPV: boolean;
  /** PV peak power (DC nameplate), kWp. */
  readonly pvKWp: number;
  readonly hasEV: boolean;
  /** Number of EV charge points behind the meter (1 for a home charger). */
  readonly evChargePoints: number;
  /** Power of one charge point, kW. */
  readonly evChargerKW: number;
  /** Charging pattern of the EVs at this connection, when it has any. */
  readonly evCharging?: EvChargingKind;
  readonly hasBattery: boolean;
  readonly batteryKWh: number;
  /** Battery inverter power, kW (charge and discharge). */
  readonly batteryKW: number;
}

/** A customer connection point: one meter at one bus, supplied through one transformer. */
export interface CustomerConnection {
  readonly meterId: string;
  readonly bus: string;
  /** Transformer supplying this bus, or null when it is fed directly from the MV network. */
  readonly transformer: string | null;
  readonly kind: CustomerKind;
  /** Sanctioned (contracted) load, kW. */
  readonly sanctionedLoadKW?: number;
  /** Yearly consumption used to scale load profiles, kWh. */
  readonly annualConsumptionKWh?: number;
  readonly der: DerFlags;
}

/** Forward/reverse power limits of a grid node, kW, both positive magnitudes. */
export interface FlowLimits {
  readonly maxForwardFlowKW: number;
  readonly maxReverseFlowKW: number;
}

export interface Feeder {
  readonly name: string;
  /** Nominal line-to-line voltage at the slack bus, kV. */
  readonly baseKV: number;
  /** The bus connected to the upstream grid (substation busbar); its voltage is fixed. */
  readonly slackBus: string;
  readonly slackVoltagePu: number;
  readonly slackAngleDeg: number;
  /** Limits at the feeder head (substation), when known. */
  readonly headLimits?: FlowLimits;
  /** Buses in a stable order (slack first for parsed files). */
  readonly buses: readonly FeederBus[];
  readonly lines: readonly FeederLine[];
  readonly transformers: readonly FeederTransformer[];
  /** Base-case loads (a snapshot for stand-alone power-flow runs). Several per bus add up. */
  readonly loads: readonly FeederLoad[];
  readonly connections: readonly CustomerConnection[];
}

/** The reserved id of the root GridNode (the feeder head at the slack bus). */
export const FEEDER_HEAD_ID = 'feeder-head';

/** No DER behind the meter. */
export const NO_DER: DerFlags = {
  hasPV: false,
  pvKWp: 0,
  hasEV: false,
  evChargePoints: 0,
  evChargerKW: 0,
  hasBattery: false,
  batteryKWh: 0,
  batteryKW: 0,
};
