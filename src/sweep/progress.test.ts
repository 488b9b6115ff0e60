import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgressLine, ProgressBar } from './progress.js';

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65_400)).toBe('1:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('estimates the time left from the time per finished run', () => {
    const line = formatProgressLine({ total: 40, done: 10, failed: 1, running: 2, elapsedMs: 30_000 }, 20);
    expect(line).toBe('[#####---------------] 10/40  25%  elapsed 0:30  ETA 1:30  failed 1');
    expect(formatProgressLine({ total: 4, done: 0, failed: 0, running: 1, elapsedMs: 500 }, 4)).toBe('[----] 0/4   0%  elapsed 0:01  ETA ?');
  });

  it('draws only on a terminal, throttled, always drawing the last update', () => {
    const written: string[] = [];
    let t = 0;
    const tty = new ProgressBar({ isTTY: true, write: (s) => written.push(s) > 0 }, () => t);
    tty.update({ total: 3, done: 0, failed: 0, running: 1, elapsedMs: 0 });
    t = 50;
    tty.update({ total: 3, done: 1, failed: 0, running: 1, elapsedMs: 50 });
    t = 60;
    tty.update({ total: 3, done: 3, failed: 0, running: 0, elapsedMs: 60 });
    tty.finish();
    expect(written).toHaveLength(3);
    expect(written[1]).toContain('3/3 100%');
    expect(written[2]).toBe('\n');

    const silent: string[] = [];
    const pipe = new ProgressBar({ isTTY: false, write: (s) => silent.push(s) > 0 }, () => 0);
    pipe.update({ total: 1, done: 1, failed: 0, running: 0, elapsedMs: 0 });
    pipe.finish();
    expect(silent).toEqual([]);
  });
});
