export { evSessions, EV_SESSION_STATS, type EvSession, type EvSessionParams } from './ev.js';
export { forecast, type ForecastOptions } from './forecast.js';
export { householdLoad, householdShape, type HouseholdLoadParams } from './household.js';
export {
  airMass,
  clearSkyIrradiance,
  meanClearSkyIndex,
  pvProfile,
  solarPosition,
  type ClearSkyIrradiance,
  type PvProfileParams,
  type SolarPosition,
} from './solar.js';
export { dayOfWeek, gridTimes, isoOfMs, localOffsetMinutes, parseIsoMs, type IntervalGrid, type LocalClock } from './time.js';
