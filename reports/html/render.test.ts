import { describe, expect, it } from 'vitest';
import { loadReportAssets } from './assets.js';
import type { ReportModel } from './model.js';
import { escapeHtml, jsonForScript, renderReportHtml, scriptForHtml } from './render.js';

const hostile = '</script><script>alert(1)</script><!--';

const model: ReportModel = {
  title: `degsim report: ${hostile}`,
  subtitle: 'x',
  facts: [{ label: 'seed', value: '1' }],
  price: {
    status: 'ok',
    data: {
      chart: { xKind: 'time', x: [0, 900], yLabel: 'price', decimals: 4, series: [{ label: hostile, values: [1, 1], color: '#000000', style: 'step' }] },
      table: { columns: [{ label: 'node', numeric: false }], rows: [[hostile]] },
    },
  },
  volumes: { status: 'empty', reason: 'No data in this run: clearing.csv was not written.' },
  loading: { status: 'empty', reason: 'none' },
  voltage: { status: 'empty', reason: 'none' },
  dispatch: { status: 'empty', reason: 'none' },
  money: { status: 'empty', reason: 'none' },
  sequence: { status: 'empty', reason: 'none' },
  messages: { status: 'empty', reason: 'none' },
  problems: ['a.csv:3:1: interval: "x" is not a whole number [csv.cell]'],
};

describe('renderReportHtml', () => {
  it('keeps hostile text inert: three script elements only, data escaped, text escaped', async () => {
    const html = renderReportHtml(model, await loadReportAssets());
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).not.toContain('<!--');
    expect(html).toContain('<title>degsim report: &#60;/script&#62;');
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    expect(JSON.parse(json)).toMatchObject({ charts: { price: { series: [{ label: hostile }] } } });
  });

  it('is self-contained: a CSP that forbids network access and no external resources', async () => {
    const html = renderReportHtml(model, await loadReportAssets());
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:;`);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/);
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
    expect(html).toContain('uPlot v1.6.32 (MIT License');
  });

  it('shows the reason for empty sections and lists problems', async () => {
    const html = renderReportHtml(model, await loadReportAssets());
    expect(html).toContain('<div class="empty" data-empty="volumes">No data in this run: clearing.csv was not written.</div>');
    expect(html).toContain('<section class="card" id="problems">');
    expect(html).toContain('<li>a.csv:3:1: interval: &#34;x&#34; is not a whole number [csv.cell]</li>');
  });

  it('is deterministic', async () => {
    const assets = await loadReportAssets();
    expect(renderReportHtml(model, assets)).toBe(renderReportHtml(model, assets));
  });
});

describe('escaping helpers', () => {
  it('escape what would end or confuse an element', () => {
    expect(jsonForScript({ a: '</script>\u2028' })).toBe('{"a":"\\u003c/script>\\u2028"}');
    expect(scriptForHtml('x = "</SCRIPT>"; y = "<!--";')).toBe('x = "<\\/SCRIPT>"; y = "<\\!--";');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
