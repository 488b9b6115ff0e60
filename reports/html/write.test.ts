import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from './write.js';

const fixture = fileURLToPath(new URL('./fixtures/run-small', import.meta.url));

describe('writeHtmlReport', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'degsim-report-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes report.html into the run folder, atomically and byte-identically on a second run', async () => {
    const run = join(dir, 'full');
    await cp(fixture, run, { recursive: true });
    await writeHtmlReport(run);
    const first = await readFile(join(run, 'report.html'), 'utf8');
    await writeHtmlReport(run);
    expect(await readFile(join(run, 'report.html'), 'utf8')).toBe(first);
    expect((await readdir(run)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(first).toContain('<title>degsim report: report-fixture</title>');
    for (const chart of ['price', 'volumes', 'loading', 'voltage', 'money']) expect(first).toContain(`data-chart="${chart}"`);
    expect(first).toContain('data-selectable="dispatch"');
    expect(first).toContain('Gate closure, interval 0: market clears at 0.06 INR/kWh');
    expect(first).not.toContain('data-empty=');
    expect(first).not.toContain('id="problems"');
  });

  it('draws a report for a run folder with most files missing and a broken one', async () => {
    const run = join(dir, 'partial');
    await cp(fixture, run, { recursive: true });
    for (const f of ['flows.csv', 'settlement.csv', 'messages.ndjson', 'acks.ndjson', 'scenario.resolved.json']) await rm(join(run, f));
    await cp(join(fixture, 'summary.json'), join(run, 'dispatch.csv'));
    await writeHtmlReport(run, { outFile: join(dir, 'partial.html') });
    const html = await readFile(join(dir, 'partial.html'), 'utf8');
    for (const id of ['loading', 'voltage', 'money', 'sequence', 'messages']) expect(html).toContain(`data-empty="${id}"`);
    expect(html).toContain('No data in this run: flows.csv was not written.');
    expect(html).toContain('No data in this run: dispatch.csv could not be read (see Problems).');
    expect(html).toContain('[csv.missing-column]');
    expect(html).toContain('data-chart="price"');
  });

  it('rejects a path that is not a folder', async () => {
    await expect(writeHtmlReport(join(fixture, 'summary.json'))).rejects.toThrow(/not a run folder/);
  });
});
