/**
 * Contract templates: each builds the EnergyContract (plain data) of one building-block use, and
 * most come with a helper that builds the period inputs its formulas read.
 */
export * from './common.js';
export * from './cpo-session.js';
export * from './demand-flexibility.js';
export * from './deviation.js';
export * from './p2p-bilateral.js';
export * from './pay-as-clear.js';
export * from './revenue-share.js';
export * from './taxes.js';
export * from './tou-tariff.js';

/** Template names as written in `EnergyContract.template`. */
export const TEMPLATE_NAMES = [
  'pay-as-clear/participant',
  'pay-as-clear/wheeling',
  'pay-as-clear/imbalance',
  'grid/deviation',
  'p2p/bilateral',
  'ev/cpo-session',
  'tariff/time-of-use',
  'flexibility/demand',
  'aggregator/revenue-share',
] as const;
