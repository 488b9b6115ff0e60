export * from './payloads.js';
export * from './context.js';
export * from './validate.js';
export * from './ack.js';
export * from './profiles/index.js';
