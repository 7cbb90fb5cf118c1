/**
 * The storage interface under the audit log: an ordered key-value store with string keys (compared as
 * their UTF-8 bytes) and byte values — the part of LevelDB's API the log uses, nothing more. The log's
 * key layout (keys.ts), its batches, lookups, search ranges, checkpoints and fsck are written once against
 * this interface, so every driver stores the same leaves, the same stored hashes and the same checkpoints
 * and gives the same proofs.
 *
 * Two drivers (`LogStoreSpec.driver`):
 *   - `leveldb` (the embedded default, db.ts): one directory, one process;
 *   - `postgres` (postgres/pg-db.ts): one PostgreSQL database (a schema in it), for an org that runs its
 *     node on a database it already keeps highly available.
 *
 * What every driver must give (test/node/log runs its whole suite against both):
 *   - a batch is atomic and, with {sync: true}, durable when write() resolves (LevelDB: one synced
 *     write; PostgreSQL: one committed transaction); within a batch a later put or del of a key wins;
 *   - ranges are ordered by the keys' UTF-8 bytes, `gte` inclusive, `lt` exclusive, forwards or reverse;
 *   - a snapshot sees one committed state (of the moment it resolved) for all reads passed it, whatever
 *     is written meanwhile;
 *   - while a store is open for writing no other process can open it for writing (ERR_ALREADY_RUNNING);
 *   - the high-water mark (high-water.ts) is beside the store (LevelDB: a file) or in it (PostgreSQL: a
 *     fenced row, `highWaterMark`);
 *   - a store that cannot be reached answers ERR_STORE_UNAVAILABLE (LevelDB's own I/O errors keep their
 *     LEVEL_* codes; both become 503 at the API).
 */
import { GovfedError } from '../../protocol/errors.ts';

/** Where a log is stored. */
export type LogStoreSpec = { driver: 'leveldb'; dir: string } | PostgresStoreSpec;

export interface PostgresStoreSpec {
  driver: 'postgres';
  /** A libpq connection URL, `postgres://user:password@host:port/database` (the password is a secret). */
  url: string;
  /** The schema holding this log's tables (default `govfed`); one log per schema. */
  schema?: string;
  /** The writer lease's length (postgres/lease.ts): how long a dead or paused writer blocks the others. */
  leaseMs?: number;
  /**
   * Several govfed processes of the org share this log: every one sequences appends, the lease holder
   * integrates and signs, the others follow (sequencer.ts, integrator.ts, follower.ts).
   */
  shared?: boolean;
}

/** A point-in-time view for reads (fsck). Close it when done. */
export interface LogSnapshot {
  close(): Promise<void>;
}

export interface ReadOptions {
  snapshot?: LogSnapshot;
}

export interface WriteOptions {
  /** Durable when the call resolves (both drivers treat every write as synced; LevelDB needs the flag). */
  sync?: boolean;
}

export interface RangeOptions extends ReadOptions {
  gte?: string;
  lt?: string;
  reverse?: boolean;
  /** At most this many entries in all. */
  limit?: number;
}

export interface LogIterator<T> extends AsyncIterable<T> {
  /** Up to `n` more items; an empty array at the end. */
  nextv(n: number): Promise<T[]>;
  all(): Promise<T[]>;
  close(): Promise<void>;
}

export interface LogBatch {
  put(key: string, value: Uint8Array): unknown;
  del(key: string): unknown;
  /** Writes every operation atomically; durable when it resolves with {sync: true}. */
  write(opts?: WriteOptions): Promise<void>;
  /** Drops the batch without writing it. */
  close(): Promise<void>;
}

export interface LogDb {
  readonly driver: LogStoreSpec['driver'];
  get(key: string, opts?: ReadOptions): Promise<Uint8Array | undefined>;
  getMany(keys: readonly string[], opts?: ReadOptions): Promise<(Uint8Array | undefined)[]>;
  put(key: string, value: Uint8Array, opts?: WriteOptions): Promise<void>;
  del(key: string, opts?: WriteOptions): Promise<void>;
  batch(): LogBatch;
  iterator(range?: RangeOptions): LogIterator<[string, Uint8Array]>;
  keys(range?: RangeOptions): LogIterator<string>;
  /** A snapshot of the committed state when it resolves. */
  snapshot(): Promise<LogSnapshot>;
  close(): Promise<void>;
  /**
   * A driver that keeps the log's high-water mark in the store itself (PostgreSQL: a row written behind
   * the writer lease's fence, postgres/high-water.ts) gives it here; LevelDB has none: its mark is the
   * file DIR/high-water.json beside the store (high-water.ts).
   */
  highWaterMark?(origin: string): MarkStore;
}

/**
 * What the PostgreSQL driver adds for a log shared by several processes of one org (postgres/sequence.ts,
 * sequencer.ts, integrator.ts): sequencing by any process, the sequence row of the lease holder, and the
 * lease itself (for other tables' fenced writes, and to hear at once that it was lost).
 */
export interface SequencingDb {
  sequence(values: readonly Uint8Array[]): Promise<number>;
  sequenceNext(): Promise<number | undefined>;
  shareSequence(size: number): Promise<number>;
  unshareSequence(size: number): Promise<void>;
  onLeaseLost(fn: (err: unknown) => void): void;
  readonly lease: { holder: string; token: bigint } | undefined;
}

/** The store's sequencing side, when its driver has one (PostgreSQL). */
export function sequencingOf(db: LogDb): (LogDb & SequencingDb) | undefined {
  const d = db as LogDb & Partial<SequencingDb>;
  return typeof d.sequence === 'function' && typeof d.shareSequence === 'function'
    ? (d as LogDb & SequencingDb)
    : undefined;
}

/** Bound on a PostgreSQL schema name: a plain lowercase identifier (it is quoted into SQL). */
export const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks a spec from configuration or a caller (the URL is not parsed here: the driver does). */
export function checkStoreSpec(spec: LogStoreSpec): LogStoreSpec {
  if (spec.driver === 'leveldb') {
    if (typeof spec.dir !== 'string' || spec.dir.length === 0) {
      throw new GovfedError('ERR_INVALID_INPUT', 'leveldb store: dir must be a non-empty path');
    }
    return spec;
  }
  if (spec.driver === 'postgres') {
    if (typeof spec.url !== 'string' || !/^postgres(ql)?:\/\//.test(spec.url)) {
      throw new GovfedError('ERR_INVALID_INPUT', 'postgres store: url must start with postgres:// or postgresql://');
    }
    if (spec.schema !== undefined && !SCHEMA_RE.test(spec.schema)) {
      throw new GovfedError('ERR_INVALID_INPUT', `postgres store: schema must match ${SCHEMA_RE}`);
    }
    if (spec.shared !== undefined && typeof spec.shared !== 'boolean') {
      throw new GovfedError('ERR_INVALID_INPUT', 'postgres store: shared must be true or false');
    }
    const l = spec.leaseMs;
    if (l !== undefined && (!Number.isInteger(l) || l < 300 || l > 600_000)) {
      throw new GovfedError('ERR_INVALID_INPUT', 'postgres store: leaseMs must be an integer from 300 to 600000');
    }
    return spec;
  }
  throw new GovfedError(
    'ERR_INVALID_INPUT',
    `unknown store driver ${JSON.stringify((spec as { driver?: unknown }).driver)}`,
  );
}

/** A spec as an operator may read it in logs: the URL without its password. */
export function describeStore(spec: LogStoreSpec): string {
  if (spec.driver === 'leveldb') return `leveldb:${spec.dir}`;
  let shown = spec.url;
  try {
    const u = new URL(spec.url);
    if (u.password !== '') u.password = '***';
    shown = u.toString();
  } catch {
    shown = 'postgres://(unparsable url)';
  }
  return `${shown}${spec.schema === undefined ? '' : ` (schema ${spec.schema})`}`;
}

/** A tree state this node committed to. */
export interface TreeState {
  size: number;
  rootHash: Uint8Array;
}

/**
 * Where a mark is kept: DIR/high-water.json (fileMark, LevelDB) or the log's own database (the
 * PostgreSQL driver, postgres/high-water.ts). `write` records `state` durably, and only if the stored
 * mark is still `previous` (the one this process checked its tree against): a mark moved meanwhile is
 * ERR_LOG_ROLLBACK and nothing is written.
 */
export interface MarkStore {
  /** For messages: the file, or the database table. */
  readonly where: string;
  read(): Promise<TreeState | undefined>;
  write(state: TreeState, previous: TreeState | undefined): Promise<void>;
}
