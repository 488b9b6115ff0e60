/**
 * The one wall clock of the protocol layer. Simulation never reads it: a node serving a run gets
 * its time from the driver. It exists for HTTP nodes and clients talking to real peers — request
 * timeouts, rate limits and signature windows against the peers' own clocks.
 */
export function wallClockMs(): number {
  return Date.now();
}
