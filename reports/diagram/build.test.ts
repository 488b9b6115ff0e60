import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArrowStep, Diagram, IntervalClock } from './build.js';
import { buildSequenceDiagram, intervalOfTime, intervalOfTransactionId, intervalsInTrace } from './build.js';
import { parseNdjson } from './load.js';
import type { ScenarioParticipantRef } from './roles.js';

const fixture = (profile: string, file: string): readonly unknown[] =>
  parseNdjson(readFileSync(fileURLToPath(new URL(`./fixtures/${profile}/${file}`, import.meta.url)), 'utf8'), file).values;

const becknMessages = fixture('beckn-2.0.0', 'messages.ndjson');
const becknAcks = fixture('beckn-2.0.0', 'acks.ndjson');
const degMessages = fixture('deg-order-draft', 'messages.ndjson');
const degAcks = fixture('deg-order-draft', 'acks.ndjson');
const participants: readonly ScenarioParticipantRef[] = [
  { id: 'prosumer-1', kind: 'prosumer' },
  { id: 'prosumer-2', kind: 'prosumer' },
  { id: 'cpo-1', kind: 'cpo' },
];
const clock: IntervalClock = { start: '2025-06-01T10:00:00Z', intervalMinutes: 15 };

const arrows = (d: Diagram): ArrowStep[] => d.steps.filter((s): s is ArrowStep => s.type === 'arrow');
const roleOf = (d: Diagram, id: string): string => d.lifelines.find((l) => l.id === id)?.role ?? '?';

describe('interval of a transaction', () => {
  it('reads -i<N>- tags only as whole tokens', () => {
    expect(intervalOfTransactionId('txn-i12-prosumer-7')).toBe(12);
    expect(intervalOfTransactionId('i0-cpo-1')).toBe(0);
    expect(intervalOfTransactionId('pac.cpo-1.i3')).toBe(3);
    expect(intervalOfTransactionId('txn-mi3-x')).toBeUndefined();
    expect(intervalOfTransactionId('txn-i3x-x')).toBeUndefined();
    expect(intervalOfTransactionId('8e0f1c9a-2c1d-4c9e-9f51-1d3b4f9a7e10')).toBeUndefined();
  });

  it('maps a validity start onto the run clock', () => {
    expect(intervalOfTime('2025-06-01T10:00:00Z', clock)).toBe(0);
    expect(intervalOfTime('2025-06-01T10:14:59Z', clock)).toBe(0);
    expect(intervalOfTime('2025-06-01T10:15:00Z', clock)).toBe(1);
    expect(intervalOfTime('2025-06-02T10:00:00Z', clock)).toBe(96);
    expect(intervalOfTime('2025-06-01T09:59:00Z', clock)).toBeUndefined();
    expect(intervalOfTime('not a time', clock)).toBeUndefined();
  });

  it('lists the intervals of a trace, with and without the clock', () => {
    expect(intervalsInTrace(becknMessages)).toEqual([0, 1]);
    expect(intervalsInTrace(becknMessages, clock)).toEqual([0, 1]);
  });
});

describe('buildSequenceDiagram on the pay-as-clear fixture (beckn 2.0.0)', () => {
  const full = buildSequenceDiagram(becknMessages, { interval: 0, participants, acks: becknAcks, clock });

  it('draws one lifeline per party, participants first, then MCA and utility', () => {
    expect(full.lifelines.map((l) => [l.id, l.label, l.role, l.kind])).toEqual([
      ['prosumer_1', 'prosumer-1', 'participant', 'prosumer'],
      ['prosumer_2', 'prosumer-2', 'participant', 'prosumer'],
      ['cpo_1', 'cpo-1', 'participant', 'cpo'],
      ['MCA', 'MCA', 'mca', 'mca'],
      ['Utility', 'Utility', 'utility', 'utility'],
    ]);
    expect(full.profiles).toEqual(['beckn-2.0.0']);
    expect(full.diagnostics).toEqual([]);
  });

  it('keeps the 25 messages of interval 0: 3 × (init, cascaded init/on_init, on_init), 3 confirms, 3 × cascaded confirm/on_confirm, 3 on_confirms, 1 status', () => {
    expect(full.messageCount).toBe(25);
    expect(arrows(full)).toHaveLength(25);
    const first = arrows(full).slice(0, 4);
    expect(first.map((a) => [a.from, a.to, a.action, a.direction, a.label])).toEqual([
      ['prosumer_1', 'MCA', 'init', 'request', 'init · curve 3 pts'],
      ['MCA', 'Utility', 'init', 'request', 'init · curve 3 pts'],
      ['Utility', 'MCA', 'on_init', 'callback', 'on_init · max 5 kW · wheeling 0.025 INR/kWh · fee 0.01 INR/kWh'],
      ['MCA', 'prosumer_1', 'on_init', 'callback', 'on_init · max 5 kW · wheeling 0.025 INR/kWh · fee 0.01 INR/kWh'],
    ]);
  });

  it('places the gate-closure note before the first clearing outcome the MCA sends (the cascaded confirm)', () => {
    const i = full.steps.findIndex((s) => s.type === 'note');
    expect(full.steps[i]).toEqual({ type: 'note', over: ['MCA'], text: 'Gate closure, interval 0: market clears at 0.06 INR/kWh' });
    expect(full.steps[i + 1]).toMatchObject({ type: 'arrow', from: 'MCA', to: 'Utility', action: 'confirm', label: 'confirm · cleared 2 kW' });
    expect(full.steps.filter((s) => s.type === 'note')).toHaveLength(1);
  });

  it('labels on_confirm with price and the participant’s own cleared kW, and marks the NACK', () => {
    const onConfirm = arrows(full).filter((a) => a.action === 'on_confirm' && a.from === 'MCA');
    expect(onConfirm.map((a) => a.label)).toEqual([
      'on_confirm · price 0.06 INR/kWh · cleared 2 kW · ACTIVE',
      'on_confirm · price 0.06 INR/kWh · cleared 2 kW · ACTIVE',
      'on_confirm · price 0.06 INR/kWh · cleared -4 kW · ACTIVE',
    ]);
    const last = arrows(full).at(-1);
    expect(last).toMatchObject({ from: 'prosumer_2', to: 'MCA', action: 'status', nackCount: 1, label: 'status · NACK 30022' });
  });

  it('collapses prosumers into one lifeline and merges their identical arrows', () => {
    const d = buildSequenceDiagram(becknMessages, { interval: 0, collapse: true, participants, acks: becknAcks, clock });
    expect(d.lifelines.map((l) => l.label)).toEqual(['prosumers ×2', 'cpo-1', 'MCA', 'Utility']);
    expect(d.lifelines[0]?.members).toEqual(['prosumer-1.degsim.test', 'prosumer-2.degsim.test']);
    expect(arrows(d).map((a) => `${a.from}>${a.to}:${a.action}×${a.count}`)).toEqual([
      'prosumers>MCA:init×2',
      'MCA>Utility:init×3',
      'Utility>MCA:on_init×3',
      'MCA>prosumers:on_init×2',
      'cpo_1>MCA:init×1',
      'MCA>cpo_1:on_init×1',
      'prosumers>MCA:confirm×2',
      'cpo_1>MCA:confirm×1',
      'MCA>Utility:confirm×3',
      'Utility>MCA:on_confirm×3',
      'MCA>prosumers:on_confirm×2',
      'MCA>cpo_1:on_confirm×1',
      'prosumers>MCA:status×1',
    ]);
    expect(arrows(d)[1]?.label).toBe('init ×3 · curve 2…4 pts');
    expect(arrows(d).reduce((s, a) => s + a.count, 0)).toBe(d.messageCount);
  });

  it('with a minimum group of 3, two prosumers stay separate', () => {
    const d = buildSequenceDiagram(becknMessages, { interval: 0, collapse: true, collapseMinGroup: 3, participants });
    expect(d.lifelines.map((l) => l.label)).toEqual(['prosumer-1', 'prosumer-2', 'cpo-1', 'MCA', 'Utility']);
  });

  it('adds discovery (no interval, no BPP) on request, to a Network lifeline', () => {
    const d = buildSequenceDiagram(becknMessages, { interval: 0, includeUnscoped: true, participants, clock });
    expect(d.messageCount).toBe(27);
    expect(d.lifelines.map((l) => l.label)).toEqual(['prosumer-1', 'prosumer-2', 'cpo-1', 'Network', 'MCA', 'Utility']);
    expect(arrows(d).slice(0, 2).map((a) => a.label)).toEqual(['discover', 'on_discover · PAY_AS_CLEAR · fee 0.01/kWh']);
  });

  it('selects interval 1 by tag, and by contract validity start only when the clock is known', () => {
    const withClock = buildSequenceDiagram(becknMessages, { interval: 1, participants, clock });
    expect(arrows(withClock).map((a) => `${a.from}:${a.action}`)).toEqual(['prosumer_1:init', 'cpo_1:init']);
    const without = buildSequenceDiagram(becknMessages, { interval: 1, participants });
    expect(arrows(without).map((a) => `${a.from}:${a.action}`)).toEqual(['prosumer_1:init']);
  });

  it('selects one transaction', () => {
    const d = buildSequenceDiagram(becknMessages, { transactionId: 'txn-i0-cpo-1', participants });
    expect(arrows(d).map((a) => a.action)).toEqual(['init', 'on_init', 'confirm', 'on_confirm']);
    expect(d.title).toBe('Transaction txn-i0-cpo-1');
    expect(d.lifelines.map((l) => l.label)).toEqual(['cpo-1', 'MCA']);
  });
});

describe('both wire profiles give the same flow', () => {
  it('draws the DEG draft fixture with the same arrows between the same roles', () => {
    const a = buildSequenceDiagram(becknMessages, { interval: 0, includeUnscoped: true, collapse: true, participants, acks: becknAcks, clock });
    const b = buildSequenceDiagram(degMessages, { interval: 0, includeUnscoped: true, collapse: true, acks: degAcks, clock });
    expect(b.profiles).toEqual(['deg-order-draft']);
    expect(b.lifelines.map((l) => l.label)).toEqual(['prosumers ×2', 'cpo-fleet', 'Network', 'MCA', 'Utility']);
    const shape = (d: Diagram): string[] =>
      d.steps.map((s) => (s.type === 'note' ? `note:${s.text}` : `${roleOf(d, s.from)}>${roleOf(d, s.to)}:${s.action}×${s.count}:${s.nackCount}`));
    expect(shape(b)).toEqual(shape(a));
    const onConfirm = arrows(b).find((s) => s.action === 'on_confirm' && s.from === 'MCA');
    expect(onConfirm?.label).toBe('on_confirm ×2 · price 0.06 INR/kWh · cleared 2 kW · ACTIVE');
  });
});

describe('robustness', () => {
  it('skips unreadable messages and reports them', () => {
    const d = buildSequenceDiagram([42, { context: {} }, becknMessages[2]], {});
    expect(d.messageCount).toBe(1);
    expect(d.diagnostics.map((x) => [x.code, x.path])).toEqual([
      ['trace.not-object', 'messages[0]'],
      ['trace.unknown-profile', 'messages[1].context'],
    ]);
  });

  it('merges very many messages into one arrow without overflowing the stack', () => {
    const body = {
      context: { action: 'on_confirm', bapId: 'prosumer-1.x', bppId: 'mca.x', transactionId: 't', messageId: 'm' },
      message: { contract: { contractAttributes: { roles: [{ roleInputs: { clearedKW: 2 } }] } } },
    };
    const d = buildSequenceDiagram(new Array<unknown>(150_000).fill(body), { collapse: true });
    expect(arrows(d).map((a) => a.label)).toEqual(['on_confirm ×150000 · cleared 2 kW']);
  });

  it('keeps its invariants for any subset and order of messages', () => {
    const all = [...becknMessages, ...degMessages];
    fc.assert(
      fc.property(fc.shuffledSubarray(all), fc.boolean(), fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), (msgs, collapse, interval) => {
        const d = buildSequenceDiagram(msgs, { collapse, participants, clock, ...(interval === undefined ? {} : { interval }) });
        const ids = new Set(d.lifelines.map((l) => l.id));
        expect(ids.size).toBe(d.lifelines.length);
        const used = new Set<string>();
        let count = 0;
        for (const s of d.steps) {
          if (s.type === 'note') {
            for (const o of s.over) expect(ids.has(o)).toBe(true);
            continue;
          }
          expect(ids.has(s.from) && ids.has(s.to)).toBe(true);
          used.add(s.from).add(s.to);
          count += s.count;
          expect(s.messageIds).toHaveLength(s.count);
          if (!collapse) expect(s.count).toBe(1);
        }
        expect(count).toBe(d.messageCount);
        expect(used.size).toBe(d.lifelines.length);
        for (const l of d.lifelines) expect(l.id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      }),
      { numRuns: 80 },
    );
  });
});
