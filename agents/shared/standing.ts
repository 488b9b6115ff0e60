import { assign, emit, setup } from 'xstate';
import type { Result } from '../../src/diagnostics.js';
import type { SimClock } from '../../src/kernel/clock.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { marketImbalance, marketWheeling, participantDeviation, withTaxes, type DeviationPricing } from '../../src/contracts/templates/index.js';
import type { TimeWindow } from '../../src/protocol/payloads.js';
import type { UtilitySettings } from '../../src/scenario/types.js';

/**
 * Standing contracts with the grid operator, formed once at setup and valid for the whole run:
 * each participant's deviation contract and the market's wheeling and imbalance contracts. Both
 * sides build them with these functions from the scenario's utility rules, so the utility can
 * check that a request carries its own tariff; and the requesting side (BAP) follows the
 * {@link standingContractMachine} through init → on_init → confirm → on_confirm.
 */

/** The whole run as a window: the start of interval 0 to the end of the last interval. */
export function runWindow(clock: SimClock): TimeWindow {
  return { start: clock.intervalStartIso(0), end: clock.intervalStartIso(clock.intervals) };
}

/** How deviations are billed under the scenario's utility rules. */
export function deviationPricing(u: UtilitySettings): DeviationPricing {
  return u.deviationMode === 'tariff' ? { kind: 'tariff', retailPerKWh: u.retailPerKWh, feedInPerKWh: u.feedInPerKWh } : { kind: 'penalty', penaltyPerKWh: u.deviationPenaltyPerKWh };
}

interface StandingBase {
  readonly contractId: string;
  readonly createdAt: string;
  readonly currency: string;
  readonly validity: TimeWindow;
  readonly utilityId: string;
  readonly utility: UtilitySettings;
}

/** A participant's PENDING deviation contract for its meter (template grid/deviation). */
export function deviationContract(o: StandingBase & { readonly participantId: string; readonly meterId: string }): EnergyContract {
  return participantDeviation({
    contractId: o.contractId,
    createdAt: o.createdAt,
    currency: o.currency,
    status: 'PENDING',
    validity: o.validity,
    gridOperator: o.utilityId,
    participant: o.participantId,
    meterId: o.meterId,
    pricing: deviationPricing(o.utility),
  });
}

/** The market's PENDING wheeling contract, taxed at `feeTaxPct` on the wheeling flow (paid by the MCA). */
export function wheelingContract(o: StandingBase & { readonly mcaId: string; readonly governmentId: string }): Result<EnergyContract> {
  const c = marketWheeling({ contractId: o.contractId, createdAt: o.createdAt, currency: o.currency, status: 'PENDING', validity: o.validity, mca: o.mcaId, gridOperator: o.utilityId, wheelingPerKWh: o.utility.wheelingPerKWh });
  return withTaxes(c, { government: o.governmentId, payer: 'MARKET_CLEARING_AGENT', percent: { ratePercent: o.utility.feeTaxPct, onFlows: ['wheeling'] } });
}

/** The market's PENDING imbalance contract on its virtual meter. */
export function imbalanceContract(o: StandingBase & { readonly mcaId: string; readonly virtualMeterId: string }): EnergyContract {
  return marketImbalance({
    contractId: o.contractId,
    createdAt: o.createdAt,
    currency: o.currency,
    status: 'PENDING',
    validity: o.validity,
    mca: o.mcaId,
    gridOperator: o.utilityId,
    penaltyPerKWh: o.utility.imbalancePenaltyPerKWh,
    virtualMeterId: o.virtualMeterId,
  });
}

export type StandingEvent =
  | { readonly type: 'REQUEST' }
  | { readonly type: 'OFFERED' }
  | { readonly type: 'ACTIVATED' }
  | { readonly type: 'REFUSED'; readonly reason: string };

export type StandingEffect =
  | { readonly type: 'sendInit' }
  | { readonly type: 'sendConfirm' }
  | { readonly type: 'active' }
  | { readonly type: 'refused'; readonly reason: string };

/**
 * The requesting side of a standing contract: `idle ─REQUEST─▶ requested ─OFFERED─▶ offered
 * ─ACTIVATED─▶ active`, or `refused` when the provider answers with a TERMINATED contract (or a
 * NACK) at either step. On `OFFERED` it emits `sendConfirm`: the requester accepts the provider's
 * final terms as they came back in on_init.
 */
export const standingContractMachine = setup({
  types: { context: {} as { readonly refusal: string | undefined }, events: {} as StandingEvent, emitted: {} as StandingEffect },
}).createMachine({
  id: 'standingContract',
  initial: 'idle',
  context: { refusal: undefined },
  states: {
    idle: { on: { REQUEST: { target: 'requested', actions: emit({ type: 'sendInit' }) } } },
    requested: {
      on: {
        OFFERED: { target: 'offered', actions: emit({ type: 'sendConfirm' }) },
        REFUSED: { target: 'refused', actions: [assign({ refusal: ({ event }) => event.reason }), emit(({ event }) => ({ type: 'refused' as const, reason: event.reason }))] },
      },
    },
    offered: {
      on: {
        ACTIVATED: { target: 'active', actions: emit({ type: 'active' }) },
        REFUSED: { target: 'refused', actions: [assign({ refusal: ({ event }) => event.reason }), emit(({ event }) => ({ type: 'refused' as const, reason: event.reason }))] },
      },
    },
    active: {},
    refused: {},
  },
});
