import { describe, expect, it } from 'vitest';
import { compareCsv } from './csv-diff.js';
import { buildIgnore } from './paths.js';
import { parseCsv, type CsvTable } from './run-folder.js';

function csv(text: string, file = 'settlement.csv'): CsvTable {
  const r = parseCsv(text, file);
  if (!r.ok) throw new Error('bad csv');
  return r.value;
}

const H = 'interval,contractId,payer,payee,kind,quantity,unit,ratePerUnit,amount,currency,formula\n';
const tol = { tol: 1e-9, relTol: 0 };

describe('compareCsv', () => {
  it('matches rows by key (repeated keys by occurrence), not by position', () => {
    const a = csv(`${H}0,c1,p,m,energy,1,kWh,0.1,0.10,INR,f\n0,c1,p,m,energy,2,kWh,0.1,0.20,INR,f\n1,c2,p,m,fee,1,kWh,0.01,0.01,INR,f\n`);
    const b = csv(`${H}1,c2,p,m,fee,1,kWh,0.01,0.01,INR,f\n0,c1,p,m,energy,1,kWh,0.1,0.10,INR,f\n0,c1,p,m,energy,2,kWh,0.1,0.20,INR,f\n`);
    const r = compareCsv('settlement.csv', a, b, tol);
    expect(r.status).toBe('equal');
    expect(r.keyColumns).toEqual(['interval', 'contractId', 'kind', 'payer', 'payee']);
  });

  it('reports changed cells with B − A at the cells’ precision, added and missing rows', () => {
    const a = csv(`${H}0,c1,p,m,energy,1,kWh,0.1,0.10,INR,f\n0,c3,p,u,wheeling,1,kWh,0.5,0.50,INR,f\n`);
    const b = csv(`${H}0,c1,p,m,energy,1,kWh,0.3,0.30,INR,g\n1,c9,p,m,fee,1,kWh,0.01,0.01,INR,f\n`);
    const r = compareCsv('settlement.csv', a, b, tol);
    expect(r.status).toBe('different');
    expect(r.changed).toEqual([
      { key: 'interval=0, contractId=c1, kind=energy, payer=p, payee=m', column: 'ratePerUnit', a: '0.1', b: '0.3', delta: 0.2 },
      { key: 'interval=0, contractId=c1, kind=energy, payer=p, payee=m', column: 'amount', a: '0.10', b: '0.30', delta: 0.2 },
      { key: 'interval=0, contractId=c1, kind=energy, payer=p, payee=m', column: 'formula', a: 'f', b: 'g' },
    ]);
    expect(r.missing).toEqual(['interval=0, contractId=c3, kind=wheeling, payer=p, payee=u']);
    expect(r.added).toEqual(['interval=1, contractId=c9, kind=fee, payer=p, payee=m']);
    expect(r.totals).toEqual([
      { column: 'amount', a: 0.6, b: 0.31, delta: -0.29, equal: false },
      { column: 'amount', group: 'kind=energy', a: 0.1, b: 0.3, delta: 0.2, equal: false },
      { column: 'amount', group: 'kind=fee', a: 0, b: 0.01, delta: 0.01, equal: false },
      { column: 'amount', group: 'kind=wheeling', a: 0.5, b: 0, delta: -0.5, equal: false },
    ]);
  });

  it('treats differences within the tolerance as equal, and ignores columns on request', () => {
    const a = csv(`${H}0,c1,p,m,energy,1,kWh,0.1,0.1000000001,INR,f\n`);
    const b = csv(`${H}0,c1,p,m,energy,1,kWh,0.1,0.1,INR,g\n`);
    const ignore = buildIgnore(['settlement.csv.formula']);
    if (!ignore.ok) throw new Error('bad');
    expect(compareCsv('settlement.csv', a, b, tol, ignore.value).status).toBe('equal');
    expect(compareCsv('settlement.csv', a, b, { tol: 0, relTol: 0 }, ignore.value).changed.map((c) => c.column)).toEqual(['amount']);
  });

  it('reports columns present on one side only and files present in one run only', () => {
    const a = csv('interval,node,price\n0,market,1\n', 'clearing.csv');
    const b = csv('interval,node,price,status\n0,market,1,cleared\n', 'clearing.csv');
    const r = compareCsv('clearing.csv', a, b, tol);
    expect([r.status, r.columnsOnlyInB]).toEqual(['different', ['status']]);
    expect(compareCsv('clearing.csv', a, undefined, tol).status).toBe('only-in-a');
  });

  it('matches an unknown file by row number', () => {
    const a = csv('x,y\n1,2\n3,4\n', 'extra.csv');
    const b = csv('x,y\n1,2\n3,5\n5,6\n', 'extra.csv');
    const r = compareCsv('extra.csv', a, b, tol);
    expect(r.changed).toEqual([{ key: 'row 2', column: 'y', a: '4', b: '5', delta: 1 }]);
    expect(r.added).toEqual(['row 3']);
  });
});
