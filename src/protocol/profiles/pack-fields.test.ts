import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContractRole, EnergyContract, InputParameter, InputSignal, RevenueFlow, StateVariable, TelemetrySource } from '../../contracts/model.js';
import type { OfferCurve } from '../../market/curve-types.js';
import type {
  ChargeDataRecord,
  EnergyDelivery,
  EnergyOffer,
  EnergyResource,
  Forecast,
  GridNode,
  MeterReading,
  SettlementLine,
  SettlementReport,
  Setpoint,
} from '../payloads.js';
import { schemasDir, validatePack } from '../validate.js';

/**
 * The packs are the domain types with @context/@type: each schema must list exactly the fields of
 * its TypeScript type. `Required<…>` objects make the compiler refuse these fixtures as soon as a
 * type gains a field, and the tests then compare the field names with the schema's.
 */

type Json = Record<string, unknown>;
const schema = (name: string): Json => JSON.parse(readFileSync(join(schemasDir(), 'energy', `${name}.schema.json`), 'utf8')) as Json;
const fieldsOf = (s: Json): string[] => Object.keys((s['properties'] as Json | undefined) ?? {}).filter((k) => !k.startsWith('@')).sort();
const def = (s: Json, name: string): Json => (s['$defs'] as Record<string, Json>)[name] as Json;
const keys = (o: object): string[] => Object.keys(o).sort();

const window = { start: '2024-10-04T10:00:00Z', end: '2024-10-04T10:15:00Z' };
const curve: Required<OfferCurve> = { currency: 'INR', minExport: -2, maxExport: 3, curve: [{ price: 4, powerKW: -2 }, { price: 6, powerKW: 3 }] };
const role: Required<ContractRole> = { role: 'PROSUMER', filled: true, filledBy: 'p-1', roleInputs: { offerCurve: curve, meterId: 'm-1' } };
const parameter: Required<InputParameter> = { value: 0.5, unit: 'INR/kWh', description: 'wheeling' };
const signal: Required<InputSignal> = { signalId: 'price', signalType: 'PRICE', source: { era: 'mca', endpoint: 'https://mca.degsim.net/price' }, unit: 'INR/kWh', description: 'clearing price' };
const telemetry: Required<TelemetrySource> = { sourceId: 'meter', sourceType: 'METER_READING', source: { era: 'p-1', meterId: 'm-1', endpoint: 'https://meters.degsim.net/m-1' }, fields: ['netKWh'] };
const state: Required<StateVariable> = { name: 'deliveredKWh', unit: 'kWh', initial: 0, update: 'state.deliveredKWh + telemetry.meter.netKWh' };
const flow: Required<RevenueFlow> = {
  flowId: 'energy',
  kind: 'energy',
  from: 'MARKET_CLEARING_AGENT',
  to: 'PROSUMER',
  quantity: 'telemetry.meter.netKWh',
  unit: 'kWh',
  rate: 'signals.price',
  condition: 'telemetry.meter.netKWh > 0',
  description: 'energy at the clearing price',
};
const contract: Required<EnergyContract> = {
  contractId: 'c-1',
  status: 'ACTIVE',
  createdAt: '2024-10-04T09:00:00Z',
  currency: 'INR',
  roles: [role, { role: 'MARKET_CLEARING_AGENT', filled: true, filledBy: 'mca' }],
  template: 'pay-as-clear/participant',
  validity: window,
  inputParameters: { wheelingPerKWh: parameter },
  inputSignals: [signal],
  telemetrySources: [telemetry],
  state: [state],
  revenueFlows: { flows: [flow], netZero: true },
};
const ld = (type: string, body: object): Json => ({ '@context': 'https://raw.githubusercontent.com/degsim/degsim/main/schemas/energy/context.jsonld', '@type': type, ...body });

describe('EnergyContract schema = src/contracts/model.ts, field for field', () => {
  it('top level', () => {
    expect(fieldsOf(schema('EnergyContract'))).toEqual(keys(contract));
    expect(validatePack(ld('EnergyContract', contract))).toEqual([]);
  });

  it('roles, parameters, signals, telemetry, state and flows', () => {
    const s = schema('EnergyContract');
    expect(fieldsOf(def(s, 'ContractRole'))).toEqual(keys(role));
    expect(fieldsOf(def(s, 'InputParameter'))).toEqual(keys(parameter));
    expect(fieldsOf(def(s, 'InputSignal'))).toEqual(keys(signal));
    expect(fieldsOf((def(s, 'InputSignal')['properties'] as Json)['source'] as Json)).toEqual(keys(signal.source));
    expect(fieldsOf(def(s, 'TelemetrySource'))).toEqual(keys(telemetry));
    expect(fieldsOf((def(s, 'TelemetrySource')['properties'] as Json)['source'] as Json)).toEqual(keys(telemetry.source));
    expect(fieldsOf(def(s, 'StateVariable'))).toEqual(keys(state));
    expect(fieldsOf(def(s, 'RevenueFlow'))).toEqual(keys(flow));
    expect(fieldsOf(def(s, 'RevenueFlowLogic'))).toEqual(keys(contract.revenueFlows));
  });

  it('OfferCurve = src/market/curve-types.ts', () => {
    expect(fieldsOf(def(schema('OfferCurve'), 'Curve'))).toEqual(keys(curve));
    expect(fieldsOf(def(schema('OfferCurve'), 'Point'))).toEqual(keys(curve.curve[0] as object));
  });
});

describe('the other packs = their types in payloads.ts', () => {
  const resource: Required<EnergyResource> = {
    resourceId: 'r',
    resourceType: 'EVSE',
    meterId: 'm',
    virtualMeter: false,
    gridNodeId: 'tx',
    sourceType: 'GRID',
    deliveryMode: 'EV_CHARGING',
    ratedPowerKW: 22,
    capacityKWh: 0,
    location: { latitude: 12.9, longitude: 77.6, address: 'BTM' },
    evse: { evseId: 'IN*X*1', connectorType: 'IEC_62196_T2', connectorFormat: 'SOCKET', powerType: 'AC_3_PHASE', maxPowerKW: 22 },
    availability: [window],
    certificationStatus: 'none',
  };
  const node: Required<GridNode> = {
    nodeId: 'tx',
    nodeType: 'TRANSFORMER',
    parentNodeId: 'f',
    ratedKVA: 250,
    limits: { maxForwardFlowKW: 200, maxReverseFlowKW: 100 },
    currentNetExportKW: -20,
    locationalPriceAdder: { currency: 'INR', basePricePerKWh: 6, loadPercent: 40, adderPerPercentPerKWh: 0.01, adderPerKWh: 0.4 },
    offsetCommands: [{ resourceId: 'r', offsetKW: -1, interval: window }],
  };
  const forecast: Required<Forecast> = { forecastId: 'f', subjectId: 'tx', variable: 'LOAD_KW', unit: 'kW', issuedAt: window.start, start: window.start, stepMinutes: 15, values: [1], method: 'persistence' };
  const offer: Required<EnergyOffer> = {
    offerId: 'o',
    contractId: 'c',
    providerId: 'p',
    providerUri: 'https://p.degsim.net',
    openRole: 'BUYER',
    service: 'ENERGY_TRADE',
    pricingModel: 'PER_KWH',
    direction: 'UP',
    window,
    gridNodeId: 'tx',
    maxPowerKW: 5,
    indicativePricePerKWh: 6,
    currency: 'INR',
    summary: 's',
    expectedInputs: [{ name: 'meterId', type: 'STRING', required: true, unit: '', description: 'd' }],
    contract,
  };
  const setpoint: Required<Setpoint> = { setpointId: 's', resourceId: 'r', interval: window, targetPowerKW: -3, atPricePerKWh: 6, offsetKW: 0, commands: [] };
  const reading: Required<MeterReading> = {
    meterId: 'm',
    interval: window,
    importKWh: 1,
    exportKWh: 0,
    netKWh: -1,
    registerImportKWh: 10,
    registerExportKWh: 0,
    averagePowerKW: -4,
    quality: 'MEASURED',
  };
  const cdr: Required<ChargeDataRecord> = {
    cdrId: 'c',
    sessionId: 's',
    evseId: 'e',
    connectorType: 'IEC_62196_T2',
    powerType: 'AC_3_PHASE',
    meterId: 'm',
    start: window.start,
    end: window.end,
    energyKWh: 4,
    durationHours: 0.25,
    maxPowerKW: 16,
    currency: 'INR',
    totalCost: '72.00',
    chargingPeriods: [{ start: window.start, dimensions: [{ type: 'ENERGY', volume: 4 }] }],
  };
  const delivery: Required<EnergyDelivery> = {
    deliveryId: 'd',
    status: 'COMPLETED',
    window,
    signalValues: [{ signalId: 'price', value: 6, unit: 'INR/kWh', observedAt: window.start, interval: window }],
    setpoints: [],
    meterReadings: [],
    chargeDataRecords: [],
    sessionEvents: [{ sessionId: 's', evseId: 'e', eventType: 'Ended', at: window.end, chargingState: 'Idle', energyKWh: 4, stateOfChargePercent: 80, stoppedReason: 'Local' }],
  };
  const line: Required<SettlementLine> = {
    flowId: 'energy',
    kind: 'energy',
    payer: 'a',
    payee: 'b',
    payerRole: 'BUYER',
    payeeRole: 'SELLER',
    quantity: 2,
    unit: 'kWh',
    ratePerUnit: 6,
    amount: '12.00',
    currency: 'INR',
    formula: 'q × r',
    inputs: { q: 2, r: 6 },
    description: 'energy',
  };
  const report: Required<SettlementReport> = {
    reportId: 'r',
    contractId: 'c',
    period: window,
    currency: 'INR',
    status: 'FINAL',
    generatedAt: window.end,
    issuedBy: 'mca',
    lines: [line],
    totals: [
      { party: 'a', paid: '12.00', received: '0.00', net: '-12.00' },
      { party: 'b', paid: '0.00', received: '12.00', net: '12.00' },
    ],
  };
  const wireResource = { ...resource, location: { geo: { type: 'Point', coordinates: [77.6, 12.9] }, address: 'BTM' } };
  const cases: [string, object, object][] = [
    ['EnergyResource', resource, wireResource],
    ['GridNode', node, node],
    ['Forecast', forecast, forecast],
    ['EnergyOffer', offer, { ...offer, contract: ld('EnergyContract', contract) }],
    ['Setpoint', setpoint, setpoint],
    ['MeterReading', reading, reading],
    ['ChargeDataRecord', cdr, cdr],
    ['EnergyDelivery', delivery, delivery],
    ['SettlementReport', report, report],
  ];
  for (const [name, typed, wire] of cases) {
    it(name, () => {
      expect(fieldsOf(schema(name))).toEqual(keys(typed));
      expect(validatePack(ld(name, wire))).toEqual([]);
    });
  }

  it('settlement lines and totals', () => {
    const s = schema('SettlementReport');
    const props = s['properties'] as Record<string, Json>;
    expect(fieldsOf(props['lines']?.['items'] as Json)).toEqual(keys(line));
    expect(fieldsOf(props['totals']?.['items'] as Json)).toEqual(keys(report.totals[0] as object));
  });
});
