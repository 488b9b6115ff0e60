import { describe, expect, it } from 'vitest';
import type { ProfileId } from '../../src/protocol/context.js';
import { getProfile } from '../../src/protocol/profiles/index.js';
import { payAsClearTransaction } from '../../src/protocol/profiles/test-support/transactions.js';
import { buildSequenceDiagram } from './build.js';
import { toMermaid } from './mermaid.js';

/**
 * The diagram must read what the project's own profiles put on the wire, not only our fixtures:
 * the protocol layer's reference pay-as-clear transaction, built by each profile.
 */
function wire(profile: ProfileId): unknown[] {
  return payAsClearTransaction().map((s) => JSON.parse(JSON.stringify(getProfile(profile).build(s.action, s.context, s.payload))) as unknown);
}

describe.each(['beckn-2.0.0', 'deg-order-draft'] as const)('messages built by the %s profile', (profile) => {
  const d = buildSequenceDiagram(wire(profile), {});

  it('puts the prosumer, the MCA and the utility on their own lifelines', () => {
    expect(d.diagnostics).toEqual([]);
    expect(d.profiles).toEqual([profile]);
    // A discover without a BPP goes to the network; whether the profile names one is its business.
    expect(d.lifelines.filter((l) => l.role !== 'network').map((l) => [l.label, l.role])).toEqual([
      ['prosumer-7', 'participant'],
      ['MCA', 'mca'],
      ['Utility', 'utility'],
    ]);
  });

  it('labels the pay-as-clear steps with their key values', () => {
    const text = toMermaid(d);
    expect(text).toContain('prosumer_7->>MCA: init · curve 3 pts\n');
    expect(text).toContain('MCA->>Utility: init · asks 5 kW\n');
    expect(text).toContain('Utility-->>MCA: on_init · max 4.5 kW · wheeling 0.5 INR/kWh\n');
    expect(text).toContain('Note over MCA: Gate closure: market clears at 6.25 INR/kWh\n');
    expect(text).toContain('MCA-->>prosumer_7: on_confirm · price 6.25 INR/kWh · cleared 2 kW · ACTIVE\n');
  });
});
