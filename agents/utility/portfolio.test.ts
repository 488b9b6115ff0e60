import { describe, expect, it } from 'vitest';
import type { FactoryContext, MeterAssignment } from '../../src/run/agent.js';
import { portfolioDeviationContract } from '../aggregator/contracts.js';
import { testScenario } from '../shared/testing.js';
import { aggregatorMeterRecords, portfolioDeviationOffer, portfolioMembers } from './portfolio.js';

const scenario = testScenario({ participants: [{ kind: 'aggregator', id: 'vpp', count: 1, members: { prosumer: 2, battery: 1 } }] });
const meters: Readonly<Record<string, MeterAssignment>> = {
  'vpp.pv-1': { meterId: 'M1', node: 'T001', bus: 'B1', pvKWp: 4, sanctionedLoadKW: 6 },
  'vpp.pv-2': { meterId: 'M2', node: 'T001', bus: 'B2', pvKWp: 3, batteryKWh: 10, batteryKW: 5 },
  'vpp.bat-1': { meterId: 'M3', node: 'T002', bus: 'B3' },
};
const ctx: FactoryContext = { meterOf: (id) => meters[id] };

describe('portfolio records', () => {
  it('records each member connection and the portfolio as the sum of their limits', () => {
    const records = aggregatorMeterRecords(scenario, ctx);
    expect(records).toEqual([
      { meterId: 'M1', participantId: 'vpp.pv-1', nodeId: 'T001', sanctionedLoadKW: 6, maxExportKW: 4 },
      { meterId: 'M2', participantId: 'vpp.pv-2', nodeId: 'T001', sanctionedLoadKW: 10, maxExportKW: 8 },
      { meterId: 'M3', participantId: 'vpp.bat-1', nodeId: 'T002', sanctionedLoadKW: 10, maxExportKW: 10 },
      // members on two transformers: the portfolio sits at the feeder head
      { meterId: 'vpp.portfolio', participantId: 'vpp', nodeId: 'feeder-head', sanctionedLoadKW: 26, maxExportKW: 22 },
    ]);
    const byMeter = new Map(records.map((r) => [r.meterId, r]));
    expect(portfolioMembers('vpp', scenario, byMeter)).toEqual([
      { memberId: 'vpp.pv-1', meterId: 'M1' },
      { memberId: 'vpp.pv-2', meterId: 'M2' },
      { memberId: 'vpp.bat-1', meterId: 'M3' },
    ]);
  });

  it('offers the portfolio deviation contract to its aggregator only, on its portfolio meter', () => {
    const byMeter = new Map(aggregatorMeterRecords(scenario, ctx).map((r) => [r.meterId, r]));
    const base = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR', validity: { start: '2026-06-21T00:00:00Z', end: '2026-06-21T01:00:00Z' }, utilityId: 'utility', utility: scenario.utility };
    const request = portfolioDeviationContract({ aggregatorId: 'vpp', portfolioMeterId: 'vpp.portfolio', members: [], utilityId: 'utility', utility: scenario.utility, createdAt: base.createdAt, currency: 'INR', validity: base.validity });
    const ok = portfolioDeviationOffer(request, { from: 'vpp', scenario, meters: byMeter, base });
    expect(ok.ok && ok.value.telemetrySources?.map((t) => t.source.meterId)).toEqual(['M1', 'M2', 'M3']);
    const stranger = portfolioDeviationOffer(request, { from: 'mallory', scenario, meters: byMeter, base });
    expect(stranger.ok ? [] : stranger.errors.map((d) => d.code)).toEqual(['portfolio.contract-id', 'portfolio.role', 'portfolio.meter', 'portfolio.unknown']);
  });
});
