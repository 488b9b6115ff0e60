import { describe, expect, it } from 'vitest';
import { payAsClearParticipant } from '../contracts/templates/index.js';
import type { Payload } from '../protocol/payloads.js';
import type { ParsedMessage } from '../protocol/profiles/types.js';
import { contractMarkdown, carries, anchor } from './render.js';
import { exchangeKey, flowSteps, focusSet, inFocus, MAX_STEPS, topicOf, type TracedMessage } from './run.js';

const context = { domain: 'deg:energy', action: 'init' as const, bapId: 'p', bapUri: 'https://p', bppId: 'mca', bppUri: 'https://mca', transactionId: 't', messageId: 'm', timestamp: '2026-06-21T00:00:00Z', ttl: 'PT30S' };
const contract = payAsClearParticipant({ contractId: 'pac-i0-p', createdAt: '2026-06-21T00:00:00Z', currency: 'INR', mca: 'mca', participant: 'p', marketMakingFeePerKWh: 0.1 });

function msg(action: string, from: string, to: string, payload: Payload, kinds: [string, string] = ['prosumer', 'mca']): TracedMessage {
  return { index: 0, wire: {}, parsed: { profile: 'beckn-2.0.0', action, context, payload } as unknown as ParsedMessage, from, to, fromKind: kinds[0], toKind: kinds[1] };
}

describe('flow steps', () => {
  const discover = msg('discover', 'p', 'mca', { kind: 'discover', intent: { seek: 'energy-market', pricingModel: 'PAY_AS_CLEAR' } });
  const init = msg('init', 'p', 'mca', { kind: 'contract', contract, offerId: 'pay-as-clear', providerId: 'mca', resources: [{ resourceId: 'M1', quantity: 1, unit: 'kW' }] });
  const refused = msg('on_init', 'mca', 'p', { kind: 'contract', contract: { ...contract, status: 'TERMINATED' }, offerId: 'pay-as-clear', providerId: 'mca', resources: [{ resourceId: 'M1', quantity: 1, unit: 'kW' }] }, ['mca', 'prosumer']);

  it('names each kind of exchange by action, parties’ kinds and what it carries', () => {
    expect(exchangeKey(discover)).toBe('discover | prosumer | mca | seek energy-market');
    expect(exchangeKey(init)).toBe('init | prosumer | mca | pay-as-clear/participant');
    expect(exchangeKey(refused)).toBe('on_init | mca | prosumer | pay-as-clear/participant | refused');
    expect(topicOf(init)).toBe('pay-as-clear/participant');
    expect(topicOf(discover)).toBe('energy-market');
  });

  it('keeps the first message of each kind, in order, at most MAX_STEPS', () => {
    const steps = flowSteps([discover, init, discover, init, refused]);
    expect(steps.map((s) => [s.n, s.message.parsed.action])).toEqual([[1, 'discover'], [2, 'init'], [3, 'on_init']]);
    const many = Array.from({ length: MAX_STEPS + 5 }, (_, i) => msg('discover', 'p', 'mca', { kind: 'discover', intent: { seek: 'energy-market' } }, [`k${i}`, 'mca']));
    expect(flowSteps(many)).toHaveLength(MAX_STEPS);
  });

  it('shows only exchanges between focus parties about their own contracts', () => {
    const focus = focusSet(['p', 'mca', 'driver-*'], 'government');
    expect(focus.has('driver-12')).toBe(true);
    expect(focus.has('government')).toBe(true);
    expect(inFocus(init, focus)).toBe(true);
    const other = { ...contract, roles: contract.roles.map((r) => (r.role === 'PROSUMER' ? { ...r, filledBy: 'q' } : r)) };
    expect(inFocus(msg('init', 'p', 'mca', { kind: 'contract', contract: other, offerId: 'x', providerId: 'mca', resources: [{ resourceId: 'M', quantity: 1, unit: 'kW' }] }), focus)).toBe(false);
    expect(inFocus(msg('discover', 'q', 'mca', { kind: 'discover', intent: { seek: 'energy-market' } }), focus)).toBe(false);
  });
});

describe('rendering', () => {
  it('says what a message carries', () => {
    expect(carries(msg('discover', 'agg', 'utility', { kind: 'discover', intent: { seek: 'flexibility', direction: 'UP', gridNodeId: 'T1' } }))).toBe('intent flexibility (UP at T1)');
    const withCurve = { ...contract, roles: contract.roles.map((r) => (r.role === 'PROSUMER' ? { ...r, roleInputs: { ...r.roleInputs, offerCurve: { currency: 'INR', minExport: 0, maxExport: 1, curve: [{ price: 1, powerKW: 0 }, { price: 2, powerKW: 1 }] } } } : r)) };
    expect(carries(msg('init', 'p', 'mca', { kind: 'contract', contract: withCurve, offerId: 'o', providerId: 'mca', resources: [{ resourceId: 'M', quantity: 1, unit: 'kW' }] }))).toBe('pac-i0-p (pay-as-clear/participant, ACTIVE); curve of 2 points');
  });

  it('writes a contract’s roles and revenue flows with their formulas', () => {
    const text = contractMarkdown(contract, 3);
    expect(text).toContain('### `pay-as-clear/participant` — e.g. `pac-i0-p` (one of 3 in the run)');
    expect(text).toContain('Roles: MARKET_CLEARING_AGENT = mca (marketMakingFeePerKWh: 0.1000); PROSUMER = p (clearedKWh: open).');
    expect(text).toContain('| fee | fee | PROSUMER → MARKET_CLEARING_AGENT | `abs(roles.PROSUMER.clearedKWh)` kWh | `roles.MARKET_CLEARING_AGENT.marketMakingFeePerKWh` | every period |');
    expect(anchor('Settlement report')).toBe('settlement-report');
  });
});
