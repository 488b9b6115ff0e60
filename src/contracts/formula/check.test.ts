import { describe, expect, it } from 'vitest';
import { checkFormula, type FormulaType, type ReferenceResolver } from './check.js';
import { referenceText } from './ast.js';

/** Knows state.n (number), state.flag (boolean) and signals["price-a"] (number). */
const resolve: ReferenceResolver = (ref) => {
  const text = referenceText(ref);
  if (text === 'state.n' || text === 'signals["price-a"]') return { ok: true, type: 'number' };
  if (text === 'state.flag') return { ok: true, type: 'boolean' };
  return { ok: false, message: `unknown reference ${text}` };
};

function errorsOf(text: string, expected: FormulaType = 'number'): readonly { code: string; offset: number; message: string }[] {
  const r = checkFormula(text, expected, resolve);
  return 'errors' in r ? r.errors : [];
}

describe('checkFormula', () => {
  it('accepts well-typed formulas and lists references in first-use order', () => {
    const r = checkFormula('if(state.flag and state.n > 0, signals["price-a"] * state.n, 0)', 'number', resolve);
    expect('formula' in r && r.formula.references).toEqual(['state.flag', 'state.n', 'signals["price-a"]']);
    expect('formula' in r && r.formula.type).toBe('number');
    expect(errorsOf('state.flag == (state.n > 1)', 'boolean')).toEqual([]);
    expect(errorsOf('state.n != 2 ? state.flag : false', 'boolean')).toEqual([]);
  });

  it('names every unknown reference with its offset', () => {
    expect(errorsOf('state.n + state.m * signals.x')).toEqual([
      { code: 'formula.unknown-reference', offset: 10, message: 'unknown reference state.m' },
      { code: 'formula.unknown-reference', offset: 20, message: 'unknown reference signals.x' },
    ]);
  });

  it('rejects a boolean where a number is needed, and the reverse', () => {
    expect(errorsOf('state.flag * 2')).toEqual([
      { code: 'formula.type', offset: 0, message: "'*' needs a number but state.flag is a boolean" },
    ]);
    expect(errorsOf('state.n > 1', 'number')).toEqual([{ code: 'formula.type', offset: 0, message: 'the formula must give a number but gives a boolean' }]);
    expect(errorsOf('state.n and true', 'boolean')).toMatchObject([{ offset: 0, message: "'and' needs a boolean but state.n is a number" }]);
    expect(errorsOf('not state.n', 'boolean')).toMatchObject([{ offset: 4 }]);
    expect(errorsOf('-state.flag')).toMatchObject([{ offset: 1 }]);
    expect(errorsOf('state.n == true', 'boolean')).toMatchObject([{ message: "'==' compares a number with a boolean in state.n == true" }]);
    expect(errorsOf('if(state.n, 1, 2)')).toMatchObject([{ message: 'the condition of a conditional needs a boolean but state.n is a number' }]);
    expect(errorsOf('state.flag ? 1 : false')).toMatchObject([{ code: 'formula.type', message: 'the branches of state.flag ? 1 : false have different types (number and boolean)' }]);
    expect(errorsOf('max(1, state.flag)')).toMatchObject([{ offset: 7, message: 'max() needs a number but state.flag is a boolean' }]);
  });

  it('checks the number of arguments of each function', () => {
    expect(errorsOf('clamp(1, 2)')).toMatchObject([{ code: 'formula.arity', offset: 0, message: 'clamp() takes 3 arguments but got 2' }]);
    expect(errorsOf('abs(1, 2)')).toMatchObject([{ message: 'abs() takes 1 argument but got 2' }]);
    expect(errorsOf('min()')).toMatchObject([{ message: 'min() takes at least 1 argument but got 0' }]);
    expect(errorsOf('if(true, 1)')).toMatchObject([{ message: 'if() takes 3 arguments but got 2' }]);
  });

  it('returns a syntax error as the only error', () => {
    expect(errorsOf('state.n +')).toEqual([{ code: 'formula.syntax', offset: 9, message: 'expected a number, a reference, a function or ( but found end of formula' }]);
  });
});
