import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { touTariff, type TouBand as TemplateBand } from '../../src/contracts/templates/index.js';
import type { TimeWindow } from '../../src/protocol/payloads.js';
import type { UtilitySettings } from '../../src/scenario/types.js';
import { touRetail } from '../participant/economics.js';
import { roleOf, stringRoleInput } from '../shared/terms.js';
import type { MeterRecord } from './policy.js';

/**
 * The utility's retail tariff as a contract (template `tariff/time-of-use`): a customer that buys
 * all its energy from the utility, outside any market, forms it once at setup through init and
 * confirm. Both sides build it with {@link tariffContract} from the scenario's `utility` section, so
 * the utility can check that a request carries exactly its published tariff: the time-of-use bands
 * where the scenario has them (flat retail elsewhere), and export paid at the feed-in tariff.
 */

/** Offer id under which the utility provides its retail tariff. */
export const TARIFF_OFFER_ID = 'retail-tariff';

/** Contract id of a customer's tariff contract. */
export function tariffContractId(customerId: string): string {
  return `tou-${customerId}`;
}

/**
 * The scenario's time-of-use bands (UTC hours, first matching band wins, flat retail outside every
 * band) as the template's daily table: a band starts at each hour where the price changes and
 * lasts until the next. The price only changes where some band begins or ends, so the table is
 * exact. Without bands, one band at the flat retail price from 0 h.
 */
export function touBandsOf(u: Pick<UtilitySettings, 'retailPerKWh' | 'touPerKWh'>): readonly [TemplateBand, ...TemplateBand[]] {
  const cuts = new Set<number>([0]);
  for (const b of u.touPerKWh ?? []) {
    cuts.add(b.fromHour % 24);
    cuts.add(b.toHour % 24);
  }
  const out: TemplateBand[] = [];
  for (const h of [...cuts].sort((a, b) => a - b)) {
    const price = touRetail(u.touPerKWh, u.retailPerKWh, h);
    if (out.length === 0 || out[out.length - 1]?.pricePerKWh !== price) out.push({ fromHour: h, pricePerKWh: price });
  }
  return out as [TemplateBand, ...TemplateBand[]];
}

export interface TariffContractOptions {
  readonly contractId: string;
  /** RFC 3339 UTC of the simulated clock. */
  readonly createdAt: string;
  readonly currency: string;
  readonly validity: TimeWindow;
  readonly utilityId: string;
  readonly customerId: string;
  readonly meterId: string;
  readonly utility: UtilitySettings;
}

/**
 * A customer's PENDING tariff contract for its meter: imports at the time-of-use price of the
 * interval (UTC bands), exports at the feed-in tariff. Settled every interval from the meter.
 */
export function tariffContract(o: TariffContractOptions): Result<EnergyContract> {
  return touTariff({
    contractId: o.contractId,
    createdAt: o.createdAt,
    currency: o.currency,
    status: 'PENDING',
    validity: o.validity,
    utility: o.utilityId,
    customer: o.customerId,
    meterId: o.meterId,
    rates: { kind: 'table', bands: touBandsOf(o.utility), utcOffsetMinutes: 0 },
    exportPerKWh: o.utility.feedInPerKWh,
  });
}

/** What the utility needs to check a tariff request. */
export interface TariffCheck {
  /** Sender of the init. */
  readonly from: string;
  readonly meters: ReadonlyMap<string, MeterRecord>;
  /** True when the sender already buys under a deviation contract (one retail arrangement per meter). */
  readonly hasDeviationContract: boolean;
  readonly base: Omit<TariffContractOptions, 'contractId' | 'customerId' | 'meterId'>;
}

/**
 * The contract the utility offers for a tariff request, or why it refuses: the contract must be
 * named after its sender, the CONSUMER role filled by the sender with one of its own meters, and
 * the sender must not already settle that meter under a deviation contract (its energy would be
 * billed twice).
 */
export function tariffOffer(c: EnergyContract, check: TariffCheck): Result<EnergyContract> {
  const { from } = check;
  const meterId = stringRoleInput(c, 'CONSUMER', 'meterId');
  const meter = meterId === undefined ? undefined : check.meters.get(meterId);
  const problem = (message: string): Result<EnergyContract> => fail([{ code: 'tariff.refused', path: 'contract', message } satisfies Diagnostic]);
  if (c.contractId !== tariffContractId(from)) return problem(`a tariff contract of ${from} is named ${tariffContractId(from)}`);
  if (roleOf(c, 'CONSUMER')?.filledBy !== from) return problem(`the CONSUMER role must be filled by the sender ${from}`);
  if (meterId === undefined || meter === undefined) return problem(`meter ${meterId ?? '(none)'} is not a connection of this utility`);
  if (meter.participantId !== from) return problem(`meter ${meterId} is not ${from}'s connection`);
  if (check.hasDeviationContract) return problem(`${from} already settles its meter under a deviation contract; a meter has one retail arrangement`);
  const r = tariffContract({ ...check.base, contractId: c.contractId, customerId: from, meterId });
  return r.ok ? ok(r.value) : r;
}
