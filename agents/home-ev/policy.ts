import type { Result } from '../../src/diagnostics.js';
import { fail, ok } from '../../src/diagnostics.js';
import { formContract } from '../../src/contracts/form.js';
import { evaluatePeriod, initialState } from '../../src/contracts/evaluate.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { SimClock } from '../../src/kernel/clock.js';
import type { EvSession } from '../../grid/profiles/index.js';

/**
 * The home charger's decisions, as pure functions: which intervals of a plug-in to charge in
 * (cheapest first, or as soon as possible), how much power the connection leaves for the car, and
 * what the tariff contract charges per imported kWh in each interval.
 */

/** One interval the car is plugged in: its import price and the most the charger may draw, kW (≥ 0). */
export interface ChargeSlot {
  readonly k: number;
  readonly pricePerKWh: number;
  readonly maxKW: number;
}

/** `cheapest`: cheapest intervals first (earliest among equal prices); `immediate`: as soon as plugged in. */
export type SlotOrder = 'cheapest' | 'immediate';

export interface ChargePlan {
  /** Charging power per slot, kW (≥ 0), in the order of the slots given. */
  readonly powerKW: readonly number[];
  readonly plannedKWh: number;
  /** Energy that no slot has room for, kWh (≥ 0). */
  readonly shortfallKWh: number;
  /** Cost of the plan at the slots' prices. */
  readonly cost: number;
}

/**
 * Fills `energyKWh` into the slots in the given order, each up to `maxKW × intervalHours`. With
 * linear prices and per-slot limits, filling the cheapest slots first is a least-cost plan (a
 * fractional knapsack), and it delivers min(need, Σ room). Earliest slots win price ties, so energy
 * is never deferred without a saving. Slots with non-positive room take nothing.
 */
export function planCharging(slots: readonly ChargeSlot[], energyKWh: number, intervalHours: number, order: SlotOrder): ChargePlan {
  const idx = slots.map((_, i) => i);
  if (order === 'cheapest') idx.sort((a, b) => (slots[a] as ChargeSlot).pricePerKWh - (slots[b] as ChargeSlot).pricePerKWh || (slots[a] as ChargeSlot).k - (slots[b] as ChargeSlot).k);
  else idx.sort((a, b) => (slots[a] as ChargeSlot).k - (slots[b] as ChargeSlot).k);
  const power = new Array<number>(slots.length).fill(0);
  let left = Math.max(0, energyKWh);
  let cost = 0;
  for (const i of idx) {
    if (left <= 0) break;
    const s = slots[i] as ChargeSlot;
    const room = Math.max(0, s.maxKW) * intervalHours;
    if (room <= 0) continue;
    const kwh = Math.min(room, left);
    // a slot filled to its room is given its exact power (no division noise)
    power[i] = kwh === room ? Math.max(0, s.maxKW) : kwh / intervalHours;
    cost += kwh * s.pricePerKWh;
    left -= kwh;
  }
  const target = Math.max(0, energyKWh);
  const shortfall = left <= 1e-12 * Math.max(1, target) ? 0 : left;
  return { powerKW: power, plannedKWh: target - shortfall, shortfallKWh: shortfall, cost };
}

/**
 * Charging power the connection leaves, kW: the import must stay `headroomKW` below the sanctioned
 * load, so the car may draw sanctioned − headroom − (house load − PV), within [0, charger power].
 */
export function availableChargeKW(chargerKW: number, sanctionedLoadKW: number, headroomKW: number, houseLoadKW: number, pvKW: number): number {
  return Math.min(chargerKW, Math.max(0, sanctionedLoadKW - headroomKW - (houseLoadKW - pvKW)));
}

/**
 * The plug-ins of one car: sessions sorted by arrival, a session that arrives while the car is
 * still plugged in from an earlier one dropped (one car cannot be plugged in twice).
 */
export function oneCarSessions(sessions: readonly EvSession[]): EvSession[] {
  const out: EvSession[] = [];
  for (const s of [...sessions].sort((a, b) => a.arrival - b.arrival || a.departure - b.departure)) {
    const last = out[out.length - 1];
    if (last === undefined || s.arrival >= last.departure) out.push(s);
  }
  return out;
}

/**
 * The part of a session's energy due inside the run, kWh: all of it when the car leaves within the
 * run, else pro rata of the plug-in time inside the run (the rest is due after the run ends).
 */
export function energyDueInRun(s: Pick<EvSession, 'arrival' | 'departure' | 'energyKWh'>, intervals: number): number {
  if (s.departure <= intervals) return s.energyKWh;
  const inside = Math.max(0, intervals - s.arrival);
  return (s.energyKWh * inside) / (s.departure - s.arrival);
}

/**
 * What the tariff contract charges per imported kWh in intervals [first, last]: each interval is
 * evaluated with the contract's own formulas on a 1 kWh import, and the rate of its `import` flow
 * is read back (negative when the flow reverses), so the charger plans on exactly the prices it
 * will be billed. Fails when the contract cannot be evaluated without further inputs (a tariff
 * published as a signal) or has no import flow.
 */
export function importPricesOf(contract: EnergyContract, clock: SimClock, first: number, last: number): Result<readonly number[]> {
  const compiled = formContract({ ...contract, status: 'ACTIVE' });
  if (!compiled.ok) return compiled;
  const telemetry: Record<string, Record<string, number>> = {};
  for (const t of contract.telemetrySources ?? []) if (t.sourceType === 'METER_READING') telemetry[t.sourceId] = { energyKWh: -1, importKWh: 1, exportKWh: 0 };
  const out: number[] = [];
  const state = initialState(compiled.value);
  for (let k = first; k <= last; k++) {
    const r = evaluatePeriod(compiled.value, { start: clock.intervalStartIso(k), end: clock.intervalStartIso(k + 1), index: k }, { telemetry }, state);
    if (!r.ok) return r;
    const line = r.value.lines.find((l) => l.flowId === 'import');
    if (line === undefined) return fail([{ code: 'home-ev.tariff', path: 'revenueFlows', message: `contract ${contract.contractId} has no import flow to price charging with` }]);
    out.push(line.reversed ? -line.ratePerUnit : line.ratePerUnit);
  }
  return ok(out);
}
