import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EnergyContract, RevenueFlow } from '../../contracts/model.js';
import { payAsClearParticipant } from '../../contracts/templates/pay-as-clear.js';
import { register } from './contract.js';
import { runCommand, type CommandOutput } from '../test-support/run-command.js';

const dir = mkdtempSync(join(tmpdir(), 'degsim-contract-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = payAsClearParticipant({ contractId: 'pac-1', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', participant: 'pv-1', marketMakingFeePerKWh: 0.1 });
const BAD: EnergyContract = {
  ...GOOD,
  contractId: 'c-17',
  revenueFlows: { netZero: true, flows: [{ ...(GOOD.revenueFlows.flows[0] as RevenueFlow), rate: 'roles.BUYER.price' }] },
};

function file(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const cli = (args: readonly string[]): Promise<CommandOutput> => runCommand(register, 'contract', args);

describe('degsim contract check', () => {
  it('prints ok per contract and exits 0', async () => {
    const r = await cli(['check', file('good.json', GOOD)]);
    expect(r).toEqual({ out: `ok pac-1 (pay-as-clear/participant, ACTIVE, 2 flows) in ${join(dir, 'good.json')}\n`, err: '', code: 0 });
  });

  it('names the contract, the flow and the reference of a bad formula and exits 1', async () => {
    const path = file('bad.json', [GOOD, BAD]);
    const r = await cli(['check', '--quiet', path]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${path}: revenueFlows.flows[0].rate: contract c-17, flow energy: unknown reference roles.BUYER.price`);
  });

  it('exits 2 for a file that is not JSON', async () => {
    const r = await cli(['check', file('broken.json', '{')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.json: not JSON/);
  });
});

describe('degsim contract eval', () => {
  const period = ['--start', '2026-06-21T12:00:00Z', '--end', '2026-06-21T12:15:00Z', '--index', '48'];

  it('prints the settlement report of the period as JSON', async () => {
    const inputs = file('inputs.json', { signals: { 'market-clearing-price': 4.2 }, roleInputs: { PROSUMER: { clearedKWh: -3.2 } } });
    const r = await cli(['eval', file('good.json', GOOD), ...period, '--inputs', inputs]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { report: { lines: { flowId: string; amount: string; payer: string }[]; totals: { byParty: Record<string, string> } }; nextState: object };
    expect(out.report.lines.map((l) => [l.flowId, l.payer, l.amount])).toEqual([['energy', 'pv-1', '13.44'], ['fee', 'pv-1', '0.32']]);
    expect(out.report.totals.byParty).toEqual({ mca: '13.76', 'pv-1': '-13.76' });
    expect(out.nextState).toEqual({});
  });

  it('prints settlement.csv rows with --format csv', async () => {
    const inputs = file('inputs2.json', { signals: { 'market-clearing-price': 4.2 }, roleInputs: { PROSUMER: { clearedKWh: 2.5 } } });
    const r = await cli(['eval', file('good.json', GOOD), ...period, '--inputs', inputs, '--format', 'csv']);
    expect(r.out.split('\n')[1]).toBe('48,pac-1,mca,pv-1,energy,2.5000,kWh,4.2000,10.50,INR,"roles.PROSUMER.clearedKWh * signals[""market-clearing-price""]"');
  });

  it('exits 1 when an input is missing, and 2 when the contract to evaluate is ambiguous', async () => {
    const missing = await cli(['eval', file('good.json', GOOD), ...period]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('contract pac-1, roles.PROSUMER.clearedKWh has no value');
    const two = await cli(['eval', file('two.json', [GOOD, { ...GOOD, contractId: 'pac-2' }]), ...period]);
    expect(two.code).toBe(2);
    expect(two.err).toContain('holds 2 contracts (pac-1, pac-2); choose one with --contract');
  });
});
