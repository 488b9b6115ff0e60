import type { EnergyContract, RevenueFlow, TelemetrySource } from '../../src/contracts/model.js';
import { aggregatorRevenueShare, participantDeviation, type ShareBasis } from '../../src/contracts/templates/index.js';
import type { TimeWindow } from '../../src/protocol/payloads.js';
import type { UtilitySettings } from '../../src/scenario/types.js';
import { deviationPricing } from '../shared/standing.js';

/**
 * The contracts an aggregator forms, built the one way both sides build them so the provider can
 * check a request against its own terms: each member's revenue-share contract with the
 * aggregator, and the portfolio's deviation contract with the grid operator.
 */

/** Template name of the portfolio deviation contract. */
export const PORTFOLIO_DEVIATION_TEMPLATE = 'grid/portfolio-deviation';

/** Contract id of a member's revenue-share contract. */
export function membershipContractId(memberId: string): string {
  return `share-${memberId}`;
}

/** Contract id of an aggregator's portfolio deviation contract. */
export function portfolioDeviationContractId(aggregatorId: string): string {
  return `dev-${aggregatorId}`;
}

export interface MembershipOptions {
  readonly memberId: string;
  readonly aggregatorId: string;
  readonly memberMeterId: string;
  readonly createdAt: string;
  readonly currency: string;
  readonly validity: TimeWindow;
  readonly basis: ShareBasis;
  readonly sharePercent: number;
  readonly status?: EnergyContract['status'];
}

/** A member's PENDING revenue-share contract (template aggregator/revenue-share). */
export function membershipContract(o: MembershipOptions): EnergyContract {
  return aggregatorRevenueShare({
    contractId: membershipContractId(o.memberId),
    createdAt: o.createdAt,
    currency: o.currency,
    status: o.status ?? 'PENDING',
    validity: o.validity,
    aggregator: o.aggregatorId,
    member: o.memberId,
    memberMeterId: o.memberMeterId,
    basis: o.basis,
    sharePercent: o.sharePercent,
  });
}

/** A member meter of a portfolio. */
export interface PortfolioMeter {
  readonly memberId: string;
  readonly meterId: string;
}

export interface PortfolioDeviationOptions {
  readonly aggregatorId: string;
  /** The portfolio's virtual meter, under which the market trade and its lock are booked. */
  readonly portfolioMeterId: string;
  /** Member meters, in a fixed order (their telemetry sources are `member1`, `member2`, …). */
  readonly members: readonly PortfolioMeter[];
  readonly utilityId: string;
  readonly utility: UtilitySettings;
  readonly createdAt: string;
  readonly currency: string;
  readonly validity: TimeWindow;
}

/**
 * The portfolio's deviation contract with the grid operator: the standard deviation contract
 * (grid/deviation) on the portfolio's virtual meter, whose energy is the sum of its members'
 * meters. Each member meter is a telemetry source of its own, so settlement reads every term from
 * the meters; the flows are those of the standard contract with `telemetry.meter.energyKWh`
 * replaced by that sum. PENDING, the clearedKWh of each period supplied by the operator's locks.
 */
export function portfolioDeviationContract(o: PortfolioDeviationOptions): EnergyContract {
  const base = participantDeviation({
    contractId: portfolioDeviationContractId(o.aggregatorId),
    createdAt: o.createdAt,
    currency: o.currency,
    status: 'PENDING',
    validity: o.validity,
    gridOperator: o.utilityId,
    participant: o.aggregatorId,
    meterId: o.portfolioMeterId,
    pricing: deviationPricing(o.utility),
  });
  const sources: TelemetrySource[] = o.members.map((m, i) => ({ sourceId: `member${i + 1}`, sourceType: 'METER_READING', source: { era: m.memberId, meterId: m.meterId }, fields: ['energyKWh'] }));
  const sum = o.members.length === 0 ? '0' : `(${sources.map((s) => `telemetry.${s.sourceId}.energyKWh`).join(' + ')})`;
  const swap = (f: string): string => f.split('telemetry.meter.energyKWh').join(sum);
  const flows: RevenueFlow[] = base.revenueFlows.flows.map((f) => ({
    ...f,
    quantity: swap(f.quantity),
    rate: swap(f.rate),
    ...(f.condition === undefined ? {} : { condition: swap(f.condition) }),
    description: `${f.description ?? f.flowId} (portfolio: the sum of ${o.members.length} member meters)`,
  }));
  return { ...base, template: PORTFOLIO_DEVIATION_TEMPLATE, telemetrySources: sources, revenueFlows: { netZero: true, flows } };
}
