import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diagramFromRun } from '../../../reports/diagram/from-run.js';
import { register } from './diagram.js';
import { runCommand, type CommandOutput } from '../test-support/run-command.js';

const runDir = fileURLToPath(new URL('../../../reports/diagram/fixtures/beckn-2.0.0', import.meta.url));

/** Runs `degsim diagram …` in-process and captures what it prints and its exit code. */
const cli = (args: readonly string[]): Promise<CommandOutput> => runCommand(register, 'diagram', args);

describe('diagramFromRun', () => {
  it('renders Mermaid, Markdown and SVG from a run folder', async () => {
    const m = await diagramFromRun(runDir, { format: 'mermaid', interval: 0, collapse: true });
    expect(m.ok && m.value.text.startsWith('sequenceDiagram\n  autonumber\n  participant prosumers as prosumers ×2\n')).toBe(true);
    const md = await diagramFromRun(runDir, { format: 'markdown', transactionId: 'txn-i0-cpo-1' });
    expect(md.ok && md.value.text).toBe(
      [
        '```mermaid',
        'sequenceDiagram',
        '  autonumber',
        '  participant cpo_1 as cpo-1',
        '  participant MCA as MCA',
        '  cpo_1->>MCA: init · curve 4 pts',
        '  MCA-->>cpo_1: on_init · max 6 kW · wheeling 0.025 INR/kWh · fee 0.01 INR/kWh',
        '  cpo_1->>MCA: confirm · curve 4 pts',
        '  Note over MCA: Gate closure, interval 0: market clears at 0.06 INR/kWh',
        '  MCA-->>cpo_1: on_confirm · price 0.06 INR/kWh · cleared -4 kW · ACTIVE',
        '```',
        '',
      ].join('\n'),
    );
    const svg = await diagramFromRun(runDir, { format: 'svg', interval: 1 });
    expect(svg.ok && svg.value.text).toMatch(/^<svg [^]*data-arrows="2"[^]*<\/svg>\n$/);
  });

  it('fails when nothing matches, naming the intervals the trace has', async () => {
    const r = await diagramFromRun(runDir, { format: 'mermaid', interval: 9 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.at(-1)).toMatchObject({ code: 'diagram.empty', message: 'no message matches the selection (29 messages read; intervals in the trace: 0-1)' });
  });
});

describe('degsim diagram', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'degsim-diagram-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('prints Mermaid to standard output and exits 0', async () => {
    const r = await cli([runDir, '--interval', '0', '--collapse']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('  Note over MCA: Gate closure, interval 0: market clears at 0.06 INR/kWh\n');
  });

  it('writes SVG to a file', async () => {
    const file = join(dir, 'i0.svg');
    const r = await cli([runDir, '-i', '0', '-c', '-f', 'svg', '-o', file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`wrote ${file}: 25 messages, 13 arrows, 4 lifelines\n`);
    expect(await readFile(file, 'utf8')).toMatch(/^<svg /);
  });

  it('exits 2 on bad option values and 1 when there is no trace', async () => {
    expect((await cli([runDir, '--format', 'png'])).code).toBe(2);
    expect((await cli([runDir, '--interval', '-1'])).code).toBe(2);
    expect((await cli([runDir, '--interval', 'x'])).code).toBe(2);
    expect((await cli([runDir, '--collapse-min', '1'])).code).toBe(2);
    const missing = await cli([join(dir, 'no-such-run')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no such run folder or trace file [trace.not-found]');
  });
});
