import { evSessions, forecast, householdLoad } from '../../grid/profiles/index.js';
import type { OfferCurve } from '../../src/market/curve-types.js';
import type { EnergyResourceType } from '../../src/protocol/payloads.js';
import type { AgentServices, MeterAssignment } from '../../src/run/agent.js';
import { batteryBehaviour } from '../battery/index.js';
import type { StandAloneBatteryParams } from '../battery/params.js';
import { cpoWillingness, sessionBid } from '../cpo/policy.js';
import { ChargingSite, plugSessions } from '../cpo/site.js';
import type { ParticipantBehaviour } from '../participant/agent.js';
import { curveFromFunction } from '../participant/curve.js';
import type { MarketEconomics } from '../participant/economics.js';
import { participantPriceEstimator } from '../participant/prices.js';
import { prosumerBehaviour } from '../prosumer/index.js';
import type { ProsumerEntry } from '../prosumer/params.js';
import { operateSite } from '../prosumer/policy.js';

/**
 * The physical side of a member: what it offers (its curve), what it does when nobody instructs
 * it (its free run, the baseline it forecasts for itself), and how it follows a setpoint. PV
 * homes and batteries reuse the prosumer and battery behaviours of the market participants; an EV
 * home is its household load plus a charger that shifts each session within its deadline.
 */
export interface MemberDevice {
  readonly resourceType: EnergyResourceType;
  /** Offer curve for interval k (+ export kW) under the member's economics. */
  offerCurve(k: number, economics: MarketEconomics): OfferCurve;
  /** Forecast power of interval k when it runs free (no setpoint), kW (+ export). */
  freeRunKW(k: number): number;
  /** The setpoint and price of interval k, as soon as they are known (before delivery). */
  onInstructed(k: number, pricePerKWh: number, targetKW: number): void;
  /** Runs interval k at its setpoint, or free when `targetKW` is undefined; the actual power, kW. */
  operate(k: number, targetKW: number | undefined): number;
}

type Svc = Pick<AgentServices, 'scenario' | 'clock' | 'stream' | 'record' | 'net'>;

function fromBehaviour(b: ParticipantBehaviour, freeRunKW: (k: number) => number): MemberDevice {
  return {
    resourceType: b.resourceType,
    offerCurve: (k, e) => b.offerCurve(k, e),
    freeRunKW,
    onInstructed(k, price, target) {
      b.onCleared?.(k, { pricePerKWh: price, clearedKW: target, clearedKWh: Number.NaN, setpoint: undefined, followKW: target, commandMismatch: undefined, gridNodeId: undefined });
    },
    operate: (k, target) => b.operate(k, target === undefined ? undefined : { powerKW: target, pricePerKWh: Number.NaN, setpoint: undefined }),
  };
}

/** A home with rooftop PV (and its home battery, if the connection or the entry has one). */
export function pvHomeDevice(e: ProsumerEntry, meter: MeterAssignment | undefined, svc: Svc): MemberDevice {
  const { behaviour, profiles, battery } = prosumerBehaviour(e, meter, svc);
  return fromBehaviour(behaviour, (k) => operateSite(profiles.pvForecastKW[k] ?? 0, profiles.loadForecastKW[k] ?? 0, battery?.state.limits() ?? { chargeKW: 0, dischargeKW: 0 }, undefined).netKW);
}

/** A stand-alone battery: idle when it runs free. */
export function batteryDevice(p: StandAloneBatteryParams, meter: MeterAssignment | undefined, svc: Svc): MemberDevice {
  return fromBehaviour(batteryBehaviour(p, meter, svc).behaviour, () => 0);
}

/** Parameters of an EV home. */
export interface EvHomeParams {
  /** Charger power, kW; default the connection's, else 7.4. */
  readonly chargerKW: number | undefined;
  /** Mean charging sessions per day (home pattern). */
  readonly sessionsPerDay: number;
  /** Yearly household consumption besides the car, kWh; default the connection's, else 3000. */
  readonly annualKWh: number | undefined;
  /** Relative sd of the household load forecast. */
  readonly forecastErrorSd: number;
  readonly priceLearningRate: number;
}

/** Name of the metric of energy EV drivers did not get by their departure, kWh (the CPO's name). */
export const UNMET_EV_ENERGY_METRIC = 'unmetEvEnergyKWh';

/**
 * A home with an EV charger. Each session (home arrival statistics) must be charged by its
 * departure; the charger's curve bids the must-charge power at any price and the rest only below
 * the price of the later intervals it would otherwise use (the CPO's session policy, one charge
 * point), on top of the household load, which it cannot move. Free run: charge as fast as it can
 * from arrival. Following a setpoint, the charger takes what the household leaves of it. Energy
 * missing at a departure is reported as `unmetEvEnergyKWh`.
 */
export function evHomeDevice(id: string, p: EvHomeParams, meter: MeterAssignment | undefined, svc: Svc): MemberDevice {
  const { clock, scenario } = svc;
  const h = clock.intervalHours;
  const chargerKW = p.chargerKW ?? meter?.evChargerKW ?? 7.4;
  const grid = { startIso: clock.intervalStartIso(0), intervalMinutes: clock.intervalMinutes, intervals: clock.intervals, longitude: scenario.location.longitude };
  const drawn = evSessions({ ...grid, kind: 'home', perDay: p.sessionsPerDay, maxPowerKW: chargerKW, idPrefix: 's' }, svc.stream('ev'));
  const { plugged } = plugSessions(drawn, 1, 0, svc.stream('ev-need'));
  const site = new ChargingSite(plugged, h, chargerKW);
  const load = householdLoad({ ...grid, annualKWh: p.annualKWh ?? meter?.annualConsumptionKWh ?? 3000 }, svc.stream('load'));
  const loadForecast = forecast(load, p.forecastErrorSd, svc.stream('load-forecast'));
  const prices = participantPriceEstimator(svc, p.priceLearningRate);
  const expected = (k: number): number => prices.expected(k);
  return {
    resourceType: 'EV',
    offerCurve(k, econ) {
      const bids = site.needsAt(k, svc.net.nowMs()).map((n) => sessionBid(n, k, h, expected));
      const w = cpoWillingness({ sessions: bids, siteLimitKW: chargerKW, pvKW: 0, reservationPerKWh: econ.feedInPerKWh, tradingCostPerKWh: econ.tradingCostPerKWh }, econ);
      const base = loadForecast[k] ?? 0;
      return curveFromFunction((price) => w.powerAt(price) - base, w.breakpoints, econ);
    },
    freeRunKW(k) {
      const charging = site.needsAt(k, svc.net.nowMs()).reduce((s, n) => s + Math.min(n.maxKW, n.remainingKWh / h), 0);
      return -(loadForecast[k] ?? 0) - Math.min(chargerKW, charging);
    },
    onInstructed(k, price, target) {
      prices.observe(k, price);
      site.plan(k, Math.max(0, -target - (loadForecast[k] ?? 0)), svc.net.nowMs());
    },
    operate(k, target) {
      const house = load[k] ?? 0;
      const available = target === undefined ? undefined : Math.max(0, -target - house);
      const r = site.dispatch(k, available, { start: clock.intervalStartIso(k), durationSeconds: clock.intervalMinutes * 60 });
      for (const s of plugged) {
        if (Math.min(s.departure, clock.intervals) - 1 !== k) continue;
        const missing = site.isFull(s.id) ? 0 : Math.max(0, s.acceptsKWh - site.deliveredKWh(s.id));
        if (missing > 1e-9) {
          svc.record.metric(UNMET_EV_ENERGY_METRIC, missing);
          svc.record.note(k, `${id}: session ${s.id} left with ${missing.toFixed(3)} kWh missing`);
        }
      }
      return -house - r.chargingKW;
    },
  };
}
