import { InvalidArgumentError, type Command } from 'commander';
import { runScenario } from '../../run/run.js';
import type { RemoteSetup } from '../../run/remote.js';
import { collect, parseIntOption, printDiagnostics, progressBar } from '../io.js';

/** Parses one `--remote <agentId>=<url>` and adds it to the ones before (an agent named twice is a usage error). */
export function remoteOption(value: string, previous: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const m = /^([^=\s]+)=(https?:\/\/\S+)$/.exec(value);
  if (m === null) throw new InvalidArgumentError(`expected <agentId>=<http(s) URL of its node>, e.g. mca=http://127.0.0.1:9001, got "${value}"`);
  const [, id, url] = m as unknown as [string, string, string];
  try {
    new URL(url);
  } catch {
    throw new InvalidArgumentError(`not a URL: "${url}"`);
  }
  if (previous.has(id)) throw new InvalidArgumentError(`${id} is named twice`);
  return new Map([...previous, [id, url]]);
}

/** Parses `--listen <host>[:<port>]` (IPv6 in brackets). */
export function listenOption(value: string): { readonly host: string; readonly port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s[\]]+)(?::(\d{1,5}))?$/.exec(value);
  const port = Number(m?.[2] ?? 0);
  if (m === null || port > 65535) throw new InvalidArgumentError(`expected <host>[:<port>], e.g. 0.0.0.0:9100, got "${value}"`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

/** The remote part of a run from its options; undefined for an all-in-process run. */
export function remoteSetup(o: { remote?: ReadonlyMap<string, string>; controlToken?: string; listen?: { host: string; port: number }; advertise?: string }): RemoteSetup | undefined {
  if (o.remote === undefined || o.remote.size === 0) return undefined;
  return {
    nodes: o.remote,
    ...(o.controlToken === undefined || o.controlToken === '' ? {} : { controlToken: o.controlToken }),
    ...(o.listen === undefined ? {} : { listenHost: o.listen.host, listenPort: o.listen.port }),
    ...(o.advertise === undefined ? {} : { advertisedUrl: o.advertise }),
  };
}

/** `degsim run <scenario>`: simulate a scenario and write its reports. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run a scenario and write its reports (clearing, dispatch, flows, settlement, trace, summary, report.html)')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('-o, --out <dir>', 'output folder (default: runs/<scenario name>)')
    .option('--seed <n>', 'replace the scenario seed', parseIntOption('--seed'))
    .option('--set <path=value>', 'override a scenario field, e.g. market.feePerKWh=0.2 (repeatable)', collect, [])
    .option('-q, --quiet', 'print only errors and the output folder')
    .option('--remote <agentId=url>', 'a mixed run: drive this agent on the `degsim serve` node at url (repeatable)', remoteOption)
    .option('--control-token <token>', 'shared secret of the control calls to the nodes (default $DEGSIM_CONTROL_TOKEN)')
    .option('--listen <host[:port]>', 'where the nodes reach this run’s callback endpoint (default 127.0.0.1, any port)', listenOption)
    .option('--advertise <url>', 'the callback URL to give the nodes, when it differs from --listen (NAT, containers)')
    .addHelpText('after', '\nExamples:\n  $ degsim run scenarios/default.yaml\n  $ degsim run scenarios/default.yaml --seed 7 --set protocol.profile=deg-order-draft --out runs/order\n  $ degsim run scenarios/default.yaml --remote mca=http://127.0.0.1:9001 --remote utility=http://127.0.0.1:9001')
    .action(async (scenario: string, o: { out?: string; seed?: number; set: string[]; quiet?: boolean; remote?: Map<string, string>; controlToken?: string; listen?: { host: string; port: number }; advertise?: string }) => {
      const remote = remoteSetup({ ...o, ...(o.controlToken === undefined && process.env['DEGSIM_CONTROL_TOKEN'] !== undefined ? { controlToken: process.env['DEGSIM_CONTROL_TOKEN'] } : {}) });
      const bar = progressBar('simulating', 1, o.quiet !== true);
      const outcome = await runScenario({
        scenarioPath: scenario,
        overrides: o.set,
        ...(o.seed === undefined ? {} : { seed: o.seed }),
        ...(o.out === undefined ? {} : { outDir: o.out }),
        ...(remote === undefined ? {} : { remote }),
        onProgress: (done, total) => {
          bar.tick(done * (1 / total));
        },
      });
      bar.done();
      if (!outcome.ok) {
        printDiagnostics(outcome.errors);
        process.exitCode = 1;
        return;
      }
      if (o.quiet !== true) {
        const s = outcome.summary;
        const p = s.price;
        process.stdout.write(
          `${s.scenario}: ${s.intervals} intervals, ${s.energyTradedKWh.toFixed(1)} kWh traded, price ${p.mean === null ? '–' : `${p.mean.toFixed(2)} (${p.min?.toFixed(2)}–${p.max?.toFixed(2)})`} ${s.currency}/kWh, ${s.messages} messages, ${s.transformerViolations} transformer violations\n`,
        );
      }
      process.stdout.write(`reports written to ${outcome.outDir}\n`);
    });
}
