import type { EnergyContract, RoleInputValue } from '../contracts/model.js';
import type { Payload } from '../protocol/payloads.js';
import { isCallback } from '../protocol/payloads.js';
import { buildSequenceDiagram, toMermaid, type ScenarioParticipantRef } from '../../reports/diagram/index.js';
import { moneyFlowMarkdown } from '../../reports/settlement/money-flow.js';
import { BLOCK_INFO, BLOCKS, schemaFields, SUPPORTING_PACKS, type Block, type BlockUsage, type Pack } from './blocks.js';
import { gridModesMarkdown } from './grid-modes.js';
import type { DocRun, FlowStep, TracedMessage } from './run.js';

/**
 * The Markdown and JSON of the use-case docs, from documented runs. Pure text: no clock, no
 * absolute paths; links are relative within `docs/`.
 */

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const num = (x: number, d: number): string => {
  const v = x.toFixed(d);
  return /^-0(\.0*)?$/.test(v) ? v.slice(1) : v;
};

/** File name of a step's example message: `<NN>-<action>.json`. */
export function exampleFileName(step: FlowStep): string {
  return `${String(step.n).padStart(2, '0')}-${step.message.parsed.action}.json`;
}

/** A step's example message as written: the wire JSON, indented, with a final newline. */
export function exampleJson(step: FlowStep): string {
  return `${JSON.stringify(step.message.wire, null, 2)}\n`;
}

function curvePoints(v: RoleInputValue | undefined): number | undefined {
  return v !== null && typeof v === 'object' ? v.curve.length : undefined;
}

/** What a message carries, in a few words. */
export function carries(m: TracedMessage): string {
  const p = m.parsed.payload as Payload;
  switch (p.kind) {
    case 'discover': {
      const i = p.intent;
      const extra =
        i.seek === 'energy-market'
          ? (i.pricingModel ?? '')
          : i.seek === 'flexibility'
            ? [i.direction, i.gridNodeId].filter((x) => x !== undefined).join(' at ')
            : i.seek === 'energy-offer'
              ? `to fill ${i.openRole}`
              : i.seek === 'ev-charging'
                ? [i.near === undefined ? undefined : `within ${i.near.radiusMeters} m`, i.connectorTypes?.join('/')].filter((x) => x !== undefined).join(', ')
                : '';
      return `intent ${i.seek}${extra === '' ? '' : ` (${extra})`}`;
    }
    case 'catalog': {
      const offers = p.catalogs.flatMap((c) => c.offers);
      const resources = p.catalogs.flatMap((c) => c.resources.map((r) => (r.attributes.type === 'EnergyResource' ? r.attributes.value.resourceType : r.attributes.type)));
      if (offers.length === 0 && resources.length === 0) return 'empty catalogue';
      const kinds = [...new Set(resources)].join(', ');
      return `catalogue: ${offers.length} offer${offers.length === 1 ? '' : 's'}${offers.length > 0 ? ` (${[...new Set(offers.map((o) => o.offerId))].slice(0, 3).join(', ')}${offers.length > 3 ? ', …' : ''})` : ''}${kinds === '' ? '' : `; resources ${kinds}`}`;
    }
    case 'contract': {
      const c = p.contract;
      const parts = [`${c.contractId} (${c.template ?? 'contract'}, ${c.status})`];
      if (!isCallback(m.parsed.action)) {
        for (const r of c.roles) {
          const n = curvePoints(r.roleInputs?.['offerCurve']);
          if (n !== undefined && r.filledBy === m.from) parts.push(`curve of ${n} points`);
        }
      }
      const refusal = c.roles.map((r) => r.roleInputs?.['refusal']).find((x) => typeof x === 'string');
      if (typeof refusal === 'string') parts.push(refusal);
      const d = p.delivery;
      for (const s of d?.setpoints ?? []) parts.push(`setpoint ${num(s.targetPowerKW, 3)} kW${(s.offsetKW ?? 0) !== 0 ? ` (offset ${num(s.offsetKW ?? 0, 3)} kW)` : ''}${s.commands?.[0] === undefined ? '' : s.commands[0].standard === 'OCPP' ? ' + OCPP SetChargingProfile' : ' + IEEE 2030.5 DERControl'}`);
      for (const s of d?.signalValues ?? []) parts.push(`${s.signalId} ${num(s.value, 4)} ${s.unit}`);
      if ((d?.meterReadings?.length ?? 0) > 0) parts.push(`${d?.meterReadings?.length} meter reading${d?.meterReadings?.length === 1 ? '' : 's'}`);
      for (const r of d?.chargeDataRecords ?? []) parts.push(`CDR ${num(r.energyKWh, 3)} kWh`);
      for (const e of d?.sessionEvents ?? []) parts.push(`session ${e.eventType}${e.stoppedReason === undefined ? '' : ` (${e.stoppedReason})`}`);
      if (p.settlement !== undefined) parts.push(`settlement: ${p.settlement.lines.length} line${p.settlement.lines.length === 1 ? '' : 's'}`);
      return parts.join('; ');
    }
    case 'contractRef':
      return `contract ${p.contractId}`;
    case 'trackRequest':
      return `track ${p.contractId}`;
    case 'tracking':
      return `tracking ${p.contractId} (${p.active ? 'active' : 'inactive'})`;
    case 'rating':
      return `${p.ratings.length} rating${p.ratings.length === 1 ? '' : 's'}`;
    case 'ratingReceipt':
      return 'rating received';
    case 'supportRequest':
      return `support for ${p.refId}`;
    case 'supportInfo':
      return 'support contacts';
  }
}

/** The parties of a run for the diagram: every agent with its kind. */
function parties(run: DocRun): ScenarioParticipantRef[] {
  return run.sim.agents.map((a) => ({ id: a.id, kind: a.kind === 'aggregator-member' ? (run.sim.directory.kindOf(a.id) ?? a.kind) : a.kind }));
}

/** The Mermaid sequence diagram of the flow: the step messages, in trace order. */
export function flowDiagram(run: DocRun): string {
  const acks = run.sim.trace.ackLines.map((l) => JSON.parse(l) as unknown);
  const d = buildSequenceDiagram(
    run.steps.map((s) => s.message.wire),
    { participants: parties(run), acks, clock: { start: run.scenario.start, intervalMinutes: run.scenario.intervalMinutes }, title: run.useCase.title },
  );
  return toMermaid(d, { fenced: true });
}

function roleInputText(name: string, v: RoleInputValue): string {
  if (v === null) return `${name}: open`;
  if (typeof v === 'object') return `${name}: curve of ${v.curve.length} points`;
  return `${name}: ${typeof v === 'number' ? num(v, Number.isInteger(v) ? 0 : 4) : String(v)}`;
}

/** A contract's terms: roles, parameters, signals, telemetry and each revenue flow's formulas. */
export function contractMarkdown(c: EnergyContract, count: number): string {
  const lines: string[] = [];
  lines.push(`### \`${c.template ?? 'untemplated'}\` — e.g. \`${c.contractId}\`${count > 1 ? ` (one of ${count} in the run)` : ''}`, '');
  const roles = c.roles.map((r) => `${r.role} = ${r.filledBy ?? 'open'}${Object.keys(r.roleInputs ?? {}).length === 0 ? '' : ` (${Object.entries(r.roleInputs ?? {}).map(([k, v]) => roleInputText(k, v)).join(', ')})`}`);
  lines.push(`Roles: ${roles.join('; ')}.`, '');
  const params = Object.entries(c.inputParameters ?? {});
  if (params.length > 0) lines.push(`Parameters: ${params.map(([k, p]) => `${k} = ${num(p.value, Number.isInteger(p.value) ? 0 : 4)} ${p.unit}`).join('; ')}.`, '');
  if ((c.inputSignals ?? []).length > 0) lines.push(`Signals: ${(c.inputSignals ?? []).map((s) => `\`${s.signalId}\` (${s.unit}, from ${s.source.era})`).join('; ')}.`, '');
  const tele = c.telemetrySources ?? [];
  if (tele.length > 0) {
    const shown = tele.slice(0, 4).map((t) => `\`${t.sourceId}\` (${t.sourceType}${t.source.meterId === undefined ? '' : ` ${t.source.meterId}`}: ${t.fields.join(', ')})`);
    lines.push(`Telemetry: ${shown.join('; ')}${tele.length > 4 ? `; and ${tele.length - 4} more` : ''}.`, '');
  }
  lines.push('| flow | kind | payer → payee | quantity | rate | when |', '|---|---|---|---|---|---|');
  for (const f of c.revenueFlows.flows) lines.push(`| ${f.flowId} | ${f.kind} | ${f.from} → ${f.to} | \`${cell(f.quantity)}\` ${f.unit} | \`${cell(f.rate)}\` | ${f.condition === undefined ? 'every period' : `\`${cell(f.condition)}\``} |`);
  lines.push('');
  return lines.join('\n');
}

/** The contracts of a run: one representative per template, in template order. */
export function contractsMarkdown(run: DocRun): string {
  const byTemplate = new Map<string, EnergyContract[]>();
  for (const c of run.sim.settlement.heldContracts()) {
    const t = c.template ?? 'untemplated';
    byTemplate.set(t, [...(byTemplate.get(t) ?? []), c]);
  }
  const out: string[] = [];
  for (const t of [...byTemplate.keys()].sort()) {
    const list = byTemplate.get(t) ?? [];
    const first = list[0];
    if (first !== undefined) out.push(contractMarkdown(first, list.length));
  }
  return out.length === 0 ? 'No contract became active in the documented run.\n' : out.join('\n');
}

function ways(usage: BlockUsage, pack: Pack): string {
  const e = usage.packs.get(pack);
  if (e === undefined) return '';
  return [...e.ways].map(([w, n]) => `${w} (${n})`).join(', ');
}

/** A use case's page. */
export function useCaseMarkdown(run: DocRun, profileNote: string): string {
  const uc = run.useCase;
  const s = run.scenario;
  const intervals = run.sim.clock.intervals;
  const lines: string[] = [];
  lines.push(`# ${uc.title}`, '', uc.story, '');
  lines.push(`Scenario: [\`${uc.scenario}\`](../../${uc.scenario}). Documented run: ${uc.runNote} — ${intervals} interval${intervals === 1 ? '' : 's'} of ${s.intervalMinutes} min from ${s.start}, seed ${s.seed}${uc.overrides.length === 0 ? '' : ` (\`${uc.overrides.map((o) => `--set ${o}`).join(' ')}\`)`}; ${run.messages.length} messages, every one valid against the \`${s.protocol.profile}\` schemas.`, '');
  lines.push('## Building blocks', '', '| block | used | how this run carries it (messages) |', '|---|:---:|---|');
  for (const b of BLOCKS) lines.push(`| [${BLOCK_INFO[b].title}](../building-blocks.md#${anchor(BLOCK_INFO[b].title)}) | ${run.usage.packs.has(b) ? '✓' : '–'} | ${ways(run.usage, b) || '—'} |`);
  const supporting = SUPPORTING_PACKS.filter((p) => run.usage.packs.has(p));
  if (supporting.length > 0) lines.push('', `Parts and companions of the blocks in this run: ${supporting.map((p) => `${p} (${ways(run.usage, p)})`).join('; ')}.`);
  lines.push('', '## Sequence', '', `The first message of each kind of exchange in the run, in order (${profileNote}).`, '', flowDiagram(run));
  lines.push('## Example messages', '', 'One message per step, taken from the run; each file validates with `degsim validate`.', '', '| step | action | from → to | carries | message |', '|---:|---|---|---|---|');
  for (const step of run.steps) {
    const m = step.message;
    lines.push(`| ${step.n} | ${m.parsed.action} | ${m.from} → ${m.to} | ${cell(carries(m))} | [${exampleFileName(step)}](../examples/${uc.name}/${exampleFileName(step)}) |`);
  }
  lines.push('', '## Contracts and their revenue flows', '', 'Each contract that became ACTIVE in the run, one per template; amounts are quantity × rate each period (a negative product reverses payer and payee).', '', contractsMarkdown(run));
  lines.push(moneyFlowMarkdown(run.sim.settlement.ledger, '## Money flows of the run'));
  if (run.gridModes !== undefined) {
    lines.push('## Grid services compared', '', `The same scenario and seed (\`${(uc.compareGridModes ?? []).map((o) => `--set ${o}`).join(' ')}\`), cleared three ways: \`exact\` enforces every transformer limit in the clearing, \`policy\` prices the utility’s forecast loading into adders and only checks the flows, \`none\` clears one copper-plate price. A violation is one transformer in one interval beyond its limit in the power flow. What avoiding them costs is the trade the limits held back: in each interval the energy \`none\` traded beyond the mode, valued at \`none\`’s price. The participants’ net is what all market participants received less what they paid (it leaves out the value of the energy they did not trade).`, '', gridModesMarkdown(run.gridModes));
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** GitHub's heading anchor of a title. */
export function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** A finding about the blocks, with the evidence it rests on. */
export interface Finding {
  readonly title: string;
  readonly text: string;
}

/** `docs/building-blocks.md`: the blocks, their slots, the matrix of use cases × blocks, and the findings. */
export function buildingBlocksMarkdown(runs: readonly DocRun[], findings: readonly Finding[]): string {
  const lines: string[] = [];
  lines.push('# Building blocks', '');
  lines.push('Every use case of the Digital Energy Grid that degsim runs is composed from six blocks, carried in the standard Beckn slots, each a JSON-LD attribute pack with its schema in `schemas/energy/`. This page is generated by `degsim docs` from the documented runs of the use cases: the matrix shows which blocks each run’s messages carry.', '');
  for (const b of BLOCKS) {
    const i = BLOCK_INFO[b];
    lines.push(`## ${i.title}`, '', i.what, '', `- Schema: [\`schemas/energy/${i.schema}\`](../schemas/energy/${i.schema})`, `- Beckn slot: ${i.slot}`, `- Used by: ${runs.filter((r) => r.usage.packs.has(b)).map((r) => `[${r.useCase.name}](use-cases/${r.useCase.name}.md)`).join(', ') || 'no use case'}`, '');
  }
  lines.push('## Use cases × blocks', '', `Messages of each documented run that carry the block.`, '');
  lines.push(`| use case | ${BLOCKS.map((b) => BLOCK_INFO[b].title).join(' | ')} |`, `|---|${BLOCKS.map(() => '---:').join('|')}|`);
  for (const r of runs) lines.push(`| [${r.useCase.title}](use-cases/${r.useCase.name}.md) | ${BLOCKS.map((b) => String(r.usage.packs.get(b)?.messages ?? '–')).join(' | ')} |`);
  lines.push('', 'Parts and companions of the blocks (messages carrying them):', '');
  lines.push(`| use case | ${SUPPORTING_PACKS.join(' | ')} |`, `|---|${SUPPORTING_PACKS.map(() => '---:').join('|')}|`);
  for (const r of runs) lines.push(`| [${r.useCase.title}](use-cases/${r.useCase.name}.md) | ${SUPPORTING_PACKS.map((p) => String(r.usage.packs.get(p)?.messages ?? '–')).join(' | ')} |`);
  const missing = runs.flatMap((r) => BLOCKS.filter((b) => !r.usage.packs.has(b)).map((b) => `${r.useCase.name} without ${b}`));
  lines.push('', '## Are more blocks needed? Is each as simple as it can be?', '');
  const all = runs.length;
  const usedBy = (b: Block): number => runs.filter((r) => r.usage.packs.has(b)).length;
  lines.push(`**More blocks.** ${all} use cases ran on the six blocks and the packs that make them up; no run needed a message part outside them. Use of each block: ${BLOCKS.map((b) => `${BLOCK_INFO[b].title} ${usedBy(b)}/${all}`).join(', ')}.${missing.length === 0 ? '' : ` Blocks a use case does without: ${missing.join('; ')} — a use case that needs fewer blocks is simpler, not incomplete.`}`, '');
  for (const f of findings) lines.push(`- **${f.title}.** ${f.text}`);
  lines.push('', '**As simple as it can be.** Fields of each pack that no use case set (candidates to drop, or to keep only where another deployment needs them):', '');
  lines.push('| pack | fields used | fields never set |', '|---|---:|---|');
  for (const p of [...BLOCKS, ...SUPPORTING_PACKS] as Pack[]) {
    const defined = schemaFields(p);
    const used = new Set(runs.flatMap((r) => [...(r.usage.fields.get(p) ?? [])]));
    const unused = defined.filter((f) => !used.has(f));
    lines.push(`| ${p} | ${defined.length - unused.length} of ${defined.length} | ${unused.length === 0 ? '—' : unused.map((f) => `\`${f}\``).join(', ')} |`);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
