import { describe, expect, it } from 'vitest';
import { gridModesMarkdown, heldBack, type GridModeRow } from './grid-modes.js';

const row = (mode: GridModeRow['mode'], traded: readonly number[], price: readonly number[], over: Partial<GridModeRow> = {}): GridModeRow => ({
  mode,
  violations: 0,
  maxLoadingPct: 90,
  maxReverseKW: 5.5,
  tradedKWh: traded.reduce((a, b) => a + b, 0),
  meanPricePerKWh: price.reduce((a, b) => a + b, 0) / price.length,
  minNodePricePerKWh: 3,
  offsetsKWh: 0,
  participantsNetMinor: 0n,
  tradedByIntervalKWh: traded,
  priceByInterval: price,
  ...over,
});

describe('grid modes compared', () => {
  const none = row('none', [4, 5, 2], [3.2, 3.1, 3.0], { violations: 2, maxLoadingPct: 180.04, maxReverseKW: 10.8, participantsNetMinor: -405n });
  const exact = row('exact', [3, 5, 3], [3.4, 3.1, 3.0], { offsetsKWh: 0.5, participantsNetMinor: -229n });

  it('values the trade a mode held back at the copper-plate prices (worked example)', () => {
    // Interval 0: 1 kWh less at 3.20; interval 2 traded more than none, which counts nothing.
    expect(heldBack(exact, none)).toEqual({ kWh: 1, value: 3.2 });
    expect(heldBack(none, none)).toEqual({ kWh: 0, value: 0 });
  });

  it('tabulates each mode with fixed decimals and what it avoided against none', () => {
    expect(gridModesMarkdown({ currency: 'INR', rows: [exact, none] })).toBe(
      [
        "| gridMode | limit violations | worst loading % | max reverse flow kW | traded kWh | mean price INR/kWh | lowest node price INR/kWh | offsets kWh | participants' net INR |",
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
        '| exact | 0 | 90.0 | 5.500 | 11.000 | 3.1667 | 3.0000 | 0.500 | -2.29 |',
        '| none | 2 | 180.0 | 10.800 | 11.000 | 3.1000 | 3.0000 | 0.000 | -4.05 |',
        '',
        "| compared with gridMode none | violations avoided | trade held back kWh | its value INR | change in participants' net INR |",
        '|---|---:|---:|---:|---:|',
        '| exact | 2 | 1.000 | 3.20 | 1.76 |',
        '',
      ].join('\n'),
    );
  });
});
