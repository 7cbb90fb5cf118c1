/**
 * `govfed store migrate --from leveldb --to postgres://…`: moves a stopped node's audit log from the
 * embedded LevelDB (DIR/data) into a PostgreSQL database without changing its origin or its history.
 *
 * Checklist: the home loads (keys match config.json) and does not use PostgreSQL already → DIR/data opens
 * (ERR_ALREADY_RUNNING while the daemon holds it) → the target schema is created or migrated and must be
 * empty (ERR_STORE_NOT_EMPTY) → every key is copied and the copy checked (node/log copy-store.ts) → only
 * then is the password, if the URL has one, written to DIR/keys/store.password (0600) and config.json
 * given `store`. Before that, the home's high-water mark (DIR/high-water.json) is carried into the
 * database's high_water row (carryHighWater: the copy must reach it), so the next `govfed start` on
 * PostgreSQL checks the log against the same mark and keeps raising it there. DIR/data and
 * DIR/high-water.json are left as they were (an archive of the old store; nothing reads or writes them any
 * more — the mark lives in the database from now on).
 * Retired logs (DIR/retired) stay where they are: they are read-only and still served from there.
 */

import { treeHash } from '../../protocol/log/index.ts';
import { parseVerifierKey } from '../../protocol/note/index.ts';
import { opensslVerify } from '../crypto/ed25519.ts';
import { NodeError } from '../errors.ts';
import { StoreHashReader } from '../log/hash-reader.ts';
import {
  copyLogStore,
  describeStore,
  HighWaterMark,
  type LogDb,
  type LogStoreSpec,
  openLogStore,
} from '../log/index.ts';
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
  /** The high-water mark's size carried from DIR/high-water.json into the database (null: no file). */
  highWaterSize: number | null;
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
  let highWater: number | undefined;
  try {
    const dest = await openLogStore(target);
    try {
      copied = await copyLogStore(source, dest, {
        verifier: parseVerifierKey(home.config.verifierKey, { verify: opensslVerify }),
        origin: home.config.origin,
        onProgress: o.onProgress,
      });
      highWater = await carryHighWater(home.paths.highWater, home.config.origin, dest, copied.size);
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
    highWaterSize: highWater ?? null,
    store: describeStore(logStoreOf(storeConfig, home.paths.data)),
  };
}

/**
 * Carries the home's high-water mark (DIR/high-water.json) into the target database (its high_water
 * row, node/log/postgres/high-water.ts), after the copy is checked and before config.json points at it:
 * the copied log must reach the mark and agree with its root (else ERR_LOG_ROLLBACK: DIR/data is behind
 * what this node signed and must not be moved), and the row is written behind the target's writer lease.
 * Returns the mark's size (undefined: the home had no file; the first start creates the row from the
 * last checkpoint).
 */
async function carryHighWater(file: string, origin: string, dest: LogDb, size: number): Promise<number | undefined> {
  const inFile = new HighWaterMark(file, origin);
  const from = await inFile.load(); // ERR_INVALID_CONFIG when broken
  if (from === undefined) return undefined;
  const reader = new StoreHashReader(dest);
  await inFile.check(size, (n) => treeHash(n, reader)); // ERR_LOG_ROLLBACK: the copy is behind the mark
  const own = dest.highWaterMark?.(origin);
  if (own === undefined) throw new Error('store migrate: the target store keeps no high-water mark');
  const mark = new HighWaterMark(own);
  await mark.load();
  await mark.raise(from); // ERR_LOG_ROLLBACK when the target's row holds another root
  return from.size;
}
