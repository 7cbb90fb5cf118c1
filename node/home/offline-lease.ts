/**
 * The org's writer lease taken for one job by a command that runs without the daemon (`govfed store
 * migrate`, `govfed token create|revoke` on a home whose log is in PostgreSQL): taken when no process
 * holds it — ERR_NOT_LEADER naming the holder while one does (the daemon that leads must do it: e.g.
 * POST /v1/tokens) — used for the job's fenced writes (pg-state.ts), and released at once after it, so a
 * standby waiting for the lease takes it without waiting for it to run out.
 */
import pg from 'pg';
import { NodeError } from '../errors.ts';
import { guarded } from '../log/postgres/errors.ts';
import { describeHolder, type Held, holderId, release, tryAcquire } from '../log/postgres/lease.ts';
import type { PostgresStoreSpec } from '../log/store.ts';
import { PgStateDb } from './pg-state.ts';

/** How long the job may hold the lease before another process may take it (it is released when done). */
const JOB_LEASE_MS = 60_000;

/** Runs `job` with a state db whose writes are fenced by a lease taken for it (see the top). */
export async function withOfflineLease<T>(
  spec: PostgresStoreSpec,
  what: string,
  job: (db: PgStateDb) => Promise<T>,
): Promise<T> {
  let held: Held | undefined;
  const client = new pg.Client({ connectionString: spec.url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // a broken connection surfaces as the next query's error
  const db = PgStateDb.open(spec, () => held);
  try {
    await db.migrate();
    held = await guarded('take the writer lease', async () => {
      await client.connect();
      return tryAcquire(client, db.schema, holderId(), JOB_LEASE_MS);
    });
    if (held === undefined) {
      const who = await guarded('read the writer lease', () => describeHolder(client, db.schema));
      throw new NodeError(
        'ERR_NOT_LEADER',
        `a process of this org holds the writer lease of schema ${db.schema} (${who}): it runs, so ${what} ` +
          'must be done through it (its API), or with every process stopped',
      );
    }
    return await job(db);
  } finally {
    const h = held;
    if (h !== undefined) await release(client, db.schema, h).catch(() => {});
    await client.end().catch(() => {});
    await db.close();
  }
}
