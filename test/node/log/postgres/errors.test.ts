/**
 * The PostgreSQL driver's errors (node/log/postgres/errors.ts) on a real server: a pooled connection whose
 * session the server ends while no query runs on it — here a transaction left idle past
 * idle_in_transaction_session_timeout, as a process paused mid-transaction finds on resuming — must not
 * stop the process with an 'error' event nobody listens to (node-postgres emits one; pg-pool listens only
 * to idle connections). Its next query fails, and the pool goes on with a new connection.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { guarded, quietPool } from '../../../../node/log/postgres/errors.ts';
import { describeWithPostgres, usePostgres } from '../../../helpers/postgres.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithPostgres('quietPool', () => {
  const server = usePostgres();

  it('survives the server ending a checked-out connection idle in a transaction; the next query runs on a new one', async () => {
    const url = await server().createDatabase('quiet');
    const pool = quietPool(
      new pg.Pool({ connectionString: url, options: '-c idle_in_transaction_session_timeout=200' }),
    );
    try {
      const c = await pool.connect();
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      await c.query('BEGIN');
      await sleep(800); // "paused" inside the transaction: the server ends the session (FATAL 25P03)
      // Without a listener on the checked-out connection the FATAL message was an uncaught exception here.
      const failed = await guarded('after the pause', () => c.query('SELECT 1')).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
      c.release(true);
      const next = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect(next.rows[0]?.pid).not.toBe(pid);
    } finally {
      await pool.end();
    }
  });

  it('gives every connection one listener for its life (a connection checked out again gains none)', async () => {
    const url = await server().createDatabase('quiet');
    const pool = quietPool(new pg.Pool({ connectionString: url, max: 1 }));
    try {
      for (let i = 0; i < 3; i++) {
        const c = await pool.connect();
        expect(c.listenerCount('error')).toBe(1);
        c.release();
      }
    } finally {
      await pool.end();
    }
  });
});
