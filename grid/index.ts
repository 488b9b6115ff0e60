/**
 * The grid twin: feeders (parsed or synthetic), radial power flow, flow limits and the profiles
 * that drive participants. Numeric core: imports nothing from agents, protocol, reports, cli, run.
 */
export {
  BRANCH_LINE,
  BRANCH_NONE,
  BRANCH_TRANSFORMER,
  compileFeeder,
  emptyBusLoads,
  S_BASE_KVA,
  scaledBaseLoads,
  type BusLoads,
  type CompiledFeeder,
} from './compile.js';
export {
  BUS_KINDS,
  CUSTOMER_KINDS,
  FEEDER_HEAD_ID,
  NO_DER,
  type BusKind,
  type CustomerConnection,
  type CustomerKind,
  type DerFlags,
  type EvChargingKind,
  type Feeder,
  type FeederBus,
  type FeederLine,
  type FeederLoad,
  type FeederTransformer,
  type FlowLimits,
  type LineStatus,
} from './feeder.js';
export {
  flowCsvCells,
  flowReport,
  flowRowsToCsv,
  FLOW_CSV_COLUMNS,
  FLOW_CSV_DECIMALS,
  type FlowElementKind,
  type FlowRatings,
  type FlowReport,
  type FlowRow,
  type LimitViolation,
  type VoltageViolation,
} from './flows.js';
export { generateFeeder, TRANSFORMER_RATINGS_KVA, type FeederGenerationParams } from './generate.js';
export { loadFeederFile, parseFeederText } from './load.js';
export { gridNodesFromFeeder, meterNodeMap, nodeOfMeter, type GridNode } from './nodes.js';
export { DEFAULT_LIMIT_POWER_FACTOR, DEFAULT_SECONDARY_KV, DEFAULT_TRANSFORMER_X_OVER_R, parseFeeder } from './parse.js';
export {
  branchFlows,
  COLLAPSE_VOLTAGE_PU,
  createPowerFlowWorkspace,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_TOLERANCE_PU,
  solveFeeder,
  solvePowerFlow,
  type BranchFlows,
  type PowerFlowFailure,
  type PowerFlowNonConvergence,
  type PowerFlowOptions,
  type PowerFlowResult,
  type PowerFlowSolution,
  type PowerFlowState,
  type PowerFlowWorkspace,
  type SolvedFeeder,
  type SolveFeederOptions,
} from './powerflow.js';
export { formatPowerFlowTable, powerFlowSummary, roundTo, type PowerFlowSummary, type SummaryBranch, type SummaryBus } from './summary.js';
export { buildRadialTree, type RadialTree, type TopologyBranch } from './topology.js';
export * from './profiles/index.js';
