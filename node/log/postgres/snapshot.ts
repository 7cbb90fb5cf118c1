/**
 * A point-in-time view of a log in PostgreSQL (store.ts LogSnapshot): a REPEATABLE READ, READ ONLY
 * transaction on a pooled connection, taken when the snapshot resolves; every read passed it sees that
 * one committed state. Closing it ends the transaction and returns the connection.
 */
import type pg from 'pg';
import type { LogSnapshot } from '../store.ts';

export class PgSnapshot implements LogSnapshot {
  readonly client: Promise<pg.PoolClient>;

  constructor(pool: pg.Pool) {
    this.client = (async () => {
      const c = await pool.connect(); // its pool listens for its errors (errors.ts quietPool)
      try {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await c.query('SELECT 1'); // the snapshot is taken here, not at the first read
        return c;
      } catch (err) {
        c.release(err as Error);
        throw err;
      }
    })();
  }

  async close(): Promise<void> {
    let c: pg.PoolClient;
    try {
      c = await this.client;
    } catch {
      return;
    }
    try {
      await c.query('COMMIT');
      c.release();
    } catch (err) {
      c.release(err as Error);
    }
  }
}
