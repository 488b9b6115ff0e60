/**
 * Profiles and schema validation benchmark.
 *
 * Validation is on the hot path of every message (sender and receiver both validate), so this
 * measures, per profile and message size, the cost of each step a message goes through in the
 * protocol layer: build (domain payload → wire JSON), JSON.stringify, JSON.parse, validateMessage
 * (context, body and every attribute pack, with the x- rules), profile.parse (wire → payload,
 * after validation) and the ACK body, then the messages per second of the whole chain and the
 * share of validation in it. Messages: `status` (a reference, smallest), pay-as-clear `init`
 * (contract with an offer curve), EV `on_status` (contract, CDR, session events, settlement) and
 * `on_discover` catalogues of 1, 10 and 100 EVSE resources.
 *
 * Also reports the one-off cost of loading and compiling every schema.
 *
 * Run: npx tsx bench/validation.bench.ts [--quick]   (--quick: small messages, short timings)
 */
import { performance } from 'node:perf_hooks';
import { ack } from '../src/protocol/ack.js';
import type { Catalog, CatalogResource } from '../src/protocol/payloads.js';
import { getProfile, type Profile } from '../src/protocol/profiles/index.js';
import { evChargingTransaction, payAsClearTransaction, type Step } from '../src/protocol/profiles/test-support/transactions.js';
import { validateMessage, warmUpValidators } from '../src/protocol/validate.js';
import { PROFILE_IDS, type ProfileId } from '../src/protocol/context.js';

const quick = process.argv.includes('--quick');
const MIN_MS = quick ? 20 : 250;

/**
 * CPU microseconds per call of `fn` (user + system time of this process, so other load on a
 * shared machine does not inflate it), over batches until MIN_MS of CPU has been spent, after a
 * warm-up that lets the JIT settle.
 */
function usPerOp(fn: () => unknown): number {
  for (let i = 0; i < 200; i++) fn();
  let ops = 0;
  let batch = 16;
  const start = process.cpuUsage();
  let cpuUs = 0;
  while (cpuUs < MIN_MS * 1000) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    const d = process.cpuUsage(start);
    cpuUs = d.user + d.system;
    batch = Math.min(batch * 2, 4096);
  }
  return cpuUs / ops;
}

function catalogOf(n: number): Step<'on_discover'> {
  const base = evChargingTransaction()[1] as Step<'on_discover'>;
  const template = base.payload.catalogs[0] as Catalog;
  const evse = template.resources[0] as CatalogResource & { attributes: { type: 'EnergyResource' } };
  const resources: CatalogResource[] = Array.from({ length: n }, (_, i) => ({
    resourceId: `cpo-1/site-${Math.floor(i / 4)}/connector-${i}`,
    name: `Connector ${i}`,
    attributes: {
      type: 'EnergyResource',
      value: { ...evse.attributes.value, resourceId: `cpo-1/site-${Math.floor(i / 4)}/connector-${i}`, evse: { ...(evse.attributes.value.evse ?? { evseId: 'x', connectorType: 'IEC_62196_T2', powerType: 'AC_3_PHASE', maxPowerKW: 22 }), evseId: `IN*ECO*S${i}*A` } },
    },
  }));
  const offers = template.offers.map((o) => ({ ...o, resourceIds: resources.map((r) => r.resourceId) }));
  return { ...base, payload: { kind: 'catalog', catalogs: [{ ...template, resources, offers }] } };
}

const pac = payAsClearTransaction();
const ev = evChargingTransaction();
const messages: { name: string; step: Step }[] = [
  { name: 'status', step: pac.find((s) => s.action === 'status') as Step },
  { name: 'init (curve)', step: pac.find((s) => s.action === 'init') as Step },
  { name: 'on_status (CDR, settlement)', step: ev.find((s) => s.action === 'on_status') as Step },
  { name: 'on_discover ×1', step: catalogOf(1) },
  { name: 'on_discover ×10', step: catalogOf(10) },
  ...(quick ? [] : [{ name: 'on_discover ×100', step: catalogOf(100) }]),
];

const fmt = (x: number, d = 1): string => x.toFixed(d);
const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

const t0 = performance.now();
warmUpValidators();
const compileMs = performance.now() - t0;

// Let the JIT settle on every profile and message before anything is timed, so the first rows
// do not pay for optimisation the later ones get for free.
{
  const start = process.cpuUsage();
  const budgetUs = (quick ? 300 : 2000) * 1000;
  while (process.cpuUsage(start).user < budgetUs) {
    for (const id of PROFILE_IDS) {
      const profile = getProfile(id);
      for (const { step } of messages) {
        const received = JSON.parse(JSON.stringify(profile.build(step.action, step.context, step.payload as never))) as unknown;
        validateMessage(received, id);
        profile.parse(received, { assumeValid: true });
      }
    }
  }
}

process.stdout.write(`schemas loaded and every validator compiled in ${fmt(compileMs, 0)} ms (once per process)\n`);
process.stdout.write(`timings: CPU µs per message, each step timed separately${quick ? ' (--quick)' : ''}\n\n`);
const header = [pad('profile', 16), pad('message', 28), lpad('bytes', 7), lpad('build', 7), lpad('stringify', 9), lpad('JSON.parse', 10), lpad('validate', 9), lpad('parse', 7), lpad('ack', 5), lpad('chain', 8), lpad('msg/s', 8), lpad('validate %', 10)];
process.stdout.write(`${header.join(' ')}\n${'-'.repeat(header.join(' ').length)}\n`);

let validated = 0;
for (const id of PROFILE_IDS) {
  const profile: Profile = getProfile(id);
  for (const { name, step } of messages) {
    const wire = profile.build(step.action, step.context, step.payload as never);
    const text = JSON.stringify(wire);
    const received = JSON.parse(text) as unknown;
    const check = validateMessage(received, id as ProfileId);
    if (check.length > 0) throw new Error(`${id} ${name} is invalid: ${JSON.stringify(check)}`);
    const build = usPerOp(() => profile.build(step.action, step.context, step.payload as never));
    const stringify = usPerOp(() => JSON.stringify(wire));
    const jsonParse = usPerOp(() => JSON.parse(text));
    const validate = usPerOp(() => {
      validated++;
      return validateMessage(received, id);
    });
    const parse = usPerOp(() => profile.parse(received, { assumeValid: true }));
    const ackUs = usPerOp(() => ack(received));
    // Sender: build, validate, stringify. Receiver: JSON.parse, validate, parse, ACK.
    const chain = build + validate + stringify + jsonParse + validate + parse + ackUs;
    const row = [
      pad(id, 16),
      pad(name, 28),
      lpad(String(text.length), 7),
      lpad(fmt(build), 7),
      lpad(fmt(stringify), 9),
      lpad(fmt(jsonParse), 10),
      lpad(fmt(validate), 9),
      lpad(fmt(parse), 7),
      lpad(fmt(ackUs), 5),
      lpad(fmt(chain), 8),
      lpad(fmt(1e6 / chain, 0), 8),
      lpad(fmt((200 * validate) / chain, 0), 10),
    ];
    process.stdout.write(`${row.join(' ')}\n`);
  }
}
process.stdout.write(`\nchain = build + validate + stringify (sender) + JSON.parse + validate + parse + ack (receiver); validate % counts both validations.\n\n`);

// The realistic mix: every message of both fixture transactions, validated in turn.
for (const id of PROFILE_IDS) {
  const profile = getProfile(id);
  const mix = [...pac, ...ev].map((s) => JSON.parse(JSON.stringify(profile.build(s.action, s.context, s.payload as never))) as unknown);
  let i = 0;
  const us = usPerOp(() => validateMessage(mix[i++ % mix.length], id));
  process.stdout.write(`${pad(id, 16)} validateMessage over the ${mix.length} messages of both transactions: ${fmt(us)} µs/message = ${fmt(1e6 / us, 0)} validations/s per core\n`);
}
process.stdout.write(`${validated} validations timed in ${fmt((performance.now() - t0) / 1000, 1)} s\n`);
