import { describe, expect, it } from 'vitest';
import { start, step } from '../shared/machine.js';
import { approvalMachine, providedContractMachine, type ApprovalEffect, type ApprovalEvent, type ApprovalInput, type ProvidedEffect, type ProvidedEvent } from './machine.js';

function approval(input: ApprovalInput, events: readonly ApprovalEvent[]): { state: string; effects: string[] } {
  const s = start<typeof approvalMachine, ApprovalEffect>(approvalMachine, input);
  let snap = s.snapshot;
  const effects = s.effects.map((e) => (e.type === 'refuse' ? `refuse ${e.answer}: ${e.reason}` : e.type));
  for (const ev of events) {
    const r = step<typeof approvalMachine, ApprovalEffect>(approvalMachine, snap, ev);
    snap = r.snapshot;
    effects.push(...r.effects.map((e) => (e.type === 'refuse' ? `refuse ${e.answer}: ${e.reason}` : e.type)));
  }
  return { state: String(snap.value), effects };
}

describe('grid approval machine', () => {
  it('approves, then locks a fitting confirm', () => {
    expect(approval({ approvable: true }, [{ type: 'CONFIRM_FITS' }])).toEqual({ state: 'locked', effects: ['approve', 'lock'] });
  });

  it('refuses at init with the reason, and every later confirm with the same reason', () => {
    expect(approval({ approvable: false, reason: 'meter m9 unknown' }, [{ type: 'CONFIRM_FITS' }])).toEqual({ state: 'refused', effects: ['refuse on_init: meter m9 unknown', 'refuse on_confirm: meter m9 unknown'] });
  });

  it('refuses a confirm that exceeds what is free', () => {
    expect(approval({ approvable: true }, [{ type: 'CONFIRM_EXCEEDS', reason: 'too much' }])).toEqual({ state: 'refused', effects: ['approve', 'refuse on_confirm: too much'] });
  });

  it('lapses when delivery starts unconfirmed; a confirm after that is refused', () => {
    expect(approval({ approvable: true }, [{ type: 'EXPIRE' }, { type: 'CONFIRM_FITS' }])).toEqual({ state: 'expired', effects: ['approve', 'refuse on_confirm: delivery started before the trade was confirmed'] });
  });

  it('releases a locked trade on cancel, and does not lock twice', () => {
    expect(approval({ approvable: true }, [{ type: 'CONFIRM_FITS' }, { type: 'CONFIRM_FITS' }, { type: 'CANCEL' }])).toEqual({
      state: 'released',
      effects: ['approve', 'lock', 'refuse on_confirm: the trade is already locked', 'release'],
    });
  });
});

function provided(events: readonly ProvidedEvent[]): { state: string; effects: string[] } {
  const s = start<typeof providedContractMachine, ProvidedEffect>(providedContractMachine, undefined);
  let snap = s.snapshot;
  const effects = s.effects.map((e) => e.type);
  for (const ev of events) {
    const r = step<typeof providedContractMachine, ProvidedEffect>(providedContractMachine, snap, ev);
    snap = r.snapshot;
    effects.push(...r.effects.map((e) => e.type));
  }
  return { state: String(snap.value), effects };
}

describe('provided contract machine', () => {
  it('offers on start, activates on a matching confirm, completes at the end of the run', () => {
    expect(provided([{ type: 'CONFIRM_MATCHES' }, { type: 'COMPLETE' }])).toEqual({ state: 'completed', effects: ['offer', 'activate', 'complete'] });
  });

  it('refuses a confirm with other terms', () => {
    expect(provided([{ type: 'CONFIRM_DIFFERS', reason: 'x' }])).toEqual({ state: 'refused', effects: ['offer', 'refuse'] });
  });

  it('ignores a repeated confirm of an active contract', () => {
    expect(provided([{ type: 'CONFIRM_MATCHES' }, { type: 'CONFIRM_MATCHES' }])).toEqual({ state: 'active', effects: ['offer', 'activate', 'ignored'] });
  });
});
