import type { RandomStream } from '../../src/kernel/random.js';
import type { EvChargingKind } from '../feeder.js';
import { DAY_MS, dayOfWeek, gridTimes, HOUR_MS, isoOfMs, localOffsetMinutes, MINUTE_MS, type IntervalGrid, type LocalClock } from './time.js';

export interface EvSessionParams extends IntervalGrid, LocalClock {
  readonly kind: EvChargingKind;
  /** Exactly this many sessions arriving within the horizon. Give this or `perDay`. */
  readonly count?: number;
  /** Mean sessions per (weekday) day, Poisson; sessions still plugged in at the start are kept. */
  readonly perDay?: number;
  /** Charger power, kW; default drawn from the kind's usual charger mix. */
  readonly maxPowerKW?: number;
  /** Session id prefix. Default the kind. */
  readonly idPrefix?: string;
}

/**
 * One charging session on the interval grid. The EV is plugged in for the whole of intervals
 * [arrival, departure): `arrival` is the first interval that starts after it arrives, `departure`
 * the first interval that ends after it leaves (it may be ≥ the horizon's length). The energy
 * need never exceeds what `maxPowerKW` can deliver while plugged in.
 */
export interface EvSession {
  readonly id: string;
  readonly kind: EvChargingKind;
  readonly arrival: number;
  readonly departure: number;
  readonly arrivalIso: string;
  readonly departureIso: string;
  readonly energyKWh: number;
  readonly maxPowerKW: number;
}

interface ArrivalComponent {
  readonly weight: number;
  /** Local arrival hour: normal(mean, sd), truncated to [minH, maxH]. */
  readonly meanH: number;
  readonly sdH: number;
  readonly minH: number;
  readonly maxH: number;
  /** Plug-in duration: log-normal with this median (hours) and log-sd, clipped. */
  readonly dwellMedianH: number;
  readonly dwellSigma: number;
  readonly dwellMinH: number;
  readonly dwellMaxH: number;
}

interface EvKindStats {
  readonly arrivals: readonly ArrivalComponent[];
  /** Energy need per session: log-normal median (kWh) and log-sd, clipped. */
  readonly energyMedianKWh: number;
  readonly energySigma: number;
  readonly energyMinKWh: number;
  readonly energyMaxKWh: number;
  readonly chargerKW: readonly number[];
  readonly chargerWeights: readonly number[];
  /** Sessions on a Saturday/Sunday relative to a weekday. */
  readonly weekendFactor: number;
}

/**
 * Session statistics per kind of charging. Central values are rounded readings of published
 * charging studies, used as calibration targets (the distributions are ours, not fitted):
 *
 * - Home: plug-in concentrated in the early evening after the commute, most sessions lasting
 *   overnight; typical energy 8–10 kWh per session. EA Technology, "My Electric Avenue" trial
 *   (UK, 2013–2015), analysed in Quirós-Tortós, Ochoa & Butler, IEEE Power & Energy Magazine
 *   16(6), 2018; Idaho National Laboratory, "The EV Project" 2012–2013 (84 % of charging events
 *   at home).
 * - Workplace: arrivals clustered around 08:00–09:00 with a smaller wave after lunch, cars parked
 *   for most of the working day while charging only ~2.5 h of it; few sessions at weekends.
 *   ChargePoint workplace charging data (2021–2022); Lee, Li & Low, "ACN-Data", ACM e-Energy 2019
 *   (Caltech/JPL workplace sites); Asensio et al., Scientific Data 8:131, 2021.
 * - Destination (public AC at shops, leisure): arrivals spread over the day, peaking in the
 *   afternoon, stays of 1–3 h, more at weekends. Hecht, Das, Bussar & Sauer, eTransportation 6,
 *   2020 (German public charging); Mahlberg, Desai & Bullock, World Electric Vehicle Journal 14,
 *   2023 (public charging dwell and driver activity).
 */
export const EV_SESSION_STATS: Readonly<Record<EvChargingKind, EvKindStats>> = {
  home: {
    arrivals: [
      { weight: 0.75, meanH: 18, sdH: 1.5, minH: 14, maxH: 23.5, dwellMedianH: 13, dwellSigma: 0.25, dwellMinH: 2, dwellMaxH: 18 },
      { weight: 0.25, meanH: 12.5, sdH: 3, minH: 7, maxH: 20, dwellMedianH: 4, dwellSigma: 0.6, dwellMinH: 0.5, dwellMaxH: 12 },
    ],
    energyMedianKWh: 8.5,
    energySigma: 0.6,
    energyMinKWh: 1,
    energyMaxKWh: 60,
    chargerKW: [3.7, 7.4],
    chargerWeights: [0.35, 0.65],
    weekendFactor: 0.9,
  },
  workplace: {
    arrivals: [
      { weight: 0.8, meanH: 8.5, sdH: 1, minH: 6, maxH: 11.5, dwellMedianH: 8, dwellSigma: 0.2, dwellMinH: 1, dwellMaxH: 11 },
      { weight: 0.2, meanH: 13, sdH: 0.8, minH: 11.5, maxH: 16, dwellMedianH: 3.5, dwellSigma: 0.4, dwellMinH: 0.5, dwellMaxH: 6 },
    ],
    energyMedianKWh: 9,
    energySigma: 0.55,
    energyMinKWh: 1,
    energyMaxKWh: 50,
    chargerKW: [7.4, 11],
    chargerWeights: [0.6, 0.4],
    weekendFactor: 0.1,
  },
  destination: {
    arrivals: [{ weight: 1, meanH: 14.5, sdH: 3.5, minH: 7, maxH: 22, dwellMedianH: 1.5, dwellSigma: 0.5, dwellMinH: 0.25, dwellMaxH: 6 }],
    energyMedianKWh: 7,
    energySigma: 0.6,
    energyMinKWh: 1,
    energyMaxKWh: 50,
    chargerKW: [11, 22],
    chargerWeights: [0.3, 0.7],
    weekendFactor: 1.3,
  },
};

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function truncatedNormal(stream: RandomStream, mean: number, sd: number, lo: number, hi: number): number {
  for (let k = 0; k < 64; k++) {
    const x = stream.normal(mean, sd);
    if (x >= lo && x <= hi) return x;
  }
  return clamp(mean, lo, hi);
}

function poisson(stream: RandomStream, mean: number): number {
  let n = 0;
  let t = stream.exponential(mean);
  while (t < 1) {
    n++;
    t += stream.exponential(mean);
  }
  return n;
}

interface Draw {
  readonly arrivalMs: number;
  readonly departureMs: number;
  readonly energyKWh: number;
  readonly maxPowerKW: number;
}

function drawSession(stats: EvKindStats, stream: RandomStream, localDayStartMs: number, offsetMs: number, fixedKW: number | undefined): Draw {
  const c = stats.arrivals[stream.weightedIndex(stats.arrivals.map((a) => a.weight))]!;
  const hour = truncatedNormal(stream, c.meanH, c.sdH, c.minH, c.maxH);
  const dwellH = clamp(stream.logNormal(Math.log(c.dwellMedianH), c.dwellSigma), c.dwellMinH, c.dwellMaxH);
  const energy = clamp(stream.logNormal(Math.log(stats.energyMedianKWh), stats.energySigma), stats.energyMinKWh, stats.energyMaxKWh);
  const kw = fixedKW ?? stats.chargerKW[stream.weightedIndex(stats.chargerWeights)]!;
  const arrivalMs = localDayStartMs - offsetMs + hour * HOUR_MS;
  return { arrivalMs, departureMs: arrivalMs + dwellH * HOUR_MS, energyKWh: energy, maxPowerKW: kw };
}

/**
 * EV charging sessions over the grid's horizon for one kind of charging, drawn from
 * `EV_SESSION_STATS`: arrival hour (local time) from a mixture of truncated normals, plug-in
 * duration and energy need log-normal, charger power from the kind's mix unless given.
 * With `count`: exactly that many sessions arriving inside the horizon, on days weighted by the
 * weekday/weekend factor. With `perDay`: a Poisson number per local day (× weekend factor),
 * including sessions that arrived the day before and are still plugged in at the start (their
 * energy need reduced to the share of their stay inside the horizon). Sorted by arrival.
 * Throws RangeError on invalid parameters.
 */
export function evSessions(params: EvSessionParams, stream: RandomStream): EvSession[] {
  const { startMs, stepMs } = gridTimes(params);
  const stats = EV_SESSION_STATS[params.kind];
  if (stats === undefined) throw new RangeError(`unknown EV charging kind '${String(params.kind)}'`);
  if ((params.count === undefined) === (params.perDay === undefined)) throw new RangeError('give exactly one of count or perDay');
  if (params.count !== undefined && !(Number.isInteger(params.count) && params.count >= 0)) throw new RangeError(`count must be a whole number ≥ 0, got ${params.count}`);
  if (params.perDay !== undefined && !(params.perDay >= 0 && Number.isFinite(params.perDay))) throw new RangeError(`perDay must be ≥ 0, got ${params.perDay}`);
  if (params.maxPowerKW !== undefined && !(params.maxPowerKW > 0)) throw new RangeError(`maxPowerKW must be > 0, got ${params.maxPowerKW}`);
  const offsetMs = localOffsetMinutes(params) * MINUTE_MS;
  const n = params.intervals;
  const endMs = startMs + n * stepMs;
  const draws: Draw[] = [];
  if (n === 0) return [];
  const firstDay = Math.floor((startMs + offsetMs) / DAY_MS);
  const lastDay = Math.floor((endMs - 1 + offsetMs) / DAY_MS);
  const dayFactor = (day: number): number => {
    const dow = dayOfWeek(day * DAY_MS);
    return dow === 0 || dow === 6 ? stats.weekendFactor : 1;
  };

  if (params.count !== undefined) {
    const days: number[] = [];
    const weights: number[] = [];
    for (let d = firstDay; d <= lastDay; d++) {
      days.push(d);
      weights.push(dayFactor(d));
    }
    for (let s = 0; s < params.count; s++) {
      let draw: Draw | undefined;
      for (let attempt = 0; attempt < 10_000 && draw === undefined; attempt++) {
        const d = drawSession(stats, stream, days[stream.weightedIndex(weights)]! * DAY_MS, offsetMs, params.maxPowerKW);
        if (d.arrivalMs >= startMs && d.arrivalMs < endMs) draw = d;
      }
      if (draw === undefined) {
        // The horizon misses the kind's arrival hours almost entirely: arrive at a uniform time in it.
        const d = drawSession(stats, stream, firstDay * DAY_MS, offsetMs, params.maxPowerKW);
        const arrivalMs = startMs + stream.next() * (endMs - startMs);
        draw = { ...d, arrivalMs, departureMs: arrivalMs + (d.departureMs - d.arrivalMs) };
      }
      draws.push(draw);
    }
  } else {
    const perDay = params.perDay ?? 0;
    for (let d = firstDay - 1; d <= lastDay; d++) {
      const k = poisson(stream, perDay * dayFactor(d));
      for (let s = 0; s < k; s++) {
        const draw = drawSession(stats, stream, d * DAY_MS, offsetMs, params.maxPowerKW);
        if (draw.arrivalMs >= endMs || draw.departureMs <= startMs) continue;
        if (draw.arrivalMs < startMs) {
          const remaining = (draw.departureMs - startMs) / (draw.departureMs - draw.arrivalMs);
          draws.push({ ...draw, arrivalMs: startMs, energyKWh: draw.energyKWh * remaining });
        } else {
          draws.push(draw);
        }
      }
    }
  }

  draws.sort((a, b) => a.arrivalMs - b.arrivalMs || a.departureMs - b.departureMs);
  const prefix = params.idPrefix ?? params.kind;
  const stepH = stepMs / HOUR_MS;
  return draws.map((d, k) => {
    const arrival = Math.min(n - 1, Math.max(0, Math.ceil((d.arrivalMs - startMs) / stepMs - 1e-9)));
    const departure = Math.max(arrival + 1, Math.floor((d.departureMs - startMs) / stepMs + 1e-9));
    const deliverable = d.maxPowerKW * (departure - arrival) * stepH;
    return {
      id: `${prefix}-${k + 1}`,
      kind: params.kind,
      arrival,
      departure,
      arrivalIso: isoOfMs(Math.round(d.arrivalMs / 1000) * 1000),
      departureIso: isoOfMs(Math.round(d.departureMs / 1000) * 1000),
      energyKWh: Math.round(Math.min(d.energyKWh, deliverable) * 1000) / 1000,
      maxPowerKW: d.maxPowerKW,
    };
  });
}
