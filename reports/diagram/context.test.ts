import { describe, expect, it } from 'vitest';
import { detectProfile, endpoints, readContext } from './context.js';

const becknInit = {
  context: {
    version: '2.0.0',
    action: 'init',
    domain: 'energy-trade',
    bapId: 'prosumer-1.degsim.test',
    bapUri: 'https://prosumer-1.degsim.test/beckn',
    bppId: 'mca.degsim.test',
    bppUri: 'https://mca.degsim.test/beckn',
    transactionId: 'txn-i0-prosumer-1',
    messageId: 'msg-1',
    timestamp: '2025-06-01T09:50:03Z',
    ttl: 'PT30S',
  },
  message: {},
};

const degOnInit = {
  context: {
    version: '2.0.0',
    action: 'on_init',
    domain: 'energy-trade',
    bap_id: 'bpp.market-clearing-agent.com',
    bap_uri: 'https://bpp.market-clearing-agent.com',
    bpp_id: 'example-transmission-bpp.com',
    bpp_uri: 'https://api.example-transmission-bpp.com/pilot/bpp/',
    transaction_id: 'txn-cascaded-market-001',
    message_id: 'msg-cascaded-on-init-utility-001',
    timestamp: '2024-10-04T10:20:15Z',
    ttl: 'PT30S',
  },
  message: {},
};

describe('readContext', () => {
  it('reads the camelCase beckn 2.0.0 context of a request', () => {
    const r = readContext(becknInit, 'm');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({
      profile: 'beckn-2.0.0',
      version: '2.0.0',
      action: 'init',
      direction: 'request',
      domain: 'energy-trade',
      bapId: 'prosumer-1.degsim.test',
      bapUri: 'https://prosumer-1.degsim.test/beckn',
      bppId: 'mca.degsim.test',
      bppUri: 'https://mca.degsim.test/beckn',
      transactionId: 'txn-i0-prosumer-1',
      messageId: 'msg-1',
      timestamp: '2025-06-01T09:50:03Z',
      ttl: 'PT30S',
    });
    expect(endpoints(r.value)).toEqual({ from: 'prosumer-1.degsim.test', to: 'mca.degsim.test' });
  });

  it('reads the snake_case DEG draft context of a cascaded callback: utility (BPP) → MCA (BAP)', () => {
    const r = readContext(degOnInit, 'm');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.profile).toBe('deg-order-draft');
    expect(r.value.direction).toBe('callback');
    expect(r.value.transactionId).toBe('txn-cascaded-market-001');
    expect(endpoints(r.value)).toEqual({ from: 'example-transmission-bpp.com', to: 'bpp.market-clearing-agent.com' });
  });

  it('reports every missing field at once, with paths', () => {
    const r = readContext({ context: { bpp_id: 'x', message_id: 'm' } }, 'messages[4]');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([
      ['trace.no-action', 'messages[4].context.action'],
      ['trace.no-bap', 'messages[4].context.bap_id'],
    ]);
  });

  it('rejects bodies that are not messages with a diagnostic, not an exception', () => {
    expect(readContext(null, 'a')).toMatchObject({ ok: false, errors: [{ code: 'trace.not-object' }] });
    expect(readContext({ message: {} }, 'a')).toMatchObject({ ok: false, errors: [{ code: 'trace.no-context', path: 'a.context' }] });
    expect(readContext({ context: { action: 'init' } }, 'a')).toMatchObject({ ok: false, errors: [{ code: 'trace.unknown-profile' }] });
  });

  it('detects the profile by the majority of its keys', () => {
    expect(detectProfile({ bapId: 'a', transactionId: 't', message_id: 'm' })).toBe('beckn-2.0.0');
    expect(detectProfile({ bap_id: 'a', transaction_id: 't', messageId: 'm' })).toBe('deg-order-draft');
    expect(detectProfile({ action: 'x' })).toBeUndefined();
  });
});
