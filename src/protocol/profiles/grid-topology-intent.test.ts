import { describe, expect, it } from 'vitest';
import { PROFILE_IDS, type ContextInput } from '../context.js';
import type { DiscoverPayload } from '../payloads.js';
import { validateMessage } from '../validate.js';
import { getProfile } from './index.js';
import { decodeIntent, encodeIntent, type FilterVocabulary } from './intent.js';

const V2: FilterVocabulary = { offer: '@.offerAttributes', resource: '@.resourceAttributes', geoTarget: '$.resourceAttributes.location.geo', dwithin: 'S_DWITHIN' };

const context: ContextInput = {
  domain: 'deg:energy',
  action: 'discover',
  bapId: 'mca',
  bapUri: 'https://mca.degsim.local/beckn',
  bppId: 'utility',
  bppUri: 'https://utility.degsim.local/beckn',
  transactionId: '0f3c2a4e-8b1d-4e6f-9a7b-3c2d1e0f9a8b',
  messageId: '5b0f6a8e-7c55-4b0e-9a53-0a1f8f9a2a01',
  timestamp: '2026-06-21T00:00:00Z',
  ttl: 'PT30S',
};

describe('grid-topology discover intent', () => {
  it('is a filter on the GridNode pack type', () => {
    expect(encodeIntent({ seek: 'grid-topology' }, V2)).toEqual({ expression: "$[?(@.resourceAttributes['@type'] == 'GridNode')]" });
  });

  it('reads back from its filter, and an extra term is refused rather than dropped', () => {
    expect(decodeIntent("$[?(@.resourceAttributes['@type'] == 'GridNode')]", undefined, V2, 'p')).toEqual({ intent: { seek: 'grid-topology' }, errors: [] });
    const extra = decodeIntent("$[?(@.resourceAttributes['@type'] == 'GridNode' && @.offerAttributes.pricingModel == 'FIXED')]", undefined, V2, 'p');
    expect(extra.intent).toBeUndefined();
    expect(extra.errors.map((e) => e.code)).toEqual(['intent.unrecognised']);
  });

  for (const id of PROFILE_IDS) {
    it(`travels through the ${id} profile: built, schema-valid, parsed back to the same payload`, () => {
      const profile = getProfile(id);
      const payload: DiscoverPayload = { kind: 'discover', intent: { seek: 'grid-topology' } };
      const wire = profile.build('discover', context, payload);
      expect(validateMessage(wire, id)).toEqual([]);
      const parsed = profile.parse(wire);
      expect(parsed.ok && parsed.value.payload).toEqual(payload);
    });
  }
});
