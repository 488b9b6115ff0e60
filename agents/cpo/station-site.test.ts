import { describe, expect, it } from 'vitest';
import { ocppPowerKW } from '../../src/protocol/payloads.js';
import { StationSite, type BookedSession } from './station-site.js';

const WINDOW = { start: '2026-06-21T04:00:00Z', durationSeconds: 900 };
const session = (id: string, o: Partial<BookedSession> = {}): BookedSession => ({ id, contractId: `ses-x-${id}`, driverId: id, evse: 1, arrival: 0, departure: 4, requestedKWh: 2, maxKW: 11, ...o });

describe('station site', () => {
  it('charges only plugged vehicles, earliest departure first within the site limit, with one OCPP profile each', () => {
    // 12 kW site; a leaves at 2 and needs 4 kWh (must 16 kW… capped by 11 kW), b leaves at 4 and needs 2 kWh
    const site = new StationSite(0.25, 12);
    site.book(session('a', { departure: 2, requestedKWh: 4, evse: 1 }));
    site.book(session('b', { departure: 4, requestedKWh: 2, evse: 2 }));
    expect(site.dispatch(0, undefined, WINDOW).chargingKW).toBe(0);
    site.plug('a');
    site.plug('b');
    const r = site.dispatch(1, undefined, WINDOW);
    expect([...r.allocationKW]).toEqual([
      ['a', 11],
      ['b', 1],
    ]);
    expect(r.chargingKW).toBe(12);
    const profile = r.profiles.get('a');
    expect(profile?.standard === 'OCPP' ? [profile.setChargingProfile.evseId, ocppPowerKW(profile.setChargingProfile, 0)] : undefined).toEqual([1, -11]);
    expect(site.usage('a')).toMatchObject({ deliveredKWh: 2.75, connectedIntervals: 1, idleIntervals: 0, started: true });
  });

  it('counts a vehicle with nothing left to charge as idle, and stops counting once unplugged', () => {
    const site = new StationSite(0.25, 50);
    site.book(session('a', { requestedKWh: 1 }));
    site.plug('a');
    site.dispatch(0, undefined, WINDOW); // 4 kW for a quarter hour: the 1 kWh is in
    site.dispatch(1, undefined, WINDOW);
    site.dispatch(2, undefined, WINDOW);
    site.unplug('a');
    site.dispatch(3, undefined, WINDOW);
    expect(site.usage('a')).toMatchObject({ deliveredKWh: 1, connectedIntervals: 3, idleIntervals: 2 });
    expect([...site.usage('a').energyByInterval]).toEqual([[0, 1]]);
  });

  it('shares the import the market cleared, and plans bookings not yet plugged in', () => {
    const site = new StationSite(0.25, 50);
    site.book(session('a', { arrival: 2, departure: 6, requestedKWh: 3 }));
    expect(site.needsAt(1)).toEqual([]);
    expect(site.needsAt(2)).toEqual([{ id: 'a', departure: 6, remainingKWh: 3, maxKW: 11 }]);
    site.plan(2, 4); // the market cleared 4 kW for interval 2: 1 kWh of it is planned
    expect(site.needsAt(3)).toEqual([{ id: 'a', departure: 6, remainingKWh: 2, maxKW: 11 }]);
    site.plug('a');
    expect(site.dispatch(2, 4, WINDOW).chargingKW).toBe(4);
    site.cancel('a');
    expect(site.isPlugged('a')).toBe(true); // a started session cannot be cancelled
  });
});
