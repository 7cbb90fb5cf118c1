/**
 * A real PostgreSQL for tests: Debian's `postgresql` package, one throw-away cluster per suite (the
 * server itself, started as the `postgres` user: test/helpers/postgres-server.ts). fsync is off in these
 * clusters (the tests kill processes, never the machine; the benches' clusters keep it on).
 *
 * Where the binaries are missing or the tests do not run as root, a suite is skipped and its title says
 * "skipped: needs postgresql"; `.ci/run` installs postgresql and fails when CI=true and any suite titled
 * so was skipped (as for root and the browser: test/helpers/root.ts, test/helpers/browser.ts).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { HAS_POSTGRES, TestPostgres } from './postgres-server.ts';

export { HAS_POSTGRES, PG_BIN_DIR, TestPostgres } from './postgres-server.ts';

/** The marker in the title of a PostgreSQL suite that did not run (read by .ci/run). */
export const NEEDS_POSTGRES_MARK = 'skipped: needs postgresql';

/** `describe` for a suite that needs PostgreSQL: runs as root with the server installed, is skipped (and says so) otherwise. */
export function describeWithPostgres(name: string, fn: () => void): void {
  describe.skipIf(!HAS_POSTGRES)(HAS_POSTGRES ? name : `${name} (${NEEDS_POSTGRES_MARK})`, fn);
}

/**
 * One cluster for the enclosing suite: created in beforeAll, destroyed in afterAll. Call it inside a
 * describeWithPostgres block; the getter throws before beforeAll ran.
 */
export function usePostgres(opts: { fsync?: boolean } = {}): () => TestPostgres {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await TestPostgres.create(opts);
  }, 120_000);
  afterAll(async () => {
    await server?.destroy();
  });
  return () => {
    if (server === undefined) throw new Error('usePostgres: the server is not started yet');
    return server;
  };
}
