import { describe, expect, it } from 'vitest';
import type { CatalogPayload } from '../../src/protocol/payloads.js';
import { distanceMeters, sessionOfferContract, stationCatalog, type StationTariff } from '../cpo/station-catalog.js';
import { chargingOptions, offsetPoint, sessionRating, stayCost } from './policy.js';

const MALL: StationTariff = { currency: 'INR', energyPerKWh: 18, timePerHour: 10, idleFeePerMinute: 2, idleGraceMinutes: 15, sessionFee: 0, taxPct: 18 };
const PARK: StationTariff = { currency: 'INR', energyPerKWh: 16, timePerHour: 0, idleFeePerMinute: 3, idleGraceMinutes: 10, sessionFee: 20, taxPct: 18 };

describe('stay cost', () => {
  it('adds energy, time, idle beyond the grace and the session fee, then the tax', () => {
    // 5.5 kWh at 11 kW: 0.5 h charging, 1.5 h idle = 90 min, 75 beyond the grace
    // mall: (5.5 × 18 + 2 × 10 + 75 × 2) × 1.18 = (99 + 20 + 150) × 1.18 = 317.42
    expect(stayCost(MALL, { energyKWh: 5.5, stayHours: 2, maxKW: 11 })).toBeCloseTo(317.42, 9);
    // office park: (5.5 × 16 + 80 × 3 + 20) × 1.18 = (88 + 240 + 20) × 1.18 = 410.64
    expect(stayCost(PARK, { energyKWh: 5.5, stayHours: 2, maxKW: 11 })).toBeCloseTo(410.64, 9);
    // a car that needs the whole stay idles for nothing
    expect(stayCost(MALL, { energyKWh: 22, stayHours: 2, maxKW: 11 })).toBeCloseTo((22 * 18 + 20) * 1.18, 9);
  });
});

describe('charging options', () => {
  const here = { latitude: 12.97, longitude: 77.59 };
  function catalog(cpoId: string, tariff: StationTariff, location: { latitude: number; longitude: number }, connectors: readonly ('IEC_62196_T2' | 'IEC_62196_T2_COMBO')[]): { providerId: string; payload: CatalogPayload } {
    const offer = sessionOfferContract({ cpoId, createdAt: '2026-06-21T00:00:00Z', governmentId: 'government', tariff });
    if (!offer.ok) throw new Error('template');
    const payload = stationCatalog({ cpoId, cpoUri: `https://${cpoId}.degsim.local/beckn`, name: cpoId, meterId: 'm', gridNodeId: 'tx', location, evses: connectors.map((c, i) => ({ evse: i + 1, connectorType: c })), powerType: 'AC_3_PHASE', chargerKW: 11, offerContract: offer.value, tariff }, { seek: 'ev-charging' });
    return { providerId: cpoId, payload };
  }

  it('keeps the best EVSE of each station that takes the connector, cheapest stay first', () => {
    const cats = [catalog('park', PARK, offsetPoint(here, 1500, 0), ['IEC_62196_T2', 'IEC_62196_T2_COMBO']), catalog('mall', MALL, here, ['IEC_62196_T2', 'IEC_62196_T2'])];
    const short = chargingOptions(cats, 'IEC_62196_T2', here, { energyKWh: 5.5, stayHours: 2, maxKW: 11 });
    expect(short.map((o) => [o.providerId, o.resourceId, Number(o.expectedCost.toFixed(2)), Math.round(o.distanceMeters)])).toEqual([
      ['mall', 'mall-evse-1', 317.42, 0],
      ['park', 'park-evse-1', 410.64, 1500],
    ]);
    // a car that charges all stay long: no idle, and the park's cheaper energy wins
    expect(chargingOptions(cats, 'IEC_62196_T2', here, { energyKWh: 22, stayHours: 2, maxKW: 11 }).map((o) => o.providerId)).toEqual(['park', 'mall']);
    expect(chargingOptions(cats, 'IEC_62196_T2_COMBO', here, { energyKWh: 5.5, stayHours: 2, maxKW: 11 }).map((o) => o.resourceId)).toEqual(['park-evse-2']);
  });

  it('places a point at a distance and bearing, and rates a session by what it got', () => {
    const p = offsetPoint(here, 1000, 90);
    expect(p.latitude).toBe(12.97);
    expect(distanceMeters(here, p)).toBeCloseTo(1000, 0);
    expect([sessionRating(10, 10), sessionRating(10, 7), sessionRating(10, 0), sessionRating(0, 0)]).toEqual([5, 4, 1, 5]);
  });
});
