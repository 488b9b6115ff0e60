import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ACTIONS,
  derControlTargetKW,
  ieee2030_5ActivePower,
  ieee2030_5DerControl,
  ieee2030_5Watts,
  isCallback,
  mridFor,
  ocppPowerKW,
  ocppSetChargingProfile,
  PAYLOAD_KIND,
  unixSeconds,
} from './payloads.js';
import { validatePack } from './validate.js';
import { ENERGY_CONTEXT_URL } from './validate.js';

const setpointPack = (commands: unknown[]): unknown => ({
  '@context': ENERGY_CONTEXT_URL,
  '@type': 'Setpoint',
  setpointId: 'sp-1',
  resourceId: 'r-1',
  interval: { start: '2024-10-04T10:00:00Z', end: '2024-10-04T10:15:00Z' },
  targetPowerKW: -7.4,
  commands,
});

describe('actions', () => {
  it('has the twenty Beckn actions, ten requests each with its on_ callback', () => {
    expect(ACTIONS).toHaveLength(20);
    const requests = ACTIONS.filter((a) => !isCallback(a));
    expect(requests).toHaveLength(10);
    for (const r of requests) expect(ACTIONS).toContain(`on_${r}`);
  });

  it('sends a contract in every negotiation and fulfilment action, a reference in status and cancel', () => {
    expect(PAYLOAD_KIND.init).toBe('contract');
    expect(PAYLOAD_KIND.on_status).toBe('contract');
    expect(PAYLOAD_KIND.status).toBe('contractRef');
    expect(PAYLOAD_KIND.cancel).toBe('contractRef');
  });
});

describe('OCPP SetChargingProfile builder', () => {
  it('turns 7.4 kW of charging into a 7400 W limit over one absolute period (OCPP 2.0.1)', () => {
    const c = ocppSetChargingProfile({ evseId: 2, profileId: 17, start: '2024-10-04T10:00:00Z', durationSeconds: 900, powerKW: -7.4 });
    expect(c).toEqual({
      standard: 'OCPP',
      ocppVersion: '2.0.1',
      setChargingProfile: {
        evseId: 2,
        chargingProfile: {
          id: 17,
          stackLevel: 0,
          chargingProfilePurpose: 'TxDefaultProfile',
          chargingProfileKind: 'Absolute',
          chargingSchedule: [{ id: 17, startSchedule: '2024-10-04T10:00:00Z', duration: 900, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7400 }] }],
        },
      },
    });
    expect(validatePack(setpointPack([c]))).toEqual([]);
  });

  it('uses TxProfile with the transaction id and amperes per phase: 11 kW on 3 × 230 V is 15.9 A', () => {
    const c = ocppSetChargingProfile({
      evseId: 1,
      profileId: 5,
      transactionId: 'tx-9',
      start: '2024-10-04T10:00:00Z',
      durationSeconds: 3600,
      powerKW: -11,
      rateUnit: 'A',
      phaseVoltageV: 230,
      numberPhases: 3,
    });
    const profile = c.setChargingProfile.chargingProfile;
    expect(profile.chargingProfilePurpose).toBe('TxProfile');
    expect(profile.transactionId).toBe('tx-9');
    expect(profile.chargingSchedule[0]?.chargingSchedulePeriod[0]).toEqual({ startPeriod: 0, limit: 15.9, numberPhases: 3 });
    // 15.9 A × 230 V × 3 = 10971 W, charging.
    expect(ocppPowerKW(c.setChargingProfile, 10, 230)).toBeCloseTo(-10.971, 9);
  });

  it('needs OCPP 2.1 setpoint and discharge limit for V2G export', () => {
    const c = ocppSetChargingProfile({ evseId: 1, profileId: 6, start: '2024-10-04T10:00:00Z', durationSeconds: 900, powerKW: 5 });
    expect(c.ocppVersion).toBe('2.1');
    expect(c.setChargingProfile.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod[0]).toEqual({
      startPeriod: 0,
      dischargeLimit: -5000,
      setpoint: -5000,
      operationMode: 'CentralSetpoint',
    });
    expect(ocppPowerKW(c.setChargingProfile, 0)).toBe(5);
    expect(validatePack(setpointPack([c]))).toEqual([]);
  });

  it('reads no power before the schedule starts or for amperes without a voltage', () => {
    const c = ocppSetChargingProfile({ evseId: 1, profileId: 7, start: '2024-10-04T10:00:00Z', durationSeconds: 900, powerKW: -3, rateUnit: 'A', phaseVoltageV: 230 });
    expect(ocppPowerKW(c.setChargingProfile, -1, 230)).toBeUndefined();
    expect(ocppPowerKW(c.setChargingProfile, 0)).toBeUndefined();
  });

  it('refuses a zero duration and amperes without a voltage', () => {
    expect(() => ocppSetChargingProfile({ evseId: 1, profileId: 1, start: '2024-10-04T10:00:00Z', durationSeconds: 0, powerKW: -3 })).toThrow(RangeError);
    expect(() => ocppSetChargingProfile({ evseId: 1, profileId: 1, start: '2024-10-04T10:00:00Z', durationSeconds: 60, powerKW: -3, rateUnit: 'A' })).toThrow(RangeError);
  });

  it('round-trips any charging power in watts to the watt', () => {
    fc.assert(
      fc.property(fc.integer({ min: -350_000, max: 350_000 }), (watts) => {
        const c = ocppSetChargingProfile({ evseId: 1, profileId: 1, start: '2024-10-04T10:00:00Z', durationSeconds: 60, powerKW: watts / 1000 });
        expect(ocppPowerKW(c.setChargingProfile, 0)).toBeCloseTo(watts / 1000, 9);
      }),
    );
  });
});

describe('IEEE 2030.5 encodings', () => {
  it('picks the smallest power-of-ten multiplier whose value fits an int16', () => {
    expect(ieee2030_5ActivePower(7400)).toEqual({ multiplier: 0, value: 7400 });
    expect(ieee2030_5ActivePower(-2000)).toEqual({ multiplier: 0, value: -2000 });
    expect(ieee2030_5ActivePower(32767.4)).toEqual({ multiplier: 0, value: 32767 });
    expect(ieee2030_5ActivePower(32768)).toEqual({ multiplier: 1, value: 3277 });
    expect(ieee2030_5ActivePower(123456)).toEqual({ multiplier: 1, value: 12346 });
    expect(ieee2030_5ActivePower(5e9)).toEqual({ multiplier: 6, value: 5000 });
    expect(ieee2030_5Watts({ multiplier: 1, value: 12346 })).toBe(123460);
    expect(() => ieee2030_5ActivePower(1e15)).toThrow(RangeError);
  });

  it('keeps any power within half a step of its multiplier', () => {
    fc.assert(
      fc.property(fc.double({ min: -3e9, max: 3e9, noNaN: true }), (w) => {
        const p = ieee2030_5ActivePower(w);
        expect(Math.abs(p.value)).toBeLessThanOrEqual(32767);
        expect(Math.abs(ieee2030_5Watts(p) - w)).toBeLessThanOrEqual(0.5 * 10 ** p.multiplier + 1e-6);
      }),
    );
  });

  it('derives a stable 128-bit mRID from an id', () => {
    expect(mridFor('sp-1')).toBe('2F632D7BC7387834D489B534668A7E7E');
    expect(mridFor('sp-1')).toHaveLength(32);
    expect(mridFor('sp-2')).not.toBe(mridFor('sp-1'));
  });

  it('builds a scheduled DERControl with Unix times, hundredths of a percent and ramp in hundredths of a second', () => {
    const c = ieee2030_5DerControl({
      id: 'sp-1',
      description: 'export cap',
      createdAt: '2024-10-04T09:50:00Z',
      start: '2024-10-04T10:00:00Z',
      durationSeconds: 900,
      targetPowerKW: 3.2,
      maxLimitPercent: 80,
      fixedPercent: -50,
      rampSeconds: 2.5,
    });
    expect(c.derControl).toEqual({
      mRID: '2F632D7BC7387834D489B534668A7E7E',
      description: 'export cap',
      creationTime: 1728035400,
      EventStatus: { currentStatus: 0, dateTime: 1728035400, potentiallySuperseded: false },
      interval: { start: 1728036000, duration: 900 },
      DERControlBase: { opModFixedW: -5000, opModMaxLimW: 8000, opModTargetW: { multiplier: 0, value: 3200 }, rampTms: 250 },
    });
    expect(derControlTargetKW(c.derControl)).toBe(3.2);
    expect(validatePack(setpointPack([c]))).toEqual([]);
  });

  it('reads RFC 3339 as Unix seconds and refuses what is not a timestamp', () => {
    expect(unixSeconds('1970-01-01T00:01:00Z')).toBe(60);
    expect(unixSeconds('2024-10-04T15:20:00+05:30')).toBe(1728035400);
    expect(() => unixSeconds('yesterday')).toThrow(RangeError);
  });
});
