import { DiagnosticError } from '../../src/diagnostics.js';
import type { Agent, AgentFactory, AgentServices, MeterAssignment } from '../../src/run/agent.js';
import { valueOrThrow } from '../participant/factory.js';
import { AggregatorAgent, type MemberLink } from './agent.js';
import { batteryDevice, evHomeDevice, pvHomeDevice, type MemberDevice } from './devices.js';
import { createMemberAgent } from './member.js';
import { memberResources, type MemberResource } from './members.js';
import { aggregatorParams, type AggregatorParams } from './params.js';

export { AggregatorAgent, type MemberLink } from './agent.js';
export { membershipContract, membershipContractId, portfolioDeviationContract, portfolioDeviationContractId, PORTFOLIO_DEVIATION_TEMPLATE } from './contracts.js';
export { disaggregate, explicitPoints, splitFlexibility, sumCurves, upwardFlexKW, type MemberFlexibility, type MemberShare, type Split } from './curves.js';
export { batteryDevice, evHomeDevice, pvHomeDevice, type EvHomeParams, type MemberDevice } from './devices.js';
export { memberIntervalMachine, portfolioIntervalMachine, searchMachine } from './machine.js';
export { createMemberAgent, type MemberAgent } from './member.js';
export { isMemberKind, MEMBER_KINDS, memberId, memberResources, portfolioMeterId, type MemberKind, type MemberResource } from './members.js';
export { aggregatorParams, AGGREGATOR_PROGRAMS, type AggregatorParams, type AggregatorProgram } from './params.js';

/** The device of a member, from its kind and the aggregator's member parameters. */
export function memberDevice(r: MemberResource, p: AggregatorParams, meter: MeterAssignment, svc: AgentServices): MemberDevice {
  switch (r.memberKind) {
    case 'prosumer':
      return pvHomeDevice(p.prosumer, meter, svc);
    case 'battery':
      return batteryDevice(p.battery, meter, svc);
    case 'ev':
      return evHomeDevice(r.id, p.ev, meter, svc);
  }
}

/**
 * Factory of kind `aggregator`: the aggregator of each id and one member agent per member the
 * entry names, each on the connection the run gave it. Parameter problems are thrown as one
 * DiagnosticError carrying every diagnostic (a factory returns agents, not results).
 */
export const create: AgentFactory = (spec, ids, services, ctx) => {
  if (ids.length === 0) return [];
  const p = valueOrThrow(aggregatorParams(spec, services(ids[0]!).scenario));
  const out: Agent[] = [];
  for (const id of ids) {
    const links: MemberLink[] = [];
    for (const r of memberResources(spec, [id])) {
      const meter = ctx.meterOf(r.id);
      if (meter === undefined) throw new DiagnosticError([{ code: 'aggregator.no-meter', path: 'members', message: `member ${r.id} (${r.kind}) has no connection on the feeder: give the feeder more ${r.kind} connections or the aggregator fewer members` }]);
      const svc = services(r.id);
      out.push(createMemberAgent({ resource: r, meterId: meter.meterId, node: meter.node, device: memberDevice(r, p, meter, svc), services: svc, sharePercent: p.sharePercent }));
      links.push({ resource: r, meterId: meter.meterId, node: meter.node });
    }
    out.push(new AggregatorAgent(id, p, services(id), links));
  }
  return out;
};
