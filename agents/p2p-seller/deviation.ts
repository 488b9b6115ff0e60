import type { EnergyContract } from '../../src/contracts/model.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { ContractPayload } from '../../src/protocol/payloads.js';
import type { AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { DEVIATION_OFFER_ID } from '../participant/agent.js';
import { deviationContractId, setupTransactionId } from '../shared/ids.js';
import { start, step, type Step } from '../shared/machine.js';
import { deviationContract, runWindow, standingContractMachine, type StandingEffect, type StandingEvent } from '../shared/standing.js';
import { refusalOf } from '../shared/terms.js';

type StandingStep = Step<ReturnType<typeof start<typeof standingContractMachine, StandingEffect>>['snapshot'], StandingEffect>;

/**
 * A bilateral trader's standing deviation contract with the grid operator: whatever its meter does
 * beyond the trades locked on it is settled at the utility's deviation terms. Formed once at setup
 * through the shared standing-contract machine (init → on_init → confirm → on_confirm).
 */
export class DeviationLink {
  private standing: StandingStep;
  private offered: EnergyContract | undefined;
  readonly transactionId: string;

  constructor(
    private readonly id: string,
    private readonly meterId: string,
    private readonly sanctionedLoadKW: number,
    private readonly svc: AgentServices,
  ) {
    this.transactionId = setupTransactionId(id, 'deviation');
    this.standing = start<typeof standingContractMachine, StandingEffect>(standingContractMachine, undefined as never);
  }

  /** `idle`, `requested`, `offered`, `active` or `refused`. */
  state(): string {
    return String(this.standing.snapshot.value);
  }

  /** Asks the grid operator for the contract (once). */
  request(): void {
    if (this.state() === 'idle') this.drive({ type: 'REQUEST' });
  }

  /** Takes the grid operator's answers on the contract's transaction; false for any other message. */
  onMessage(msg: InboundMessage): boolean {
    if (msg.transactionId !== this.transactionId) return false;
    const p = msg.payload as Partial<ContractPayload>;
    const c = p.contract;
    if (p.kind !== 'contract' || c === undefined) return true;
    if (msg.action === 'on_init') {
      if (c.status === 'TERMINATED') this.drive({ type: 'REFUSED', reason: refusalOf(c) ?? 'on_init TERMINATED' });
      else {
        this.offered = c;
        this.drive({ type: 'OFFERED' });
      }
    } else if (msg.action === 'on_confirm') {
      this.drive(c.status === 'ACTIVE' ? { type: 'ACTIVATED' } : { type: 'REFUSED', reason: refusalOf(c) ?? `on_confirm ${c.status}` });
    }
    return true;
  }

  /** Takes a refusal of one of its requests; false when the notice is about something else. */
  onNack(n: NackNotice): boolean {
    if (n.transactionId !== this.transactionId) return false;
    this.drive({ type: 'REFUSED', reason: `${n.action} refused: ${n.code} ${n.message}` });
    return true;
  }

  private drive(event: StandingEvent): void {
    this.standing = step<typeof standingContractMachine, StandingEffect>(standingContractMachine, this.standing.snapshot, event);
    const utility = this.svc.directory.utilityId;
    for (const e of this.standing.effects) {
      if (utility === undefined) return;
      if (e.type === 'sendInit') {
        const contract = deviationContract({
          contractId: deviationContractId(this.id),
          createdAt: isoOf(this.svc.net.nowMs()),
          currency: this.svc.scenario.currency,
          validity: runWindow(this.svc.clock),
          utilityId: utility,
          utility: this.svc.scenario.utility,
          participantId: this.id,
          meterId: this.meterId,
        });
        this.svc.net.request({ to: utility, action: 'init', transactionId: this.transactionId, payload: this.payload(contract, utility) });
      } else if (e.type === 'sendConfirm' && this.offered !== undefined) {
        this.svc.net.request({ to: utility, action: 'confirm', transactionId: this.transactionId, payload: this.payload(this.offered, utility) });
      } else if (e.type === 'refused') {
        this.svc.record.note(0, `${this.id}: deviation contract refused: ${e.reason}`);
      }
    }
  }

  private payload(contract: EnergyContract, utility: string): ContractPayload {
    return { kind: 'contract', contract, offerId: DEVIATION_OFFER_ID, providerId: utility, resources: [{ resourceId: this.meterId, quantity: this.sanctionedLoadKW, unit: 'kW' }] };
  }
}
