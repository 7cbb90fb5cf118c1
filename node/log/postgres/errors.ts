/**
 * Errors of the PostgreSQL driver. Anything node-postgres throws — a refused or broken connection, a
 * server shutting down, a timeout, a failed statement — means the log's database cannot be used now:
 * ERR_STORE_UNAVAILABLE (503 with Retry-After at the API, never a 500). The message carries the server's
 * SQLSTATE or the socket error code, never the connection URL (it may hold a password).
 */
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
