/**
 * `govfed store migrate --from leveldb --to postgres://…`: moves a stopped node's audit log from the
 * embedded LevelDB (DIR/data) into a PostgreSQL database without changing its origin or its history.
 *
 * Checklist: the home loads (keys match config.json) and does not use PostgreSQL already → DIR/data opens
 * (ERR_ALREADY_RUNNING while the daemon holds it) → the target schema is created or migrated and must be
 * empty (ERR_STORE_NOT_EMPTY) → every key is copied and the copy checked (node/log copy-store.ts) → only
 * then is the password, if the URL has one, written to DIR/keys/store.password (0600) and config.json
 * given `store`. The next `govfed start` opens the PostgreSQL log and checks it against the same
 * DIR/high-water.json. DIR/data is left as it was (an archive of the old store; nothing reads it any more,
 * and a node pointed back at it would refuse to start if the PostgreSQL log has grown: ERR_LOG_ROLLBACK).
 * Retired logs (DIR/retired) stay where they are: they are read-only and still served from there.
 */
import { parseVerifierKey } from '../../protocol/note/index.ts';
import { opensslVerify } from '../crypto/ed25519.ts';
import { NodeError } from '../errors.ts';
import { copyLogStore, describeStore, type LogStoreSpec, openLogStore } from '../log/index.ts';
import { type NodeConfig, readConfig } from './config.ts';
import { writeFileAtomic } from './fs.ts';
import { loadHome } from './load.ts';
import { logStoreOf, splitStoreUrl } from './store-config.ts';

export interface MigrateOptions {
  dir: string;
  /** Only 'leveldb' for now: the embedded store. */
  from: string;
  /** postgres://user[:password]@host:port/database */
  to: string;
  schema?: string;
  onProgress?: (keys: number) => void;
}

export interface MigrateResult {
  origin: string;
  size: number;
  checkpointSize: number;
  keys: number;
  /** The new store, without its password. */
  store: string;
}

export async function migrateHomeStore(o: MigrateOptions): Promise<MigrateResult> {
  if (o.from !== 'leveldb')
    throw new NodeError('ERR_VALIDATION', '--from: only leveldb (the embedded store) can be migrated');
  const split = splitStoreUrl(o.to); // ERR_VALIDATION
  const home = await loadHome(o.dir);
  if (home.config.store !== undefined) {
    throw new NodeError('ERR_VALIDATION', `this node's log is already in PostgreSQL (${describeStore(home.store)})`);
  }
  const storeConfig: NonNullable<NodeConfig['store']> = {
    driver: 'postgres',
    url: split.url,
    ...(o.schema === undefined ? {} : { schema: o.schema }),
  };
  const target: LogStoreSpec = logStoreOf(storeConfig, home.paths.data, split.password);
  const source = await openLogStore(home.store, { mustExist: true });
  let copied: Awaited<ReturnType<typeof copyLogStore>>;
  try {
    const dest = await openLogStore(target);
    try {
      copied = await copyLogStore(source, dest, {
        verifier: parseVerifierKey(home.config.verifierKey, { verify: opensslVerify }),
        origin: home.config.origin,
        onProgress: o.onProgress,
      });
    } finally {
      await dest.close();
    }
  } finally {
    await source.close();
  }
  if (split.password !== undefined) await writeFileAtomic(home.paths.storePassword, `${split.password}\n`, 0o600);
  const config = await readConfig(home.dir);
  await writeFileAtomic(home.paths.config, `${JSON.stringify({ ...config, store: storeConfig }, null, 2)}\n`, 0o644);
  return {
    origin: home.config.origin,
    size: copied.size,
    checkpointSize: copied.checkpointSize,
    keys: copied.keys,
    store: describeStore(logStoreOf(storeConfig, home.paths.data)),
  };
}
