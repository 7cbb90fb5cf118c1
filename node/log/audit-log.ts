/**
 * AuditLog: the node's durable, append-only, provable log — a service with start()/stop().
 *
 * Components: a store — LevelDB (db.ts) or PostgreSQL (postgres/), one interface (store.ts), key layout
 * in keys.ts — the group-commit appender (appender.ts) that
 * owns the in-memory Frontier, the checkpointer (checkpointer.ts) and a stored-hash reader
 * (hash-reader.ts) through which protocol/log computes roots and proofs from stored hashes. This file is
 * the write side and the lifecycle; entries, lookups and proofs are read in log-reads.ts, health and
 * metrics are computed in log-health.ts.
 *
 * start(): open a store session (store-run.ts: the DB, the tree reloaded from stored hashes, the high-water
 * mark and the last checkpoint re-checked — else ERR_LOG_ROLLBACK / ERR_LOG_CORRUPT, and the node does
 * not start); sign a checkpoint if the log grew since (or the size-0 one for a new log); start the timer.
 * stop(): refuse new appends, write what was accepted, sign a final checkpoint if grown, close the DB.
 *
 * Storage faults: when a write to the store fails (an append batch or a checkpoint), the session is
 * faulted and never used again. The log answers ERR_LOG_UNAVAILABLE (503, Retry-After) to appends and
 * reads, closes the DB and reopens it — retrying with backoff while the disk is full — and proves that the
 * reopened store holds the acknowledged tree: its size is at least the last acknowledged size and its root
 * at that size is the acknowledged root. Then a new session takes appends again. If the proof fails the
 * store lost acknowledged entries: the high-water mark is raised to the acknowledged tree (so a restart
 * refuses too), the fault becomes fatal (ERR_LOG_ROLLBACK) and `onFatal` is called — the daemon exits
 * non-zero. Nothing is acknowledged after a failed write unless that proof passed. health() says which
 * of these states the log is in, and the last checkpoint-signing failure.
 *
 * A shared log (PostgreSQL with `shared`: several govfed processes of one org on one database): start()
 * takes the writer lease if it is free — this process is the LEADER: its session sequences appends
 * (sequencer.ts), integrates every process's sequenced entries (integrator.ts) and signs checkpoints;
 * append() resolves once its entries are in the tree — or else it is a FOLLOWER (follower.ts): append()
 * resolves once its entries are sequenced (durable), reads serve the integrated tree it follows, and
 * when the lease becomes free it takes it and calls onLeaseAvailable (the daemon restarts as the leader).
 * A leader that finds its lease taken (a renewal or a fenced write refused: it was paused past its lease)
 * writes nothing more and calls onLeaseLost (the daemon restarts as a follower).
 */
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import type { NoteVerifier } from '../../protocol/note/index.ts';
import { NodeError } from '../errors.ts';
import { type Appended, type AppendItem, logUnavailable } from './appender.ts';
import { assertIndexArg, defaultVerifier } from './args.ts';
import type { AuditLogOptions } from './audit-log-options.ts';
import { listCheckpoints, type SignedCheckpoint } from './checkpointer.ts';
import { FollowerSession } from './follower.ts';
import { type FsckReport, fsckDb } from './fsck.ts';
import { HighWaterMark } from './high-water.ts';
import { type LogHealth, type LogMetrics, type LogRole, type LogState, logHealth, logMetrics } from './log-health.ts';
import { isPacedItem } from './paced.ts';

export type { AuditLogOptions } from './audit-log-options.ts';
export type { LogRole } from './log-health.ts';

import type { CommittedView } from './log-reads.ts';
import { holderId } from './open-store.ts';
import { ReadableLog } from './readable-log.ts';
import { recoverStore, StoreFault } from './recovery.ts';
import { checkStoreSpec, type LogStoreSpec, type PostgresStoreSpec } from './store.ts';
import { openStoreRun, type StoreRun } from './store-run.ts';

function storeOf(opts: AuditLogOptions): LogStoreSpec {
  if ((opts.dir === undefined) === (opts.store === undefined)) {
    throw new GovfedError('ERR_INVALID_INPUT', 'AuditLog: pass exactly one of dir and store');
  }
  return checkStoreSpec(opts.store ?? { driver: 'leveldb', dir: opts.dir as string });
}

export class AuditLog extends ReadableLog {
  readonly #opts: AuditLogOptions;
  readonly #store: LogStoreSpec;
  readonly #verifier: NoteVerifier;
  readonly #now: () => Date;
  readonly #highWater: HighWaterMark | undefined;
  readonly #checkpointListeners: ((cp: SignedCheckpoint) => void)[] = [];
  #run: StoreRun | undefined;
  #starting = false;
  #stopping = false;
  #fault: StoreFault | undefined;
  #recovering: Promise<void> | undefined;
  #writeFailures = 0;
  #checkpointFailuresBefore = 0;
  /** This log's name in a PostgreSQL lease: the same across its reopens. */
  readonly #holder: string;
  #waiting: AbortController | undefined;
  #follower: FollowerSession | undefined;
  #leaseLost = false;

  constructor(opts: AuditLogOptions) {
    super();
    if (opts.signer.name !== opts.origin) {
      throw new GovfedError('ERR_ORIGIN_MISMATCH', `log key name ${opts.signer.name} is not the origin ${opts.origin}`);
    }
    this.#opts = opts;
    this.#store = storeOf(opts);
    this.#verifier = opts.verifier ?? defaultVerifier(opts.signer, opts.verify);
    if (this.#verifier.name !== opts.signer.name || this.#verifier.keyHash !== opts.signer.keyHash) {
      throw new GovfedError('ERR_INVALID_INPUT', 'AuditLog: verifier and signer are for different keys');
    }
    this.#now = opts.now ?? (() => new Date());
    this.#holder = opts.holder ?? holderId();
    // PostgreSQL keeps the mark in its database: each session gets it from the store (store-run.ts).
    this.#highWater =
      opts.highWaterFile === undefined || this.#store.driver === 'postgres'
        ? undefined
        : new HighWaterMark(opts.highWaterFile, opts.origin);
  }

  async start(): Promise<void> {
    if (this.#run !== undefined || this.#starting) throw new Error('AuditLog: already started');
    this.#starting = true;
    this.#stopping = false;
    let run: StoreRun | undefined;
    try {
      try {
        run = await this.#open();
      } catch (err) {
        if (!this.shared || this.#opts.standby === true || !isGovfedError(err, 'ERR_ALREADY_RUNNING')) throw err;
        this.#follower = await this.#openFollower(); // another process holds the lease
        return;
      }
      this.#run = run;
      await run.checkpointer.signNow(); // covers entries written before a crash
      run.checkpointer.start();
      run.shared?.integrator.start();
    } catch (err) {
      this.#run = undefined;
      await run?.db.close().catch(() => {});
      throw err;
    } finally {
      this.#starting = false;
    }
  }

  /** Several processes share this log (PostgreSQL `shared`). */
  get shared(): boolean {
    return this.#store.driver === 'postgres' && this.#store.shared === true;
  }

  /** A shared log's role in this process (undefined: one writer, or not running). */
  get role(): LogRole | undefined {
    if (!this.shared) return undefined;
    return this.#follower !== undefined ? 'follower' : this.#run !== undefined ? 'leader' : undefined;
  }

  /** The writer lease this process holds now (a leader of a log in PostgreSQL), for fenced writes elsewhere. */
  writerLease(): { holder: string; token: bigint } | undefined {
    const db = this.#run?.db as { lease?: { holder: string; token: bigint } } | undefined;
    return this.#leaseLost ? undefined : db?.lease;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#waiting?.abort();
    this.#fault?.wake();
    await this.#recovering;
    const follower = this.#follower;
    this.#follower = undefined;
    await follower?.close();
    const run = this.#run;
    if (run === undefined) return;
    run.checkpointer.stop();
    await run.shared?.sequencer.close();
    await run.shared?.integrator.stop(!run.appender.faulted && !this.#leaseLost);
    await run.appender.close();
    try {
      // A shared log's former leader: another process holds the lease and the mark; nothing to sign here.
      if (this.#leaseLost) return;
      if (!run.appender.faulted) await run.checkpointer.signNow();
      // A write failed while stopping: the store is not proven, so the acknowledged tree becomes the
      // high-water mark — a next start on a store that lost any of it refuses instead of reusing indexes.
      else await run.highWater?.raise(run.appender.committed());
    } finally {
      this.#run = undefined;
      await run.checkpointer.idle();
      await run.db.close().catch(() => {});
    }
  }

  #openFollower(): Promise<FollowerSession> {
    return FollowerSession.open({
      ...this.#opts,
      store: this.#store as PostgresStoreSpec,
      holder: this.#holder,
      verifier: this.#verifier,
      maxPendingEntries: this.#opts.maxPendingEntries ?? 200_000,
      maxBatchEntries: this.#opts.maxBatchEntries ?? 50_000,
      now: this.#now,
      onCheckpoint: (cp) => {
        for (const fn of this.#checkpointListeners) fn(cp);
      },
    });
  }

  /** A shared log's leader lost its lease (seen by a renewal, a fenced write or a reopen): say so, once. */
  #lostLease(err: unknown): void {
    if (this.#leaseLost || this.#stopping) return;
    this.#leaseLost = true;
    // Nothing will be integrated here any more: appends waiting for it resolve (their entries are
    // sequenced, durable; the next lease holder integrates them).
    void this.#run?.shared?.integrator.stop(false);
    this.#opts.onEvent?.('log:lease-lost', { error: err instanceof Error ? err.message : String(err) });
    this.#opts.onLeaseLost?.(err);
  }

  #open(): Promise<StoreRun> {
    this.#waiting = new AbortController();
    return openStoreRun({
      open: {
        holder: this.#holder,
        ...(this.#opts.standby === true ? { waitForLease: true, signal: this.#waiting.signal } : {}),
      },
      store: this.#store,
      signer: this.#opts.signer,
      verifier: this.#verifier,
      origin: this.#opts.origin,
      highWater: this.#highWater,
      checkpointIntervalMs: this.#opts.checkpointIntervalMs ?? 1000,
      ...(this.#opts.governanceCheckpointGapMs === undefined
        ? {}
        : { pacedGapMs: this.#opts.governanceCheckpointGapMs }),
      maxPendingEntries: this.#opts.maxPendingEntries ?? 200_000,
      maxBatchEntries: this.#opts.maxBatchEntries ?? 50_000,
      now: this.#now,
      onCommit: this.#opts.onCommit,
      onSigned: (cp) => {
        for (const fn of this.#checkpointListeners) fn(cp);
      },
      onFault: (err) => this.#onFault(err),
      wrapDb: this.#opts.wrapDb,
      ...(this.shared ? { onLeaseLost: (err: unknown) => this.#lostLease(err) } : {}),
    });
  }

  /** A write to the current session's store failed: stop using it and start reopening. */
  #onFault(error: unknown): void {
    this.#writeFailures++;
    const run = this.#run;
    // While starting or stopping, the failure surfaces to start()/stop() and the session is closed there.
    if (this.#fault !== undefined || run === undefined || this.#starting || this.#stopping) return;
    const fault = new StoreFault(error, this.#now(), run);
    this.#fault = fault;
    void run.shared?.integrator.stop(false);
    if (this.shared && isGovfedError(error, 'ERR_LEASE_LOST')) this.#lostLease(error);
    this.#checkpointFailuresBefore += run.checkpointer.failuresTotal;
    this.#run = undefined;
    this.#opts.onEvent?.('log:fault', { error: error instanceof Error ? error.message : String(error) });
    this.#recovering = recoverStore(run, fault, {
      open: () => this.#open(),
      stopping: () => this.#stopping,
      highWater: this.#highWater,
      reopenDelayMs: this.#opts.reopenDelayMs ?? 500,
      onEvent: this.#opts.onEvent,
      onFatal: this.#opts.onFatal,
      // A shared log whose lease another process holds now: this process follows; its owner restarts it.
      gaveUp: (err) => {
        if (!this.shared || !isGovfedError(err, 'ERR_ALREADY_RUNNING')) return false;
        this.#lostLease(err);
        return true;
      },
    }).then(
      (next) => {
        if (next === undefined) return;
        this.#run = next;
        this.#fault = undefined;
        this.#recovering = undefined;
        next.checkpointer.start();
        next.shared?.integrator.start();
        next.checkpointer.signNow().catch(() => {}); // kept as lastError
      },
      (err: unknown) => {
        // Recovery itself broke (not expected): unavailable for good, like a failed proof.
        fault.fatal = err;
        this.#opts.onFatal?.(err);
      },
    );
  }

  #running(): StoreRun {
    if (this.#run === undefined) {
      if (this.#fault !== undefined) throw logUnavailable(this.#fault.fatal ?? this.#fault.error);
      throw new NodeError('ERR_SHUTTING_DOWN', 'the audit log is not running');
    }
    return this.#run;
  }

  /** The committed tree of the running session, or the one a follower follows, for the reads. */
  protected view(): CommittedView {
    if (this.#follower !== undefined) return this.#follower.view();
    const run = this.#running();
    return { db: run.db, reader: run.reader, size: run.appender.size };
  }

  /**
   * Appends entries; resolves after they are durable (group commit). Rejects with ERR_BACKPRESSURE
   * (nothing appended) when too many entries are pending, ERR_LOG_UNAVAILABLE after a failed write (until
   * the reopened store proved it holds what was acknowledged), ERR_SHUTTING_DOWN when stopped.
   */
  append(items: readonly AppendItem[]): Promise<Appended[]> {
    try {
      if (this.#follower !== undefined) return this.#follower.sequencer.append(items);
      const run = this.#running();
      if (run.shared !== undefined) return this.#sequenceAndWait(run, items);
      if (this.#opts.governanceCheckpointGapMs === undefined || items.every(isPacedItem)) {
        return run.appender.append(items);
      }
      return this.#appendPrompt(run, items);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** An append checkpointed at the next interval however recent the last checkpoint (not paced.ts's). */
  async #appendPrompt(run: StoreRun, items: readonly AppendItem[]): Promise<Appended[]> {
    const done = run.checkpointer.prompt();
    let end: number | undefined;
    try {
      const out = await run.appender.append(items);
      const last = out.at(-1);
      if (last !== undefined) end = last.index + 1;
      return out;
    } finally {
      done(end);
    }
  }

  /** A shared log's leader: sequenced (durable), then waited for in the tree (integrator.ts waitFor). */
  async #sequenceAndWait(run: StoreRun, items: readonly AppendItem[]): Promise<Appended[]> {
    const shared = run.shared as NonNullable<StoreRun['shared']>;
    const out = await shared.sequencer.append(items);
    const last = out[out.length - 1];
    if (last === undefined) return out;
    shared.integrator.wake();
    await shared.integrator.waitFor(last.index + 1);
    return out;
  }

  /** Whether the log takes appends, why not, and the last checkpoint-signing failure. */
  health(): LogHealth {
    return logHealth(this.#state());
  }

  #state(): LogState {
    return {
      follower: this.#follower,
      role: this.role,
      run: this.#run,
      fault: this.#fault,
      stopping: this.#stopping,
      writeFailures: this.#writeFailures,
      checkpointFailuresBefore: this.#checkpointFailuresBefore,
    };
  }

  /** Committed (durable) size (while reopening after a fault: the acknowledged size). */
  get size(): number {
    return this.#follower?.size ?? this.#run?.appender.size ?? this.#fault?.acked.size ?? 0;
  }

  /**
   * Calls `fn` with every checkpoint this log signs from now on (after it is stored), e.g. to gossip it
   * to witnesses without polling. Listeners must not throw; they run in the signer's turn.
   */
  onCheckpoint(fn: (cp: SignedCheckpoint) => void): void {
    this.#checkpointListeners.push(fn);
  }

  checkpoint(): SignedCheckpoint {
    if (this.#follower !== undefined) return this.#follower.latest();
    // While reopening after a fault, the last signed checkpoint is still true and still served.
    if (this.#run === undefined && this.#fault !== undefined) return this.#fault.checkpoint;
    return this.#running().checkpointer.latest();
  }

  /** Signs a checkpoint now if the tree grew; returns the latest (a follower: its latest; a fenced leader: refused). */
  async checkpointNow(): Promise<SignedCheckpoint> {
    if (this.#follower !== undefined) return this.#follower.latest();
    if (this.#leaseLost) throw new NodeError('ERR_LEASE_LOST', `${this.#holder} lost the writer lease: no signing`);
    return this.#running().checkpointer.signNow();
  }

  /** Every kept checkpoint with size >= fromSize, ascending. */
  async *checkpoints(fromSize = 0): AsyncGenerator<{ size: number; note: string }> {
    assertIndexArg(fromSize, 'fromSize');
    yield* listCheckpoints(this.view().db, fromSize);
  }

  /** Recomputes the tree from the stored leaves and compares stored hashes and checkpoints (see fsck.ts). */
  async fsck(): Promise<FsckReport> {
    const db = this.view().db;
    // The snapshot's own m/size is consistent with its content (batches are atomic), even if a batch
    // landed a moment before its waiters were told.
    const snapshot = await db.snapshot();
    try {
      return await fsckDb(db, { verifier: this.#verifier, origin: this.#opts.origin, snapshot });
    } finally {
      await snapshot.close();
    }
  }

  metrics(): LogMetrics {
    return logMetrics(this.#state());
  }
}
