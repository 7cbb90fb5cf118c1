/**
 * Where the node keeps its audit log: config.json `store`, absent for the embedded default (LevelDB in
 * DIR/data), or
 *
 *     "store": { "driver": "postgres", "url": "postgres://govfed@db.example:5432/govfed", "schema": "acme" }
 *
 * for a PostgreSQL database (node/log/postgres; `govfed init --store URL`, `govfed store migrate`).
 * config.json holds nothing secret, so the URL must not carry a password: `init` and `store migrate` move
 * one given in the URL to DIR/keys/store.password (mode 0600), which the daemon reads at start; node-postgres
 * also honours PGPASSWORD and ~/.pgpass. TLS options go in the URL (`?sslmode=verify-full&sslrootcert=…`).
 */
import { NodeError } from '../errors.ts';
import { checkStoreSpec, type LogStoreSpec, SCHEMA_RE } from '../log/store.ts';

export interface StoreConfig {
  driver: 'postgres';
  /** `postgres://user@host:port/database[?options]`, without a password. */
  url: string;
  /** The schema holding the log (default govfed). */
  schema?: string;
  /**
   * Several govfed processes of the org run on this database, each with its own home (`govfed ha
   * add-process`): one holds the writer lease and runs the org's node, the others follow (node/log
   * follower.ts, docs/operators-guide.md "Running an org's node highly available").
   */
  shared?: boolean;
  /** The writer lease's length in ms (default 10000): how long a dead holder keeps the others waiting. */
  leaseMs?: number;
}

const MAX_URL = 2048;

/** A URL's password taken out of it (`init --store`, `store migrate --to`). ERR_VALIDATION for a bad URL. */
export function splitStoreUrl(raw: string): { url: string; password?: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new NodeError('ERR_VALIDATION', 'store: expected a URL postgres://user@host:port/database');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new NodeError('ERR_VALIDATION', 'store: expected a postgres:// or postgresql:// URL');
  }
  if (u.pathname.length <= 1) throw new NodeError('ERR_VALIDATION', 'store: the URL must name a database');
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  u.password = '';
  return password === undefined ? { url: u.toString() } : { url: u.toString(), password };
}

/** Checks config.json `store` (hand-editable). */
export function checkStoreConfig(v: unknown, fail: (msg: string) => Error): StoreConfig | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail('store must be an object');
  const { driver, url, schema, shared, leaseMs, ...rest } = v as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw fail(`store: unknown field "${Object.keys(rest)[0]}"`);
  if (driver !== 'postgres') throw fail('store.driver must be "postgres" (leave store out for the embedded LevelDB)');
  if (typeof url !== 'string' || url.length > MAX_URL) throw fail('store.url must be a postgres:// URL');
  let split: { url: string; password?: string };
  try {
    split = splitStoreUrl(url);
  } catch (err) {
    throw fail(`store.url: ${(err as Error).message}`);
  }
  if (split.password !== undefined) {
    throw fail('store.url must not hold a password (config.json is not secret): put it in keys/store.password');
  }
  if (schema !== undefined && (typeof schema !== 'string' || !SCHEMA_RE.test(schema))) {
    throw fail(`store.schema must match ${SCHEMA_RE}`);
  }
  if (shared !== undefined && typeof shared !== 'boolean') throw fail('store.shared must be true or false');
  if (
    leaseMs !== undefined &&
    (!Number.isInteger(leaseMs) || (leaseMs as number) < 300 || (leaseMs as number) > 600_000)
  ) {
    throw fail('store.leaseMs must be an integer from 300 to 600000');
  }
  return v as StoreConfig;
}

/** The log's store for a home: DIR/data (LevelDB), or the configured PostgreSQL with its password, if any. */
export function logStoreOf(store: StoreConfig | undefined, data: string, password?: string): LogStoreSpec {
  if (store === undefined) return { driver: 'leveldb', dir: data };
  let url = store.url;
  if (password !== undefined) {
    const u = new URL(url);
    u.password = encodeURIComponent(password);
    url = u.toString();
  }
  return checkStoreSpec({
    driver: 'postgres',
    url,
    ...(store.schema === undefined ? {} : { schema: store.schema }),
    ...(store.shared === undefined ? {} : { shared: store.shared }),
    ...(store.leaseMs === undefined ? {} : { leaseMs: store.leaseMs }),
  });
}
