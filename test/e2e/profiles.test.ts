import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../src/run/run.js';
import { compareRuns } from '../../src/compare/compare.js';

const scenario = join(import.meta.dirname, '..', '..', 'scenarios', 'default.yaml');
const slice = ['horizonHours=1', 'start=2026-06-21T06:30:00Z', 'reports.html=false'];
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'degsim-profiles-'));
  for (const [name, extra] of [
    ['beckn', []],
    ['order', ['protocol.profile=deg-order-draft']],
    ['fee', ['market.feePerKWh=0.3']],
  ] as const) {
    const r = await runScenario({ scenarioPath: scenario, overrides: [...slice, ...extra], outDir: join(dir, name) });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  }
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('regression testing real runs with degsim compare', () => {
  it('the same scenario under beckn-2.0.0 and deg-order-draft: envelopes differ, money and power are identical', () => {
    const plain = compareRuns(join(dir, 'beckn'), join(dir, 'order'));
    if (!plain.ok) throw new Error('compare failed');
    expect(plain.value.equal).toBe(false);
    const content = compareRuns(join(dir, 'beckn'), join(dir, 'order'), { ignoreEnvelope: true, ignore: ['summary.json.profile'] });
    if (!content.ok) throw new Error('compare failed');
    for (const t of content.value.tables) expect(t.status, t.file).toBe('equal');
  });

  it('a changed fee changes money, not the shape of the trace', () => {
    const r = compareRuns(join(dir, 'beckn'), join(dir, 'fee'));
    if (!r.ok) throw new Error('compare failed');
    expect(r.value.equal).toBe(false);
    expect(r.value.tables.find((t) => t.file === 'settlement.csv')?.status).toBe('different');
    const actions = r.value.trace?.actions ?? [];
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) expect(a.shapeChanged, a.action).toBe(0);
    expect(actions.some((a) => a.valuesChanged > 0)).toBe(true);
  });

  it('a run against itself is equal', () => {
    const r = compareRuns(join(dir, 'beckn'), join(dir, 'beckn'));
    expect(r.ok && r.value.equal).toBe(true);
  });
});
