import type { SnapshotFrom } from 'xstate';
import { transition as contractTransition } from '../../src/contracts/lifecycle.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import { cpoSessionInputs } from '../../src/contracts/templates/index.js';
import { isoOf } from '../../src/kernel/clock.js';
import type { PhaseContext } from '../../src/kernel/phases.js';
import type { ChargeDataRecord, ChargingSessionEvent, ContractPayload, ContractRefPayload, DiscoverPayload, EnergyDelivery, OcpiConnectorType, RatingPayload, SetpointCommand, SettlementReport } from '../../src/protocol/payloads.js';
import type { AgentServices, InboundMessage, NackNotice } from '../../src/run/agent.js';
import { currencyExponent, formatMinor, parseMinor } from '../../src/settlement/money.js';
import { intervalsOverlapping } from '../shared/ids.js';
import { start, step } from '../shared/machine.js';
import { canonicalJson, numericRoleInput, refusedContract, roleOf, stringRoleInput, withRoleInputs } from '../shared/terms.js';
import { chargingOfferId, emi3EvseId, evseOfResource, sessionOfferContract, stationCatalog, type StationEvse, type StationTariff } from './station-catalog.js';
import { stationBookingMachine, type StationEffect, type StationEvent } from './station-machine.js';
import type { StationEntry } from './station-params.js';
import type { StationSite } from './station-site.js';

type BookingSnapshot = SnapshotFrom<typeof stationBookingMachine>;

/** Name of the metric of energy booked drivers asked for and did not get by the end of their booking, kWh. */
export const UNMET_EV_ENERGY_METRIC = 'unmetEvEnergyKWh';

/** Contract id of a booked session at a station. */
export function bookingContractId(cpoId: string, sessionId: string): string {
  return `ses-${cpoId}-${sessionId}`;
}

/** One booking. */
interface Booking {
  readonly sessionId: string;
  readonly contractId: string;
  readonly driverId: string;
  evse: number;
  readonly connectorType: OcpiConnectorType;
  readonly arrival: number;
  readonly departure: number;
  readonly requestedKWh: number;
  readonly maxKW: number;
  snapshot: BookingSnapshot;
  contract: EnergyContract;
  payload: ContractPayload;
  /** The request awaiting an answer. */
  pending: InboundMessage | undefined;
  /** The confirm, answered later with the unsolicited on_status of the settled session. */
  confirmMsg: InboundMessage | undefined;
  events: ChargingSessionEvent[];
  cdr: ChargeDataRecord | undefined;
  report: SettlementReport | undefined;
}

export interface StationOptions {
  readonly cpoId: string;
  readonly meterId: string;
  readonly node: string;
  readonly services: AgentServices;
  readonly entry: StationEntry;
  readonly evses: number;
  readonly chargerKW: number;
  readonly tariff: StationTariff;
  readonly site: StationSite;
}

/**
 * A charge point operator's charging station as a BPP toward drivers — the DEG guide's EV flow.
 * `discover` (by location, connector and power) is answered with the EVSEs that fit and the
 * charging offer; `select` holds an EVSE of the right connector for the driver's stay (another one
 * when the chosen one is taken); `init` and `confirm` form the session contract under the CPO's
 * tariff (recorded ACTIVE, billed once at the end from the charge data record); an `update` with a
 * Started session event plugs the vehicle in, one with Ended stops it and is answered with the
 * charge data record; `status` reports the session (energy so far, the charger's OCPP profile),
 * `track` gives a tracking link; once the session is billed, an unsolicited `on_status` carries the
 * charge data record with its settlement. `cancel` frees a booking until the vehicle plugs in.
 */
export class ChargingStation {
  private readonly bookings = new Map<string, Booking>();
  private readonly offerContract: EnergyContract;
  private readonly evseList: readonly StationEvse[];
  private readonly profiles = new Map<string, SetpointCommand>();
  private readonly ratings: number[] = [];

  constructor(private readonly o: StationOptions) {
    const c = sessionOfferContract({ cpoId: o.cpoId, createdAt: o.services.clock.intervalStartIso(0), governmentId: o.services.directory.governmentId, tariff: o.tariff });
    if (!c.ok) throw new Error(c.errors.map((d) => d.message).join('; '));
    this.offerContract = c.value;
    this.evseList = Array.from({ length: o.evses }, (_, i) => ({ evse: i + 1, connectorType: o.entry.connectorTypes[i % o.entry.connectorTypes.length] as OcpiConnectorType }));
  }

  /** True for a driver's request (the station answers it); callbacks belong to the CPO's market side. */
  handles(msg: InboundMessage): boolean {
    return !msg.action.startsWith('on_');
  }

  /** State of a booking by session id, for tests and reports. */
  bookingState(sessionId: string): string | undefined {
    const b = this.bookings.get(sessionId);
    return b === undefined ? undefined : String(b.snapshot.value);
  }

  /** The charge data record of a closed session. */
  chargeDataRecord(sessionId: string): ChargeDataRecord | undefined {
    return this.bookings.get(sessionId)?.cdr;
  }

  /** Remembers the charger profiles sent in an interval (status answers carry the current one). */
  chargerProfiles(profiles: ReadonlyMap<string, SetpointCommand>): void {
    this.profiles.clear();
    for (const [id, p] of profiles) this.profiles.set(id, p);
  }

  onPhase(ctx: PhaseContext): void {
    const k = ctx.interval;
    if (ctx.phase === 'dispatch') {
      for (const b of this.bookings.values()) if (b.arrival === k) this.drive(b, { type: 'EXPIRE' });
    } else if (ctx.phase === 'meter') {
      for (const b of [...this.bookings.values()]) if (b.departure - 1 === k) this.drive(b, { type: 'END' });
    } else if (ctx.phase === 'settle') {
      const reports = this.o.services.record.settlementReports(this.o.cpoId, k);
      for (const b of this.bookings.values()) {
        if (b.departure - 1 !== k) continue;
        b.report = reports.find((r) => r.contractId === b.contractId);
        this.drive(b, { type: 'SETTLED' });
      }
    }
  }

  onMessage(msg: InboundMessage): void {
    switch (msg.action) {
      case 'discover':
        return this.onDiscover(msg);
      case 'select':
        return this.onSelect(msg);
      case 'init':
      case 'confirm':
        return this.onInitOrConfirm(msg);
      case 'update':
        return this.onUpdate(msg);
      case 'status':
        return this.onStatus(msg);
      case 'cancel': {
        const b = this.byRef(msg);
        if (b === undefined) return;
        b.pending = msg;
        if (!this.drive(b, { type: 'CANCEL' })) this.answer(msg, 'on_cancel', b, refusedContract(b.contract, 'CPO', 'not-cancellable', `the booking is ${String(b.snapshot.value)}`));
        return;
      }
      case 'track': {
        const ref = msg.payload as ContractRefPayload;
        const b = [...this.bookings.values()].find((x) => x.contractId === ref.contractId && x.driverId === msg.from);
        return this.o.services.net.callback(msg, 'on_track', { kind: 'tracking', contractId: ref.contractId, url: `${this.o.services.directory.uriOf(this.o.cpoId)}/sessions/${ref.contractId}/track`, active: b?.snapshot.value === 'charging' });
      }
      case 'rating': {
        const p = msg.payload as RatingPayload;
        for (const r of p.ratings) this.ratings.push(r.value);
        const mean = this.ratings.reduce((a, x) => a + x, 0) / Math.max(1, this.ratings.length);
        return this.o.services.net.callback(msg, 'on_rating', { kind: 'ratingReceipt', aggregate: { targetId: this.o.cpoId, count: this.ratings.length, value: Number(mean.toFixed(2)), best: 5, worst: 1 } });
      }
      case 'support':
        return this.o.services.net.callback(msg, 'on_support', { kind: 'supportInfo', name: this.o.entry.name, url: `${this.o.services.directory.uriOf(this.o.cpoId)}/support` });
      default:
        return;
    }
  }

  onNack(n: NackNotice): boolean {
    this.o.services.record.note(this.currentInterval(), `${this.o.cpoId}: ${n.action} to ${n.to} refused (${n.code}: ${n.message})`);
    return true;
  }

  // --- requests -------------------------------------------------------------------------------

  private onDiscover(msg: InboundMessage): void {
    const p = msg.payload as Partial<DiscoverPayload>;
    const e = this.o.entry;
    const answer =
      p.intent === undefined
        ? ({ kind: 'catalog', catalogs: [] } as const)
        : stationCatalog(
            {
              cpoId: this.o.cpoId,
              cpoUri: this.o.services.directory.uriOf(this.o.cpoId),
              name: e.name,
              meterId: this.o.meterId,
              gridNodeId: this.o.node,
              location: { latitude: e.latitude, longitude: e.longitude, ...(e.address === undefined ? {} : { address: e.address }) },
              evses: this.evseList,
              powerType: e.powerType,
              chargerKW: this.o.chargerKW,
              offerContract: this.offerContract,
              tariff: this.o.tariff,
            },
            p.intent,
          );
    this.o.services.net.callback(msg, 'on_discover', answer);
  }

  private onSelect(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const c = p.contract;
    const clock = this.o.services.clock;
    const refuse = (why: string): void => this.o.services.net.callback(msg, 'on_select', { ...p, providerId: this.o.cpoId, contract: refusedContract(c, 'CPO', 'refused', why) });
    const sessionId = stringRoleInput(c, 'EV_DRIVER', 'sessionId');
    const requestedKWh = numericRoleInput(c, 'EV_DRIVER', 'requestedKWh');
    const vehicleKW = numericRoleInput(c, 'EV_DRIVER', 'vehicleMaxKW');
    const connector = stringRoleInput(c, 'EV_DRIVER', 'connectorType') as OcpiConnectorType | undefined;
    const range = c.validity === undefined ? undefined : intervalsOverlapping(clock, c.validity);
    const wanted = evseOfResource(this.o.cpoId, p.resources[0]?.resourceId ?? '');
    if (p.offerId !== chargingOfferId(this.o.cpoId)) return refuse(`no offer ${p.offerId}`);
    if (roleOf(c, 'EV_DRIVER')?.filledBy !== msg.from || sessionId === undefined || requestedKWh === undefined || !(requestedKWh > 0) || vehicleKW === undefined || !(vehicleKW > 0) || connector === undefined) {
      return refuse('the EV_DRIVER role must be filled by the sender with sessionId, requestedKWh, vehicleMaxKW and connectorType');
    }
    if (c.contractId !== bookingContractId(this.o.cpoId, sessionId)) return refuse(`the session contract is named ${bookingContractId(this.o.cpoId, sessionId)}`);
    if (range === undefined) return refuse('the contract must state the stay (validity) inside the run');
    const terms = this.termsDiffer(c);
    if (terms !== undefined) return refuse(`the contract changes the offered terms: ${terms}`);
    const old = this.bookings.get(sessionId);
    if (old !== undefined && !['expired', 'refused', 'cancelled'].includes(String(old.snapshot.value))) return refuse(`session ${sessionId} is already booked`);
    const [arrival, last] = range;
    const departure = last + 1;
    if (clock.intervalStartMs(arrival) <= this.o.services.net.nowMs()) return refuse('the stay must start after now');
    const evse = this.freeEvse(connector, arrival, departure, wanted);
    if (evse === undefined) return refuse(`no ${connector} EVSE is free from ${clock.intervalStartIso(arrival)} to ${clock.intervalStartIso(departure)}`);
    const quoted = withRoleInputs({ ...c, validity: { start: clock.intervalStartIso(arrival), end: clock.intervalStartIso(departure) } }, 'CPO', { evseId: emi3EvseId(this.o.cpoId, evse) });
    const payload: ContractPayload = { ...p, providerId: this.o.cpoId, contract: quoted, resources: [{ resourceId: `${this.o.cpoId}-evse-${evse}`, quantity: requestedKWh, unit: 'kWh' }] };
    const b: Booking = {
      sessionId,
      contractId: c.contractId,
      driverId: msg.from,
      evse,
      connectorType: connector,
      arrival,
      departure,
      requestedKWh,
      maxKW: Math.min(vehicleKW, this.o.chargerKW),
      snapshot: start<typeof stationBookingMachine, StationEffect>(stationBookingMachine, undefined).snapshot,
      contract: quoted,
      payload,
      pending: undefined,
      confirmMsg: undefined,
      events: [],
      cdr: undefined,
      report: undefined,
    };
    this.bookings.set(sessionId, b);
    this.o.services.net.callback(msg, 'on_select', payload);
  }

  private onInitOrConfirm(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const b = this.bookingOf(p.contract, msg.from);
    if (b === undefined) return this.refuseUnknown(msg, p.contract.contractId);
    b.pending = msg;
    const same = canonicalJson(p.contract) === canonicalJson(b.contract);
    const event: StationEvent = msg.action === 'init' ? { type: 'INIT' } : same ? { type: 'CONFIRM' } : { type: 'CONFIRM_DIFFERS', reason: 'the confirm changes the contract of on_init' };
    if (msg.action === 'init' && !same) return this.answer(msg, 'on_init', b, refusedContract(p.contract, 'CPO', 'refused', 'the init changes the quoted contract'));
    if (!this.drive(b, event)) this.answer(msg, `on_${msg.action}`, b, refusedContract(p.contract, 'CPO', 'refused', `the booking is ${String(b.snapshot.value)}`));
  }

  private onUpdate(msg: InboundMessage): void {
    const p = this.contractPayload(msg);
    if (p === undefined) return;
    const b = this.bookingOf(p.contract, msg.from);
    if (b === undefined) return this.refuseUnknown(msg, p.contract.contractId);
    const ev = p.delivery?.sessionEvents?.at(-1);
    b.pending = msg;
    const event: StationEvent | undefined = ev?.eventType === 'Started' ? { type: 'START' } : ev?.eventType === 'Ended' ? { type: 'STOP' } : undefined;
    if (event === undefined || !this.drive(b, event)) this.answer(msg, 'on_update', b, withRoleInputs(b.contract, 'CPO', { refusal: `refused: an update must start (Started) or stop (Ended) the session; the booking is ${String(b.snapshot.value)}` }));
  }

  private onStatus(msg: InboundMessage): void {
    const ref = msg.payload as ContractRefPayload;
    const b = [...this.bookings.values()].find((x) => x.contractId === ref.contractId && x.driverId === msg.from);
    if (b === undefined) return this.refuseUnknown(msg, ref.contractId);
    this.o.services.net.callback(msg, 'on_status', { ...b.payload, contract: b.contract, delivery: this.delivery(b, 'Updated'), ...(b.report === undefined ? {} : { settlement: b.report }) });
  }

  // --- the booking machine --------------------------------------------------------------------

  private drive(b: Booking, event: StationEvent): boolean {
    const r = step<typeof stationBookingMachine, StationEffect>(stationBookingMachine, b.snapshot, event);
    if (!r.changed && r.effects.length === 0) return false;
    b.snapshot = r.snapshot;
    const { net, record } = this.o.services;
    for (const e of r.effects) {
      switch (e.type) {
        case 'answerInit':
          if (b.pending !== undefined) this.answer(b.pending, 'on_init', b, b.contract);
          break;
        case 'activate': {
          const moved = contractTransition(b.contract, 'ACTIVE');
          if (!moved.ok) {
            if (b.pending !== undefined) this.answer(b.pending, 'on_confirm', b, refusedContract(b.contract, 'CPO', 'incomplete', moved.errors.map((d) => d.message).join('; ')));
            break;
          }
          b.contract = moved.value;
          b.confirmMsg = b.pending;
          record.contractActive(b.contract, this.o.cpoId, 'at-end');
          this.o.site.book({ id: b.sessionId, contractId: b.contractId, driverId: b.driverId, evse: b.evse, arrival: b.arrival, departure: b.departure, requestedKWh: b.requestedKWh, maxKW: b.maxKW });
          if (b.pending !== undefined) this.answer(b.pending, 'on_confirm', b, b.contract);
          break;
        }
        case 'answerStart':
          this.o.site.plug(b.sessionId);
          if (b.pending !== undefined) net.callback(b.pending, 'on_update', { ...b.payload, contract: b.contract, delivery: this.delivery(b, 'Started') });
          break;
        case 'answerStop':
          if (b.pending !== undefined) net.callback(b.pending, 'on_update', { ...b.payload, contract: b.contract, delivery: this.delivery(b, 'Ended') });
          break;
        case 'answerCancel':
          if (e.accepted) {
            b.contract = refusedContract(b.contract, 'CPO', 'cancelled', e.reason);
            record.contractStatus(b.contractId, 'TERMINATED');
            this.o.site.cancel(b.sessionId);
          }
          if (b.pending !== undefined) this.answer(b.pending, 'on_cancel', b, e.accepted ? b.contract : withRoleInputs(b.contract, 'CPO', { refusal: `refused: ${e.reason}` }));
          break;
        case 'refuse':
          if (b.pending !== undefined) this.answer(b.pending, e.answer, b, e.answer === 'on_update' ? withRoleInputs(b.contract, 'CPO', { refusal: `refused: ${e.reason}` }) : refusedContract(b.contract, 'CPO', 'refused', e.reason));
          break;
        case 'release':
          // nothing to book-keep: an EVSE counts as held only while a booking on it is quoted, held, booked or charging
          break;
        case 'close':
          this.close(b);
          break;
        case 'report': {
          const moved = contractTransition(b.contract, 'COMPLETED');
          if (moved.ok) b.contract = moved.value;
          record.contractStatus(b.contractId, 'COMPLETED');
          if (b.cdr !== undefined && b.report !== undefined) b.cdr = { ...b.cdr, totalCost: untaxedTotal(b.report) };
          if (b.confirmMsg !== undefined) net.callback(b.confirmMsg, 'on_status', { ...b.payload, contract: b.contract, delivery: this.delivery(b, 'Ended'), ...(b.report === undefined ? {} : { settlement: b.report }) });
          break;
        }
      }
    }
    return true;
  }

  /** Ends a session: unplugs the vehicle, takes its charge data record and hands it to settlement. */
  private close(b: Booking): void {
    const { clock, record, net } = this.o.services;
    const h = clock.intervalHours;
    this.o.site.unplug(b.sessionId);
    const u = this.o.site.usage(b.sessionId);
    const energy = round6(u.deliveredKWh);
    const connectedHours = round6(u.connectedIntervals * h);
    const idleMinutes = u.idleIntervals * clock.intervalMinutes;
    record.periodInputs(b.contractId, b.departure - 1, cpoSessionInputs({ energyKWh: energy, connectedHours, idleMinutes, sessionsStarted: u.started ? 1 : 0 }));
    const firstCharged = [...u.energyByInterval.keys()].sort((x, y) => x - y)[0];
    const startIso = clock.intervalStartIso(u.started ? Math.min(firstCharged ?? b.arrival, b.arrival) : b.arrival);
    b.cdr = {
      cdrId: `cdr-${b.sessionId}`,
      sessionId: b.sessionId,
      evseId: emi3EvseId(this.o.cpoId, b.evse),
      connectorType: b.connectorType,
      powerType: this.o.entry.powerType,
      meterId: this.o.meterId,
      start: startIso,
      end: isoOf(Math.max(net.nowMs(), Date.parse(startIso) + 1000)),
      energyKWh: energy,
      durationHours: connectedHours,
      maxPowerKW: b.maxKW,
      currency: this.o.tariff.currency,
      chargingPeriods: [...u.energyByInterval.entries()].sort(([x], [y]) => x - y).map(([k, kwh]) => ({ start: clock.intervalStartIso(k), dimensions: [{ type: 'ENERGY' as const, volume: round6(kwh) }, { type: 'TIME' as const, volume: h }] })),
    };
    const unmet = b.requestedKWh - u.deliveredKWh;
    if (u.started && unmet > 1e-6) {
      record.metric(UNMET_EV_ENERGY_METRIC, unmet);
      record.note(b.departure - 1, `${this.o.cpoId}: session ${b.sessionId} ended ${unmet.toFixed(3)} kWh short of the ${b.requestedKWh.toFixed(3)} kWh booked`);
    }
    if (!u.started) record.note(b.departure - 1, `${this.o.cpoId}: session ${b.sessionId} was booked but never started`);
  }

  /** The session as the driver sees it: status, the latest session event, the charger's profile, the charge data record once closed. */
  private delivery(b: Booking, eventType: ChargingSessionEvent['eventType']): EnergyDelivery {
    const clock = this.o.services.clock;
    const state = String(b.snapshot.value);
    const u = this.o.site.usage(b.sessionId);
    const plugged = this.o.site.isPlugged(b.sessionId);
    // energy so far as the charger's meter shows it now: the intervals ended, and the share of the current one elapsed
    const nowMs = this.o.services.net.nowMs();
    const current = Math.floor((nowMs - clock.startMs) / clock.intervalMs);
    const elapsed = Math.min(1, Math.max(0, (nowMs - clock.intervalStartMs(current)) / clock.intervalMs));
    let soFar = 0;
    for (const [k, kwh] of u.energyByInterval) soFar += k < current ? kwh : k === current ? kwh * elapsed : 0;
    const drawing = (u.energyByInterval.get(current) ?? 0) > 0;
    const full = u.deliveredKWh >= b.requestedKWh - 1e-9;
    const event: ChargingSessionEvent = {
      sessionId: b.sessionId,
      evseId: emi3EvseId(this.o.cpoId, b.evse),
      eventType,
      at: isoOf(nowMs),
      ...(plugged ? { chargingState: drawing ? ('Charging' as const) : full ? ('SuspendedEV' as const) : ('SuspendedEVSE' as const) } : eventType === 'Started' ? { chargingState: 'EVConnected' as const } : {}),
      energyKWh: round6(eventType === 'Ended' || !plugged ? u.deliveredKWh : soFar),
      ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' as const } : {}),
    };
    const status = state === 'charging' ? 'IN_PROGRESS' : state === 'ended' || state === 'completed' ? 'COMPLETED' : state === 'booked' || state === 'held' || state === 'quoted' ? 'PENDING' : 'FAILED';
    const profile = this.profiles.get(b.sessionId);
    const window = { start: clock.intervalStartIso(b.arrival), end: clock.intervalStartIso(b.departure) };
    return {
      deliveryId: `${b.contractId}-session`,
      status,
      window,
      sessionEvents: [event],
      ...(profile === undefined || state !== 'charging' ? {} : { setpoints: [{ setpointId: `${b.sessionId}-profile`, resourceId: `${this.o.cpoId}-evse-${b.evse}`, interval: window, targetPowerKW: -(this.currentLimitKW(profile) ?? 0), commands: [profile] }] }),
      ...(b.cdr === undefined ? {} : { chargeDataRecords: [b.cdr] }),
    };
  }

  private currentLimitKW(cmd: SetpointCommand): number | undefined {
    if (cmd.standard !== 'OCPP') return undefined;
    const period = cmd.setChargingProfile.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod[0];
    return period?.limit === undefined ? undefined : period.limit / 1000;
  }

  // --- helpers --------------------------------------------------------------------------------

  /** An EVSE with the connector free over [arrival, departure): the wanted one when free, else the lowest-numbered. */
  private freeEvse(connector: OcpiConnectorType, arrival: number, departure: number, wanted: number | undefined): number | undefined {
    const held = (evse: number): boolean =>
      [...this.bookings.values()].some((b) => {
        const v = String(b.snapshot.value);
        const live = v === 'quoted' || v === 'held' || v === 'booked' || v === 'charging';
        return live && b.evse === evse && b.arrival < departure && arrival < b.departure;
      });
    const fits = this.evseList.filter((e) => e.connectorType === connector && !held(e.evse)).map((e) => e.evse);
    if (wanted !== undefined && fits.includes(wanted)) return wanted;
    return fits[0];
  }

  /** Whether a driver's contract keeps the offered tariff and flows. */
  private termsDiffer(c: EnergyContract): string | undefined {
    const o = this.offerContract;
    if (c.template !== o.template || c.currency !== o.currency) return 'another template or currency';
    if (canonicalJson(c.revenueFlows) !== canonicalJson(o.revenueFlows)) return 'other revenue flows';
    if (canonicalJson(c.inputParameters ?? {}) !== canonicalJson(o.inputParameters ?? {})) return 'other parameters';
    if (canonicalJson(c.telemetrySources ?? []) !== canonicalJson(o.telemetrySources ?? []) || canonicalJson(c.state ?? []) !== canonicalJson(o.state ?? [])) return 'other telemetry';
    for (const r of o.roles) {
      if (r.role === 'EV_DRIVER') continue;
      const mine = roleOf(c, r.role);
      if (mine === undefined || mine.filledBy !== r.filledBy || canonicalJson(mine.roleInputs ?? {}) !== canonicalJson(r.roleInputs ?? {})) return `the ${r.role} role changed`;
    }
    return c.roles.length === o.roles.length ? undefined : 'roles added or removed';
  }

  private bookingOf(c: EnergyContract, driverId: string): Booking | undefined {
    const b = [...this.bookings.values()].find((x) => x.contractId === c.contractId);
    return b !== undefined && b.driverId === driverId ? b : undefined;
  }

  private byRef(msg: InboundMessage): Booking | undefined {
    const ref = msg.payload as ContractRefPayload;
    const b = [...this.bookings.values()].find((x) => x.contractId === ref.contractId && x.driverId === msg.from);
    if (b === undefined) this.refuseUnknown(msg, ref.contractId);
    return b;
  }

  private answer(msg: InboundMessage, action: string, b: Booking, contract: EnergyContract): void {
    this.o.services.net.callback(msg, action, { ...b.payload, contract });
  }

  private refuseUnknown(msg: InboundMessage, contractId: string): void {
    const p = msg.payload as Partial<ContractPayload>;
    const contract: EnergyContract =
      p.kind === 'contract' && p.contract !== undefined
        ? refusedContract(p.contract, 'CPO', 'unknown-contract', `no booking ${contractId} of ${msg.from}`)
        : { contractId, status: 'TERMINATED', createdAt: isoOf(this.o.services.net.nowMs()), currency: this.o.tariff.currency, roles: [{ role: 'CPO', filled: true, filledBy: this.o.cpoId, roleInputs: { refusal: `unknown-contract: no booking ${contractId} of ${msg.from}` } }], revenueFlows: { flows: [], netZero: true } };
    const base: ContractPayload = p.kind === 'contract' && p.contract !== undefined ? (p as ContractPayload) : { kind: 'contract', contract, offerId: chargingOfferId(this.o.cpoId), providerId: this.o.cpoId, resources: [{ resourceId: `${this.o.cpoId}-evse-1`, quantity: 0, unit: 'kWh' }] };
    this.o.services.net.callback(msg, `on_${msg.action}`, { ...base, providerId: this.o.cpoId, contract });
  }

  private contractPayload(msg: InboundMessage): ContractPayload | undefined {
    const p = msg.payload as Partial<ContractPayload>;
    if (p.kind === 'contract' && p.contract !== undefined) return p as ContractPayload;
    this.o.services.record.note(this.currentInterval(), `${this.o.cpoId}: ${msg.action} from ${msg.from} carries no contract`);
    return undefined;
  }

  private currentInterval(): number {
    const c = this.o.services.clock;
    return Math.min(c.intervals - 1, Math.max(0, Math.floor((this.o.services.net.nowMs() - c.startMs) / c.intervalMs)));
  }
}

/** The session's charges before tax, from its settlement report, as a decimal string of the report's currency. */
function untaxedTotal(r: SettlementReport): string {
  const exp = currencyExponent(r.currency) ?? 2;
  let minor = 0n;
  for (const l of r.lines) if (l.kind !== 'tax') minor += parseMinor(l.amount, exp) ?? 0n;
  return formatMinor(minor, exp);
}

function round6(x: number): number {
  const v = Number(x.toFixed(6));
  return v === 0 ? 0 : v;
}
