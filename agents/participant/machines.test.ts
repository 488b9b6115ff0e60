import { describe, expect, it } from 'vitest';
import { payAsClearParticipant } from '../../src/contracts/templates/index.js';
import type { EnergyContract } from '../../src/contracts/model.js';
import type { CatalogPayload } from '../../src/protocol/payloads.js';
import { start, step } from '../shared/machine.js';
import { bidContract } from '../shared/market-contract.js';
import { withParameters, withRoleInputs } from '../shared/terms.js';
import { discoveryMachine, findMarketOffer, type DiscoveryEffect } from './discovery.js';
import { participantMarketMachine, type MarketEffect, type MarketEvent } from './market-machine.js';
import { curveOf } from './terms.js';

const template = payAsClearParticipant({ contractId: 'offer', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', marketMakingFeePerKWh: 0.1 });
const curve = { currency: 'INR', minExport: -2, maxExport: 6, curve: [{ price: 3, powerKW: -2 }, { price: 3, powerKW: 6 }] };

function bid(): EnergyContract {
  const r = bidContract({
    offerContract: template,
    contractId: 'pac-i4-p1',
    createdAt: '2026-06-21T00:45:00Z',
    window: { start: '2026-06-21T01:00:00Z', end: '2026-06-21T01:15:00Z' },
    participantId: 'p1',
    meterId: 'm1',
    offerCurve: curve,
    governmentId: 'government',
    feeTaxPct: 18,
    dutyPerKWh: 0,
  });
  if (!r.ok) throw new Error('bid');
  return r.value;
}

function approved(c: EnergyContract, importKW: number, exportKW: number): EnergyContract {
  return withParameters(withRoleInputs(c, 'PROSUMER', { gridNodeId: 'tx-2' }), {
    approvedMaxImportKW: { value: importKW, unit: 'kW' },
    approvedMaxExportKW: { value: exportKW, unit: 'kW' },
  });
}

/** Runs events through the machine from its start; returns the final state and every effect. */
function run(events: readonly MarketEvent[]): { state: string; effects: MarketEffect[] } {
  let s = start<typeof participantMarketMachine, MarketEffect>(participantMarketMachine, undefined as never);
  const effects: MarketEffect[] = [...s.effects];
  for (const e of events) {
    s = step<typeof participantMarketMachine, MarketEffect>(participantMarketMachine, s.snapshot, e);
    effects.push(...s.effects);
  }
  return { state: String(s.snapshot.value), effects };
}

describe('participant market machine', () => {
  it('goes bid → init → on_init → confirm → on_confirm → dispatch → on_status with one effect per message', () => {
    const b = bid();
    const onInit = approved(b, 10, 4);
    const active = { ...onInit, status: 'ACTIVE' as const };
    const r = run([
      { type: 'BID', contract: b },
      { type: 'ON_INIT', contract: onInit },
      { type: 'GATE_CLOSED' },
      { type: 'ON_CONFIRM', contract: active },
      { type: 'DISPATCH' },
      { type: 'ON_STATUS', report: { reportId: 'r', contractId: b.contractId, period: { start: 'a', end: 'b' }, currency: 'INR', status: 'FINAL', generatedAt: 'c', lines: [], totals: [] } },
    ]);
    expect(r.state).toBe('settled');
    expect(r.effects.map((e) => e.type)).toEqual(['sendInit', 'sendConfirm', 'cleared', 'settled']);
    const confirm = r.effects[1];
    if (confirm?.type !== 'sendConfirm') throw new Error('expected a confirm');
    // The curve is clipped to the approved export of 4 kW; the import limit (10) does not bind.
    expect(curveOf(confirm.contract)).toEqual({ ...curve, maxExport: 4 });
    expect(confirm.contract.status).toBe('PENDING');
  });

  it('declines an on_init that raises the market-making fee, and records no deal at dispatch', () => {
    const b = bid();
    const raised = withRoleInputs(approved(b, 10, 10), 'MARKET_CLEARING_AGENT', { marketMakingFeePerKWh: 0.5 });
    const r = run([{ type: 'BID', contract: b }, { type: 'ON_INIT', contract: raised }, { type: 'DISPATCH' }]);
    expect(r.state).toBe('closed');
    expect(r.effects.map((e) => e.type)).toEqual(['sendInit', 'noDeal']);
    expect(r.effects[1]).toMatchObject({ reason: 'declined' });
  });

  it('accepts parameters no flow reads (approvals, adders) as unchanged terms', () => {
    const b = bid();
    const withAdder = withParameters(approved(b, 10, 10), { locationalAdderPerKWh: { value: -0.4, unit: 'INR/kWh' } });
    const r = run([{ type: 'BID', contract: b }, { type: 'ON_INIT', contract: withAdder }]);
    expect(r.effects.map((e) => e.type)).toEqual(['sendInit', 'sendConfirm']);
  });

  it('gives up an interval whose on_init comes after the gate closed', () => {
    const b = bid();
    const r = run([{ type: 'BID', contract: b }, { type: 'GATE_CLOSED' }, { type: 'ON_INIT', contract: approved(b, 10, 10) }, { type: 'DISPATCH' }]);
    expect(r.effects.map((e) => e.type)).toEqual(['sendInit', 'noDeal']);
    expect(r.effects[1]).toMatchObject({ reason: 'gate-missed' });
  });

  it('treats a TERMINATED on_confirm (a late confirm) as refused', () => {
    const b = bid();
    const onInit = approved(b, 10, 10);
    const r = run([{ type: 'BID', contract: b }, { type: 'ON_INIT', contract: onInit }, { type: 'ON_CONFIRM', contract: { ...onInit, status: 'TERMINATED' } }, { type: 'DISPATCH' }]);
    expect(r.effects.map((e) => e.type)).toEqual(['sendInit', 'sendConfirm', 'noDeal']);
    expect(r.effects[2]).toMatchObject({ reason: 'refused' });
  });

  it('records no outcome when on_confirm never comes, and no bid when the offer was unknown', () => {
    const b = bid();
    expect(run([{ type: 'BID', contract: b }, { type: 'ON_INIT', contract: approved(b, 10, 10) }, { type: 'DISPATCH' }]).effects[2]).toMatchObject({ type: 'noDeal', reason: 'no-outcome' });
    expect(run([{ type: 'GATE_CLOSED' }, { type: 'DISPATCH' }]).effects).toEqual([{ type: 'noDeal', reason: 'no-offer', detail: 'no bid was sent (the market offer was not known in time)' }]);
  });

  it('fails on a NACK of its init', () => {
    const r = run([{ type: 'BID', contract: bid() }, { type: 'NACK', action: 'init', code: '30001', message: 'bad' }, { type: 'DISPATCH' }]);
    expect(r.effects[1]).toMatchObject({ type: 'noDeal', reason: 'failed', detail: 'init refused: 30001 bad' });
  });
});

describe('discovery machine', () => {
  const catalog: CatalogPayload = {
    kind: 'catalog',
    catalogs: [
      {
        catalogId: 'c',
        name: 'market',
        provider: { id: 'mca', name: 'MCA' },
        resources: [{ resourceId: 'vm', name: 'virtual meter', attributes: { type: 'EnergyResource', value: { resourceId: 'vm', resourceType: 'MARKET', virtualMeter: true } } }],
        offers: [{ offerId: 'pay-as-clear', name: 'pay as clear', resourceIds: ['vm'], attributes: { offerId: 'pay-as-clear', contractId: 'offer', providerId: 'mca', providerUri: 'u', openRole: 'PROSUMER', contract: template } }],
      },
    ],
  };

  it('reads the offer, its template and its fee from the catalogue', () => {
    const offer = findMarketOffer(catalog, 'mca');
    expect(offer?.feePerKWh).toBe(0.1);
    expect(offer?.resourceTypes).toEqual(['MARKET']);
    expect(findMarketOffer(catalog, 'other')).toBeUndefined();
  });

  it('retries a bounded number of times and then gives up once', () => {
    let s = start<typeof discoveryMachine, DiscoveryEffect>(discoveryMachine, { maxAttempts: 2 });
    const effects: DiscoveryEffect[] = [];
    for (const e of [{ type: 'DISCOVER' }, { type: 'DISCOVER' }, { type: 'DISCOVER' }, { type: 'DISCOVER' }] as const) {
      s = step<typeof discoveryMachine, DiscoveryEffect>(discoveryMachine, s.snapshot, e);
      effects.push(...s.effects);
    }
    expect(effects).toEqual([{ type: 'sendDiscover', attempt: 1 }, { type: 'sendDiscover', attempt: 2 }, { type: 'gaveUp', detail: 'no catalogue after 2 attempts' }]);
    expect(s.snapshot.value).toBe('unavailable');
  });

  it('is ready when the catalogue holds the offer', () => {
    let s = start<typeof discoveryMachine, DiscoveryEffect>(discoveryMachine, { maxAttempts: 3 });
    s = step<typeof discoveryMachine, DiscoveryEffect>(discoveryMachine, s.snapshot, { type: 'DISCOVER' });
    s = step<typeof discoveryMachine, DiscoveryEffect>(discoveryMachine, s.snapshot, { type: 'CATALOG', offer: findMarketOffer(catalog, 'mca') });
    expect(s.snapshot.value).toBe('ready');
    expect(s.effects.map((e) => e.type)).toEqual(['offerKnown']);
  });
});
