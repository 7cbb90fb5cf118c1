/**
 * `govfed ha add-process --from DIR --home NEW [--api HOST:PORT] [--listen MULTIADDR] [--json]` — makes
 * NEW, a home of DIR's org node for another govfed process on the same PostgreSQL database
 * (node/home/add-process.ts). No business logic here: arguments, the call, the output.
 */
import { booleanOption, type CommandSpec, JSON_OPTION, parseHostPort, requireOption, stringOption } from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatJson, formatKeyValues } from '../output.ts';

const NAME = 'ha add-process';

export const haAddProcessCommand: CommandSpec = {
  name: NAME,
  summary: "Make a home for another process of this org's node on the same PostgreSQL database.",
  usage: `${NAME} --from DIR --home NEW [--api HOST:PORT] [--listen MULTIADDR] [--json]`,
  description: `
For an org's node run highly available (docs/operators-guide.md, "Running an org's node highly
available"): several govfed processes, on this or other machines, share the org's log in one PostgreSQL
database. One holds the writer lease and runs the node (it integrates and signs the log, and is the org
in the federation); the others serve decisions and reads, and one of them takes over when the lease
holder goes. Each process has its own home.

DIR must be a home whose log is in PostgreSQL with store.shared true ('govfed init --store URL --shared',
or 'govfed config set --home DIR store.shared true'), else ERR_STORE_NOT_SHARED. NEW must not exist
(ERR_HOME_EXISTS). NEW gets a copy of DIR's keys/ (the log, peer and witness keys, keys/store.password,
the monitor key if there is one; mode 0600 in a 0700 directory), tokens.json and admin.token,
config.json with NEW's --api and --listen (default: DIR's, which suits another machine; on the same
machine give both), and its member card. It is written in a temporary directory and renamed to NEW at
the end, so NEW is made whole or not at all. Nothing connects to the database; start the process with
'govfed start --home NEW'. The keys are the org's identity: copy NEW to the other machine the way you
move any secret, and make the homes again after 'govfed keys rotate'. --json prints {home, from, org,
origin, peerId, api, listen, store, storePassword, copied, memberCard}.`,
  options: {
    from: { type: 'string', value: 'DIR', description: 'the home of a process of the org (required)' },
    home: { type: 'string', value: 'NEW', description: 'the new home; must not exist (required)' },
    api: { type: 'string', value: 'HOST:PORT', description: "NEW's HTTP API address (default: DIR's)" },
    listen: { type: 'string', value: 'MULTIADDR', description: "NEW's peer-to-peer address (default: DIR's)" },
    ...JSON_OPTION,
  },
  examples: [
    'govfed ha add-process --from ./acme-a --home ./acme-b --api 127.0.0.1:7380 --listen /ip4/0.0.0.0/tcp/7381',
  ],
  async run(args, io) {
    const from = requireOption(args, NAME, 'from');
    const home = requireOption(args, NAME, 'home');
    const api = stringOption(args, 'api');
    if (api !== undefined) parseHostPort(NAME, 'api', api);
    const listen = stringOption(args, 'listen');
    const { addProcessHome } = await import('../../node/home/add-process.ts');
    let r: Awaited<ReturnType<typeof addProcessHome>>;
    try {
      r = await addProcessHome({
        from,
        home,
        ...(api === undefined ? {} : { api }),
        ...(listen === undefined ? {} : { listen }),
      });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_VALIDATION') {
        throw new UsageError(`${NAME}: ${(err as Error).message}`);
      }
      throw err;
    }
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(r));
      return ExitCode.OK;
    }
    io.stdout(`made ${r.home}: another process of ${r.org}'s node on ${r.store}\n\n`);
    io.stdout(
      formatKeyValues([
        ['org', r.org],
        ['log origin', r.origin],
        ['peer id', r.peerId],
        ['api', r.api],
        ['listen', r.listen],
        ['copied', r.copied.join(', ')],
      ]),
    );
    if (!r.storePassword) {
      io.stdout(`\n${r.from} has no keys/store.password: give this process the password by PGPASSWORD or ~/.pgpass\n`);
    }
    if (api === undefined || listen === undefined) {
      io.stdout(`\nthe api and listen addresses are ${r.from}'s: on the same machine give --api and --listen\n`);
    }
    io.stdout(`\nstart it with: govfed start --home ${r.home}\n`);
    return ExitCode.OK;
  },
};
