import type { SnapshotFrom } from 'xstate';
import { fillRole } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { CatalogPayload, ChargeDataRecord, ContractPayload, DiscoverPayload, GeoPoint, OcpiConnectorType, SettlementReport, TrackingPayload } from '../../src/protocol/payloads.js';
import type { Agent, AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { tariffOf } from '../cpo/station-catalog.js';
import { bookingContractId } from '../cpo/station.js';
import { start, step } from '../shared/machine.js';
import { canonicalJson, refusalOf, roleOf, stringRoleInput } from '../shared/terms.js';
import { driverMachine, type DriverEffect, type DriverEvent } from './machine.js';
import { chargingOptions, sessionRating, type ChargingOption } from './policy.js';

type StaySnapshot = SnapshotFrom<typeof driverMachine>;

/** One planned stay of a driver at its destination. */
export interface DriverStay {
  readonly sessionId: string;
  /** First interval the car is there; it leaves at the start of `departure` (both inside the run). */
  readonly arrival: number;
  readonly departure: number;
  /** Energy the car needs by then, kWh. */
  readonly energyKWh: number;
  readonly vehicleMaxKW: number;
  readonly connectorType: OcpiConnectorType;
  readonly destination: GeoPoint;
  /** Whether the driver will cancel the booking before arriving. */
  readonly cancels: boolean;
}

export interface DriverOptions {
  readonly id: string;
  readonly services: AgentServices;
  readonly stays: readonly DriverStay[];
  readonly searchRadiusMeters: number;
  /** Intervals before arrival the driver books. */
  readonly leadIntervals: number;
}

/** What a stay came to, for tests and reports. */
export interface StayOutcome {
  readonly sessionId: string;
  readonly state: string;
  readonly cpoId: string | undefined;
  readonly evseId: string | undefined;
  readonly requestedKWh: number;
  readonly contract: EnergyContract | undefined;
  readonly cdr: ChargeDataRecord | undefined;
  readonly settlement: SettlementReport | undefined;
  readonly statuses: number;
  readonly trackingUrl: string | undefined;
}

interface Stay {
  readonly plan: DriverStay;
  snapshot: StaySnapshot;
  asked: ReadonlySet<string>;
  readonly answered: Set<string>;
  readonly catalogs: { readonly providerId: string; readonly payload: CatalogPayload }[];
  options: readonly ChargingOption[];
  current: ChargingOption | undefined;
  requestedKWh: number;
  contract: EnergyContract | undefined;
  payload: ContractPayload | undefined;
  cdr: ChargeDataRecord | undefined;
  settlement: SettlementReport | undefined;
  statuses: number;
  trackingUrl: string | undefined;
}

/**
 * An EV driver (BAP) who books charging for its stays at a destination — the DEG guide's EV flow.
 * Ahead of each stay it discovers the stations around its destination that take its car's
 * connector, ranks their EVSEs by what the stay would cost under each station's tariff (then by
 * distance), and books down the ranking (select, init, confirm). On arrival it starts the session
 * with an update, tracks it and asks for the status after every interval; when it leaves it stops
 * the session with an update, receives the charge data record and rates the session; the billed
 * record comes in an on_status once the station has settled it. Some bookings are cancelled before
 * arrival.
 */
export class EvDriverAgent implements Agent {
  readonly kind = 'ev-driver';
  readonly meterIds: readonly string[] = [];
  private readonly stays = new Map<string, Stay>();

  constructor(private readonly o: DriverOptions) {
    for (const plan of o.stays) {
      this.stays.set(plan.sessionId, { plan, snapshot: start<typeof driverMachine, DriverEffect>(driverMachine, undefined).snapshot, asked: new Set(), answered: new Set(), catalogs: [], options: [], current: undefined, requestedKWh: plan.energyKWh, contract: undefined, payload: undefined, cdr: undefined, settlement: undefined, statuses: 0, trackingUrl: undefined });
    }
  }

  get id(): string {
    return this.o.id;
  }

  /** Every stay's outcome so far. */
  outcomes(): readonly StayOutcome[] {
    return [...this.stays.values()].map((s) => ({ sessionId: s.plan.sessionId, state: String(s.snapshot.value), cpoId: s.current?.providerId, evseId: s.current?.evseId, requestedKWh: s.requestedKWh, contract: s.contract, cdr: s.cdr, settlement: s.settlement, statuses: s.statuses, trackingUrl: s.trackingUrl }));
  }

  onPhase(ctx: PhaseContext): void {
    const k = ctx.interval;
    for (const s of this.stays.values()) {
      const p = s.plan;
      if (ctx.phase === 'bid' && k === Math.max(0, p.arrival - this.o.leadIntervals)) this.drive(s, { type: 'SEARCH' });
      if (ctx.phase === 'clear' && k === Math.max(0, p.arrival - this.o.leadIntervals) && s.snapshot.value === 'discovering') this.rank(s);
      if (ctx.phase === 'bid' && k === p.arrival && p.cancels) this.drive(s, { type: 'CANCEL_PLANS' });
      if (ctx.phase === 'clear' && k === p.arrival) this.drive(s, { type: 'ARRIVE' });
      if (ctx.phase === 'meter' && k === p.departure - 1) this.drive(s, { type: 'LEAVE' });
      if (ctx.phase === 'settle' && p.arrival <= k && k < p.departure - 1) this.drive(s, { type: 'TICK' });
    }
  }

  onMessage(msg: InboundMessage): void {
    const s = [...this.stays.values()].find((x) => this.txn(x) === msg.transactionId);
    if (s === undefined) return;
    if (msg.action === 'on_discover') {
      s.answered.add(msg.from);
      s.catalogs.push({ providerId: msg.from, payload: msg.payload as CatalogPayload });
      if (s.snapshot.value === 'discovering' && [...s.asked].every((c) => s.answered.has(c))) this.rank(s);
      return;
    }
    if (msg.action === 'on_track') {
      const t = msg.payload as TrackingPayload;
      s.trackingUrl = t.url;
      return;
    }
    if (msg.action === 'on_rating') return;
    const p = msg.payload as Partial<ContractPayload>;
    if (p.kind !== 'contract' || p.contract === undefined || msg.from !== s.current?.providerId) return;
    const c = p.contract;
    if (p.settlement !== undefined) s.settlement = p.settlement;
    const cdr = p.delivery?.chargeDataRecords?.[0];
    if (cdr !== undefined) s.cdr = cdr;
    const refusal = refusalOf(c);
    switch (msg.action) {
      case 'on_select':
      case 'on_init':
      case 'on_confirm': {
        if (c.status === 'TERMINATED' || refusal !== undefined) return void this.drive(s, { type: 'REFUSED', reason: `${msg.action}: ${refusal ?? 'TERMINATED'}` });
        const problem = this.checkAnswer(s, msg.action, c);
        if (problem !== undefined) return void this.drive(s, { type: 'REFUSED', reason: `${msg.action}: ${problem}` });
        s.contract = c;
        s.payload = p as ContractPayload;
        // the station may have given another EVSE of the same connector than the one selected
        const evseId = stringRoleInput(c, 'CPO', 'evseId');
        const resourceId = p.resources?.[0]?.resourceId;
        if (msg.action === 'on_select' && s.current !== undefined) s.current = { ...s.current, ...(evseId === undefined ? {} : { evseId }), ...(resourceId === undefined ? {} : { resourceId }) };
        return void this.drive(s, msg.action === 'on_select' ? { type: 'QUOTED' } : msg.action === 'on_init' ? { type: 'HELD' } : { type: 'BOOKED' });
      }
      case 'on_update': {
        const ev = p.delivery?.sessionEvents?.at(-1);
        if (refusal !== undefined) return void this.drive(s, { type: 'REFUSED', reason: `on_update: ${refusal}` });
        if (ev?.eventType === 'Started') this.drive(s, { type: 'STARTED' });
        else if (ev?.eventType === 'Ended') this.drive(s, { type: 'STOPPED' });
        return;
      }
      case 'on_status':
        s.statuses++;
        s.contract = c;
        return;
      case 'on_cancel':
        s.contract = c;
        if (c.status === 'TERMINATED') this.drive(s, { type: 'CANCELLED' });
        else this.drive(s, { type: 'REFUSED', reason: `on_cancel: ${refusal ?? c.status}` });
        return;
      default:
        return;
    }
  }

  onNack(n: NackNotice): void {
    this.o.services.record.note(this.currentInterval(), `${this.o.id}: ${n.action} to ${n.to} refused (${n.code}: ${n.message})`);
    for (const s of this.stays.values()) {
      const v = String(s.snapshot.value);
      if ((n.action === 'select' && v === 'selecting') || (n.action === 'init' && v === 'initiating') || (n.action === 'confirm' && v === 'confirming')) this.drive(s, { type: 'REFUSED', reason: `${n.action} refused: ${n.code}` });
    }
  }

  // --- the stay -------------------------------------------------------------------------------

  private txn(s: Stay): string {
    return `txn-ev-${s.plan.sessionId}`;
  }

  private rank(s: Stay): void {
    const clock = this.o.services.clock;
    const stayHours = (s.plan.departure - s.plan.arrival) * clock.intervalHours;
    s.options = chargingOptions(s.catalogs, s.plan.connectorType, s.plan.destination, { energyKWh: s.plan.energyKWh, stayHours, maxKW: s.plan.vehicleMaxKW });
    this.drive(s, { type: 'RANKED', count: s.options.length });
  }

  /** Checks an answer keeps the tariff, the stay and what the driver asked for. */
  private checkAnswer(s: Stay, action: string, c: EnergyContract): string | undefined {
    const asked = s.contract;
    if (asked === undefined || s.current === undefined) return 'no request outstanding';
    if (c.contractId !== asked.contractId) return `an answer about ${c.contractId}, not ${asked.contractId}`;
    if (roleOf(c, 'EV_DRIVER')?.filledBy !== this.o.id) return 'the contract does not name this driver';
    if (canonicalJson(tariffOf(c)) !== canonicalJson(tariffOf(s.current.contract))) return 'the tariff changed';
    if (canonicalJson(c.revenueFlows) !== canonicalJson(s.current.contract.revenueFlows)) return 'the revenue flows changed';
    if (canonicalJson(roleOf(c, 'EV_DRIVER')?.roleInputs ?? {}) !== canonicalJson(roleOf(asked, 'EV_DRIVER')?.roleInputs ?? {})) return 'the driver’s inputs changed';
    if (action === 'on_confirm') return c.status === 'ACTIVE' ? undefined : `the contract is ${c.status}`;
    if (action === 'on_init' && canonicalJson({ ...c, status: 'PENDING' }) !== canonicalJson(asked)) return 'the contract differs from the quote';
    return c.status === 'PENDING' ? undefined : `the contract is ${c.status}`;
  }

  private drive(s: Stay, event: DriverEvent): void {
    const r = step<typeof driverMachine, DriverEffect>(driverMachine, s.snapshot, event);
    s.snapshot = r.snapshot;
    const { net, record, clock, directory } = this.o.services;
    const txn = this.txn(s);
    const to = s.current?.providerId;
    const send = (action: string, payload: unknown): void => {
      if (to !== undefined) net.request({ to, action, transactionId: txn, payload });
    };
    for (const e of r.effects) {
      switch (e.type) {
        case 'sendDiscover': {
          const cpos = directory.byKind('cpo');
          s.asked = new Set(cpos);
          const payload: DiscoverPayload = { kind: 'discover', intent: { seek: 'ev-charging', near: { ...s.plan.destination, radiusMeters: this.o.searchRadiusMeters }, connectorTypes: [s.plan.connectorType] } };
          for (const cpo of cpos) net.request({ to: cpo, action: 'discover', transactionId: txn, payload });
          if (cpos.length === 0) this.rank(s);
          break;
        }
        case 'sendSelect': {
          const opt = s.options[e.at];
          if (opt === undefined) break;
          const stayHours = (s.plan.departure - s.plan.arrival) * clock.intervalHours;
          const requested = Number(Math.min(s.plan.energyKWh, Math.min(s.plan.vehicleMaxKW, opt.maxPowerKW) * stayHours).toFixed(3));
          const window = { start: clock.intervalStartIso(s.plan.arrival), end: clock.intervalStartIso(s.plan.departure) };
          const taken = fillRole({ ...opt.contract, contractId: bookingContractId(opt.providerId, s.plan.sessionId), createdAt: isoOf(net.nowMs()), validity: window }, 'EV_DRIVER', this.o.id, { sessionId: s.plan.sessionId, requestedKWh: requested, vehicleMaxKW: s.plan.vehicleMaxKW, connectorType: s.plan.connectorType });
          if (!taken.ok) {
            record.note(this.currentInterval(), `${this.o.id}: cannot book ${opt.resourceId}: ${taken.errors.map((d) => d.message).join('; ')}`);
            break;
          }
          s.current = opt;
          s.requestedKWh = requested;
          s.contract = taken.value;
          s.payload = { kind: 'contract', contract: taken.value, offerId: opt.offerId, providerId: opt.providerId, resources: [{ resourceId: opt.resourceId, quantity: requested, unit: 'kWh' }] };
          net.request({ to: opt.providerId, action: 'select', transactionId: txn, payload: s.payload });
          break;
        }
        case 'sendInit':
        case 'sendConfirm':
          if (s.payload !== undefined && s.contract !== undefined) send(e.type === 'sendInit' ? 'init' : 'confirm', { ...s.payload, contract: s.contract });
          break;
        case 'sendStart':
        case 'sendStop':
          if (s.payload !== undefined && s.contract !== undefined) {
            const started = e.type === 'sendStart';
            send('update', {
              ...s.payload,
              contract: s.contract,
              delivery: {
                deliveryId: `${s.contract.contractId}-session`,
                status: started ? 'IN_PROGRESS' : 'COMPLETED',
                sessionEvents: [{ sessionId: s.plan.sessionId, evseId: s.current?.evseId ?? '', eventType: started ? 'Started' : 'Ended', at: isoOf(net.nowMs()), ...(started ? { chargingState: 'EVConnected' as const } : { stoppedReason: 'EVDisconnected' as const }) }],
              },
            });
          }
          break;
        case 'sendTrack':
        case 'sendStatus':
        case 'sendCancel':
          if (s.contract !== undefined) {
            const id = s.contract.contractId;
            if (e.type === 'sendTrack') send('track', { kind: 'trackRequest', contractId: id, callbackUrl: `${directory.uriOf(this.o.id)}/track/${id}` });
            else send(e.type === 'sendStatus' ? 'status' : 'cancel', { kind: 'contractRef', contractId: id });
          }
          break;
        case 'sendRating':
          if (s.contract !== undefined) send('rating', { kind: 'rating', ratings: [{ targetId: s.contract.contractId, category: 'ORDER', value: sessionRating(s.requestedKWh, s.cdr?.energyKWh ?? 0), best: 5, worst: 1 }] });
          break;
        case 'refused':
          record.note(this.currentInterval(), `${this.o.id}: ${s.options[e.at]?.resourceId ?? '?'} refused for ${s.plan.sessionId}: ${e.reason}`);
          break;
        case 'noBooking':
          record.metric('evStaysWithoutBooking', 1);
          record.note(this.currentInterval(), `${this.o.id}: no charging for ${s.plan.sessionId}: ${e.reason}`);
          break;
      }
    }
  }

  private currentInterval(): number {
    const c = this.o.services.clock;
    return Math.min(c.intervals - 1, Math.max(0, Math.floor((this.o.services.net.nowMs() - c.startMs) / c.intervalMs)));
  }
}
