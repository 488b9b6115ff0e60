import { describe, expect, it } from 'vitest';
import { derControlTargetKW, ocppPowerKW } from '../../src/protocol/payloads.js';
import { resourceTypeOfKind, setpointWithCommand, type SetpointSpec } from './setpoint.js';

const BASE: SetpointSpec = {
  setpointId: 'sp-i48-pv-1',
  resourceId: 'm-17',
  resourceType: 'PV',
  window: { start: '2026-06-21T12:00:00Z', end: '2026-06-21T12:15:00Z' },
  targetPowerKW: 3.25,
  atPricePerKWh: 3.1,
  offsetKW: -0.5,
  issuedAt: '2026-06-21T11:55:00Z',
  chargingProfileId: 49,
};

describe('setpoints with device commands', () => {
  it('gives PV an IEEE 2030.5 DERControl whose target reads back as the setpoint', () => {
    const s = setpointWithCommand(BASE);
    expect([s.targetPowerKW, s.atPricePerKWh, s.offsetKW]).toEqual([3.25, 3.1, -0.5]);
    const cmd = s.commands?.[0];
    expect(cmd?.standard).toBe('IEEE_2030_5');
    if (cmd?.standard !== 'IEEE_2030_5') return;
    expect(derControlTargetKW(cmd.derControl)).toBe(3.25);
    expect(cmd.derControl.deviceCategory).toBe('00200000');
    expect(cmd.derControl.interval).toEqual({ start: 1782043200, duration: 900 });
  });

  it('tags a battery and a household with their device categories', () => {
    const cat = (t: SetpointSpec['resourceType']): string | undefined => {
      const c = setpointWithCommand({ ...BASE, resourceType: t }).commands?.[0];
      return c?.standard === 'IEEE_2030_5' ? c.derControl.deviceCategory : undefined;
    };
    expect([cat('BATTERY'), cat('HOUSEHOLD')]).toEqual(['02000000', '00004000']);
  });

  it('gives a charging site an OCPP station profile: −22 kW is a 22 000 W limit over the interval', () => {
    const cmd = setpointWithCommand({ ...BASE, resourceType: 'EVSE', targetPowerKW: -22 }).commands?.[0];
    expect(cmd?.standard).toBe('OCPP');
    if (cmd?.standard !== 'OCPP') return;
    expect(cmd.ocppVersion).toBe('2.0.1');
    expect(cmd.setChargingProfile.evseId).toBe(0);
    expect(cmd.setChargingProfile.chargingProfile.chargingProfilePurpose).toBe('ChargingStationMaxProfile');
    expect(cmd.setChargingProfile.chargingProfile.chargingSchedule[0]?.duration).toBe(900);
    expect(ocppPowerKW(cmd.setChargingProfile, 0)).toBe(-22);
  });

  it('maps agent kinds to the resource they stand for', () => {
    expect(['cpo', 'battery', 'prosumer', 'consumer', undefined].map(resourceTypeOfKind)).toEqual(['EVSE', 'BATTERY', 'PV', 'HOUSEHOLD', 'HOUSEHOLD']);
  });
});
