import type { CompareReport } from './compare.js';
import type { JsonDifference } from './json-diff.js';
import { formatKey } from './trace-diff.js';

/** The compare report as JSON (for CI and scripts) and as Markdown (for people and PR comments). */

/** The whole report as pretty-printed JSON, keys in a fixed order. */
export function formatCompareJson(report: CompareReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A value for a table cell: JSON text, shortened to `max` characters. */
export function shortValue(v: unknown, max = 60): string {
  if (v === undefined) return '';
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function listed<T>(items: readonly T[], max: number, line: (x: T) => string, out: string[]): void {
  for (const x of items.slice(0, max)) out.push(line(x));
  if (items.length > max) out.push(`| … ${items.length - max} more (see --format json) |`);
}

function diffRows(diffs: readonly JsonDifference[], max: number, out: string[]): void {
  out.push('| path | change | A | B |', '|---|---|---|---|');
  listed(diffs, max, (d) => `| \`${cell(d.path)}\` | ${d.kind} | ${cell(shortValue(d.a))} | ${cell(shortValue(d.b))} |`, out);
}

/** The report as Markdown; each list shows at most `maxItems` entries. */
export function formatCompareMarkdown(report: CompareReport, maxItems = 20): string {
  const out: string[] = [];
  out.push(`# Compare \`${report.runA}\` ↔ \`${report.runB}\``, '');
  const opts = report.options;
  out.push(
    `**${report.equal ? 'Equal' : 'Different'}.** Tolerance ${opts.tol}${opts.relTol > 0 ? ` (relative ${opts.relTol})` : ''}` +
      `${opts.ignore.length > 0 ? `; ignoring ${opts.ignore.map((p) => `\`${p}\``).join(', ')}` : ''}` +
      `${opts.ignoreEnvelope ? '; messages compared on domain content only (--ignore-envelope)' : ''}.`,
    '',
  );

  out.push('## Tables', '', '| file | rows A | rows B | missing | added | changed cells | totals | result |', '|---|---|---|---|---|---|---|---|');
  for (const t of report.tables) {
    const totals = t.totals.length === 0 ? '—' : t.totals.every((x) => x.equal) ? 'equal' : `${t.totals.filter((x) => !x.equal).length} differ`;
    out.push(`| ${t.file} | ${t.rowsA} | ${t.rowsB} | ${t.missing.length} | ${t.added.length} | ${t.changed.length} | ${totals} | ${t.status} |`);
  }
  for (const t of report.tables) {
    if (t.status === 'equal') continue;
    out.push('', `### ${t.file}`, '');
    if (t.status === 'only-in-a' || t.status === 'only-in-b') {
      out.push(`Only run ${t.status === 'only-in-a' ? 'A' : 'B'} has this file.`);
      continue;
    }
    out.push(`Rows matched by ${t.keyColumns.length > 0 ? t.keyColumns.map((k) => `\`${k}\``).join(', ') : 'row number'}.`);
    if (t.columnsOnlyInA.length > 0) out.push('', `Columns only in A: ${t.columnsOnlyInA.map((c) => `\`${c}\``).join(', ')}`);
    if (t.columnsOnlyInB.length > 0) out.push('', `Columns only in B: ${t.columnsOnlyInB.map((c) => `\`${c}\``).join(', ')}`);
    const bad = t.totals.filter((x) => !x.equal);
    if (bad.length > 0) {
      out.push('', '| total | A | B | B − A |', '|---|---|---|---|');
      for (const x of bad) out.push(`| ${x.column}${x.group === undefined ? '' : ` (${x.group})`} | ${x.a} | ${x.b} | ${x.delta} |`);
    }
    if (t.changed.length > 0) {
      out.push('', `Changed cells (${t.changed.length}):`, '', '| row | column | A | B | B − A |', '|---|---|---|---|---|');
      listed(t.changed, maxItems, (c) => `| ${cell(c.key)} | ${c.column} | ${cell(c.a)} | ${cell(c.b)} | ${c.delta ?? ''} |`, out);
    }
    if (t.missing.length > 0) {
      out.push('', `Rows only in A (${t.missing.length}):`, '', '| row |', '|---|');
      listed(t.missing, maxItems, (k) => `| ${cell(k)} |`, out);
    }
    if (t.added.length > 0) {
      out.push('', `Rows only in B (${t.added.length}):`, '', '| row |', '|---|');
      listed(t.added, maxItems, (k) => `| ${cell(k)} |`, out);
    }
  }

  out.push('', '## summary.json', '');
  if (report.summary.status === 'absent') out.push('Neither run has a summary.json.');
  else if (report.summary.status === 'equal') out.push('Equal.');
  else diffRows(report.summary.differences, maxItems, out);

  const tr = report.trace;
  out.push('', '## Trace (messages.ndjson)', '');
  if (tr === undefined) {
    out.push('Neither run has a messages.ndjson.');
    return `${out.join('\n')}\n`;
  }
  const aligned = tr.actions.reduce((n, a) => n + a.aligned, 0);
  out.push(
    `Messages: A ${tr.messagesA}, B ${tr.messagesB}; aligned ${aligned}, changed ${tr.changed.length}, only in A ${tr.missing.length}, only in B ${tr.added.length}. ` +
      `Compared ${tr.content === 'domain' ? 'domain content only' : 'whole messages'}.`,
    '',
  );
  const shape = tr.actions.filter((a) => a.shapeChanged > 0).map((a) => a.action);
  const values = tr.actions.filter((a) => a.shapeChanged === 0 && a.valuesChanged > 0).map((a) => a.action);
  const moved = tr.actions.filter((a) => a.missing > 0 || a.added > 0).map((a) => a.action);
  out.push(`- actions whose shape changed: ${shape.length === 0 ? 'none' : shape.join(', ')}`);
  out.push(`- actions whose values changed (same shape): ${values.length === 0 ? 'none' : values.join(', ')}`);
  out.push(`- actions with messages only in one run: ${moved.length === 0 ? 'none' : moved.join(', ')}`, '');
  out.push('| action | A | B | aligned | shape changed | values changed | only in A | only in B |', '|---|---|---|---|---|---|---|---|');
  for (const a of tr.actions) out.push(`| ${a.action} | ${a.countA} | ${a.countB} | ${a.aligned} | ${a.shapeChanged} | ${a.valuesChanged} | ${a.missing} | ${a.added} |`);
  if (tr.acks.length > 0) {
    out.push('', 'Acknowledgements that differ (acks.ndjson):', '', '| action | answer | A | B |', '|---|---|---|---|');
    for (const k of tr.acks) out.push(`| ${k.action} | ${k.ack} | ${k.a} | ${k.b} |`);
  }
  for (const m of tr.changed.slice(0, maxItems)) {
    out.push('', `### ${cell(formatKey(m.key))} (lines ${m.lineA} ↔ ${m.lineB}${m.shapeChanged ? ', shape changed' : ''})`, '');
    diffRows(m.differences, maxItems, out);
  }
  if (tr.changed.length > maxItems) out.push('', `… ${tr.changed.length - maxItems} more changed messages (see --format json).`);
  if (tr.missing.length > 0) {
    out.push('', `Messages only in A (${tr.missing.length}):`, '', '| line | message |', '|---|---|');
    listed(tr.missing, maxItems, (m) => `| ${m.line} | ${cell(formatKey(m.key))} |`, out);
  }
  if (tr.added.length > 0) {
    out.push('', `Messages only in B (${tr.added.length}):`, '', '| line | message |', '|---|---|');
    listed(tr.added, maxItems, (m) => `| ${m.line} | ${cell(formatKey(m.key))} |`, out);
  }
  return `${out.join('\n')}\n`;
}
