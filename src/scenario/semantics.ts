import type { Diagnostic } from '../diagnostics.js';
import type { Scenario } from './types.js';
import { intervalCount } from './types.js';

/** Checks that go beyond the JSON Schema: cross-field rules. Returns every problem (paths only; the loader adds positions). */
export function checkScenarioSemantics(s: Scenario): Diagnostic[] {
  const out: Diagnostic[] = [];
  const n = intervalCount(s);
  if (Math.abs((n * s.intervalMinutes) / 60 - s.horizonHours) > 1e-9) {
    out.push({ code: 'scenario.horizon', path: 'horizonHours', message: `the horizon (${s.horizonHours} h) must be a whole number of ${s.intervalMinutes}-minute intervals` });
  }
  const start = Date.parse(s.start);
  if (Number.isFinite(start) && (start / 60_000) % s.intervalMinutes !== 0) {
    out.push({ code: 'scenario.start', path: 'start', message: `start must fall on an interval boundary of ${s.intervalMinutes} minutes` });
  }
  if (s.market.gateClosureMinutes >= s.market.bidLeadMinutes) {
    out.push({ code: 'market.gate', path: 'market.gateClosureMinutes', message: `gate closure (${s.market.gateClosureMinutes} min before delivery) must come after bids open (${s.market.bidLeadMinutes} min before delivery)` });
  }
  if (s.market.priceFloor >= s.market.priceCap) {
    out.push({ code: 'market.bounds', path: 'market.priceFloor', message: `price floor (${s.market.priceFloor}) must be below the cap (${s.market.priceCap})` });
  }
  if (s.feeder.file !== undefined && s.feeder.generate !== undefined) {
    out.push({ code: 'feeder.choice', path: 'feeder.file', message: 'give either feeder.file or feeder.generate, not both' });
  }
  const ids = new Map<string, string>();
  s.participants.forEach((p, i) => {
    const path = `participants[${i}]`;
    if (p.count > 1 && p.id !== undefined) {
      out.push({ code: 'participant.id', path: `${path}.id`, message: 'a group (count > 1) takes idPrefix, not id' });
    }
    const names = p.count > 1 ? Array.from({ length: p.count }, (_, k) => `${p.idPrefix ?? p.kind}-${k + 1}`) : [p.id ?? p.idPrefix ?? p.kind];
    for (const id of names) {
      const prev = ids.get(id);
      if (prev !== undefined) out.push({ code: 'participant.duplicate', path: p.count > 1 ? `${path}.idPrefix` : `${path}.id`, message: `participant id "${id}" is also used by ${prev}` });
      else ids.set(id, path);
    }
  });
  (s.utility.touPerKWh ?? []).forEach((b, i) => {
    if (b.toHour <= b.fromHour) out.push({ code: 'utility.tou', path: `utility.touPerKWh[${i}].toHour`, message: `toHour (${b.toHour}) must be after fromHour (${b.fromHour})` });
  });
  return out;
}
