import type { OfferCurve } from './curve-types.js';

/**
 * Which price to pick when the aggregate is exactly 0 over a whole price interval:
 * `midpoint` (default, as EUPHEMIA and PowerMatcher do), `low` (the marginal seller's price) or
 * `high` (the marginal buyer's price).
 */
export type PriceRule = 'midpoint' | 'low' | 'high';

/**
 * How grid nodes constrain the market. `exact`: every node's forward/reverse limit is enforced and
 * a binding node gets its own (locational) price. `policy`: each node carries a fixed adder set by
 * the utility; limits are only checked and reported.
 */
export type GridClearingMode = 'exact' | 'policy';

/** One participant of a market: its offer curve and where it is connected. */
export interface MarketParticipant {
  /** Unique id (meter or subscriber id). Results are ordered by it. */
  readonly id: string;
  /** Grid node id it is connected under; absent = at the root. */
  readonly node?: string;
  readonly offerCurve: OfferCurve;
}

/**
 * A grid node (transformer, feeder head) of the radial tree. Limits apply to the net export of its
 * whole subtree: participants at this node and at every descendant.
 */
export interface MarketGridNode {
  readonly id: string;
  /** Parent node id; exactly one node (the root) has none. */
  readonly parent?: string;
  /** Largest import into the subtree, kW (≥ 0). Absent = unlimited. */
  readonly maxForwardFlowKW?: number;
  /** Largest export out of the subtree, kW (≥ 0). Absent = unlimited. */
  readonly maxReverseFlowKW?: number;
  /** Policy mode only: price adder per kWh added to the parent's price (may be negative). */
  readonly adderPerKWh?: number;
}

export interface MarketGrid {
  /** Default `exact`. */
  readonly mode?: GridClearingMode;
  readonly nodes: readonly MarketGridNode[];
}

/** A market to clear: one delivery interval's confirmed offer curves and the grid under them. */
export interface MarketInput {
  /** ISO 4217 currency of every price. */
  readonly currency: string;
  /** Lowest allowed clearing price per kWh (may be negative). */
  readonly priceFloor: number;
  /** Highest allowed clearing price per kWh (≥ priceFloor). */
  readonly priceCap: number;
  /** Default `midpoint`. */
  readonly priceRule?: PriceRule;
  /**
   * Price grid per kWh (e.g. 0.01). When given, the floor, the cap, every curve price (and, in
   * policy mode, every adder) lies on it, and clearing aggregates on the grid without sorting.
   */
  readonly priceTick?: number;
  readonly participants: readonly MarketParticipant[];
  readonly grid?: MarketGrid;
}

/** `cleared`: supply meets demand. `cap`: short even at the cap. `floor`: long even at the floor. */
export type ClearingStatus = 'cleared' | 'cap' | 'floor';

/** Which of a node's limits binds: `forward` (import into the subtree), `reverse` (export), or none. */
export type BindingLimit = 'forward' | 'reverse' | null;

/** One grid node's outcome (the root node, or the virtual `market` node when there is no grid). */
export interface NodeClearingResult {
  readonly id: string;
  readonly parent: string | null;
  /** Price per kWh seen by the participants at this node. */
  readonly price: number;
  /** This node's price minus its parent's (the root: 0 in exact mode, its own adder in policy mode). */
  readonly adder: number;
  /** Net export of the subtree, kW (negative = importing). */
  readonly flowKW: number;
  /**
   * Exact mode: the limit that constrains this subtree (its price differs from the parent's, or its
   * participants were offset at the same price). Policy mode: the limit that the flow exceeds.
   */
  readonly binding: BindingLimit;
  /** The binding limit, kW (as given: ≥ 0), present only when `binding` is not null. */
  readonly limitKW?: number;
  /** Sum of positive cleared powers in the subtree, kW. */
  readonly clearedSupplyKW: number;
  /** Sum of |negative| cleared powers in the subtree, kW. */
  readonly clearedDemandKW: number;
  /** Number of participants in the subtree. */
  readonly participants: number;
  /**
   * Exact mode: supply in the subtree cut below its curve because the limit binds even at the
   * floor (kW, ≥ 0). 0 otherwise.
   */
  readonly curtailedKW: number;
  /** Exact mode: demand cut because the limit binds even at the cap (kW, ≥ 0). 0 otherwise. */
  readonly unservedKW: number;
  /** Policy mode: by how much the flow exceeds the binding limit (kW, ≥ 0). 0 in exact mode. */
  readonly overloadKW: number;
}

/** One participant's cleared outcome. */
export interface ParticipantClearingResult {
  readonly id: string;
  readonly node: string;
  /** Price per kWh at the participant's node. */
  readonly price: number;
  /** Cleared power, kW (positive = export/sell, negative = import/buy). */
  readonly powerKW: number;
  /**
   * Signed change, kW, commanded by the grid operator because a node limit binds inside a plateau
   * (or cannot be met at the floor/cap), relative to the power the participant would have at its
   * price without that limit. 0 when no limit cuts into the participant's indifference range.
   */
  readonly offsetKW: number;
  /** How much of its indifferent (step) volume the market could not take, kW (≥ 0). */
  readonly rationedKW: number;
}

/** Pro-rata rationing of one side at one node's price, when the aggregate jumps at the clearing price. */
export interface RationingResult {
  readonly side: 'supply' | 'demand';
  readonly node: string;
  readonly price: number;
  /** Total reduction on that side at that node, kW. */
  readonly excessKW: number;
  /** Each rationed participant's reduction, kW (> 0), ordered by id. */
  readonly participants: readonly { readonly id: string; readonly reductionKW: number }[];
}

/** The outcome of clearing one market. All numbers are plain doubles. */
export interface ClearingResult {
  readonly currency: string;
  readonly status: ClearingStatus;
  /** Market (root) clearing price per kWh. */
  readonly price: number;
  /** Every price at which the aggregate balances ([price, price] at the floor or the cap). */
  readonly priceInterval: readonly [number, number];
  readonly priceRule: PriceRule;
  /** Net power over the whole market, kW: 0 when cleared (up to rounding), else the imbalance. */
  readonly netKW: number;
  /** Sum of positive cleared powers, kW. */
  readonly clearedSupplyKW: number;
  /** Sum of |negative| cleared powers, kW. */
  readonly clearedDemandKW: number;
  /** At the cap: demand the market could not serve, kW (= −netKW). 0 otherwise. */
  readonly unservedKW: number;
  /** At the floor: supply the market could not place, kW (= netKW). 0 otherwise. */
  readonly curtailedKW: number;
  readonly rationed: readonly RationingResult[];
  /** Root first, then depth-first with children ordered by id. */
  readonly nodes: readonly NodeClearingResult[];
  /** Ordered by id. */
  readonly participants: readonly ParticipantClearingResult[];
}
