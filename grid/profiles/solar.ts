import type { RandomStream } from '../../src/kernel/random.js';
import { dayOfYear, gridTimes, HOUR_MS, type IntervalGrid } from './time.js';

const DEG = Math.PI / 180;
/** Solar constant, W/m². */
const SOLAR_CONSTANT = 1361;

export interface SolarPosition {
  /** Angle between the sun and the vertical, degrees (> 90 at night). */
  readonly zenithDeg: number;
  /** Compass direction of the sun, degrees clockwise from north (90 east, 180 south). */
  readonly azimuthDeg: number;
  /** Solar declination, degrees. */
  readonly declinationDeg: number;
}

/**
 * Sun position from the day of year and UTC time: Spencer's (1971) Fourier series for the
 * declination and the equation of time, hour angle from true solar time at the longitude.
 * Accurate to a few tenths of a degree, plenty for hourly-scale PV output.
 */
export function solarPosition(ms: number, latitude: number, longitude: number): SolarPosition {
  const n = dayOfYear(ms);
  const hourUtc = ((ms % 86_400_000) + 86_400_000) % 86_400_000 / HOUR_MS;
  const g = ((2 * Math.PI) / 365) * (n - 1 + (hourUtc - 12) / 24);
  const eotMin =
    229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const decl =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g) -
    0.002697 * Math.cos(3 * g) +
    0.00148 * Math.sin(3 * g);
  const solarMinutes = hourUtc * 60 + eotMin + 4 * longitude;
  const hourAngle = (solarMinutes / 4 - 180) * DEG;
  const phi = latitude * DEG;
  const cosZ = Math.sin(phi) * Math.sin(decl) + Math.cos(phi) * Math.cos(decl) * Math.cos(hourAngle);
  const zenith = Math.acos(Math.max(-1, Math.min(1, cosZ)));
  const az = Math.atan2(Math.sin(hourAngle), Math.cos(hourAngle) * Math.sin(phi) - Math.tan(decl) * Math.cos(phi)) / DEG + 180;
  return { zenithDeg: zenith / DEG, azimuthDeg: ((az % 360) + 360) % 360, declinationDeg: decl / DEG };
}

/** Relative optical air mass (Kasten & Young 1989); Infinity with the sun below the horizon. */
export function airMass(zenithDeg: number): number {
  if (zenithDeg >= 90) return Number.POSITIVE_INFINITY;
  return 1 / (Math.cos(zenithDeg * DEG) + 0.50572 * (96.07995 - zenithDeg) ** -1.6364);
}

export interface ClearSkyIrradiance {
  /** Direct normal irradiance, W/m². */
  readonly dniW: number;
  /** Diffuse horizontal irradiance, W/m². */
  readonly dhiW: number;
  /** Global horizontal irradiance, W/m². */
  readonly ghiW: number;
  /** Irradiance on the tilted module plane, W/m². */
  readonly poaW: number;
}

/**
 * Clear-sky irradiance: Meinel's air-mass attenuation of the beam, DNI = I0·0.7^(AM^0.678), with
 * diffuse light taken as 10 % of the beam (Meinel & Meinel 1976), I0 corrected for the
 * Earth–Sun distance; transposed to a plane of `tiltDeg` facing `surfaceAzimuthDeg` with an
 * isotropic sky and ground reflection of `albedo`.
 */
export function clearSkyIrradiance(ms: number, latitude: number, longitude: number, tiltDeg: number, surfaceAzimuthDeg: number, albedo = 0.2): ClearSkyIrradiance {
  const sun = solarPosition(ms, latitude, longitude);
  const am = airMass(sun.zenithDeg);
  if (!Number.isFinite(am)) return { dniW: 0, dhiW: 0, ghiW: 0, poaW: 0 };
  const n = dayOfYear(ms);
  const i0 = SOLAR_CONSTANT * (1 + 0.033 * Math.cos((2 * Math.PI * n) / 365));
  const dni = i0 * 0.7 ** (am ** 0.678);
  const dhi = 0.1 * dni;
  const cosZ = Math.cos(sun.zenithDeg * DEG);
  const ghi = dni * cosZ + dhi;
  const beta = tiltDeg * DEG;
  const cosAoi = cosZ * Math.cos(beta) + Math.sin(sun.zenithDeg * DEG) * Math.sin(beta) * Math.cos((sun.azimuthDeg - surfaceAzimuthDeg) * DEG);
  const poa = dni * Math.max(0, cosAoi) + (dhi * (1 + Math.cos(beta))) / 2 + (ghi * albedo * (1 - Math.cos(beta))) / 2;
  return { dniW: dni, dhiW: dhi, ghiW: ghi, poaW: poa };
}

export interface PvProfileParams extends IntervalGrid {
  /** Degrees north (negative south). */
  readonly latitude: number;
  /** Degrees east (negative west). */
  readonly longitude: number;
  /** DC nameplate, kWp; output is clipped at this (AC rating = kWp). */
  readonly kWp: number;
  /** Mean cloud cover, 0 (clear) … 1 (overcast). */
  readonly cloudiness: number;
  /** Module tilt, degrees. Default: |latitude| capped at 30 (typical rooftop). */
  readonly tiltDeg?: number;
  /** Module azimuth, degrees clockwise from north. Default: facing the equator. */
  readonly azimuthDeg?: number;
  /** System losses (inverter, wiring, soiling, temperature). Default 0.8. */
  readonly performanceRatio?: number;
  /** Correlation time of the cloud process, minutes. Default 45. */
  readonly cloudTimeConstantMinutes?: number;
}

/** Mean clear-sky index for a cloud cover (Kasten & Czeplak 1980): 1 − 0.75·c^3.4. */
export function meanClearSkyIndex(cloudiness: number): number {
  return 1 - 0.75 * cloudiness ** 3.4;
}

/**
 * PV output, kW averaged over each interval: clear-sky plane-of-array irradiance (averaged over
 * sub-steps of ≤ 5 min) × kWp/1000 × performance ratio × a clear-sky index. The index is an AR(1)
 * process (correlation time `cloudTimeConstantMinutes`) around the Kasten–Czeplak mean for the
 * cloud cover, with spread largest for broken cloud (c ≈ 0.5), clipped to [0.05, 1.1]; it draws one
 * normal per interval from `stream`. Zero at night.
 */
export function pvProfile(params: PvProfileParams, stream: RandomStream): Float64Array {
  const { startMs, stepMs } = gridTimes(params);
  if (!(params.kWp >= 0)) throw new RangeError(`kWp must be ≥ 0, got ${params.kWp}`);
  if (!(params.cloudiness >= 0 && params.cloudiness <= 1)) throw new RangeError(`cloudiness must be within 0–1, got ${params.cloudiness}`);
  if (!(Math.abs(params.latitude) <= 90)) throw new RangeError(`latitude must be within ±90, got ${params.latitude}`);
  const tilt = params.tiltDeg ?? Math.min(30, Math.abs(params.latitude));
  const azimuth = params.azimuthDeg ?? (params.latitude >= 0 ? 180 : 0);
  const pr = params.performanceRatio ?? 0.8;
  const tauMs = (params.cloudTimeConstantMinutes ?? 45) * 60_000;
  const c = params.cloudiness;
  const mean = meanClearSkyIndex(c);
  const sd = 0.03 + 0.8 * c * (1 - c);
  const phi = Math.exp(-stepMs / tauMs);
  const innovation = Math.sqrt(1 - phi * phi);
  const subSteps = Math.max(1, Math.ceil(stepMs / 300_000));
  const out = new Float64Array(params.intervals);
  let x = stream.normal();
  for (let k = 0; k < params.intervals; k++) {
    if (k > 0) x = phi * x + innovation * stream.normal();
    let poa = 0;
    for (let s = 0; s < subSteps; s++) {
      const t = startMs + k * stepMs + ((s + 0.5) * stepMs) / subSteps;
      poa += clearSkyIrradiance(t, params.latitude, params.longitude, tilt, azimuth).poaW;
    }
    poa /= subSteps;
    const index = Math.min(1.1, Math.max(0.05, mean + sd * x));
    out[k] = Math.min(params.kWp, (params.kWp * poa * pr * index) / 1000);
  }
  return out;
}
