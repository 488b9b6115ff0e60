import fc from 'fast-check';
import { LEDGER_KINDS, STANDARD_ROLES, type ContractRole, type EnergyContract, type RoleInputValue, type RoleName } from '../../../contracts/model.js';
import type { OfferCurve } from '../../../market/curve-types.js';
import { isoDuration, type ContextInput } from '../../context.js';
import {
  ACTIONS,
  OCPI_CONNECTOR_TYPES,
  ieee2030_5DerControl,
  ocppSetChargingProfile,
  type Action,
  type Catalog,
  type CatalogOffer,
  type CatalogResource,
  type ChargeDataRecord,
  type ContractPayload,
  type DiscoverPayload,
  type EnergyDelivery,
  type EnergyOffer,
  type MeterReading,
  type Payload,
  type SettlementLine,
  type SettlementReport,
  type Setpoint,
  type TimeWindow,
} from '../../payloads.js';

/**
 * fast-check arbitraries of schema-valid domain payloads, for the round-trip properties of the
 * profiles: anything they generate must survive build → JSON → validate → parse unchanged.
 */

const noNegZero = (x: number): number => (Object.is(x, -0) ? 0 : x);
export const num = (min = -1e6, max = 1e6): fc.Arbitrary<number> => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map(noNegZero);
export const nonNeg = (max = 1e6): fc.Arbitrary<number> => fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true }).map(noNegZero);
export const id: fc.Arbitrary<string> = fc.stringMatching(/^[a-z][a-z0-9./*-]{0,14}[a-z0-9]$/);
const word = fc.stringMatching(/^[A-Za-z][A-Za-z ,.'()-]{0,30}[A-Za-z.]$/);
const MIN_MS = Date.UTC(2024, 0, 1);
const MAX_MS = Date.UTC(2030, 0, 1);
export const timestamp: fc.Arbitrary<string> = fc.integer({ min: MIN_MS / 1000, max: MAX_MS / 1000 }).map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
export const window: fc.Arbitrary<TimeWindow> = fc
  .tuple(fc.integer({ min: MIN_MS / 60000, max: MAX_MS / 60000 }), fc.integer({ min: 1, max: 10_000 }))
  .map(([m, len]) => ({ start: new Date(m * 60000).toISOString().replace('.000Z', 'Z'), end: new Date((m + len) * 60000).toISOString().replace('.000Z', 'Z') }));
const uri = fc.constantFrom('https://a.degsim.net/beckn', 'https://b.degsim.net/bpp/v2', 'http://localhost:8080/beckn', 'https://mca.example.org/');
const currency = fc.constantFrom('INR', 'EUR', 'USD');

export const curve: fc.Arbitrary<OfferCurve> = fc
  .record({
    currency,
    points: fc.array(fc.tuple(num(-100, 100), num(-500, 500)), { minLength: 1, maxLength: 6 }),
    bounds: fc.tuple(num(-500, 500), num(-500, 500)),
  })
  .map(({ currency: c, points, bounds }) => {
    const byPrice = [...points].sort((a, b) => a[0] - b[0]);
    const sortedPower = byPrice.map((p) => p[1]).sort((a, b) => a - b);
    return {
      currency: c,
      minExport: Math.min(...bounds),
      maxExport: Math.max(...bounds),
      curve: byPrice.map((p, i) => ({ price: p[0], powerKW: sortedPower[i] ?? 0 })),
    };
  });

const roleInput: fc.Arbitrary<RoleInputValue> = fc.oneof(num(), fc.string({ maxLength: 12 }), fc.boolean(), fc.constant(null), curve);

const roles: fc.Arbitrary<ContractRole[]> = fc
  .shuffledSubarray([...STANDARD_ROLES], { minLength: 1, maxLength: 4 })
  .chain((names) =>
    fc.tuple(
      ...names.map((role) =>
        fc.record({ filledBy: fc.option(id, { nil: undefined }), inputs: fc.option(fc.dictionary(fc.stringMatching(/^[a-z][A-Za-z]{0,10}$/), roleInput, { maxKeys: 3 }), { nil: undefined }) }).map(
          ({ filledBy, inputs }): ContractRole => ({
            role,
            filled: filledBy !== undefined,
            ...(filledBy === undefined ? {} : { filledBy }),
            ...(inputs === undefined ? {} : { roleInputs: inputs }),
          }),
        ),
      ),
    ),
  );

const roleName = fc.constantFrom(...STANDARD_ROLES) as fc.Arbitrary<RoleName>;

export const contract: fc.Arbitrary<EnergyContract> = fc
  .record(
    {
      contractId: id,
      status: fc.constantFrom('PENDING', 'ACTIVE', 'COMPLETED', 'TERMINATED'),
      createdAt: timestamp,
      currency,
      roles,
      template: fc.constantFrom('pay-as-clear/participant', 'p2p/bilateral', 'ev-charging/walk-in'),
      validity: window,
      inputParameters: fc.dictionary(fc.stringMatching(/^[a-z][A-Za-z]{0,12}$/), fc.record({ value: num(), unit: fc.constantFrom('INR/kWh', 'kW', '%') }, { requiredKeys: ['value', 'unit'] }), { maxKeys: 3 }),
      inputSignals: fc.uniqueArray(
        fc.record({ signalId: id, signalType: fc.constantFrom('PRICE', 'STATE', 'COMMAND', 'FREQUENCY', 'AGC_SETPOINT'), source: fc.record({ era: id }), unit: fc.constantFrom('INR/kWh', 'Hz') }),
        { selector: (s) => s.signalId, maxLength: 2 },
      ),
      telemetrySources: fc.uniqueArray(
        fc.record({
          sourceId: id,
          sourceType: fc.constantFrom('METER_READING', 'CHARGE_DATA_RECORD', 'INVERTER_DATA', 'BATTERY_STATE', 'VIRTUAL_METER'),
          source: fc.record({ era: id, meterId: id }, { requiredKeys: ['era'] }),
          fields: fc.array(fc.constantFrom('netKWh', 'energyKWh', 'importKWh'), { maxLength: 2 }),
        }),
        { selector: (s) => s.sourceId, maxLength: 2 },
      ),
      state: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][A-Za-z]{0,8}$/), unit: fc.constant('kWh'), initial: num(), update: fc.constant('state.x + 1') }), {
        selector: (s) => s.name,
        maxLength: 2,
      }),
      revenueFlows: fc
        .uniqueArray(
          fc.record(
            {
              flowId: id,
              kind: fc.constantFrom(...LEDGER_KINDS),
              from: roleName,
              to: roleName,
              quantity: fc.constantFrom('telemetry.meter.netKWh', 'roles.PROSUMER.clearedKWh', '1'),
              unit: fc.constantFrom('kWh', 'each'),
              rate: fc.constantFrom('signals.clearing-price', 'params.wheelingPerKWh'),
              condition: fc.constant('telemetry.meter.netKWh > 0'),
              description: word,
            },
            { requiredKeys: ['flowId', 'kind', 'from', 'to', 'quantity', 'unit', 'rate'] },
          ),
          { selector: (f) => f.flowId, maxLength: 3 },
        )
        .map((flows) => ({ flows, netZero: true as const })),
    },
    { requiredKeys: ['contractId', 'status', 'createdAt', 'currency', 'roles', 'revenueFlows'] },
  )
  .map((c) => c as EnergyContract);

const setpoint: fc.Arbitrary<Setpoint> = fc
  .record({ setpointId: id, resourceId: id, interval: window, targetPowerKW: num(-300, 300), at: fc.option(num(-10, 10), { nil: undefined }), which: fc.constantFrom('ocpp', 'ieee', 'none') })
  .map(({ setpointId, resourceId, interval, targetPowerKW, at, which }) => {
    const seconds = (Date.parse(interval.end) - Date.parse(interval.start)) / 1000;
    const commands =
      which === 'ocpp'
        ? [ocppSetChargingProfile({ evseId: 1, profileId: 7, start: interval.start, durationSeconds: seconds, powerKW: targetPowerKW })]
        : which === 'ieee'
          ? [ieee2030_5DerControl({ id: setpointId, createdAt: interval.start, start: interval.start, durationSeconds: seconds, targetPowerKW })]
          : undefined;
    return { setpointId, resourceId, interval, targetPowerKW, ...(at === undefined ? {} : { atPricePerKWh: at }), ...(commands === undefined ? {} : { commands }) };
  });

const meterReading: fc.Arbitrary<MeterReading> = fc
  .record({ meterId: id, interval: window, imp: fc.integer({ min: 0, max: 100_000 }), exp: fc.integer({ min: 0, max: 100_000 }), quality: fc.constantFrom('MEASURED', 'ESTIMATED', 'VIRTUAL') })
  .map(({ meterId, interval, imp, exp, quality }) => ({ meterId, interval, importKWh: imp / 1000, exportKWh: exp / 1000, netKWh: exp / 1000 - imp / 1000, quality }));

const cdr: fc.Arbitrary<ChargeDataRecord> = fc
  .record({ cdrId: id, sessionId: id, evseId: id, interval: window, energy: nonNeg(200), connectorType: fc.constantFrom(...OCPI_CONNECTOR_TYPES) })
  .map(({ interval, energy, ...rest }) => ({ ...rest, start: interval.start, end: interval.end, energyKWh: energy, durationHours: (Date.parse(interval.end) - Date.parse(interval.start)) / 3_600_000 }));

export const delivery: fc.Arbitrary<EnergyDelivery> = fc.record(
  {
    deliveryId: id,
    status: fc.constantFrom('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED'),
    window,
    signalValues: fc.array(fc.record({ signalId: id, value: num(-50, 50), unit: fc.constant('INR/kWh'), observedAt: timestamp, interval: window }, { requiredKeys: ['signalId', 'value', 'unit', 'observedAt'] }), {
      maxLength: 2,
    }),
    setpoints: fc.array(setpoint, { maxLength: 2 }),
    meterReadings: fc.array(meterReading, { maxLength: 2 }),
    chargeDataRecords: fc.array(cdr, { maxLength: 1 }),
    sessionEvents: fc.array(
      fc.record(
        { sessionId: id, evseId: id, eventType: fc.constantFrom('Started', 'Updated', 'Ended'), at: timestamp, energyKWh: nonNeg(100), chargingState: fc.constantFrom('Charging', 'Idle') },
        { requiredKeys: ['sessionId', 'evseId', 'eventType', 'at'] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['deliveryId', 'status'] },
);

/** A settlement report whose amounts and totals are consistent (amounts to the paisa). */
export const settlement: fc.Arbitrary<SettlementReport> = fc
  .record({
    reportId: id,
    contractId: id,
    period: window,
    currency,
    status: fc.constantFrom('PROVISIONAL', 'FINAL'),
    generatedAt: timestamp,
    parties: fc.uniqueArray(id, { minLength: 2, maxLength: 4 }),
    lines: fc.array(fc.record({ payer: fc.nat(3), payee: fc.nat(3), quantity: fc.integer({ min: -10_000, max: 10_000 }), rate: fc.integer({ min: -2000, max: 2000 }), kind: fc.constantFrom(...LEDGER_KINDS) }), {
      maxLength: 4,
    }),
  })
  .map(({ parties, lines, ...r }) => {
    const n = parties.length;
    const cents = new Map<string, { paid: number; received: number }>();
    const out: SettlementLine[] = [];
    lines.forEach((l, i) => {
      const payer = parties[l.payer % n] as string;
      let payee = parties[l.payee % n] as string;
      if (payee === payer) payee = parties[(l.payee + 1) % n] as string;
      // quantity with 2 decimals × rate with 2 decimals: exact in cents after rounding.
      const quantity = l.quantity / 100;
      const ratePerUnit = l.rate / 100;
      const amountCents = Math.round(l.quantity * l.rate / 100);
      const add = (p: string, k: 'paid' | 'received', v: number): void => {
        const t = cents.get(p) ?? { paid: 0, received: 0 };
        t[k] += v;
        cents.set(p, t);
      };
      if (amountCents >= 0) {
        add(payer, 'paid', amountCents);
        add(payee, 'received', amountCents);
      } else {
        add(payer, 'received', -amountCents);
        add(payee, 'paid', -amountCents);
      }
      out.push({ flowId: `flow-${i}`, kind: l.kind, payer, payee, quantity, unit: 'kWh', ratePerUnit, amount: (amountCents / 100).toFixed(2), currency: r.currency, formula: 'q × r', inputs: { q: quantity, r: ratePerUnit } });
    });
    const fmt = (c: number): string => (c / 100).toFixed(2);
    return { ...r, lines: out, totals: [...cents].map(([party, t]) => ({ party, paid: fmt(t.paid), received: fmt(t.received), net: fmt(t.received - t.paid) })) };
  });

export const contractPayload: fc.Arbitrary<ContractPayload> = fc
  .record(
    {
      contract,
      offerId: id,
      providerId: id,
      resources: fc.array(fc.record({ resourceId: id, quantity: num(0, 1e4), unit: fc.constantFrom('kWh', 'kW', 'each') }), { minLength: 1, maxLength: 3 }),
      delivery,
      settlement,
    },
    { requiredKeys: ['contract', 'offerId', 'providerId', 'resources'] },
  )
  .map((p) => ({ kind: 'contract' as const, ...p }));

export const discoverPayload: fc.Arbitrary<DiscoverPayload> = fc
  .record(
    {
      intent: fc.oneof(
        fc.record({ seek: fc.constant('energy-market' as const), pricingModel: fc.constantFrom('PAY_AS_CLEAR' as const, 'PAY_AS_BID' as const), window }, { requiredKeys: ['seek'] }),
        fc.record(
          {
            seek: fc.constant('ev-charging' as const),
            near: fc.record({ latitude: num(-90, 90), longitude: num(-180, 180), radiusMeters: nonNeg(50_000) }),
            connectorTypes: fc.array(fc.constantFrom(...OCPI_CONNECTOR_TYPES), { minLength: 1, maxLength: 3 }),
            minPowerKW: nonNeg(350),
            window,
          },
          { requiredKeys: ['seek'] },
        ),
        fc.record({ seek: fc.constant('flexibility' as const), direction: fc.constantFrom('UP' as const, 'DOWN' as const), minPowerKW: nonNeg(1000), gridNodeId: id, window }, { requiredKeys: ['seek', 'direction'] }),
        fc.record({ seek: fc.constant('energy-offer' as const), openRole: roleName, maxPricePerKWh: num(-10, 50), window }, { requiredKeys: ['seek', 'openRole'] }),
      ),
      textSearch: word,
    },
    { requiredKeys: ['intent'] },
  )
  .map((p) => ({ kind: 'discover' as const, ...p }) as DiscoverPayload);

const energyOffer: fc.Arbitrary<EnergyOffer> = fc.record(
  {
    offerId: id,
    contractId: id,
    providerId: id,
    providerUri: uri,
    openRole: roleName,
    service: fc.constantFrom('MARKET_PARTICIPATION', 'EV_CHARGING', 'FLEXIBILITY', 'ENERGY_TRADE'),
    pricingModel: fc.constantFrom('PAY_AS_CLEAR', 'PER_KWH'),
    direction: fc.constantFrom('UP', 'DOWN', 'BOTH'),
    window,
    maxPowerKW: nonNeg(1000),
    indicativePricePerKWh: num(-10, 50),
    currency,
    summary: word,
    contract,
  },
  { requiredKeys: ['offerId', 'contractId', 'providerId', 'providerUri', 'openRole'] },
);

const catalogResource: fc.Arbitrary<CatalogResource> = fc.oneof(
  fc
    .record({
      resourceId: id,
      name: word,
      value: fc.record(
        {
          resourceId: id,
          resourceType: fc.constantFrom('PV', 'BATTERY', 'HOUSEHOLD', 'MARKET'),
          meterId: id,
          gridNodeId: id,
          ratedPowerKW: nonNeg(500),
          location: fc.record({ latitude: num(-90, 90), longitude: num(-180, 180), address: word }, { requiredKeys: ['latitude', 'longitude'] }),
          availability: fc.array(window, { maxLength: 2 }),
        },
        { requiredKeys: ['resourceId', 'resourceType'] },
      ),
    })
    .map(({ resourceId, name, value }) => ({ resourceId, name, attributes: { type: 'EnergyResource' as const, value } })),
  fc
    .record({ resourceId: id, name: word, nodeId: id, f: nonNeg(1000), r: nonNeg(1000), adder: num(-5, 5) })
    .map(({ resourceId, name, nodeId, f, r, adder }) => ({
      resourceId,
      name,
      attributes: { type: 'GridNode' as const, value: { nodeId, nodeType: 'TRANSFORMER' as const, limits: { maxForwardFlowKW: f, maxReverseFlowKW: r }, locationalPriceAdder: { currency: 'INR', adderPerKWh: adder } } },
    })),
  fc
    .record({ resourceId: id, name: word, issuedAt: timestamp, start: timestamp, values: fc.array(num(), { minLength: 1, maxLength: 8 }) })
    .map(({ resourceId, name, issuedAt, start, values }) => ({
      resourceId,
      name,
      attributes: { type: 'Forecast' as const, value: { forecastId: `${resourceId}/f`, subjectId: resourceId, variable: 'LOAD_KW' as const, unit: 'kW', issuedAt, start, stepMinutes: 15, values } },
    })),
);

export const catalog: fc.Arbitrary<Catalog> = fc
  .record(
    {
      catalogId: id,
      name: word,
      description: word,
      provider: fc.record({ id, name: word }),
      validity: window,
      resources: fc.array(catalogResource, { minLength: 1, maxLength: 3 }),
      offers: fc.array(
        fc.record({ offerId: id, name: word, price: fc.record({ value: num(-10, 100), currency, unit: fc.constant('kWh') }), validity: window, attributes: energyOffer }, { requiredKeys: ['offerId', 'name', 'attributes'] }),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: ['catalogId', 'name', 'provider', 'resources', 'offers'] },
  )
  .map((c) => ({ ...c, offers: c.offers.map((o): CatalogOffer => ({ ...o, resourceIds: c.resources.map((r) => r.resourceId) })) }));

const refPayloads: fc.Arbitrary<Payload>[] = [
  fc.record({ kind: fc.constant('contractRef' as const), contractId: id }),
  fc.record({ kind: fc.constant('trackRequest' as const), contractId: id, callbackUrl: uri }),
  fc.record({ kind: fc.constant('tracking' as const), contractId: id, url: uri, active: fc.boolean() }),
  fc.record({
    kind: fc.constant('rating' as const),
    ratings: fc.array(
      fc.record(
        { targetId: id, category: fc.constantFrom('ORDER', 'FULFILLMENT', 'ITEM', 'PROVIDER', 'AGENT', 'OTHER'), value: nonNeg(5), best: fc.constant(5), worst: fc.constant(0), comment: word },
        { requiredKeys: ['targetId', 'category', 'value', 'best', 'worst'] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record(
    { kind: fc.constant('ratingReceipt' as const), aggregate: fc.record({ targetId: id, count: fc.nat(1000), value: nonNeg(5), best: fc.constant(5), worst: fc.constant(0) }) },
    { requiredKeys: ['kind'] },
  ),
  fc.record({ kind: fc.constant('supportRequest' as const), refId: id, refType: fc.constantFrom('ORDER', 'FULFILLMENT', 'ITEM', 'PROVIDER', 'AGENT', 'OTHER') }),
  fc.record({ kind: fc.constant('supportInfo' as const), name: word, phone: fc.constant('+91-80-4000-1234'), email: fc.constant('desk@mca.degsim.net'), url: uri }, { requiredKeys: ['kind'] }),
];

/** A context for an action: UUIDs, URIs, a timestamp and a ttl; bpp only absent on discover. */
export function contextFor(action: Action): fc.Arbitrary<ContextInput> {
  return fc
    .record(
      {
        domain: fc.constantFrom('energy-trade', 'beckn.one:deg:ev-charging'),
        bapId: id,
        bapUri: uri,
        bppId: id,
        bppUri: uri,
        transactionId: fc.uuid(),
        messageId: fc.uuid(),
        timestamp,
        ttl: fc.integer({ min: 1, max: 86_400 }).map(isoDuration),
        location: fc.record({ city: fc.record({ code: fc.constantFrom('std:080', 'BLR') }), country: fc.record({ code: fc.constantFrom('IND', 'IN'), name: fc.constant('India') }, { requiredKeys: ['code'] }) }, { requiredKeys: [] }),
      },
      { requiredKeys: action === 'discover' ? ['domain', 'bapId', 'bapUri', 'transactionId', 'messageId', 'timestamp', 'ttl'] : ['domain', 'bapId', 'bapUri', 'bppId', 'bppUri', 'transactionId', 'messageId', 'timestamp', 'ttl'] },
    )
    .map((c) => ({ ...c, action }) as ContextInput);
}

/** Any action with a context and a payload of the kind it carries. */
export const message: fc.Arbitrary<{ action: Action; context: ContextInput; payload: Payload }> = fc.constantFrom(...ACTIONS).chain((action) => {
  const payload: fc.Arbitrary<Payload> =
    action === 'discover'
      ? discoverPayload
      : action === 'on_discover'
        ? fc.array(catalog, { minLength: 0, maxLength: 2 }).map((catalogs) => ({ kind: 'catalog' as const, catalogs }))
        : action === 'status' || action === 'cancel'
          ? (refPayloads[0] as fc.Arbitrary<Payload>)
          : action === 'track'
            ? (refPayloads[1] as fc.Arbitrary<Payload>)
            : action === 'on_track'
              ? (refPayloads[2] as fc.Arbitrary<Payload>)
              : action === 'rating'
                ? (refPayloads[3] as fc.Arbitrary<Payload>)
                : action === 'on_rating'
                  ? (refPayloads[4] as fc.Arbitrary<Payload>)
                  : action === 'support'
                    ? (refPayloads[5] as fc.Arbitrary<Payload>)
                    : action === 'on_support'
                      ? (refPayloads[6] as fc.Arbitrary<Payload>)
                      : contractPayload;
  return fc.record({ action: fc.constant(action), context: contextFor(action), payload });
});
