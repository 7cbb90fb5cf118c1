/**
 * `govfed start --home DIR` — runs the node in the foreground until SIGINT, SIGTERM or SIGHUP (or
 * `govfed stop`, which sends SIGTERM).
 *
 * Loads the home (node/home loadHome), starts node/daemon.ts's Daemon (audit log, then API), which prints
 * "govfed node ORG listening on http://HOST:PORT" on stdout once the API accepts connections (scripts and
 * the integration tests wait for that line). The daemon logs JSON lines to stderr. The first SIGINT/SIGTERM
 * stops it cleanly — pending appends flushed, a final checkpoint signed, the store closed — and the
 * process exits 0; a second signal exits at once with 4. When the audit log reports a fatal storage fault
 * (after a failed write the reopened store did not hold what was acknowledged), it stops and exits 4.
 *
 * Run through npm (`npx govfed start &`), the daemon is a grandchild of npm, and npm exits on SIGTERM
 * without passing it on: killing that npx process would leave the daemon running, orphaned. So when npm
 * launched it (npm sets npm_lifecycle_event), start also stops cleanly once its parent process is gone.
 */
import { formatApiAddress, parseApiAddress } from '../../node/home/config.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { type CommandSpec, HOME_OPTION, parseHostPort, stringOption } from '../args.ts';
import { ExitCode } from '../exit.ts';
import { tuneDaemonHeap } from '../heap.ts';
import { resolveHome } from '../home.ts';
import type { Io } from '../output.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How often a daemon launched by npm checks that its parent is still there. */
const PARENT_POLL_MS = 250;

export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'Run the node in the foreground (SIGINT/SIGTERM/SIGHUP or govfed stop end it cleanly).',
  usage: 'start --home DIR [--api HOST:PORT]',
  description: `
Opens the audit log in DIR/data, signs checkpoints as the log grows and serves the HTTP API on the
address in DIR/config.json (or --api; port 0 picks a free port, which is written to DIR/api.addr so the
other commands find it). Prints "govfed node ORG listening on http://HOST:PORT" when ready and logs
JSON lines to stderr. Stop it with Ctrl-C, SIGTERM, SIGHUP or 'govfed stop --home DIR': acknowledged
entries are already on disk, pending ones are flushed and a final checkpoint is signed; the exit code is
then 0. Started through npm (npx govfed start), it also stops cleanly when that npm process is killed.`,
  options: {
    ...HOME_OPTION,
    api: { type: 'string', value: 'HOST:PORT', description: 'listen on this address instead of config.json api' },
  },
  examples: ['govfed start --home ./node'],
  async run(args, io) {
    const dir = resolveHome(args, io, 'start');
    const api = stringOption(args, 'api');
    if (api !== undefined) parseHostPort('start', 'api', api);
    tuneDaemonHeap(); // this process is the daemon's: V8's memory reducer without compacting pauses (cli/heap.ts)
    const stopRequested = waitForSignal(io);
    const parentGone = io.env.npm_lifecycle_event === undefined ? new Promise<never>(() => {}) : waitForParentExit();
    const [{ loadHome }, { Daemon }, { completeLogRotation }, { holderId }, { finishRecordedRotation }] =
      await Promise.all([
        import('../../node/home/index.ts'),
        import('../../node/daemon.ts'),
        import('../../node/home/log-rotation.ts'),
        import('../../node/log/open-store.ts'),
        import('../../node/ha/keys-recovery.ts'),
      ]);
    // This process's name in a shared log's writer lease: the same across its in-process restarts.
    const holder = holderId();
    let apiAddress = api === undefined ? undefined : formatApiAddress(parseApiAddress(api));
    // The daemon prints "govfed node ORG listening on http://HOST:PORT" once the API accepts connections.
    let fatal: (err: unknown) => void = () => {};
    let fatalError: unknown;
    const fatalSeen = new Promise<'fatal'>((resolve) => {
      fatal = (err) => {
        fatalError ??= err;
        resolve('fatal');
      };
    });
    for (;;) {
      await completeLogRotation(dir); // a rotated log key's old log is closed and moved first
      await finishRecordedRotation(dir); // a shared log's key rotation that stopped half-way (node/ha)
      const home = await loadHome(dir);
      if (apiAddress !== undefined) home.config = { ...home.config, api: apiAddress };
      let restart: () => void = () => {};
      const restartRequested = new Promise<'restart'>((resolve) => {
        restart = () => resolve('restart');
      });
      const daemon = new Daemon(home, {
        stdout: io.stdout,
        stderr: io.stderr,
        onFatal: (err) => fatal(err),
        onRestart: () => restart(),
        holder,
      });
      await daemon.start();
      // the daemon logs daemon:stopping and daemon:stopped itself
      const why = await Promise.race([stopRequested, fatalSeen, parentGone, restartRequested]);
      // A restart (a rotated peer key; a shared log's lease moved) keeps the API address it bound.
      apiAddress = daemon.address ?? apiAddress;
      await daemon.stop();
      if (why === 'restart') continue;
      // A follower whose keys a rotation made outdated: the error (its message says the fix), exit 4.
      if (why === 'fatal' && isGovfedError(fatalError, 'ERR_KEYS_OUTDATED')) throw fatalError;
      // A fatal storage fault (the store lost acknowledged entries): exit non-zero for the supervisor.
      return why === 'fatal' ? ExitCode.ERROR : ExitCode.OK;
    }
  },
};

/** Resolves once this process's parent has exited (the process was re-parented). */
function waitForParentExit(): Promise<'parent-exited'> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(timer);
        resolve('parent-exited');
      }
    }, PARENT_POLL_MS);
    timer.unref();
  });
}

/** Resolves with the first SIGINT/SIGTERM/SIGHUP; a second one exits the process at once. */
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
