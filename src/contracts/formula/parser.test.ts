import { describe, expect, it } from 'vitest';
import { tokenize } from './lexer.js';
import { parseFormula } from './parser.js';
import { printFormula } from './print.js';

function parsed(text: string): string {
  const r = parseFormula(text);
  if ('error' in r) throw new Error(r.error.message);
  return printFormula(r.expr);
}

function error(text: string): { code: string; offset: number; message: string } {
  const r = parseFormula(text);
  if (!('error' in r)) throw new Error(`expected an error for ${text}`);
  return r.error;
}

describe('tokenize', () => {
  it('reads numbers, names, strings and normalises operator spellings', () => {
    const r = tokenize(`1.5e3 × .25 ÷ x ≤ 2 && !y || z ≠ 'a"b'`);
    if ('error' in r) throw new Error(r.error.message);
    expect(r.tokens.map((t) => (t.kind === 'op' ? t.op : t.kind === 'number' ? t.value : t.kind === 'ident' ? t.name : t.kind === 'string' ? `"${t.value}"` : 'eof'))).toEqual([
      1500, '*', 0.25, '/', 'x', '<=', 2, 'and', 'not', 'y', 'or', 'z', '!=', '"a"b"', 'eof',
    ]);
  });

  it('locates lexical errors by character offset', () => {
    expect(tokenize('1 + $x')).toEqual({ error: { code: 'formula.syntax', offset: 4, message: "unexpected character '$'" } });
    expect(tokenize('2e+')).toMatchObject({ error: { offset: 1 } });
    expect(tokenize('signals["abc')).toMatchObject({ error: { offset: 8, message: 'unterminated string' } });
    expect(tokenize('3kWh')).toMatchObject({ error: { offset: 1 } });
    expect(tokenize('a = b')).toMatchObject({ error: { offset: 2 } });
  });
});

describe('parseFormula', () => {
  it('applies precedence: * over +, comparison over and, and over or, ternary loosest', () => {
    expect(parsed('1 + 2 * 3')).toBe('1 + 2 * 3');
    expect(parsed('(1 + 2) * 3')).toBe('(1 + 2) * 3');
    expect(parsed('state.a < 1 or state.b > 2 and not state.c == 3')).toBe('state.a < 1 or state.b > 2 and not state.c == 3');
    expect(parsed('state.a > 0 ? 1 : state.b > 0 ? 2 : 3')).toBe('state.a > 0 ? 1 : state.b > 0 ? 2 : 3');
    expect(parsed('(state.a > 0 ? state.b : 3) * 2')).toBe('(state.a > 0 ? state.b : 3) * 2');
    expect(parsed('1 - (2 - 3)')).toBe('1 - (2 - 3)');
    expect(parsed('1 - 2 - 3')).toBe('1 - 2 - 3');
    expect(parsed('8 / (4 / 2)')).toBe('8 / (4 / 2)');
    expect(parsed('--2')).toBe('--2');
    expect(parsed('-(1 + 2)')).toBe('-(1 + 2)');
  });

  it('parses references with dots and brackets to canonical text', () => {
    expect(parsed(`signals["market-clearing-price"] * roles.PROSUMER.clearedKWh`)).toBe('signals["market-clearing-price"] * roles.PROSUMER.clearedKWh');
    expect(parsed(`signals['price']`)).toBe('signals.price');
    expect(parsed('telemetry["cdr-1"].energyKWh')).toBe('telemetry["cdr-1"].energyKWh');
    expect(parsed('period.hours')).toBe('period.hours');
  });

  it('parses function calls including the conditional', () => {
    expect(parsed('clamp(state.x, 0, max(1, 2, 3))')).toBe('clamp(state.x, 0, max(1, 2, 3))');
    expect(parsed('if(state.x >= 0, 1, -1)')).toBe('if(state.x >= 0, 1, -1)');
  });

  it('reports the first syntax error with its offset', () => {
    expect(error('1 +')).toMatchObject({ code: 'formula.syntax', offset: 3, message: 'expected a number, a reference, a function or ( but found end of formula' });
    expect(error('(1 + 2')).toMatchObject({ offset: 6 });
    expect(error('1 2')).toMatchObject({ offset: 2, message: 'expected end of formula but found number 2' });
    expect(error('1 < 2 < 3')).toMatchObject({ offset: 6, message: "comparisons cannot be chained; combine them with 'and'" });
    expect(error('sqrt(2)')).toMatchObject({ code: 'formula.unknown-function', offset: 0 });
    expect(error('2 * price')).toMatchObject({ code: 'formula.unknown-reference', offset: 4 });
    expect(error('roles')).toMatchObject({ code: 'formula.unknown-reference', offset: 0 });
    expect(error('signals[1]')).toMatchObject({ offset: 8 });
    expect(error('state.a ? 1')).toMatchObject({ offset: 11 });
  });

  it('refuses formulas nested too deep instead of exhausting the stack', () => {
    expect(error(`${'('.repeat(500)}1${')'.repeat(500)}`)).toMatchObject({ code: 'formula.syntax', message: 'formula nested deeper than 200 levels' });
    expect(error(`${'-'.repeat(5000)}1`)).toMatchObject({ code: 'formula.syntax' });
    expect(error(`${'not '.repeat(5000)}true`)).toMatchObject({ code: 'formula.syntax' });
  });
});
