/**
 * Power-flow benchmark: solve time per bus per sweep iteration on synthetic feeders of 10²…10⁵
 * buses, against a minimal typed-array loop that does one complex multiply-add per bus (the
 * memory-bound floor of touching every bus once). Run: npx tsx bench/powerflow.bench.ts [--quick]
 */
import { performance } from 'node:perf_hooks';
import { compileFeeder, createPowerFlowWorkspace, generateFeeder, solvePowerFlow } from '../grid/index.js';

const quick = process.argv.includes('--quick');
const targets = quick ? [100, 1_000] : [100, 1_000, 10_000, 100_000];
/** Minimum measuring time per figure, ms. */
const budgetMs = quick ? 150 : 600;
/**
 * Warm-up time before measuring, ms: V8 optimises on background threads, which on a busy machine
 * can take a while; measuring before that would time the interpreter.
 */
const warmupMs = quick ? 150 : 400;
/** Buses per transformer of the generator at 40 customers (MV tap, LV busbar, ~13 poles, 40 customers). */
const BUSES_PER_TRANSFORMER = 55;

interface Row {
  readonly buses: number;
  readonly transformers: number;
  readonly iterations: number;
  readonly solveMs: number;
  readonly nsPerBusIter: number;
  readonly baselineNsPerBus: number;
  readonly generateMs: number;
  readonly compileMs: number;
}

/** Warms `f` up, then repeats it until `budgetMs` has passed (at least 5 times); the fastest run, ms. */
function fastest(f: () => void): number {
  const warm = performance.now();
  for (let k = 0; k < 20 || performance.now() - warm < warmupMs; k++) f();
  let best = Number.POSITIVE_INFINITY;
  const start = performance.now();
  let runs = 0;
  while (runs < 5 || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    f();
    const dt = performance.now() - t0;
    if (dt < best) best = dt;
    runs++;
  }
  return best;
}

/** One complex multiply-add per element: c ← a·b + c, on typed arrays of length n. */
function baselineNsPerBus(n: number): number {
  const aRe = new Float64Array(n).fill(0.999);
  const aIm = new Float64Array(n).fill(0.001);
  const bRe = new Float64Array(n).fill(1e-3);
  const bIm = new Float64Array(n).fill(-2e-3);
  const cRe = new Float64Array(n);
  const cIm = new Float64Array(n);
  const inner = Math.max(1, Math.floor(200_000 / n));
  const pass = (): void => {
    for (let r = 0; r < inner; r++) {
      for (let i = 0; i < n; i++) {
        const ar = aRe[i]!;
        const ai = aIm[i]!;
        const br = bRe[i]!;
        const bi = bIm[i]!;
        cRe[i] = ar * br - ai * bi + cRe[i]!;
        cIm[i] = ar * bi + ai * br + cIm[i]!;
      }
    }
  };
  const ms = fastest(pass);
  if (!Number.isFinite(cRe[n - 1]!)) throw new Error('baseline overflow');
  return (ms * 1e6) / (inner * n);
}

function measure(target: number): Row {
  const transformers = Math.max(1, Math.round(target / BUSES_PER_TRANSFORMER));
  let t0 = performance.now();
  const feeder = generateFeeder({ transformers, customersPerTransformer: 40, pvShare: 0.3, evShare: 0.2, batteryShare: 0.1 }, 1);
  const generateMs = performance.now() - t0;
  t0 = performance.now();
  const compiled = compileFeeder(feeder);
  const compileMs = performance.now() - t0;
  const workspace = createPowerFlowWorkspace(compiled);
  const loads = compiled.baseLoads;
  let iterations = 0;
  const solve = (): void => {
    const r = solvePowerFlow(compiled, loads, { workspace });
    if (!r.converged) throw new Error(`${compiled.busCount} buses: ${r.message}`);
    iterations = r.iterations;
  };
  const solveMs = fastest(solve);
  const n = compiled.busCount;
  return {
    buses: n,
    transformers,
    iterations,
    solveMs,
    nsPerBusIter: (solveMs * 1e6) / (n * iterations),
    baselineNsPerBus: baselineNsPerBus(n),
    generateMs,
    compileMs,
  };
}

const gc = (globalThis as { gc?: () => void }).gc;
const rows: Row[] = [];
for (const target of targets) {
  gc?.();
  rows.push(measure(target));
}

const header = ['buses', 'transformers', 'iterations', 'solve ms', 'ns/bus/iter', 'floor ns/bus', 'ratio', 'generate ms', 'compile ms'];
const cells = rows.map((r) => [
  String(r.buses),
  String(r.transformers),
  String(r.iterations),
  r.solveMs.toFixed(3),
  r.nsPerBusIter.toFixed(2),
  r.baselineNsPerBus.toFixed(2),
  (r.nsPerBusIter / r.baselineNsPerBus).toFixed(1),
  r.generateMs.toFixed(1),
  r.compileMs.toFixed(1),
]);
const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
const line = (xs: readonly string[]): string => xs.map((x, c) => x.padStart(widths[c]!)).join('  ');
process.stdout.write(`power flow: backward/forward sweep, tolerance 1e-8 pu, flat start, fastest of repeated solves${quick ? ' (quick)' : ''}\n`);
process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.map(line).join('\n')}\n`);
process.stdout.write('ratio = sweep time per bus per iteration / one complex multiply-add per bus on typed arrays (same process)\n');
