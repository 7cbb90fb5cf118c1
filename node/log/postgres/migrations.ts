/**
 * The PostgreSQL driver's schema, versioned. Each migration runs once, in order, in one transaction
 * with the row that records it in `<schema>.schema_migrations`; every start runs the ones missing
 * (openPgLogDb), under a transaction-level advisory lock so that processes starting together do not race.
 * A database whose schema is newer than this govfed knows is refused (ERR_INVALID_CONFIG): an older
 * binary must not write into a layout it does not understand.
 *
 *   1  log_kv (k bytea PRIMARY KEY, v bytea): the log's ordered key-value store (keys.ts layout);
 *      bytea keys compare byte by byte, as LevelDB's do, so every range scan is the same.
 *   2  lease (name, holder, token, expires_at): the writer lease with its fencing token (lease.ts).
 *   3  high_water (name, origin, size, root_hash): the log's high-water mark, the largest tree it ever
 *      signed (high-water.ts; ../high-water.ts). A schema migrated from version 2 has no row: the first
 *      start creates it from the last stored checkpoint, as a LevelDB home without its file does.
 *   4  sequence (name, next): the next index the log's sequencer gives (sequence.ts) — several processes
 *      of one org append through it; its row is made by the first lease holder that shares the log.
 *   5  node_state (name, body, version) and witness_kv (k, v): the node's module state and its witness's
 *      store, shared by every process of the org (node/home/pg-state.ts, node/witness/pg-store.ts).
 *      `body` NULL is a removed state (a tombstone keeps the change counter, max(version), monotonic).
 *   6  observations (id, body): what followers' decisions contribute to monitors, handed to the lease
 *      holder, which runs the org's monitors (node/ha/observations.ts).
 */
import type { ClientBase } from 'pg';
import { NodeError } from '../../errors.ts';

export interface Migration {
  version: number;
  name: string;
  /** The statements, for the (already quoted) schema name `s`. */
  sql: (s: string) => string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'log key-value store',
    sql: (s) => [`CREATE TABLE ${s}.log_kv (k bytea PRIMARY KEY, v bytea NOT NULL)`],
  },
  {
    version: 2,
    name: 'writer lease',
    sql: (s) => [
      `CREATE TABLE ${s}.lease (name text PRIMARY KEY, holder text NOT NULL, token bigint NOT NULL, expires_at timestamptz NOT NULL)`,
    ],
  },
  {
    version: 3,
    name: 'high-water mark',
    sql: (s) => [
      `CREATE TABLE ${s}.high_water (name text PRIMARY KEY, origin text NOT NULL, size bigint NOT NULL CHECK (size >= 0), root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32))`,
    ],
  },
  {
    version: 4,
    name: 'log sequencer',
    sql: (s) => [`CREATE TABLE ${s}.sequence (name text PRIMARY KEY, next bigint NOT NULL CHECK (next >= 0))`],
  },
  {
    version: 5,
    name: 'node module state and witness store',
    sql: (s) => [
      `CREATE TABLE ${s}.node_state (name text PRIMARY KEY, body bytea, version bigint NOT NULL CHECK (version > 0))`,
      `CREATE INDEX node_state_version ON ${s}.node_state (version)`,
      `CREATE TABLE ${s}.witness_kv (k text PRIMARY KEY, v text NOT NULL)`,
    ],
  },
  {
    version: 6,
    name: 'observations handed from followers to the lease holder',
    sql: (s) => [`CREATE TABLE ${s}.observations (id bigserial PRIMARY KEY, body bytea NOT NULL)`],
  },
];

/** The newest migration's version (versions may leave a gap while a branch reserves one). */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** First key of the migration's transaction-level advisory lock ('govf' + 1); the second is hashtext(schema). */
export const MIGRATION_LOCK_CLASS = 0x676f7667;

/** `"schema"` — the schema name is checked against SCHEMA_RE before it gets here. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Runs the missing migrations on `client`; returns the version before and after. */
export async function migrate(client: ClientBase, schema: string): Promise<{ from: number; to: number }> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [MIGRATION_LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const from = await schemaVersion(client, schema);
    if (from > SCHEMA_VERSION) {
      throw new NodeError(
        'ERR_INVALID_CONFIG',
        `the log's database schema ${schema} is at version ${from}, newer than this govfed knows (${SCHEMA_VERSION}): upgrade govfed`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      for (const stmt of m.sql(s)) await client.query(stmt);
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, SCHEMA_VERSION) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** The schema's version: 0 when it has no migrations table (no log there). */
export async function schemaVersion(client: Pick<ClientBase, 'query'>, schema: string): Promise<number> {
  const reg = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
    `${quoteIdent(schema)}.schema_migrations`,
  ]);
  if (reg.rows[0]?.t == null) return 0;
  const r = await client.query<{ v: number | null }>(
    `SELECT max(version) AS v FROM ${quoteIdent(schema)}.schema_migrations`,
  );
  return r.rows[0]?.v ?? 0;
}
