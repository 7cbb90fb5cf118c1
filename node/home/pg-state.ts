/**
 * The node's module state in PostgreSQL: one row per named state (state-backend.ts STATE_FILES) in
 * `<schema>.node_state (name, body, version)` — the log's own database and schema (migration 5), so a
 * process of the org that takes the writer lease in its own home, on another machine, continues with
 * exactly the state the previous leader left.
 *
 *   - read: a plain SELECT on a pooled connection; readAll() reads every state at once;
 *   - write / remove / update: ONE transaction that first checks the org's writer lease (lease.ts fence:
 *     a former holder gets ERR_LEASE_LOST and writes nothing), then writes the row. A process without the
 *     lease (a follower: `lease()` is undefined) is refused with ERR_NOT_LEADER, naming the holder;
 *   - the change counter: every write gives its row `version = max(version) + 1`. The fence holds the
 *     lease row's lock until commit, so writes are serialised and commit in version order: a follower that
 *     saw counter V asks `changedSince(V)` (`SELECT max(version)`, one index probe) and reads again only
 *     then. A removal keeps a tombstone (body NULL) so the counter never goes back;
 *   - a body is at most MAX_STATE_BYTES (ERR_STATE_TOO_LARGE, nothing written);
 *   - every failure of a database call is ERR_STORE_UNAVAILABLE (../log/postgres/errors.ts).
 */
import pg from 'pg';
import { isGovfedError } from '../../protocol/errors.ts';
import { NodeError } from '../errors.ts';
import { guarded, quietPool } from '../log/postgres/errors.ts';
import { describeHolder, fence, type Held } from '../log/postgres/lease.ts';
import { migrate, quoteIdent } from '../log/postgres/migrations.ts';
import { idleInTransactionOption } from '../log/postgres/open.ts';
import { DEFAULT_SCHEMA } from '../log/postgres/pg-db.ts';
import type { PostgresStoreSpec } from '../log/store.ts';
import { isStateName, type StateBackend, type StateName, type StateStorage } from './state-backend.ts';

/** The largest state body stored (the federation's charters, the policy chain, …: a few MiB at most). */
export const MAX_STATE_BYTES = 32 << 20;
/** First key of the state writes' transaction-level advisory lock ('govs'); the second is hashtext(schema). */
const STATE_LOCK_CLASS = 0x676f7673;

/**
 * The org's writer lease as this process holds it now; undefined when it does not (a follower). The
 * daemon gives the audit log's (`() => log.writerLease()`); commands without a daemon take one for the
 * job (offline-lease.ts).
 */
export type LeaseFn = () => Held | undefined | Promise<Held | undefined>;

export interface StoredState {
  body: Uint8Array;
  version: bigint;
}

type Client = pg.PoolClient;

export class PgStateDb {
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #lease: LeaseFn;
  readonly #table: string;

  constructor(pool: pg.Pool, schema: string, lease: LeaseFn) {
    this.#pool = pool;
    this.schema = schema;
    this.#lease = lease;
    this.#table = `${quoteIdent(schema)}.node_state`;
  }

  /** A pool of its own on the log's database (`spec`), for a process whose writes `lease` fences. */
  static open(spec: PostgresStoreSpec, lease: LeaseFn): PgStateDb {
    const pool = quietPool(
      new pg.Pool({
        connectionString: spec.url,
        connectionTimeoutMillis: 10_000,
        keepAlive: true,
        application_name: 'govfed-state',
        options: idleInTransactionOption(spec),
        max: 4,
        idleTimeoutMillis: 30_000,
      }),
    ); // a broken connection (idle or checked out) fails its next call; the pool drops it
    return new PgStateDb(pool, spec.schema ?? DEFAULT_SCHEMA, lease);
  }

  /** Runs the schema's missing migrations (the log's open runs them too; both are idempotent). */
  async migrate(): Promise<void> {
    await guarded('migrate', async () => {
      const c = await this.#pool.connect();
      try {
        await migrate(c, this.schema);
      } finally {
        c.release();
      }
    });
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => {});
  }

  /** The state `name` (undefined: none, or removed). */
  async read(name: StateName): Promise<StoredState | undefined> {
    const r = await guarded(`read ${name}`, () =>
      this.#pool.query<{ body: Buffer | null; version: string }>(
        `SELECT body, version FROM ${this.#table} WHERE name = $1`,
        [name],
      ),
    );
    const row = r.rows[0];
    return row?.body == null ? undefined : { body: new Uint8Array(row.body), version: BigInt(row.version) };
  }

  /**
   * The state `name` and the database's clock when it was read (ms since the epoch, one statement): what
   * a follower times the lease holder's snapshot by (node/ha/follower-enforcement.ts), so that no two
   * machines' clocks are compared.
   */
  async readTimed(name: StateName): Promise<{ stored: StoredState | undefined; clockMs: number }> {
    const r = await guarded(`read ${name}`, () =>
      this.#pool.query<{ body: Buffer | null; version: string | null; clock_ms: string }>(
        `SELECT s.body, s.version, c.clock_ms FROM (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS clock_ms) c LEFT JOIN ${this.#table} s ON s.name = $1`,
        [name],
      ),
    );
    const row = r.rows[0];
    const clockMs = Number(row?.clock_ms);
    const stored =
      row?.body == null || row.version === null
        ? undefined
        : { body: new Uint8Array(row.body), version: BigInt(row.version) };
    return { stored, clockMs };
  }

  /** The database's clock (ms since the epoch). */
  async clock(): Promise<number> {
    const r = await guarded('read the database clock', () =>
      this.#pool.query<{ clock_ms: string }>(
        'SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS clock_ms',
      ),
    );
    return Number(r.rows[0]?.clock_ms);
  }

  /** Every stored state, by name (rows of names this govfed does not know are left out). */
  async readAll(): Promise<Map<StateName, StoredState>> {
    const r = await guarded('read all states', () =>
      this.#pool.query<{ name: string; body: Buffer; version: string }>(
        `SELECT name, body, version FROM ${this.#table} WHERE body IS NOT NULL`,
      ),
    );
    const out = new Map<StateName, StoredState>();
    for (const row of r.rows) {
      if (isStateName(row.name)) out.set(row.name, { body: new Uint8Array(row.body), version: BigInt(row.version) });
    }
    return out;
  }

  /** The holder id of this process's writer lease, when it holds one (who wrote a record: node/ha keys-guard.ts). */
  async holder(): Promise<string | undefined> {
    return (await this.#lease())?.holder;
  }

  /** The change counter: the version of the newest write (0: nothing was ever written). */
  async version(): Promise<bigint> {
    const r = await guarded('read the state version', () =>
      this.#pool.query<{ v: string | null }>(`SELECT max(version) AS v FROM ${this.#table}`),
    );
    return BigInt(r.rows[0]?.v ?? 0);
  }

  /** True when a state was written or removed since the counter was `v`. */
  async changedSince(v: bigint): Promise<boolean> {
    return (await this.version()) > v;
  }

  /** Stores `body` as the state `name` (fenced). */
  async write(name: StateName, body: Uint8Array): Promise<void> {
    checkSize(name, body);
    await this.fenced(`save ${name}`, (c) => this.#put(c, name, body));
  }

  /** Removes the state `name` (fenced; a tombstone keeps the counter). */
  async remove(name: StateName): Promise<void> {
    await this.fenced(`remove ${name}`, (c) => this.#put(c, name, null));
  }

  /**
   * Reads the state `name` under a row lock and stores what `fn` makes of it, in one fenced transaction
   * (a read-modify-write no other process can interleave: the token list). `fn` returning undefined
   * writes nothing. Returns what `fn` returned with it.
   */
  async update<R>(
    name: StateName,
    fn: (current: Uint8Array | undefined) => { body?: Uint8Array; result: R },
  ): Promise<R> {
    return this.fenced(`update ${name}`, async (c) => {
      const r = await c.query<{ body: Buffer | null }>(`SELECT body FROM ${this.#table} WHERE name = $1 FOR UPDATE`, [
        name,
      ]);
      const cur = r.rows[0]?.body;
      const out = fn(cur == null ? undefined : new Uint8Array(cur));
      if (out.body !== undefined) {
        checkSize(name, out.body);
        await this.#put(c, name, out.body);
      }
      return out.result;
    });
  }

  async #put(c: Client, name: StateName, body: Uint8Array | null): Promise<void> {
    await c.query(
      `INSERT INTO ${this.#table} AS t (name, body, version)
         VALUES ($1, $2, (SELECT coalesce(max(version), 0) + 1 FROM ${this.#table}))
       ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body, version = EXCLUDED.version`,
      [name, body === null ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength)],
    );
  }

  /**
   * Runs `fn` in one transaction that first checks this process's writer lease (ERR_NOT_LEADER without
   * one, ERR_LEASE_LOST when it is not valid any more: nothing is written). The witness's store
   * (node/witness/pg-store.ts) writes through it too.
   */
  async fenced<T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const held = await guarded('read the writer lease', async () => this.#lease());
    if (held === undefined) throw await this.notLeader(what);
    return guarded(what, async () => {
      const c = await this.#pool.connect();
      let broken = false;
      try {
        await c.query('BEGIN');
        try {
          await fence(c, this.schema, held);
          // The fence is a shared lock (lease.ts): state writes are serialised among themselves here, so
          // that each takes max(version) + 1 after the one before.
          await c.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [STATE_LOCK_CLASS, this.schema]);
          const out = await fn(c);
          await c.query('COMMIT');
          return out;
        } catch (err) {
          broken = !isGovfedError(err);
          await c.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw err;
        }
      } finally {
        c.release(broken);
      }
    });
  }

  /** A plain query on a pooled connection (reads of the witness's store), any failure ERR_STORE_UNAVAILABLE. */
  query<R extends pg.QueryResultRow>(what: string, text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return guarded(what, () => this.#pool.query<R>(text, params));
  }

  /** ERR_NOT_LEADER for `what`, naming the process that holds the lease. */
  async notLeader(what: string): Promise<NodeError> {
    const who = await guarded('read the writer lease', () => describeHolder(this.#pool, this.schema));
    return new NodeError(
      'ERR_NOT_LEADER',
      `this process does not hold the org's writer lease (held by ${who}): only that process can ${what}`,
    );
  }

  /** The states as a StateStorage (for JsonStateFile and the other named states). */
  storage(): StateStorage {
    return { kind: 'postgres', backend: (name) => this.backend(name) };
  }

  backend(name: StateName): StateBackend {
    return {
      where: `${this.#table} '${name}'`,
      read: async () => (await this.read(name))?.body,
      write: (body) => this.write(name, body),
      remove: () => this.remove(name),
    };
  }
}

function checkSize(name: StateName, body: Uint8Array): void {
  if (body.byteLength > MAX_STATE_BYTES) {
    throw new NodeError(
      'ERR_STATE_TOO_LARGE',
      `the state ${name} is ${body.byteLength} bytes, more than the ${MAX_STATE_BYTES} a state may have: nothing was written`,
    );
  }
}
