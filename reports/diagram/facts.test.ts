import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WireContext } from './context.js';
import { readFacts } from './facts.js';

const ctx = (bapId: string): WireContext => ({
  profile: 'deg-order-draft',
  version: '2.0.0',
  action: 'on_confirm',
  direction: 'callback',
  domain: 'energy-trade',
  bapId,
  bapUri: '',
  bppId: 'bpp.market-clearing-agent.com',
  bppUri: '',
  transactionId: 't',
  messageId: 'm',
  timestamp: '',
  ttl: '',
});

/** The shape of the DEG pay-as-clear on_confirm example, cut to the fields that matter. */
const degOnConfirm = {
  message: {
    order: {
      'beckn:id': 'order-market-solar-001',
      'beckn:orderAttributes': {
        contractId: 'contract-market-p2p-001',
        status: 'ACTIVE',
        roles: [
          {
            role: 'MARKET_CLEARING_AGENT',
            roleInputs: { marketMakingFee: 0.01, clearingPrice: 0.0625, clearedPower: { 'bap.solar-prosumer.com': 5.0 } },
          },
          {
            role: 'PROSUMER',
            roleInputs: {
              offerCurve: {
                currency: 'INR',
                minExport: 0,
                maxExport: 5,
                curve: [
                  { price: 0.05, powerKW: 0 },
                  { price: 0.06, powerKW: 2 },
                  { price: 0.07, powerKW: 5 },
                ],
              },
            },
          },
          { role: 'GRID_OPERATOR', roleInputs: { wheelingCharges: 0.025 } },
        ],
        inputParameters: {
          validityWindow: { startTime: '2024-10-04T10:00:00Z', endTime: '2024-10-04T10:15:00Z' },
          pricingModel: 'PAY_AS_CLEAR',
          approvedMaxTradeKW: 45.0,
        },
      },
    },
  },
};

describe('readFacts', () => {
  it('reads the DEG order draft: price, the addressed party’s cleared kW, curve, limits, window', () => {
    expect(readFacts(degOnConfirm, ctx('bap.solar-prosumer.com'))).toEqual({
      contractId: 'contract-market-p2p-001',
      status: 'ACTIVE',
      curvePoints: 3,
      currency: 'INR',
      clearingPricePerKWh: 0.0625,
      clearedKW: 5,
      approvedMaxKW: 45,
      wheelingPerKWh: 0.025,
      feePerKWh: 0.01,
      pricingModel: 'PAY_AS_CLEAR',
      validityStart: '2024-10-04T10:00:00Z',
    });
  });

  it('reads beckn 2.0.0 contracts with {value, unit} parameters and a status descriptor', () => {
    const body = {
      message: {
        contract: {
          id: 'c-1',
          status: { code: 'ACTIVE' },
          contractAttributes: {
            roles: [{ role: 'PROSUMER', roleInputs: { clearedKW: -3.5 } }],
            validity: { start: '2025-06-01T10:15:00Z', end: '2025-06-01T10:30:00Z' },
            inputParameters: { clearingPricePerKWh: { value: 4.2, unit: 'INR/kWh' }, approvedMaxTradeKW: { value: 6, unit: 'kW' } },
          },
        },
      },
    };
    expect(readFacts(body, ctx('x'))).toEqual({
      contractId: 'c-1',
      status: 'ACTIVE',
      clearingPricePerKWh: 4.2,
      clearedKW: -3.5,
      approvedMaxKW: 6,
      validityStart: '2025-06-01T10:15:00Z',
    });
  });

  it('sums |cleared| over parties when the map does not name the addressed one (a cascaded message)', () => {
    const body = { message: { order: { 'beckn:orderAttributes': { clearedPower: { a: 2, b: 3, c: -5 } } } } };
    expect(readFacts(body, ctx('mca'))).toMatchObject({ clearedKW: 10, clearedIsTotal: true });
  });

  it('reads a clearing price published as an input signal, and a body error code', () => {
    const body = {
      error: { code: 30022, message: 'expired' },
      message: { order: { 'beckn:orderAttributes': { inputSignals: [{ signalId: 'market-clearing-price', value: 3.1, unit: 'INR/kWh' }] } } },
    };
    expect(readFacts(body, ctx('x'))).toEqual({ clearingPricePerKWh: 3.1, errorCode: '30022' });
  });

  it('never throws and returns only well-typed facts, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (message, extra) => {
        const f = readFacts({ context: {}, message, extra }, ctx('p'));
        for (const k of ['clearingPricePerKWh', 'clearedKW', 'approvedMaxKW', 'wheelingPerKWh', 'feePerKWh', 'curvePoints'] as const) {
          const v = f[k];
          if (v !== undefined) expect(Number.isFinite(v)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
