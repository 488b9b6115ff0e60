import type { ChartSpec, Fact, ReportModel, Section, SelectableChartSpec, TableSpec } from './model.js';

/** The scripts and styles inlined into every report, read once from disk by `loadReportAssets`. */
export interface ReportAssets {
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly uplotVersion: string;
  readonly clientJs: string;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` is written as `\u003c`, so no
 * `</script` or `<!--` can end or confuse the element, and U+2028/2029 are escaped too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script source safe inside `<script>`: a `</script` or `<!--` in a string literal is split with a backslash. */
export function scriptForHtml(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Style sheet safe inside `<style>`. */
export function styleForHtml(source: string): string {
  return source.replace(/<\/(style)/gi, '<\\/$1');
}

const CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d0d7de; --bg:#f6f8fa; --card:#ffffff; --accent:#0969da; --good:#1a7f37; --warn:#9a6700; --bad:#cf222e; }
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body { margin:0; font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif; color:var(--fg); background:var(--bg); }
header.top { background:#ffffff; border-bottom:1px solid var(--line); padding:20px 0 14px; }
header.top .wrap, main, nav .wrap, footer { max-width:1180px; margin:0 auto; padding:0 24px; }
h1 { font-size:24px; margin:0 0 2px; font-weight:650; letter-spacing:-0.01em; }
.subtitle { color:var(--muted); margin:0; }
nav { position:sticky; top:0; z-index:5; background:rgba(255,255,255,0.96); border-bottom:1px solid var(--line); }
nav .wrap { display:flex; gap:4px 18px; flex-wrap:wrap; padding-top:8px; padding-bottom:8px; }
nav a { color:var(--accent); text-decoration:none; font-size:13px; }
nav a:hover { text-decoration:underline; }
main { padding-top:20px; padding-bottom:12px; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:18px 22px 20px; margin:0 0 20px; scroll-margin-top:52px; }
section.card > h2 { font-size:18px; margin:0 0 4px; font-weight:620; }
p.lead { color:var(--muted); margin:0 0 12px; max-width:80ch; }
p.note { color:var(--muted); font-size:12.5px; margin:8px 0 0; }
.facts { display:grid; grid-template-columns:repeat(auto-fill, minmax(180px, 1fr)); gap:10px; }
.fact { border:1px solid var(--line); border-left:4px solid var(--line); border-radius:6px; padding:8px 12px; background:#fbfcfd; }
.fact .k { color:var(--muted); font-size:12px; }
.fact .v { font-size:16px; font-weight:600; font-variant-numeric:tabular-nums; overflow-wrap:anywhere; }
.fact.good { border-left-color:var(--good); } .fact.warn { border-left-color:#d4a72c; } .fact.bad { border-left-color:var(--bad); }
.fact.bad .v { color:var(--bad); }
.chart { width:100%; min-height:120px; margin:6px 0 4px; }
.chart-error { color:var(--bad); font-weight:600; }
.picker { display:flex; align-items:center; gap:10px; margin:0 0 6px; font-size:13px; }
.picker select { font:inherit; padding:3px 6px; border:1px solid var(--line); border-radius:6px; background:#fff; max-width:100%; }
.empty { border:1px dashed var(--line); border-radius:6px; padding:14px 16px; color:var(--muted); font-style:italic; background:#fbfcfd; }
.table-wrap { overflow:auto; max-height:380px; margin-top:12px; border:1px solid var(--line); border-radius:6px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { padding:5px 10px; border-bottom:1px solid #eaeef2; text-align:left; white-space:nowrap; }
th { position:sticky; top:0; background:#f6f8fa; font-weight:600; color:#32383f; border-bottom:1px solid var(--line); }
td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
tbody tr:nth-child(even) td { background:#fafbfc; }
.cols { display:grid; grid-template-columns:minmax(0,3fr) minmax(0,2fr); gap:18px; }
@media (max-width: 900px) { .cols { grid-template-columns:minmax(0,1fr); } }
.diagram { overflow:auto; border:1px solid var(--line); border-radius:6px; background:#fff; padding:6px; max-height:900px; }
.diagram svg { display:block; max-width:100%; height:auto; margin:0 auto; }
details { margin-top:10px; }
summary { cursor:pointer; color:var(--accent); font-size:13px; }
pre { background:#f6f8fa; border:1px solid var(--line); border-radius:6px; padding:10px 12px; overflow:auto; font-size:12px; max-height:360px; }
ul.problems { margin:0; padding-left:18px; font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size:12.5px; color:var(--bad); }
footer { color:var(--muted); font-size:12px; padding-bottom:28px; }
.u-legend { font-size:12px; }
.u-legend .u-marker { border-radius:2px; }
@media print { nav { display:none; } section.card { break-inside:avoid; } body { background:#fff; } }
`;

function table(t: TableSpec): string {
  const head = t.columns.map((c) => `<th${c.numeric ? ' class="n"' : ''}>${escapeHtml(c.label)}</th>`).join('');
  const body = t.rows
    .map((r) => `<tr>${r.map((cell, i) => `<td${t.columns[i]?.numeric === true ? ' class="n"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>${t.note === undefined ? '' : `<p class="note">${escapeHtml(t.note)}</p>`}`;
}

function facts(list: readonly Fact[]): string {
  return `<div class="facts">${list
    .map((f) => `<div class="fact${f.tone === undefined ? '' : ` ${f.tone}`}"><div class="k">${escapeHtml(f.label)}</div><div class="v">${escapeHtml(f.value)}</div></div>`)
    .join('')}</div>`;
}

function chart(name: string, label: string): string {
  return `<div class="chart" data-chart="${escapeHtml(name)}" role="img" aria-label="${escapeHtml(label)}"></div>`;
}

function note(text: string | undefined): string {
  return text === undefined ? '' : `<p class="note">${escapeHtml(text)}</p>`;
}

function section<T>(id: string, title: string, lead: string, s: Section<T>, body: (data: T) => string): string {
  const content = s.status === 'ok' ? body(s.data) : `<div class="empty" data-empty="${escapeHtml(id)}">${escapeHtml(s.reason)}</div>`;
  return `<section class="card" id="${escapeHtml(id)}">\n<h2>${escapeHtml(title)}</h2>\n<p class="lead">${escapeHtml(lead)}</p>\n${content}\n</section>`;
}

/** The chart data the browser script reads, by chart name. */
interface EmbeddedData {
  readonly charts: Readonly<Record<string, ChartSpec>>;
  readonly selectable: Readonly<Record<string, SelectableChartSpec>>;
}

function embedded(model: ReportModel): EmbeddedData {
  const charts: Record<string, ChartSpec> = {};
  const selectable: Record<string, SelectableChartSpec> = {};
  if (model.price.status === 'ok') charts['price'] = model.price.data.chart;
  if (model.volumes.status === 'ok') charts['volumes'] = model.volumes.data.chart;
  if (model.loading.status === 'ok') charts['loading'] = model.loading.data.chart;
  if (model.voltage.status === 'ok') charts['voltage'] = model.voltage.data.chart;
  if (model.money.status === 'ok') charts['money'] = model.money.data.chart;
  if (model.dispatch.status === 'ok') selectable['dispatch'] = model.dispatch.data.chart;
  return { charts, selectable };
}

/**
 * Renders the complete, self-contained report page: styles, data (as JSON in a
 * `<script type="application/json">`), uPlot and the page script all inline, and a Content
 * Security Policy that forbids any network request. Pure: same model and assets ⇒ same bytes.
 */
export function renderReportHtml(model: ReportModel, assets: ReportAssets): string {
  const sections: string[] = [];
  sections.push(
    `<section class="card" id="overview">\n<h2>Overview</h2>\n<p class="lead">Key figures of the run, from summary.json and the files below.</p>\n${facts(model.facts)}\n</section>`,
  );
  sections.push(
    section('price', 'Clearing price per node', 'The price at which each interval cleared, at the root market and at every grid node; a node whose limit binds gets its own (locational) price.', model.price, (d) =>
      [chart('price', 'clearing price per node over time'), note(d.note), table(d.table)].join('\n'),
    ),
  );
  sections.push(
    section('volumes', 'Cleared volumes', 'Power cleared at the root in each interval: supply (export) against demand (import). They match when the market clears inside its price limits.', model.volumes, (d) =>
      [chart('volumes', 'cleared supply and demand over time'), table(d.table)].join('\n'),
    ),
  );
  sections.push(
    section('loading', 'Transformer loading against limits', 'Loading of each transformer and feeder head in percent of its limit; above the red line the limit is violated.', model.loading, (d) =>
      [chart('loading', 'transformer loading in percent of limit'), note(d.note), table(d.table)].join('\n'),
    ),
  );
  sections.push(
    section('voltage', 'Voltage band', 'Lowest and highest bus voltage in each interval against the ±5 % (amber) and ±10 % (red) limits.', model.voltage, (d) =>
      [chart('voltage', 'minimum and maximum bus voltage over time'), table(d.table)].join('\n'),
    ),
  );
  sections.push(
    section('dispatch', 'Dispatch per participant', 'What each participant offered (grey band), what cleared, and what its meter recorded. Pick a participant.', model.dispatch, (d) =>
      [
        `<div class="picker"><label for="pick-dispatch">Participant</label><select id="pick-dispatch" data-select-for="dispatch" aria-label="participant"></select></div>`,
        `<div class="chart" data-selectable="dispatch" role="img" aria-label="cleared and actual power of one participant"></div>`,
        note(`${d.chart.choices.length} participants.`),
        table(d.table),
      ].join('\n'),
    ),
  );
  sections.push(
    section('money', 'Money flows', 'Settlement ledger: who paid whom, by kind, and each party’s net position (received − paid). Every line moves money between two parties, so net positions sum to zero.', model.money, (d) =>
      [
        chart('money', 'net position by party'),
        note(d.note),
        `<div class="cols"><div>${table(d.flows)}</div><div>${table(d.net)}</div></div>`,
        facts([d.balance]),
      ].join('\n'),
    ),
  );
  sections.push(
    section('sequence', 'Message sequence of one interval', 'The protocol messages of one delivery interval, drawn from messages.ndjson.', model.sequence, (d) =>
      [
        `<p class="note">${escapeHtml(d.caption)}</p>`,
        `<div class="diagram">${d.svg}</div>`,
        `<details><summary>Mermaid source (renders on GitHub)</summary><pre>${escapeHtml(d.mermaid)}</pre></details>`,
      ].join('\n'),
    ),
  );
  sections.push(
    section('messages', 'Messages and acknowledgements', 'Messages delivered by action, and every NACK with its error.', model.messages, (d) =>
      [table(d.byAction), d.nacks === undefined ? '' : `<h3>NACKs</h3>${table(d.nacks)}`].join('\n'),
    ),
  );
  if (model.problems.length > 0) {
    sections.push(
      `<section class="card" id="problems">\n<h2>Problems reading this run</h2>\n<p class="lead">Lines or files that were skipped; the rest of the report is drawn without them.</p>\n<ul class="problems">${model.problems
        .map((p) => `<li>${escapeHtml(p)}</li>`)
        .join('')}</ul>\n</section>`,
    );
  }
  const navItems: [string, string][] = [
    ['overview', 'Overview'],
    ['price', 'Price'],
    ['volumes', 'Volumes'],
    ['loading', 'Loading'],
    ['voltage', 'Voltage'],
    ['dispatch', 'Dispatch'],
    ['money', 'Money'],
    ['sequence', 'Sequence'],
    ['messages', 'Messages'],
    ...(model.problems.length > 0 ? ([['problems', 'Problems']] as [string, string][]) : []),
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    '<meta name="generator" content="degsim">',
    `<title>${escapeHtml(model.title)}</title>`,
    `<style>/* uPlot ${escapeHtml(assets.uplotVersion)} (MIT License, Leon Sorokin) */\n${styleForHtml(assets.uplotCss)}</style>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<header class="top"><div class="wrap"><h1>${escapeHtml(model.title)}</h1><p class="subtitle">${escapeHtml(model.subtitle)}</p></div></header>`,
    `<nav aria-label="sections"><div class="wrap">${navItems.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</div></nav>`,
    '<main>',
    ...sections,
    '</main>',
    `<footer>Written by degsim from the files of this run folder. Works offline: all data, styles and scripts are in this file. Charts drawn with uPlot ${escapeHtml(assets.uplotVersion)} (MIT). Times are UTC.</footer>`,
    `<script type="application/json" id="report-data">${jsonForScript(embedded(model))}</script>`,
    `<script>${scriptForHtml(assets.uplotJs)}</script>`,
    `<script>${scriptForHtml(assets.clientJs)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
