import type { EnergyContract } from '../../src/contracts/model.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { ContractPayload, SettlementReport } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import type { EvSession } from '../../grid/profiles/index.js';
import { marketEconomics } from '../participant/economics.js';
import { setupTransactionId } from '../shared/ids.js';
import { start, step, type Step } from '../shared/machine.js';
import { runWindow, standingContractMachine, type StandingEffect, type StandingEvent } from '../shared/standing.js';
import { refusalOf } from '../shared/terms.js';
import { tariffContract, tariffContractId, TARIFF_OFFER_ID } from '../utility/tariff.js';
import type { HomeEvEntry, HomeEvSite } from './params.js';
import { availableChargeKW, energyDueInRun, importPricesOf, planCharging, type ChargeSlot } from './policy.js';

type StandingStep = Step<ReturnType<typeof start<typeof standingContractMachine, StandingEffect>>['snapshot'], StandingEffect>;

/** The home's physical profiles over the run, kW per interval, and the car's plug-ins. */
export interface HomeEvProfiles {
  readonly loadKW: Float64Array;
  readonly loadForecastKW: Float64Array;
  readonly pvKW: Float64Array;
  readonly sessions: readonly EvSession[];
}

export interface HomeEvOptions {
  readonly id: string;
  readonly meterId: string;
  readonly services: AgentServices;
  readonly entry: HomeEvEntry;
  readonly site: HomeEvSite;
  readonly sanctionedLoadKW: number;
  readonly profiles: HomeEvProfiles;
}

/** What happened to one plug-in. */
export interface SessionOutcome {
  readonly sessionId: string;
  readonly arrival: number;
  readonly departure: number;
  /** Energy due inside the run, kWh. */
  readonly dueKWh: number;
  readonly deliveredKWh: number;
  /** Energy missing at departure, kWh (0 for a car still plugged in when the run ends). */
  readonly unmetKWh: number;
  /** Charging power per interval of the plug-in inside the run, kW (≥ 0). */
  readonly powerKW: readonly number[];
}

/**
 * A home with an EV charger that buys from the utility under its time-of-use tariff contract, with
 * no market. At setup it forms the tariff contract (init → on_init → confirm → on_confirm, the
 * shared standing-contract machine); the charger then reads the import price of every interval
 * from the contract's own formulas and, at each interval the car is plugged in, plans the rest of
 * the plug-in (cheapest intervals first, or immediately) within what the connection leaves under
 * its sanctioned load, and charges the plan's first interval. The utility bills the meter under the
 * contract every interval and reports the bill in on_status.
 */
export class HomeEvAgent implements Agent {
  readonly kind = 'home-ev';
  readonly meterIds: readonly string[];
  /** Settlement reports the utility sent, in order. */
  readonly bills: SettlementReport[] = [];
  private standing: StandingStep;
  private offered: EnergyContract | undefined;
  private tariff: EnergyContract | undefined;
  private readonly prices = new Map<number, number>();
  private readonly actual = new Map<number, number>();
  private readonly outcomes = new Map<string, { delivered: number; readonly power: number[]; done: boolean }>();
  private readonly txn: string;

  constructor(private readonly o: HomeEvOptions) {
    this.meterIds = [o.meterId];
    this.txn = setupTransactionId(o.id, 'tariff');
    this.standing = start<typeof standingContractMachine, StandingEffect>(standingContractMachine, undefined as never);
  }

  get id(): string {
    return this.o.id;
  }

  /** State of the tariff contract formation (`idle`, `requested`, `offered`, `active`, `refused`). */
  tariffState(): string {
    return String(this.standing.snapshot.value);
  }

  /** The tariff contract once active. */
  tariffContract(): EnergyContract | undefined {
    return this.tariff;
  }

  /** Each plug-in so far: energy due, delivered and unmet, and the charging power per interval. */
  sessionOutcomes(): readonly SessionOutcome[] {
    const n = this.o.services.clock.intervals;
    return this.o.profiles.sessions.flatMap((s) => {
      const x = this.outcomes.get(s.id);
      if (x === undefined) return [];
      const due = energyDueInRun(s, n);
      return [{ sessionId: s.id, arrival: s.arrival, departure: s.departure, dueKWh: due, deliveredKWh: x.delivered, unmetKWh: s.departure <= n ? Math.max(0, due - x.delivered) : 0, powerKW: [...x.power] }];
    });
  }

  onPhase(ctx: PhaseContext): void {
    if (ctx.phase === 'bid' && ctx.interval === 0) this.drive({ type: 'REQUEST' });
    else if (ctx.phase === 'dispatch') this.operate(ctx.interval);
    else if (ctx.phase === 'settle') this.departures(ctx.interval + 1);
  }

  onMessage(msg: InboundMessage): void {
    const p = msg.payload as Partial<ContractPayload>;
    if (p.kind !== 'contract' || p.contract === undefined || p.contract.contractId !== tariffContractId(this.o.id)) return;
    const c = p.contract;
    if (msg.action === 'on_init') {
      if (c.status === 'PENDING') {
        this.offered = c;
        this.drive({ type: 'OFFERED' });
      } else this.drive({ type: 'REFUSED', reason: refusalOf(c) ?? `on_init ${c.status}` });
    } else if (msg.action === 'on_confirm') {
      if (c.status === 'ACTIVE') {
        this.tariff = c;
        this.drive({ type: 'ACTIVATED' });
      } else this.drive({ type: 'REFUSED', reason: refusalOf(c) ?? `on_confirm ${c.status}` });
    } else if (msg.action === 'on_status' && p.settlement !== undefined) this.bills.push(p.settlement);
  }

  onNack(n: NackNotice): void {
    if (n.transactionId === this.txn) this.drive({ type: 'REFUSED', reason: `${n.action} refused: ${n.code} ${n.message}` });
    else this.o.services.record.note(0, `${this.o.id}: ${n.action} to ${n.to} refused (${n.code}: ${n.message})`);
  }

  actualPowerKW(meterId: string, k: number): number {
    return meterId === this.o.meterId ? this.operate(k) : 0;
  }

  // --- tariff contract --------------------------------------------------------------------------

  private drive(event: StandingEvent): void {
    this.standing = step<typeof standingContractMachine, StandingEffect>(standingContractMachine, this.standing.snapshot, event);
    const svc = this.o.services;
    const utility = svc.directory.utilityId;
    for (const e of this.standing.effects) {
      if (e.type === 'sendInit') {
        if (utility === undefined) {
          svc.record.note(0, `${this.o.id}: no utility in the scenario to take a tariff from; charging is priced at the flat retail tariff`);
          continue;
        }
        const c = tariffContract({ contractId: tariffContractId(this.o.id), createdAt: isoOf(svc.net.nowMs()), currency: svc.scenario.currency, validity: runWindow(svc.clock), utilityId: utility, customerId: this.o.id, meterId: this.o.meterId, utility: svc.scenario.utility });
        if (!c.ok) {
          svc.record.note(0, `${this.o.id}: cannot build the tariff contract: ${c.errors.map((d) => d.message).join('; ')}`);
          continue;
        }
        svc.net.request({ to: utility, action: 'init', transactionId: this.txn, payload: this.payload(c.value, utility) });
      } else if (e.type === 'sendConfirm' && this.offered !== undefined && utility !== undefined) {
        svc.net.request({ to: utility, action: 'confirm', transactionId: this.txn, payload: this.payload(this.offered, utility) });
      } else if (e.type === 'refused') {
        svc.record.note(0, `${this.o.id}: tariff contract refused (${e.reason}); charging is priced at the flat retail tariff`);
      }
    }
  }

  private payload(contract: EnergyContract, utility: string): ContractPayload {
    return { kind: 'contract', contract, offerId: TARIFF_OFFER_ID, providerId: utility, resources: [{ resourceId: this.o.meterId, quantity: this.o.sanctionedLoadKW, unit: 'kW' }] };
  }

  // --- charging ---------------------------------------------------------------------------------

  /** Import price of interval k: from the tariff contract once active, else the scenario's retail tariff. */
  private priceAt(k: number): number {
    const hit = this.prices.get(k);
    if (hit !== undefined) return hit;
    const clock = this.o.services.clock;
    if (this.tariff !== undefined) {
      const r = importPricesOf(this.tariff, clock, k, clock.intervals - 1);
      if (r.ok) {
        r.value.forEach((p, i) => this.prices.set(k + i, p));
        return r.value[0] as number;
      }
      this.o.services.record.note(k, `${this.o.id}: cannot price charging from ${this.tariff.contractId}: ${r.errors.map((d) => d.message).join('; ')}`);
      this.tariff = undefined;
    }
    return marketEconomics(this.o.services.scenario, clock).retailPerKWh(k);
  }

  private roomKW(k: number, loadKW: number): number {
    const p = this.o.profiles;
    return availableChargeKW(this.o.site.chargerKW, this.o.sanctionedLoadKW, this.o.entry.headroomKW, loadKW, p.pvKW[k] ?? 0);
  }

  /**
   * Runs interval k once: plans the plugged-in car's remaining energy over the rest of its stay in
   * the run (this interval's room from the metered house load, later ones from the forecast) and
   * charges the plan's first interval. Returns the meter's net power, kW (+ export).
   */
  private operate(k: number): number {
    const done = this.actual.get(k);
    if (done !== undefined) return done;
    const { profiles: p, services: svc } = this.o;
    const n = svc.clock.intervals;
    const h = svc.clock.intervalHours;
    let evKW = 0;
    const s = p.sessions.find((x) => x.arrival <= k && k < x.departure);
    if (s !== undefined) {
      const out = this.outcomes.get(s.id) ?? { delivered: 0, power: [], done: false };
      this.outcomes.set(s.id, out);
      const left = energyDueInRun(s, n) - out.delivered;
      if (left > 1e-9) {
        const slots: ChargeSlot[] = [];
        for (let j = k; j < Math.min(s.departure, n); j++) slots.push({ k: j, pricePerKWh: this.priceAt(j), maxKW: this.roomKW(j, j === k ? (p.loadKW[j] ?? 0) : (p.loadForecastKW[j] ?? 0)) });
        evKW = planCharging(slots, left, h, this.o.entry.policy).powerKW[0] ?? 0;
      }
      out.delivered += evKW * h;
      out.power.push(evKW);
      if (evKW > 0) svc.record.metric('homeEvChargedKWh', evKW * h);
    }
    const net = (p.pvKW[k] ?? 0) - (p.loadKW[k] ?? 0) - evKW;
    this.actual.set(k, net);
    return net;
  }

  /** At the end of interval k − 1: every car that leaves at k is judged; unmet energy is reported. */
  private departures(k: number): void {
    const svc = this.o.services;
    for (const s of this.o.profiles.sessions) {
      if (s.departure !== k) continue;
      const out = this.outcomes.get(s.id);
      if (out === undefined || out.done) continue;
      out.done = true;
      const unmet = s.energyKWh - out.delivered;
      if (unmet > 1e-6) {
        svc.record.metric('unmetEvEnergyKWh', unmet);
        svc.record.note(k - 1, `${this.o.id}: ${s.id} left with ${unmet.toFixed(3)} kWh of its ${s.energyKWh.toFixed(3)} kWh not charged`);
      }
    }
  }
}
