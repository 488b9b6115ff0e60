import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockFrom, loadTrace, parseNdjson } from './load.js';

const becknDir = fileURLToPath(new URL('./fixtures/beckn-2.0.0', import.meta.url));

describe('parseNdjson', () => {
  it('reads one value per line, skips blank lines and reports bad ones by line number', () => {
    const r = parseNdjson('{"a":1}\n\n[2]\n{oops\n3\n', 'trace.ndjson');
    expect(r.values).toEqual([{ a: 1 }, [2], 3]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'ndjson.syntax', file: 'trace.ndjson', line: 4 });
  });
});

describe('clockFrom', () => {
  it('takes start and intervalMinutes from the summary, else from the scenario', () => {
    expect(clockFrom({ start: '2025-06-01T10:00:00Z', intervalMinutes: 15 })).toEqual({ start: '2025-06-01T10:00:00Z', intervalMinutes: 15 });
    expect(clockFrom(undefined, { clock: { start: 's', intervalMinutes: 5 } })).toEqual({ start: 's', intervalMinutes: 5 });
    expect(clockFrom({ start: 's', intervalMinutes: 0 }, {})).toBeUndefined();
  });
});

describe('loadTrace', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'degsim-trace-'));
    await writeFile(join(dir, 'messages.ndjson'), '{"context":{"action":"init","bap_id":"a","bpp_id":"b","transaction_id":"t","message_id":"m"}}\nnot json\n');
    await writeFile(join(dir, 'scenario.resolved.json'), '{ broken');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a run folder with its side files', async () => {
    const r = await loadTrace(becknDir);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.messages).toHaveLength(29);
    expect(r.value.acks).toHaveLength(29);
    expect(r.value.participants.map((p) => p.id)).toEqual(['prosumer-1', 'prosumer-2', 'cpo-1']);
    expect(r.value.clock).toEqual({ start: '2025-06-01T10:00:00Z', intervalMinutes: 15 });
    expect(r.value.warnings).toEqual([]);
  });

  it('reads a trace file and the side files beside it', async () => {
    const r = await loadTrace(join(becknDir, 'messages.ndjson'));
    expect(r.ok && r.value.acks.length).toBe(29);
  });

  it('keeps going past bad lines and a broken scenario, as warnings', async () => {
    const r = await loadTrace(dir);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.messages).toHaveLength(1);
    expect(r.value.warnings.map((w) => [w.code, w.line])).toEqual([
      ['ndjson.syntax', 2],
      ['json.syntax', undefined],
    ]);
    expect(r.value.participants).toEqual([]);
  });

  it('fails with a diagnostic when there is no trace', async () => {
    const missing = await loadTrace(join(dir, 'nope'));
    expect(missing).toMatchObject({ ok: false, errors: [{ code: 'trace.not-found' }] });
    const noMessages = await loadTrace(fileURLToPath(new URL('./fixtures', import.meta.url)));
    expect(noMessages).toMatchObject({ ok: false, errors: [{ code: 'trace.no-messages' }] });
  });
});
