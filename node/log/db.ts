/**
 * The LevelDB driver of the log's store (store.ts): the embedded default, one directory, one process.
 * One place for the store options (shared with the raw-LevelDB benchmark, so that it measures the same
 * store) and for turning open failures into coded errors. LevelDB's own API is the model of LogDb, so the
 * driver hands its iterators and batches through unchanged.
 */
import { stat } from 'node:fs/promises';
import { Level } from 'level';
import { GovfedError } from '../../protocol/errors.ts';
import { NodeError } from '../errors.ts';
import type { LogBatch, LogDb, LogIterator, LogSnapshot, RangeOptions, ReadOptions, WriteOptions } from './store.ts';

export type { LogDb } from './store.ts';

/**
 * A 32 MiB memtable (default 4 MiB) means fewer, larger level-0 files under sustained ingest; leaf JSON
 * compresses well, so Snappy stays on.
 */
export const LOG_DB_OPTIONS = {
  keyEncoding: 'utf8',
  valueEncoding: 'view',
  writeBufferSize: 32 * 1024 * 1024,
  cacheSize: 32 * 1024 * 1024,
} as const;

type LevelSnapshot = ReturnType<Level<string, Uint8Array>['snapshot']>;

/** LogDb over a Level instance. Snapshots are LevelDB's own (passed back to it as they are). */
export class LevelLogDb implements LogDb {
  readonly driver = 'leveldb' as const;
  readonly level: Level<string, Uint8Array>;

  constructor(level: Level<string, Uint8Array>) {
    this.level = level;
  }

  #opts(o: ReadOptions | undefined): { snapshot?: LevelSnapshot } {
    return o?.snapshot === undefined ? {} : { snapshot: o.snapshot as unknown as LevelSnapshot };
  }

  get(key: string, opts?: ReadOptions): Promise<Uint8Array | undefined> {
    return this.level.get(key, this.#opts(opts));
  }

  getMany(keys: readonly string[], opts?: ReadOptions): Promise<(Uint8Array | undefined)[]> {
    return this.level.getMany(keys as string[], this.#opts(opts));
  }

  put(key: string, value: Uint8Array, opts?: WriteOptions): Promise<void> {
    return this.level.put(key, value, { sync: opts?.sync ?? false });
  }

  del(key: string, opts?: WriteOptions): Promise<void> {
    return this.level.del(key, { sync: opts?.sync ?? false });
  }

  batch(): LogBatch {
    return this.level.batch();
  }

  iterator(range: RangeOptions = {}): LogIterator<[string, Uint8Array]> {
    const { snapshot: _, ...rest } = range;
    return this.level.iterator<string, Uint8Array>({ ...rest, ...this.#opts(range) });
  }

  keys(range: RangeOptions = {}): LogIterator<string> {
    const { snapshot: _, ...rest } = range;
    return this.level.keys<string>({ ...rest, ...this.#opts(range) });
  }

  snapshot(): Promise<LogSnapshot> {
    return Promise.resolve(this.level.snapshot());
  }

  close(): Promise<void> {
    return this.level.close();
  }
}

/**
 * Opens (creating unless `mustExist`) the LevelDB at `dir`. Throws ERR_ALREADY_RUNNING when another
 * process holds it (LevelDB's lock: the daemon is running), ERR_NOT_FOUND when `mustExist` and
 * there is no database, and ERR_LOG_CORRUPT (with LevelDB's reason) when it is there but does not open.
 */
export async function openLogDb(dir: string, opts: { mustExist?: boolean } = {}): Promise<LevelLogDb> {
  if (opts.mustExist) {
    const found = await stat(`${dir}/CURRENT`).then(
      () => true,
      () => false,
    );
    if (!found) throw new NodeError('ERR_NOT_FOUND', `no audit log database in ${dir}`);
  }
  const db = new Level<string, Uint8Array>(dir, LOG_DB_OPTIONS);
  try {
    await db.open({ createIfMissing: !opts.mustExist });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new NodeError('ERR_ALREADY_RUNNING', `the audit log in ${dir} is in use by another process`, {
        cause: err,
      });
    }
    // A disk that is full or failing is not a damaged store: LevelDB's open writes (it replays its
    // write-ahead log into a new table), so a reopen after ENOSPC can fail on that alone. The caller retries
    // (recovery.ts reopens with backoff until the disk has room) — it must not call the store corrupt.
    const reason = (cause as { message?: string } | undefined)?.message ?? (err as Error).message;
    if (/No space left on device|Input\/output error|IO error: .*(ENOSPC|EIO)/.test(reason)) {
      throw new NodeError('ERR_LOG_UNAVAILABLE', `the audit log database ${dir} cannot be opened now: ${reason}`, {
        cause: err,
      });
    }
    // A store that does not open (a damaged CURRENT or MANIFEST, a lost table file): never papered over.
    throw new GovfedError(
      'ERR_LOG_CORRUPT',
      `the audit log database ${dir} does not open (${(cause as { message?: string } | undefined)?.message ?? (err as Error).message}). ` +
        'Copy the whole home aside first, then restore the data directory from a backup and run `govfed audit fsck`: ' +
        'see "Storage faults and recovery" in docs/operators-guide.md.',
      { cause: err },
    );
  }
  return new LevelLogDb(db);
}
