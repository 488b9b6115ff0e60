import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { Diagram } from './build.js';
import { buildSequenceDiagram, intervalsInTrace } from './build.js';
import { loadTrace } from './load.js';
import { toMermaid } from './mermaid.js';
import { toSvg } from './svg.js';

/** Output formats of `degsim diagram`: Mermaid text, Mermaid in a Markdown fence, or SVG. */
export const DIAGRAM_FORMATS = ['mermaid', 'markdown', 'svg'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

export interface DiagramRequest {
  readonly format: DiagramFormat;
  readonly interval?: number;
  readonly transactionId?: string;
  readonly includeUnscoped?: boolean;
  readonly collapse?: boolean;
  readonly collapseMinGroup?: number;
  readonly title?: string;
}

export interface RenderedDiagram {
  readonly text: string;
  readonly diagram: Diagram;
  /** Skipped lines and unreadable messages; the diagram was drawn without them. */
  readonly warnings: readonly Diagnostic[];
}

/**
 * Loads the trace of a run folder (or an NDJSON file), selects and draws the diagram in the
 * requested format. Fails when there is no trace or when no message matches the selection (the
 * diagnostic lists the intervals the trace has).
 */
export async function diagramFromRun(path: string, req: DiagramRequest): Promise<Result<RenderedDiagram>> {
  const trace = await loadTrace(path);
  if (!trace.ok) return fail(trace.errors);
  const t = trace.value;
  const diagram = buildSequenceDiagram(t.messages, {
    participants: t.participants,
    acks: t.acks,
    ...(t.clock === undefined ? {} : { clock: t.clock }),
    ...(req.interval === undefined ? {} : { interval: req.interval }),
    ...(req.transactionId === undefined ? {} : { transactionId: req.transactionId }),
    ...(req.includeUnscoped === undefined ? {} : { includeUnscoped: req.includeUnscoped }),
    ...(req.collapse === undefined ? {} : { collapse: req.collapse }),
    ...(req.collapseMinGroup === undefined ? {} : { collapseMinGroup: req.collapseMinGroup }),
    ...(req.title === undefined ? {} : { title: req.title }),
  });
  const warnings = [...t.warnings, ...diagram.diagnostics];
  if (diagram.messageCount === 0) {
    const intervals = intervalsInTrace(t.messages, t.clock);
    const known = intervals.length === 0 ? 'no message names an interval' : `intervals in the trace: ${summarise(intervals)}`;
    return fail([
      ...warnings,
      {
        code: 'diagram.empty',
        path: '',
        message: `no message matches the selection (${t.messages.length} messages read; ${known})`,
      },
    ]);
  }
  const text = req.format === 'svg' ? `${toSvg(diagram)}\n` : toMermaid(diagram, { fenced: req.format === 'markdown' });
  return ok({ text, diagram, warnings }, warnings);
}

/** `0-3, 7, 9-10` for a sorted list of integers. */
function summarise(xs: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < xs.length) {
    let j = i;
    while (j + 1 < xs.length && (xs[j + 1] ?? 0) === (xs[j] ?? 0) + 1) j++;
    parts.push(j === i ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
