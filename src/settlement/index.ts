/** Settlement: exact money, the double-entry ledger and settlement reports. */
export * from './ledger.js';
export * from './money.js';
export * from './report.js';
export * from './types.js';
