import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DiscoverIntent } from '../payloads.js';
import { decodeIntent, encodeIntent, type FilterVocabulary } from './intent.js';
import { discoverPayload } from './test-support/arbitraries.js';

const B2: FilterVocabulary = { offer: '@.offerAttributes', resource: '@.resourceAttributes', geoTarget: "$['resourceAttributes']['location']['geo']", dwithin: 'S_DWITHIN' };
const OD: FilterVocabulary = { offer: "@['beckn:offerAttributes']", resource: "@['beckn:itemAttributes']", geoTarget: "$['beckn:itemAttributes']['location']['geo']", dwithin: 's_dwithin' };
const window = { start: '2024-10-04T10:00:00Z', end: '2024-10-04T10:15:00Z' };

describe('intent filters', () => {
  const cases: { intent: DiscoverIntent; b2: string; od: string }[] = [
    {
      intent: { seek: 'energy-market', pricingModel: 'PAY_AS_CLEAR', window },
      b2: "$[?(@.offerAttributes.service == 'MARKET_PARTICIPATION' && @.offerAttributes.pricingModel == 'PAY_AS_CLEAR' && @.offerAttributes.window.start <= '2024-10-04T10:00:00Z' && @.offerAttributes.window.end >= '2024-10-04T10:15:00Z')]",
      od: "$[?(@['beckn:offerAttributes'].service == 'MARKET_PARTICIPATION' && @['beckn:offerAttributes'].pricingModel == 'PAY_AS_CLEAR' && @['beckn:offerAttributes'].window.start <= '2024-10-04T10:00:00Z' && @['beckn:offerAttributes'].window.end >= '2024-10-04T10:15:00Z')]",
    },
    {
      intent: { seek: 'ev-charging', connectorTypes: ['IEC_62196_T2'] },
      b2: "$[?(@.resourceAttributes.resourceType == 'EVSE' && @.resourceAttributes.evse.connectorType == 'IEC_62196_T2')]",
      od: "$[?(@['beckn:itemAttributes'].resourceType == 'EVSE' && @['beckn:itemAttributes'].evse.connectorType == 'IEC_62196_T2')]",
    },
    {
      intent: { seek: 'ev-charging', connectorTypes: ['CHADEMO', 'GBT_DC'], minPowerKW: 50, window },
      b2: "$[?(@.resourceAttributes.resourceType == 'EVSE' && (@.resourceAttributes.evse.connectorType == 'CHADEMO' || @.resourceAttributes.evse.connectorType == 'GBT_DC') && @.resourceAttributes.evse.maxPowerKW >= 50 && @.resourceAttributes.availability[?(@.start <= '2024-10-04T10:00:00Z' && @.end >= '2024-10-04T10:15:00Z')])]",
      od: "$[?(@['beckn:itemAttributes'].resourceType == 'EVSE' && (@['beckn:itemAttributes'].evse.connectorType == 'CHADEMO' || @['beckn:itemAttributes'].evse.connectorType == 'GBT_DC') && @['beckn:itemAttributes'].evse.maxPowerKW >= 50 && @['beckn:itemAttributes'].availability[?(@.start <= '2024-10-04T10:00:00Z' && @.end >= '2024-10-04T10:15:00Z')])]",
    },
    {
      intent: { seek: 'flexibility', direction: 'UP', minPowerKW: 20, gridNodeId: "tx-0'4" },
      b2: "$[?(@.offerAttributes.service == 'FLEXIBILITY' && @.offerAttributes.direction == 'UP' && @.offerAttributes.maxPowerKW >= 20 && @.offerAttributes.gridNodeId == 'tx-0\\'4')]",
      od: "$[?(@['beckn:offerAttributes'].service == 'FLEXIBILITY' && @['beckn:offerAttributes'].direction == 'UP' && @['beckn:offerAttributes'].maxPowerKW >= 20 && @['beckn:offerAttributes'].gridNodeId == 'tx-0\\'4')]",
    },
    {
      intent: { seek: 'energy-offer', openRole: 'BUYER', maxPricePerKWh: 7.5 },
      b2: "$[?(@.offerAttributes.service == 'ENERGY_TRADE' && @.offerAttributes.openRole == 'BUYER' && @.offerAttributes.indicativePricePerKWh <= 7.5)]",
      od: "$[?(@['beckn:offerAttributes'].service == 'ENERGY_TRADE' && @['beckn:offerAttributes'].openRole == 'BUYER' && @['beckn:offerAttributes'].indicativePricePerKWh <= 7.5)]",
    },
  ];
  for (const c of cases) {
    it(`writes and reads a ${c.intent.seek} intent in both spellings`, () => {
      expect(encodeIntent(c.intent, B2)).toEqual({ expression: c.b2 });
      expect(encodeIntent(c.intent, OD)).toEqual({ expression: c.od });
      expect(decodeIntent(c.b2, undefined, B2, 'p')).toEqual({ intent: c.intent, errors: [] });
      expect(decodeIntent(c.od, undefined, OD, 'p')).toEqual({ intent: c.intent, errors: [] });
    });
  }

  it('puts the place of an EV charging intent in a distance constraint', () => {
    const e = encodeIntent({ seek: 'ev-charging', near: { latitude: 12.9, longitude: 77.6, radiusMeters: 2500 } }, OD);
    expect(e.spatial).toEqual([{ op: 's_dwithin', targets: "$['beckn:itemAttributes']['location']['geo']", geometry: { type: 'Point', coordinates: [77.6, 12.9] }, distanceMeters: 2500 }]);
    expect(decodeIntent(e.expression, e.spatial, OD, 'p').intent).toEqual({ seek: 'ev-charging', near: { latitude: 12.9, longitude: 77.6, radiusMeters: 2500 } });
  });

  it('reads back whatever it writes', () => {
    fc.assert(
      fc.property(discoverPayload, fc.constantFrom(B2, OD), ({ intent }, v) => {
        const e = encodeIntent(intent, v);
        expect(decodeIntent(e.expression, e.spatial, v, 'p')).toEqual({ intent, errors: [] });
      }),
    );
  });

  it('refuses filters it did not write, naming the term', () => {
    const bad = (expr: string, spatial?: unknown): string | undefined => decodeIntent(expr, spatial, B2, 'message.intent.filters.expression').errors[0]?.message;
    expect(bad("$[?(@.beckn:itemAttributes.connectorType == 'CCS2')]")).toMatch(/unrecognised term/);
    expect(bad("$[?(@.offerAttributes.service == 'MARKET_PARTICIPATION' && @.offerAttributes.openRole == 'BUYER')]")).toMatch(/term on offer openRole is not part of the energy-market intent/);
    expect(bad("$[?(@.offerAttributes.service == 'GRID_ACCESS')]")).toMatch(/names no known intent/);
    expect(bad("$[?(@.offerAttributes.service == 'FLEXIBILITY')]")).toMatch(/direction UP or DOWN/);
    expect(bad('$.catalogs[*]')).toMatch(/not a filter selector/);
    expect(bad("$[?(@.resourceAttributes.resourceType == 'EVSE')]", [{ op: 'S_WITHIN' }])).toMatch(/spatial/);
    expect(bad("$[?(@.resourceAttributes.resourceType == 'EVSE' && @.resourceAttributes.availability[?(@.start <= 1)])]")).toMatch(/unrecognised availability term/);
    expect(decodeIntent("$[?(@.offerAttributes.service == 'GRID_ACCESS')]", undefined, B2, 'message.intent.filters.expression').errors[0]).toMatchObject({
      code: 'intent.unrecognised',
      path: 'message.intent.filters.expression',
    });
  });
});
