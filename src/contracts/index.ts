/** Computable EnergyContracts: the model, formation, period evaluation, lifecycle, formulas and templates. */
export * from './evaluate.js';
export * from './form.js';
export * from './lifecycle.js';
export * from './model.js';
export * as formula from './formula/index.js';
export * as templates from './templates/index.js';
