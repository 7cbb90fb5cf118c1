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
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { GovfedError } from '../../protocol/errors.ts';
import type { Tile } from '../../protocol/log/tiles.ts';
import type { NoteSigner, NoteVerifier } from '../../protocol/note/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import { type Appended, type AppendItem, logUnavailable } from './appender.ts';
import { assertIndexArg, defaultVerifier } from './args.ts';
import type { SignedCheckpoint } from './checkpointer.ts';
import { type DecisionQuery, type SearchResult, searchDecisions } from './decision-search.ts';
import { type FsckReport, fsckDb } from './fsck.ts';
import { HighWaterMark } from './high-water.ts';
import { type LogHealth, type LogMetrics, type LogState, logHealth, logMetrics } from './log-health.ts';
import {
  type CommittedView,
  consistencyProof,
  inclusionProof,
  lookupDecision,
  lookupGovernance,
  lookupLeafHash,
  readEntry,
  readRecord,
  rootAt,
} from './log-reads.ts';
import { holderId } from './open-store.ts';
import { recoverStore, StoreFault } from './recovery.ts';
import type { LogDb } from './store.ts';
import { checkStoreSpec, type LogStoreSpec } from './store.ts';
import { openStoreRun, type StoreRun } from './store-run.ts';
import { readTile } from './tile-reader.ts';

export interface AuditLogOptions {
  /** LevelDB directory: short for `store: {driver: 'leveldb', dir}`. */
  dir?: string;
  /** Where the log is stored (store.ts): a LevelDB directory or a PostgreSQL schema. One of dir, store. */
  store?: LogStoreSpec;
  /** The log's note signer; its key name must equal `origin`. */
  signer: NoteSigner;
  origin: string;
  /**
   * Verifier of the log key, used to re-check stored checkpoints at start. Defaults to the Ed25519
   * verifier of `signer.publicKey` when the signer has one (ed25519Signer / parseSignerKey do), checking
   * with `verify`.
   */
  verifier?: NoteVerifier;
  /** The Ed25519 verifier of the default `verifier` (default: node/crypto's opensslVerify). */
  verify?: Ed25519Verify;
  /**
   * The high-water mark file (high-water.ts), outside the LevelDB directory: the daemon passes
   * DIR/high-water.json. Without it a LevelDB log has no guard against restarting smaller than it signed.
   * A log in PostgreSQL always keeps its mark in its database (postgres/high-water.ts) and never reads
   * or writes this file.
   */
  highWaterFile?: string;
  checkpointIntervalMs?: number;
  maxPendingEntries?: number;
  maxBatchEntries?: number;
  now?: () => Date;
  /** Called after each durable batch with its entry count and the batch's build+write time. */
  onCommit?: (n: number, ms: number) => void;
  /** First delay between reopen attempts after a failed write (doubles up to 10 s). Default 500 ms. */
  reopenDelayMs?: number;
  /**
   * Called once when a reopened store does not hold what was acknowledged (ERR_LOG_ROLLBACK) or cannot
   * be trusted (ERR_LOG_CORRUPT): the log stays unavailable for good and the process should exit non-zero.
   */
  onFatal?: (err: unknown) => void;
  /** Wraps each opened DB (fault-injection tests only: a disk that fails or loses writes). */
  wrapDb?: (db: LogDb) => LogDb;
  /** Storage events for the operator's log: `log:fault`, `log:reopen-failed`, `log:recovered`, `log:fatal`. */
  onEvent?: EventSink;
  /**
   * PostgreSQL: start() waits until this process gets the writer lease instead of failing with
   * ERR_ALREADY_RUNNING (a standby of an org's node; postgres/lease.ts). stop() ends the wait.
   */
  standby?: boolean;
}

function storeOf(opts: AuditLogOptions): LogStoreSpec {
  if ((opts.dir === undefined) === (opts.store === undefined)) {
    throw new GovfedError('ERR_INVALID_INPUT', 'AuditLog: pass exactly one of dir and store');
  }
  return checkStoreSpec(opts.store ?? { driver: 'leveldb', dir: opts.dir as string });
}

export class AuditLog {
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
  readonly #holder = holderId();
  #waiting: AbortController | undefined;

  constructor(opts: AuditLogOptions) {
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
      run = await this.#open();
      this.#run = run;
      await run.checkpointer.signNow(); // covers entries written before a crash
      run.checkpointer.start();
    } catch (err) {
      this.#run = undefined;
      await run?.db.close().catch(() => {});
      throw err;
    } finally {
      this.#starting = false;
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#waiting?.abort();
    this.#fault?.wake();
    await this.#recovering;
    const run = this.#run;
    if (run === undefined) return;
    run.checkpointer.stop();
    await run.appender.close();
    try {
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
      maxPendingEntries: this.#opts.maxPendingEntries ?? 200_000,
      maxBatchEntries: this.#opts.maxBatchEntries ?? 50_000,
      now: this.#now,
      onCommit: this.#opts.onCommit,
      onSigned: (cp) => {
        for (const fn of this.#checkpointListeners) fn(cp);
      },
      onFault: (err) => this.#onFault(err),
      wrapDb: this.#opts.wrapDb,
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
    }).then(
      (next) => {
        if (next === undefined) return;
        this.#run = next;
        this.#fault = undefined;
        this.#recovering = undefined;
        next.checkpointer.start();
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

  /** The committed tree of the running session, for the reads (log-reads.ts). */
  #view(): CommittedView {
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
      return this.#running().appender.append(items);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Whether the log takes appends, why not, and the last checkpoint-signing failure. */
  health(): LogHealth {
    return logHealth(this.#state());
  }

  #state(): LogState {
    return {
      run: this.#run,
      fault: this.#fault,
      stopping: this.#stopping,
      writeFailures: this.#writeFailures,
      checkpointFailuresBefore: this.#checkpointFailuresBefore,
    };
  }

  /** Committed (durable) size (while reopening after a fault: the acknowledged size). */
  get size(): number {
    return this.#run?.appender.size ?? this.#fault?.acked.size ?? 0;
  }

  /** The exact leaf bytes at `index`; ERR_NOT_FOUND when index >= size. */
  async entry(index: number): Promise<Uint8Array> {
    return readEntry(this.#view(), index);
  }

  /** The raw record stored with entry `index`, if any; ERR_NOT_FOUND when index >= size. */
  async record(index: number): Promise<Uint8Array | undefined> {
    return readRecord(this.#view(), index);
  }

  /**
   * The index of the entry whose RFC 6962 leaf hash is `leafHash` (32 bytes), or undefined. When two
   * entries have the same leaf hash, the later one.
   */
  async lookupLeafHash(leafHash: Uint8Array): Promise<number | undefined> {
    return lookupLeafHash(this.#view(), leafHash);
  }

  /** The index of the decision entry with this decisionId, or undefined (a reused id: the latest entry). */
  async lookupDecision(decisionId: string): Promise<number | undefined> {
    return lookupDecision(this.#view(), decisionId);
  }

  /**
   * The index of the latest governance entry of `kind` (e.g. `federation.charter`), or undefined when the
   * log has none.
   */
  async lookupGovernance(kind: string): Promise<number | undefined> {
    return lookupGovernance(this.#view(), kind);
  }

  /**
   * One page of this log's decisions matching `query`, newest first, from the search index
   * (decision-search.ts): at most query.limit items and a `next` position when there may be more.
   */
  async searchDecisions(query: DecisionQuery): Promise<SearchResult> {
    const view = this.#view();
    return searchDecisions(view.db, view.size, query);
  }

  /**
   * Calls `fn` with every checkpoint this log signs from now on (after it is stored), e.g. to gossip it
   * to witnesses without polling. Listeners must not throw; they run in the signer's turn.
   */
  onCheckpoint(fn: (cp: SignedCheckpoint) => void): void {
    this.#checkpointListeners.push(fn);
  }

  checkpoint(): SignedCheckpoint {
    // While reopening after a fault, the last signed checkpoint is still true and still served.
    if (this.#run === undefined && this.#fault !== undefined) return this.#fault.checkpoint;
    return this.#running().checkpointer.latest();
  }

  /** Signs a checkpoint now if the tree grew; returns the latest. */
  async checkpointNow(): Promise<SignedCheckpoint> {
    return this.#running().checkpointer.signNow();
  }

  /** Every kept checkpoint with size >= fromSize, ascending. */
  async *checkpoints(fromSize = 0): AsyncGenerator<{ size: number; note: string }> {
    assertIndexArg(fromSize, 'fromSize');
    yield* this.#running().checkpointer.list(fromSize);
  }

  /** Root of the tree of the first `size` entries (size <= committed size). */
  async treeHash(size: number): Promise<Uint8Array> {
    return rootAt(this.#view(), size);
  }

  /** Inclusion proof of entry `index` in the tree of `treeSize` entries (1 <= treeSize <= size). */
  async proveInclusion(index: number, treeSize: number): Promise<Uint8Array[]> {
    return inclusionProof(this.#view(), index, treeSize);
  }

  /** Consistency proof from the tree of `from` entries to the tree of `to` entries (from <= to <= size). */
  async proveConsistency(from: number, to: number): Promise<Uint8Array[]> {
    return consistencyProof(this.#view(), from, to);
  }

  /**
   * A C2SP tlog-tiles hash tile or entry bundle of the committed tree (tile-reader.ts); ERR_NOT_FOUND
   * when the tile is not complete at the committed size.
   */
  async tile(tile: Tile): Promise<Uint8Array> {
    const run = this.#running();
    return readTile(run.db, run.reader, run.appender.size, tile);
  }

  /** Recomputes the tree from the stored leaves and compares stored hashes and checkpoints (see fsck.ts). */
  async fsck(): Promise<FsckReport> {
    const run = this.#running();
    // The snapshot's own m/size is consistent with its content (batches are atomic), even if a batch
    // landed a moment before its waiters were told.
    const snapshot = await run.db.snapshot();
    try {
      return await fsckDb(run.db, { verifier: this.#verifier, origin: this.#opts.origin, snapshot });
    } finally {
      await snapshot.close();
    }
  }

  metrics(): LogMetrics {
    return logMetrics(this.#state());
  }
}
