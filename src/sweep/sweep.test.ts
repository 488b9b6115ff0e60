import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE } from './checkpoint.js';
import { createLocalExecutor } from './local-executor.js';
import type { SweepRecord } from './record.js';
import type { RunnerRef } from './runner.js';
import { planSweep, runSweep, type SweepPlan, type SweepSpec } from './sweep.js';
import { parseSeeds, parseVaryFlags } from './values.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const scenario = join(fixtures, 'scenario.yaml');
const fake: RunnerRef = { module: new URL('./fixtures/fake-runner.ts', import.meta.url).href, exportName: 'runScenario' };
const tmp = mkdtempSync(join(tmpdir(), 'degsim-sweep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function plan(vary: string[], seeds: string, out: string): SweepPlan {
  const parameters = parseVaryFlags(vary);
  const s = parseSeeds(seeds);
  if (!parameters.ok || !s.ok) throw new Error('bad flags');
  const spec: SweepSpec = { scenarioPath: scenario, parameters: parameters.value, seeds: s.value, outDir: join(tmp, out) };
  const p = planSweep(spec);
  if (!p.ok) throw new Error(p.errors.map((e) => e.message).join('; '));
  return p.value;
}

const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8');

describe('a local sweep on the fake runner', () => {
  const grid = ['market.fee=0,0.05', 'utility.deviationPenalty=1..2:1'];

  it('writes byte-identical sweep.csv and sweep.md with 1 and 2 worker threads', async () => {
    const a = plan(grid, '1..3', 'jobs1');
    const b = plan(grid, '1..3', 'jobs2');
    const [ra, rb] = await Promise.all([
      runSweep(a, { executor: createLocalExecutor({ jobs: 1, runner: fake }) }),
      runSweep(b, { executor: createLocalExecutor({ jobs: 2, runner: fake }) }),
    ]);
    expect(ra.succeeded).toBe(12);
    expect(rb.succeeded).toBe(12);
    expect(read(a.outDir, 'sweep.csv')).toBe(read(b.outDir, 'sweep.csv'));
    expect(read(a.outDir, 'sweep.md')).toBe(read(b.outDir, 'sweep.md'));

    const csv = read(a.outDir, 'sweep.csv').trimEnd().split('\n');
    expect(csv[0]).toBe(
      'market.fee,utility.deviationPenalty,seed,jobId,status,energyTradedKWh,priceMeanPerKWh,priceMinPerKWh,priceMaxPerKWh,priceVolatilityPerKWh,' +
        'revenue_cpo,revenue_prosumer,revenue_mca,revenue_utility,imbalanceCost,deviationCost,unmetEvEnergyKWh,transformerViolations,messages,error',
    );
    expect(csv).toHaveLength(13);
    // sorted by (fee, penalty, seed)
    expect(csv.slice(1, 5).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['0,1,1', '0,1,2', '0,1,3', '0,2,1']);
    // every run folder stays available, named by job id
    for (const line of csv.slice(1)) expect(existsSync(join(a.outDir, 'runs', line.split(',')[3] ?? '', 'clearing.csv'))).toBe(true);
    // the fee moves money from the prosumer to the MCA: the MCA's revenue rises with the fee
    const mcaAt = (fee: string): number => Number(csv.find((l) => l.startsWith(`${fee},1,1,`))?.split(',')[12]);
    expect(mcaAt('0')).toBeCloseTo(0, 9);
    expect(mcaAt('0.05')).toBeGreaterThan(0);
    // the deviation penalty doubles the deviation cost for the same seed
    const devAt = (pen: string): number => Number(csv.find((l) => l.startsWith(`0,${pen},1,`))?.split(',')[15]);
    expect(devAt('2')).toBeCloseTo(2 * devAt('1'), 1);
    expect(read(a.outDir, 'sweep-timings.csv').split('\n')[0]).toBe('market.fee,utility.deviationPenalty,seed,jobId,status,runTimeS');
    expect(read(a.outDir, 'sweep.md')).toContain('| MCA imbalance cost | lower |');
  });

  it('reports failed runs with their parameters and runs the others', async () => {
    const p = plan(['fake.fail=false,true'], '1..2', 'failing');
    const r = await runSweep(p, { executor: createLocalExecutor({ jobs: 2, runner: fake }) });
    expect([r.succeeded, r.failed]).toEqual([3, 1]);
    const failedLine = read(p.outDir, 'sweep.csv')
      .split('\n')
      .find((l) => l.includes(',failed,'));
    expect(failedLine).toMatch(/^true,1,[0-9a-f]{16},failed,,/);
    expect(failedLine).toContain('fake.fail: asked to fail on odd seed 1 [fake.fail]');
    expect(read(p.outDir, 'sweep.md')).toContain('## Failed runs');
  });

  it('survives a worker thread dying mid-run and a runner that throws', async () => {
    const p = plan(['fake.exit=false,true', 'fake.throw=false'], '1..3', 'dying');
    const r = await runSweep(p, { executor: createLocalExecutor({ jobs: 2, runner: fake }) });
    expect(r.succeeded).toBe(5);
    expect(r.records.filter((x) => x.status === 'failed').map((x) => (x.status === 'failed' ? x.errors[0]?.code : ''))).toEqual(['sweep.worker.exit']);
    const t = plan(['fake.throw=true'], '1', 'throwing');
    const rt = await runSweep(t, { executor: createLocalExecutor({ jobs: 1, runner: fake }) });
    expect(rt.records[0]?.status === 'failed' ? rt.records[0].errors[0]?.code : '').toBe('sweep.run.threw');
  });

  it('resumes from the checkpoint, running only what is missing, with identical tables', async () => {
    const p = plan(['market.fee=0.01,0.02'], '1..3', 'resume');
    const first = await runSweep(p, { executor: createLocalExecutor({ jobs: 2, runner: fake }) });
    expect(first.succeeded).toBe(6);
    const csvBefore = read(p.outDir, 'sweep.csv');
    const mdBefore = read(p.outDir, 'sweep.md');
    // keep the first four records and a torn fifth line, as a crash would leave them
    const lines = read(p.outDir, CHECKPOINT_FILE).trimEnd().split('\n');
    writeFileSync(join(p.outDir, CHECKPOINT_FILE), `${lines.slice(0, 4).join('\n')}\n${(lines[4] ?? '').slice(0, 30)}`);
    const ran: SweepRecord[] = [];
    const second = await runSweep(p, { executor: createLocalExecutor({ jobs: 2, runner: fake }), resume: true, onRecord: (x) => ran.push(x) });
    expect(second.skipped).toBe(4);
    expect(ran).toHaveLength(2);
    expect(second.warnings.map((w) => w.code)).toEqual(['sweep.checkpoint.line']);
    expect(read(p.outDir, 'sweep.csv')).toBe(csvBefore);
    expect(read(p.outDir, 'sweep.md')).toBe(mdBefore);

    // a larger grid with --resume runs only the new seeds
    const bigger = plan(['market.fee=0.01,0.02'], '1..4', 'resume');
    const ranMore: SweepRecord[] = [];
    const third = await runSweep(bigger, { executor: createLocalExecutor({ jobs: 2, runner: fake }), resume: true, onRecord: (x) => ranMore.push(x) });
    expect([third.skipped, ranMore.map((x) => x.seed)]).toEqual([6, [4, 4]]);
  });

  it('stops on abort, keeps what finished, and completes on --resume', async () => {
    const p = plan(['market.fee=0.01,0.02,0.03'], '1..2', 'abort');
    const ctl = new AbortController();
    const first = await runSweep(p, { executor: createLocalExecutor({ jobs: 1, runner: fake }), signal: ctl.signal, onRecord: () => ctl.abort() });
    expect(first.interrupted).toBe(true);
    expect(first.records).toHaveLength(1);
    expect(read(p.outDir, 'sweep.md')).toContain('5 not run (interrupted; resume with --resume)');
    const second = await runSweep(p, { executor: createLocalExecutor({ jobs: 2, runner: fake }), resume: true });
    expect([second.interrupted, second.skipped, second.succeeded]).toEqual([false, 1, 6]);
  });
});

describe('planSweep', () => {
  it('gives the same job ids whatever the scenario formatting, and new ids when a value changes', () => {
    const a = plan(['market.fee=0.05'], '1', 'ids-a');
    const reformatted = join(tmp, 'reformatted.yaml');
    writeFileSync(reformatted, '{"utility": {"deviationPenalty": 1}, "market": {"fee": 0.010}, "name": "fake"}\n');
    const changed = join(tmp, 'changed.yaml');
    writeFileSync(changed, 'name: fake\nmarket: {fee: 0.02}\nutility: {deviationPenalty: 1}\n');
    const idOf = (path: string): string | undefined => {
      const p = planSweep({ scenarioPath: path, parameters: [{ path: 'market.fee', values: [0.05] }], seeds: [1], outDir: join(tmp, 'ids-b') });
      return p.ok ? p.value.jobs[0]?.id : undefined;
    };
    expect(idOf(reformatted)).toBe(a.jobs[0]?.id);
    expect(idOf(changed)).not.toBe(a.jobs[0]?.id);
  });

  it('reports a missing scenario and bad seeds together', () => {
    const p = planSweep({ scenarioPath: join(tmp, 'nope.yaml'), parameters: [], seeds: [1, 1], outDir: tmp });
    expect(p.ok ? [] : p.errors.map((e) => e.code)).toEqual(['sweep.seeds.duplicate', 'sweep.scenario.missing']);
  });
});
