import { assign, emit, setup } from 'xstate';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { EnergyDelivery, SettlementReport } from '../../src/protocol/payloads.js';
import { refusalOf } from '../shared/terms.js';
import { confirmContract, sameMoneyTerms } from './terms.js';

/**
 * The participant's side of one interval's pay-as-clear transaction:
 *
 * ```
 * idle ─BID─▶ initiated ─ON_INIT─▶ confirmed ─ON_CONFIRM(active)─▶ cleared ─DISPATCH─▶ delivering ─ON_STATUS─▶ settled
 * ```
 *
 * with the ways a deal can fail to happen: the market or grid operator refuses (a TERMINATED
 * contract), the on_init changes the money terms (the participant declines and does not confirm),
 * a message is refused (NACK), the gate closes before on_init came back, or no outcome arrives by
 * delivery. Every failure waits for DISPATCH and then emits one `noDeal` with its reason, so the
 * agent records exactly one dispatch row per interval. There is no `select`: the clearing outcome
 * is binding. The machine never reads a clock; gate closure and dispatch are events the agent
 * sends from its phases.
 */

export type NoDealReason = 'no-offer' | 'gate-missed' | 'refused' | 'declined' | 'failed' | 'no-outcome';

export type MarketEvent =
  /** The bid contract (PENDING, curve filled) is ready to go out as init. */
  | { readonly type: 'BID'; readonly contract: EnergyContract }
  | { readonly type: 'ON_INIT'; readonly contract: EnergyContract }
  | { readonly type: 'ON_CONFIRM'; readonly contract: EnergyContract; readonly delivery?: EnergyDelivery }
  | { readonly type: 'NACK'; readonly action: string; readonly code: string; readonly message: string }
  | { readonly type: 'GATE_CLOSED' }
  | { readonly type: 'DISPATCH' }
  | { readonly type: 'ON_STATUS'; readonly report: SettlementReport };

export type MarketEffect =
  | { readonly type: 'sendInit'; readonly contract: EnergyContract }
  | { readonly type: 'sendConfirm'; readonly contract: EnergyContract }
  /** The market cleared the interval for this participant: record and follow. */
  | { readonly type: 'cleared'; readonly contract: EnergyContract; readonly delivery: EnergyDelivery | undefined }
  /** Delivery starts without a deal: record a zero row and run free. */
  | { readonly type: 'noDeal'; readonly reason: NoDealReason; readonly detail: string }
  | { readonly type: 'settled'; readonly report: SettlementReport };

export interface MarketContext {
  readonly bid: EnergyContract | undefined;
  readonly confirmed: EnergyContract | undefined;
  readonly active: EnergyContract | undefined;
  readonly reason: NoDealReason;
  readonly detail: string;
}

const isTerminated = (c: EnergyContract): boolean => c.status === 'TERMINATED';

/** Why a refused contract was refused, for the run log. */
function refusalText(c: EnergyContract): string {
  return refusalOf(c) ?? `contract ${c.contractId} came back ${c.status}`;
}

export const participantMarketMachine = setup({
  types: { context: {} as MarketContext, events: {} as MarketEvent, emitted: {} as MarketEffect },
  guards: {
    refused: ({ event }) => (event.type === 'ON_INIT' || event.type === 'ON_CONFIRM') && isTerminated(event.contract),
    termsChanged: ({ context, event }) => event.type === 'ON_INIT' && context.bid !== undefined && !sameMoneyTerms(context.bid, event.contract),
    activated: ({ event }) => event.type === 'ON_CONFIRM' && event.contract.status === 'ACTIVE',
  },
}).createMachine({
  id: 'participantMarket',
  initial: 'idle',
  context: { bid: undefined, confirmed: undefined, active: undefined, reason: 'no-offer', detail: 'no bid was sent (the market offer was not known in time)' },
  states: {
    idle: {
      on: {
        BID: {
          target: 'initiated',
          actions: [assign({ bid: ({ event }) => event.contract }), emit(({ event }) => ({ type: 'sendInit' as const, contract: event.contract }))],
        },
        GATE_CLOSED: 'noDeal',
        DISPATCH: { target: 'closed', actions: emit(({ context }) => ({ type: 'noDeal' as const, reason: context.reason, detail: context.detail })) },
      },
    },
    initiated: {
      on: {
        ON_INIT: [
          {
            guard: 'refused',
            target: 'noDeal',
            actions: assign({ reason: 'refused' as NoDealReason, detail: ({ event }) => (event.type === 'ON_INIT' ? `on_init: ${refusalText(event.contract)}` : '') }),
          },
          {
            guard: 'termsChanged',
            target: 'noDeal',
            actions: assign({ reason: 'declined' as NoDealReason, detail: 'on_init changed the money terms of the offer; not confirmed' }),
          },
          {
            target: 'confirmed',
            actions: [
              assign({ confirmed: ({ event }) => confirmContract(event.contract) }),
              emit(({ event }) => ({ type: 'sendConfirm' as const, contract: confirmContract(event.contract) })),
            ],
          },
        ],
        NACK: { target: 'noDeal', actions: assign({ reason: 'failed' as NoDealReason, detail: ({ event }) => `${event.action} refused: ${event.code} ${event.message}` }) },
        GATE_CLOSED: { target: 'noDeal', actions: assign({ reason: 'gate-missed' as NoDealReason, detail: 'on_init had not arrived when the gate closed' }) },
        DISPATCH: { target: 'closed', actions: emit({ type: 'noDeal', reason: 'gate-missed', detail: 'on_init had not arrived by delivery' }) },
      },
    },
    confirmed: {
      on: {
        ON_CONFIRM: [
          {
            guard: 'activated',
            target: 'cleared',
            actions: [assign({ active: ({ event }) => event.contract }), emit(({ event }) => ({ type: 'cleared' as const, contract: event.contract, delivery: event.delivery }))],
          },
          {
            target: 'noDeal',
            actions: assign({ reason: 'refused' as NoDealReason, detail: ({ event }) => (event.type === 'ON_CONFIRM' ? `on_confirm: ${refusalText(event.contract)}` : '') }),
          },
        ],
        NACK: { target: 'noDeal', actions: assign({ reason: 'failed' as NoDealReason, detail: ({ event }) => `${event.action} refused: ${event.code} ${event.message}` }) },
        DISPATCH: { target: 'closed', actions: emit({ type: 'noDeal', reason: 'no-outcome', detail: 'no on_confirm arrived by delivery' }) },
      },
    },
    noDeal: {
      on: { DISPATCH: { target: 'closed', actions: emit(({ context }) => ({ type: 'noDeal' as const, reason: context.reason, detail: context.detail })) } },
    },
    cleared: { on: { DISPATCH: 'delivering' } },
    delivering: { on: { ON_STATUS: { target: 'settled', actions: emit(({ event }) => ({ type: 'settled' as const, report: event.report })) } } },
    closed: { type: 'final' },
    settled: { type: 'final' },
  },
});

/** Names of the machine's states. */
export type MarketState = 'idle' | 'initiated' | 'confirmed' | 'noDeal' | 'cleared' | 'delivering' | 'closed' | 'settled';
