import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import { parseMarketInput } from '../../src/market/index.js';
import type { GridMode, ParticipantSpec, PriceRule, Scenario } from '../../src/scenario/types.js';

/**
 * Parameters of the market clearing agent: the market rules of the scenario's `market` section,
 * the taxes and standing-contract rates of its `utility` section, and a few parameters of its own
 * participant entry.
 */
export interface McaParams {
  /** Name shown in the market's catalogue. */
  readonly name: string;
  /** Id of the virtual meter that carries the market's imbalance. */
  readonly virtualMeterId: string;
  readonly currency: string;
  /** Market-making fee per |cleared kWh|, charged to every participant. */
  readonly feePerKWh: number;
  readonly priceFloor: number;
  readonly priceCap: number;
  readonly priceTick: number;
  readonly priceRule: PriceRule;
  readonly gridMode: GridMode;
  /** Confirms are accepted until this long before delivery. */
  readonly gateClosureMinutes: number;
  /** Tax on the market-making fee and on wheeling, percent. */
  readonly feeTaxPct: number;
  /** Duty per traded kWh. */
  readonly dutyPerKWh: number;
  /** Wheeling charge per matched kWh, paid by the MCA to the grid operator. */
  readonly wheelingPerKWh: number;
  /** Penalty per kWh of the virtual meter's net. */
  readonly imbalancePenaltyPerKWh: number;
}

/** Keys every participant entry may carry besides its kind's own parameters. */
const COMMON_KEYS = new Set(['kind', 'id', 'idPrefix', 'count', 'transformer']);
const OWN_KEYS = new Set(['name', 'virtualMeterId', 'feePerKWh']);
const IDENTIFIER = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Reads and checks the MCA's parameters. Every problem is returned at once; paths are relative to
 * the participant entry (`feePerKWh`), and problems of the scenario's market rules that the MCA
 * cannot clear with are reported at the entry itself (path ``) naming the market field.
 */
export function mcaParams(spec: ParticipantSpec, scenario: Scenario, id: string): Result<McaParams> {
  const errors: Diagnostic[] = [];
  for (const key of Object.keys(spec)) {
    if (COMMON_KEYS.has(key) || OWN_KEYS.has(key)) continue;
    errors.push({ code: 'mca.unknown-param', path: key, message: `unknown parameter "${key}" for kind mca (known: ${[...OWN_KEYS].join(', ')})` });
  }
  if (spec.count !== 1) errors.push({ code: 'mca.count', path: 'count', message: `a scenario has one market clearing agent; count must be 1, got ${spec.count}` });
  if (spec.transformer !== undefined) errors.push({ code: 'mca.transformer', path: 'transformer', message: 'the market clearing agent has no physical connection; remove transformer' });

  const name = spec['name'] ?? 'Pay-as-clear market';
  if (typeof name !== 'string' || name.trim() === '') errors.push({ code: 'mca.name', path: 'name', message: 'name must be a non-empty string' });
  const meter = spec['virtualMeterId'] ?? `vm-${id}`;
  if (typeof meter !== 'string' || !IDENTIFIER.test(meter)) {
    errors.push({ code: 'mca.virtual-meter', path: 'virtualMeterId', message: 'virtualMeterId must be an id of lower-case letters, digits, ".", "_" or "-"' });
  }
  const fee = spec['feePerKWh'] ?? scenario.market.feePerKWh;
  if (typeof fee !== 'number' || !Number.isFinite(fee) || fee < 0) {
    errors.push({ code: 'mca.fee', path: 'feePerKWh', message: 'feePerKWh must be a number ≥ 0 (per kWh in the scenario currency)' });
  }

  const m = scenario.market;
  const probe = parseMarketInput({ currency: scenario.currency, priceFloor: m.priceFloor, priceCap: m.priceCap, priceTick: m.priceTick, priceRule: m.priceRule, participants: [] });
  if (!probe.ok) {
    for (const d of probe.errors) errors.push({ code: 'mca.market', path: '', message: `market.${d.path}: ${d.message}` });
  }
  if (errors.length > 0) return fail(errors);
  const u = scenario.utility;
  return ok({
    name: name as string,
    virtualMeterId: meter as string,
    currency: scenario.currency,
    feePerKWh: fee as number,
    priceFloor: m.priceFloor,
    priceCap: m.priceCap,
    priceTick: m.priceTick,
    priceRule: m.priceRule,
    gridMode: m.gridMode,
    gateClosureMinutes: m.gateClosureMinutes,
    feeTaxPct: u.feeTaxPct,
    dutyPerKWh: u.dutyPerKWh,
    wheelingPerKWh: u.wheelingPerKWh,
    imbalancePenaltyPerKWh: u.imbalancePenaltyPerKWh,
  });
}
