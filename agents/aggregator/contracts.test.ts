import { describe, expect, it } from 'vitest';
import { evaluatePeriod, initialState } from '../../src/contracts/evaluate.js';
import { formContract } from '../../src/contracts/form.js';
import { formatMinor } from '../../src/settlement/money.js';
import { testScenario } from '../shared/testing.js';
import { membershipContract, portfolioDeviationContract } from './contracts.js';

const window = { start: '2026-06-21T00:00:00Z', end: '2026-06-22T00:00:00Z' };
const period = { start: '2026-06-21T10:00:00Z', end: '2026-06-21T10:15:00Z', index: 40 };

function lines(contract: Parameters<typeof formContract>[0], inputs: Parameters<typeof evaluatePeriod>[2]): string[][] {
  const c = formContract({ ...contract, status: 'ACTIVE' });
  if (!c.ok) throw new Error(c.errors.map((d) => d.message).join('\n'));
  const r = evaluatePeriod(c.value, period, inputs, initialState(c.value));
  if (!r.ok) throw new Error(r.errors.map((d) => d.message).join('\n'));
  return r.value.lines.map((l) => [l.flowId, l.payer, l.payee, formatMinor(l.amountMinor, 2)]);
}

describe('portfolio deviation', () => {
  const contract = portfolioDeviationContract({
    aggregatorId: 'vpp',
    portfolioMeterId: 'vpp.portfolio',
    members: [
      { memberId: 'vpp.pv-1', meterId: 'M1' },
      { memberId: 'vpp.bat-1', meterId: 'M2' },
    ],
    utilityId: 'utility',
    utility: testScenario().utility,
    createdAt: window.start,
    currency: 'INR',
    validity: window,
  });

  it('reads each member meter and bills the sum against the cleared energy', () => {
    expect(contract.telemetrySources?.map((t) => [t.sourceId, t.source.meterId])).toEqual([
      ['member1', 'M1'],
      ['member2', 'M2'],
    ]);
    // Members deliver 0.6 + 0.3 kWh against 1.5 cleared: 0.6 kWh short, bought back at retail 8 → 4.80.
    const short = { telemetry: { member1: { energyKWh: 0.6 }, member2: { energyKWh: 0.3 } }, roleInputs: { PROSUMER: { clearedKWh: 1.5 } } };
    expect(lines(contract, short)).toEqual([['deviation', 'vpp', 'utility', '4.80']]);
    // 0.5 kWh more than cleared is paid at feed-in 3 → 1.50 to the aggregator.
    const over = { telemetry: { member1: { energyKWh: 1.5 }, member2: { energyKWh: 0.5 } }, roleInputs: { PROSUMER: { clearedKWh: 1.5 } } };
    expect(lines(contract, over)).toEqual([['deviation', 'utility', 'vpp', '1.50']]);
  });
});

describe('membership', () => {
  it('passes the member the market value of its metered energy less the share (worked example)', () => {
    const c = membershipContract({ memberId: 'vpp.pv-1', aggregatorId: 'vpp', memberMeterId: 'M1', createdAt: window.start, currency: 'INR', validity: window, basis: { kind: 'market-energy' }, sharePercent: 20 });
    // 2 kWh exported at 5.00: the aggregator pays 10.00, the member pays back 20 % = 2.00.
    expect(lines(c, { telemetry: { member: { energyKWh: 2 } }, signals: { 'market-clearing-price': 5 } })).toEqual([
      ['energy', 'vpp', 'vpp.pv-1', '10.00'],
      ['share', 'vpp.pv-1', 'vpp', '2.00'],
    ]);
  });
});
