import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { TimeWindow } from '../../src/protocol/payloads.js';
import type { FactoryContext } from '../../src/run/agent.js';
import type { Scenario, UtilitySettings } from '../../src/scenario/types.js';
import { FEEDER_HEAD_ID } from '../../grid/index.js';
import { portfolioDeviationContract, portfolioDeviationContractId, type PortfolioMeter } from '../aggregator/contracts.js';
import { memberResources, portfolioMeterId } from '../aggregator/members.js';
import { participantIdsOf } from '../shared/ids.js';
import { roleOf, stringRoleInput } from '../shared/terms.js';
import type { MeterRecord } from './policy.js';

/**
 * The grid operator's view of aggregators: each member is an ordinary connection (its own meter
 * record), and each aggregator's portfolio is one more record on a virtual meter whose limits are
 * the sums of its members' — the meter the market trade is approved, locked and settled under.
 * The portfolio sits under the grid node all its members share (the feeder head when they are
 * spread over several transformers).
 */

function positive(x: number | undefined): number | undefined {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : undefined;
}

/** Meter records of every aggregator's members and of each portfolio. */
export function aggregatorMeterRecords(scenario: Scenario, ctx: FactoryContext): MeterRecord[] {
  const out: MeterRecord[] = [];
  for (const spec of scenario.participants) {
    if (spec.kind !== 'aggregator') continue;
    const ids = participantIdsOf(spec);
    for (const aggregatorId of ids) {
      const members: MeterRecord[] = [];
      for (const m of memberResources(spec, [aggregatorId])) {
        const a = ctx.meterOf(m.id);
        if (a === undefined) continue;
        const sanctioned = positive(a.sanctionedLoadKW) ?? scenario.utility.sanctionedLoadKW;
        const inverters = (a.pvKWp ?? 0) + (a.batteryKW ?? 0);
        members.push({ meterId: a.meterId, participantId: m.id, nodeId: a.node, sanctionedLoadKW: sanctioned, maxExportKW: inverters > 0 ? Math.min(sanctioned, inverters) : sanctioned });
      }
      if (members.length === 0) continue;
      out.push(...members);
      const nodes = new Set(members.map((r) => r.nodeId));
      out.push({
        meterId: portfolioMeterId(aggregatorId),
        participantId: aggregatorId,
        nodeId: nodes.size === 1 ? [...nodes][0]! : FEEDER_HEAD_ID,
        sanctionedLoadKW: members.reduce((s, r) => s + r.sanctionedLoadKW, 0),
        maxExportKW: members.reduce((s, r) => s + r.maxExportKW, 0),
      });
    }
  }
  return out;
}

/** The member meters of an aggregator's portfolio, in member order, from the operator's records. */
export function portfolioMembers(aggregatorId: string, scenario: Scenario, meters: ReadonlyMap<string, MeterRecord>): readonly PortfolioMeter[] {
  const spec = scenario.participants.find((p) => p.kind === 'aggregator' && participantIdsOf(p).includes(aggregatorId));
  if (spec === undefined) return [];
  const byParticipant = new Map<string, string>();
  for (const r of meters.values()) byParticipant.set(r.participantId, r.meterId);
  const out: PortfolioMeter[] = [];
  for (const m of memberResources(spec, [aggregatorId])) {
    const meterId = byParticipant.get(m.id);
    if (meterId !== undefined) out.push({ memberId: m.id, meterId });
  }
  return out;
}

export interface PortfolioRequest {
  readonly from: string;
  readonly scenario: Scenario;
  readonly meters: ReadonlyMap<string, MeterRecord>;
  readonly base: { readonly createdAt: string; readonly currency: string; readonly validity: TimeWindow; readonly utilityId: string; readonly utility: UtilitySettings };
}

/**
 * Checks an aggregator's request for its portfolio deviation contract and returns the contract the
 * operator offers: named after the aggregator, the PROSUMER role filled by it on its portfolio's
 * virtual meter, every member meter a telemetry source.
 */
export function portfolioDeviationOffer(c: EnergyContract, r: PortfolioRequest): Result<EnergyContract> {
  const errors: Diagnostic[] = [];
  const meterId = stringRoleInput(c, 'PROSUMER', 'meterId');
  const expectedMeter = portfolioMeterId(r.from);
  const portfolio = r.meters.get(expectedMeter);
  if (c.contractId !== portfolioDeviationContractId(r.from)) errors.push({ code: 'portfolio.contract-id', path: 'contract.contractId', message: `the portfolio deviation contract of ${r.from} is named ${portfolioDeviationContractId(r.from)}` });
  if (roleOf(c, 'PROSUMER')?.filledBy !== r.from) errors.push({ code: 'portfolio.role', path: 'contract.roles', message: `the PROSUMER role must be filled by the sender ${r.from}` });
  if (meterId !== expectedMeter) errors.push({ code: 'portfolio.meter', path: 'contract.roles.PROSUMER.meterId', message: `the portfolio of ${r.from} is metered as ${expectedMeter}, not ${meterId ?? '(none)'}` });
  if (portfolio === undefined || portfolio.participantId !== r.from) errors.push({ code: 'portfolio.unknown', path: 'contract.roles.PROSUMER.meterId', message: `${r.from} has no portfolio of member connections on this feeder` });
  if (errors.length > 0) return fail(errors);
  const members = portfolioMembers(r.from, r.scenario, r.meters);
  return ok(portfolioDeviationContract({ aggregatorId: r.from, portfolioMeterId: expectedMeter, members, utilityId: r.base.utilityId, utility: r.base.utility, createdAt: r.base.createdAt, currency: r.base.currency, validity: r.base.validity }));
}
