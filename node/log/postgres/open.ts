/**
 * Opening a log's PostgreSQL schema (pg-db.ts): connect, run the missing migrations (migrations.ts) and
 * take the writer lease (lease.ts) — or wait for it (a standby), or take none (a process that only
 * sequences and reads: a follower of a shared log, sequence.ts), or open for reads only.
 */
import pg from 'pg';
import { NodeError } from '../../errors.ts';
import type { PostgresStoreSpec } from '../store.ts';
import { guarded, quietPool } from './errors.ts';
import { DEFAULT_LEASE_MS, describeHolder, holderId, tryAcquire } from './lease.ts';
import { migrate, schemaVersion } from './migrations.ts';
import { DEFAULT_SCHEMA, PgLogDb } from './pg-db.ts';

/** How long connecting may take before the store is called unavailable. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface OpenPgOptions {
  /** ERR_NOT_FOUND unless the schema holds a log already. */
  mustExist?: boolean;
  /** No writer, no lease, no migrations: reads only (fsck of a stopped node, a migration's source). */
  readOnly?: boolean;
  /** Wait until the writer lease is free instead of ERR_ALREADY_RUNNING (a standby process). */
  waitForLease?: boolean;
  /**
   * Migrations run, but no writer and no lease: the process sequences entries (sequence.ts) and reads,
   * never integrates or signs — a follower of a shared log.
   */
  noLease?: boolean;
  /** Ends the wait for the lease (ERR_SHUTTING_DOWN). */
  signal?: AbortSignal;
  /**
   * Who writes, in the lease row (default: a new name per open). A log that reopens its store after a
   * fault passes the same name and so takes its own lease back at once, with a new fencing token.
   */
  holder?: string;
}

function connection(spec: PostgresStoreSpec): pg.ClientConfig {
  return {
    connectionString: spec.url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'govfed',
    options: idleInTransactionOption(spec),
  };
}

/**
 * The server ends a session left idle inside a transaction for longer than the lease: a process paused
 * mid-transaction (SIGSTOP, a frozen VM) would otherwise keep its fenced transaction's lock on the lease
 * row for ever, and no other process could take the lease over (lease.ts tryAcquire waits for it).
 */
export function idleInTransactionOption(spec: PostgresStoreSpec): string {
  return `-c idle_in_transaction_session_timeout=${spec.leaseMs ?? DEFAULT_LEASE_MS}`;
}

/**
 * Opens the log in `spec`'s schema: connects, takes the writer lock (ERR_ALREADY_RUNNING when another
 * process holds it) and runs the missing migrations. ERR_STORE_UNAVAILABLE when the database cannot be
 * reached.
 */
export async function openPgLogDb(spec: PostgresStoreSpec, opts: OpenPgOptions = {}): Promise<PgLogDb> {
  const schema = spec.schema ?? DEFAULT_SCHEMA;
  // a broken connection (idle in the pool or checked out) fails its next query; the pool drops it
  const pool = quietPool(new pg.Pool({ ...connection(spec), max: 8, idleTimeoutMillis: 30_000 }));
  let writer: pg.Client | undefined;
  try {
    if (opts.mustExist || opts.readOnly) {
      const version = await guarded('open', () => schemaVersion(pool, schema));
      if (version === 0) {
        if (opts.mustExist) throw new NodeError('ERR_NOT_FOUND', `no audit log in schema ${schema} of the database`);
      }
    }
    if (!opts.readOnly) {
      const w = new pg.Client(connection(spec));
      writer = w;
      w.on('error', () => {}); // replaced by PgLogDb's handler; a failure before that surfaces as a query error
      await guarded('open', () => w.connect());
      await guarded('migrate', () => migrate(w, schema));
      if (opts.noLease) {
        writer = undefined;
        await w.end().catch(() => {});
        return new PgLogDb(pool, undefined, schema);
      }
      const ttl = spec.leaseMs ?? DEFAULT_LEASE_MS;
      const holder = opts.holder ?? holderId();
      let held = await guarded('open', () => tryAcquire(w, schema, holder, ttl));
      while (held === undefined && opts.waitForLease) {
        await sleep(Math.min(500, Math.max(50, Math.floor(ttl / 4))), opts.signal);
        held = await guarded('open', () => tryAcquire(w, schema, holder, ttl));
      }
      if (held === undefined) {
        const who = await guarded('open', () => describeHolder(w, schema));
        throw new NodeError(
          'ERR_ALREADY_RUNNING',
          `the audit log in schema ${schema} of the database is in use by another process (lease held by ${who})`,
        );
      }
      return new PgLogDb(pool, writer, schema, held, ttl);
    }
    return new PgLogDb(pool, writer, schema);
  } catch (err) {
    await writer?.end().catch(() => {});
    await pool.end().catch(() => {});
    throw err;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new NodeError('ERR_SHUTTING_DOWN', 'stopped while waiting for the writer lease'));
      return;
    }
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new NodeError('ERR_SHUTTING_DOWN', 'stopped while waiting for the writer lease'));
      },
      { once: true },
    );
  });
}
