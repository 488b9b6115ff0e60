import { describe, expect, it } from 'vitest';
import { distanceMeters, emi3EvseId, evseMatches, evseOfResource, sessionOfferContract, stationCatalog, tariffOf, type StationTariff } from './station-catalog.js';

const TARIFF: StationTariff = { currency: 'INR', energyPerKWh: 18, timePerHour: 10, idleFeePerMinute: 2, idleGraceMinutes: 15, sessionFee: 0, taxPct: 18 };
const HERE = { latitude: 12.97, longitude: 77.59 };

describe('station catalogue', () => {
  const offer = sessionOfferContract({ cpoId: 'mall', createdAt: '2026-06-21T00:00:00Z', governmentId: 'government', tariff: TARIFF });
  if (!offer.ok) throw new Error('template');
  const options = { cpoId: 'mall', cpoUri: 'https://mall.degsim.local/beckn', name: 'Mall', meterId: 'm1', gridNodeId: 'tx-1', location: { ...HERE, address: 'B1' }, evses: [{ evse: 1, connectorType: 'IEC_62196_T2' as const }, { evse: 2, connectorType: 'IEC_62196_T2_COMBO' as const }], powerType: 'AC_3_PHASE' as const, chargerKW: 11, offerContract: offer.value, tariff: TARIFF };

  it('names EVSEs the eMI3 way and reads resource ids back', () => {
    expect(emi3EvseId('office-park', 2)).toBe('IN*OFFICEPARK*E2');
    expect(evseOfResource('mall', 'mall-evse-3')).toBe(3);
    expect(evseOfResource('mall', 'park-evse-3')).toBeUndefined();
  });

  it('measures great-circle distance: 0.01° of latitude is about 1.11 km', () => {
    expect(distanceMeters(HERE, { latitude: 12.98, longitude: 77.59 })).toBeCloseTo(1111.95, 1);
  });

  it('offers the CPO session template under its tariff, with the driver role open', () => {
    expect(tariffOf(offer.value)).toEqual(TARIFF);
    expect(offer.value.roles.map((r) => [r.role, r.filled])).toEqual([
      ['CPO', true],
      ['EV_DRIVER', false],
      ['GOVERNMENT', true],
    ]);
    expect(offer.value.revenueFlows.flows.map((f) => f.flowId)).toEqual(['energy', 'time', 'idle', 'tax-energy', 'tax-time', 'tax-idle']);
  });

  it('answers a discover with the EVSEs inside the circle that take the connector and give the power', () => {
    const near = { ...HERE, radiusMeters: 500 };
    expect(evseMatches({ seek: 'ev-charging', near, connectorTypes: ['IEC_62196_T2'] }, options, options.evses[0] as never)).toBe(true);
    expect(evseMatches({ seek: 'ev-charging', near: { latitude: 12.99, longitude: 77.59, radiusMeters: 2000 }, connectorTypes: ['IEC_62196_T2'] }, options, options.evses[0] as never)).toBe(false);
    expect(evseMatches({ seek: 'ev-charging', minPowerKW: 22 }, options, options.evses[0] as never)).toBe(false);
    const cat = stationCatalog(options, { seek: 'ev-charging', near, connectorTypes: ['IEC_62196_T2_COMBO'] });
    expect(cat.catalogs[0]?.resources.map((r) => (r.attributes.type === 'EnergyResource' ? [r.resourceId, r.attributes.value.evse?.evseId, r.attributes.value.evse?.connectorType] : []))).toEqual([['mall-evse-2', 'IN*MALL*E2', 'IEC_62196_T2_COMBO']]);
    expect(cat.catalogs[0]?.offers[0]?.attributes.summary).toBe('18 INR per kWh, 10 per hour connected, 2 per idle minute after 15 min, plus 18 % tax.');
    expect(stationCatalog(options, { seek: 'ev-charging', connectorTypes: ['CHADEMO'] })).toEqual({ kind: 'catalog', catalogs: [] });
    expect(stationCatalog(options, { seek: 'energy-market' })).toEqual({ kind: 'catalog', catalogs: [] });
  });
});
