import { describe, expect, it } from 'vitest';
import { payAsClearParticipant } from '../../src/contracts/templates/index.js';
import type { EnergyDelivery } from '../../src/protocol/payloads.js';
import { setpointWithCommand } from '../shared/setpoint.js';
import { withParameters, withRoleInputs } from '../shared/terms.js';
import { clearedOutcome, commandedKW, sameMoneyTerms } from './terms.js';

const window = { start: '2026-06-21T06:00:00Z', end: '2026-06-21T06:15:00Z' };
const contract = withRoleInputs(payAsClearParticipant({ contractId: 'pac-i24-p1', createdAt: window.start, currency: 'INR', mca: 'mca', participant: 'p1', marketMakingFeePerKWh: 0.1, meterId: 'm1' }), 'PROSUMER', { clearedKWh: 3.0864, gridNodeId: 'T002' });
const delivery = (targetPowerKW: number, resourceType: 'PV' | 'EVSE' = 'PV'): EnergyDelivery => ({
  deliveryId: 'd',
  status: 'PENDING',
  window,
  signalValues: [{ signalId: 'market-clearing-price', value: 3.17, unit: 'INR/kWh', observedAt: window.start, interval: window }],
  setpoints: [setpointWithCommand({ setpointId: 'sp', resourceId: 'm1', resourceType, window, targetPowerKW, atPricePerKWh: 3.17, offsetKW: 0, issuedAt: window.start, chargingProfileId: 25 })],
});

describe('reading the outcome of on_confirm', () => {
  it('takes price, cleared power and node from the contract and its delivery', () => {
    const o = clearedOutcome(contract, delivery(12.3456), 'm1', 0.25);
    expect(o).toMatchObject({ pricePerKWh: 3.17, clearedKW: 12.3456, clearedKWh: 3.0864, gridNodeId: 'T002', followKW: 12.3456, commandMismatch: undefined });
  });

  it('follows the setpoint when its DERControl encodes it to within the encoding (12 346 W for 12.3456 kW)', () => {
    const sp = delivery(12.3456).setpoints![0]!;
    expect(commandedKW(sp)).toEqual({ kW: 12.346, resolutionKW: 0.0005 + 1e-9, standard: 'IEEE 2030.5' });
    // 123.456 kW does not fit an int16 of watts: multiplier 1, so 10 W resolution.
    expect(commandedKW(delivery(123.456).setpoints![0]!)).toMatchObject({ kW: 123.46, resolutionKW: 0.005 + 1e-9 });
    expect(commandedKW(delivery(-40.2, 'EVSE').setpoints![0]!)).toMatchObject({ kW: -40.2, standard: 'OCPP' });
  });

  it('obeys the device command when it states another power than the setpoint', () => {
    const d = delivery(5);
    const sp = d.setpoints![0]!;
    const other = setpointWithCommand({ setpointId: 'sp', resourceId: 'm1', resourceType: 'PV', window, targetPowerKW: 2, issuedAt: window.start, chargingProfileId: 1 });
    const o = clearedOutcome(contract, { ...d, setpoints: [{ ...sp, commands: other.commands ?? [] }] }, 'm1', 0.25);
    expect(o.clearedKW).toBe(5);
    expect(o.followKW).toBe(2);
    expect(o.commandMismatch).toBe('the IEEE 2030.5 command asks 2 kW, the setpoint 5 kW');
  });

  it('without a setpoint uses the cleared energy over the interval and no price', () => {
    const o = clearedOutcome(contract, undefined, 'm1', 0.25);
    expect(o.clearedKW).toBeCloseTo(12.3456, 12);
    expect(Number.isNaN(o.pricePerKWh)).toBe(true);
  });
});

describe('money terms', () => {
  it('ignore approvals and the participant’s own inputs, but not a changed fee or tax rate', () => {
    const approved = withParameters(withRoleInputs(contract, 'PROSUMER', { clearedKWh: 1 }), { approvedMaxImportKW: { value: 3, unit: 'kW' } });
    expect(sameMoneyTerms(contract, approved)).toBe(true);
    expect(sameMoneyTerms(contract, withRoleInputs(contract, 'MARKET_CLEARING_AGENT', { marketMakingFeePerKWh: 0.2 }))).toBe(false);
    expect(sameMoneyTerms(contract, { ...contract, currency: 'EUR' })).toBe(false);
    expect(sameMoneyTerms(contract, { ...contract, revenueFlows: { ...contract.revenueFlows, flows: contract.revenueFlows.flows.slice(0, 1) } })).toBe(false);
  });
});
