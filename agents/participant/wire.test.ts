import { describe, expect, it } from 'vitest';
import { isoOf } from '../../src/kernel/clock.js';
import { isoDuration, uuidForName } from '../../src/protocol/context.js';
import type { Action } from '../../src/protocol/payloads.js';
import { getProfile } from '../../src/protocol/profiles/index.js';
import { validateMessage } from '../../src/protocol/validate.js';
import type { Agent, FactoryContext } from '../../src/run/agent.js';
import { create as battery } from '../battery/index.js';
import { create as consumer } from '../consumer/index.js';
import { create as cpo } from '../cpo/index.js';
import { create as prosumer } from '../prosumer/index.js';
import { createFakeRun, runWithPrices, testScenario } from './fake-run.js';

const ctx: FactoryContext = {
  meterOf: (id) => ({ meterId: `m-${id}`, node: 'tx-1', bus: `bus-${id}`, pvKWp: 6, batteryKWh: 10, batteryKW: 5, evChargePoints: 4, evChargerKW: 22, annualConsumptionKWh: 3500 }),
};

describe('what participants send is valid Beckn in both profiles and reads back unchanged', () => {
  const scenario = testScenario({ start: '2026-06-22T06:00:00Z', horizonHours: 2, participants: [{ kind: 'mca', id: 'mca' }, { kind: 'utility', id: 'utility' }] });
  const run = createFakeRun(scenario);
  const agents: Agent[] = [
    ...battery({ kind: 'battery', id: 'b1', count: 1 }, ['b1'], run.services, ctx),
    ...prosumer({ kind: 'prosumer', id: 'p1', count: 1 }, ['p1'], run.services, ctx),
    ...consumer({ kind: 'consumer', id: 'c1', count: 1 }, ['c1'], run.services, ctx),
    ...cpo({ kind: 'cpo', id: 'cpo-1', count: 1 }, ['cpo-1'], run.services, ctx),
  ];
  for (const a of agents) runWithPrices(a, run, { price: (k) => (k % 2 === 0 ? 3.5 : 9) });

  it('sends the whole flow: discover, the deviation contract, then init and confirm per interval', () => {
    const actions = new Set(run.records.requests.map((r) => `${r.action}→${r.to}`));
    expect([...actions].sort()).toEqual(['confirm→mca', 'confirm→utility', 'discover→mca', 'init→mca', 'init→utility']);
    expect(run.records.requests.filter((r) => r.action === 'init' && r.to === 'mca').length).toBe(4 * 8);
  });

  for (const profileId of ['beckn-2.0.0', 'deg-order-draft'] as const) {
    it(`validates against ${profileId}`, () => {
      const profile = getProfile(profileId);
      let n = 0;
      for (const r of run.records.requests) {
        const action = r.action as Action;
        const wire = profile.build(action, {
          domain: scenario.protocol.domain,
          action,
          bapId: r.from,
          bapUri: `https://${r.from}.test/beckn`,
          bppId: r.to,
          bppUri: `https://${r.to}.test/beckn`,
          // The network carries a transaction key as the UUID derived from it.
          transactionId: uuidForName(`transaction/${r.transactionId}`),
          messageId: uuidForName(`${r.from}/${++n}`),
          timestamp: isoOf(r.atMs),
          ttl: isoDuration(30),
        }, r.payload as never);
        expect(validateMessage(wire, profileId), `${r.action} ${r.transactionId}`).toEqual([]);
        const back = profile.parse(wire);
        expect(back.ok).toBe(true);
        if (back.ok) expect(back.value.payload).toEqual(r.payload);
      }
    });
  }
});
