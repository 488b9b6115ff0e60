import { describe, expect, it } from 'vitest';
import { classifyParty, participantsFromScenario, pluralKind, shortId } from './roles.js';

describe('roles', () => {
  const known = participantsFromScenario({
    participants: [
      { id: 'prosumer-1', kind: 'prosumer' },
      { id: 'prosumer-12', kind: 'prosumer' },
      { id: 'cpo-1', kind: 'cpo' },
      { id: 'grid', kind: 'utility' },
      { id: 7 },
      { kind: 'battery' },
    ],
  });

  it('keeps only well-formed scenario participants', () => {
    expect(known).toEqual([
      { id: 'prosumer-1', kind: 'prosumer' },
      { id: 'prosumer-12', kind: 'prosumer' },
      { id: 'cpo-1', kind: 'cpo' },
      { id: 'grid', kind: 'utility' },
    ]);
    expect(participantsFromScenario('nope')).toEqual([]);
  });

  it('matches a scenario participant as a whole token of the subscriber id, longest first', () => {
    expect(classifyParty('prosumer-12.degsim.test', known)).toEqual({ subscriberId: 'prosumer-12.degsim.test', role: 'participant', kind: 'prosumer', label: 'prosumer-12' });
    expect(classifyParty('cpo-1', known)).toMatchObject({ kind: 'cpo', label: 'cpo-1' });
    expect(classifyParty('grid.degsim.test', known)).toMatchObject({ role: 'utility', label: 'Utility' });
    // "cpo-10" must not match "cpo-1": a token ends at a separator.
    expect(classifyParty('cpo-10.degsim.test', known)).toMatchObject({ kind: 'cpo', label: 'cpo-10' });
  });

  it('falls back to the words of the id', () => {
    expect(classifyParty('bpp.market-clearing-agent.com', [])).toMatchObject({ role: 'mca', label: 'MCA' });
    expect(classifyParty('mca.degsim.test', [])).toMatchObject({ role: 'mca' });
    expect(classifyParty('example-transmission-bpp.com', [])).toMatchObject({ role: 'utility', label: 'Utility' });
    expect(classifyParty('bap.solar-prosumer.com', [])).toMatchObject({ role: 'participant', kind: 'prosumer', label: 'solar-prosumer' });
    expect(classifyParty('bap.ev-driver-3.com', [])).toMatchObject({ kind: 'ev-driver' });
    expect(classifyParty('', [])).toMatchObject({ role: 'network', label: 'Network' });
  });

  it('shortens subscriber ids and pluralises kinds', () => {
    expect(shortId('https://bap.solar-prosumer.com/beckn')).toBe('solar-prosumer');
    expect(shortId('cpo-1')).toBe('cpo-1');
    expect(shortId('prosumer-7.degsim.net')).toBe('prosumer-7');
    expect(pluralKind('prosumer')).toBe('prosumers');
    expect(pluralKind('battery')).toBe('batteries');
    expect(pluralKind('cpo')).toBe('CPOs');
    expect(pluralKind('p2p-buyer')).toBe('p2p-buyers');
  });
});
