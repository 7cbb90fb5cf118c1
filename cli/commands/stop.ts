/**
 * `govfed stop --home DIR` — stops the node running on DIR and waits until it has exited.
 *
 * The daemon writes DIR/govfed.pid once it started and removes it once it stopped. stop sends that
 * process SIGTERM — the same clean stop as Ctrl-C on `govfed start`: pending appends flushed, a final
 * checkpoint signed, the store closed — and waits until the process is gone (--timeout, default 60s).
 * No daemon running is ERR_NOT_RUNNING; one that outlives the timeout is ERR_STOP_TIMEOUT (it may still
 * be flushing; run stop again, or kill it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readConfig } from '../../node/home/config.ts';
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION, stringOption } from '../args.ts';
import { CliError, ExitCode } from '../exit.ts';
import { isAlive, resolveHome, runningDaemon } from '../home.ts';
import { formatJson } from '../output.ts';
import { parseTtl } from '../ttl.ts';

const POLL_MS = 50;

export const stopCommand: CommandSpec = {
  name: 'stop',
  summary: 'Stop the node running on a home directory and wait until it has exited.',
  usage: 'stop --home DIR [--timeout DURATION] [--json]',
  description: `
Sends SIGTERM to the daemon named by DIR/govfed.pid — a clean stop: pending appends are flushed and a
final checkpoint is signed — and waits until it has exited. With no daemon running on DIR it fails with
ERR_NOT_RUNNING (exit 4); a daemon still running after --timeout (default 60s) is ERR_STOP_TIMEOUT.
--json prints {stopped: true, pid, ms}.`,
  options: {
    ...HOME_OPTION,
    timeout: {
      type: 'string',
      value: 'DURATION',
      description: 'how long to wait for the daemon to exit: a number and s, m, h or d (default 60s)',
    },
    ...JSON_OPTION,
  },
  examples: ['govfed stop --home ./node'],
  async run(args, io) {
    const home = resolveHome(args, io, 'stop');
    const timeout = stringOption(args, 'timeout');
    const timeoutMs = timeout === undefined ? 60_000 : parseTtl('stop', timeout, 'timeout');
    await readConfig(home); // a clear ERR_HOME_NOT_FOUND
    const daemon = runningDaemon(home);
    if (daemon === undefined) {
      throw new CliError(
        ExitCode.ERROR,
        `no govfed node is running on ${home} (start it with govfed start --home ${home})`,
        {
          code: 'ERR_NOT_RUNNING',
        },
      );
    }
    const started = Date.now();
    try {
      process.kill(daemon.pid, 'SIGTERM');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
        throw new CliError(
          ExitCode.ERROR,
          `cannot signal the node's process ${daemon.pid}: ${(err as Error).message}`,
          {
            code: 'ERR_STOP_FAILED',
            cause: err,
          },
        );
      }
    }
    while (isAlive(daemon.pid)) {
      if (Date.now() - started > timeoutMs) {
        throw new CliError(
          ExitCode.ERROR,
          `the node (pid ${daemon.pid}) is still running ${timeoutMs / 1000}s after SIGTERM; run govfed stop again to wait longer, or kill ${daemon.pid}`,
          { code: 'ERR_STOP_TIMEOUT' },
        );
      }
      await sleep(POLL_MS);
    }
    const ms = Date.now() - started;
    if (booleanOption(args, 'json')) io.stdout(formatJson({ stopped: true, pid: daemon.pid, ms }));
    else io.stdout(`stopped the node on ${home} (pid ${daemon.pid})\n`);
    return ExitCode.OK;
  },
};
