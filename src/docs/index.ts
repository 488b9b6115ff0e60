export { BLOCK_INFO, BLOCKS, BlockScan, schemaFields, SUPPORTING_PACKS, type Block, type BlockInfo, type BlockUsage, type Evidence, type Pack, type SupportingPack } from './blocks.js';
export { buildDocs, findings, generateDocs, useCaseIndex, type DocsOptions, type DocsOutcome } from './generate.js';
export { compareGridModes, gridModeRow, gridModesMarkdown, type GridModeComparison, type GridModeRow } from './grid-modes.js';
export { anchor, buildingBlocksMarkdown, carries, contractMarkdown, contractsMarkdown, exampleFileName, exampleJson, flowDiagram, useCaseMarkdown, type Finding } from './render.js';
export { exchangeKey, flowSteps, loadUseCase, MAX_STEPS, runUseCaseForDocs, type DocRun, type FlowStep, type TracedMessage } from './run.js';
export { USE_CASES, type UseCase } from './use-cases.js';
