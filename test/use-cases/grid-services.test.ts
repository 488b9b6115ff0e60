import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareGridModes, gridModesMarkdown, heldBack } from '../../src/docs/grid-modes.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { loadScenarioFile } from '../../src/scenario/loader.js';

/**
 * Grid services: the solar street's transformer T001 may take at most 6 kW of reverse flow. Two
 * midday hours, cleared with exact limits, with the utility's policy adders and without grid
 * awareness, same seed.
 */
describe('use case: grid services (scenarios/grid-services.yaml)', async () => {
  const loaded = loadScenarioFile(join(import.meta.dirname, '..', '..', 'scenarios', 'grid-services.yaml'), { overrides: ['start=2026-06-23T05:00:00Z', 'horizonHours=2', 'reports.html=false'] });
  if (!loaded.ok) throw new Error(loaded.errors.map(formatDiagnostic).join('\n'));
  const compared = await compareGridModes(loaded.value);
  if (!compared.ok) throw new Error(compared.errors.map(formatDiagnostic).join('\n'));
  const [exact, policy, none] = compared.value.rows;

  it('breaks the reverse limit without grid awareness', () => {
    expect(none?.mode).toBe('none');
    expect(none?.violations).toBeGreaterThan(0);
    expect(none?.maxReverseKW).toBeGreaterThan(6);
  });

  it('holds every limit with exact grid services on; policy adders, set from a forecast, only mostly', () => {
    expect(exact?.violations).toBe(0);
    expect(exact?.maxReverseKW).toBeLessThanOrEqual(6);
    expect(exact?.maxLoadingPct).toBeLessThanOrEqual(100);
    expect(policy?.violations).toBeLessThan(none?.violations ?? 0);
    expect(policy?.maxReverseKW).toBeLessThan(none?.maxReverseKW ?? 0);
  });

  it('holds the limit in exact mode by a locational price and offsets on the plateau', () => {
    expect(exact?.minNodePricePerKWh).toBeLessThan(exact?.meanPricePerKWh ?? Number.NaN);
    expect(exact?.offsetsKWh).toBeGreaterThan(0);
    expect(none?.offsetsKWh).toBe(0);
  });

  it('tabulates the violations avoided and their cost against the run without grid awareness', () => {
    const table = gridModesMarkdown(compared.value);
    expect(table).toContain(`| exact | ${none?.violations} | `);
    expect(table.split('\n').filter((l) => l.startsWith('| exact') || l.startsWith('| policy') || l.startsWith('| none'))).toHaveLength(5);
  });

  it('costs trade the limits hold back, less with exact limits than with blunt policy adders', () => {
    if (exact === undefined || policy === undefined || none === undefined) throw new Error('three modes');
    const e = heldBack(exact, none);
    const p = heldBack(policy, none);
    expect(e.kWh).toBeGreaterThan(0);
    expect(e.kWh).toBeCloseTo(none.tradedKWh - exact.tradedKWh, 6);
    expect(p.value).toBeGreaterThan(e.value);
    expect(policy.meanPricePerKWh).toBeGreaterThan(exact.meanPricePerKWh);
  });
});
