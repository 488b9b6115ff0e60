import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../settlement/money.js';
import { evaluatePeriod, initialState, type PeriodInputs } from '../evaluate.js';
import { formContract } from '../form.js';
import type { EnergyContract } from '../model.js';
import { touInputs, touTariff, type TouTariffOptions } from './tou-tariff.js';

const BASE = { createdAt: '2026-06-21T00:00:00Z', currency: 'INR', contractId: 'tou-1', utility: 'utility', customer: 'home-3' } as const;

function contractOf(o: TouTariffOptions): EnergyContract {
  const r = touTariff(o);
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.value;
}

/** Lines of the 15-minute period starting at `utcStart`. */
function settle(contract: EnergyContract, utcStart: string, inputs: PeriodInputs): string[][] {
  const c = formContract(contract);
  if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const end = new Date(Date.parse(utcStart) + 900_000).toISOString().replace('.000Z', 'Z');
  const r = evaluatePeriod(c.value, { start: utcStart, end, index: 0 }, inputs, initialState(c.value));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.value.lines.map((l) => [l.flowId, l.payer, l.payee, formatMinor(l.amountMinor, 2)]);
}

describe('time-of-use tariff', () => {
  const table = contractOf({
    ...BASE,
    rates: { kind: 'table', bands: [{ fromHour: 22, pricePerKWh: 4 }, { fromHour: 6, pricePerKWh: 6.5 }, { fromHour: 18, pricePerKWh: 9 }], utcOffsetMinutes: 330 },
    exportPerKWh: 3,
    fixedPerDay: 24,
  });

  it('prices imports by the local-time band: 13:00 UTC is 18:30 IST, peak 9.00 → 2 kWh = 18.00', () => {
    expect(settle(table, '2026-06-21T13:00:00Z', touInputs(-2))).toEqual([
      ['import', 'home-3', 'utility', '18.00'],
      ['export', 'utility', 'home-3', '0.00'],
      ['fixed', 'home-3', 'utility', '0.25'], // 24.00 per day × 0.25 h / 24
    ]);
  });

  it('wraps the day: 20:30 UTC is 02:00 IST, before the first band, so the 22:00 band applies', () => {
    expect(settle(table, '2026-06-21T20:30:00Z', touInputs(-2))[0]).toEqual(['import', 'home-3', 'utility', '8.00']);
    expect(settle(table, '2026-06-21T03:00:00Z', touInputs(-2))[0]).toEqual(['import', 'home-3', 'utility', '13.00']); // 08:30 IST
  });

  it('pays exports at the export price', () => {
    expect(settle(table, '2026-06-21T06:00:00Z', touInputs(1.5)).slice(0, 2)).toEqual([
      ['import', 'home-3', 'utility', '0.00'],
      ['export', 'utility', 'home-3', '4.50'],
    ]);
  });

  it('writes the bands as parameters and one conditional over the local hour', () => {
    expect(table.inputParameters?.priceFrom1800?.value).toBe(9);
    expect(table.revenueFlows.flows[0]?.rate).toBe(
      'if(mod(period.hourOfDay + 5.5, 24) < 6, params.priceFrom2200, if(mod(period.hourOfDay + 5.5, 24) < 18, params.priceFrom0600, if(mod(period.hourOfDay + 5.5, 24) < 22, params.priceFrom1800, params.priceFrom2200)))',
    );
  });

  it('can read the price from a signal instead', () => {
    const signal = contractOf({ ...BASE, rates: { kind: 'signal' } });
    expect(settle(signal, '2026-06-21T13:00:00Z', touInputs(-2, 7.25))).toEqual([['import', 'home-3', 'utility', '14.50']]);
  });

  it('rejects bands outside the day and duplicate hours', () => {
    const r = touTariff({ ...BASE, rates: { kind: 'table', bands: [{ fromHour: 24, pricePerKWh: 1 }, { fromHour: 6, pricePerKWh: 2 }, { fromHour: 6, pricePerKWh: 3 }] } });
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual(['contract tou-1: two bands start at hour 6', 'contract tou-1: band hour 24 is outside [0, 24)']);
  });
});
