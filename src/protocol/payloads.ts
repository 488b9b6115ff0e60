import { createHash } from 'node:crypto';
import type { EnergyContract, LedgerKind, RoleName } from '../contracts/model.js';

/**
 * Domain payloads of the protocol layer. Agents exchange these values; a profile turns them into
 * the wire JSON of its Beckn dialect and back, so no agent ever assembles a message by hand.
 *
 * The attribute-pack types below (EnergyResource, GridNode, EnergyOffer, …) are the JSON-LD packs
 * of `schemas/energy/` without their `@context`/`@type`, the same convention as
 * `src/contracts/model.ts`. Sign convention everywhere: positive power = export / injection,
 * negative = import / withdrawal. Times are RFC 3339 UTC strings from the simulated clock.
 */

/** The twenty Beckn actions degsim speaks, in protocol-neutral names. */
export const ACTIONS = [
  'discover',
  'on_discover',
  'select',
  'on_select',
  'init',
  'on_init',
  'confirm',
  'on_confirm',
  'update',
  'on_update',
  'status',
  'on_status',
  'track',
  'on_track',
  'cancel',
  'on_cancel',
  'rating',
  'on_rating',
  'support',
  'on_support',
] as const;
export type Action = (typeof ACTIONS)[number];
export type CallbackAction = Extract<Action, `on_${string}`>;
export type RequestAction = Exclude<Action, CallbackAction>;

/** True for the `on_*` callbacks (sent by the BPP), false for requests (sent by the BAP). */
export function isCallback(action: Action): action is CallbackAction {
  return action.startsWith('on_');
}

/** A closed time interval, RFC 3339 UTC; `start` is strictly before `end`. */
export interface TimeWindow {
  readonly start: string;
  readonly end: string;
}

/** WGS-84 point. */
export interface GeoPoint {
  readonly latitude: number;
  readonly longitude: number;
}

/** A circle on the ground: centre and radius in metres. */
export interface GeoCircle extends GeoPoint {
  readonly radiusMeters: number;
}

// ---------------------------------------------------------------------------------------------
// Enumerations reused from the physical standards (OCPI 2.2, OCPP 2.x) and the DEG packs.
// ---------------------------------------------------------------------------------------------

/** OCPI 2.2 `ConnectorType` (the `standard` of a Connector). */
export const OCPI_CONNECTOR_TYPES = [
  'CHADEMO',
  'CHAOJI',
  'DOMESTIC_A',
  'DOMESTIC_B',
  'DOMESTIC_C',
  'DOMESTIC_D',
  'DOMESTIC_E',
  'DOMESTIC_F',
  'DOMESTIC_G',
  'DOMESTIC_H',
  'DOMESTIC_I',
  'DOMESTIC_J',
  'DOMESTIC_K',
  'DOMESTIC_L',
  'GBT_AC',
  'GBT_DC',
  'IEC_60309_2_single_16',
  'IEC_60309_2_three_16',
  'IEC_60309_2_three_32',
  'IEC_60309_2_three_64',
  'IEC_62196_T1',
  'IEC_62196_T1_COMBO',
  'IEC_62196_T2',
  'IEC_62196_T2_COMBO',
  'IEC_62196_T3A',
  'IEC_62196_T3C',
  'NEMA_5_20',
  'NEMA_6_30',
  'NEMA_6_50',
  'NEMA_10_30',
  'NEMA_10_50',
  'NEMA_14_30',
  'NEMA_14_50',
  'PANTOGRAPH_BOTTOM_UP',
  'PANTOGRAPH_TOP_DOWN',
  'TESLA_R',
  'TESLA_S',
  'UNKNOWN',
] as const;
export type OcpiConnectorType = (typeof OCPI_CONNECTOR_TYPES)[number];
/** OCPI 2.2 `ConnectorFormat`. */
export type OcpiConnectorFormat = 'SOCKET' | 'CABLE';
/** OCPI 2.2 `PowerType`. */
export type OcpiPowerType = 'AC_1_PHASE' | 'AC_3_PHASE' | 'DC';
/** OCPI 2.2 `CdrDimensionType`. */
export type OcpiCdrDimensionType =
  | 'CURRENT'
  | 'ENERGY'
  | 'ENERGY_EXPORT'
  | 'ENERGY_IMPORT'
  | 'MAX_CURRENT'
  | 'MIN_CURRENT'
  | 'MAX_POWER'
  | 'MIN_POWER'
  | 'PARKING_TIME'
  | 'POWER'
  | 'RESERVATION_TIME'
  | 'STATE_OF_CHARGE'
  | 'TIME';

/** OCPP `TransactionEventEnumType`. */
export type OcppTransactionEvent = 'Started' | 'Updated' | 'Ended';
/** OCPP `ChargingStateEnumType`. */
export type OcppChargingState = 'EVConnected' | 'Charging' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';
/** OCPP `ReasonEnumType` (why a transaction stopped). */
export type OcppStopReason =
  | 'DeAuthorized'
  | 'EmergencyStop'
  | 'EnergyLimitReached'
  | 'EVDisconnected'
  | 'GroundFault'
  | 'ImmediateReset'
  | 'MasterPass'
  | 'Local'
  | 'LocalOutOfCredit'
  | 'Other'
  | 'OvercurrentFault'
  | 'PowerLoss'
  | 'PowerQuality'
  | 'Reboot'
  | 'Remote'
  | 'SOCLimitReached'
  | 'StoppedByEV'
  | 'TimeLimitReached'
  | 'Timeout'
  | 'ReqEnergyTransferRejected';

/** DEG EnergyResource `sourceType`. */
export type SourceType = 'SOLAR' | 'BATTERY' | 'GRID' | 'HYBRID' | 'RENEWABLE';
/** DEG `deliveryMode`. */
export type DeliveryMode = 'EV_CHARGING' | 'BATTERY_SWAP' | 'V2G' | 'GRID_INJECTION';

// ---------------------------------------------------------------------------------------------
// Attribute packs (schemas/energy/*.schema.json without @context/@type).
// ---------------------------------------------------------------------------------------------

export type EnergyResourceType =
  | 'PV'
  | 'WIND'
  | 'BATTERY'
  | 'EVSE'
  | 'EV'
  | 'HOUSEHOLD'
  | 'COMMERCIAL_LOAD'
  | 'MARKET'
  | 'UTILITY';

/** One charging connector offered as a resource (one catalogue resource per connector). */
export interface EvseConnector {
  /** eMI3 EVSE id, e.g. `IN*ECO*BTM*01*CCS2*A`. */
  readonly evseId: string;
  readonly connectorType: OcpiConnectorType;
  readonly connectorFormat?: OcpiConnectorFormat;
  readonly powerType: OcpiPowerType;
  /** Maximum charging power of the connector in kW (> 0). */
  readonly maxPowerKW: number;
}

/** A place: point plus an optional postal address line. */
export interface Place extends GeoPoint {
  readonly address?: string;
}

/** EnergyResource pack: anything with a meter or a role (PV, battery, EVSE, household, market). */
export interface EnergyResource {
  readonly resourceId: string;
  readonly resourceType: EnergyResourceType;
  /** Meter serving the resource (IEEE 2030.5 mRID or utility meter number). */
  readonly meterId?: string;
  /** True for a virtual meter whose real net flow is zero (the market clearing agent). */
  readonly virtualMeter?: boolean;
  /** GridNode the resource's connection point hangs under. */
  readonly gridNodeId?: string;
  readonly sourceType?: SourceType;
  readonly deliveryMode?: DeliveryMode;
  /** Nameplate power in kW (absolute value). */
  readonly ratedPowerKW?: number;
  /** Storage capacity in kWh (batteries, EVs). */
  readonly capacityKWh?: number;
  readonly location?: Place;
  readonly evse?: EvseConnector;
  /** Windows in which the resource can be booked (free charging slots); absent = no restriction. */
  readonly availability?: readonly TimeWindow[];
  readonly certificationStatus?: string;
}

export type GridNodeType = 'SUBSTATION' | 'FEEDER' | 'TRANSFORMER' | 'DISTRIBUTION_NODE' | 'TRANSMISSION_NODE';

/**
 * Limits of a grid node in kW. Forward flow runs from the upstream grid into the node's subtree
 * (net import of the subtree); reverse flow runs out of it (net export).
 */
export interface GridNodeLimits {
  readonly maxForwardFlowKW: number;
  readonly maxReverseFlowKW: number;
}

/** Locational price adder policy: adder = (loadPercent × adderPerPercent) on top of base price. */
export interface LocationalPriceAdder {
  readonly currency: string;
  readonly basePricePerKWh?: number;
  readonly loadPercent?: number;
  readonly adderPerPercentPerKWh?: number;
  /** The adder now in force, per kWh (may be negative to attract export relief). */
  readonly adderPerKWh: number;
}

/** A grid operator's offset command for resources at a flat plateau of the aggregate curve. */
export interface OffsetCommand {
  readonly resourceId: string;
  /** Added to the resource's setpoint, kW (positive = more export). */
  readonly offsetKW: number;
  readonly interval: TimeWindow;
}

/** GridNode pack: a transformer or feeder head with limits, adder and offsets. */
export interface GridNode {
  readonly nodeId: string;
  readonly nodeType: GridNodeType;
  readonly parentNodeId?: string;
  readonly ratedKVA?: number;
  readonly limits: GridNodeLimits;
  /** Present net flow out of the subtree in kW (positive = reverse flow / export). */
  readonly currentNetExportKW?: number;
  readonly locationalPriceAdder?: LocationalPriceAdder;
  readonly offsetCommands?: readonly OffsetCommand[];
}

export type ForecastVariable = 'NET_POWER_KW' | 'GENERATION_KW' | 'LOAD_KW' | 'PRICE_PER_KWH' | 'LOADING_PERCENT';

/** Forecast pack, published as a catalogue resource: evenly spaced values from `start`. */
export interface Forecast {
  readonly forecastId: string;
  /** Resource or grid node the forecast is about. */
  readonly subjectId: string;
  readonly variable: ForecastVariable;
  /** Unit of `values`, e.g. `kW`, `INR/kWh`, `%`. */
  readonly unit: string;
  readonly issuedAt: string;
  readonly start: string;
  /** Spacing of `values` in minutes (> 0). */
  readonly stepMinutes: number;
  readonly values: readonly number[];
  /** How the forecast was made, for people. */
  readonly method?: string;
}

export type EnergyService =
  | 'MARKET_PARTICIPATION'
  | 'EV_CHARGING'
  | 'FLEXIBILITY'
  | 'ENERGY_TRADE'
  | 'GRID_ACCESS'
  | 'TARIFF';

export type PricingModel = 'PAY_AS_CLEAR' | 'PAY_AS_BID' | 'PER_KWH' | 'TIME_OF_DAY' | 'SUBSCRIPTION' | 'FIXED';

/** Which way an offer moves the taker's net power relative to its baseline. */
export type PowerDirection = 'UP' | 'DOWN' | 'BOTH';

export type RoleInputType = 'NUMBER' | 'STRING' | 'BOOLEAN' | 'OFFER_CURVE' | 'DATE_TIME' | 'DURATION';

/** An input the taker of an open role is expected to provide (e.g. `offerCurve`, `meterId`). */
export interface ExpectedRoleInput {
  readonly name: string;
  readonly type: RoleInputType;
  readonly required: boolean;
  readonly unit?: string;
  readonly description?: string;
}

/** EnergyOffer pack: an invitation to fill an open role of a contract. */
export interface EnergyOffer {
  readonly offerId: string;
  readonly contractId: string;
  readonly providerId: string;
  readonly providerUri: string;
  readonly openRole: RoleName;
  readonly service?: EnergyService;
  readonly pricingModel?: PricingModel;
  readonly direction?: PowerDirection;
  /** Delivery window the offer covers. */
  readonly window?: TimeWindow;
  readonly gridNodeId?: string;
  /** Largest power a taker may trade under the offer, kW (absolute). */
  readonly maxPowerKW?: number;
  /** Indicative price per kWh; the binding price comes from the contract. */
  readonly indicativePricePerKWh?: number;
  readonly currency?: string;
  readonly summary?: string;
  readonly expectedInputs?: readonly ExpectedRoleInput[];
  /** The contract template with the offered role open. */
  readonly contract?: EnergyContract;
}

export type MeterReadingQuality = 'MEASURED' | 'ESTIMATED' | 'VIRTUAL';

/** MeterReading pack: energy through one meter over one interval. */
export interface MeterReading {
  readonly meterId: string;
  readonly interval: TimeWindow;
  /** Energy imported over the interval, kWh (≥ 0). */
  readonly importKWh: number;
  /** Energy exported over the interval, kWh (≥ 0). */
  readonly exportKWh: number;
  /** `exportKWh − importKWh`, kWh. */
  readonly netKWh: number;
  readonly registerImportKWh?: number;
  readonly registerExportKWh?: number;
  readonly averagePowerKW?: number;
  readonly quality: MeterReadingQuality;
}

export interface CdrDimension {
  readonly type: OcpiCdrDimensionType;
  readonly volume: number;
}

export interface CdrChargingPeriod {
  readonly start: string;
  readonly dimensions: readonly CdrDimension[];
}

/** ChargeDataRecord pack: the billable summary of one charging session (OCPI CDR terms). */
export interface ChargeDataRecord {
  readonly cdrId: string;
  readonly sessionId: string;
  readonly evseId: string;
  readonly connectorType?: OcpiConnectorType;
  readonly powerType?: OcpiPowerType;
  readonly meterId?: string;
  readonly start: string;
  readonly end: string;
  /** Energy delivered to the EV, kWh (≥ 0). */
  readonly energyKWh: number;
  /** Session duration in hours (OCPI `total_time`). */
  readonly durationHours: number;
  readonly maxPowerKW?: number;
  readonly currency?: string;
  /** Total cost excluding taxes, decimal string in `currency`. */
  readonly totalCost?: string;
  readonly chargingPeriods?: readonly CdrChargingPeriod[];
}

/** A charging session event (start, update, stop) in OCPP transaction-event terms. */
export interface ChargingSessionEvent {
  readonly sessionId: string;
  readonly evseId: string;
  readonly eventType: OcppTransactionEvent;
  readonly at: string;
  readonly chargingState?: OcppChargingState;
  /** Session energy so far, kWh. */
  readonly energyKWh?: number;
  readonly stateOfChargePercent?: number;
  readonly stoppedReason?: OcppStopReason;
}

/** A published value of one of the contract's input signals (e.g. the clearing price). */
export interface SignalValue {
  readonly signalId: string;
  readonly value: number;
  readonly unit: string;
  readonly observedAt: string;
  /** Interval the value applies to, when it is interval-based (a clearing price). */
  readonly interval?: TimeWindow;
}

// --- Setpoints and the physical standards they embed -----------------------------------------

export type OcppChargingProfilePurpose =
  | 'ChargingStationExternalConstraints'
  | 'ChargingStationMaxProfile'
  | 'TxDefaultProfile'
  | 'TxProfile'
  | 'PriorityCharging'
  | 'LocalGeneration';
export type OcppChargingProfileKind = 'Absolute' | 'Recurring' | 'Relative' | 'Dynamic';
export type OcppRecurrencyKind = 'Daily' | 'Weekly';
export type OcppChargingRateUnit = 'W' | 'A';
export type OcppOperationMode =
  | 'Idle'
  | 'ChargingOnly'
  | 'CentralSetpoint'
  | 'ExternalSetpoint'
  | 'ExternalLimits'
  | 'CentralFrequency'
  | 'LocalFrequency'
  | 'LocalLoadBalancing';

/** OCPP `ChargingSchedulePeriodType` (2.0.1 fields plus the 2.1 setpoint/discharge fields). */
export interface OcppChargingSchedulePeriod {
  /** Seconds from the start of the schedule. */
  readonly startPeriod: number;
  /** Charging limit in the schedule's rate unit (non-negative). */
  readonly limit?: number;
  readonly numberPhases?: number;
  readonly phaseToUse?: number;
  /** OCPP 2.1: discharge limit, ≤ 0. */
  readonly dischargeLimit?: number;
  /** OCPP 2.1: setpoint to follow, negative = discharging. */
  readonly setpoint?: number;
  readonly operationMode?: OcppOperationMode;
}

/** OCPP `ChargingScheduleType`. */
export interface OcppChargingSchedule {
  readonly id: number;
  readonly startSchedule?: string;
  /** Seconds. */
  readonly duration?: number;
  readonly chargingRateUnit: OcppChargingRateUnit;
  readonly minChargingRate?: number;
  readonly chargingSchedulePeriod: readonly OcppChargingSchedulePeriod[];
}

/** OCPP `ChargingProfileType`. */
export interface OcppChargingProfile {
  readonly id: number;
  readonly stackLevel: number;
  readonly chargingProfilePurpose: OcppChargingProfilePurpose;
  readonly chargingProfileKind: OcppChargingProfileKind;
  readonly recurrencyKind?: OcppRecurrencyKind;
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly transactionId?: string;
  readonly chargingSchedule: readonly OcppChargingSchedule[];
}

/** OCPP `SetChargingProfileRequest`: the CSMS → charging station message, carried as is. */
export interface OcppSetChargingProfileRequest {
  /** 0 = the whole charging station, otherwise the EVSE number. */
  readonly evseId: number;
  readonly chargingProfile: OcppChargingProfile;
}

/** IEEE 2030.5 power-of-ten multiplier codes allowed for ActivePower. */
export type Ieee2030_5PowerMultiplier = 0 | 1 | 2 | 3 | 6 | 9;

/** IEEE 2030.5 `ActivePower`: watts = value × 10^multiplier, value an int16. */
export interface Ieee2030_5ActivePower {
  readonly multiplier: Ieee2030_5PowerMultiplier;
  readonly value: number;
}

/** IEEE 2030.5 `DERControlBase` subset degsim commands. Percentages are in hundredths. */
export interface Ieee2030_5DERControlBase {
  readonly opModConnect?: boolean;
  readonly opModEnergize?: boolean;
  /** Charge (negative) or discharge (positive) setpoint in hundredths of a percent of rated power. */
  readonly opModFixedW?: number;
  /** Export limit in hundredths of a percent of rated power. */
  readonly opModMaxLimW?: number;
  /** Target output power (positive = injection). */
  readonly opModTargetW?: Ieee2030_5ActivePower;
  /** Ramp time in hundredths of a second. */
  readonly rampTms?: number;
}

/** IEEE 2030.5 `EventStatus.currentStatus`: 0 Scheduled, 1 Active, 2 Cancelled, 3 Cancelled with randomization, 4 Superseded. */
export type Ieee2030_5EventStatusCode = 0 | 1 | 2 | 3 | 4;

/** IEEE 2030.5 `DERControl` event with its inherited Event fields (times are Unix seconds). */
export interface Ieee2030_5DERControl {
  /** 128-bit hex resource id. */
  readonly mRID: string;
  readonly description?: string;
  readonly version?: number;
  readonly creationTime: number;
  readonly EventStatus: {
    readonly currentStatus: Ieee2030_5EventStatusCode;
    readonly dateTime: number;
    readonly potentiallySuperseded: boolean;
  };
  readonly interval: { readonly start: number; readonly duration: number };
  readonly randomizeStart?: number;
  readonly randomizeDuration?: number;
  readonly DERControlBase: Ieee2030_5DERControlBase;
  /** Device category bitmap, hex. */
  readonly deviceCategory?: string;
}

/** A setpoint's payload in one physical standard, carried without translation. */
export type SetpointCommand =
  | { readonly standard: 'OCPP'; readonly ocppVersion: '2.0.1' | '2.1'; readonly setChargingProfile: OcppSetChargingProfileRequest }
  | { readonly standard: 'IEEE_2030_5'; readonly derControl: Ieee2030_5DERControl };

/** Setpoint pack: the power a resource should follow over an interval, plus the device commands. */
export interface Setpoint {
  readonly setpointId: string;
  readonly resourceId: string;
  readonly interval: TimeWindow;
  /** Target net power, kW (positive = export). */
  readonly targetPowerKW: number;
  /** Price per kWh at which the resource's own curve gave this setpoint (its locational price). */
  readonly atPricePerKWh?: number;
  /** Grid operator offset already included in `targetPowerKW`, kW. */
  readonly offsetKW?: number;
  readonly commands?: readonly SetpointCommand[];
}

export type DeliveryStatus = 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/**
 * EnergyDelivery pack: everything about performing a contract over a window — setpoints sent,
 * signal values published, meter readings, charge data records and session events.
 */
export interface EnergyDelivery {
  readonly deliveryId: string;
  readonly status: DeliveryStatus;
  readonly window?: TimeWindow;
  readonly signalValues?: readonly SignalValue[];
  readonly setpoints?: readonly Setpoint[];
  readonly meterReadings?: readonly MeterReading[];
  readonly chargeDataRecords?: readonly ChargeDataRecord[];
  readonly sessionEvents?: readonly ChargingSessionEvent[];
}

/** One settlement line: `payer` pays `payee` `amount` = quantity × ratePerUnit for one flow. */
export interface SettlementLine {
  readonly flowId: string;
  readonly kind: LedgerKind;
  readonly payer: string;
  readonly payee: string;
  readonly payerRole?: RoleName;
  readonly payeeRole?: RoleName;
  readonly quantity: number;
  readonly unit: string;
  readonly ratePerUnit: number;
  /** Decimal string in `currency`; negative moves money from payee to payer. */
  readonly amount: string;
  readonly currency: string;
  readonly formula: string;
  readonly inputs: Readonly<Record<string, number>>;
  readonly description?: string;
}

/** Per-party totals of a settlement report, decimal strings: `net = received − paid`. */
export interface SettlementTotal {
  readonly party: string;
  readonly paid: string;
  readonly received: string;
  readonly net: string;
}

export type SettlementStatus = 'PROVISIONAL' | 'FINAL';

/** SettlementReport pack: the evaluated revenue flows of one contract over one period. */
export interface SettlementReport {
  readonly reportId: string;
  readonly contractId: string;
  readonly period: TimeWindow;
  readonly currency: string;
  readonly status: SettlementStatus;
  readonly generatedAt: string;
  /** Party that evaluated the flows. */
  readonly issuedBy?: string;
  readonly lines: readonly SettlementLine[];
  readonly totals: readonly SettlementTotal[];
}

// ---------------------------------------------------------------------------------------------
// Message payloads, one `kind` per message family.
// ---------------------------------------------------------------------------------------------

/** What a discover request seeks; each kind becomes a standard Beckn filter (and spatial) query. */
export type DiscoverIntent =
  | {
      readonly seek: 'energy-market';
      readonly pricingModel?: PricingModel;
      readonly window?: TimeWindow;
    }
  | {
      readonly seek: 'ev-charging';
      readonly near?: GeoCircle;
      readonly connectorTypes?: readonly OcpiConnectorType[];
      readonly minPowerKW?: number;
      /** When the vehicle wants to charge: a resource with a free slot covering it matches. */
      readonly window?: TimeWindow;
    }
  | {
      readonly seek: 'flexibility';
      readonly direction: 'UP' | 'DOWN';
      readonly minPowerKW?: number;
      readonly gridNodeId?: string;
      readonly window?: TimeWindow;
    }
  | {
      readonly seek: 'energy-offer';
      /** The role the seeker will fill, e.g. BUYER to find sellers' offers. */
      readonly openRole: RoleName;
      readonly maxPricePerKWh?: number;
      readonly sourceType?: SourceType;
      readonly window?: TimeWindow;
    }
  | {
      /** A grid operator's topology: every GridNode (feeder head, transformers) with its limits and adders. */
      readonly seek: 'grid-topology';
    };

export interface DiscoverPayload {
  readonly kind: 'discover';
  readonly intent: DiscoverIntent;
  readonly textSearch?: string;
}

export interface CatalogResource {
  readonly resourceId: string;
  readonly name: string;
  readonly attributes:
    | { readonly type: 'EnergyResource'; readonly value: EnergyResource }
    | { readonly type: 'GridNode'; readonly value: GridNode }
    | { readonly type: 'Forecast'; readonly value: Forecast };
}

export interface Price {
  readonly value: number;
  readonly currency: string;
  /** Unit the price is per, e.g. `kWh`. */
  readonly unit: string;
}

export interface CatalogOffer {
  readonly offerId: string;
  readonly name: string;
  readonly resourceIds: readonly string[];
  readonly price?: Price;
  readonly validity?: TimeWindow;
  readonly attributes: EnergyOffer;
}

export interface Catalog {
  readonly catalogId: string;
  readonly name: string;
  readonly description?: string;
  readonly provider: { readonly id: string; readonly name: string };
  readonly validity?: TimeWindow;
  readonly resources: readonly CatalogResource[];
  readonly offers: readonly CatalogOffer[];
}

export interface CatalogPayload {
  readonly kind: 'catalog';
  readonly catalogs: readonly Catalog[];
}

/** A catalogue resource committed under the contract, with its quantity. */
export interface CommittedResource {
  readonly resourceId: string;
  readonly quantity: number;
  /** Unit of `quantity`, e.g. `kWh` or `kW`. */
  readonly unit: string;
}

/**
 * The contract exchange of select … on_status: the EnergyContract itself plus what travels with it
 * (the accepted offer, committed resources, delivery data and a settlement report).
 */
export interface ContractPayload {
  readonly kind: 'contract';
  readonly contract: EnergyContract;
  readonly offerId: string;
  /** Provider (seller side) id of the accepted offer. */
  readonly providerId: string;
  /** At least one resource; the order-centric profile requires it. */
  readonly resources: readonly CommittedResource[];
  readonly delivery?: EnergyDelivery;
  readonly settlement?: SettlementReport;
}

/** status and cancel: the contract is named, nothing else. */
export interface ContractRefPayload {
  readonly kind: 'contractRef';
  readonly contractId: string;
}

export interface TrackRequestPayload {
  readonly kind: 'trackRequest';
  readonly contractId: string;
  /** Where the BAP wants tracking updates pushed. */
  readonly callbackUrl: string;
}

export interface TrackingPayload {
  readonly kind: 'tracking';
  readonly contractId: string;
  readonly url: string;
  readonly active: boolean;
}

export type RatingCategory = 'ORDER' | 'FULFILLMENT' | 'ITEM' | 'PROVIDER' | 'AGENT' | 'OTHER';

export interface Rating {
  readonly targetId: string;
  readonly category: RatingCategory;
  readonly value: number;
  readonly best: number;
  readonly worst: number;
  readonly comment?: string;
}

export interface RatingPayload {
  readonly kind: 'rating';
  readonly ratings: readonly Rating[];
}

export interface RatingAggregate {
  readonly targetId: string;
  readonly count: number;
  readonly value: number;
  readonly best: number;
  readonly worst: number;
}

export interface RatingReceiptPayload {
  readonly kind: 'ratingReceipt';
  readonly aggregate?: RatingAggregate;
}

export interface SupportRequestPayload {
  readonly kind: 'supportRequest';
  readonly refId: string;
  readonly refType: RatingCategory;
}

/** Support contact details; each present field is one channel (phone, email, web). */
export interface SupportInfoPayload {
  readonly kind: 'supportInfo';
  readonly name?: string;
  readonly phone?: string;
  readonly email?: string;
  readonly url?: string;
}

/** The payload each action carries. */
export interface PayloadByAction {
  readonly discover: DiscoverPayload;
  readonly on_discover: CatalogPayload;
  readonly select: ContractPayload;
  readonly on_select: ContractPayload;
  readonly init: ContractPayload;
  readonly on_init: ContractPayload;
  readonly confirm: ContractPayload;
  readonly on_confirm: ContractPayload;
  readonly update: ContractPayload;
  readonly on_update: ContractPayload;
  readonly status: ContractRefPayload;
  readonly on_status: ContractPayload;
  readonly track: TrackRequestPayload;
  readonly on_track: TrackingPayload;
  readonly cancel: ContractRefPayload;
  readonly on_cancel: ContractPayload;
  readonly rating: RatingPayload;
  readonly on_rating: RatingReceiptPayload;
  readonly support: SupportRequestPayload;
  readonly on_support: SupportInfoPayload;
}
export type PayloadFor<A extends Action> = PayloadByAction[A];
export type Payload = PayloadByAction[Action];

/** The payload kind each action must carry (for checking a payload against an action at runtime). */
export const PAYLOAD_KIND: { readonly [A in Action]: PayloadByAction[A]['kind'] } = {
  discover: 'discover',
  on_discover: 'catalog',
  select: 'contract',
  on_select: 'contract',
  init: 'contract',
  on_init: 'contract',
  confirm: 'contract',
  on_confirm: 'contract',
  update: 'contract',
  on_update: 'contract',
  status: 'contractRef',
  on_status: 'contract',
  track: 'trackRequest',
  on_track: 'tracking',
  cancel: 'contractRef',
  on_cancel: 'contract',
  rating: 'rating',
  on_rating: 'ratingReceipt',
  support: 'supportRequest',
  on_support: 'supportInfo',
};

// ---------------------------------------------------------------------------------------------
// Builders for the physical-standard payloads.
// ---------------------------------------------------------------------------------------------

export interface OcppProfileOptions {
  readonly evseId: number;
  /** Charging profile id, unique within the charging station. */
  readonly profileId: number;
  readonly stackLevel?: number;
  readonly purpose?: OcppChargingProfilePurpose;
  readonly transactionId?: string;
  /** Schedule start, RFC 3339 UTC. */
  readonly start: string;
  readonly durationSeconds: number;
  /** Power at the EVSE in kW in degsim's sign: negative = charging the EV, positive = discharging (V2G). */
  readonly powerKW: number;
  /** `W` (default) or `A`; amperes need the phase voltage and the number of phases. */
  readonly rateUnit?: OcppChargingRateUnit;
  readonly phaseVoltageV?: number;
  readonly numberPhases?: number;
}

/**
 * Builds an OCPP `SetChargingProfileRequest` holding `powerKW` over one absolute period. Charging
 * (negative powerKW) becomes a `limit` in the chosen unit, as OCPP 2.0.1 defines it. Discharging
 * (positive powerKW) needs the OCPP 2.1 V2X fields: `setpoint` and `dischargeLimit` are negative
 * and `operationMode` is `CentralSetpoint`; the returned command is then tagged version 2.1.
 * Amperes: W / (phase voltage × phases), rounded to 0.1 A; watts are rounded to whole watts.
 */
export function ocppSetChargingProfile(o: OcppProfileOptions): Extract<SetpointCommand, { standard: 'OCPP' }> {
  const unit = o.rateUnit ?? 'W';
  const phases = o.numberPhases ?? 3;
  if (!(o.durationSeconds > 0)) throw new RangeError('durationSeconds must be > 0');
  if (unit === 'A' && !(o.phaseVoltageV !== undefined && o.phaseVoltageV > 0)) {
    throw new RangeError('rateUnit A needs phaseVoltageV > 0');
  }
  const watts = Math.abs(o.powerKW) * 1000;
  const inUnit = unit === 'W' ? Math.round(watts) : Math.round((watts / ((o.phaseVoltageV ?? 1) * phases)) * 10) / 10;
  // A power that rounds to zero is a zero charging limit, not a discharge.
  const discharging = o.powerKW > 0 && inUnit > 0;
  const period: OcppChargingSchedulePeriod = discharging
    ? {
        startPeriod: 0,
        dischargeLimit: -inUnit,
        setpoint: -inUnit,
        operationMode: 'CentralSetpoint',
        ...(o.numberPhases === undefined ? {} : { numberPhases: o.numberPhases }),
      }
    : { startPeriod: 0, limit: inUnit, ...(o.numberPhases === undefined ? {} : { numberPhases: o.numberPhases }) };
  const purpose = o.purpose ?? (o.transactionId === undefined ? 'TxDefaultProfile' : 'TxProfile');
  return {
    standard: 'OCPP',
    ocppVersion: discharging ? '2.1' : '2.0.1',
    setChargingProfile: {
      evseId: o.evseId,
      chargingProfile: {
        id: o.profileId,
        stackLevel: o.stackLevel ?? 0,
        chargingProfilePurpose: purpose,
        chargingProfileKind: 'Absolute',
        ...(o.transactionId === undefined ? {} : { transactionId: o.transactionId }),
        chargingSchedule: [
          {
            id: o.profileId,
            startSchedule: o.start,
            duration: Math.round(o.durationSeconds),
            chargingRateUnit: unit,
            chargingSchedulePeriod: [period],
          },
        ],
      },
    },
  };
}

/**
 * The power an OCPP charging profile asks for at `secondsIntoSchedule`, in kW and degsim's sign
 * (negative = charging). Reads the last period that has started; `setpoint` wins over `limit`.
 * Amperes need the phase voltage. Returns undefined before the first period or when the period
 * names no power.
 */
export function ocppPowerKW(
  request: OcppSetChargingProfileRequest,
  secondsIntoSchedule: number,
  phaseVoltageV?: number,
): number | undefined {
  const schedule = request.chargingProfile.chargingSchedule[0];
  if (schedule === undefined) return undefined;
  let current: OcppChargingSchedulePeriod | undefined;
  for (const p of schedule.chargingSchedulePeriod) if (p.startPeriod <= secondsIntoSchedule) current = p;
  if (current === undefined) return undefined;
  const ocppValue = current.setpoint ?? current.limit;
  if (ocppValue === undefined) return undefined;
  let watts = ocppValue;
  if (schedule.chargingRateUnit === 'A') {
    if (phaseVoltageV === undefined) return undefined;
    watts = ocppValue * phaseVoltageV * (current.numberPhases ?? 3);
  }
  // OCPP counts charging positive; degsim counts import negative.
  return -watts / 1000;
}

/** The value with negative zero made positive (JSON cannot tell them apart). */
const unsigned0 = (x: number): number => (x === 0 ? 0 : x);

const POWER_MULTIPLIERS: readonly Ieee2030_5PowerMultiplier[] = [0, 1, 2, 3, 6, 9];
const INT16_MAX = 32767;

/**
 * Encodes watts as IEEE 2030.5 ActivePower: the smallest power-of-ten multiplier whose rounded
 * value fits an int16. E.g. 7400 W → {0, 7400}; 123456 W → {1, 12346}.
 */
export function ieee2030_5ActivePower(watts: number): Ieee2030_5ActivePower {
  for (const m of POWER_MULTIPLIERS) {
    const value = Math.round(watts / 10 ** m);
    if (Math.abs(value) <= INT16_MAX) return { multiplier: m, value: unsigned0(value) };
  }
  throw new RangeError(`${watts} W does not fit IEEE 2030.5 ActivePower`);
}

/** Watts of an IEEE 2030.5 ActivePower. */
export function ieee2030_5Watts(p: Ieee2030_5ActivePower): number {
  return p.value * 10 ** p.multiplier;
}

/** A 128-bit IEEE 2030.5 mRID (32 upper-case hex digits) derived from a stable id by SHA-256. */
export function mridFor(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32).toUpperCase();
}

/** Unix seconds of an RFC 3339 timestamp. Throws on an unparseable timestamp (a programming error). */
export function unixSeconds(rfc3339: string): number {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 timestamp: ${rfc3339}`);
  return Math.floor(ms / 1000);
}

export interface DerControlOptions {
  /** Stable id the mRID is derived from, e.g. the setpoint id. */
  readonly id: string;
  readonly description?: string;
  /** Creation time, RFC 3339 UTC (the simulated clock). */
  readonly createdAt: string;
  readonly start: string;
  readonly durationSeconds: number;
  /** Target net power in kW (positive = injection), sent as opModTargetW. */
  readonly targetPowerKW?: number;
  /** Export limit as a percentage of rated power (0–100), sent in hundredths as opModMaxLimW. */
  readonly maxLimitPercent?: number;
  /** Charge/discharge setpoint as a percentage of rated power (−100–100), in hundredths as opModFixedW. */
  readonly fixedPercent?: number;
  readonly rampSeconds?: number;
  /** Device category bitmap (hex), e.g. `00200000` for photovoltaic systems (bit 21). */
  readonly deviceCategory?: string;
}

/**
 * Builds an IEEE 2030.5 DERControl event (status Scheduled) with the encodings of the standard:
 * Unix-second times, ActivePower with a power-of-ten multiplier, percentages in hundredths.
 */
export function ieee2030_5DerControl(o: DerControlOptions): Extract<SetpointCommand, { standard: 'IEEE_2030_5' }> {
  if (!(o.durationSeconds > 0)) throw new RangeError('durationSeconds must be > 0');
  const created = unixSeconds(o.createdAt);
  const base: Ieee2030_5DERControlBase = {
    ...(o.fixedPercent === undefined ? {} : { opModFixedW: unsigned0(Math.round(o.fixedPercent * 100)) }),
    ...(o.maxLimitPercent === undefined ? {} : { opModMaxLimW: Math.round(o.maxLimitPercent * 100) }),
    ...(o.targetPowerKW === undefined ? {} : { opModTargetW: ieee2030_5ActivePower(o.targetPowerKW * 1000) }),
    ...(o.rampSeconds === undefined ? {} : { rampTms: Math.round(o.rampSeconds * 100) }),
  };
  return {
    standard: 'IEEE_2030_5',
    derControl: {
      mRID: mridFor(o.id),
      ...(o.description === undefined ? {} : { description: o.description }),
      creationTime: created,
      EventStatus: { currentStatus: 0, dateTime: created, potentiallySuperseded: false },
      interval: { start: unixSeconds(o.start), duration: Math.round(o.durationSeconds) },
      DERControlBase: base,
      ...(o.deviceCategory === undefined ? {} : { deviceCategory: o.deviceCategory }),
    },
  };
}

/** Target power of a DERControl in kW (positive = injection), when it carries opModTargetW. */
export function derControlTargetKW(control: Ieee2030_5DERControl): number | undefined {
  const t = control.DERControlBase.opModTargetW;
  return t === undefined ? undefined : ieee2030_5Watts(t) / 1000;
}
