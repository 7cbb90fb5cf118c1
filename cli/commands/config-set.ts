/**
 * `govfed config set --home DIR KEY VALUE [--json]` (KEY: jurisdiction, listen, api, ingestWorkers,
 * store.shared, store.leaseMs, http.rateLimit.perIp|perToken|ingestPerToken, http.trustProxy) — changes
 * one value of config.json (validated, written atomically) and re-signs the member card.
 */

import { SETTABLE_KEYS } from '../../node/home/settable-keys.ts';
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION } from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveHome, runningDaemon } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'config set';
/** The settable keys alone (settable-keys.ts has no imports: --help stays fast). */
const KEYS = SETTABLE_KEYS;

export const configSetCommand: CommandSpec = {
  name: NAME,
  summary:
    "Change the node's jurisdiction, listen or API address, ingest workers, shared store, or per-client rate limits.",
  usage: `${NAME} --home DIR KEY VALUE [--json]`,
  description: `
KEY is one of:
  jurisdiction  where the node operates, e.g. DE, US-CA, EU (A-Z 0-9 -, 2..16, starting with a letter);
                it must be the jurisdiction the federation's charter gives this node: 'federation
                join' refuses an invite that names another one (ERR_JURISDICTION_MISMATCH)
  listen        the libp2p TCP multiaddr, e.g. /ip4/203.0.113.5/tcp/7371 (port 0: any free port)
  api           the HTTP API address HOST:PORT, e.g. 127.0.0.1:7370 (port 0: any free port)
  ingestWorkers the threads that parse, check and seal decisions: 0..16 (0: the main thread does it), or
                auto (the default: one per core from two cores on, at most 4)
  store.shared  true: several govfed processes of the org run on this node's PostgreSQL database, one
                holding the writer lease, the others following ('govfed ha add-process' makes their
                homes); false (the default): one process. Only for a log in PostgreSQL ('govfed init
                --store', 'govfed store migrate'); set it on every home of the org
  store.leaseMs the writer lease in ms, 300..600000 (default 10000): how long the processes wait for a
                leader that died before one of them takes over
  http.rateLimit.perIp
                requests a minute one client address may make to the routes without a token (default
                1200; 0: no limit); over it: 429 ERR_RATE_LIMITED with Retry-After
  http.rateLimit.perToken
                requests a minute one token may make to the routes with a token (default 12000; 0: off)
  http.rateLimit.ingestPerToken
                requests a minute one token may make to POST /v1/decisions and POST /v1/evaluate
                (default 0: not limited; ingest has its own backpressure, 503 ERR_BACKPRESSURE)
  http.trustProxy
                the reverse proxies whose X-Forwarded-For names the client, comma-separated: addresses,
                ADDRESS/PREFIX ranges, loopback, linklocal, uniquelocal; none (the default): the client
                is the TCP peer and X-Forwarded-For is ignored
The value is checked, config.json is written atomically, and DIR/member-card.json is signed again so it
says the same. A bad key or value is a usage error (exit 2) and changes nothing. The daemon reads
config.json only when it starts: if it is running, the change takes effect at the next start (the
command says so; restart with 'govfed stop --home DIR' and 'govfed start --home DIR'). Changing the
jurisdiction of a node that is already a member does not change the charter. --json prints {key,
previous, value, changed, running, restartRequired, memberCard}.`,
  options: { ...HOME_OPTION, ...JSON_OPTION },
  positionals: [
    { name: 'KEY', description: `one of ${KEYS.join(', ')}` },
    { name: 'VALUE', description: 'the new value' },
  ],
  examples: [
    'govfed config set --home ./us jurisdiction US',
    'govfed config set --home ./us listen /ip4/203.0.113.5/tcp/7371',
    'govfed config set --home ./us ingestWorkers 2',
    'govfed config set --home ./us store.shared true',
    'govfed config set --home ./us http.rateLimit.perIp 600',
    'govfed config set --home ./us http.trustProxy loopback',
  ],
  async run(args, io) {
    const home = resolveHome(args, io, NAME);
    const [key, value] = args.positionals;
    if (key === undefined || value === undefined) throw new UsageError(`${NAME}: KEY and VALUE are required`);
    const { setConfigValue } = await import('../../node/home/config-set.ts');
    let r: Awaited<ReturnType<typeof setConfigValue>>;
    try {
      r = await setConfigValue(home, key, value);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_VALIDATION')
        throw new UsageError(`${NAME}: ${(err as Error).message}`);
      throw err;
    }
    const running = runningDaemon(home) !== undefined;
    const restartRequired = running && r.changed;
    if (booleanOption(args, 'json')) {
      io.stdout(
        formatJson({
          key: r.key,
          previous: r.previous,
          value: r.value,
          changed: r.changed,
          running,
          restartRequired,
          memberCard: r.card.path,
        }),
      );
      return ExitCode.OK;
    }
    io.stdout(
      r.changed ? `${r.key}: ${r.previous} → ${r.value}\n` : `${r.key} is already ${r.value}: nothing changed\n`,
    );
    io.stdout(`member card re-signed: ${r.card.path}\n`);
    if (restartRequired) {
      io.stdout(
        `the running node still uses ${r.previous}: restart it (govfed stop --home ${home} && govfed start --home ${home})\n`,
      );
    }
    return ExitCode.OK;
  },
};
