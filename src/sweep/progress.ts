import type { SweepProgress } from './sweep.js';

/** A one-line progress bar with ETA for sweeps, drawn on a terminal only. */

/** `m:ss` or `h:mm:ss` of a duration in milliseconds. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The progress line: bar, done/total, percent, elapsed, ETA (elapsed per finished run × runs
 * left; unknown until one run finished) and failures.
 */
export function formatProgressLine(p: SweepProgress, width = 24): string {
  const frac = p.total === 0 ? 1 : p.done / p.total;
  const filled = Math.round(frac * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  const eta = p.done === 0 ? '?' : formatDuration((p.elapsedMs / p.done) * (p.total - p.done));
  const failed = p.failed > 0 ? `  failed ${p.failed}` : '';
  return `[${bar}] ${p.done}/${p.total} ${String(Math.floor(frac * 100)).padStart(3)}%  elapsed ${formatDuration(p.elapsedMs)}  ETA ${eta}${failed}`;
}

/** Something that can show a line on a terminal (a TTY write stream). */
export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

/** Draws progress in place on `sink` when it is a TTY (at most ten times a second); silent otherwise. */
export class ProgressBar {
  private last = -Infinity;
  private shown = false;

  constructor(private readonly sink: ProgressSink, private readonly now: () => number) {}

  /** Redraws the line (throttled, except for the final update). */
  update(p: SweepProgress): void {
    if (this.sink.isTTY !== true) return;
    const t = this.now();
    if (t - this.last < 100 && p.done < p.total) return;
    this.last = t;
    this.sink.write(`\r${formatProgressLine(p)}\u001b[K`);
    this.shown = true;
  }

  /** Clears the line so a message can be printed, e.g. a failed run. */
  clear(): void {
    if (this.shown) this.sink.write('\r\u001b[K');
    this.shown = false;
    this.last = -Infinity;
  }

  /** Ends the bar with a newline. */
  finish(): void {
    if (this.shown) this.sink.write('\n');
    this.shown = false;
  }
}
