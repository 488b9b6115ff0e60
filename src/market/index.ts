/** The market clearing engine: curves, market input, pay-as-clear clearing on a grid, and its table. */
export type { OfferCurve, OfferCurvePoint } from './curve-types.js';
export type {
  BindingLimit,
  ClearingResult,
  ClearingStatus,
  GridClearingMode,
  MarketGrid,
  MarketGridNode,
  MarketInput,
  MarketParticipant,
  NodeClearingResult,
  ParticipantClearingResult,
  PriceRule,
  RationingResult,
} from './types.js';
export { validateCurve, curvePowerAt, curvePowerRange } from './curve.js';
export { parseMarketInput } from './input.js';
export { clearMarket, MARKET_NODE_ID, RELATIVE_TOLERANCE } from './clear.js';
export { formatClearingTable, roundClearingResult, roundNumber } from './format.js';
