/** Settlement report writers: settlement.csv, per-party bills (JSON, Markdown), the money-flow table. */
export * from './bills.js';
export * from './csv.js';
export * from './format.js';
export * from './money-flow.js';
export * from './write.js';
