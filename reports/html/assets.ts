import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNotFound } from './files.js';
import type { ReportAssets } from './render.js';

const CLIENT = join('reports', 'html', 'client', 'report-client.js');

/**
 * The browser script's path: beside this module when run from source, else under the package
 * root (the compiled module lives in `dist/`, the script stays in `reports/html/client/`).
 */
async function readClientScript(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'client', 'report-client.js')];
  for (let dir = here, i = 0; i < 6; i++, dir = dirname(dir)) candidates.push(join(dir, CLIENT));
  for (const file of candidates) {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  throw new Error(`report page script not found; looked in ${candidates.join(', ')}`);
}

let cached: Promise<ReportAssets> | undefined;

/**
 * Reads what every report inlines: uPlot's minified IIFE build and its style sheet from
 * `node_modules/uplot`, and the page script. Read once per process.
 */
export function loadReportAssets(): Promise<ReportAssets> {
  cached ??= (async () => {
    const require = createRequire(import.meta.url);
    const pkgFile = require.resolve('uplot/package.json');
    const root = dirname(pkgFile);
    const pkg = JSON.parse(await readFile(pkgFile, 'utf8')) as { readonly version?: unknown };
    const [uplotJs, uplotCss, clientJs] = await Promise.all([
      readFile(join(root, 'dist', 'uPlot.iife.min.js'), 'utf8'),
      readFile(join(root, 'dist', 'uPlot.min.css'), 'utf8'),
      readClientScript(),
    ]);
    return { uplotJs, uplotCss, clientJs, uplotVersion: typeof pkg.version === 'string' ? `v${pkg.version}` : '' };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
