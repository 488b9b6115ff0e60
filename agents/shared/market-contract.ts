import type { Diagnostic, Result } from '../../src/diagnostics.js';
import { fillRole } from '../../src/contracts/lifecycle.js';
import type { EnergyContract, RoleInputValue } from '../../src/contracts/model.js';
import { withTaxes } from '../../src/contracts/templates/index.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { EnergyResourceType, TimeWindow } from '../../src/protocol/payloads.js';
import { canonicalJson } from './terms.js';

/**
 * The participant's pay-as-clear contract for one interval, built the one way both sides build it:
 * the MCA's offered template, renamed and limited to the interval, the PROSUMER role filled with
 * the curve and the meter, then taxed (a percentage on the market-making fee, a duty per kWh on the
 * energy, both paid by the participant). The MCA rebuilds it to check a bid's terms.
 */
export interface BidContractOptions {
  /** The template from the MCA's `pay-as-clear` offer (PROSUMER role open). */
  readonly offerContract: EnergyContract;
  readonly contractId: string;
  /** RFC 3339 UTC of the simulated clock. */
  readonly createdAt: string;
  readonly window: TimeWindow;
  readonly participantId: string;
  readonly meterId: string;
  readonly offerCurve: OfferCurve;
  /** What the participant controls behind the meter; picks the device command of its setpoints. */
  readonly resourceType?: EnergyResourceType;
  readonly governmentId: string;
  /** Tax on the fee flow, percent (scenario `utility.feeTaxPct`). */
  readonly feeTaxPct: number;
  /** Duty per kWh on the energy flow (scenario `utility.dutyPerKWh`). */
  readonly dutyPerKWh: number;
  /** Include a tax or duty line even when its rate is 0 (default: only non-zero rates get a line). */
  readonly zeroRateLines?: boolean;
}

/** Builds the PENDING bid contract; diagnostics when the template lacks a role or flow it needs. */
export function bidContract(o: BidContractOptions): Result<EnergyContract> {
  const base: EnergyContract = { ...o.offerContract, contractId: o.contractId, createdAt: o.createdAt, validity: o.window, status: 'PENDING' };
  const inputs: Record<string, RoleInputValue> = { offerCurve: o.offerCurve, meterId: o.meterId, ...(o.resourceType === undefined ? {} : { resourceType: o.resourceType }) };
  const filled = fillRole(base, 'PROSUMER', o.participantId, inputs);
  if (!filled.ok) return filled;
  const withTax = o.zeroRateLines === true || o.feeTaxPct !== 0;
  const withDuty = o.zeroRateLines === true || o.dutyPerKWh !== 0;
  if (!withTax && !withDuty) return filled;
  return withTaxes(filled.value, {
    government: o.governmentId,
    payer: 'PROSUMER',
    ...(withTax ? { percent: { ratePercent: o.feeTaxPct, onFlows: ['fee'] } } : {}),
    ...(withDuty ? { duty: { ratePerUnit: o.dutyPerKWh, onFlows: ['energy'] } } : {}),
  });
}

/** The parts of a contract that fix who pays whom how much: flows, signals, telemetry, state, parameters. */
export function termsOf(c: EnergyContract): string {
  return canonicalJson({
    template: c.template ?? null,
    currency: c.currency,
    flows: c.revenueFlows,
    signals: c.inputSignals ?? [],
    telemetry: c.telemetrySources ?? [],
    state: c.state ?? [],
    params: c.inputParameters ?? {},
  });
}

/**
 * The contracts a bid may equal in its terms, built once by the market: with and without the
 * zero-rate tax lines (a rate of 0 may be written or left out). Terms do not depend on who bids
 * or with which curve, so any participant, meter and curve give the same variants.
 */
export function bidTermVariants(build: (zeroRateLines: boolean) => Result<EnergyContract>): Result<readonly EnergyContract[]> {
  const plain = build(false);
  if (!plain.ok) return plain;
  const zero = build(true);
  return { ok: true, value: zero.ok ? [plain.value, zero.value] : [plain.value], warnings: [] };
}

const termsCache = new WeakMap<EnergyContract, string>();

/**
 * Checks that a bid carries exactly the terms of one of `variants` (see {@link bidTermVariants}):
 * same flows, signals and parameters, the roles of the offer filled by the same parties (the
 * PROSUMER's excepted) and the offered market-making fee. Parameters named in `ignoreParams`
 * (added by later steps, e.g. approvals) are not compared. Every mismatch is returned.
 */
export function checkBidTerms(received: EnergyContract, variants: readonly EnergyContract[], ignoreParams: readonly string[] = []): Diagnostic[] {
  const strip = (c: EnergyContract): string => {
    if (ignoreParams.length === 0) return termsOf(c);
    const params = Object.fromEntries(Object.entries(c.inputParameters ?? {}).filter(([k]) => !ignoreParams.includes(k)));
    return termsOf({ ...c, inputParameters: params });
  };
  const cached = (c: EnergyContract): string => {
    let t = termsCache.get(c);
    if (t === undefined) {
      t = strip(c);
      termsCache.set(c, t);
    }
    return t;
  };
  const got = strip(received);
  const match = ignoreParams.length === 0 ? variants.find((v) => cached(v) === got) : variants.find((v) => strip(v) === got);
  if (match === undefined) {
    const want = variants[0];
    const flows = (c: EnergyContract | undefined): string => (c?.revenueFlows.flows ?? []).map((f) => f.flowId).join(', ');
    return [
      {
        code: 'bid.terms',
        path: 'contract.revenueFlows',
        message: `the contract's terms differ from the offered ones (flows ${flows(received)}; expected ${flows(want)} with the offered fee, tax and duty rates)`,
      },
    ];
  }
  const out: Diagnostic[] = [];
  for (const r of match.roles) {
    const mine = received.roles.find((x) => x.role === r.role);
    if (mine === undefined) out.push({ code: 'bid.role', path: 'contract.roles', message: `role ${r.role} is missing` });
    else if (r.filledBy !== undefined && r.role !== 'PROSUMER' && mine.filledBy !== r.filledBy) {
      out.push({ code: 'bid.role', path: 'contract.roles', message: `role ${r.role} must be filled by ${r.filledBy}, not ${mine.filledBy ?? 'nobody'}` });
    }
  }
  for (const mine of received.roles) {
    if (!match.roles.some((r) => r.role === mine.role)) out.push({ code: 'bid.role', path: 'contract.roles', message: `role ${mine.role} is not part of the offered contract` });
  }
  const offered = match.roles.find((r) => r.role === 'MARKET_CLEARING_AGENT')?.roleInputs ?? {};
  const asked = received.roles.find((r) => r.role === 'MARKET_CLEARING_AGENT')?.roleInputs ?? {};
  if (canonicalJson(offered.marketMakingFeePerKWh) !== canonicalJson(asked.marketMakingFeePerKWh)) {
    out.push({ code: 'bid.fee', path: 'contract.roles', message: `the market-making fee must stay ${String(offered.marketMakingFeePerKWh)} per kWh, got ${String(asked.marketMakingFeePerKWh)}` });
  }
  return out;
}
