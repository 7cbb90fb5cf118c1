/**
 * Errors of the PostgreSQL driver. Anything node-postgres throws — a refused or broken connection, a
 * server shutting down, a timeout, a failed statement — means the log's database cannot be used now:
 * ERR_STORE_UNAVAILABLE (503 with Retry-After at the API, never a 500). The message carries the server's
 * SQLSTATE or the socket error code, never the connection URL (it may hold a password).
 */
import type pg from 'pg';
import { isGovfedError } from '../../../protocol/errors.ts';
import { NodeError } from '../../errors.ts';

/** ERR_STORE_UNAVAILABLE for any failure of a database call (govfed errors pass through unchanged). */
export function storeUnavailable(err: unknown, what: string): Error {
  if (isGovfedError(err)) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return new NodeError(
    'ERR_STORE_UNAVAILABLE',
    `the log's PostgreSQL database cannot be used (${what}): ${code}${message}`,
    {
      cause: err,
    },
  );
}

/** Runs `fn`, turning any failure into ERR_STORE_UNAVAILABLE. */
export async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw storeUnavailable(err, what);
  }
}

/**
 * A pool whose connections never stop the process with an 'error' event. node-postgres emits 'error' on
 * a connection when its server ends the session while no query is running on it — e.g. after a pause
 * inside a transaction longer than idle_in_transaction_session_timeout (open.ts), or a server shutting
 * down — and pg-pool listens only while a connection is idle in the pool: a checked-out connection's
 * event would have no listener, an uncaught exception. Here the pool and every connection it makes have
 * a listener for their whole life; the broken connection fails its next query instead (not queryable),
 * which its user turns into ERR_STORE_UNAVAILABLE and releases as broken.
 */
export function quietPool<P extends pg.Pool>(pool: P): P {
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}
