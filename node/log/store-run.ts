/**
 * One open session of the log's store: the store handle (LevelDB or PostgreSQL, store.ts) and everything built on it (hash reader,
 * group-commit appender, checkpointer). AuditLog opens one at start and, after a failed write, throws
 * the whole session away and opens a new one (audit-log.ts): nothing built on a handle that failed a
 * write is used again.
 *
 * openStoreRun(): open the store; read the committed size from `m/size`; build the lookup index if the log
 * predates it (lookup.ts); rebuild the Frontier from at most 52 stored hashes (no re-hashing of the log);
 * check the high-water mark (the file given, or the store's own: PostgreSQL) and re-open the last checkpoint with the node's verifier against the stored
 * tree (checkpointer.ts; else ERR_LOG_ROLLBACK / ERR_LOG_CORRUPT). The DB is closed again on any failure.
 */
import { GovfedError } from '../../protocol/errors.ts';
import { Frontier } from '../../protocol/log/index.ts';
import type { NoteSigner, NoteVerifier } from '../../protocol/note/index.ts';
import { GroupCommitAppender } from './appender.ts';
import { Checkpointer, type SignedCheckpoint } from './checkpointer.ts';
import { StoreHashReader } from './hash-reader.ts';
import { fastNodeHash } from './hasher.ts';
import { HighWaterMark } from './high-water.ts';
import { Integrator } from './integrator.ts';
import { decodeSize, SIZE_KEY } from './keys.ts';
import { ensureLookupIndex } from './lookup.ts';
import { type OpenStoreOptions, openLogStore } from './open-store.ts';
import { Sequencer } from './sequencer.ts';
import { type LogDb, type LogStoreSpec, sequencingOf } from './store.ts';

/** The parts of a session of a shared log (PostgreSQL, several processes) held by the lease holder. */
export interface SharedParts {
  sequencer: Sequencer;
  integrator: Integrator;
}

export interface StoreRun {
  db: LogDb;
  /** A shared log's sequencer and integrator (undefined: this process is the log's only writer). */
  shared?: SharedParts;
  /** The high-water mark this session checks and raises (the store's own, or the file's). */
  highWater: HighWaterMark | undefined;
  reader: StoreHashReader;
  appender: GroupCommitAppender;
  checkpointer: Checkpointer;
}

export interface StoreRunOptions {
  store: LogStoreSpec;
  signer: NoteSigner;
  verifier: NoteVerifier;
  origin: string;
  /**
   * The mark beside the store (LevelDB: DIR/high-water.json). A driver that keeps the mark itself
   * (PostgreSQL) is given a mark over the opened store instead, whatever is passed here.
   */
  highWater?: HighWaterMark;
  checkpointIntervalMs: number;
  /** Checkpointer's pacedGapMs (governance-only growth); not used for a shared log. */
  pacedGapMs?: number;
  maxPendingEntries: number;
  maxBatchEntries: number;
  now: () => Date;
  onCommit?: (n: number, ms: number) => void;
  onSigned: (cp: SignedCheckpoint) => void;
  /** A write to this session's store failed: the session must not be used again. */
  onFault: (err: unknown) => void;
  /** Wraps each opened DB (fault-injection tests only: a disk that fails or loses writes). */
  wrapDb?: (db: LogDb) => LogDb;
  /** Passed to openLogStore: the PostgreSQL lease holder, waiting for the lease (standby). */
  open?: OpenStoreOptions;
  /** A shared log: how long the integrator waits on an empty queue (integrator.ts). */
  integratePollMs?: number;
  /** The lease was found taken by another process (a renewal failed): called at once. */
  onLeaseLost?: (err: unknown) => void;
}

export async function openStoreRun(o: StoreRunOptions): Promise<StoreRun> {
  const opened = await openLogStore(o.store, o.open);
  let db = opened;
  try {
    if (o.wrapDb !== undefined) db = o.wrapDb(opened);
    const own = opened.highWaterMark?.(o.origin);
    const highWater = own === undefined ? o.highWater : new HighWaterMark(own);
    const reader = new StoreHashReader(db);
    const raw = await db.get(SIZE_KEY);
    const size = raw === undefined ? 0 : decodeSize(raw);
    await ensureLookupIndex(db, size);
    let frontier: Frontier;
    try {
      frontier = await Frontier.load(size, reader, { nodeHash: fastNodeHash });
    } catch (cause) {
      throw new GovfedError('ERR_LOG_CORRUPT', `cannot load the tree of ${size} entries from stored hashes`, {
        cause,
      });
    }
    let checkpointer: Checkpointer | undefined;
    let integrator: Integrator | undefined;
    const onCommit = o.onCommit;
    const seq = sequencingOf(opened);
    const shared = o.store.driver === 'postgres' && o.store.shared === true;
    const appender = new GroupCommitAppender({
      db,
      frontier,
      maxPendingEntries: o.maxPendingEntries,
      maxBatchEntries: o.maxBatchEntries,
      onCommit: (n, ms) => {
        checkpointer?.noteCommit();
        integrator?.noteCommit();
        if (!shared) onCommit?.(n, ms);
      },
      onFault: o.onFault,
    });
    checkpointer = new Checkpointer({
      db,
      appender,
      reader,
      signer: o.signer,
      verifier: o.verifier,
      origin: o.origin,
      intervalMs: o.checkpointIntervalMs,
      now: o.now,
      onSigned: o.onSigned,
      highWater,
      onWriteError: o.onFault,
      // A shared log's leader integrates what every process sequenced, decisions included: never paced.
      ...(shared || o.pacedGapMs === undefined ? {} : { pacedGapMs: o.pacedGapMs }),
    });
    await checkpointer.load(size, frontier);
    if (seq !== undefined && o.onLeaseLost !== undefined) seq.onLeaseLost(o.onLeaseLost);
    if (seq === undefined || !shared) {
      await seq?.unshareSequence(size); // one writer: no sequenced entry may wait (ERR_INVALID_CONFIG)
      return { db, highWater, reader, appender, checkpointer };
    }
    await seq.shareSequence(size);
    // Appends of a shared log are sequenced (any process) and integrated here (the lease holder).
    const sequencer = new Sequencer({
      commit: (values) => seq.sequence(values),
      maxPendingEntries: o.maxPendingEntries,
      maxBatchEntries: o.maxBatchEntries,
      onCommit,
    });
    integrator = new Integrator({
      db,
      appender,
      maxBatchEntries: o.maxBatchEntries,
      pollMs: o.integratePollMs ?? 20,
      onFault: o.onFault,
    });
    return { db, highWater, reader, appender, checkpointer, shared: { sequencer, integrator } };
  } catch (err) {
    await opened.close().catch(() => {});
    throw err;
  }
}
