import type { EnergyContract } from '../../../contracts/model.js';
import { randomStream } from '../../../kernel/random.js';
import { uuidFromStream, type ContextInput } from '../../context.js';
import {
  ieee2030_5DerControl,
  ocppSetChargingProfile,
  type Action,
  type Catalog,
  type ContractPayload,
  type PayloadFor,
  type SettlementReport,
} from '../../payloads.js';

/**
 * Two complete transactions as domain payloads, the way agents would produce them: the
 * pay-as-clear market of DESIGN.md (prosumer ↔ market clearing agent, with the cascade to the
 * utility) and a destination EV charging session (driver app ↔ CPO). Numbers are worked by hand
 * and consistent (settlement totals add up, amounts are quantity × rate to the paisa).
 */

export interface Step<A extends Action = Action> {
  readonly action: A;
  readonly context: ContextInput;
  readonly payload: PayloadFor<A>;
}

type AnyStep = { [A in Action]: Step<A> }[Action];

const ids = (name: string): (() => string) => {
  const stream = randomStream(20241004, `fixture/${name}`);
  return () => uuidFromStream(stream);
};

// --- pay-as-clear -----------------------------------------------------------------------------

const MCA = { id: 'mca.degsim.net', uri: 'https://mca.degsim.net/beckn' };
const PROSUMER = { id: 'prosumer-7.degsim.net', uri: 'https://prosumer-7.degsim.net/beckn' };
const UTILITY = { id: 'utility.degsim.net', uri: 'https://utility.degsim.net/beckn' };
const WINDOW = { start: '2024-10-04T10:00:00Z', end: '2024-10-04T10:15:00Z' };

const curve = { currency: 'INR', minExport: 0, maxExport: 5, curve: [{ price: 5, powerKW: 0 }, { price: 6, powerKW: 2 }, { price: 7, powerKW: 5 }] };

const template: EnergyContract = {
  contractId: 'pac-template',
  status: 'PENDING',
  createdAt: '2024-10-04T00:00:00Z',
  currency: 'INR',
  template: 'pay-as-clear/participant',
  roles: [
    { role: 'MARKET_CLEARING_AGENT', filled: true, filledBy: MCA.id, roleInputs: { feePerKWh: 0.1 } },
    { role: 'PROSUMER', filled: false },
  ],
  revenueFlows: { flows: [], netZero: true },
};

const flows = {
  flows: [
    {
      flowId: 'energy',
      kind: 'energy' as const,
      from: 'MARKET_CLEARING_AGENT' as const,
      to: 'PROSUMER' as const,
      quantity: 'roles.PROSUMER.clearedKWh',
      unit: 'kWh',
      rate: 'signals.clearing-price',
      description: 'Cleared energy at the clearing price.',
    },
    {
      flowId: 'fee',
      kind: 'fee' as const,
      from: 'PROSUMER' as const,
      to: 'MARKET_CLEARING_AGENT' as const,
      quantity: 'abs(roles.PROSUMER.clearedKWh)',
      unit: 'kWh',
      rate: 'roles.MARKET_CLEARING_AGENT.feePerKWh',
    },
  ],
  netZero: true as const,
};

function participantContract(status: EnergyContract['status'], extra: Readonly<Record<string, number>> = {}): EnergyContract {
  return {
    contractId: 'pac-2024-10-04T10:00Z-prosumer-7',
    status,
    createdAt: '2024-10-04T09:40:00Z',
    currency: 'INR',
    template: 'pay-as-clear/participant',
    validity: WINDOW,
    roles: [
      { role: 'MARKET_CLEARING_AGENT', filled: true, filledBy: MCA.id, roleInputs: { feePerKWh: 0.1 } },
      { role: 'PROSUMER', filled: true, filledBy: PROSUMER.id, roleInputs: { meterId: '100200300', offerCurve: curve, ...extra } },
    ],
    inputSignals: [{ signalId: 'clearing-price', signalType: 'PRICE', source: { era: MCA.id }, unit: 'INR/kWh', description: 'Clearing price of the interval.' }],
    telemetrySources: [{ sourceId: 'meter', sourceType: 'METER_READING', source: { era: PROSUMER.id, meterId: '100200300' }, fields: ['netKWh'] }],
    revenueFlows: flows,
  };
}

function gridContract(status: EnergyContract['status'], operatorFilled: boolean): EnergyContract {
  return {
    contractId: 'grid-access/2024-10-04T10:00Z/100200300',
    status,
    createdAt: '2024-10-04T09:40:05Z',
    currency: 'INR',
    template: 'grid-access/market-trade',
    validity: WINDOW,
    roles: [
      { role: 'MARKET_CLEARING_AGENT', filled: true, filledBy: MCA.id, roleInputs: { meterId: '100200300', requestedMaxKW: 5 } },
      operatorFilled
        ? { role: 'GRID_OPERATOR', filled: true, filledBy: UTILITY.id, roleInputs: { approvedMaxTradeKW: 4.5, sanctionedLoadKW: 6 } }
        : { role: 'GRID_OPERATOR', filled: false },
    ],
    inputParameters: { wheelingPerKWh: { value: 0.5, unit: 'INR/kWh', description: 'Wheeling charge on traded energy.' } },
    revenueFlows: {
      flows: [
        { flowId: 'wheeling', kind: 'wheeling', from: 'MARKET_CLEARING_AGENT', to: 'GRID_OPERATOR', quantity: 'abs(roles.MARKET_CLEARING_AGENT.tradedKWh)', unit: 'kWh', rate: 'params.wheelingPerKWh' },
      ],
      netZero: true,
    },
  };
}

const marketCatalog: Catalog = {
  catalogId: 'mca/catalog',
  name: 'Pay-as-clear market',
  description: 'Fifteen-minute pay-as-clear market for the feeder; prices known at gate closure.',
  provider: { id: 'mca', name: 'Feeder 1 market clearing agent' },
  resources: [
    {
      resourceId: 'mca/market',
      name: 'Market (virtual meter)',
      attributes: { type: 'EnergyResource', value: { resourceId: 'mca/market', resourceType: 'MARKET', virtualMeter: true, gridNodeId: 'feeder-1' } },
    },
    {
      resourceId: 'mca/price-forecast',
      name: 'Clearing price forecast',
      attributes: {
        type: 'Forecast',
        value: {
          forecastId: 'mca/price/2024-10-04T06:00Z',
          subjectId: 'mca/market',
          variable: 'PRICE_PER_KWH',
          unit: 'INR/kWh',
          issuedAt: '2024-10-04T06:00:00Z',
          start: '2024-10-04T10:00:00Z',
          stepMinutes: 15,
          values: [6.25, 6.1, 5.95, 5.9],
        },
      },
    },
  ],
  offers: [
    {
      offerId: 'mca/pay-as-clear',
      name: 'I will pay you PAY_AS_CLEAR',
      resourceIds: ['mca/market'],
      price: { value: 0.1, currency: 'INR', unit: 'kWh' },
      validity: { start: '2024-10-04T00:00:00Z', end: '2024-10-05T00:00:00Z' },
      attributes: {
        offerId: 'mca/pay-as-clear',
        contractId: 'pac-template',
        providerId: MCA.id,
        providerUri: MCA.uri,
        openRole: 'PROSUMER',
        service: 'MARKET_PARTICIPATION',
        pricingModel: 'PAY_AS_CLEAR',
        direction: 'BOTH',
        window: { start: '2024-10-04T00:00:00Z', end: '2024-10-05T00:00:00Z' },
        currency: 'INR',
        summary: 'The clearing price of each 15-minute interval, less a 0.10 INR/kWh fee.',
        expectedInputs: [
          { name: 'offerCurve', type: 'OFFER_CURVE', required: true },
          { name: 'meterId', type: 'STRING', required: true },
        ],
        contract: template,
      },
    },
  ],
};

const marketSettlement: SettlementReport = {
  reportId: 'settle/pac-2024-10-04T10:00Z-prosumer-7',
  contractId: 'pac-2024-10-04T10:00Z-prosumer-7',
  period: WINDOW,
  currency: 'INR',
  status: 'FINAL',
  generatedAt: '2024-10-04T10:20:00Z',
  lines: [
    {
      flowId: 'energy',
      kind: 'energy',
      payer: MCA.id,
      payee: PROSUMER.id,
      payerRole: 'MARKET_CLEARING_AGENT',
      payeeRole: 'PROSUMER',
      quantity: 0.5,
      unit: 'kWh',
      ratePerUnit: 6.25,
      amount: '3.13',
      currency: 'INR',
      formula: 'roles.PROSUMER.clearedKWh × signals.clearing-price',
      inputs: { 'roles.PROSUMER.clearedKWh': 0.5, 'signals.clearing-price': 6.25 },
    },
    {
      flowId: 'fee',
      kind: 'fee',
      payer: PROSUMER.id,
      payee: MCA.id,
      payerRole: 'PROSUMER',
      payeeRole: 'MARKET_CLEARING_AGENT',
      quantity: 0.5,
      unit: 'kWh',
      ratePerUnit: 0.1,
      amount: '0.05',
      currency: 'INR',
      formula: 'abs(roles.PROSUMER.clearedKWh) × roles.MARKET_CLEARING_AGENT.feePerKWh',
      inputs: { 'roles.PROSUMER.clearedKWh': 0.5, 'roles.MARKET_CLEARING_AGENT.feePerKWh': 0.1 },
    },
  ],
  totals: [
    { party: MCA.id, paid: '3.13', received: '0.05', net: '-3.08' },
    { party: PROSUMER.id, paid: '0.05', received: '3.13', net: '3.08' },
  ],
};

/** The pay-as-clear transaction of one prosumer, discover → on_status, with the utility cascade. */
export function payAsClearTransaction(): AnyStep[] {
  const next = ids('pay-as-clear');
  const txn = next();
  const cascadeTxn = next();
  const ctx = (action: Action, timestamp: string, bap = PROSUMER, bpp: { id: string; uri: string } | null = MCA, transactionId = txn): ContextInput => ({
    domain: 'energy-trade',
    action,
    bapId: bap.id,
    bapUri: bap.uri,
    ...(bpp === null ? {} : { bppId: bpp.id, bppUri: bpp.uri }),
    transactionId,
    messageId: next(),
    timestamp,
    ttl: 'PT30S',
    location: { city: { code: 'std:080', name: 'Bengaluru' }, country: { code: 'IND' } },
  });
  const base = { offerId: 'mca/pay-as-clear', providerId: 'mca', resources: [{ resourceId: 'mca/market', quantity: 5, unit: 'kW' }] };
  const gridBase = { offerId: 'utility/grid-access', providerId: 'utility', resources: [{ resourceId: 'utility/meter/100200300', quantity: 5, unit: 'kW' }] };
  const cleared: ContractPayload = {
    kind: 'contract',
    contract: participantContract('ACTIVE', { approvedMaxTradeKW: 4.5, clearedKW: 2, clearedKWh: 0.5 }),
    ...base,
    delivery: {
      deliveryId: 'pac-2024-10-04T10:00Z-prosumer-7/delivery',
      status: 'PENDING',
      window: WINDOW,
      signalValues: [{ signalId: 'clearing-price', value: 6.25, unit: 'INR/kWh', observedAt: '2024-10-04T09:50:00Z', interval: WINDOW }],
      setpoints: [
        {
          setpointId: 'sp/2024-10-04T10:00Z/prosumer-7/pv',
          resourceId: 'prosumer-7/pv',
          interval: WINDOW,
          targetPowerKW: 2,
          atPricePerKWh: 6.25,
          commands: [
            ieee2030_5DerControl({
              id: 'sp/2024-10-04T10:00Z/prosumer-7/pv',
              description: 'pay-as-clear 10:00',
              createdAt: '2024-10-04T09:50:00Z',
              start: WINDOW.start,
              durationSeconds: 900,
              targetPowerKW: 2,
              deviceCategory: '00200000',
            }),
          ],
        },
      ],
    },
  };
  const steps: AnyStep[] = [
    { action: 'discover', context: ctx('discover', '2024-10-04T09:30:00Z', PROSUMER, null), payload: { kind: 'discover', intent: { seek: 'energy-market', pricingModel: 'PAY_AS_CLEAR', window: WINDOW }, textSearch: 'pay as clear' } },
    { action: 'on_discover', context: ctx('on_discover', '2024-10-04T09:30:01Z'), payload: { kind: 'catalog', catalogs: [marketCatalog] } },
    { action: 'init', context: ctx('init', '2024-10-04T09:40:00Z'), payload: { kind: 'contract', contract: participantContract('PENDING'), ...base } },
    { action: 'init', context: ctx('init', '2024-10-04T09:40:05Z', MCA, UTILITY, cascadeTxn), payload: { kind: 'contract', contract: gridContract('PENDING', false), ...gridBase } },
    { action: 'on_init', context: ctx('on_init', '2024-10-04T09:40:06Z', MCA, UTILITY, cascadeTxn), payload: { kind: 'contract', contract: gridContract('PENDING', true), ...gridBase } },
    { action: 'on_init', context: ctx('on_init', '2024-10-04T09:40:07Z'), payload: { kind: 'contract', contract: participantContract('PENDING', { approvedMaxTradeKW: 4.5 }), ...base } },
    { action: 'confirm', context: ctx('confirm', '2024-10-04T09:44:00Z'), payload: { kind: 'contract', contract: participantContract('PENDING', { approvedMaxTradeKW: 4.5 }), ...base } },
    { action: 'confirm', context: ctx('confirm', '2024-10-04T09:50:00Z', MCA, UTILITY, cascadeTxn), payload: { kind: 'contract', contract: gridContract('PENDING', true), ...gridBase } },
    { action: 'on_confirm', context: ctx('on_confirm', '2024-10-04T09:50:01Z', MCA, UTILITY, cascadeTxn), payload: { kind: 'contract', contract: gridContract('ACTIVE', true), ...gridBase } },
    { action: 'on_confirm', context: ctx('on_confirm', '2024-10-04T09:50:02Z'), payload: cleared },
    { action: 'track', context: ctx('track', '2024-10-04T10:05:00Z'), payload: { kind: 'trackRequest', contractId: cleared.contract.contractId, callbackUrl: 'https://prosumer-7.degsim.net/beckn/tracking' } },
    { action: 'on_track', context: ctx('on_track', '2024-10-04T10:05:01Z'), payload: { kind: 'tracking', contractId: cleared.contract.contractId, url: 'https://mca.degsim.net/track/pac-2024-10-04T10:00Z-prosumer-7', active: true } },
    { action: 'status', context: ctx('status', '2024-10-04T10:20:00Z'), payload: { kind: 'contractRef', contractId: cleared.contract.contractId } },
    {
      action: 'on_status',
      context: ctx('on_status', '2024-10-04T10:20:01Z'),
      payload: {
        ...cleared,
        contract: { ...cleared.contract, status: 'COMPLETED' },
        delivery: {
          deliveryId: 'pac-2024-10-04T10:00Z-prosumer-7/delivery',
          status: 'COMPLETED',
          window: WINDOW,
          signalValues: [{ signalId: 'clearing-price', value: 6.25, unit: 'INR/kWh', observedAt: '2024-10-04T09:50:00Z', interval: WINDOW }],
          meterReadings: [
            { meterId: '100200300', interval: WINDOW, importKWh: 0, exportKWh: 0.47, netKWh: 0.47, registerExportKWh: 1843.27, averagePowerKW: 1.88, quality: 'MEASURED' },
          ],
        },
        settlement: marketSettlement,
      },
    },
    { action: 'rating', context: ctx('rating', '2024-10-04T10:30:00Z'), payload: { kind: 'rating', ratings: [{ targetId: 'mca', category: 'PROVIDER', value: 4, best: 5, worst: 1, comment: 'Cleared on time.' }] } },
    { action: 'on_rating', context: ctx('on_rating', '2024-10-04T10:30:01Z'), payload: { kind: 'ratingReceipt', aggregate: { targetId: 'mca', count: 38, value: 4.3, best: 5, worst: 1 } } },
    { action: 'support', context: ctx('support', '2024-10-04T10:31:00Z'), payload: { kind: 'supportRequest', refId: cleared.contract.contractId, refType: 'ORDER' } },
    { action: 'on_support', context: ctx('on_support', '2024-10-04T10:31:01Z'), payload: { kind: 'supportInfo', name: 'Feeder 1 market desk', phone: '+91-80-4000-1234', email: 'desk@mca.degsim.net', url: 'https://mca.degsim.net/support' } },
  ];
  return steps;
}

// --- EV charging ------------------------------------------------------------------------------

const APP = { id: 'ev-app.degsim.net', uri: 'https://ev-app.degsim.net/beckn' };
const CPO = { id: 'cpo-1.degsim.net', uri: 'https://cpo-1.degsim.net/beckn' };
const SESSION = { start: '2024-10-04T10:00:00Z', end: '2024-10-04T11:00:00Z' };

const evseResource = {
  resourceId: 'cpo-1/btm-01/ccs2-a',
  resourceType: 'EVSE' as const,
  meterId: 'EVSE-METER-0001',
  gridNodeId: 'tx-04',
  ratedPowerKW: 60,
  location: { latitude: 12.9165, longitude: 77.6101, address: 'BTM Layout, Bengaluru' },
  evse: { evseId: 'IN*ECO*BTM*01*CCS2*A', connectorType: 'IEC_62196_T2_COMBO' as const, connectorFormat: 'CABLE' as const, powerType: 'DC' as const, maxPowerKW: 60 },
  availability: [
    { start: '2024-10-04T09:30:00Z', end: '2024-10-04T12:00:00Z' },
    { start: '2024-10-04T14:00:00Z', end: '2024-10-04T22:00:00Z' },
  ],
};

function chargingContract(status: EnergyContract['status'], driverFilled: boolean): EnergyContract {
  return {
    contractId: 'ev/cpo-1/2024-10-04T10:00Z/0001',
    status,
    createdAt: '2024-10-04T09:31:00Z',
    currency: 'INR',
    template: 'ev-charging/walk-in',
    validity: SESSION,
    roles: [
      { role: 'CPO', filled: true, filledBy: CPO.id, roleInputs: { pricePerKWh: 18, evseId: 'IN*ECO*BTM*01*CCS2*A' } },
      driverFilled ? { role: 'EV_DRIVER', filled: true, filledBy: APP.id, roleInputs: { vehicleBatteryKWh: 60, targetKWh: 30 } } : { role: 'EV_DRIVER', filled: false },
      { role: 'GOVERNMENT', filled: true, filledBy: 'gst.degsim.net' },
    ],
    inputParameters: { gstRate: { value: 0.18, unit: 'fraction', description: 'Goods and services tax on the energy charge.' } },
    telemetrySources: [{ sourceId: 'cdr', sourceType: 'CHARGE_DATA_RECORD', source: { era: CPO.id, meterId: 'EVSE-METER-0001' }, fields: ['energyKWh', 'durationHours'] }],
    revenueFlows: {
      flows: [
        { flowId: 'energy', kind: 'energy', from: 'EV_DRIVER', to: 'CPO', quantity: 'telemetry.cdr.energyKWh', unit: 'kWh', rate: 'roles.CPO.pricePerKWh' },
        { flowId: 'gst', kind: 'tax', from: 'EV_DRIVER', to: 'GOVERNMENT', quantity: 'telemetry.cdr.energyKWh', unit: 'kWh', rate: 'roles.CPO.pricePerKWh * params.gstRate' },
      ],
      netZero: true,
    },
  };
}

/** A destination charging session: discover by place and connector, select … on_status, then rating, support and a cancelled second reservation. */
export function evChargingTransaction(): AnyStep[] {
  const next = ids('ev-charging');
  const txn = next();
  const ctx = (action: Action, timestamp: string, withBpp = true): ContextInput => ({
    domain: 'beckn.one:deg:ev-charging',
    action,
    bapId: APP.id,
    bapUri: APP.uri,
    ...(withBpp ? { bppId: CPO.id, bppUri: CPO.uri } : {}),
    transactionId: txn,
    messageId: next(),
    timestamp,
    ttl: 'PT30S',
  });
  const base = { offerId: 'cpo-1/walk-in', providerId: 'cpo-1', resources: [{ resourceId: evseResource.resourceId, quantity: 30, unit: 'kWh' }] };
  const catalog: Catalog = {
    catalogId: 'cpo-1/catalog',
    name: 'EcoCharge BTM hub',
    provider: { id: 'cpo-1', name: 'EcoCharge Pvt Ltd' },
    resources: [{ resourceId: evseResource.resourceId, name: 'DC fast charger CCS2 60 kW', attributes: { type: 'EnergyResource', value: evseResource } }],
    offers: [
      {
        offerId: 'cpo-1/walk-in',
        name: 'Walk-in charging at 18 INR/kWh',
        resourceIds: [evseResource.resourceId],
        price: { value: 18, currency: 'INR', unit: 'kWh' },
        attributes: {
          offerId: 'cpo-1/walk-in',
          contractId: 'ev/cpo-1/walk-in',
          providerId: CPO.id,
          providerUri: CPO.uri,
          openRole: 'EV_DRIVER',
          service: 'EV_CHARGING',
          pricingModel: 'PER_KWH',
          direction: 'DOWN',
          maxPowerKW: 60,
          indicativePricePerKWh: 18,
          currency: 'INR',
        },
      },
    ],
  };
  const setpoint = {
    setpointId: 'sp/2024-10-04T10:00Z/cpo-1/btm-01/ccs2-a',
    resourceId: evseResource.resourceId,
    interval: { start: '2024-10-04T10:00:00Z', end: '2024-10-04T10:15:00Z' },
    targetPowerKW: -45,
    atPricePerKWh: 6.25,
    commands: [ocppSetChargingProfile({ evseId: 1, profileId: 4101, stackLevel: 1, transactionId: 'sess-0001', start: '2024-10-04T10:00:00Z', durationSeconds: 900, powerKW: -45 })],
  };
  const settlement: SettlementReport = {
    reportId: 'settle/ev/cpo-1/2024-10-04T10:00Z/0001',
    contractId: 'ev/cpo-1/2024-10-04T10:00Z/0001',
    period: { start: '2024-10-04T10:02:00Z', end: '2024-10-04T10:47:00Z' },
    currency: 'INR',
    status: 'FINAL',
    generatedAt: '2024-10-04T10:50:00Z',
    lines: [
      {
        flowId: 'energy',
        kind: 'energy',
        payer: APP.id,
        payee: CPO.id,
        payerRole: 'EV_DRIVER',
        payeeRole: 'CPO',
        quantity: 31.4,
        unit: 'kWh',
        ratePerUnit: 18,
        amount: '565.20',
        currency: 'INR',
        formula: 'telemetry.cdr.energyKWh × roles.CPO.pricePerKWh',
        inputs: { 'telemetry.cdr.energyKWh': 31.4, 'roles.CPO.pricePerKWh': 18 },
      },
      {
        flowId: 'gst',
        kind: 'tax',
        payer: APP.id,
        payee: 'gst.degsim.net',
        payerRole: 'EV_DRIVER',
        payeeRole: 'GOVERNMENT',
        quantity: 31.4,
        unit: 'kWh',
        ratePerUnit: 3.24,
        amount: '101.74',
        currency: 'INR',
        formula: 'telemetry.cdr.energyKWh × (roles.CPO.pricePerKWh × params.gstRate)',
        inputs: { 'telemetry.cdr.energyKWh': 31.4, 'roles.CPO.pricePerKWh': 18, 'params.gstRate': 0.18 },
      },
    ],
    totals: [
      { party: APP.id, paid: '666.94', received: '0.00', net: '-666.94' },
      { party: CPO.id, paid: '0.00', received: '565.20', net: '565.20' },
      { party: 'gst.degsim.net', paid: '0.00', received: '101.74', net: '101.74' },
    ],
  };
  const cdr = {
    cdrId: 'cdr-0001',
    sessionId: 'sess-0001',
    evseId: 'IN*ECO*BTM*01*CCS2*A',
    connectorType: 'IEC_62196_T2_COMBO' as const,
    powerType: 'DC' as const,
    meterId: 'EVSE-METER-0001',
    start: '2024-10-04T10:02:00Z',
    end: '2024-10-04T10:47:00Z',
    energyKWh: 31.4,
    durationHours: 0.75,
    maxPowerKW: 48.2,
    currency: 'INR',
    totalCost: '565.20',
    chargingPeriods: [{ start: '2024-10-04T10:02:00Z', dimensions: [{ type: 'ENERGY' as const, volume: 31.4 }, { type: 'TIME' as const, volume: 0.75 }] }],
  };
  const active = chargingContract('ACTIVE', true);
  return [
    {
      action: 'discover',
      context: ctx('discover', '2024-10-04T09:30:00Z', false),
      payload: {
        kind: 'discover',
        intent: { seek: 'ev-charging', near: { latitude: 12.9165, longitude: 77.61, radiusMeters: 5000 }, connectorTypes: ['IEC_62196_T2_COMBO', 'CHADEMO'], minPowerKW: 50, window: SESSION },
      },
    },
    { action: 'on_discover', context: ctx('on_discover', '2024-10-04T09:30:01Z'), payload: { kind: 'catalog', catalogs: [catalog] } },
    { action: 'select', context: ctx('select', '2024-10-04T09:31:00Z'), payload: { kind: 'contract', contract: chargingContract('PENDING', false), ...base } },
    { action: 'on_select', context: ctx('on_select', '2024-10-04T09:31:01Z'), payload: { kind: 'contract', contract: chargingContract('PENDING', false), ...base } },
    { action: 'init', context: ctx('init', '2024-10-04T09:32:00Z'), payload: { kind: 'contract', contract: chargingContract('PENDING', true), ...base } },
    { action: 'on_init', context: ctx('on_init', '2024-10-04T09:32:01Z'), payload: { kind: 'contract', contract: chargingContract('PENDING', true), ...base } },
    { action: 'confirm', context: ctx('confirm', '2024-10-04T09:33:00Z'), payload: { kind: 'contract', contract: chargingContract('PENDING', true), ...base } },
    {
      action: 'on_confirm',
      context: ctx('on_confirm', '2024-10-04T09:33:01Z'),
      payload: { kind: 'contract', contract: active, ...base, delivery: { deliveryId: 'sess-0001', status: 'PENDING', window: SESSION, setpoints: [setpoint] } },
    },
    {
      action: 'update',
      context: ctx('update', '2024-10-04T10:02:00Z'),
      payload: {
        kind: 'contract',
        contract: active,
        ...base,
        delivery: { deliveryId: 'sess-0001', status: 'IN_PROGRESS', sessionEvents: [{ sessionId: 'sess-0001', evseId: 'IN*ECO*BTM*01*CCS2*A', eventType: 'Started', at: '2024-10-04T10:02:00Z', chargingState: 'Charging', stateOfChargePercent: 38 }] },
      },
    },
    {
      action: 'on_update',
      context: ctx('on_update', '2024-10-04T10:02:01Z'),
      payload: {
        kind: 'contract',
        contract: active,
        ...base,
        delivery: {
          deliveryId: 'sess-0001',
          status: 'IN_PROGRESS',
          sessionEvents: [{ sessionId: 'sess-0001', evseId: 'IN*ECO*BTM*01*CCS2*A', eventType: 'Updated', at: '2024-10-04T10:15:00Z', chargingState: 'Charging', energyKWh: 10.4, stateOfChargePercent: 55 }],
        },
      },
    },
    { action: 'track', context: ctx('track', '2024-10-04T10:20:00Z'), payload: { kind: 'trackRequest', contractId: active.contractId, callbackUrl: 'https://ev-app.degsim.net/beckn/tracking' } },
    { action: 'on_track', context: ctx('on_track', '2024-10-04T10:20:01Z'), payload: { kind: 'tracking', contractId: active.contractId, url: 'https://cpo-1.degsim.net/track/sess-0001', active: true } },
    { action: 'status', context: ctx('status', '2024-10-04T10:48:00Z'), payload: { kind: 'contractRef', contractId: active.contractId } },
    {
      action: 'on_status',
      context: ctx('on_status', '2024-10-04T10:50:00Z'),
      payload: {
        kind: 'contract',
        contract: { ...active, status: 'COMPLETED' },
        ...base,
        delivery: {
          deliveryId: 'sess-0001',
          status: 'COMPLETED',
          window: SESSION,
          chargeDataRecords: [cdr],
          sessionEvents: [{ sessionId: 'sess-0001', evseId: 'IN*ECO*BTM*01*CCS2*A', eventType: 'Ended', at: '2024-10-04T10:47:00Z', chargingState: 'Idle', energyKWh: 31.4, stateOfChargePercent: 90, stoppedReason: 'EVDisconnected' }],
        },
        settlement,
      },
    },
    { action: 'rating', context: ctx('rating', '2024-10-04T11:00:00Z'), payload: { kind: 'rating', ratings: [{ targetId: evseResource.resourceId, category: 'ITEM', value: 5, best: 5, worst: 1 }] } },
    { action: 'on_rating', context: ctx('on_rating', '2024-10-04T11:00:01Z'), payload: { kind: 'ratingReceipt' } },
    { action: 'support', context: ctx('support', '2024-10-04T11:01:00Z'), payload: { kind: 'supportRequest', refId: 'sess-0001', refType: 'FULFILLMENT' } },
    { action: 'on_support', context: ctx('on_support', '2024-10-04T11:01:01Z'), payload: { kind: 'supportInfo', phone: '+91-80-5000-2222' } },
    { action: 'cancel', context: ctx('cancel', '2024-10-04T11:05:00Z'), payload: { kind: 'contractRef', contractId: 'ev/cpo-1/2024-10-04T18:00Z/0002' } },
    {
      action: 'on_cancel',
      context: ctx('on_cancel', '2024-10-04T11:05:01Z'),
      payload: { kind: 'contract', contract: { ...chargingContract('TERMINATED', true), contractId: 'ev/cpo-1/2024-10-04T18:00Z/0002' }, ...base },
    },
  ];
}
