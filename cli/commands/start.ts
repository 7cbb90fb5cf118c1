/**
 * `govfed start --home DIR` — runs the node in the foreground until SIGINT or SIGTERM.
 *
 * Loads the home (node/home loadHome), starts node/daemon.ts's Daemon (audit log, then API), which prints
 * "govfed node ORG listening on http://HOST:PORT" on stdout once the API accepts connections (scripts and
 * the integration tests wait for that line). The daemon logs JSON lines to stderr. The first SIGINT/SIGTERM
 * stops it cleanly — pending appends flushed, a final checkpoint signed, the store closed — and the
 * process exits 0; a second signal exits at once with 4. When the audit log reports a fatal storage fault
 * (after a failed write the reopened store did not hold what was acknowledged), it stops and exits 4.
 */
import { formatApiAddress, parseApiAddress } from '../../node/home/config.ts';
import { type CommandSpec, HOME_OPTION, parseHostPort, stringOption } from '../args.ts';
import { ExitCode } from '../exit.ts';
import { resolveHome } from '../home.ts';
import type { Io } from '../output.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'Run the node in the foreground (SIGINT/SIGTERM stop it cleanly).',
  usage: 'start --home DIR [--api HOST:PORT]',
  description: `
Opens the audit log in DIR/data, signs checkpoints as the log grows and serves the HTTP API on the
address in DIR/config.json (or --api; port 0 picks a free port, which is written to DIR/api.addr so the
other commands find it). Prints "govfed node ORG listening on http://HOST:PORT" when ready and logs
JSON lines to stderr. Stop it with Ctrl-C or SIGTERM: acknowledged entries are already on disk,
pending ones are flushed and a final checkpoint is signed; the exit code is then 0.`,
  options: {
    ...HOME_OPTION,
    api: { type: 'string', value: 'HOST:PORT', description: 'listen on this address instead of config.json api' },
  },
  examples: ['govfed start --home ./node'],
  async run(args, io) {
    const dir = resolveHome(args, io, 'start');
    const api = stringOption(args, 'api');
    if (api !== undefined) parseHostPort('start', 'api', api);
    const stopRequested = waitForSignal(io);
    const [{ loadHome }, { Daemon }] = await Promise.all([
      import('../../node/home/index.ts'),
      import('../../node/daemon.ts'),
    ]);
    const home = await loadHome(dir);
    if (api !== undefined) home.config = { ...home.config, api: formatApiAddress(parseApiAddress(api)) };
    // The daemon prints "govfed node ORG listening on http://HOST:PORT" once the API accepts connections.
    let fatal: () => void = () => {};
    const fatalSeen = new Promise<'fatal'>((resolve) => {
      fatal = () => resolve('fatal');
    });
    const daemon = new Daemon(home, { stdout: io.stdout, stderr: io.stderr, onFatal: () => fatal() });
    await daemon.start();
    // the daemon logs daemon:stopping and daemon:stopped itself
    const why = await Promise.race([stopRequested, fatalSeen]);
    await daemon.stop();
    // A fatal storage fault (the store lost acknowledged entries): exit non-zero for the supervisor.
    return why === 'fatal' ? ExitCode.ERROR : ExitCode.OK;
  },
};

/** Resolves with the first SIGINT/SIGTERM; a second one exits the process at once. */
function waitForSignal(io: Io): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (seen) {
        io.stderr(`${JSON.stringify({ time: new Date().toISOString(), event: 'daemon:forced-exit', signal })}\n`);
        process.exit(ExitCode.ERROR);
      }
      seen = true;
      resolve(signal);
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}
