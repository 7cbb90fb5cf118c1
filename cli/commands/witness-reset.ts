/**
 * `govfed witness reset --home DIR` — the operator's deliberate way past a lost or damaged witness store
 * (ERR_WITNESS_STATE_MISSING, ERR_WITNESS_STORE_CORRUPT at start) when no backup of DIR/witness exists:
 * with the daemon stopped, moves a damaged store aside, makes an empty one and records the reset in
 * DIR/witness/reset.json (node/witness/store.ts resetWitnessStore). Refuses while the daemon runs and
 * when the store opens (ERR_WITNESS_STATE_PRESENT: nothing to reset).
 */
import { homePaths, readConfig } from '../../node/home/config.ts';
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION } from '../args.ts';
import { CliError, ExitCode } from '../exit.ts';
import { resolveHome, runningDaemon } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';

const NAME = 'witness reset';

export const witnessResetCommand: CommandSpec = {
  name: NAME,
  summary: 'Start the witness again from an empty store after its state was lost (no backup).',
  usage: `${NAME} --home DIR [--json]`,
  description: `
Only for a node that refuses to start with ERR_WITNESS_STATE_MISSING or ERR_WITNESS_STORE_CORRUPT and
has no backup of DIR/witness to restore (restoring is better: keep it if you have it). With the daemon
stopped: a damaged DIR/witness/db is moved to DIR/witness/db.damaged-<time> (kept as evidence), an empty
store is made, and DIR/witness/reset.json records when and why. The node's log, keys and federation
state are not touched. What is lost: the newest tree this witness cosigned for each log — until the logs'
next checkpoints, it could cosign an older or conflicting one if a log equivocated — and the list of
logs outside the federation it witnessed (add them again with 'govfed witness logs add'). Refuses while
the daemon runs and when the store opens (ERR_WITNESS_STATE_PRESENT: there is nothing to reset).
--json prints {reason, time, movedTo?, file}. Not for a node whose log is in PostgreSQL: its witness
store is in the database (restore that from a backup).`,
  options: { ...HOME_OPTION, ...JSON_OPTION },
  examples: ['govfed witness reset --home /var/lib/govfed'],
  async run(args, io) {
    const home = resolveHome(args, io, NAME);
    if (runningDaemon(home) !== undefined) {
      throw new CliError(
        ExitCode.ERROR,
        `${NAME}: the daemon of ${home} is running; stop it first (govfed stop --home ${home})`,
        {
          code: 'ERR_ALREADY_RUNNING',
        },
      );
    }
    if ((await readConfig(home)).store !== undefined) {
      // The witness store of a node on PostgreSQL is rows of the org's database (node/witness/pg-store.ts).
      throw new CliError(
        ExitCode.ERROR,
        `${NAME}: the witness store of ${home} is in its PostgreSQL database, shared by the org's processes: ` +
          'restore the database from a backup (a reset is only available for the embedded store)',
        { code: 'ERR_VALIDATION' },
      );
    }
    const { resetWitnessStore } = await import('../../node/witness/store.ts');
    const dir = homePaths(home).witness;
    const r = await resetWitnessStore(dir);
    const file = `${dir}/reset.json`;
    if (booleanOption(args, 'json')) io.stdout(formatJson({ ...r, file }));
    else {
      io.stdout(
        formatKeyValues([
          [
            'witness store',
            r.reason === 'missing' ? 'was missing: made an empty one' : 'did not open: made an empty one',
          ],
          ...(r.movedTo === undefined ? [] : ([['damaged store kept at', r.movedTo]] as [string, string][])),
          ['recorded in', file],
          ['next', `govfed start --home ${home}`],
        ]),
      );
    }
    return ExitCode.OK;
  },
};
