import { describe, expect, it } from 'vitest';
import { demandFlexibility, payAsClearParticipant } from '../contracts/templates/index.js';
import type { CatalogPayload, ContractPayload } from '../protocol/payloads.js';
import { BlockScan, schemaFields } from './blocks.js';

const curve = { currency: 'INR', minExport: -2, maxExport: 3, curve: [{ price: 4, powerKW: -2 }, { price: 4, powerKW: 3 }] };

describe('block scan', () => {
  it('finds the blocks a catalogue carries: items, offers and their contract templates', () => {
    const template = demandFlexibility({ contractId: 'flex-offer-T1', createdAt: '2026-06-24T00:00:00Z', currency: 'INR', utility: 'utility', pricePerKWh: 12, window: { startHour: 18, endHour: 21 } });
    const catalog: CatalogPayload = {
      kind: 'catalog',
      catalogs: [
        {
          catalogId: 'c',
          name: 'need',
          provider: { id: 'utility', name: 'Utility' },
          resources: [{ resourceId: 'T1', name: 'T1', attributes: { type: 'GridNode', value: { nodeId: 'T1', nodeType: 'TRANSFORMER', limits: { maxForwardFlowKW: 9, maxReverseFlowKW: 5 } } } }],
          offers: [{ offerId: 'flex-T1', name: 'need', resourceIds: ['T1'], attributes: { offerId: 'flex-T1', contractId: 'flex-offer-T1', providerId: 'utility', providerUri: 'https://u', openRole: 'AGGREGATOR', gridNodeId: 'T1', contract: template } }],
        },
      ],
    };
    const scan = new BlockScan();
    scan.add(catalog);
    const u = scan.usage();
    expect([...u.packs.keys()].sort()).toEqual(['EnergyContract', 'EnergyOffer', 'GridNode']);
    expect([...(u.packs.get('GridNode')?.ways ?? [])]).toEqual([['catalogue item', 1], ['node of an offer', 1]]);
    expect([...(u.fields.get('GridNode') ?? [])]).toEqual(['limits', 'nodeId', 'nodeType']);
  });

  it('finds curves, resources, setpoints and settlements in contract messages, once per message', () => {
    const contract = payAsClearParticipant({ contractId: 'pac-i0-p', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', participant: 'p', marketMakingFeePerKWh: 0.1, meterId: 'M1' });
    const withCurve = { ...contract, roles: contract.roles.map((r) => (r.role === 'PROSUMER' ? { ...r, roleInputs: { ...r.roleInputs, offerCurve: curve, gridNodeId: 'T1' } } : r)) };
    const p: ContractPayload = {
      kind: 'contract',
      contract: withCurve,
      offerId: 'pay-as-clear',
      providerId: 'mca',
      resources: [{ resourceId: 'M1', quantity: 5, unit: 'kW' }],
      delivery: { deliveryId: 'd', status: 'PENDING', setpoints: [{ setpointId: 's', resourceId: 'M1', interval: { start: '2026-06-21T00:00:00Z', end: '2026-06-21T00:15:00Z' }, targetPowerKW: 2, offsetKW: -0.5 }] },
    };
    const scan = new BlockScan();
    scan.add(p);
    scan.add(p);
    const u = scan.usage();
    expect(u.packs.get('OfferCurve')).toEqual({ messages: 2, ways: new Map([['PROSUMER role input', 2]]) });
    expect(u.packs.get('EnergyResource')).toEqual({ messages: 2, ways: new Map([['meter in a role', 2], ['setpoint target', 2]]) });
    expect(u.packs.get('GridNode')?.ways).toEqual(new Map([['node in a role', 2], ['offset command', 2]]));
    expect(u.packs.has('SettlementReport')).toBe(false);
    expect([...(u.fields.get('Setpoint') ?? [])]).toEqual(['interval', 'offsetKW', 'resourceId', 'setpointId', 'targetPowerKW']);
  });

  it('reads the fields each pack’s schema defines, composed definitions included', () => {
    expect(schemaFields('OfferCurve')).toEqual(['currency', 'curve', 'maxExport', 'minExport']);
    expect(schemaFields('MeterReading')).toContain('netKWh');
  });
});
