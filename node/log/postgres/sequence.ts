/**
 * The log's sequencer in PostgreSQL, for an org that runs several govfed processes on one database: any
 * process gives appended entries their indexes here, and exactly one — the writer lease's holder —
 * integrates them into the tree (node/log integrator.ts).
 *
 *   `<schema>.sequence ('log', next)` is the next index to give. sequenceRows() is one transaction: it
 *   locks that row (FOR UPDATE), inserts the entries as `q/<index>` rows of log_kv (queued.ts values),
 *   moves `next` on and commits. So indexes are given contiguously and in commit order: a reader that sees
 *   an entry sees every entry before it, and an entry is durable — in PostgreSQL's fsynced WAL — when the
 *   call resolves. Sequencing is not fenced by the lease: a follower sequences too; what it cannot do is
 *   integrate or sign.
 *   The lease holder makes the row (ensureSequence, in its fenced open) from the integrated size, and
 *   the batch that integrates entries deletes their q/ rows (the same fenced transaction that writes
 *   their l/, h/ … keys and m/size).
 */
import type { ClientBase, Pool } from 'pg';
import { GovfedError } from '../../../protocol/errors.ts';
import { NodeError } from '../../errors.ts';
import { hex16, QUEUE_PREFIX } from '../keys.ts';
import { quoteIdent } from './migrations.ts';
import { keyBytes } from './range.ts';

export const SEQUENCE_NAME = 'log';
/** Rows per INSERT statement (bounds one statement's parameters). */
const ROWS_PER_STATEMENT = 4000;

type Q = Pick<ClientBase, 'query'>;

/**
 * Gives `values` the next indexes, stores them as q/ rows and commits; resolves with the first index.
 * ERR_LOG_UNAVAILABLE (503) while no lease holder has ever shared the log (no sequence row yet).
 */
export async function sequenceRows(pool: Pool, schema: string, values: readonly Uint8Array[]): Promise<number> {
  const s = quoteIdent(schema);
  const c = await pool.connect();
  let broken: unknown;
  try {
    await c.query('BEGIN');
    try {
      const r = await c.query<{ next: string }>(`SELECT next FROM ${s}.sequence WHERE name = $1 FOR UPDATE`, [
        SEQUENCE_NAME,
      ]);
      const row = r.rows[0];
      if (row === undefined) {
        throw new NodeError(
          'ERR_LOG_UNAVAILABLE',
          'the shared log has no sequencer yet: no process of this org has held the writer lease since it was shared',
        );
      }
      const first = Number(row.next);
      const keys: Buffer[] = [];
      const vals: Buffer[] = [];
      for (let i = 0; i < values.length; i++) {
        keys.push(keyBytes(QUEUE_PREFIX + hex16(first + i)));
        const v = values[i] as Uint8Array;
        vals.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      }
      for (let i = 0; i < keys.length; i += ROWS_PER_STATEMENT) {
        await c.query(`INSERT INTO ${s}.log_kv (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[])`, [
          keys.slice(i, i + ROWS_PER_STATEMENT),
          vals.slice(i, i + ROWS_PER_STATEMENT),
        ]);
      }
      await c.query(`UPDATE ${s}.sequence SET next = next + $2 WHERE name = $1`, [SEQUENCE_NAME, values.length]);
      await c.query('COMMIT');
      return first;
    } catch (err) {
      await c.query('ROLLBACK').catch((e: unknown) => {
        broken = e;
      });
      throw err;
    }
  } finally {
    c.release(broken instanceof Error ? broken : undefined);
  }
}

/** The next index the sequencer gives, or undefined when the log is not shared yet. */
export async function readNext(q: Q, schema: string): Promise<number | undefined> {
  const r = await q.query<{ next: string }>(`SELECT next FROM ${quoteIdent(schema)}.sequence WHERE name = $1`, [
    SEQUENCE_NAME,
  ]);
  const n = r.rows[0]?.next;
  return n === undefined ? undefined : Number(n);
}

/**
 * Inside the lease holder's fenced transaction: makes the sequence row from the integrated `size` when
 * there is none; returns `next`. ERR_LOG_CORRUPT when the row says fewer entries than are integrated.
 */
export async function ensureSequence(w: Q, schema: string, size: number): Promise<number> {
  const s = quoteIdent(schema);
  await w.query(`INSERT INTO ${s}.sequence (name, next) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    SEQUENCE_NAME,
    size,
  ]);
  const next = await readNext(w, schema);
  if (next === undefined || next < size) {
    throw new GovfedError(
      'ERR_LOG_CORRUPT',
      `the log's sequencer is at ${next} but ${size} entries are integrated: the sequence row was changed`,
    );
  }
  return next;
}

/**
 * Inside the fenced open of a log that is NOT shared (one process): a sequence row left by an earlier
 * shared run is dropped when nothing waits in it, so that a later shared run remakes it from the size;
 * ERR_INVALID_CONFIG when sequenced entries still wait (they must be integrated by a shared run first).
 */
export async function dropIdleSequence(w: Q, schema: string, size: number): Promise<void> {
  const next = await readNext(w, schema);
  if (next === undefined) return;
  if (next > size) {
    throw new NodeError(
      'ERR_INVALID_CONFIG',
      `${next - size} sequenced entries of the shared log wait to be integrated: start with "shared": true in config.json store until they are`,
    );
  }
  await w.query(`DELETE FROM ${quoteIdent(schema)}.sequence WHERE name = $1`, [SEQUENCE_NAME]);
}
