import { fail, ok, type Diagnostic, type Result } from '../src/diagnostics.js';
import {
  BUS_KINDS,
  CUSTOMER_KINDS,
  FEEDER_HEAD_ID,
  NO_DER,
  type BusKind,
  type CustomerConnection,
  type CustomerKind,
  type DerFlags,
  type EvChargingKind,
  type Feeder,
  type FeederBus,
  type FeederLine,
  type FeederLoad,
  type FeederTransformer,
  type FlowLimits,
  type LineStatus,
} from './feeder.js';
import { buildRadialTree, type TopologyBranch } from './topology.js';

/** Power factor used for default transformer limits: limit kW = rating kVA × this. */
export const DEFAULT_LIMIT_POWER_FACTOR = 0.9;
/** Secondary voltage assumed for a transformer that does not state one: the 400 V LV level. */
export const DEFAULT_SECONDARY_KV = 0.4;
/** X/R ratio assumed when a transformer gives only its impedance in percent. */
export const DEFAULT_TRANSFORMER_X_OVER_R = 3;

type Json = Readonly<Record<string, unknown>>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects diagnostics while reading typed fields out of an untyped document. */
class Reader {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];

  constructor(private readonly file: string | undefined) {}

  error(code: string, path: string, message: string): void {
    this.errors.push(this.file === undefined ? { code, path, message } : { code, path, message, file: this.file });
  }

  warn(code: string, path: string, message: string): void {
    this.warnings.push(this.file === undefined ? { code, path, message } : { code, path, message, file: this.file });
  }

  /** Warns about keys not in `known`: a misspelt optional field would otherwise pass silently. */
  knownKeys(obj: Json, path: string, known: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) {
        this.warn('feeder.unknown-field', join(path, key), `unknown field '${key}' is ignored (expected one of: ${known.join(', ')})`);
      }
    }
  }

  record(v: unknown, path: string): Json | undefined {
    if (isRecord(v)) return v;
    this.error('schema.type', path, `expected an object, got ${describe(v)}`);
    return undefined;
  }

  array(obj: Json, key: string, path: string): readonly unknown[] {
    const v = obj[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.error('schema.type', join(path, key), `expected a list, got ${describe(v)}`);
    return [];
  }

  /** A bus or element id: a non-empty string, or an integer (read as its decimal text). */
  id(obj: Json, key: string, path: string, required: boolean): string | undefined {
    const v = obj[key];
    const p = join(path, key);
    if (v === undefined || v === null) {
      if (required) this.error('schema.required', p, `'${key}' is required`);
      return undefined;
    }
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return String(v);
    this.error('schema.type', p, `expected a non-empty string id, got ${describe(v)}`);
    return undefined;
  }

  string(obj: Json, key: string, path: string, required: boolean): string | undefined {
    const v = obj[key];
    const p = join(path, key);
    if (v === undefined || v === null) {
      if (required) this.error('schema.required', p, `'${key}' is required`);
      return undefined;
    }
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.error('schema.type', p, `expected a non-empty string, got ${describe(v)}`);
    return undefined;
  }

  /** A finite number within [min, max] (or (min, max] when `positive`); undefined when absent. */
  number(
    obj: Json,
    key: string,
    path: string,
    opts: { readonly required?: boolean; readonly min?: number; readonly max?: number; readonly positive?: boolean; readonly unit?: string },
  ): number | undefined {
    const v = obj[key];
    const p = join(path, key);
    if (v === undefined || v === null) {
      if (opts.required === true) this.error('schema.required', p, `'${key}' is required${opts.unit === undefined ? '' : ` (${opts.unit})`}`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.error('schema.type', p, `expected a finite number${opts.unit === undefined ? '' : ` in ${opts.unit}`}, got ${describe(v)}`);
      return undefined;
    }
    if (opts.positive === true && !(v > 0)) {
      this.error('schema.range', p, `must be greater than 0, got ${v}`);
      return undefined;
    }
    if (opts.min !== undefined && v < opts.min) {
      this.error('schema.range', p, `must be at least ${opts.min}, got ${v}`);
      return undefined;
    }
    if (opts.max !== undefined && v > opts.max) {
      this.error('schema.range', p, `must be at most ${opts.max}, got ${v}`);
      return undefined;
    }
    return v;
  }

  boolean(obj: Json, key: string, path: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    this.error('schema.type', join(path, key), `expected true or false, got ${describe(v)}`);
    return undefined;
  }

  oneOf<T extends string>(obj: Json, key: string, path: string, allowed: readonly T[], required: boolean): T | undefined {
    const v = obj[key];
    const p = join(path, key);
    if (v === undefined || v === null) {
      if (required) this.error('schema.required', p, `'${key}' is required (one of: ${allowed.join(', ')})`);
      return undefined;
    }
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.error('schema.enum', p, `expected one of ${allowed.join(', ')}, got ${describe(v)}`);
    return undefined;
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const FEEDER_KEYS = [
  'name',
  'baseKV',
  'slackBus',
  'slackVoltagePu',
  'slackAngleDeg',
  'limitPowerFactor',
  'headLimits',
  'buses',
  'lines',
  'transformers',
  'loads',
  'connections',
  'description',
] as const;
const BUS_KEYS = ['id', 'kind', 'description'] as const;
const LINE_KEYS = ['id', 'from', 'to', 'rOhm', 'xOhm', 'rOhmPerKm', 'xOhmPerKm', 'lengthKm', 'ratedA', 'status'] as const;
const TRANSFORMER_KEYS = [
  'id',
  'from',
  'to',
  'ratingKVA',
  'rOhm',
  'xOhm',
  'impedancePct',
  'xOverR',
  'secondaryKV',
  'tapRatio',
  'maxForwardFlowKW',
  'maxReverseFlowKW',
] as const;
const LOAD_KEYS = ['id', 'bus', 'pKW', 'qKVAr'] as const;
const CONNECTION_KEYS = ['meterId', 'bus', 'transformer', 'kind', 'sanctionedLoadKW', 'annualConsumptionKWh', 'der'] as const;
const DER_KEYS = [
  'hasPV',
  'pvKWp',
  'hasEV',
  'evChargePoints',
  'evChargerKW',
  'evCharging',
  'hasBattery',
  'batteryKWh',
  'batteryKW',
] as const;
const LIMIT_KEYS = ['maxForwardFlowKW', 'maxReverseFlowKW'] as const;

/** Bus ids in first-seen order with their declaration, so inferred buses keep the file's order. */
class BusRegistry {
  readonly ids: string[] = [];
  readonly index = new Map<string, number>();
  readonly kinds = new Map<string, BusKind>();

  add(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }
}

interface DraftBranch {
  readonly kind: 'line' | 'transformer';
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly path: string;
  /** Index in the feeder's lines or transformers. */
  readonly element: number;
}

/**
 * Reads a feeder document (a feeder file already parsed from JSON or YAML) into a `Feeder`.
 * Returns every problem at once, each with its path (`lines[4].rOhm`); checks that the closed
 * lines and transformers form one radial tree from the slack bus, naming the line that closes a
 * loop or the buses left unconnected; checks that every transformer's `from` (primary) faces the
 * slack bus; fills defaults (line ids `from-to`, transformer limits = rating × power factor,
 * connection transformers from the topology). Unknown fields give warnings.
 */
export function parseFeeder(doc: unknown, file?: string): Result<Feeder> {
  const r = new Reader(file);
  const root = r.record(doc, '');
  if (root === undefined) return fail(r.errors);
  r.knownKeys(root, '', FEEDER_KEYS);

  const name = r.string(root, 'name', '', true);
  const baseKV = r.number(root, 'baseKV', '', { required: true, positive: true, unit: 'kV line-to-line' });
  const slackBus = r.id(root, 'slackBus', '', true);
  const slackVoltagePu = r.number(root, 'slackVoltagePu', '', { min: 0.8, max: 1.2, unit: 'pu' }) ?? 1;
  const slackAngleDeg = r.number(root, 'slackAngleDeg', '', { min: -180, max: 180, unit: 'degrees' }) ?? 0;
  const limitPowerFactor = r.number(root, 'limitPowerFactor', '', { positive: true, max: 1 }) ?? DEFAULT_LIMIT_POWER_FACTOR;
  const headLimits = readLimits(r, root, 'headLimits');

  const buses = new BusRegistry();
  if (slackBus !== undefined) buses.add(slackBus);
  const declaredBuses = root['buses'] !== undefined && root['buses'] !== null;
  const busList = r.array(root, 'buses', '');
  const declared = new Set<string>();
  busList.forEach((item, i) => {
    const p = `buses[${i}]`;
    const b = r.record(item, p);
    if (b === undefined) return;
    r.knownKeys(b, p, BUS_KEYS);
    const id = r.id(b, 'id', p, true);
    const kind = r.oneOf(b, 'kind', p, BUS_KINDS, false);
    if (id === undefined) return;
    if (declared.has(id)) r.error('feeder.duplicate-id', join(p, 'id'), `bus '${id}' is declared twice`);
    declared.add(id);
    buses.add(id);
    if (kind !== undefined) buses.kinds.set(id, kind);
  });
  /** A bus named by a line, transformer, load or connection; must be declared when buses are. */
  const busRef = (obj: Json, key: string, path: string, inferable: boolean): string | undefined => {
    const id = r.id(obj, key, path, true);
    if (id === undefined) return undefined;
    if (buses.index.has(id)) return id;
    if (declaredBuses || !inferable) {
      r.error(
        'feeder.unknown-bus',
        join(path, key),
        declaredBuses ? `bus '${id}' is not in the buses list` : `bus '${id}' is not connected by any line or transformer`,
      );
      return undefined;
    }
    buses.add(id);
    return id;
  };

  const branchIds = new Set<string>();
  const claimBranchId = (id: string, path: string): void => {
    if (id === FEEDER_HEAD_ID) r.error('feeder.reserved-id', path, `'${FEEDER_HEAD_ID}' is reserved for the feeder head`);
    if (branchIds.has(id)) r.error('feeder.duplicate-id', path, `id '${id}' is used by another line or transformer`);
    branchIds.add(id);
  };

  const lines: FeederLine[] = [];
  const branches: DraftBranch[] = [];
  const autoIds = new Map<string, number>();
  const explicitLineIds = new Set<string>();
  const lineItems = r.array(root, 'lines', '');
  for (const item of lineItems) {
    if (isRecord(item)) {
      const v = item['id'];
      if (typeof v === 'string' || typeof v === 'number') explicitLineIds.add(String(v));
    }
  }
  lineItems.forEach((item, i) => {
    const p = `lines[${i}]`;
    const l = r.record(item, p);
    if (l === undefined) return;
    r.knownKeys(l, p, LINE_KEYS);
    const from = busRef(l, 'from', p, true);
    const to = busRef(l, 'to', p, true);
    const explicitId = r.id(l, 'id', p, false);
    const lengthKm = r.number(l, 'lengthKm', p, { positive: true, unit: 'km' });
    const ratedA = r.number(l, 'ratedA', p, { positive: true, unit: 'A' });
    const status = r.oneOf<LineStatus>(l, 'status', p, ['closed', 'open'], false) ?? 'closed';
    const hasTotal = l['rOhm'] !== undefined || l['xOhm'] !== undefined;
    const hasPerKm = l['rOhmPerKm'] !== undefined || l['xOhmPerKm'] !== undefined;
    let rOhm: number | undefined;
    let xOhm: number | undefined;
    if (hasTotal && hasPerKm) {
      r.error('feeder.ambiguous', p, 'give either rOhm/xOhm (total) or rOhmPerKm/xOhmPerKm with lengthKm, not both');
    } else if (hasPerKm) {
      const rPerKm = r.number(l, 'rOhmPerKm', p, { required: true, min: 0, unit: 'ohm/km' });
      const xPerKm = r.number(l, 'xOhmPerKm', p, { required: true, unit: 'ohm/km' });
      if (l['lengthKm'] === undefined) r.error('schema.required', join(p, 'lengthKm'), "'lengthKm' is required with per-km impedances");
      if (rPerKm !== undefined && xPerKm !== undefined && lengthKm !== undefined) {
        rOhm = rPerKm * lengthKm;
        xOhm = xPerKm * lengthKm;
      }
    } else {
      rOhm = r.number(l, 'rOhm', p, { required: true, min: 0, unit: 'ohm' });
      xOhm = r.number(l, 'xOhm', p, { required: true, unit: 'ohm' });
    }
    if (from === undefined || to === undefined || rOhm === undefined || xOhm === undefined) return;
    let id = explicitId;
    if (id === undefined) {
      const base = `${from}-${to}`;
      const seen = autoIds.get(base) ?? 0;
      autoIds.set(base, seen + 1);
      id = seen === 0 && !explicitLineIds.has(base) ? base : `${base}#${seen + 1}`;
    }
    claimBranchId(id, join(p, 'id'));
    const line: FeederLine = {
      id,
      from,
      to,
      rOhm,
      xOhm,
      status,
      ...(lengthKm === undefined ? {} : { lengthKm }),
      ...(ratedA === undefined ? {} : { ratedA }),
    };
    if (status === 'closed') branches.push({ kind: 'line', id, from, to, path: p, element: lines.length });
    lines.push(line);
  });

  const transformers: FeederTransformer[] = [];
  r.array(root, 'transformers', '').forEach((item, i) => {
    const p = `transformers[${i}]`;
    const t = r.record(item, p);
    if (t === undefined) return;
    r.knownKeys(t, p, TRANSFORMER_KEYS);
    const id = r.id(t, 'id', p, true);
    const from = busRef(t, 'from', p, true);
    const to = busRef(t, 'to', p, true);
    const ratingKVA = r.number(t, 'ratingKVA', p, { required: true, positive: true, unit: 'kVA' });
    const secondaryKV = r.number(t, 'secondaryKV', p, { positive: true, unit: 'kV line-to-line' }) ?? DEFAULT_SECONDARY_KV;
    const tapRatio = r.number(t, 'tapRatio', p, { min: 0.8, max: 1.2, unit: 'pu' }) ?? 1;
    const hasOhm = t['rOhm'] !== undefined || t['xOhm'] !== undefined;
    const hasPct = t['impedancePct'] !== undefined;
    let rOhm: number | undefined;
    let xOhm: number | undefined;
    if (hasOhm && hasPct) {
      r.error('feeder.ambiguous', p, 'give either rOhm/xOhm (referred to the secondary side) or impedancePct, not both');
    } else if (hasPct) {
      const zPct = r.number(t, 'impedancePct', p, { positive: true, max: 30, unit: '% on the rating' });
      const xOverR = r.number(t, 'xOverR', p, { min: 0 }) ?? DEFAULT_TRANSFORMER_X_OVER_R;
      if (zPct !== undefined && ratingKVA !== undefined) {
        const zOhm = (zPct / 100) * ((secondaryKV * secondaryKV * 1000) / ratingKVA);
        rOhm = zOhm / Math.sqrt(1 + xOverR * xOverR);
        xOhm = rOhm * xOverR;
      }
    } else {
      rOhm = r.number(t, 'rOhm', p, { required: true, min: 0, unit: 'ohm referred to the secondary side' });
      xOhm = r.number(t, 'xOhm', p, { required: true, unit: 'ohm referred to the secondary side' });
    }
    const fwd = r.number(t, 'maxForwardFlowKW', p, { min: 0, unit: 'kW' });
    const rev = r.number(t, 'maxReverseFlowKW', p, { min: 0, unit: 'kW' });
    if (id === undefined || from === undefined || to === undefined || ratingKVA === undefined || rOhm === undefined || xOhm === undefined) {
      return;
    }
    claimBranchId(id, join(p, 'id'));
    const defaultLimit = ratingKVA * limitPowerFactor;
    branches.push({ kind: 'transformer', id, from, to, path: p, element: transformers.length });
    transformers.push({
      id,
      from,
      to,
      ratingKVA,
      rOhm,
      xOhm,
      secondaryKV,
      tapRatio,
      maxForwardFlowKW: fwd ?? defaultLimit,
      maxReverseFlowKW: rev ?? defaultLimit,
    });
  });

  const loads: FeederLoad[] = [];
  r.array(root, 'loads', '').forEach((item, i) => {
    const p = `loads[${i}]`;
    const l = r.record(item, p);
    if (l === undefined) return;
    r.knownKeys(l, p, LOAD_KEYS);
    const bus = busRef(l, 'bus', p, false);
    const pKW = r.number(l, 'pKW', p, { required: true, unit: 'kW (positive = consumption)' });
    const qKVAr = r.number(l, 'qKVAr', p, { unit: 'kVAr' }) ?? 0;
    if (bus === undefined || pKW === undefined) return;
    loads.push({ bus, pKW, qKVAr });
  });

  const draftConnections: { readonly c: Omit<CustomerConnection, 'transformer'>; readonly transformer: string | undefined; readonly path: string }[] = [];
  const meters = new Set<string>();
  const transformerIds = new Set(transformers.map((t) => t.id));
  r.array(root, 'connections', '').forEach((item, i) => {
    const p = `connections[${i}]`;
    const c = r.record(item, p);
    if (c === undefined) return;
    r.knownKeys(c, p, CONNECTION_KEYS);
    const meterId = r.id(c, 'meterId', p, true);
    const bus = busRef(c, 'bus', p, false);
    const transformer = r.id(c, 'transformer', p, false);
    const kind = r.oneOf<CustomerKind>(c, 'kind', p, CUSTOMER_KINDS, true);
    const sanctionedLoadKW = r.number(c, 'sanctionedLoadKW', p, { positive: true, unit: 'kW' });
    const annualConsumptionKWh = r.number(c, 'annualConsumptionKWh', p, { min: 0, unit: 'kWh' });
    const der = readDer(r, c, p);
    if (transformer !== undefined && !transformerIds.has(transformer)) {
      r.error('feeder.unknown-transformer', join(p, 'transformer'), `transformer '${transformer}' is not in the transformers list`);
    }
    if (meterId !== undefined) {
      if (meters.has(meterId)) r.error('feeder.duplicate-id', join(p, 'meterId'), `meter '${meterId}' is connected twice`);
      meters.add(meterId);
    }
    if (meterId === undefined || bus === undefined || kind === undefined || der === undefined) return;
    draftConnections.push({
      c: {
        meterId,
        bus,
        kind,
        der,
        ...(sanctionedLoadKW === undefined ? {} : { sanctionedLoadKW }),
        ...(annualConsumptionKWh === undefined ? {} : { annualConsumptionKWh }),
      },
      transformer,
      path: p,
    });
  });

  if (r.errors.length > 0 || name === undefined || baseKV === undefined || slackBus === undefined) return fail(r.errors);

  // Topology: one radial tree from the slack bus, transformers oriented primary → secondary.
  const topoBranches: TopologyBranch[] = branches.map((b) => ({
    id: b.id,
    from: buses.index.get(b.from)!,
    to: buses.index.get(b.to)!,
    path: b.path,
  }));
  const topo = buildRadialTree(buses.ids, 0, topoBranches);
  if (!topo.ok) return fail(topo.errors.map((d) => (file === undefined ? d : { ...d, file })));
  const { tree } = topo;
  const upstreamTransformer = new Int32Array(buses.ids.length).fill(-1);
  for (let k = 1; k < tree.order.length; k++) {
    const bus = tree.order[k]!;
    const b = branches[tree.parentBranch[bus]!]!;
    if (b.kind === 'transformer') {
      if (buses.index.get(b.to) !== bus) {
        r.error(
          'feeder.transformer-orientation',
          b.path,
          `transformer '${b.id}': 'from' must be the primary side, facing the slack bus '${slackBus}'; here '${b.to}' is upstream of '${b.from}'`,
        );
      }
      upstreamTransformer[bus] = b.element;
    } else {
      upstreamTransformer[bus] = upstreamTransformer[tree.parent[bus]!]!;
    }
  }
  const connections: CustomerConnection[] = [];
  for (const d of draftConnections) {
    const up = upstreamTransformer[buses.index.get(d.c.bus)!]!;
    const actual = up === -1 ? null : transformers[up]!.id;
    if (d.transformer !== undefined && d.transformer !== actual) {
      r.error(
        'feeder.connection-transformer',
        join(d.path, 'transformer'),
        `meter '${d.c.meterId}' at bus '${d.c.bus}' is supplied by ${actual === null ? 'no transformer' : `transformer '${actual}'`}, not '${d.transformer}'`,
      );
    }
    connections.push({ ...d.c, transformer: actual });
  }
  if (r.errors.length > 0) return fail(r.errors);

  const busesOut: FeederBus[] = buses.ids.map((id) => {
    const kind = buses.kinds.get(id);
    return kind === undefined ? { id } : { id, kind };
  });
  const feeder: Feeder = {
    name,
    baseKV,
    slackBus,
    slackVoltagePu,
    slackAngleDeg,
    ...(headLimits === undefined ? {} : { headLimits }),
    buses: busesOut,
    lines,
    transformers,
    loads,
    connections,
  };
  return ok(feeder, r.warnings);
}

function readLimits(r: Reader, obj: Json, key: string): FlowLimits | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  const lim = r.record(v, key);
  if (lim === undefined) return undefined;
  r.knownKeys(lim, key, LIMIT_KEYS);
  const f = r.number(lim, 'maxForwardFlowKW', key, { required: true, min: 0, unit: 'kW' });
  const b = r.number(lim, 'maxReverseFlowKW', key, { required: true, min: 0, unit: 'kW' });
  return f === undefined || b === undefined ? undefined : { maxForwardFlowKW: f, maxReverseFlowKW: b };
}

function readDer(r: Reader, c: Json, path: string): DerFlags | undefined {
  const v = c['der'];
  if (v === undefined || v === null) return NO_DER;
  const p = join(path, 'der');
  const d = r.record(v, p);
  if (d === undefined) return undefined;
  r.knownKeys(d, p, DER_KEYS);
  const errorsBefore = r.errors.length;
  const pvKWp = r.number(d, 'pvKWp', p, { min: 0, unit: 'kWp' }) ?? 0;
  const evChargePoints = r.number(d, 'evChargePoints', p, { min: 0, unit: 'charge points' });
  const evChargerKW = r.number(d, 'evChargerKW', p, { min: 0, unit: 'kW' }) ?? 0;
  const evCharging = r.oneOf<EvChargingKind>(d, 'evCharging', p, ['home', 'workplace', 'destination'], false);
  const batteryKWh = r.number(d, 'batteryKWh', p, { min: 0, unit: 'kWh' }) ?? 0;
  const batteryKW = r.number(d, 'batteryKW', p, { min: 0, unit: 'kW' }) ?? 0;
  if (evChargePoints !== undefined && !Number.isInteger(evChargePoints)) {
    r.error('schema.type', join(p, 'evChargePoints'), `expected a whole number, got ${evChargePoints}`);
  }
  const points = evChargePoints ?? (evChargerKW > 0 ? 1 : 0);
  const derived = { hasPV: pvKWp > 0, hasEV: points > 0 && evChargerKW > 0, hasBattery: batteryKWh > 0 && batteryKW > 0 };
  for (const flag of ['hasPV', 'hasEV', 'hasBattery'] as const) {
    const stated = r.boolean(d, flag, p);
    if (stated !== undefined && stated !== derived[flag]) {
      const needs = flag === 'hasPV' ? 'pvKWp > 0' : flag === 'hasEV' ? 'evChargerKW > 0 and evChargePoints ≥ 1' : 'batteryKWh > 0 and batteryKW > 0';
      r.error('feeder.der-inconsistent', join(p, flag), `${flag} is ${stated} but ${stated ? 'it needs' : 'the sizes give'} ${needs}`);
    }
  }
  if (r.errors.length > errorsBefore) return undefined;
  return {
    ...derived,
    pvKWp,
    evChargePoints: derived.hasEV ? points : 0,
    evChargerKW,
    ...(evCharging === undefined ? {} : { evCharging }),
    batteryKWh,
    batteryKW,
  };
}
