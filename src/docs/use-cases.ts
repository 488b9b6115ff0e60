/**
 * The use-case library: every use case of the Digital Energy Grid that degsim builds from the
 * same blocks, with its scenario, the story it tells and the run the documentation is drawn from
 * (a short horizon showing the whole flow, so the docs regenerate in seconds).
 */
export interface UseCase {
  /** File names: `docs/use-cases/<name>.md`, `docs/examples/<name>/`. */
  readonly name: string;
  readonly title: string;
  /** Scenario file, relative to the project root. */
  readonly scenario: string;
  /** The story, a few sentences of Markdown. */
  readonly story: string;
  /** Overrides of the documented run (`path=value`, as `degsim run --set`). */
  readonly overrides: readonly string[];
  /** What the documented run covers, for the reader. */
  readonly runNote: string;
  /**
   * Parties whose exchanges the flow shows (a message between two of them, about contracts only
   * they and the government fill); all messages when absent. One of many alike participants keeps
   * the flow readable.
   */
  readonly focus?: readonly string[];
  /** Contract templates and discover intents whose exchanges belong to another use case's page (e.g. the market's own setup). */
  readonly omit?: readonly string[];
  /** Also compare the run with grid modes exact, policy and none (over these overrides). */
  readonly compareGridModes?: readonly string[];
}

/** The market clearing agent's own setup with the utility, shown on the pay-as-clear page. */
const MARKET_SETUP: readonly string[] = ['pay-as-clear/wheeling', 'pay-as-clear/imbalance', 'grid-topology'];

export const USE_CASES: readonly UseCase[] = [
  {
    name: 'pay-as-clear',
    title: 'Pay-as-clear market',
    scenario: 'scenarios/default.yaml',
    story:
      'Solar prosumers and batteries send the market clearing agent (MCA) an offer curve for each delivery interval (`init`). The MCA asks the utility to approve each meter against its sanctioned load (cascaded `init`), answers with the approved limits and fees (`on_init`) and takes confirmations until gate closure. It then clears every curve at one price per grid node, has the utility lock the trades (cascaded `confirm`) and answers each participant at clearing time (`on_confirm`): the contract ACTIVE, the clearing price as a signal and a setpoint with its device command. After delivery each contract is settled from the meters and reported (`on_status`).',
    overrides: ['start=2026-06-21T06:00:00Z', 'horizonHours=0.25'],
    runNote: 'one midday interval',
    focus: ['prosumer-1', 'mca', 'utility'],
  },
  {
    name: 'p2p-bilateral',
    title: 'Bilateral P2P trade',
    scenario: 'scenarios/p2p-bilateral.yaml',
    story:
      'Rooftop-PV owners each offer a fixed-price block of solar energy. Buyers discover the offers (intent energy-offer), pick one (`select`), and form the trade (`init`, `confirm`); the seller cascades both to the utility, which approves the two meters and locks the trade against their sanctioned load as it locks market trades. During delivery the buyer follows the trade with `status` until the seller reports it completed. Beside them, a pay-as-clear market runs on the same feeder.',
    overrides: ['horizonHours=4'],
    runNote: 'the first four hours of the trading day',
    focus: ['seller-1', 'seller-2', 'seller-3', 'buyer-1', 'utility'],
  },
  {
    name: 'destination-ev-charging',
    title: 'Destination EV charging',
    scenario: 'scenarios/destination-ev-charging.yaml',
    story:
      'Drivers look for a charger near where they are going (discover by location and connector type), choose a station’s offer (`select`), book it (`init`, `confirm`), start the session (`update`), follow it (`status`, `track`) and stop it (`update`). The station reports the charge data record in `on_status`, and the session is settled under the station’s tariff: energy, time, idle fees and tax.',
    overrides: [],
    runNote: 'the whole scenario',
    focus: ['mall', 'office-park', 'driver-*'],
  },
  {
    name: 'home-ev-tou',
    title: 'Home EV charging on a time-of-use tariff',
    scenario: 'scenarios/home-ev-tou.yaml',
    story:
      'A home forms the utility’s time-of-use tariff contract once (`init`, `confirm`); there is no market. Its charger prices every interval from that contract and charges in the cheapest intervals before the car leaves. The bill follows the contract’s bands, interval by interval, and is reported after each interval (`on_status`).',
    overrides: ['horizonHours=1'],
    runNote: 'the first hour',
  },
  {
    name: 'smart-ev-charging',
    title: 'Smart EV charging',
    scenario: 'scenarios/smart-ev-charging.yaml',
    story:
      'A workplace charge point operator buys its chargers’ power in the pay-as-clear market. Every plugged-in session splits into the power it must draw now to be full by its departure (bid at any price) and the power it could draw later instead (bid only below the price of those later intervals), so charging moves to the cheap midday hours. The cleared import comes back with an OCPP `SetChargingProfile`; energy still missing at a departure is reported; each driver’s session is a contract billed from its charge data record.',
    overrides: ['start=2026-06-23T02:30:00Z', 'horizonHours=0.5'],
    runNote: 'two morning intervals, as the first cars plug in',
    focus: ['cpo-office', 'mca', 'utility'],
    omit: MARKET_SETUP,
  },
  {
    name: 'demand-flexibility',
    title: 'Demand flexibility',
    scenario: 'scenarios/demand-flexibility.yaml',
    story:
      'The utility publishes a need — keep a transformer under its limit from 18:00 to 21:00 — as a catalogue offer with the transformer (GridNode) and its own load forecast (Forecast). An aggregator of home batteries under that transformer takes it (`init`, `confirm`). In every event interval it collects its members’ curves (`update`), offers their aggregate upward flexibility (`update`) and splits what the utility accepts into member setpoints (`on_update`). Meter readings flow to the utility after every interval; one interval after the event the utility verifies the reduction against a baseline from those readings and pays once (`on_status`), and the aggregator passes each member its share.',
    overrides: [],
    runNote: 'the whole scenario: a baseline day, then the event day',
    focus: ['utility', 'flex', 'flex.pv-1'],
  },
  {
    name: 'vpp',
    title: 'Virtual power plant',
    scenario: 'scenarios/vpp.yaml',
    story:
      'An aggregator enrols PV homes, batteries and EV homes by a revenue-share contract each (`init`, `confirm`). Every interval each member offers its curve (`update`); the aggregator adds them into one curve and trades it in the pay-as-clear market as one participant under its portfolio meter. When the market clears it splits the cleared power into member setpoints — each member at its own curve at the clearing price — and sends them with their device commands (`on_update`). Each member is paid the market value of its metered energy less the aggregator’s share; the portfolio’s deviation is settled with the grid operator on the sum of the members’ meters.',
    overrides: ['start=2026-06-23T05:00:00Z', 'horizonHours=0.5'],
    runNote: 'two midday intervals',
    focus: ['vpp', 'vpp.pv-1', 'mca', 'utility'],
    omit: MARKET_SETUP,
  },
  {
    name: 'grid-services',
    title: 'Grid services: midday reverse flow',
    scenario: 'scenarios/grid-services.yaml',
    story:
      'A street of solar homes pushes more power back through its transformer at noon than the operator allows. With grid-aware clearing the market clamps the transformer’s export to its reverse limit: the street gets its own, lower price (a locational adder from the limit’s shadow price) and, where many homes offer at the same price, the grid operator commands offsets within that plateau. The same day is run with the utility’s forecast-based adders (policy) and without grid awareness, and the violations each avoids are set against what avoiding them costs.',
    overrides: ['start=2026-06-23T05:00:00Z', 'horizonHours=0.5'],
    runNote: 'two midday intervals; the comparison over the midday hour',
    focus: ['solar-1', 'mca', 'utility'],
    omit: MARKET_SETUP,
    compareGridModes: ['start=2026-06-23T05:00:00Z', 'horizonHours=1'],
  },
];
