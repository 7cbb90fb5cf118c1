/**
 * `govfed store migrate --home DIR --from leveldb --to postgres://… [--schema NAME] [--json]` — moves a
 * stopped node's audit log from the embedded LevelDB into PostgreSQL, same origin, same history
 * (node/home/store-migrate.ts). No business logic here: arguments, the call, the output.
 */
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveHome, runningDaemon } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';

const NAME = 'store migrate';

export const storeMigrateCommand: CommandSpec = {
  name: NAME,
  summary: "Move a stopped node's audit log from LevelDB into PostgreSQL (same origin, same history).",
  usage: `${NAME} --home DIR --from leveldb --to postgres://USER[:PASSWORD]@HOST:PORT/DATABASE [--schema NAME] [--json]`,
  description: `
Stop the node first. Copies every entry, record, stored hash, checkpoint and index key of DIR/data into
the PostgreSQL database (schema NAME, default govfed; created if missing, and it must be empty), checks
the copy like 'govfed audit fsck' (the tree recomputed from the copied leaves, every checkpoint's root)
and compares it with the original, then sets config.json "store" so that 'govfed start' uses PostgreSQL.
A password in the URL is written to DIR/keys/store.password (mode 0600), never to config.json. The
high-water mark (DIR/high-water.json, the largest tree this node signed) is carried into the database's
high_water table — the copy must reach it — and is kept there from then on. The origin and the keys do
not change; DIR/data and DIR/high-water.json are left as they were (an archive). If the copy fails or does
not check out, config.json is not changed and the node still starts on LevelDB; empty the schema before
trying again. The node's module state (federation, policy, registry, monitoring, report counters, tokens, the witness
store) goes into the same database, in one transaction, before config.json changes. --json prints
{origin, size, checkpointSize, keys, highWaterSize, states, witnessRows, store}.`,
  options: {
    ...HOME_OPTION,
    from: { type: 'string', value: 'DRIVER', description: 'the store to move from: leveldb' },
    to: { type: 'string', value: 'URL', description: 'the PostgreSQL database: postgres://USER@HOST:PORT/DATABASE' },
    schema: { type: 'string', value: 'NAME', description: 'the schema for the log (default: govfed)' },
    ...JSON_OPTION,
  },
  examples: ['govfed store migrate --home ./node --from leveldb --to postgres://govfed@db:5432/govfed'],
  async run(args, io) {
    const dir = resolveHome(args, io, NAME);
    const from = requireOption(args, NAME, 'from');
    const to = requireOption(args, NAME, 'to');
    const schema = stringOption(args, 'schema');
    if (from !== 'leveldb') throw new UsageError(`${NAME}: --from must be leveldb (the embedded store)`);
    if (!/^postgres(ql)?:\/\//.test(to)) throw new UsageError(`${NAME}: --to must be a postgres:// URL`);
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new UsageError(`${NAME}: --schema must be a lowercase identifier (a-z, 0-9, _)`);
    }
    if (runningDaemon(dir) !== undefined) {
      throw new UsageError(`${NAME}: the node is running: stop it first (govfed stop --home ${dir})`);
    }
    const { migrateHomeStore } = await import('../../node/home/store-migrate.ts');
    let r: Awaited<ReturnType<typeof migrateHomeStore>>;
    try {
      r = await migrateHomeStore({ dir, from, to, ...(schema === undefined ? {} : { schema }) });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_VALIDATION')
        throw new UsageError(`${NAME}: ${(err as Error).message}`);
      throw err;
    }
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(r));
      return ExitCode.OK;
    }
    io.stdout(`moved the audit log of ${dir} into PostgreSQL\n\n`);
    io.stdout(
      formatKeyValues([
        ['log origin', r.origin],
        ['entries', r.size],
        ['last checkpoint', r.checkpointSize],
        ['keys copied', r.keys],
        ['high-water mark', r.highWaterSize === null ? 'none (created at the first start)' : r.highWaterSize],
        ['module states', r.states],
        ['witness rows', r.witnessRows],
        ['store', r.store],
      ]),
    );
    io.stdout(`\nstart it with: govfed start --home ${dir} (DIR/data is no longer used: keep it as an archive)\n`);
    return ExitCode.OK;
  },
};
