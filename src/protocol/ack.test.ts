import { describe, expect, it } from 'vitest';
import {
  ack,
  ackBuilder,
  BECKN_ERRORS,
  becknErrorOf,
  codeOfDiagnostic,
  httpStatusOf,
  legacyCodeOf,
  nack,
  nackForDiagnostics,
  readAck,
  receiverOf,
  withCounterSignature,
} from './ack.js';
import { getProfile } from './profiles/index.js';
import { payAsClearTransaction, type Step } from './profiles/test-support/transactions.js';
import { validateAck, validateMessage } from './validate.js';

const SIGNATURE =
  'Signature keyId="mca.degsim.net|k1|ed25519",algorithm="ed25519",created="1728034800",expires="1728034830",headers="(created) (expires) digest",signature="c2lnbmF0dXJl"';

const steps = payAsClearTransaction();
const init = steps.find((s) => s.action === 'init') as Step<'init'>;
const onInit = steps.find((s) => s.action === 'on_init') as Step<'on_init'>;
const wire = (profile: 'beckn-2.0.0' | 'deg-order-draft', s: Step = init): unknown => JSON.parse(JSON.stringify(getProfile(profile).build(s.action, s.context, s.payload as never))) as unknown;

describe('error table', () => {
  it('maps a schema refusal to 30000 at a BPP and 20006 at a BAP', () => {
    expect(legacyCodeOf('SCH_SCHEMA_VALIDATION_FAILED', 'BPP')).toBe('30000');
    expect(legacyCodeOf('SCH_SCHEMA_VALIDATION_FAILED', 'BAP')).toBe('20006');
  });

  it('gives context errors the 10000 gateway range and signature errors their own codes', () => {
    expect(legacyCodeOf('CTX_MISSING_FIELD', 'BPP')).toBe('10000');
    expect(legacyCodeOf('AUT_SIGNATURE_INVALID', 'BPP')).toBe('30016');
    expect(legacyCodeOf('AUT_SIGNATURE_INVALID', 'BAP')).toBe('20001');
    expect(legacyCodeOf('AUT_REPLAY_DETECTED', 'BPP')).toBe('30022');
    expect(legacyCodeOf('CTX_TTL_EXPIRED', 'BAP')).toBe('20009');
    expect(legacyCodeOf('NET_INTERNAL_ERROR', 'BPP')).toBe('31001');
    expect(legacyCodeOf('BIZ_ORDER_NOT_FOUND', 'BPP')).toBe('30010');
    expect(legacyCodeOf('POL_CANCELLATION_NOT_ALLOWED', 'BPP')).toBe('50001');
    expect(legacyCodeOf('AUT_RATE_LIMITED', 'BPP')).toBeUndefined();
    expect(legacyCodeOf('NOT_A_CODE', 'BPP')).toBeUndefined();
  });

  it('answers with the HTTP statuses of the Beckn responses', () => {
    expect(httpStatusOf('SCH_INVALID_ENUM')).toBe(400);
    expect(httpStatusOf('AUT_SUBSCRIBER_NOT_FOUND')).toBe(401);
    expect(httpStatusOf('AUT_RATE_LIMITED')).toBe(429);
    expect(httpStatusOf('BIZ_QUANTITY_UNAVAILABLE')).toBe(409);
    expect(httpStatusOf('NET_INTERNAL_ERROR')).toBe(500);
    expect(httpStatusOf('whatever')).toBe(400);
  });

  it('has every legacy code in the v1 ranges: 1xxxx context, 2xxxx BAP, 3xxxx-5xxxx BPP', () => {
    for (const [code, entry] of Object.entries(BECKN_ERRORS)) {
      const { BPP, BAP } = entry.legacy as { BPP?: string; BAP?: string };
      if (BPP !== undefined) expect(`${code} ${BPP}`).toMatch(/ [1345]\d{4}$/);
      if (BAP !== undefined) expect(`${code} ${BAP}`).toMatch(/ (10000|2\d{4})$/);
    }
  });

  it('refuses requests at the BPP and callbacks at the BAP', () => {
    expect(receiverOf('init')).toBe('BPP');
    expect(receiverOf('on_init')).toBe('BAP');
    expect(receiverOf(undefined)).toBe('BPP');
  });
});

describe('diagnostics to Beckn errors', () => {
  it('uses the first problem, context first, and counts the rest', () => {
    const w = wire('beckn-2.0.0') as { context: Record<string, unknown>; message: { contract: { contractAttributes: { currency: string } } } };
    delete w.context['messageId'];
    w.message.contract.contractAttributes.currency = 'rupees';
    const d = validateMessage(w, 'beckn-2.0.0');
    expect(becknErrorOf(d)).toEqual({ code: 'CTX_MISSING_FIELD', message: 'context.messageId: is required but missing (and 1 more problem)', path: 'context.messageId' });
  });

  it('classifies each kind of problem', () => {
    const c = (code: string, path = 'message.x'): string => codeOfDiagnostic({ code, path, message: '' });
    expect(c('schema.pattern', 'context.ttl')).toBe('CTX_INVALID_FIELD');
    expect(c('schema.const', 'context.version')).toBe('CTX_VERSION_UNSUPPORTED');
    expect(c('schema.required')).toBe('SCH_REQUIRED_FIELD_MISSING');
    expect(c('schema.additionalProperties')).toBe('SCH_FIELD_NOT_ALLOWED');
    expect(c('schema.enum')).toBe('SCH_INVALID_ENUM');
    expect(c('schema.format')).toBe('SCH_INVALID_FORMAT');
    expect(c('schema.type-unsupported')).toBe('SCH_TYPE_NOT_SUPPORTED');
    expect(c('curve.unsorted')).toBe('SCH_ATTRIBUTE_PACK_INVALID');
    expect(c('settlement.total')).toBe('SCH_ATTRIBUTE_PACK_INVALID');
    expect(c('intent.unrecognised')).toBe('SCH_INVALID_JSONPATH');
    expect(c('json.syntax', '')).toBe('SCH_INVALID_JSON');
    expect(c('schema.minItems')).toBe('SCH_SCHEMA_VALIDATION_FAILED');
  });
});

describe('Beckn 2.0.0 responses', () => {
  it('ACK with the counter-signature validates against the spec shape', () => {
    const body = withCounterSignature(ack(wire('beckn-2.0.0')), SIGNATURE);
    expect(body).toEqual({ status: 'ACK', signature: SIGNATURE });
    expect(validateAck(body, 'beckn-2.0.0')).toEqual([]);
    expect(validateAck(ack(wire('beckn-2.0.0')), 'beckn-2.0.0').map((d) => d.path)).toEqual(['signature']);
  });

  it('NACK carries the code, message, path and the legacy code of the refusing side', () => {
    const body = nack(wire('beckn-2.0.0', onInit), { code: 'SCH_INVALID_ENUM', message: 'roles[1].role: must be one of …', path: 'message.contract.contractAttributes.roles[1].role' }, { signature: SIGNATURE });
    expect(body).toEqual({
      status: 'NACK',
      signature: SIGNATURE,
      error: {
        errorCode: 'SCH_INVALID_ENUM',
        errorMessage: 'roles[1].role: must be one of …',
        errorDetails: { path: 'message.contract.contractAttributes.roles[1].role', legacyCode: '20006' },
      },
    });
    expect(validateAck(body, 'beckn-2.0.0')).toEqual([]);
    expect(readAck(body)).toEqual({ status: 'NACK', code: 'SCH_INVALID_ENUM', message: 'roles[1].role: must be one of …', path: 'message.contract.contractAttributes.roles[1].role', legacyCode: '20006' });
  });

  it('answers a body that could not be parsed in the default profile', () => {
    expect(nack(undefined, { code: 'SCH_INVALID_JSON', message: 'not JSON' })).toEqual({ status: 'NACK', error: { errorCode: 'SCH_INVALID_JSON', errorMessage: 'not JSON', errorDetails: { legacyCode: '30000' } } });
  });
});

describe('order-draft responses', () => {
  it('ACK carries the transaction id and the receiver\u2019s time', () => {
    const w = wire('deg-order-draft');
    const body = ack(w, { timestamp: '2024-10-04T09:40:00.250Z' });
    expect(body).toEqual({ transaction_id: init.context.transactionId, timestamp: '2024-10-04T09:40:00.250Z', ack_status: 'ACK' });
    expect(validateAck(body, 'deg-order-draft')).toEqual([]);
    expect(ack(w)).toMatchObject({ timestamp: init.context.timestamp });
  });

  it('NACK from diagnostics validates and reads back', () => {
    const w = wire('deg-order-draft') as { message: { order: Record<string, unknown> } };
    w.message.order['beckn:orderStatus'] = 'OPEN';
    const body = nackForDiagnostics(w, validateMessage(w, 'deg-order-draft'), { timestamp: '2024-10-04T09:40:01Z' });
    expect(body).toEqual({
      transaction_id: init.context.transactionId,
      timestamp: '2024-10-04T09:40:01Z',
      ack_status: 'NACK',
      error: { code: 'SCH_INVALID_ENUM', message: 'message.order.beckn:orderStatus: must be one of PENDING, CONFIRMED, COMPLETED, CANCELLED', paths: 'message.order.beckn:orderStatus', details: { legacyCode: '30000' } },
    });
    expect(validateAck(body, 'deg-order-draft')).toEqual([]);
    expect(readAck(body)).toMatchObject({ status: 'NACK', code: 'SCH_INVALID_ENUM', path: 'message.order.beckn:orderStatus', legacyCode: '30000' });
  });

  it('builder stamps every response with the clock it is given', () => {
    let t = 0;
    const b = ackBuilder({ profile: 'deg-order-draft', now: () => `2024-10-04T09:40:0${t++}Z` });
    expect(b.ack(wire('deg-order-draft'))).toMatchObject({ timestamp: '2024-10-04T09:40:00Z' });
    expect(b.nack(wire('deg-order-draft'), { code: 'AUT_REPLAY_DETECTED', message: 'seen before' })).toMatchObject({ timestamp: '2024-10-04T09:40:01Z', error: { code: 'AUT_REPLAY_DETECTED', details: { legacyCode: '30022' } } });
  });

  it('reads neither shape as an ACK', () => {
    expect(readAck({ status: 'MAYBE' })).toBeUndefined();
    expect(readAck('ACK')).toBeUndefined();
  });
});
