import {
  ieee2030_5DerControl,
  ocppSetChargingProfile,
  type EnergyResourceType,
  type Setpoint,
  type SetpointCommand,
  type TimeWindow,
} from '../../src/protocol/payloads.js';

/**
 * Setpoints with the device command of the physical standard that fits the resource: an OCPP
 * `SetChargingProfile` for a charging site, an IEEE 2030.5 `DERControl` for everything behind a
 * smart inverter or an energy management system (PV, battery, household). The command is carried
 * as the standard defines it, so a site controller can forward it unchanged.
 */

const RESOURCE_TYPES: ReadonlySet<string> = new Set<EnergyResourceType>(['PV', 'WIND', 'BATTERY', 'EVSE', 'EV', 'HOUSEHOLD', 'COMMERCIAL_LOAD', 'MARKET', 'UTILITY']);

/** True for a known EnergyResource type name. */
export function isResourceType(x: unknown): x is EnergyResourceType {
  return typeof x === 'string' && RESOURCE_TYPES.has(x);
}

/** The resource type an agent kind stands for when a participant does not declare one. */
export function resourceTypeOfKind(kind: string | undefined): EnergyResourceType {
  switch (kind) {
    case 'cpo':
      return 'EVSE';
    case 'battery':
      return 'BATTERY';
    case 'prosumer':
    case 'p2p-seller':
      return 'PV';
    case 'home-ev':
      return 'EV';
    default:
      return 'HOUSEHOLD';
  }
}

/**
 * IEEE 2030.5 DeviceCategoryType bitmaps (hex) by resource type: photovoltaic system (bit 21),
 * other storage (bit 25), other generation (bit 24), electric vehicle (bit 16) and, for a
 * household or commercial load, its energy management system (bit 14).
 */
export const DER_DEVICE_CATEGORY: Readonly<Record<Exclude<EnergyResourceType, 'EVSE' | 'MARKET' | 'UTILITY'>, string>> = {
  PV: '00200000',
  BATTERY: '02000000',
  WIND: '01000000',
  EV: '00010000',
  HOUSEHOLD: '00004000',
  COMMERCIAL_LOAD: '00004000',
};

export interface SetpointSpec {
  readonly setpointId: string;
  readonly resourceId: string;
  readonly resourceType: EnergyResourceType;
  readonly window: TimeWindow;
  /** Target net power over the window, kW (positive = export), offset included. */
  readonly targetPowerKW: number;
  /** The price per kWh at which the resource's curve gave the target. */
  readonly atPricePerKWh?: number;
  /** Grid operator offset included in the target, kW. */
  readonly offsetKW?: number;
  /** When the command is issued, RFC 3339 UTC of the simulated clock. */
  readonly issuedAt: string;
  /** OCPP charging profile id, unique within the site (e.g. interval index + 1). */
  readonly chargingProfileId: number;
}

/** The device command for a setpoint, in the standard of its resource type. */
export function deviceCommand(s: SetpointSpec): SetpointCommand {
  const durationSeconds = (Date.parse(s.window.end) - Date.parse(s.window.start)) / 1000;
  if (s.resourceType === 'EVSE') {
    return ocppSetChargingProfile({
      evseId: 0,
      profileId: s.chargingProfileId,
      purpose: 'ChargingStationMaxProfile',
      start: s.window.start,
      durationSeconds,
      powerKW: s.targetPowerKW,
    });
  }
  const category = s.resourceType === 'MARKET' || s.resourceType === 'UTILITY' ? undefined : DER_DEVICE_CATEGORY[s.resourceType];
  return ieee2030_5DerControl({
    id: s.setpointId,
    // IEEE 2030.5 limits a description to 32 characters.
    description: `net power target for ${s.resourceId}`.slice(0, 32),
    createdAt: s.issuedAt,
    start: s.window.start,
    durationSeconds,
    targetPowerKW: s.targetPowerKW,
    ...(category === undefined ? {} : { deviceCategory: category }),
  });
}

/** A Setpoint pack carrying its device command. */
export function setpointWithCommand(s: SetpointSpec): Setpoint {
  return {
    setpointId: s.setpointId,
    resourceId: s.resourceId,
    interval: s.window,
    targetPowerKW: s.targetPowerKW,
    ...(s.atPricePerKWh === undefined ? {} : { atPricePerKWh: s.atPricePerKWh }),
    ...(s.offsetKW === undefined ? {} : { offsetKW: s.offsetKW }),
    commands: [deviceCommand(s)],
  };
}
