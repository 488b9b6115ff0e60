import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RunMetrics } from './metrics.js';
import type { SweepRecord } from './record.js';
import { fixed, formatSweepCsv, formatSweepMarkdown, formatTimingsCsv, sortRecords } from './table.js';
import type { SweepParameter } from './values.js';

const params: readonly SweepParameter[] = [{ path: 'market.fee', values: [0, 0.05] }];

function metrics(over: Partial<RunMetrics>): RunMetrics {
  return {
    energyTradedKWh: 10,
    priceMeanPerKWh: 0.06,
    priceMinPerKWh: 0.05,
    priceMaxPerKWh: 0.07,
    priceVolatilityPerKWh: 0.01,
    revenueByKind: { mca: 0, prosumer: 1 },
    imbalanceCost: 0,
    deviationCost: 0,
    unmetEvEnergyKWh: 0,
    transformerViolations: 0,
    messages: 8,
    ...over,
  };
}

function ok(fee: number, seed: number, m: Partial<RunMetrics>, runTimeMs = 1234.5): SweepRecord {
  return { jobId: `job-${fee}-${seed}`, values: [{ path: 'market.fee', value: fee }], seed, status: 'ok', metrics: metrics(m), runTimeMs };
}

const records: SweepRecord[] = [
  ok(0.05, 2, { energyTradedKWh: 12, revenueByKind: { mca: 0.6 } }),
  ok(0, 1, { energyTradedKWh: 10, revenueByKind: { mca: -0.0001, prosumer: 1 } }, 1234.6),
  ok(0.05, 1, { energyTradedKWh: 8, revenueByKind: { mca: 0.4 }, priceMeanPerKWh: null }),
  ok(0, 2, { energyTradedKWh: 11, revenueByKind: { mca: 0, prosumer: 2 } }),
  { jobId: 'job-x', values: [{ path: 'market.fee', value: 0 }], seed: 3, status: 'failed', errors: [{ code: 'run.bad', path: 'market', message: 'bad, "very"' }], runTimeMs: 5 },
];

describe('fixed', () => {
  it('prints fixed decimals and never -0', () => {
    expect(fixed(-0.0001, 2)).toBe('0.00');
    expect(fixed(-0.004, 2)).toBe('0.00');
    expect(fixed(-0.005001, 2)).toBe('-0.01');
    expect(fixed(3, 0)).toBe('3');
    expect(fixed(0.1 + 0.2, 4)).toBe('0.3000');
  });
});

describe('formatSweepCsv', () => {
  const lines = formatSweepCsv(params, records).trimEnd().split('\n');

  it('has one row per record sorted by (values, seed) and revenue columns for every kind seen', () => {
    expect(lines[0]).toBe(
      'market.fee,seed,jobId,status,energyTradedKWh,priceMeanPerKWh,priceMinPerKWh,priceMaxPerKWh,priceVolatilityPerKWh,revenue_prosumer,revenue_mca,imbalanceCost,deviationCost,unmetEvEnergyKWh,transformerViolations,messages,error',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['0,1', '0,2', '0,3', '0.05,1', '0.05,2']);
  });

  it('prints fixed decimals, blanks for missing values and quotes errors', () => {
    expect(lines[1]).toBe('0,1,job-0-1,ok,10.000,0.0600,0.0500,0.0700,0.0100,1.00,0.00,0.00,0.00,0.000,0,8,');
    expect(lines[3]).toBe('0,3,job-x,failed,,,,,,,,,,,,,"market: bad, ""very"" [run.bad]"');
    expect(lines[4]).toBe('0.05,1,job-0.05-1,ok,8.000,,0.0500,0.0700,0.0100,0.00,0.40,0.00,0.00,0.000,0,8,');
  });

  it('does not depend on the order records arrive in (property)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), (shuffled) => {
        expect(formatSweepCsv(params, shuffled)).toBe(formatSweepCsv(params, records));
        expect(formatSweepMarkdown({ scenario: 's.yaml', parameters: params, seeds: [1, 2, 3], totalJobs: 6 }, shuffled)).toBe(
          formatSweepMarkdown({ scenario: 's.yaml', parameters: params, seeds: [1, 2, 3], totalJobs: 6 }, records),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('timings carry seconds with three decimals, in the same order', () => {
    const t = formatTimingsCsv(params, records).trimEnd().split('\n');
    expect(t[0]).toBe('market.fee,seed,jobId,status,runTimeS');
    expect(t[1]).toBe('0,1,job-0-1,ok,1.235');
    expect(t[3]).toBe('0,3,job-x,failed,0.005');
  });
});

describe('formatSweepMarkdown', () => {
  const md = formatSweepMarkdown({ scenario: 's.yaml', parameters: params, seeds: [1, 2], totalJobs: 4 }, records.slice(0, 4));

  it('gives mean and t interval over seeds per setting', () => {
    // fee 0: energy 10, 11 → mean 10.5, half-width 12.7062 · 0.7071 / √2 = 6.3531
    expect(md).toContain('| 0 | 2 | 10.500 | 4.147 | 16.853 | ✓ |');
    // fee 0.05: energy 12, 8 → mean 10, half-width 12.7062 · 2.8284 / √2 = 25.412
    expect(md).toContain('| 0.05 | 2 | 10.000 | -15.412 | 35.412 |  |');
    // a metric missing in one seed leaves n = 1 and no interval
    expect(md).toContain('| 0.05 | 1 | 0.0600 | — | — | ✓ |');
  });

  it('names the best setting per metric with its direction', () => {
    expect(md).toContain('| energy traded (kWh) | higher | market.fee=0 | 10.500 [4.147, 16.853] |');
    expect(md).toContain('| revenue of mca | higher | market.fee=0.05 | 0.50 [-0.77, 1.77] |');
    expect(md).toContain('| revenue of prosumer | higher | market.fee=0 | 1.50 [-4.85, 7.85] |');
    expect(md).toContain('| mean price (per kWh) | lower | market.fee=0 (tied with 1 other) | 0.0600 [0.0600, 0.0600] |');
  });

  it('does not rank a setting with failed seeds while complete ones exist', () => {
    const withFailure = formatSweepMarkdown({ scenario: 's.yaml', parameters: params, seeds: [1, 2, 3], totalJobs: 6 }, [
      ...records,
      ok(0.05, 3, { energyTradedKWh: 9, revenueByKind: { mca: 0.5 } }),
    ]);
    // fee 0 has the higher mean energy (10.5 over two seeds) but lost seed 3; fee 0.05 is complete
    expect(withFailure).toContain('| energy traded (kWh) | higher | market.fee=0.05 | 9.667');
    expect(withFailure).toContain('- runs: 6 in the grid, 5 succeeded, 1 failed');
    expect(withFailure).toContain('## Failed runs');
  });

  it('lists the seeds and reports runs not done', () => {
    expect(md).toContain('- seeds: 1, 2 (2)');
    const partial = formatSweepMarkdown({ scenario: 's.yaml', parameters: params, seeds: [1, 2, 3, 4], totalJobs: 8 }, sortRecords(records).slice(0, 2));
    expect(partial).toContain('- seeds: 1..4 (4)');
    expect(partial).toContain('6 not run (interrupted; resume with --resume)');
  });
});
