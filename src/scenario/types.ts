/**
 * A scenario after defaults and overrides: the shape of `schemas/scenario.schema.json`.
 * Kind-specific participant parameters are validated by each agent kind (`agents/<kind>/params.ts`).
 */
export type WireProfileName = 'beckn-2.0.0' | 'deg-order-draft';
export type GridMode = 'exact' | 'policy' | 'none';
export type PriceRule = 'midpoint' | 'low' | 'high';

export interface LinkSettings {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly lossProbability: number;
  readonly duplicateProbability: number;
  readonly reorderProbability: number;
}

export interface ProtocolSettings {
  readonly profile: WireProfileName;
  readonly domain: string;
  readonly ttlSeconds: number;
  readonly signing: boolean;
  readonly registry?: string;
  readonly link: LinkSettings;
}

export interface FeederGenerateSettings {
  readonly transformers: number;
  readonly customersPerTransformer: number;
  readonly pvShare: number;
  readonly evShare: number;
  readonly batteryShare: number;
}

export interface TransformerLimitOverride {
  readonly maxForwardFlowKW?: number;
  readonly maxReverseFlowKW?: number;
}

export interface FeederSettings {
  /** Absolute path once loaded (resolved relative to the scenario file). */
  readonly file?: string;
  readonly generate?: FeederGenerateSettings;
  readonly transformerLimits?: Readonly<Record<string, TransformerLimitOverride>>;
}

/** A participant entry as written: kind, identity and kind-specific parameters beside them. */
export interface ParticipantSpec {
  readonly kind: string;
  readonly id?: string;
  readonly idPrefix?: string;
  readonly count: number;
  readonly transformer?: string;
  readonly [param: string]: unknown;
}

export interface MarketSettings {
  readonly pricing: 'pay-as-clear';
  readonly feePerKWh: number;
  readonly priceFloor: number;
  readonly priceCap: number;
  readonly priceTick: number;
  readonly priceRule: PriceRule;
  readonly gridMode: GridMode;
  readonly bidLeadMinutes: number;
  readonly gateClosureMinutes: number;
}

export interface TouBand {
  readonly fromHour: number;
  readonly toHour: number;
  readonly pricePerKWh: number;
}

export interface UtilitySettings {
  readonly retailPerKWh: number;
  readonly feedInPerKWh: number;
  readonly touPerKWh?: readonly TouBand[];
  readonly wheelingPerKWh: number;
  readonly deviationMode: 'tariff' | 'penalty';
  readonly deviationPenaltyPerKWh: number;
  readonly imbalancePenaltyPerKWh: number;
  readonly feeTaxPct: number;
  readonly dutyPerKWh: number;
  readonly sanctionedLoadKW: number;
  readonly adderPolicy: { readonly basePerKWh: number; readonly perPctPerKWh: number; readonly thresholdPct: number };
}

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly seed: number;
  readonly start: string;
  readonly intervalMinutes: number;
  readonly horizonHours: number;
  readonly currency: string;
  readonly location: { readonly latitude: number; readonly longitude: number };
  readonly protocol: ProtocolSettings;
  readonly feeder: FeederSettings;
  readonly participants: readonly ParticipantSpec[];
  readonly market: MarketSettings;
  readonly utility: UtilitySettings;
  readonly reports: { readonly html: boolean; readonly wire: boolean };
}

/** Number of delivery intervals of a scenario. */
export function intervalCount(s: Pick<Scenario, 'horizonHours' | 'intervalMinutes'>): number {
  return Math.round((s.horizonHours * 60) / s.intervalMinutes);
}
