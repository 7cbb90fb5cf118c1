/**
 * A migrated schema on a real PostgreSQL (test/helpers/postgres.ts) and the writer lease taken in it,
 * for the tests of the node's state in the database (node/home/pg-state.ts and its users).
 */
import pg from 'pg';
import { type LeaseFn, PgStateDb } from '../../node/home/pg-state.ts';
import { type Held, tryAcquire } from '../../node/log/postgres/lease.ts';
import { migrate } from '../../node/log/postgres/migrations.ts';
import type { PostgresStoreSpec } from '../../node/log/store.ts';
import type { TestPostgres } from './postgres.ts';

export interface StateSchema {
  spec: PostgresStoreSpec;
  /** The database's name (for TestPostgres.sql). */
  dbName: string;
  schema: string;
  /** Takes the lease as `holder` (throws while another holder's is valid). */
  take(holder: string): Promise<Held>;
  /** Ends every lease at once (as if its holder was paused past it). */
  expireLease(): Promise<void>;
  /** A state db on this schema with `lease`; closed by closeAll(). */
  open(lease: LeaseFn): PgStateDb;
  closeAll(): Promise<void>;
}

let n = 0;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function stateSchema(server: TestPostgres, prefix = 'state'): Promise<StateSchema> {
  const url = await server.createDatabase(prefix);
  const schema = `${prefix}_${++n}`;
  const spec: PostgresStoreSpec = { driver: 'postgres', url, schema };
  const dbName = new URL(url).pathname.slice(1);
  await withClient(url, (c) => migrate(c, schema));
  const dbs: PgStateDb[] = [];
  return {
    spec,
    dbName,
    schema,
    take: (holder) =>
      withClient(url, async (c) => {
        const held = await tryAcquire(c, schema, holder, 60_000);
        if (held === undefined) throw new Error(`the lease is held: ${holder} cannot take it`);
        return held;
      }),
    expireLease: async () => {
      await server.sql(`UPDATE ${schema}.lease SET expires_at = now() - interval '1 second'`, [], dbName);
    },
    open: (lease) => {
      const db = PgStateDb.open(spec, lease);
      dbs.push(db);
      return db;
    },
    closeAll: async () => {
      for (const db of dbs.splice(0)) await db.close();
    },
  };
}
