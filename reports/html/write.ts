import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadReportAssets } from './assets.js';
import { writeFileAtomic } from './files.js';
import type { ReportOptions } from './model.js';
import { buildReportModel } from './model.js';
import { renderReportHtml } from './render.js';
import { readRunFolder } from './run-folder.js';

export interface WriteReportOptions extends ReportOptions {
  /** Where to write; default `<runDir>/report.html`. */
  readonly outFile?: string;
}

/**
 * Reads a run folder and writes its self-contained `report.html` atomically (temp file + rename).
 * Missing files give sections that say "no data in this run"; unreadable lines are listed in the
 * report's Problems section. Rejects only when `runDir` is not a folder or on I/O errors.
 * Same run folder ⇒ byte-identical report.
 */
export async function writeHtmlReport(runDir: string, opts: WriteReportOptions = {}): Promise<void> {
  const info = await stat(runDir);
  if (!info.isDirectory()) throw new Error(`${runDir} is not a run folder`);
  const [run, assets] = await Promise.all([readRunFolder(runDir), loadReportAssets()]);
  const html = renderReportHtml(buildReportModel(run, opts), assets);
  await writeFileAtomic(opts.outFile ?? join(runDir, 'report.html'), html);
}
