import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagram } from './build.js';
import { buildSequenceDiagram } from './build.js';
import { parseNdjson } from './load.js';
import { escapeXml, textWidth, toSvg } from './svg.js';

const read = (file: string): readonly unknown[] => parseNdjson(readFileSync(fileURLToPath(new URL(`./fixtures/beckn-2.0.0/${file}`, import.meta.url)), 'utf8'), file).values;
const messages = read('messages.ndjson');
const acks = read('acks.ndjson');

function twoLanes(label: string): Diagram {
  return {
    title: 'T',
    lifelines: [
      { id: 'a', label: 'A', role: 'participant', kind: 'x', members: ['a'] },
      { id: 'b', label: 'B', role: 'mca', kind: 'mca', members: ['b'] },
    ],
    steps: [{ type: 'arrow', from: 'a', to: 'b', action: 'init', direction: 'request', count: 1, nackCount: 0, values: [], label, messageIds: ['m1'] }],
    messageCount: 1,
    profiles: [],
    diagnostics: [],
  };
}

/** x of the lifelines, read back from the dashed lines. */
function lifelineXs(svg: string): number[] {
  return [...svg.matchAll(/<line x1="([\d.]+)"[^>]*stroke-dasharray="4 4"/g)].map((m) => Number(m[1]));
}

describe('toSvg', () => {
  const d = buildSequenceDiagram(messages, { interval: 0, includeUnscoped: true, collapse: true, acks });
  const svg = toSvg(d, { idPrefix: 'x1' });

  it('draws one group per arrow, lifeline heads top and bottom, and the note', () => {
    const arrowCount = d.steps.filter((s) => s.type === 'arrow').length;
    expect(svg.match(/<g class="arrow"/g)).toHaveLength(arrowCount);
    expect(svg).toContain(`data-arrows="${arrowCount}"`);
    expect(svg.match(/<g data-lifeline=/g)).toHaveLength(2 * d.lifelines.length);
    expect(svg.match(/<g class="note">/g)).toHaveLength(1);
    expect(svg).toContain('Gate closure, interval 0: market clears at 0.06 INR/kWh');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('draws requests solid, callbacks dashed, NACKs with a cross', () => {
    expect(svg).toMatch(/data-action="init"[^]*?<line [^>]*marker-end="url\(#x1-head-req\)"/);
    expect(svg).toMatch(/data-action="on_init"[^]*?<line [^>]*stroke-dasharray="6 4" marker-end="url\(#x1-head-cb\)"/);
    expect(svg).toMatch(/data-action="status"[^]*?marker-end="url\(#x1-cross\)"/);
  });

  it('prefixes every id so several diagrams can share a page', () => {
    const ids = [...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id?.startsWith('x1-')).toBe(true);
  });

  it('is deterministic', () => {
    expect(toSvg(d, { idPrefix: 'x1' })).toBe(svg);
  });

  it('escapes label text', () => {
    const out = toSvg(twoLanes('a<b & "c"'));
    expect(out).toContain('a&#60;b &#38; &#34;c&#34;');
    expect(out).not.toContain('a<b');
    expect(escapeXml(`<&>"'`)).toBe('&#60;&#38;&#62;&#34;&#39;');
  });

  it('spaces lifelines so every label fits between its two ends', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 120 }), (label) => {
        const out = toSvg(twoLanes(label));
        const [xa, xb] = lifelineXs(out);
        expect(xa).toBeDefined();
        expect((xb ?? 0) - (xa ?? 0)).toBeGreaterThanOrEqual(textWidth(label, 13));
      }),
      { numRuns: 60 },
    );
  });

  it('estimates text width monotonically in length', () => {
    expect(textWidth('', 13)).toBe(0);
    expect(textWidth('init · curve 3 pts', 13)).toBeGreaterThan(textWidth('init', 13));
    expect(textWidth('M', 13)).toBeGreaterThan(textWidth('i', 13));
  });
});
