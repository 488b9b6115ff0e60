import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRuns, type CompareOptions, type CompareReport } from './compare.js';
import { formatCompareJson, formatCompareMarkdown } from './format.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const run = (name: string): string => join(fixtures, name);
const tmp = mkdtempSync(join(tmpdir(), 'degsim-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function compare(a: string, b: string, opts: CompareOptions = {}): CompareReport {
  const r = compareRuns(a, b, opts);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

describe('compare: the same scenario under beckn-2.0.0 and deg-order-draft', () => {
  it('money and power are identical; only the envelopes differ, in shape', () => {
    const r = compare(run('beckn'), run('order'));
    expect(r.equal).toBe(false);
    expect(r.tables.map((t) => [t.file, t.status])).toEqual([
      ['clearing.csv', 'equal'],
      ['dispatch.csv', 'equal'],
      ['flows.csv', 'equal'],
      ['settlement.csv', 'equal'],
    ]);
    expect(r.summary.differences).toEqual([{ path: 'profile', kind: 'changed', a: 'beckn-2.0.0', b: 'deg-order-draft' }]);
    const tr = r.trace;
    expect(tr?.actions.map((a) => [a.action, a.aligned, a.shapeChanged, a.valuesChanged])).toEqual([
      ['confirm', 1, 1, 0],
      ['init', 2, 2, 0],
      ['on_confirm', 1, 1, 0],
      ['on_init', 2, 2, 0],
    ]);
    // the messages align although their contexts are spelled differently
    expect([tr?.missing.length, tr?.added.length, tr?.changed.length]).toEqual([0, 0, 6]);
    const paths = tr?.changed[0]?.differences.map((d) => `${d.kind} ${d.path}`) ?? [];
    expect(paths).toContain('removed context.bapId');
    expect(paths).toContain('added context.bap_id');
    expect(paths).toContain('removed message.contract');
    expect(paths).toContain('added message.order');
  });

  it('with --ignore-envelope the two runs are equal', () => {
    const r = compare(run('beckn'), run('order'), { ignoreEnvelope: true });
    expect(r.equal).toBe(true);
    expect(r.trace?.content).toBe('domain');
    expect(r.trace?.actions.reduce((n, a) => n + a.aligned, 0)).toBe(6);
  });
});

describe('compare: a changed fee', () => {
  const r = compare(run('beckn'), run('fee'));

  it('money differs: fee lines and totals, nothing else', () => {
    expect(r.equal).toBe(false);
    const settlement = r.tables.find((t) => t.file === 'settlement.csv');
    expect(settlement?.status).toBe('different');
    expect(r.tables.filter((t) => t.status !== 'equal').map((t) => t.file)).toEqual(['settlement.csv']);
    expect(new Set(settlement?.changed.map((c) => c.key.split(', ')[2]))).toEqual(new Set(['kind=fee']));
    expect(settlement?.changed.find((c) => c.column === 'amount')).toEqual({
      key: 'interval=0, contractId=c-prosumer-1-0, kind=fee, payer=prosumer-1, payee=mca',
      column: 'amount',
      a: '0.010000',
      b: '0.020000',
      delta: 0.01,
    });
    // fee: (1 + 1 + 0.75 + 0.75) kWh × 0.01 more
    expect(settlement?.totals.filter((t) => !t.equal)).toEqual([
      { column: 'amount', a: 1.3575, b: 1.3925, delta: 0.035, equal: false },
      { column: 'amount', group: 'kind=fee', a: 0.035, b: 0.07, delta: 0.035, equal: false },
    ]);
  });

  it('the trace changes values, not shape', () => {
    const tr = r.trace;
    expect(tr?.actions.every((a) => a.shapeChanged === 0 && a.valuesChanged === a.aligned)).toBe(true);
    expect(tr?.changed.flatMap((m) => m.differences.map((d) => d.path))).toEqual(Array(6).fill('message.contract.contractAttributes.roles[0].roleInputs.feePerKWh'));
  });

  it('ignoring the fee in the trace and the money columns makes the runs equal', () => {
    const eq = compare(run('beckn'), run('fee'), {
      ignore: ['message.contract.contractAttributes.roles[*].roleInputs.feePerKWh', 'settlement.csv.amount', 'settlement.csv.ratePerUnit'],
    });
    expect(eq.equal).toBe(true);
  });

  it('a tolerance of 0.011 absorbs the 0.01 changes but not the 0.035 totals', () => {
    const loose = compare(run('beckn'), run('fee'), { tol: 0.011 });
    const settlement = loose.tables.find((t) => t.file === 'settlement.csv');
    expect(settlement?.changed).toEqual([]);
    expect(settlement?.totals.filter((t) => !t.equal).map((t) => t.group ?? 'all')).toEqual(['all', 'kind=fee']);
  });
});

describe('compare: a run against itself', () => {
  it('is equal, in both report formats', () => {
    const r = compare(run('beckn'), run('beckn'));
    expect(r.equal).toBe(true);
    expect(formatCompareMarkdown(r)).toContain('**Equal.**');
    expect((JSON.parse(formatCompareJson(r)) as { equal: boolean }).equal).toBe(true);
  });
});

describe('compare: messages and rows present in one run only', () => {
  it('reports a dropped message as missing, a NACK as an ack difference, and a dropped file', () => {
    const b = join(tmp, 'dropped');
    cpSync(run('beckn'), b, { recursive: true });
    const lines = readFileSync(join(b, 'messages.ndjson'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(b, 'messages.ndjson'), `${lines.filter((_, i) => i !== 1).join('\n')}\n`);
    const acks = readFileSync(join(b, 'acks.ndjson'), 'utf8').replace('"msg-002","action":"init","from":"mca","to":"utility","ack":"ACK"', '"msg-002","action":"init","from":"mca","to":"utility","ack":"NACK"');
    writeFileSync(join(b, 'acks.ndjson'), acks);
    rmSync(join(b, 'flows.csv'));
    const r = compare(run('beckn'), b);
    expect(r.trace?.missing.map((m) => [m.line, m.key.action, m.key.sender, m.key.receiver, m.key.interval])).toEqual([[2, 'init', 'mca', 'utility', 0]]);
    expect(r.trace?.changed).toEqual([]);
    expect(r.trace?.acks).toEqual([
      { action: 'init', ack: 'ACK', a: 2, b: 1 },
      { action: 'init', ack: 'NACK', a: 0, b: 1 },
    ]);
    expect(r.tables.find((t) => t.file === 'flows.csv')?.status).toBe('only-in-a');
    const md = formatCompareMarkdown(r);
    expect(md).toContain('Messages only in A (1):');
    expect(md).toContain('| 2 | interval 0 · txn-0-utility · init · mca → utility |');
  });

  it('fails with diagnostics for a missing folder or a bad pattern, not with a report', () => {
    const r = compareRuns(run('beckn'), join(tmp, 'nope'), { ignore: ['a[x]'] });
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['compare.folder', 'compare.ignore.syntax']);
  });
});
