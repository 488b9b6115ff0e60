import { randomStream, type RandomStream } from '../src/kernel/random.js';
import {
  type CustomerConnection,
  type CustomerKind,
  type DerFlags,
  type Feeder,
  type FeederBus,
  type FeederLine,
  type FeederLoad,
  type FeederTransformer,
  type FlowLimits,
} from './feeder.js';
import { DEFAULT_LIMIT_POWER_FACTOR } from './parse.js';

/**
 * Parameters of a synthetic feeder. Only the first five are required; the rest have defaults
 * that describe a typical overhead 11 kV / 400 V suburban network.
 */
export interface FeederGenerationParams {
  /** Number of distribution transformers (≥ 1). */
  readonly transformers: number;
  /** Customer connections (meters) on each transformer's LV network (≥ 0, whole). */
  readonly customersPerTransformer: number;
  /** Share of customers with rooftop PV, 0–1 (exact count, rounded). */
  readonly pvShare: number;
  /** Share of customers with an EV charger, 0–1. */
  readonly evShare: number;
  /** Share of customers with a home/site battery, 0–1 (given to PV owners first). */
  readonly batteryShare: number;
  /** Public (destination) charging sites run by CPOs, each on its own LV cable. Default 0. */
  readonly cpoSites?: number;
  /** Share of customers that are small commercial premises, 0–1. Default 0.05. */
  readonly commercialShare?: number;
  /** Mean MV line length between successive transformer taps, km. Default 0.35. */
  readonly mvSpacingKm?: number;
  /** Mean LV span between poles, km. Default 0.04. */
  readonly lvSpanKm?: number;
  /** Transformers per MV feeder leaving the substation. Default 12. */
  readonly transformersPerMvFeeder?: number;
  /** Mean customers served from one LV pole. Default 3. */
  readonly customersPerPole?: number;
  /** MV nominal voltage, kV. Default 11. */
  readonly mvBaseKV?: number;
  /** LV nominal voltage, kV. Default 0.4. */
  readonly lvBaseKV?: number;
  /** Substation busbar voltage set point, pu. Default 1.02. */
  readonly slackVoltagePu?: number;
  /** Transformer limits default to rating × this power factor. Default 0.9. */
  readonly limitPowerFactor?: number;
  /** Per-transformer limit overrides, by transformer id (e.g. `T007`). */
  readonly transformerLimits?: Readonly<Record<string, Partial<FlowLimits>>>;
  readonly name?: string;
}

/** Standard distribution transformer ratings, kVA. */
export const TRANSFORMER_RATINGS_KVA = [100, 160, 250, 400, 630] as const;

/**
 * Typical load (copper) losses at rated current, W, of oil-immersed 11/0.4 kV units, close to
 * the EN 50588-1 (Ecodesign tier 1) maxima; short-circuit impedance 4 % (IEC 60076-5 for
 * ≤ 630 kVA). R% = losses / rating, X% = √(Z%² − R%²).
 */
const TRANSFORMER_LOAD_LOSS_W: Readonly<Record<number, number>> = { 100: 1750, 160: 2350, 250: 3250, 400: 4600, 630: 6500 };
const TRANSFORMER_IMPEDANCE_PCT = 4;

/**
 * Conductor data per phase, ohm/km and A (approximate catalogue values: resistance at 20 °C,
 * reactance for usual conductor spacing).
 * MV overhead: ACSR "Dog" (100 mm² Al) for trunks, ACSR "Rabbit" (50 mm² Al) for spurs.
 * LV: 95 mm² Al aerial bundled cable for mains, 25 mm² Al service cable, 240 mm² Al XLPE for
 * charging sites.
 */
const CONDUCTORS = {
  mvTrunk: { rOhmPerKm: 0.274, xOhmPerKm: 0.33, ratedA: 300 },
  mvSpur: { rOhmPerKm: 0.548, xOhmPerKm: 0.35, ratedA: 190 },
  lvMain: { rOhmPerKm: 0.32, xOhmPerKm: 0.08, ratedA: 200 },
  lvService: { rOhmPerKm: 1.2, xOhmPerKm: 0.09, ratedA: 100 },
  lvSiteCable: { rOhmPerKm: 0.125, xOhmPerKm: 0.07, ratedA: 350 },
} as const;

/** Primary substation ratings, MVA, for the feeder-head limit. */
const SUBSTATION_RATINGS_MVA = [1, 1.6, 2.5, 3.15, 5, 6.3, 8, 10, 12.5, 16, 20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200];

/** Power factor of the base-case loads (lagging). */
const LOAD_POWER_FACTOR = 0.95;
const TAN_PHI = Math.tan(Math.acos(LOAD_POWER_FACTOR));

function pad(i: number, width: number): string {
  return String(i).padStart(width, '0');
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** `count` distinct indices of [0, n), uniformly, by a partial Fisher–Yates shuffle. */
function sampleIndices(n: number, count: number, stream: RandomStream): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const k = Math.min(n, Math.max(0, count));
  for (let i = 0; i < k; i++) {
    const j = stream.int(i, n - 1);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k);
}

function checkParams(p: FeederGenerationParams): void {
  const problems: string[] = [];
  const whole = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) problems.push(`${name} must be a whole number ≥ ${min}, got ${v}`);
  };
  const share = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(v >= 0 && v <= 1)) problems.push(`${name} must be within 0–1, got ${v}`);
  };
  const positive = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(v > 0 && Number.isFinite(v))) problems.push(`${name} must be a positive number, got ${v}`);
  };
  whole('transformers', p.transformers, 1);
  whole('customersPerTransformer', p.customersPerTransformer, 0);
  whole('cpoSites', p.cpoSites, 0);
  whole('transformersPerMvFeeder', p.transformersPerMvFeeder, 1);
  share('pvShare', p.pvShare);
  share('evShare', p.evShare);
  share('batteryShare', p.batteryShare);
  share('commercialShare', p.commercialShare);
  positive('mvSpacingKm', p.mvSpacingKm);
  positive('lvSpanKm', p.lvSpanKm);
  positive('customersPerPole', p.customersPerPole);
  positive('mvBaseKV', p.mvBaseKV);
  positive('lvBaseKV', p.lvBaseKV);
  positive('slackVoltagePu', p.slackVoltagePu);
  positive('limitPowerFactor', p.limitPowerFactor);
  if (problems.length > 0) throw new RangeError(`generateFeeder: ${problems.join('; ')}`);
}

interface Draft {
  kind: CustomerKind;
  der: DerFlags;
  sanctionedLoadKW: number;
  annualConsumptionKWh: number;
  /** Base-case (evening peak, after diversity) demand, kW. */
  designKW: number;
}

/**
 * Generates a radial feeder from a seed: substation busbar (slack) → MV feeders (overhead trunks
 * with spurs) → one distribution transformer per MV tap, rated from {100…630} kVA for its
 * customers' after-diversity demand → LV mains along poles → service cables to customer
 * connection points, each with a meter and its DER flags. Public charging sites hang on their own
 * cable from an LV busbar. The base-case loads are the evening-peak, after-diversity demand of
 * each connection at power factor 0.95.
 *
 * Deterministic: the same params and seed give the same feeder; streams are split by part
 * (MV layout, each transformer's LV network, customer attributes), so changing the customers
 * per transformer does not move the MV network. Throws RangeError on invalid params.
 */
export function generateFeeder(params: FeederGenerationParams, seed: number): Feeder {
  checkParams(params);
  const T = params.transformers;
  const C = params.customersPerTransformer;
  const cpoSites = params.cpoSites ?? 0;
  const mvSpacingKm = params.mvSpacingKm ?? 0.35;
  const lvSpanKm = params.lvSpanKm ?? 0.04;
  const perMv = params.transformersPerMvFeeder ?? 12;
  const perPole = params.customersPerPole ?? 3;
  const mvKV = params.mvBaseKV ?? 11;
  const lvKV = params.lvBaseKV ?? 0.4;
  const limitPf = params.limitPowerFactor ?? DEFAULT_LIMIT_POWER_FACTOR;
  const root = randomStream(seed, 'grid/feeder');

  const tWidth = Math.max(3, String(T).length);
  const cWidth = Math.max(2, String(C).length);
  const tIds = Array.from({ length: T }, (_, t) => `T${pad(t + 1, tWidth)}`);

  // Customer attributes first: transformer ratings depend on what they supply.
  const drafts = draftCustomers(params, root.child('customers'));
  const cpoPlacement = new Int32Array(cpoSites);
  const cpoStream = root.child('cpo');
  for (let s = 0; s < cpoSites; s++) cpoPlacement[s] = cpoStream.int(0, T - 1);
  const cpoDrafts = Array.from({ length: cpoSites }, (_, s) => draftCpo(root.child(`cpo/${s}`)));

  const buses: FeederBus[] = [{ id: 'SUB', kind: 'substation' }];
  const lines: FeederLine[] = [];
  const transformers: FeederTransformer[] = [];
  const loads: FeederLoad[] = [];
  const connections: CustomerConnection[] = [];

  const addLine = (from: string, to: string, cond: { rOhmPerKm: number; xOhmPerKm: number; ratedA: number }, lengthKm: number): void => {
    const len = Math.max(0.001, round(lengthKm, 3));
    lines.push({
      id: `L-${to}`,
      from,
      to,
      rOhm: round(cond.rOhmPerKm * len, 6),
      xOhm: round(cond.xOhmPerKm * len, 6),
      lengthKm: len,
      ratedA: cond.ratedA,
      status: 'closed',
    });
  };

  // MV: feeders of `perMv` taps; each new tap extends the trunk or starts/extends a spur.
  const mv = root.child('mv');
  /** MV tap index → the tap its spur leaves from; -1 for taps on the trunk. */
  const spurOf = new Int32Array(T).fill(-1);
  for (let t = 0; t < T; t++) {
    const tId = tIds[t]!;
    const mvBus = `${tId}-MV`;
    buses.push({ id: mvBus, kind: 'mv' });
    const k = t % perMv;
    const first = t - k;
    if (k === 0) {
      addLine('SUB', mvBus, CONDUCTORS.mvTrunk, mvSpacingKm * mv.uniform(2, 4));
    } else if (mv.bernoulli(0.55)) {
      // Extend the trunk from the latest trunk tap.
      let last = t - 1;
      while (last > first && spurOf[last] !== -1) last--;
      addLine(`${tIds[last]!}-MV`, mvBus, CONDUCTORS.mvTrunk, mvSpacingKm * mv.uniform(0.5, 1.5));
    } else {
      const from = mv.int(first, t - 1);
      addLine(`${tIds[from]!}-MV`, mvBus, CONDUCTORS.mvSpur, mvSpacingKm * mv.uniform(0.5, 1.5));
      spurOf[t] = from;
    }
  }

  for (let t = 0; t < T; t++) {
    const tId = tIds[t]!;
    const s = root.child(`lv/${tId}`);
    const customers = drafts.slice(t * C, (t + 1) * C);
    const sites: Draft[] = [];
    for (let j = 0; j < cpoSites; j++) if (cpoPlacement[j] === t) sites.push(cpoDrafts[j]!);
    let designKW = 0;
    for (const d of customers) designKW += d.designKW;
    for (const d of sites) designKW += d.designKW;
    // Size for 80 % utilisation at the design demand; one in five is a size larger (growth margin).
    const neededKVA = designKW / LOAD_POWER_FACTOR / 0.8;
    let r = TRANSFORMER_RATINGS_KVA.findIndex((kva) => kva >= neededKVA);
    if (r === -1) r = TRANSFORMER_RATINGS_KVA.length - 1;
    if (s.bernoulli(0.2)) r = Math.min(r + 1, TRANSFORMER_RATINGS_KVA.length - 1);
    const ratingKVA = TRANSFORMER_RATINGS_KVA[r]!;
    const rPct = (100 * TRANSFORMER_LOAD_LOSS_W[ratingKVA]!) / (ratingKVA * 1000);
    const xPct = Math.sqrt(TRANSFORMER_IMPEDANCE_PCT ** 2 - rPct ** 2);
    const zBase = (lvKV * lvKV * 1000) / ratingKVA;
    const lvBus = `${tId}-LV`;
    buses.push({ id: lvBus, kind: 'lv' });
    const override = params.transformerLimits?.[tId];
    transformers.push({
      id: tId,
      from: `${tId}-MV`,
      to: lvBus,
      ratingKVA,
      rOhm: round((rPct / 100) * zBase, 6),
      xOhm: round((xPct / 100) * zBase, 6),
      secondaryKV: lvKV,
      tapRatio: 1,
      maxForwardFlowKW: override?.maxForwardFlowKW ?? ratingKVA * limitPf,
      maxReverseFlowKW: override?.maxReverseFlowKW ?? ratingKVA * limitPf,
    });

    // LV: up to six mains, poles along each (with some branching), customers on service cables.
    const mains = C === 0 ? 0 : clamp(Math.round(C / 25), 1, 6);
    let c = 0;
    for (let f = 0; f < mains; f++) {
      const onMain = Math.floor(((f + 1) * C) / mains) - Math.floor((f * C) / mains);
      const poles: string[] = [];
      let served = 0;
      while (served < onMain) {
        const pId = `${tId}-F${f + 1}P${pad(poles.length + 1, 2)}`;
        buses.push({ id: pId, kind: 'pole' });
        const from = poles.length === 0 ? lvBus : s.bernoulli(0.25) ? poles[s.int(0, poles.length - 1)]! : poles[poles.length - 1]!;
        addLine(from, pId, CONDUCTORS.lvMain, lvSpanKm * s.uniform(0.8, 1.2));
        poles.push(pId);
        const here = Math.min(onMain - served, s.int(1, Math.max(1, Math.round(2 * perPole - 1))));
        for (let h = 0; h < here; h++) {
          const d = customers[c]!;
          c++;
          const cBus = `${tId}-C${pad(c, cWidth)}`;
          buses.push({ id: cBus, kind: 'customer' });
          addLine(pId, cBus, CONDUCTORS.lvService, s.uniform(0.01, 0.035));
          pushCustomer(`M-${tId}-${pad(c, cWidth)}`, cBus, tId, d);
        }
        served += here;
      }
    }
    sites.forEach((d, j) => {
      const bus = `${tId}-CPO${j + 1}`;
      buses.push({ id: bus, kind: 'customer' });
      addLine(lvBus, bus, CONDUCTORS.lvSiteCable, s.uniform(0.05, 0.15));
      pushCustomer(`M-${tId}-CPO${j + 1}`, bus, tId, d);
    });
  }

  function pushCustomer(meterId: string, bus: string, transformer: string, d: Draft): void {
    connections.push({
      meterId,
      bus,
      transformer,
      kind: d.kind,
      sanctionedLoadKW: d.sanctionedLoadKW,
      annualConsumptionKWh: d.annualConsumptionKWh,
      der: d.der,
    });
    loads.push({ bus, pKW: round(d.designKW, 3), qKVAr: round(d.designKW * TAN_PHI, 3) });
  }

  // Feeder head: the smallest standard primary transformer for 70 % of the connected kVA.
  const connectedKVA = transformers.reduce((a, t) => a + t.ratingKVA, 0);
  const headMVA = SUBSTATION_RATINGS_MVA.find((m) => m * 1000 >= 0.7 * connectedKVA) ?? Math.ceil((0.7 * connectedKVA) / 50000) * 50;
  const headKW = round(headMVA * 1000 * limitPf, 3);

  return {
    name: params.name ?? `synthetic-${T}x${C}-seed${seed}`,
    baseKV: mvKV,
    slackBus: 'SUB',
    slackVoltagePu: params.slackVoltagePu ?? 1.02,
    slackAngleDeg: 0,
    headLimits: { maxForwardFlowKW: headKW, maxReverseFlowKW: headKW },
    buses,
    lines,
    transformers,
    loads,
    connections,
  };
}

function draftCustomers(params: FeederGenerationParams, stream: RandomStream): Draft[] {
  const n = params.transformers * params.customersPerTransformer;
  const commercial = new Uint8Array(n);
  for (const i of sampleIndices(n, Math.round((params.commercialShare ?? 0.05) * n), stream.child('commercial'))) commercial[i] = 1;
  const pv = new Uint8Array(n);
  for (const i of sampleIndices(n, Math.round(params.pvShare * n), stream.child('pv'))) pv[i] = 1;
  const ev = new Uint8Array(n);
  for (const i of sampleIndices(n, Math.round(params.evShare * n), stream.child('ev'))) ev[i] = 1;
  // Batteries go to PV owners first (that is where they are bought), then to the others.
  const battery = new Uint8Array(n);
  const wanted = Math.round(params.batteryShare * n);
  const pvOwners: number[] = [];
  const others: number[] = [];
  for (let i = 0; i < n; i++) (pv[i] === 1 ? pvOwners : others).push(i);
  const bs = stream.child('battery');
  for (const j of sampleIndices(pvOwners.length, wanted, bs)) battery[pvOwners[j]!] = 1;
  if (wanted > pvOwners.length) for (const j of sampleIndices(others.length, wanted - pvOwners.length, bs)) battery[others[j]!] = 1;

  const a = stream.child('attributes');
  const out: Draft[] = [];
  for (let i = 0; i < n; i++) {
    const isCommercial = commercial[i] === 1;
    const hasPV = pv[i] === 1;
    const hasEV = ev[i] === 1;
    const hasBattery = battery[i] === 1;
    if (isCommercial) {
      const annual = round(clamp(a.logNormal(Math.log(30000), 0.5), 8000, 150000), -1);
      const pvKWp = hasPV ? round(clamp(a.logNormal(Math.log(15), 0.5), 5, 50), 1) : 0;
      const points = hasEV ? a.int(2, 4) : 0;
      const evKW = hasEV ? a.pick([7.4, 11]) : 0;
      const batteryKWh = hasBattery ? a.pick([20, 30, 50]) : 0;
      const meanKW = annual / 8760;
      const designKW = 2.5 * meanKW + 0.3 * points * evKW;
      out.push({
        kind: 'commercial',
        annualConsumptionKWh: annual,
        sanctionedLoadKW: 5 * Math.ceil(Math.max(15, 3 * meanKW + points * evKW) / 5),
        designKW,
        der: {
          hasPV,
          pvKWp,
          hasEV,
          evChargePoints: points,
          evChargerKW: evKW,
          ...(hasEV ? { evCharging: 'workplace' as const } : {}),
          hasBattery,
          batteryKWh,
          batteryKW: batteryKWh / 2,
        },
      });
    } else {
      const annual = round(clamp(a.logNormal(Math.log(3000), 0.35), 900, 12000), -1);
      const pvKWp = hasPV ? round(clamp(a.logNormal(Math.log(4), 0.3), 1, 10), 1) : 0;
      const evKW = hasEV ? (a.bernoulli(0.35) ? 3.7 : 7.4) : 0;
      const batteryKWh = hasBattery ? a.pick([5, 7.5, 10, 13.5]) : 0;
      const batteryKW = batteryKWh === 13.5 ? 5 : batteryKWh / 2;
      const meanKW = annual / 8760;
      const sanctioned = [3, 5, 7, 10, 15].find((s) => s >= 3 * meanKW + evKW + 1) ?? 15;
      out.push({
        kind: hasPV || hasBattery ? 'prosumer' : 'household',
        annualConsumptionKWh: annual,
        sanctionedLoadKW: sanctioned,
        designKW: 3 * meanKW + 0.3 * evKW,
        der: {
          hasPV,
          pvKWp,
          hasEV,
          evChargePoints: hasEV ? 1 : 0,
          evChargerKW: evKW,
          ...(hasEV ? { evCharging: 'home' as const } : {}),
          hasBattery,
          batteryKWh,
          batteryKW,
        },
      });
    }
  }
  return out;
}

function draftCpo(s: RandomStream): Draft {
  const points = s.int(2, 6);
  const kw = s.pick([22, 50]);
  const hasPV = s.bernoulli(0.2);
  return {
    kind: 'cpo',
    annualConsumptionKWh: round(points * kw * 8760 * 0.08, -1),
    sanctionedLoadKW: points * kw,
    designKW: 0.5 * points * kw,
    der: {
      hasPV,
      pvKWp: hasPV ? s.pick([10, 20, 30]) : 0,
      hasEV: true,
      evChargePoints: points,
      evChargerKW: kw,
      evCharging: 'destination',
      hasBattery: false,
      batteryKWh: 0,
      batteryKW: 0,
    },
  };
}
