/**
 * The PostgreSQL driver of the log's store (store.ts): the log's keys and values in one table,
 * `<schema>.log_kv (k bytea PRIMARY KEY, v bytea)` (migrations.ts), read through a connection pool and
 * written through ONE connection — the writer — by the process that holds the schema's writer lease
 * (lease.ts: a lease row with a fencing token, checked inside every write transaction).
 *
 *   - A batch is one transaction on the writer (DELETE of its dels, then INSERT … ON CONFLICT DO UPDATE
 *     of its puts, in chunks), committed with the server's synchronous commit: when write() resolves the
 *     batch is in PostgreSQL's fsynced WAL. Within a batch a later operation on a key wins (a Map).
 *   - Writes are serialised on the writer (a checkpoint's put never lands inside an append's transaction).
 *   - A second process opening the same schema for writing gets ERR_ALREADY_RUNNING while the lease is
 *     valid, or waits for it (`waitForLease`: a standby). Every write transaction first checks the lease
 *     (ERR_LEASE_LOST when another process took it: nothing is written). When a write fails — the server
 *     restarted, the connection broke, the lease was lost — the log faults the session and reopens
 *     (node/log recovery.ts), taking the lease again when it can, and proves it still holds what it
 *     acknowledged. A process never writes without the lease.
 *   - The log's high-water mark (the largest tree it signed) is a row of the same schema, written in a
 *     fenced transaction on the writer like every write (high-water.ts: readMark / writeMark).
 *   - A snapshot is a REPEATABLE READ, READ ONLY transaction on a pooled connection.
 *   - Every failure of a database call is ERR_STORE_UNAVAILABLE (errors.ts).
 */
import type pg from 'pg';
import { isGovfedError } from '../../../protocol/errors.ts';
import { NodeError } from '../../errors.ts';
import type { MarkStore, TreeState } from '../high-water.ts';
import type { LogBatch, LogDb, LogIterator, LogSnapshot, RangeOptions, ReadOptions, WriteOptions } from '../store.ts';
import { guarded, storeUnavailable } from './errors.ts';
import { pgMark, readMarkRow, writeMarkRow } from './high-water.ts';
import { DEFAULT_LEASE_MS, fence, type Held, leaseLost, release, renew } from './lease.ts';
import { quoteIdent } from './migrations.ts';
import { keyBytes, type PageReader, PgRange, plainBytes } from './range.ts';
import { dropIdleSequence, ensureSequence, readNext, sequenceRows } from './sequence.ts';
import { PgSnapshot } from './snapshot.ts';

export const DEFAULT_SCHEMA = 'govfed';
/** Rows per INSERT statement of a batch (bounds the size of one statement's parameters). */
const ROWS_PER_STATEMENT = 4000;

type Queryable = Pick<pg.ClientBase, 'query'>;

class PgBatch implements LogBatch {
  readonly #db: PgLogDb;
  readonly #ops = new Map<string, Uint8Array | null>();

  constructor(db: PgLogDb) {
    this.#db = db;
  }

  put(key: string, value: Uint8Array): void {
    this.#ops.delete(key); // keeps insertion order = last write
    this.#ops.set(key, value);
  }

  del(key: string): void {
    this.#ops.delete(key);
    this.#ops.set(key, null);
  }

  write(_opts?: WriteOptions): Promise<void> {
    return this.#db.writeOps(this.#ops);
  }

  async close(): Promise<void> {
    this.#ops.clear();
  }
}

function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export class PgLogDb implements LogDb {
  readonly driver = 'postgres' as const;
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #writer: pg.Client | undefined;
  readonly #table: string;
  /** Writes run one after the other on the writer. */
  #writeChain: Promise<unknown> = Promise.resolve();
  /** Set when the writer's connection failed: the lock is gone, no write may go through. */
  #writerLost: unknown;
  #closed = false;
  readonly #held: Held | undefined;
  readonly #leaseMs: number;
  #renewer: NodeJS.Timeout | undefined;
  #onLeaseLost: ((err: unknown) => void) | undefined;

  constructor(pool: pg.Pool, writer: pg.Client | undefined, schema: string, held?: Held, leaseMs = DEFAULT_LEASE_MS) {
    this.#pool = pool;
    this.#writer = writer;
    this.schema = schema;
    this.#table = `${quoteIdent(schema)}.log_kv`;
    this.#held = held;
    this.#leaseMs = leaseMs;
    writer?.on('error', (err) => {
      this.#writerLost ??= err;
    });
    if (held !== undefined) {
      this.#renewer = setInterval(() => void this.#renew(held), Math.max(100, Math.floor(leaseMs / 3)));
      this.#renewer.unref();
    }
  }

  /** The fencing token of this handle's lease (undefined when opened read-only). */
  get leaseToken(): bigint | undefined {
    return this.#held?.token;
  }

  /** The connection pool (a follower's lease watch, follower.ts). */
  get pool(): pg.Pool {
    return this.#pool;
  }

  /** The lease this handle holds (undefined when it holds none), for other tables' fenced writes. */
  get lease(): Held | undefined {
    return this.#held === undefined || this.#writerLost !== undefined ? undefined : this.#held;
  }

  /** Called once, at once, when a renewal finds the lease taken by another process (not on close). */
  onLeaseLost(fn: (err: unknown) => void): void {
    this.#onLeaseLost = fn;
  }

  async #renew(held: Held): Promise<void> {
    if (this.#closed || this.#writerLost !== undefined) return;
    try {
      if (!(await renew(this.#pool, this.schema, held, this.#leaseMs))) this.#lose(leaseLost(held));
    } catch {
      // The database is away: the next write fails (and its fence refuses it once the lease expired).
    }
  }

  /** The lease is another process's now (a renewal or a fence found it): no write goes through again. */
  #lose(err: unknown): void {
    if (this.#writerLost !== undefined || this.#closed) return;
    this.#writerLost = err;
    this.#onLeaseLost?.(err);
  }

  /**
   * Sequences `values` as q/ rows (sequence.ts) on a pooled connection — not fenced: any process of the
   * org may. Resolves with the first index once committed.
   */
  sequence(values: readonly Uint8Array[]): Promise<number> {
    return guarded('sequence', () => sequenceRows(this.#pool, this.schema, values));
  }

  /** The next index the sequencer gives (undefined: the log is not shared). */
  sequenceNext(): Promise<number | undefined> {
    return guarded('read the sequencer', () => readNext(this.#pool, this.schema));
  }

  /**
   * The lease holder of a shared log: makes the sequence row from the integrated `size` if there is none
   * (fenced); resolves with the next index to give.
   */
  async shareSequence(size: number): Promise<number> {
    let next = size;
    await this.#fenced('share the sequencer', false, async (w) => {
      next = await ensureSequence(w, this.schema, size);
    });
    return next;
  }

  /** A log opened by one process only: drops an idle sequence row (fenced; sequence.ts dropIdleSequence). */
  unshareSequence(size: number): Promise<void> {
    return this.#fenced('unshare the sequencer', false, (w) => dropIdleSequence(w, this.schema, size));
  }

  #client(opts: ReadOptions | undefined): Promise<Queryable> {
    const snap = opts?.snapshot;
    if (snap === undefined) return Promise.resolve(this.#pool);
    if (!(snap instanceof PgSnapshot)) throw new Error('PgLogDb: a snapshot of another store');
    return snap.client;
  }

  get(key: string, opts?: ReadOptions): Promise<Uint8Array | undefined> {
    return guarded('read', async () => {
      const c = await this.#client(opts);
      const r = await c.query<{ v: Buffer }>(`SELECT v FROM ${this.#table} WHERE k = $1`, [keyBytes(key)]);
      const v = r.rows[0]?.v;
      return v === undefined ? undefined : plainBytes(v);
    });
  }

  getMany(keys: readonly string[], opts?: ReadOptions): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return guarded('read', async () => {
      const c = await this.#client(opts);
      const r = await c.query<{ k: Buffer; v: Buffer }>(`SELECT k, v FROM ${this.#table} WHERE k = ANY($1::bytea[])`, [
        keys.map(keyBytes),
      ]);
      const found = new Map<string, Buffer>();
      for (const row of r.rows) found.set(row.k.toString('hex'), row.v);
      return keys.map((k) => {
        const v = found.get(keyBytes(k).toString('hex'));
        return v === undefined ? undefined : plainBytes(v);
      });
    });
  }

  put(key: string, value: Uint8Array, _opts?: WriteOptions): Promise<void> {
    return this.writeOps(new Map([[key, value]]));
  }

  del(key: string, _opts?: WriteOptions): Promise<void> {
    return this.writeOps(new Map([[key, null]]));
  }

  batch(): LogBatch {
    return new PgBatch(this);
  }

  /** One transaction on the writer: the dels, then the puts (a key appears once in `ops`). */
  writeOps(ops: ReadonlyMap<string, Uint8Array | null>): Promise<void> {
    return this.#fenced('write', ops.size === 0, async (w) => {
      const dels: Buffer[] = [];
      const keys: Buffer[] = [];
      const values: Buffer[] = [];
      for (const [k, v] of ops) {
        if (v === null) dels.push(keyBytes(k));
        else {
          keys.push(keyBytes(k));
          values.push(asBuffer(v));
        }
      }
      if (dels.length > 0) await w.query(`DELETE FROM ${this.#table} WHERE k = ANY($1::bytea[])`, [dels]);
      for (let i = 0; i < keys.length; i += ROWS_PER_STATEMENT) {
        await w.query(
          `INSERT INTO ${this.#table} (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[]) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`,
          [keys.slice(i, i + ROWS_PER_STATEMENT), values.slice(i, i + ROWS_PER_STATEMENT)],
        );
      }
    });
  }

  /** The log's high-water mark, kept in this schema (high-water.ts). */
  highWaterMark(origin: string): MarkStore {
    return pgMark(this, origin);
  }

  /** The log's high-water mark row (high-water.ts), read like any other read. */
  readMark(origin: string): Promise<TreeState | undefined> {
    return guarded('read the high-water mark', () => readMarkRow(this.#pool, this.schema, origin));
  }

  /**
   * Raises the high-water mark to `state` in one fenced transaction, only while the row is still
   * `previous` (else ERR_LOG_ROLLBACK); ERR_LEASE_LOST when another process holds the lease.
   */
  writeMark(origin: string, state: TreeState, previous: TreeState | undefined): Promise<void> {
    return this.#fenced('write the high-water mark', false, (w) =>
      writeMarkRow(w, this.schema, origin, state, previous),
    );
  }

  /**
   * Runs `body` in one transaction on the writer, after the other writes, behind the lease's fence
   * (ERR_LEASE_LOST: nothing is written). Any failure rolls it back; govfed errors pass through, the rest
   * is ERR_STORE_UNAVAILABLE.
   */
  #fenced(what: string, empty: boolean, body: (w: pg.Client) => Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      const w = this.#writer;
      if (w === undefined) throw new Error('PgLogDb: opened read-only');
      if (this.#closed) throw new NodeError('ERR_STORE_UNAVAILABLE', 'the log store is closed');
      if (this.#writerLost !== undefined)
        throw storeUnavailable(this.#writerLost, `${what}: the writer connection is lost`);
      if (empty) return;
      const held = this.#held as Held;
      await guarded(what, async () => {
        await w.query('BEGIN');
        try {
          await fence(w, this.schema, held); // ERR_LEASE_LOST: another process writes now
          await body(w);
          await w.query('COMMIT');
        } catch (err) {
          await w.query('ROLLBACK').catch(() => {});
          if (isGovfedError(err, 'ERR_LEASE_LOST')) this.#lose(err);
          throw err;
        }
      });
    };
    const p = this.#writeChain.then(run, run);
    this.#writeChain = p.catch(() => {});
    return p;
  }

  #pages(keysOnly: boolean, opts: ReadOptions | undefined): PageReader {
    const cols = keysOnly ? 'k' : 'k, v';
    return (q) =>
      guarded('read', async () => {
        const where: string[] = [];
        const params: unknown[] = [];
        const bound = (op: string, b: Buffer | undefined) => {
          if (b === undefined) return;
          params.push(b);
          where.push(`k ${op} $${params.length}`);
        };
        bound('>=', q.gte);
        bound('<', q.lt);
        bound(q.reverse ? '<' : '>', q.after);
        const c = await this.#client(opts);
        const sql = `SELECT ${cols} FROM ${this.#table}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY k ${q.reverse ? 'DESC' : 'ASC'} LIMIT ${Math.trunc(q.n)}`;
        const r = await c.query<{ k: Buffer; v?: Buffer }>(sql, params);
        return r.rows;
      });
  }

  iterator(range: RangeOptions = {}): LogIterator<[string, Uint8Array]> {
    return new PgRange(this.#pages(false, range), range, (row) => [
      row.k.toString('utf8'),
      plainBytes(row.v as Buffer),
    ]);
  }

  keys(range: RangeOptions = {}): LogIterator<string> {
    return new PgRange(this.#pages(true, range), range, (row) => row.k.toString('utf8'));
  }

  async snapshot(): Promise<LogSnapshot> {
    const snap = new PgSnapshot(this.#pool);
    await guarded('snapshot', () => snap.client);
    return snap;
  }

  /** Releases the lease (a standby may take it at once), the writer and the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#renewer !== undefined) clearInterval(this.#renewer);
    await this.#writeChain;
    if (this.#held !== undefined && this.#writerLost === undefined) {
      await release(this.#pool, this.schema, this.#held).catch(() => {});
    }
    await this.#writer?.end().catch(() => {});
    await this.#pool.end().catch(() => {});
  }
}
