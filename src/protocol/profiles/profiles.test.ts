import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFILE_IDS, uuidForName, type ProfileId } from '../context.js';
import type { Payload } from '../payloads.js';
import { validateMessage } from '../validate.js';
import { getProfile } from './index.js';
import { message } from './test-support/arbitraries.js';
import { evChargingTransaction, payAsClearTransaction, type Step } from './test-support/transactions.js';

/** What a receiver gets: the message after JSON serialisation. */
const overTheWire = (w: unknown): unknown => JSON.parse(JSON.stringify(w)) as unknown;
type Json = Record<string, unknown>;

const transactions = { 'pay-as-clear': payAsClearTransaction(), 'EV charging': evChargingTransaction() };

describe.each(PROFILE_IDS)('%s', (profileId: ProfileId) => {
  const profile = getProfile(profileId);

  for (const [name, steps] of Object.entries(transactions)) {
    it(`builds every message of a full ${name} transaction valid against the profile's schemas`, () => {
      expect(new Set(steps.map((s) => s.action)).size).toBeGreaterThanOrEqual(name === 'pay-as-clear' ? 14 : 20);
      for (const s of steps as Step[]) {
        const wire = overTheWire(profile.build(s.action, s.context, s.payload as never));
        expect({ action: s.action, diagnostics: validateMessage(wire, profileId) }).toEqual({ action: s.action, diagnostics: [] });
      }
    });

    it(`reads every message of the ${name} transaction back to the same context and payload`, () => {
      for (const s of steps as Step[]) {
        const parsed = profile.parse(overTheWire(profile.build(s.action, s.context, s.payload as never)));
        if (!parsed.ok) throw new Error(`${s.action}: ${JSON.stringify(parsed.errors)}`);
        expect(parsed.value).toEqual({ profile: profileId, action: s.action, context: s.context, payload: s.payload });
        expect(parsed.warnings).toEqual([]);
      }
    });
  }

  it('round-trips any valid payload of any action through JSON, validation and parse', () => {
    fc.assert(
      fc.property(message, ({ action, context, payload }) => {
        const wire = overTheWire(profile.build(action, context, payload as never));
        expect(validateMessage(wire, profileId)).toEqual([]);
        const parsed = profile.parse(wire);
        expect(parsed).toEqual({ ok: true, value: { profile: profileId, action, context, payload }, warnings: [] });
      }),
      { numRuns: 150 },
    );
  });

  it('builds byte-identical JSON for the same input', () => {
    const s = payAsClearTransaction()[9] as Step;
    const again = payAsClearTransaction()[9] as Step;
    expect(JSON.stringify(profile.build(s.action, s.context, s.payload as never))).toBe(JSON.stringify(profile.build(again.action, again.context, again.payload as never)));
  });

  it('never throws on arbitrary input: parse and contextOf return diagnostics', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ context: fc.anything(), message: fc.anything() })), (junk) => {
        const parsed = profile.parse(junk);
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(parsed.errors.length).toBeGreaterThan(0);
        expect(profile.contextOf(junk).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to build an action with another action\u2019s context or payload', () => {
    const s = payAsClearTransaction()[2] as Step<'init'>;
    expect(() => profile.build('confirm', s.context, s.payload)).toThrow(/context.action init differs/);
    expect(() => profile.build('init', s.context, { kind: 'contractRef', contractId: 'x' } as never)).toThrow(/init carries a contract payload/);
  });

  it('reads the routing facts: the signer is the BAP for requests and the BPP for callbacks', () => {
    const steps = payAsClearTransaction();
    const discover = steps[0] as Step;
    const onInit = steps[4] as Step;
    const rating = steps.find((s) => s.action === 'rating') as Step;
    const d = profile.contextOf(profile.build(discover.action, discover.context, discover.payload as never));
    expect(d).toMatchObject({
      ok: true,
      value: { action: 'discover', direction: 'request', senderId: 'prosumer-7.degsim.net', expiresAt: '2024-10-04T09:30:30.000Z', profile: profileId },
    });
    if (d.ok) expect(d.value.receiverId).toBeUndefined();
    const c = profile.contextOf(profile.build(onInit.action, onInit.context, onInit.payload as never));
    expect(c).toMatchObject({ ok: true, value: { direction: 'callback', senderId: 'utility.degsim.net', senderUri: 'https://utility.degsim.net/beckn', receiverId: 'mca.degsim.net' } });
    const r = profile.contextOf(profile.build(rating.action, rating.context, rating.payload as never));
    expect(r).toMatchObject({ ok: true, value: { action: 'rating', wireAction: profileId === 'beckn-2.0.0' ? 'rate' : 'rating' } });
    expect(profile.endpointPath('rating')).toBe(profileId === 'beckn-2.0.0' ? '/rate' : '/beckn/rating');
  });

  it('lists every missing context field at once', () => {
    const result = profile.contextOf({ context: { action: 'init' }, message: {} });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path).length).toBeGreaterThanOrEqual(6);
  });

  it('refuses to parse an invalid message and says where', () => {
    const s = payAsClearTransaction()[2] as Step;
    const wire = overTheWire(profile.build(s.action, s.context, s.payload as never)) as Json;
    const body = JSON.stringify(wire).replace('"PROSUMER"', '"PROSUMERX"');
    const parsed = profile.parse(JSON.parse(body));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.code)).toContain('schema.enum');
  });
});

describe('the two profiles carry the same information', () => {
  it('read back to identical payloads and contexts for every message of both transactions', () => {
    const [a, b] = PROFILE_IDS.map(getProfile) as [ReturnType<typeof getProfile>, ReturnType<typeof getProfile>];
    for (const s of [...payAsClearTransaction(), ...evChargingTransaction()] as Step[]) {
      const pa = a.parse(overTheWire(a.build(s.action, s.context, s.payload as never)));
      const pb = b.parse(overTheWire(b.build(s.action, s.context, s.payload as never)));
      expect(pa.ok && pb.ok).toBe(true);
      if (pa.ok && pb.ok) {
        expect(pa.value.payload).toEqual(pb.value.payload);
        expect(pa.value.context).toEqual(pb.value.context);
      }
    }
  });
});

describe('wire shapes', () => {
  const onConfirm = payAsClearTransaction().filter((s) => s.action === 'on_confirm')[1] as Step<'on_confirm'>;
  const payload = onConfirm.payload;

  it('Beckn 2.0.0: one commitment named by the contractId, a UUID contract id, the pack in contractAttributes', () => {
    const w = getProfile('beckn-2.0.0').build(onConfirm.action, onConfirm.context, payload) as { context: Json; message: { contract: Json } };
    const c = w.message.contract as Json & { commitments: Json[]; status: Json; performance: Json[]; participants: Json[]; contractAttributes: Json };
    expect(c['id']).toBe(uuidForName('pac-2024-10-04T10:00Z-prosumer-7'));
    expect(c.commitments).toEqual([
      {
        id: 'pac-2024-10-04T10:00Z-prosumer-7',
        status: { descriptor: { code: 'ACTIVE' } },
        resources: [{ id: 'mca/market', quantity: { unitQuantity: 5, unitText: 'kW', unitCode: 'KWT' } }],
        offer: { id: 'mca/pay-as-clear', resourceIds: ['mca/market'], provider: { id: 'mca', descriptor: { code: 'PROVIDER' } } },
      },
    ]);
    expect(c.status).toEqual({ code: 'ACTIVE' });
    expect(c.participants).toEqual([
      { id: 'mca.degsim.net', descriptor: { code: 'MARKET_CLEARING_AGENT' } },
      { id: 'prosumer-7.degsim.net', descriptor: { code: 'PROSUMER' } },
    ]);
    expect(c.contractAttributes['@type']).toBe('EnergyContract');
    const delivery = (c.performance[0] as { performanceAttributes: { setpoints: { commands: unknown[] }[] } }).performanceAttributes;
    // The device command is carried exactly as the builder made it.
    expect(delivery.setpoints[0]?.commands).toEqual(payload.delivery?.setpoints?.[0]?.commands);
    expect(w.context).toMatchObject({ version: '2.0.0', action: 'on_confirm', bapId: 'prosumer-7.degsim.net', bppId: 'mca.degsim.net', ttl: 'PT30S' });
  });

  it('order draft: the order is the contract, fulfilment and payment carry delivery and settlement', () => {
    const w = getProfile('deg-order-draft').build(onConfirm.action, onConfirm.context, payload) as { context: Json; message: { order: Json } };
    expect(w.message.order).toMatchObject({
      '@type': 'beckn:Order',
      'beckn:id': 'pac-2024-10-04T10:00Z-prosumer-7',
      'beckn:orderStatus': 'CONFIRMED',
      'beckn:seller': 'mca',
      'beckn:buyer': { 'beckn:id': 'prosumer-7.degsim.net' },
      'beckn:fulfillment': { 'beckn:mode': 'DELIVERY', 'beckn:fulfillmentStatus': 'PENDING', 'beckn:deliveryAttributes': { '@type': 'EnergyDelivery' } },
      'beckn:orderAttributes': { '@type': 'EnergyContract', status: 'ACTIVE' },
    });
    expect(w.context).toMatchObject({ bap_id: 'prosumer-7.degsim.net', message_id: onConfirm.context.messageId });
    const status = payAsClearTransaction().find((s) => s.action === 'status') as Step<'status'>;
    expect(getProfile('deg-order-draft').build('status', status.context, status.payload).message).toEqual({ order: { 'beckn:id': 'pac-2024-10-04T10:00Z-prosumer-7' } });
  });

  it('carries a discover intent as a JSONPath filter and spatial constraint', () => {
    const d = evChargingTransaction()[0] as Step<'discover'>;
    const b2 = getProfile('beckn-2.0.0').build('discover', d.context, d.payload).message as { intent: Json };
    expect(b2.intent).toEqual({
      filters: {
        type: 'jsonpath',
        expression:
          "$[?(@.resourceAttributes.resourceType == 'EVSE' && (@.resourceAttributes.evse.connectorType == 'IEC_62196_T2_COMBO' || @.resourceAttributes.evse.connectorType == 'CHADEMO') && @.resourceAttributes.evse.maxPowerKW >= 50 && @.resourceAttributes.availability[?(@.start <= '2024-10-04T10:00:00Z' && @.end >= '2024-10-04T11:00:00Z')])]",
      },
      spatial: [{ op: 'S_DWITHIN', targets: "$['resourceAttributes']['location']['geo']", geometry: { type: 'Point', coordinates: [77.61, 12.9165] }, distanceMeters: 5000 }],
    });
    const od = getProfile('deg-order-draft').build('discover', d.context, d.payload).message as Json;
    expect((od['spatial'] as Json[])[0]).toMatchObject({ op: 's_dwithin', targets: "$['beckn:itemAttributes']['location']['geo']" });
  });
});

describe('payload kinds per action', () => {
  it('covers all twenty actions between the two fixtures', () => {
    const actions = new Set([...payAsClearTransaction(), ...evChargingTransaction()].map((s) => s.action));
    expect(actions.size).toBe(20);
  });

  it('has a fixture step of every payload kind', () => {
    const kinds = new Set([...payAsClearTransaction(), ...evChargingTransaction()].map((s) => (s.payload as Payload).kind));
    expect([...kinds].sort()).toEqual(['catalog', 'contract', 'contractRef', 'discover', 'rating', 'ratingReceipt', 'supportInfo', 'supportRequest', 'trackRequest', 'tracking']);
  });
});
