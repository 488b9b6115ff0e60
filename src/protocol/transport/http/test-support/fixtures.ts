import type { Diagnostic } from '../../../../diagnostics.js';
import { isoOf } from '../../../../kernel/clock.js';
import { readWireContext, type ContextReader, type MessageValidator } from '../../../receiver.js';
import type { AckBuilder, NackError } from '../../../ack.js';

/**
 * Small, readable stand-ins for the profile layer used by the transport tests and the benchmark:
 * a Beckn 2.0 `init`/`on_init` pair for the pay-as-clear market, a structural validator and an
 * ACK/NACK builder in the 2.0 shape. Tests also run with the real profile when it is present.
 */

export interface InitParams {
  readonly bapId: string;
  readonly bppId: string;
  readonly bapUri: string;
  readonly bppUri: string;
  readonly messageId: string;
  readonly transactionId: string;
  readonly timestampMs: number;
  readonly ttl?: string;
  /** Offer curve points (price per kWh, kW). */
  readonly curve?: readonly (readonly [number, number])[];
}

/** A UUID-shaped id from a number, readable in test output. */
export function uuidOf(n: number, tag = 0): string {
  const hex = n.toString(16).padStart(12, '0').slice(-12);
  return `${tag.toString(16).padStart(8, '0').slice(-8)}-0000-4000-8000-${hex}`;
}

/** A pay-as-clear `init`: the participant's offer curve and meter for one delivery interval. */
export function buildInit(p: InitParams): Record<string, unknown> {
  const curve = p.curve ?? [[-2, -4.5], [3.5, -1.2], [4.2, 0], [5, 2.5], [8, 6]];
  return {
    context: {
      version: '2.0.0',
      action: 'init',
      domain: 'deg:energy-trade',
      bapId: p.bapId,
      bapUri: p.bapUri,
      bppId: p.bppId,
      bppUri: p.bppUri,
      transactionId: p.transactionId,
      messageId: p.messageId,
      timestamp: isoOf(p.timestampMs),
      ttl: p.ttl ?? 'PT30S',
    },
    message: {
      contract: {
        id: p.transactionId,
        descriptor: { name: 'Pay-as-clear market participation', shortDesc: 'Interval 2026-06-21T10:15:00Z, 15 min' },
        commitments: [
          {
            id: 'commitment-1',
            status: { descriptor: { code: 'DRAFT' } },
            resources: [{ id: 'energy-interval-2026-06-21T10:15Z', quantity: { unitQuantity: 1.5, unitCode: 'KWH' } }],
            offer: { id: 'offer-pay-as-clear', resourceIds: ['energy-interval-2026-06-21T10:15Z'] },
          },
        ],
        participants: [
          { id: p.bapId, descriptor: { name: 'Solar prosumer' }, participantAttributes: { role: 'PROSUMER', meterId: 'meter-0042' } },
          { id: p.bppId, descriptor: { name: 'Market clearing agent' }, participantAttributes: { role: 'MARKET_CLEARING_AGENT' } },
        ],
        contractAttributes: {
          '@context': 'https://example.org/deg/EnergyContract/context.jsonld',
          '@type': 'EnergyContract',
          status: 'PENDING',
          deliveryInterval: { start: '2026-06-21T10:15:00Z', end: '2026-06-21T10:30:00Z' },
          roles: [
            { role: 'MARKET_CLEARING_AGENT', filled: true, filledBy: p.bppId, roleInputs: { feePerKWh: 0.05 } },
            {
              role: 'PROSUMER',
              filled: true,
              filledBy: p.bapId,
              roleInputs: {
                meterId: 'meter-0042',
                offerCurve: { currency: 'INR', minExportKW: -4.5, maxExportKW: 6, points: curve.map(([pricePerKWh, powerKW]) => ({ pricePerKWh, powerKW })) },
              },
            },
          ],
          revenueFlows: [
            { name: 'energy', payer: 'MARKET_CLEARING_AGENT', payee: 'PROSUMER', formula: 'signals.clearingPricePerKWh * telemetry.exportKWh' },
            { name: 'fee', payer: 'PROSUMER', payee: 'MARKET_CLEARING_AGENT', formula: 'roles.MARKET_CLEARING_AGENT.feePerKWh * abs(telemetry.netKWh)' },
          ],
        },
      },
    },
  };
}

/** The BPP's `on_init` answering an `init`: same transaction and message id, approved limits added. */
export function buildOnInit(init: Record<string, unknown>, timestampMs: number): Record<string, unknown> {
  const ctx = init['context'] as Record<string, unknown>;
  const message = init['message'] as { contract: Record<string, unknown> };
  return {
    context: { ...ctx, action: 'on_init', timestamp: isoOf(timestampMs) },
    message: { contract: { ...message.contract, contractAttributes: { ...(message.contract['contractAttributes'] as object), approvedMaxExportKW: 5, wheelingPerKWh: 0.5 } } },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The transport's own profile-independent context reader. */
export const fixtureContextReader: ContextReader = readWireContext;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A structural check of the 2.0 envelope: required context fields and their formats, a message object, a contract with commitments. */
export const fixtureValidator: MessageValidator = (wire) => {
  const errors: Diagnostic[] = [];
  if (!isRecord(wire)) return [{ code: 'schema.type', path: '', message: 'must be an object' }];
  const c = wire['context'];
  if (!isRecord(c)) errors.push({ code: 'schema.required', path: 'context', message: 'context is required' });
  else {
    for (const k of ['version', 'action', 'bapId', 'bapUri', 'transactionId', 'messageId', 'timestamp']) {
      if (typeof c[k] !== 'string') errors.push({ code: 'schema.required', path: `context.${k}`, message: `${k} is required and must be a string` });
    }
    for (const k of ['transactionId', 'messageId']) {
      if (typeof c[k] === 'string' && !UUID.test(c[k])) errors.push({ code: 'schema.format', path: `context.${k}`, message: 'must be a UUID' });
    }
    if (typeof c['timestamp'] === 'string' && !RFC3339.test(c['timestamp'])) errors.push({ code: 'schema.format', path: 'context.timestamp', message: 'must be an RFC 3339 date-time' });
    if (c['version'] !== undefined && c['version'] !== '2.0.0') errors.push({ code: 'schema.const', path: 'context.version', message: 'must be 2.0.0' });
  }
  const m = wire['message'];
  if (!isRecord(m)) errors.push({ code: 'schema.required', path: 'message', message: 'message is required' });
  else if (isRecord(c) && (c['action'] === 'init' || c['action'] === 'on_init' || c['action'] === 'confirm' || c['action'] === 'on_confirm')) {
    const contract = m['contract'];
    if (!isRecord(contract)) errors.push({ code: 'schema.required', path: 'message.contract', message: 'contract is required' });
    else if (!Array.isArray(contract['commitments']) || contract['commitments'].length === 0) {
      errors.push({ code: 'schema.minItems', path: 'message.contract.commitments', message: 'at least one commitment is required' });
    }
  }
  return errors;
};

/** ACK/NACK bodies in the Beckn 2.0 shape, echoing message and transaction ids when known. */
export const fixtureAckBuilder: AckBuilder = {
  ack(wire) {
    return { status: 'ACK', ...idsOf(wire) };
  },
  nack(wire, error: NackError) {
    return { status: 'NACK', ...idsOf(wire), error: { code: error.code, message: error.message, ...(error.path === undefined ? {} : { details: { path: error.path } }) } };
  },
};

function idsOf(wire: unknown): Record<string, string> {
  const c = isRecord(wire) && isRecord(wire['context']) ? wire['context'] : {};
  const out: Record<string, string> = {};
  if (typeof c['messageId'] === 'string') out['messageId'] = c['messageId'];
  if (typeof c['transactionId'] === 'string') out['transactionId'] = c['transactionId'];
  return out;
}
