import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from './write.js';

/**
 * Opens report.html in Debian's Chromium, headless, and checks that it renders offline with no
 * console errors and that every chart has data. Installs: `bash scripts/chromium.sh`. Skipped
 * (with a printed reason) only when Chromium is absent and CI is not set; in CI it must run.
 */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const skip = !available && process.env['CI'] === undefined;
if (skip) console.log(`report.browser.test: skipped, ${CHROMIUM} is absent (install it with: bash scripts/chromium.sh)`);

const fixture = fileURLToPath(new URL('./fixtures/run-small', import.meta.url));
const artifacts = resolve(fileURLToPath(new URL('../../test-artifacts', import.meta.url)));

/**
 * `--headless` and `--user-data-dir` are the launch options `headless` and the persistent
 * context's folder (Playwright refuses them as raw arguments); the rest go as they are.
 */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface PageLog {
  readonly errors: string[];
  readonly requests: string[];
}

async function open(context: BrowserContext, file: string): Promise<{ readonly page: Page; readonly log: PageLog }> {
  const page = await context.newPage();
  const log: PageLog = { errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('request', (r) => log.requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  return { page, log };
}

/** Every chart container with its drawn value count and canvas size. */
function charts(page: Page): Promise<{ readonly name: string; readonly points: number; readonly width: number; readonly height: number }[]> {
  return page.$$eval('.chart', (els) =>
    els.map((el) => {
      const canvas = el.querySelector('canvas');
      return {
        name: el.getAttribute('data-chart') ?? el.getAttribute('data-selectable') ?? '?',
        points: Number(el.getAttribute('data-points') ?? '0'),
        width: canvas?.width ?? 0,
        height: canvas?.height ?? 0,
      };
    }),
  );
}

describe.skipIf(skip)('report.html in headless Chromium', () => {
  let work = '';
  let context: BrowserContext;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'degsim-browser-'));
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
      offline: true,
    });
  });

  afterAll(async () => {
    await context?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('renders every chart with data, no console errors and no network requests', async () => {
    const run = join(work, 'full');
    await cp(fixture, run, { recursive: true });
    await writeHtmlReport(run);
    const { page, log } = await open(context, join(run, 'report.html'));

    const drawn = await charts(page);
    expect(drawn.map((c) => c.name)).toEqual(['price', 'volumes', 'loading', 'voltage', 'dispatch', 'money']);
    for (const c of drawn) {
      expect(c.points, c.name).toBeGreaterThan(0);
      expect(c.width, c.name).toBeGreaterThan(300);
      expect(c.height, c.name).toBeGreaterThan(100);
    }
    expect(await page.$$('[data-empty]')).toHaveLength(0);
    const arrows = await page.$eval('#sequence svg', (svg) => Number(svg.getAttribute('data-arrows')));
    expect(arrows).toBeGreaterThan(10);

    // Another participant redraws the dispatch chart with its own data.
    const options = await page.$$eval('#pick-dispatch option', (os) => os.map((o) => o.textContent));
    expect(options).toEqual(['battery-1 (battery, tx-2)', 'cpo-1 (cpo, tx-2)', 'prosumer-1 (prosumer, tx-1)', 'prosumer-2 (prosumer, tx-1)']);
    await page.selectOption('#pick-dispatch', { label: 'prosumer-2 (prosumer, tx-1)' });
    const legend = await page.$eval('[data-selectable="dispatch"]', (el) => el.getAttribute('data-points'));
    expect(Number(legend)).toBe(36);

    expect(log.errors).toEqual([]);
    expect(log.requests.filter((u) => !u.startsWith('file:'))).toEqual([]);

    await mkdir(artifacts, { recursive: true });
    await page.selectOption('#pick-dispatch', { label: 'cpo-1 (cpo, tx-2)' });
    await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
    await page.close();
  });

  it('renders a run with missing files: "no data" sections, still no console errors', async () => {
    const run = join(work, 'partial');
    await cp(fixture, run, { recursive: true });
    for (const f of ['flows.csv', 'settlement.csv', 'messages.ndjson', 'acks.ndjson']) await rm(join(run, f));
    await writeHtmlReport(run);
    const { page, log } = await open(context, join(run, 'report.html'));
    const drawn = await charts(page);
    expect(drawn.map((c) => c.name)).toEqual(['price', 'volumes', 'dispatch']);
    for (const c of drawn) expect(c.points, c.name).toBeGreaterThan(0);
    const empty = await page.$$eval('[data-empty]', (els) => els.map((e) => e.getAttribute('data-empty')));
    expect(empty).toEqual(['loading', 'voltage', 'money', 'sequence', 'messages']);
    expect(log.errors).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'report-partial.png'), fullPage: false });
    await page.close();
  });
});
