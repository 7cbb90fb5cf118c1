/**
 * A follower of a shared log: a process of the org that does not hold the writer lease (several govfed
 * processes on one PostgreSQL database; postgres/sequence.ts). It
 *   - takes appends: its sequencer (sequencer.ts) gives them indexes in the database and answers once they
 *     are committed there — durable; the lease holder integrates them;
 *   - serves reads of the integrated tree: it follows `m/size` and the last stored checkpoint (every
 *     pollMs), re-verifying each new checkpoint with the log's key before serving it (the note must be
 *     the log's, for its origin, and not smaller than the one served before);
 *   - watches the lease: when it is free (the holder stopped cleanly, or died and its lease ran out) the
 *     follower takes it — as `holder`, so the session its owner opens next takes it back at once — and
 *     calls onLeaseAvailable: the process then restarts as the lease holder (node/daemon.ts) — unless
 *     mayTakeLease says no (a home whose keys a rotation made outdated: node/ha keys-guard.ts).
 * It writes nothing else and signs nothing.
 */
import { GovfedError } from '../../protocol/errors.ts';
import { type NoteVerifier, openCheckpoint } from '../../protocol/note/index.ts';
import type { EventSink } from '../events.ts';
import { lastStoredCheckpoint, type SignedCheckpoint } from './checkpointer.ts';
import { StoreHashReader } from './hash-reader.ts';
import { decodeSize, SIZE_KEY } from './keys.ts';
import type { CommittedView } from './log-reads.ts';
import { DEFAULT_LEASE_MS, leaseFree, tryAcquire } from './postgres/lease.ts';
import { openPgLogDb } from './postgres/open.ts';
import type { PgLogDb } from './postgres/pg-db.ts';
import { Sequencer } from './sequencer.ts';
import type { PostgresStoreSpec } from './store.ts';

export interface FollowerOptions {
  store: PostgresStoreSpec;
  /** This process's name in the lease row (the same its next session uses). */
  holder: string;
  verifier: NoteVerifier;
  origin: string;
  maxPendingEntries: number;
  maxBatchEntries: number;
  now: () => Date;
  /** How often the integrated size and the last checkpoint are read. Default 100 ms. */
  followPollMs?: number;
  onCommit?: (n: number, ms: number) => void;
  /** Each newly seen checkpoint (verified). */
  onCheckpoint?: (cp: SignedCheckpoint) => void;
  /** This process took the free lease: its owner must restart as the lease holder. */
  onLeaseAvailable?: () => void;
  /** Asked before the free lease is taken (this home's keys are the org's: node/ha keys-guard.ts); false: not. */
  mayTakeLease?: () => Promise<boolean>;
  /** `log:follow-failed` when a poll failed (the database is away); the follower serves what it last saw. */
  onEvent?: EventSink;
}

export class FollowerSession {
  readonly db: PgLogDb;
  readonly reader: StoreHashReader;
  readonly sequencer: Sequencer;
  readonly #o: FollowerOptions;
  #size = 0;
  #latest: SignedCheckpoint | undefined;
  #timer: NodeJS.Timeout | undefined;
  #watch: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;
  #pollError: unknown;

  private constructor(db: PgLogDb, o: FollowerOptions) {
    this.db = db;
    this.#o = o;
    this.reader = new StoreHashReader(db);
    this.sequencer = new Sequencer({
      commit: (values) => db.sequence(values),
      maxPendingEntries: o.maxPendingEntries,
      maxBatchEntries: o.maxBatchEntries,
      onCommit: o.onCommit,
    });
  }

  /** Opens the schema without the lease, reads the integrated tree and its last checkpoint, starts following. */
  static async open(o: FollowerOptions): Promise<FollowerSession> {
    const db = await openPgLogDb(o.store, { noLease: true, mustExist: true });
    const f = new FollowerSession(db, o);
    try {
      await f.#poll();
      if (f.#latest === undefined) {
        throw new GovfedError(
          'ERR_LOG_UNAVAILABLE',
          'the shared log has no signed checkpoint yet: start its first process',
        );
      }
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
    const every = o.followPollMs ?? 100;
    f.#timer = setInterval(() => void f.#poll().catch((err: unknown) => f.#failed(err)), every);
    f.#timer.unref();
    const leaseMs = o.store.leaseMs ?? DEFAULT_LEASE_MS;
    f.#watch = setInterval(() => void f.#tryLease(leaseMs), Math.max(100, Math.floor(leaseMs / 4)));
    f.#watch.unref();
    return f;
  }

  /** The integrated size this follower has seen. */
  get size(): number {
    return this.#size;
  }

  /** The last poll's failure, until a poll succeeds. */
  get pollError(): unknown {
    return this.#pollError;
  }

  latest(): SignedCheckpoint {
    return this.#latest as SignedCheckpoint;
  }

  view(): CommittedView {
    return { db: this.db, reader: this.reader, size: this.#size };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearInterval(this.#watch);
    await this.sequencer.close();
    await this.db.close();
  }

  #failed(err: unknown): void {
    this.#pollError = err;
    this.#o.onEvent?.('log:follow-failed', { error: err instanceof Error ? err.message : String(err) });
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    try {
      // The checkpoint first: one is only ever stored for an integrated size, and m/size only grows.
      const stored = await lastStoredCheckpoint(this.db);
      const raw = await this.db.get(SIZE_KEY);
      const size = raw === undefined ? 0 : decodeSize(raw);
      if (size < this.#size) {
        throw new GovfedError('ERR_LOG_ROLLBACK', `the shared log shrank from ${this.#size} to ${size} entries`);
      }
      if (stored !== undefined && stored.size > (this.#latest?.size ?? -1)) {
        const cp = openCheckpoint(stored.note, this.#o.verifier).checkpoint;
        if (cp.origin !== this.#o.origin || cp.size !== stored.size || cp.size > size) {
          throw new GovfedError('ERR_LOG_CORRUPT', `stored checkpoint c/${stored.size} does not match the log`);
        }
        const signed = { note: stored.note, size: cp.size, rootHash: cp.rootHash, signedAt: this.#o.now() };
        this.#latest = signed;
        this.#size = size;
        try {
          this.#o.onCheckpoint?.(signed);
        } catch {
          // a listener's failure is its own business
        }
      } else {
        this.#size = size;
      }
      this.#pollError = undefined;
    } finally {
      this.#polling = false;
    }
  }

  async #tryLease(leaseMs: number): Promise<void> {
    if (this.#closed || this.#o.onLeaseAvailable === undefined) return;
    try {
      // Look first without a lock: tryAcquire would queue behind the holder's writes (lease.ts leaseFree).
      if (!(await leaseFree(this.db.pool, this.db.schema))) return;
      if (this.#o.mayTakeLease !== undefined && !(await this.#o.mayTakeLease())) return;
      const held = await tryAcquire(this.db.pool, this.db.schema, this.#o.holder, leaseMs);
      if (held === undefined || this.#closed) return;
    } catch {
      return; // the database is away: the poll reports it
    }
    clearInterval(this.#watch);
    this.#o.onLeaseAvailable();
  }
}
