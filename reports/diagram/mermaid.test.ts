import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagram } from './build.js';
import { buildSequenceDiagram } from './build.js';
import { parseNdjson } from './load.js';
import { escapeMermaid, toMermaid } from './mermaid.js';

const read = (profile: string, file: string): readonly unknown[] =>
  parseNdjson(readFileSync(fileURLToPath(new URL(`./fixtures/${profile}/${file}`, import.meta.url)), 'utf8'), file).values;

const participants = [
  { id: 'prosumer-1', kind: 'prosumer' },
  { id: 'prosumer-2', kind: 'prosumer' },
  { id: 'cpo-1', kind: 'cpo' },
];

/** The collapsed pay-as-clear flow of interval 0, as GitHub should render it. */
const EXPECTED = `sequenceDiagram
  autonumber
  participant prosumers as prosumers ×2
  participant cpo_1 as cpo-1
  participant MCA as MCA
  participant Utility as Utility
  prosumers->>MCA: init ×2 · curve 2…3 pts
  MCA->>Utility: init ×3 · curve 2…4 pts
  Utility-->>MCA: on_init ×3 · max 4…6 kW · wheeling 0.025 INR/kWh · fee 0.01 INR/kWh
  MCA-->>prosumers: on_init ×2 · max 4…5 kW · wheeling 0.025 INR/kWh · fee 0.01 INR/kWh
  cpo_1->>MCA: init · curve 4 pts
  MCA-->>cpo_1: on_init · max 6 kW · wheeling 0.025 INR/kWh · fee 0.01 INR/kWh
  prosumers->>MCA: confirm ×2 · curve 2…3 pts
  cpo_1->>MCA: confirm · curve 4 pts
  Note over MCA: Gate closure, interval 0: market clears at 0.06 INR/kWh
  MCA->>Utility: confirm ×3 · cleared -4…2 kW
  Utility-->>MCA: on_confirm ×3 · cleared -4…2 kW · ACTIVE
  MCA-->>prosumers: on_confirm ×2 · price 0.06 INR/kWh · cleared 2 kW · ACTIVE
  MCA-->>cpo_1: on_confirm · price 0.06 INR/kWh · cleared -4 kW · ACTIVE
  prosumers-xMCA: status · NACK 30022
`;

describe('toMermaid', () => {
  it('writes the collapsed interval-0 flow of the beckn 2.0.0 fixture', () => {
    const d = buildSequenceDiagram(read('beckn-2.0.0', 'messages.ndjson'), {
      interval: 0,
      collapse: true,
      participants,
      acks: read('beckn-2.0.0', 'acks.ndjson'),
    });
    expect(toMermaid(d)).toBe(EXPECTED);
  });

  it('writes the same flow from the DEG draft fixture, with its own participant names', () => {
    const d = buildSequenceDiagram(read('deg-order-draft', 'messages.ndjson'), {
      interval: 0,
      collapse: true,
      acks: read('deg-order-draft', 'acks.ndjson'),
    });
    const text = toMermaid(d);
    expect(text).toContain('  participant cpo_fleet as cpo-fleet\n');
    expect(text).toContain('  MCA-->>prosumers: on_confirm ×2 · price 0.06 INR/kWh · cleared 2 kW · ACTIVE\n');
    expect(text.split('\n').filter((l) => l.includes('->>') || l.includes('-->>') || l.includes('-x'))).toHaveLength(13);
  });

  it('fences for Markdown and can drop numbering', () => {
    const d: Diagram = {
      title: 't',
      lifelines: [
        { id: 'a', label: 'A', role: 'participant', kind: 'x', members: ['a'] },
        { id: 'b', label: 'B', role: 'mca', kind: 'mca', members: ['b'] },
      ],
      steps: [{ type: 'arrow', from: 'b', to: 'a', action: 'on_x', direction: 'callback', count: 2, nackCount: 2, values: [], label: 'on_x ×2', messageIds: ['1', '2'] }],
      messageCount: 2,
      profiles: [],
      diagnostics: [],
    };
    expect(toMermaid(d, { fenced: true, autonumber: false })).toBe(
      '```mermaid\nsequenceDiagram\n  participant a as A\n  participant b as B\n  b--xa: on_x ×2\n```\n',
    );
  });

  it('escapes characters that would break the statement', () => {
    expect(escapeMermaid('a;b #1 <x>\nnext')).toBe('a#59;b #35;1 #60;x#62; next');
  });
});
