import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules the numeric core (clearing, power flow, settlement, formulas) must never import. */
const outerLayers = [
  { group: ['**/agents/**', '../agents/*', '../../agents/*'], message: 'The numeric core must not depend on agents.' },
  { group: ['**/protocol/**', '../protocol/*'], message: 'The numeric core must not depend on the protocol layer.' },
  { group: ['**/reports/**', '../reports/*', '../../reports/*'], message: 'The numeric core must not depend on report writers.' },
  { group: ['**/cli/**', '../cli/*'], message: 'The numeric core must not depend on the CLI.' },
  { group: ['**/run/**', '../run/*'], message: 'The numeric core must not depend on run wiring.' },
];

/** Wall-clock time and unseeded randomness break determinism in simulation code. */
const noWallClock = [
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use a seeded stream from src/kernel/random.' },
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use the simulated clock from src/kernel/clock.' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the simulated clock from src/kernel/clock.' },
  { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'Use the simulated clock from src/kernel/clock.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', 'docs/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ...noWallClock],
    },
  },
  {
    files: ['src/market/**/*.ts', 'grid/**/*.ts', 'src/settlement/**/*.ts', 'src/contracts/**/*.ts', 'src/kernel/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: outerLayers }] },
  },
  {
    // Wall-clock time is allowed only where a person or a network is waiting: the CLI's progress
    // bar, HTTP nodes, benchmarks, and tests that measure nothing but need a real timer.
    files: ['src/cli/**/*.ts', 'src/protocol/transport/http/**/*.ts', 'bench/**/*.ts', '**/*.test.ts', 'src/sweep/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
