import { InvalidArgumentError, type Command } from 'commander';
import { formatDiagnostic } from '../../diagnostics.js';
import { loadRegistry, type SubscriberRegistry } from '../../protocol/registry.js';
import { loadScenarioFile } from '../../scenario/loader.js';
import { startNode, type SimNode } from '../../run/serve.js';
import { collect, parseIntOption } from '../io.js';

/** Where the command writes; stdout and stderr in the CLI, buffers in tests. */
export interface Out {
  write(text: string): boolean;
}

/** Options of `degsim serve`. */
export interface ServeOptions {
  readonly scenario: string;
  /** Agent ids to serve (each `--agent` may list several, comma-separated). */
  readonly agents: readonly string[];
  readonly port: number;
  readonly host: string;
  readonly seed?: number;
  readonly set: readonly string[];
  readonly registry?: string;
  readonly controlToken?: string;
  readonly maxBodyBytes?: number;
  readonly rate?: number;
  readonly burst?: number;
}

/**
 * Loads the scenario (and registry), starts the node and prints where it serves. Returns the
 * running node, or exit code 1 with the diagnostics printed.
 */
export async function startServe(o: ServeOptions, stdout: Out, stderr: Out): Promise<SimNode | 1> {
  const report = (ds: readonly { code: string; path: string; message: string }[]): 1 => {
    for (const d of ds) stderr.write(`${formatDiagnostic(d)}\n`);
    return 1;
  };
  const loaded = loadScenarioFile(o.scenario, { overrides: o.set, ...(o.seed === undefined ? {} : { seed: o.seed }) });
  if (!loaded.ok) return report(loaded.errors);
  let registry: SubscriberRegistry | undefined;
  if (o.registry !== undefined) {
    const r = await loadRegistry(o.registry);
    if (!r.ok) return report(r.errors);
    registry = r.value;
  }
  const limits = {
    ...(o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes }),
    ...(o.rate === undefined ? {} : { ratePerSec: o.rate }),
    ...(o.burst === undefined ? {} : { burst: o.burst }),
  };
  const node = await startNode({
    scenario: loaded.value,
    agentIds: o.agents,
    port: o.port,
    host: o.host,
    limits,
    ...(registry === undefined ? {} : { registry }),
    ...(o.controlToken === undefined ? {} : { controlToken: o.controlToken }),
  });
  if (!node.ok) return report(node.errors);
  const n = node.value;
  stdout.write(`serving ${n.agentIds.join(', ')} of ${loaded.value.name} (seed ${loaded.value.seed}) at ${n.url}\n`);
  for (const id of n.agentIds) stdout.write(`  ${id}: POST ${n.url}/${id}/{action}${n.agentIds.length === 1 ? ` or ${n.url}/{action}` : ''}\n`);
  stdout.write(`  health: GET ${n.url}/health, simulation status: GET ${n.url}/_sim/status\n`);
  stdout.write(`drive it with: degsim run ${o.scenario}${n.agentIds.map((id) => ` --remote ${id}=${n.url}`).join('')}\n`);
  return n;
}

/** Serves until `stop` resolves, then shuts down gracefully. Returns the exit code. */
export async function serveUntil(o: ServeOptions, stop: Promise<unknown>, stdout: Out, stderr: Out): Promise<number> {
  const node = await startServe(o, stdout, stderr);
  if (node === 1) return 1;
  await stop;
  stdout.write('shutting down: finishing requests in flight\n');
  await node.close();
  const s = node.status();
  stdout.write(`served ${s.http.received} requests (${s.http.acked} ACK, ${s.http.nacked} NACK), ${s.activity.sent} messages sent\n`);
  return 0;
}

function agentList(value: string, previous: readonly string[] = []): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new InvalidArgumentError('name at least one agent id');
  return [...previous, ...ids];
}

function host(value: string): string {
  if (value === '' || /[\s/]/.test(value)) throw new InvalidArgumentError(`not a host name or address: "${value}"`);
  return value;
}

/** `degsim serve <scenario> --agent <id>[,<id>…] --port N`: serve agents of a scenario as Beckn HTTP nodes. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('serve agents of a scenario as Beckn HTTP endpoints, for a mixed run driven by `degsim run --remote`')
    .argument('<scenario>', 'scenario file (YAML): the same file, --seed and --set as the driving run')
    .requiredOption('--agent <ids>', 'agent id(s) to serve, comma-separated (repeatable)', agentList)
    .option('--port <n>', 'TCP port (0: any free port)', parseIntOption('--port'), 0)
    .option('--host <host>', 'address to listen on', host, '127.0.0.1')
    .option('--seed <n>', 'replace the scenario seed', parseIntOption('--seed'))
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect, [])
    .option('--registry <file>', 'verify incoming messages against this registry (e.g. a run’s registry.json with a key revoked)')
    .option('--control-token <token>', 'shared secret of the driver’s control calls (default $DEGSIM_CONTROL_TOKEN); required off loopback')
    .option('--max-body-bytes <n>', 'largest request body (default 1 MiB, as the in-process bus)', parseIntOption('--max-body-bytes'))
    .option('--rate <n>', 'sustained requests per second per client', parseIntOption('--rate'))
    .option('--burst <n>', 'requests a client may send at once above the rate', parseIntOption('--burst'))
    .addHelpText(
      'after',
      `
The node builds the whole run from the scenario and seed (so it holds the same keys) and serves the
named agents: POST /{agentId}/{action} (or /{action} when it serves one), ACK/NACK synchronously,
GET /health. It runs at the simulated time the driving run gives it and stops on SIGINT/SIGTERM,
letting requests in flight finish.

Examples:
  $ degsim serve scenarios/default.yaml --agent mca,utility --port 9001
  $ degsim run scenarios/default.yaml --remote mca=http://127.0.0.1:9001 --remote utility=http://127.0.0.1:9001`,
    )
    .action(async (scenario: string, opts: { agent: string[]; port: number; host: string; seed?: number; set: string[]; registry?: string; controlToken?: string; maxBodyBytes?: number; rate?: number; burst?: number }) => {
      const token = opts.controlToken ?? process.env['DEGSIM_CONTROL_TOKEN'];
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      process.exitCode = await serveUntil(
        {
          scenario,
          agents: opts.agent,
          port: opts.port,
          host: opts.host,
          set: opts.set,
          ...(opts.seed === undefined ? {} : { seed: opts.seed }),
          ...(opts.registry === undefined ? {} : { registry: opts.registry }),
          ...(token === undefined || token === '' ? {} : { controlToken: token }),
          ...(opts.maxBodyBytes === undefined ? {} : { maxBodyBytes: opts.maxBodyBytes }),
          ...(opts.rate === undefined ? {} : { rate: opts.rate }),
          ...(opts.burst === undefined ? {} : { burst: opts.burst }),
        },
        stop,
        process.stdout,
        process.stderr,
      );
    });
}
