/**
 * The high-water mark of a log in PostgreSQL (../high-water.ts): one row of `<schema>.high_water`
 * (migration 3) in the same database as the log, so every process of an org sees the same mark.
 *
 *   - read: a plain SELECT (pooled connection). A row for another origin, or a malformed one, is
 *     ERR_INVALID_CONFIG (never used);
 *   - write: ONE transaction on the writer that first checks the writer lease (lease.ts fence: a paused
 *     former holder gets ERR_LEASE_LOST and writes nothing), then locks the row (FOR UPDATE) and writes
 *     only when it is still the mark this process checked its tree against (`previous`). A mark moved
 *     by another process meanwhile is ERR_LOG_ROLLBACK, nothing written: no two processes can ever get
 *     two roots for one size past this row. It is committed (synchronous commit) BEFORE the checkpoint
 *     it guards is stored or served, as the file is on LevelDB.
 *
 * A whole-database restore (point-in-time recovery, a failover to a replica that lagged) brings an older
 * row back with the older log: that is the database's own consistency, which the operator's HA setup
 * (synchronous replication) must keep; the row guards against a log table restored or damaged alone and
 * against two writers.
 */
import type { ClientBase } from 'pg';
import { equalBytes, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { NodeError } from '../../errors.ts';
import { broken, type MarkStore, type TreeState } from '../high-water.ts';
import { quoteIdent } from './migrations.ts';

/** The one row's name. */
export const MARK_NAME = 'log';

type Q = Pick<ClientBase, 'query'>;

interface Row {
  origin: string;
  size: string;
  root_hash: Buffer;
}

export function markTable(schema: string): string {
  return `${quoteIdent(schema)}.high_water`;
}

function parseRow(row: Row | undefined, origin: string, where: string): TreeState | undefined {
  if (row === undefined) return undefined;
  if (row.origin !== origin) {
    throw broken(where, `written for origin ${JSON.stringify(row.origin)}, not ${JSON.stringify(origin)}`);
  }
  const size = Number(row.size);
  if (!Number.isSafeInteger(size) || size < 0) throw broken(where, 'bad size');
  if (row.root_hash.length !== 32) throw broken(where, 'bad rootHash');
  return { size, rootHash: new Uint8Array(row.root_hash) };
}

/** The stored mark (undefined: no row). */
export async function readMarkRow(q: Q, schema: string, origin: string): Promise<TreeState | undefined> {
  // A read-only open runs no migrations: a schema still at version 2 has no table (and so no mark).
  const reg = await q.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [markTable(schema)]);
  if (reg.rows[0]?.t == null) return undefined;
  const r = await q.query<Row>(`SELECT origin, size, root_hash FROM ${markTable(schema)} WHERE name = $1`, [MARK_NAME]);
  return parseRow(r.rows[0], origin, markTable(schema));
}

function same(a: TreeState | undefined, b: TreeState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && equalBytes(a.rootHash, b.rootHash);
}

function show(m: TreeState | undefined): string {
  return m === undefined ? 'none' : `${m.size} entries, root ${toBase64(m.rootHash)}`;
}

/**
 * Inside a fenced write transaction: locks the row, checks it is still `previous`, writes `state`.
 * ERR_LOG_ROLLBACK when the row moved (the transaction must roll back).
 */
export async function writeMarkRow(
  q: Q,
  schema: string,
  origin: string,
  state: TreeState,
  previous: TreeState | undefined,
): Promise<void> {
  const t = markTable(schema);
  const r = await q.query<Row>(`SELECT origin, size, root_hash FROM ${t} WHERE name = $1 FOR UPDATE`, [MARK_NAME]);
  const stored = parseRow(r.rows[0], origin, t);
  if (!same(stored, previous)) {
    throw new NodeError(
      'ERR_LOG_ROLLBACK',
      `refusing to sign a tree of ${state.size} entries: the high-water mark in ${t} is ${show(stored)}, not ` +
        `${show(previous)} as this process read it — another process of this log moved it. Nothing was written.`,
    );
  }
  await q.query(
    `INSERT INTO ${t} (name, origin, size, root_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET origin = EXCLUDED.origin, size = EXCLUDED.size, root_hash = EXCLUDED.root_hash`,
    [MARK_NAME, origin, state.size, Buffer.from(state.rootHash)],
  );
}

/** The mark of the log in `db` (a PgLogDb's read and fenced-write hooks). */
export function pgMark(
  db: {
    readonly schema: string;
    readMark(origin: string): Promise<TreeState | undefined>;
    writeMark(origin: string, state: TreeState, previous: TreeState | undefined): Promise<void>;
  },
  origin: string,
): MarkStore {
  return {
    where: markTable(db.schema),
    read: () => db.readMark(origin),
    write: (state, previous) => db.writeMark(origin, state, previous),
  };
}
