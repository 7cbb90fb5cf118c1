/**
 * Opening the log's store by its spec (store.ts): the LevelDB directory (db.ts) or the PostgreSQL schema
 * (postgres/pg-db.ts). Both refuse a store another process writes (ERR_ALREADY_RUNNING) and, with
 * `mustExist`, a store that holds no log (ERR_NOT_FOUND).
 */
import { openLogDb } from './db.ts';
import { openPgLogDb } from './postgres/open.ts';
import { checkStoreSpec, type LogDb, type LogStoreSpec } from './store.ts';

export interface OpenStoreOptions {
  mustExist?: boolean;
  /**
   * Reads only (PostgreSQL: no writer, no lock, no migrations). LevelDB has no read-only open: it is
   * opened as usual (fsck of a stopped node checks a scratch copy, fsck-directory.ts).
   */
  readOnly?: boolean;
  /** PostgreSQL: wait for the writer lease instead of ERR_ALREADY_RUNNING (a standby); see postgres/lease.ts. */
  waitForLease?: boolean;
  /** Ends that wait. */
  signal?: AbortSignal;
  /** PostgreSQL: the lease holder's name (the same across the reopens of one log). */
  holder?: string;
  /** PostgreSQL: migrations, but no writer and no lease (a follower of a shared log: sequences and reads). */
  noLease?: boolean;
}

export { holderId } from './postgres/lease.ts';

export function openLogStore(spec: LogStoreSpec, opts: OpenStoreOptions = {}): Promise<LogDb> {
  checkStoreSpec(spec);
  if (spec.driver === 'leveldb') return openLogDb(spec.dir, { mustExist: opts.mustExist });
  return openPgLogDb(spec, opts);
}
