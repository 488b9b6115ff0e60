import { describe, expect, it } from 'vitest';
import { randomStream } from '../../src/kernel/random.js';
import { airMass, clearSkyIrradiance, meanClearSkyIndex, pvProfile, solarPosition } from './solar.js';

const ms = (iso: string): number => Date.parse(iso);
const total = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);

describe('solarPosition', () => {
  it('puts the sun overhead at the equator at the equinox, near 12:07 UTC on the prime meridian', () => {
    // Equation of time on 20 March ≈ −7.5 min: solar noon at 0° E is ≈ 12:07:30 UTC.
    const p = solarPosition(ms('2025-03-20T12:07:30Z'), 0, 0);
    expect(p.declinationDeg).toBeCloseTo(0, 0);
    expect(p.zenithDeg).toBeLessThan(0.6);
  });

  it('gives declination ≈ +23.44° at the June solstice and the sun due south at Delhi noon', () => {
    // Solar noon at 77.2° E is 12:00 − 77.2·4 min + 1.7 min (EoT) ≈ 06:53 UTC.
    const p = solarPosition(ms('2025-06-21T06:53:00Z'), 28.6, 77.2);
    expect(p.declinationDeg).toBeCloseTo(23.44, 1);
    expect(p.zenithDeg).toBeCloseTo(28.6 - 23.44, 0);
    expect(Math.abs(p.azimuthDeg - 180)).toBeLessThan(3);
  });

  it('has the morning sun in the east and the evening sun in the west', () => {
    expect(solarPosition(ms('2025-06-21T02:00:00Z'), 28.6, 77.2).azimuthDeg).toBeLessThan(100);
    expect(solarPosition(ms('2025-06-21T12:00:00Z'), 28.6, 77.2).azimuthDeg).toBeGreaterThan(260);
  });
});

describe('clear-sky irradiance', () => {
  it('uses Kasten–Young air mass (1 at zenith, ≈ 2 at 60°, ≈ 38 at the horizon)', () => {
    expect(airMass(0)).toBeCloseTo(1, 3);
    expect(airMass(60)).toBeCloseTo(1.99, 2);
    expect(airMass(90 - 1e-9)).toBeCloseTo(37.9, 0);
    expect(airMass(95)).toBe(Number.POSITIVE_INFINITY);
  });

  it('gives Meinel beam 0.7·I0 and global ≈ 1.1× beam with the sun overhead', () => {
    const t = ms('2025-03-20T12:07:30Z');
    const i = clearSkyIrradiance(t, 0, 0, 0, 180);
    // I0 on 20 March = 1361·(1 + 0.033·cos(2π·79/365)) ≈ 1369 W/m²; DNI ≈ 0.7·I0 ≈ 958.
    expect(i.dniW).toBeGreaterThan(950);
    expect(i.dniW).toBeLessThan(965);
    expect(i.ghiW / i.dniW).toBeCloseTo(1.1, 2);
    expect(i.poaW).toBeCloseTo(i.ghiW, 9);
    expect(clearSkyIrradiance(ms('2025-03-20T00:00:00Z'), 0, 0, 0, 180).poaW).toBe(0);
  });

  it('follows Kasten–Czeplak for the mean clear-sky index', () => {
    expect(meanClearSkyIndex(0)).toBe(1);
    expect(meanClearSkyIndex(1)).toBeCloseTo(0.25, 12);
    expect(meanClearSkyIndex(0.5)).toBeCloseTo(1 - 0.75 * 0.5 ** 3.4, 12);
  });
});

describe('pvProfile', () => {
  const june = { latitude: 28.6, longitude: 77.2, startIso: '2025-06-01T00:00:00+05:30', intervalMinutes: 15, intervals: 96 * 7, kWp: 4 };

  it('yields 5–6.5 kWh/kWp/day on clear June days at Delhi, zero at night, never above kWp', () => {
    const pv = pvProfile({ ...june, cloudiness: 0 }, randomStream(1, 'pv'));
    const perDay = total(pv) / 4 / 7 / 4;
    expect(perDay).toBeGreaterThan(5);
    expect(perDay).toBeLessThan(6.5);
    expect(Math.max(...pv)).toBeLessThanOrEqual(4);
    // 00:00–04:00 IST is night.
    for (let k = 0; k < 16; k++) expect(pv[k]).toBe(0);
  });

  it('loses energy with cloud cover, monotonically on average', () => {
    const energy = [0, 0.5, 0.8, 1].map((cloudiness) => total(pvProfile({ ...june, cloudiness }, randomStream(3, 'pv'))));
    for (let i = 1; i < energy.length; i++) expect(energy[i]).toBeLessThan(energy[i - 1]!);
    expect(energy[3]! / energy[0]!).toBeGreaterThan(0.15);
    expect(energy[3]! / energy[0]!).toBeLessThan(0.35);
  });

  it('has autocorrelated cloud noise under broken cloud', () => {
    const pv = pvProfile({ ...june, intervals: 96 * 28, cloudiness: 0.5 }, randomStream(4, 'pv'));
    const clear = pvProfile({ ...june, intervals: 96 * 28, cloudiness: 0 }, randomStream(4, 'pv'));
    const ratio: number[] = [];
    for (let k = 0; k < pv.length; k++) if (clear[k]! > 1) ratio.push(pv[k]! / clear[k]!);
    const mean = ratio.reduce((a, b) => a + b, 0) / ratio.length;
    let num = 0;
    let den = 0;
    for (let k = 1; k < ratio.length; k++) num += (ratio[k]! - mean) * (ratio[k - 1]! - mean);
    for (const r of ratio) den += (r - mean) ** 2;
    expect(num / den).toBeGreaterThan(0.5);
  });

  it('is deterministic for a stream and differs between streams', () => {
    const a = pvProfile({ ...june, cloudiness: 0.4 }, randomStream(9, 'pv/m1'));
    expect(pvProfile({ ...june, cloudiness: 0.4 }, randomStream(9, 'pv/m1'))).toEqual(a);
    expect(pvProfile({ ...june, cloudiness: 0.4 }, randomStream(9, 'pv/m2'))).not.toEqual(a);
  });

  it('faces the equator by default: a south-facing tilt beats horizontal in a London winter', () => {
    const dec = { latitude: 51.5, longitude: 0, startIso: '2025-12-21T00:00:00Z', intervalMinutes: 60, intervals: 24, kWp: 1, cloudiness: 0 };
    const tilted = total(pvProfile(dec, randomStream(1, 'pv')));
    const flat = total(pvProfile({ ...dec, tiltDeg: 0 }, randomStream(1, 'pv')));
    expect(tilted).toBeGreaterThan(1.3 * flat);
  });

  it('rejects a timestamp without a zone', () => {
    expect(() => pvProfile({ ...june, startIso: '2025-06-01T00:00:00', cloudiness: 0 }, randomStream(1, 'pv'))).toThrow(RangeError);
  });
});
