import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobId, type SweepJob } from '../job.js';
import type { SucceededRecord } from '../record.js';
import { overrideFor } from '../values.js';
import { crashReason, diagnosticFromReason, jobData, parseJobData, recordFromReply } from './protocol.js';

const digest = 'a'.repeat(64);
const bundle = 'b'.repeat(32);
function job(values: SweepJob['values'], seed: number): SweepJob {
  return { id: jobId(digest, values, seed), scenarioPath: '/x/s.yaml', values, seed, overrides: values.map((v) => overrideFor(v.path, v.value)), outDir: '/x/runs' };
}
const metrics = {
  energyTradedKWh: 10,
  priceMeanPerKWh: 0.071,
  priceMinPerKWh: 0.06,
  priceMaxPerKWh: 0.08,
  priceVolatilityPerKWh: 0.01,
  revenueByKind: { mca: 0.5 },
  imbalanceCost: 0,
  deviationCost: 0.25,
  unmetEvEnergyKWh: 0.1,
  transformerViolations: 0,
  messages: 16,
};

describe('job data', () => {
  it('round-trips through JSON for any values and seed, and the id is checked', () => {
    const scalar = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)), fc.stringMatching(/^[\w .,:"'-]{0,12}$/), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('market.fee', 'utility.deviationPenalty', 'a.b'), scalar), { maxLength: 3 }), fc.nat(), (pairs, seed) => {
        const j = job(pairs.map(([path, value]) => ({ path, value })), seed);
        const wire = JSON.parse(JSON.stringify(jobData(j, digest, bundle))) as unknown;
        const back = parseJobData(wire, j.id);
        expect(back.ok && back.value.values).toEqual(j.values);
        const other = parseJobData(wire, jobId(digest, j.values, seed + 1));
        expect(other.ok ? 'accepted' : other.errors.map((e) => e.code)).toEqual(['queue.job.id']);
      }),
      { numRuns: 200 },
    );
  });

  it('reports every problem of malformed data at once', () => {
    const r = parseJobData({ format: 9, scenarioDigest: 'xyz', bundle: 7, seed: -1, values: [{ path: 'a', value: [1] }], overrides: 'a=1' }, 'id');
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['queue.job.format', 'queue.job.digest', 'queue.job.bundle', 'queue.job.seed', 'sweep.value.type', 'queue.job.overrides']);
    const tampered = { ...jobData(job([{ path: 'market.fee', value: 0.05 }], 1), digest, bundle), overrides: ['market.fee=0.5'] };
    const t = parseJobData(tampered, job([{ path: 'market.fee', value: 0.05 }], 1).id);
    expect(t.ok ? [] : t.errors.map((e) => e.code)).toEqual(['queue.job.overrides']);
    expect(parseJobData('run', 'id').ok).toBe(false);
  });
});

describe('records from workers', () => {
  const j = job([{ path: 'market.fee', value: 0.05 }], 3);
  const rec: SucceededRecord = { jobId: j.id, values: j.values, seed: 3, status: 'ok', metrics, runTimeMs: 812.5 };

  it('takes a readable record of the same job, with the planned values', () => {
    expect(recordFromReply(j, JSON.parse(JSON.stringify(rec)))).toEqual(rec);
  });

  it('turns an unreadable or foreign reply into a failed record with the job parameters', () => {
    const bad = recordFromReply(j, { ...rec, metrics: { energyTradedKWh: 'lots' } });
    expect([bad.status, bad.values, bad.seed, bad.status === 'failed' ? bad.errors[0]?.code : '']).toEqual(['failed', j.values, 3, 'sweep.queue.reply']);
    const foreign = recordFromReply(j, { ...rec, jobId: '0123456789abcdef' });
    expect(foreign.status === 'failed' ? foreign.errors[0]?.message : '').toContain('0123456789abcdef');
  });

  it('reads a crash reason back into its diagnostic, and a foreign reason under the fallback code', () => {
    const reason = crashReason('sweep.worker.exit', 'the worker thread died during the run (exit code 3)');
    expect(diagnosticFromReason(reason, 'x.y')).toEqual({ code: 'sweep.worker.exit', path: '', message: 'the worker thread died during the run (exit code 3)' });
    expect(diagnosticFromReason('Connection is closed.', 'sweep.queue.failed')).toEqual({ code: 'sweep.queue.failed', path: '', message: 'Connection is closed.' });
  });
});
