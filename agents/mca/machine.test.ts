import { describe, expect, it } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import type { OfferCurve } from '../../src/market/curve-types.js';
import { start, step } from '../shared/machine.js';
import { mcaTransactionMachine, type McaEffect, type McaTxEvent } from './machine.js';

type Snap = SnapshotFrom<typeof mcaTransactionMachine>;
const CURVE: OfferCurve = { currency: 'INR', minExport: 0, maxExport: 5, curve: [{ price: 3, powerKW: 0 }, { price: 5, powerKW: 5 }] };
const OUTCOME = { pricePerKWh: 4, powerKW: 2.5, offsetKW: 0 };

/** Runs events from the start and returns the final state and every effect type, in order. */
function walk(hasUtility: boolean, events: readonly McaTxEvent[]): { state: string; effects: string[]; snap: Snap } {
  const first = start<typeof mcaTransactionMachine, McaEffect>(mcaTransactionMachine, { interval: 7, participantId: 'p1', hasUtility });
  let snap = first.snapshot;
  const effects = first.effects.map(describeEffect);
  for (const e of events) {
    const r = step<typeof mcaTransactionMachine, McaEffect>(mcaTransactionMachine, snap, e);
    snap = r.snapshot;
    effects.push(...r.effects.map(describeEffect));
  }
  return { state: String(snap.value), effects, snap };
}

function describeEffect(e: McaEffect): string {
  return e.type === 'refuse' ? `refuse ${e.answer} ${e.code}` : e.type;
}

describe('MCA transaction machine', () => {
  it('walks the whole market flow with a utility: cascade, offer, confirm, clear, lock, activate, report', () => {
    const r = walk(true, [
      { type: 'GRID_APPROVED', limits: { maxImportKW: 10, maxExportKW: 4 }, gridNodeId: 'tx-1' },
      { type: 'CONFIRM', curve: CURVE },
      { type: 'CLEARED', outcome: OUTCOME },
      { type: 'LOCKED' },
      { type: 'SETTLE' },
    ]);
    expect(r.state).toBe('settled');
    expect(r.effects).toEqual(['cascadeInit', 'offer', 'cascadeConfirm', 'activate', 'report']);
    expect(r.snap.context.limits).toEqual({ maxImportKW: 10, maxExportKW: 4 });
    expect(r.snap.context.gridNodeId).toBe('tx-1');
    expect(r.snap.context.outcome).toEqual(OUTCOME);
  });

  it('passes through the cleared and locking states on the way', () => {
    const r = walk(true, [{ type: 'GRID_APPROVED', limits: { maxImportKW: 1, maxExportKW: 1 } }, { type: 'CONFIRM', curve: CURVE }, { type: 'CLEARED', outcome: OUTCOME }]);
    expect(r.state).toBe('locking');
  });

  it('without a utility offers at once and activates at clearing', () => {
    const r = walk(false, [{ type: 'CONFIRM', curve: CURVE }, { type: 'CLEARED', outcome: OUTCOME }]);
    expect(r.state).toBe('active');
    expect(r.effects).toEqual(['offer', 'activate']);
  });

  it('refuses the bid when the utility refuses the meter, and any later confirm names why', () => {
    const r = walk(true, [{ type: 'GRID_REFUSED', reason: 'meter m9 is not p1’s connection' }, { type: 'CONFIRM', curve: CURVE }]);
    expect(r.state).toBe('refused');
    expect(r.effects).toEqual(['cascadeInit', 'refuse on_init grid-refused', 'refuse on_confirm refused']);
    expect(r.snap.context.refusal).toBe('meter m9 is not p1’s connection');
  });

  it('lets an unconfirmed bid lapse at the gate; a confirm after it gets gate-closed', () => {
    const r = walk(true, [{ type: 'GRID_APPROVED', limits: { maxImportKW: 1, maxExportKW: 1 } }, { type: 'GATE' }, { type: 'CONFIRM', curve: CURVE }]);
    expect(r.state).toBe('lapsed');
    expect(r.effects).toEqual(['cascadeInit', 'offer', 'lapsed', 'refuse on_confirm gate-closed']);
  });

  it('refuses a malformed confirm', () => {
    const r = walk(true, [{ type: 'GRID_APPROVED', limits: { maxImportKW: 1, maxExportKW: 1 } }, { type: 'CONFIRM_INVALID', reason: 'the meter must stay m1' }]);
    expect(r.state).toBe('refused');
    expect(r.effects.at(-1)).toBe('refuse on_confirm bad-confirm');
  });

  it('refuses a confirm that comes before the market answered the init', () => {
    expect(walk(true, [{ type: 'CONFIRM', curve: CURVE }]).effects).toEqual(['cascadeInit', 'refuse on_confirm not-offered']);
  });

  it('ignores a repeated confirm of a confirmed bid, so the first answer stands', () => {
    const r = walk(false, [{ type: 'CONFIRM', curve: CURVE }, { type: 'CONFIRM', curve: CURVE }]);
    expect(r.state).toBe('confirmed');
    expect(r.effects).toEqual(['offer', 'ignored']);
  });

  it('takes a cancel before gate closure, but not after clearing', () => {
    expect(walk(true, [{ type: 'CANCEL' }]).effects).toEqual(['cascadeInit', 'cancelled']);
    expect(walk(false, [{ type: 'CONFIRM', curve: CURVE }, { type: 'CANCEL' }]).state).toBe('cancelled');
    const after = walk(false, [{ type: 'CONFIRM', curve: CURVE }, { type: 'CLEARED', outcome: OUTCOME }, { type: 'CANCEL' }]);
    expect(after.state).toBe('active');
    expect(after.effects).toEqual(['offer', 'activate']);
  });

  it('terminates a trade the utility will not lock, or does not lock before delivery', () => {
    const base: McaTxEvent[] = [{ type: 'GRID_APPROVED', limits: { maxImportKW: 1, maxExportKW: 1 } }, { type: 'CONFIRM', curve: CURVE }, { type: 'CLEARED', outcome: OUTCOME }];
    expect(walk(true, [...base, { type: 'LOCK_REFUSED', reason: 'exceeds' }]).effects.at(-1)).toBe('refuse on_confirm grid-refused');
    const late = walk(true, [...base, { type: 'DELIVERY_STARTED' }]);
    expect(late.state).toBe('refused');
    expect(late.effects.at(-1)).toBe('refuse on_confirm grid-timeout');
  });

  it('does not clear a bid that was never confirmed', () => {
    const r = walk(true, [{ type: 'GRID_APPROVED', limits: { maxImportKW: 1, maxExportKW: 1 } }, { type: 'CLEARED', outcome: OUTCOME }]);
    expect(r.state).toBe('offered');
    expect(r.effects).toEqual(['cascadeInit', 'offer']);
  });
});
