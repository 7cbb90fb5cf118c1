/**
 * The writer lease of a log in PostgreSQL: exactly one process at a time writes (appends, integrates,
 * signs and stores checkpoints). A lease is a row, `<schema>.lease ('writer', holder, token,
 * expires_at)`, not a session lock: a process that is paused (SIGSTOP, a VM frozen, a long GC) keeps its
 * connections open, and a session lock would never pass to anyone else.
 *
 *   - acquire: take the row when it is free, expired or this process's own (a reopen after a fault),
 *     incrementing `token` — the fencing token: an older handle of the same process is fenced too;
 *     ERR_ALREADY_RUNNING while another holder's lease is valid (a standby polls: waitForLease);
 *   - renew: every ttl/3 the holder pushes expires_at forward, only while holder and token are still its
 *     own; a renewal that finds neither means the lease is lost;
 *   - fence: EVERY write transaction first locks the row with `holder = me AND token = mine AND
 *     expires_at > now()` (FOR KEY SHARE); no row → ERR_LEASE_LOST and the transaction writes nothing. A
 *     takeover locks the row FOR UPDATE first, which waits for every such lock, so a write either commits
 *     while its lease was valid, before the takeover, or not at all; the holder's renewal (a no-key
 *     UPDATE) and its write transactions do not wait for each other. A paused former holder that wakes up
 *     cannot write: its token is old;
 *   - release: on a clean close the row is expired at once, so a standby takes over without waiting.
 *
 * The time is the database's (now()), never a process's clock.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pg, { type ClientBase } from 'pg';
import { NodeError } from '../../errors.ts';
import { quoteIdent } from './migrations.ts';

export const LEASE_NAME = 'writer';
export const DEFAULT_LEASE_MS = 10_000;

type Q = Pick<ClientBase, 'query'>;

/** This process's name in the lease row: host, pid and a random part (a restarted pid is another holder). */
export function holderId(): string {
  return `${hostname().slice(0, 64)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface Held {
  holder: string;
  token: bigint;
}

function table(schema: string): string {
  return `${quoteIdent(schema)}.lease`;
}

/**
 * Takes the lease if it is free or expired; undefined while another holder's lease is valid. One
 * transaction that first locks the row FOR UPDATE — the one lock a fenced write's FOR KEY SHARE waits
 * for and is waited for by (fence()) — so a takeover waits until every write transaction of the former
 * holder has ended, and none of them can commit after it.
 */
export async function tryAcquire(
  q: pg.Pool | ClientBase,
  schema: string,
  holder: string,
  ttlMs: number,
): Promise<Held | undefined> {
  const c = q instanceof pg.Pool ? await q.connect() : q;
  let broken = false;
  try {
    await c.query('BEGIN');
    try {
      await c.query(`SELECT 1 FROM ${table(schema)} WHERE name = $1 FOR UPDATE`, [LEASE_NAME]);
      const r = await c.query<{ token: string }>(
        `INSERT INTO ${table(schema)} AS l (name, holder, token, expires_at)
           VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, token = l.token + 1, expires_at = EXCLUDED.expires_at
           WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
         RETURNING token`,
        [LEASE_NAME, holder, ttlMs],
      );
      await c.query('COMMIT');
      const token = r.rows[0]?.token;
      return token === undefined ? undefined : { holder, token: BigInt(token) };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    }
  } finally {
    if (c !== q) (c as pg.PoolClient).release(broken);
  }
}

/**
 * Whether the lease is free or expired now, read without locking its row: a standby's look before it
 * tries (tryAcquire's INSERT … ON CONFLICT DO UPDATE locks the row even when its WHERE is false, so it
 * waits behind the holder's fenced write transaction, and the holder's next fence and renewal wait
 * behind it — under ingest that made every write of the holder wait hundreds of ms; docs/benchmarks.md).
 */
export async function leaseFree(q: Q, schema: string): Promise<boolean> {
  const r = await q.query<{ free: boolean }>(
    `SELECT expires_at <= now() AS free FROM ${table(schema)} WHERE name = $1`,
    [LEASE_NAME],
  );
  return r.rows[0]?.free ?? true;
}

/** Who holds the lease and for how much longer (for the error message). */
export async function describeHolder(q: Q, schema: string): Promise<string> {
  const r = await q.query<{ holder: string; ms: string }>(
    `SELECT holder, floor(extract(epoch FROM expires_at - now()) * 1000) AS ms FROM ${table(schema)} WHERE name = $1`,
    [LEASE_NAME],
  );
  const row = r.rows[0];
  return row === undefined ? 'nobody' : `${row.holder} for ${Math.max(0, Number(row.ms))} ms more`;
}

/** Pushes the lease forward; false when it is not ours any more. */
export async function renew(q: Q, schema: string, held: Held, ttlMs: number): Promise<boolean> {
  const r = await q.query(
    `UPDATE ${table(schema)} SET expires_at = now() + $4 * interval '1 millisecond'
      WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now()`,
    [LEASE_NAME, held.holder, held.token.toString(), ttlMs],
  );
  return r.rowCount === 1;
}

/** Ends the lease at once (clean close), when it is still ours. */
export async function release(q: Q, schema: string, held: Held): Promise<void> {
  await q.query(
    `UPDATE ${table(schema)} SET expires_at = now() - interval '1 millisecond' WHERE name = $1 AND holder = $2 AND token = $3`,
    [LEASE_NAME, held.holder, held.token.toString()],
  );
}

/**
 * Inside a write transaction: locks our lease row FOR KEY SHARE, or throws ERR_LEASE_LOST (the transaction
 * must roll back). A key-share lock conflicts only with FOR UPDATE — a takeover (tryAcquire) waits for
 * this transaction, and this one for a takeover under way — but not with the holder's own renewal (an
 * UPDATE of expires_at, a no-key update) nor with its other write transactions: a long integration batch
 * does not hold the renewal (or a checkpoint, or a state save) up.
 */
export async function fence(q: Q, schema: string, held: Held): Promise<void> {
  const r = await q.query(
    `SELECT 1 FROM ${table(schema)} WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now() FOR KEY SHARE`,
    [LEASE_NAME, held.holder, held.token.toString()],
  );
  if (r.rowCount !== 1) throw leaseLost(held);
}

export function leaseLost(held: Held): NodeError {
  return new NodeError(
    'ERR_LEASE_LOST',
    `this process (${held.holder}) no longer holds the log's writer lease (token ${held.token}): another process took it`,
  );
}
