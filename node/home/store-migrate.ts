/**
 * `govfed store migrate --from leveldb --to postgres://…`: moves a stopped node's audit log from the
 * embedded LevelDB (DIR/data) into a PostgreSQL database without changing its origin or its history.
 *
 * Checklist: the home loads (keys match config.json) and does not use PostgreSQL already → DIR/data opens
 * (ERR_ALREADY_RUNNING while the daemon holds it) and reaches the home's high-water mark
 * (DIR/high-water.json; else ERR_LOG_ROLLBACK, nothing written anywhere) → the target schema is created
 * or migrated and must be empty (ERR_STORE_NOT_EMPTY) → every key is copied and the copy checked
 * (node/log copy-store.ts) → the mark is carried into the database's high_water row, behind the target's
 * writer lease (carryHighWater) → only then is the password, if the URL has one, written to
 * DIR/keys/store.password (0600) and config.json given `store`. The node's module state (DIR/<module>/
 * state.json, tokens.json, the witness store, …) goes into the database too (state-migrate.ts): read and
 * checked before anything is written, written in one transaction behind the target's writer lease after
 * the log and its mark, before config.json changes. The next `govfed start` on PostgreSQL
 * checks the log against the same mark and keeps raising it there. DIR/data and
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
  type TreeState,
} from '../log/index.ts';
import { decodeSize, SIZE_KEY } from '../log/keys.ts';
import { type NodeConfig, readConfig } from './config.ts';
import { writeFileAtomic } from './fs.ts';
import { loadHome } from './load.ts';
import { readHomeStates, writeHomeStates } from './state-migrate.ts';
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
  /** How many named states (state-backend.ts) and witness rows were carried into the database. */
  states: number;
  witnessRows: number;
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
  if (target.driver !== 'postgres') throw new Error('store migrate: the target is not PostgreSQL');
  // Every state read and checked before anything is written anywhere (ERR_INVALID_CONFIG, ERR_STATE_TOO_LARGE, …).
  const homeStates = await readHomeStates(home);
  const source = await openLogStore(home.store, { mustExist: true });
  let copied: Awaited<ReturnType<typeof copyLogStore>>;
  let highWater: number | undefined;
  try {
    // Before anything is written to the target: DIR/data must reach the mark (ERR_LOG_ROLLBACK).
    const mark = await homeMark(home.paths.highWater, home.config.origin, source);
    const dest = await openLogStore(target);
    try {
      copied = await copyLogStore(source, dest, {
        verifier: parseVerifierKey(home.config.verifierKey, { verify: opensslVerify }),
        origin: home.config.origin,
        onProgress: o.onProgress,
      });
      highWater = await carryHighWater(mark, home.config.origin, dest);
    } finally {
      await dest.close();
    }
  } finally {
    await source.close();
  }
  const carried = await writeHomeStates(target, homeStates);
  if (split.password !== undefined) await writeFileAtomic(home.paths.storePassword, `${split.password}\n`, 0o600);
  const config = await readConfig(home.dir);
  await writeFileAtomic(home.paths.config, `${JSON.stringify({ ...config, store: storeConfig }, null, 2)}\n`, 0o644);
  return {
    origin: home.config.origin,
    size: copied.size,
    checkpointSize: copied.checkpointSize,
    keys: copied.keys,
    highWaterSize: highWater ?? null,
    states: carried.states,
    witnessRows: carried.witnessRows,
    store: describeStore(logStoreOf(storeConfig, home.paths.data)),
  };
}

/**
 * The home's high-water mark (DIR/high-water.json; undefined when the home has none), checked against the
 * source store: the log to be moved must reach it and agree with its root, else ERR_LOG_ROLLBACK — a
 * DIR/data behind what this node signed is not moved anywhere.
 */
async function homeMark(file: string, origin: string, source: LogDb): Promise<TreeState | undefined> {
  const inFile = new HighWaterMark(file, origin);
  const mark = await inFile.load(); // ERR_INVALID_CONFIG when broken
  if (mark === undefined) return undefined;
  const raw = await source.get(SIZE_KEY);
  const reader = new StoreHashReader(source);
  await inFile.check(raw === undefined ? 0 : decodeSize(raw), (n) => treeHash(n, reader));
  return mark;
}

/**
 * Carries the mark into the target database (its high_water row, node/log/postgres/high-water.ts) after
 * the copy was checked (same size, same root as the source, which reaches the mark) and before
 * config.json points at it; the row is written behind the target's writer lease. Returns the mark's size
 * (undefined: the home had no mark; the first start creates the row from the last checkpoint).
 */
async function carryHighWater(mark: TreeState | undefined, origin: string, dest: LogDb): Promise<number | undefined> {
  if (mark === undefined) return undefined;
  const own = dest.highWaterMark?.(origin);
  if (own === undefined) throw new Error('store migrate: the target store keeps no high-water mark');
  const inDb = new HighWaterMark(own);
  await inDb.load();
  await inDb.raise(mark); // ERR_LOG_ROLLBACK when the target's row holds another root
  return mark.size;
}
