import { join } from 'node:path';
import type { Diagnostic, Result } from '../diagnostics.js';
import { fail, ok } from '../diagnostics.js';
import { isCallback, type Payload } from '../protocol/payloads.js';
import { getProfile } from '../protocol/profiles/index.js';
import type { ParsedMessage } from '../protocol/profiles/types.js';
import { simulate, type Simulation } from '../run/simulate.js';
import { loadScenarioFile } from '../scenario/loader.js';
import type { Scenario } from '../scenario/types.js';
import { BlockScan, type BlockUsage } from './blocks.js';
import { compareGridModes, type GridModeComparison } from './grid-modes.js';
import type { UseCase } from './use-cases.js';

/**
 * A use case's documented run: the scenario simulated with its documentation overrides, every
 * message of its trace read back into its domain payload, the blocks the messages show, and the
 * steps of the flow — the first message of each kind of exchange, in trace order.
 */

/** One message of the trace, read. */
export interface TracedMessage {
  /** Position in the trace (delivery order). */
  readonly index: number;
  /** The message as it went over the wire. */
  readonly wire: unknown;
  readonly parsed: ParsedMessage;
  readonly from: string;
  readonly to: string;
  /** Agent kinds of sender and receiver (`aggregator-member` for an aggregator's members). */
  readonly fromKind: string;
  readonly toKind: string;
}

/** A step of the flow: its message and what kind of exchange it stands for. */
export interface FlowStep {
  readonly n: number;
  readonly key: string;
  readonly message: TracedMessage;
}

export interface DocRun {
  readonly useCase: UseCase;
  readonly scenario: Scenario;
  readonly sim: Simulation;
  readonly messages: readonly TracedMessage[];
  readonly usage: BlockUsage;
  readonly steps: readonly FlowStep[];
  readonly gridModes?: GridModeComparison;
}

/** Most steps shown for one use case. */
export const MAX_STEPS = 28;

/** Loads a use case's scenario (relative to `root`) with its documentation overrides. */
export function loadUseCase(root: string, uc: UseCase, extra: readonly string[] = []): Result<Scenario> {
  return loadScenarioFile(join(root, uc.scenario), { overrides: ['reports.html=false', 'reports.wire=false', ...extra] });
}

/** Runs a use case and reads its trace. */
export async function runUseCaseForDocs(root: string, uc: UseCase): Promise<Result<DocRun>> {
  const loaded = loadUseCase(root, uc, uc.overrides);
  if (!loaded.ok) return fail(at(uc, loaded.errors));
  const sim = await simulate(loaded.value);
  if (!sim.ok) return fail(at(uc, sim.errors));
  const profile = getProfile(loaded.value.protocol.profile);
  const kindOf = new Map(sim.value.agents.map((a) => [a.id, a.kind]));
  const messages: TracedMessage[] = [];
  const errors: Diagnostic[] = [];
  sim.value.trace.messageLines.forEach((line, index) => {
    const wire = JSON.parse(line) as unknown;
    const parsed = profile.parse(wire, { assumeValid: true });
    if (!parsed.ok) {
      errors.push(...parsed.errors.map((d) => ({ ...d, message: `message ${index + 1}: ${d.message}` })));
      return;
    }
    const c = parsed.value.context;
    const callback = isCallback(parsed.value.action);
    const from = callback ? (c.bppId ?? '') : c.bapId;
    const to = callback ? c.bapId : (c.bppId ?? '');
    messages.push({ index, wire, parsed: parsed.value, from, to, fromKind: kindOf.get(from) ?? 'network', toKind: kindOf.get(to) ?? 'network' });
  });
  if (errors.length > 0) return fail(at(uc, errors));
  const scan = new BlockScan();
  for (const m of messages) scan.add(m.parsed.payload as Payload);
  let gridModes: GridModeComparison | undefined;
  if (uc.compareGridModes !== undefined) {
    const base = loadUseCase(root, uc, uc.compareGridModes);
    if (!base.ok) return fail(at(uc, base.errors));
    const compared = await compareGridModes(base.value);
    if (!compared.ok) return fail(at(uc, compared.errors));
    gridModes = compared.value;
  }
  const focus = focusSet(uc.focus ?? [], sim.value.directory.governmentId);
  const omitted = new Set(uc.omit ?? []);
  const shown = messages.filter((m) => (uc.focus === undefined || inFocus(m, focus)) && !omitted.has(topicOf(m)));
  return ok({ useCase: uc, scenario: loaded.value, sim: sim.value, messages, usage: scan.usage(), steps: flowSteps(shown), ...(gridModes === undefined ? {} : { gridModes }) });
}

/** The contract template or discover intent a message is about ('' for anything else). */
export function topicOf(m: TracedMessage): string {
  const p = m.parsed.payload as Payload;
  if (p.kind === 'contract') return p.contract.template ?? '';
  if (p.kind === 'discover') return p.intent.seek;
  // The answer to a grid-topology discover: the grid's nodes and no offer.
  if (p.kind === 'catalog' && p.catalogs.every((c) => c.offers.length === 0 && c.resources.length > 0 && c.resources.every((r) => r.attributes.type === 'GridNode'))) return 'grid-topology';
  return '';
}

/** A focus list as a membership test: ids, or prefixes ending in `*` (`driver-*`); the government always belongs. */
export function focusSet(focus: readonly string[], governmentId: string): { has(id: string): boolean } {
  const ids = new Set([...focus.filter((f) => !f.endsWith('*')), governmentId]);
  const prefixes = focus.filter((f) => f.endsWith('*')).map((f) => f.slice(0, -1));
  return { has: (id) => ids.has(id) || prefixes.some((p) => id.startsWith(p)) };
}

/** True when a message is between two focus parties and names no party outside them in its contract. */
export function inFocus(m: TracedMessage, focus: { has(id: string): boolean }): boolean {
  if (!focus.has(m.from) || !focus.has(m.to)) return false;
  const p = m.parsed.payload as Payload;
  if (p.kind !== 'contract') return true;
  return p.contract.roles.every((r) => r.filledBy === undefined || focus.has(r.filledBy));
}

function at(uc: UseCase, ds: readonly Diagnostic[]): Diagnostic[] {
  return ds.map((d) => ({ ...d, message: `${uc.name} (${uc.scenario}): ${d.message}` }));
}

/**
 * What kind of exchange a message is: its action, the kinds of its sender and receiver, and what
 * its payload carries (the intent sought, the contract template, curves, setpoints, readings,
 * charge data records, a settlement, a refusal).
 */
export function exchangeKey(m: TracedMessage): string {
  const p = m.parsed.payload as Payload;
  const parts = [m.parsed.action, m.fromKind, m.toKind];
  switch (p.kind) {
    case 'discover':
      parts.push(`seek ${p.intent.seek}`);
      break;
    case 'catalog':
      parts.push(p.catalogs.some((c) => c.offers.length > 0) ? 'offers' : 'no offer');
      break;
    case 'contract': {
      parts.push(p.contract.template ?? 'contract');
      if (p.contract.status === 'TERMINATED') parts.push('refused');
      if (p.contract.roles.some((r) => r.roleInputs?.['offerCurve'] !== undefined && r.roleInputs['offerCurve'] !== null) && !isCallback(m.parsed.action)) parts.push('curve');
      const d = p.delivery;
      if ((d?.setpoints?.length ?? 0) > 0) parts.push('setpoints');
      if ((d?.meterReadings?.length ?? 0) > 0) parts.push('readings');
      if ((d?.chargeDataRecords?.length ?? 0) > 0) parts.push('cdr');
      if ((d?.sessionEvents?.length ?? 0) > 0) parts.push(`session ${d?.sessionEvents?.map((e) => e.eventType).join('/')}`);
      if (p.settlement !== undefined) parts.push('settlement');
      break;
    }
    default:
      parts.push(p.kind);
  }
  return parts.join(' | ');
}

/** The first message of each kind of exchange, in trace order, numbered from 1 (at most {@link MAX_STEPS}). */
export function flowSteps(messages: readonly TracedMessage[]): FlowStep[] {
  const seen = new Set<string>();
  const steps: FlowStep[] = [];
  for (const m of messages) {
    const key = exchangeKey(m);
    if (seen.has(key)) continue;
    seen.add(key);
    steps.push({ n: steps.length + 1, key, message: m });
    if (steps.length === MAX_STEPS) break;
  }
  return steps;
}
