/**
 * AuditLog: the node's durable, append-only, provable log — a service with start()/stop().
 *
 * Components: a LevelDB (db.ts, key layout in keys.ts), the group-commit appender (appender.ts) that
 * owns the in-memory Frontier, the checkpointer (checkpointer.ts) and a LevelDB HashReader
 * (hash-reader.ts) through which protocol/log computes roots and proofs from stored hashes.
 *
 * start(): open the DB; read the committed size from `m/size`; build the lookup index if the log
 * predates it (lookup.ts); rebuild the Frontier from at most 52
 * stored hashes (no re-hashing of the log); re-open the last checkpoint with the node's verifier and
 * check it against the stored tree (else ERR_LOG_CORRUPT, and the node does not start); sign a
 * checkpoint if the log grew since (or the size-0 one for a new log); start the checkpoint timer.
 * stop(): refuse new appends, write what was accepted, sign a final checkpoint if grown, close the DB.
 */
import { GovfedError } from '../../protocol/errors.ts';
import {
  Frontier,
  proveConsistency as proveConsistencyFrom,
  proveInclusion as proveInclusionFrom,
  treeHash as treeHashFrom,
} from '../../protocol/log/index.ts';
import type { Tile } from '../../protocol/log/tiles.ts';
import { ed25519Verifier, type NoteSigner, type NoteVerifier } from '../../protocol/note/index.ts';
import { NodeError } from '../errors.ts';
import { type Appended, type AppendItem, GroupCommitAppender } from './appender.ts';
import { Checkpointer, type SignedCheckpoint } from './checkpointer.ts';
import { type LogDb, openLogDb } from './db.ts';
import { type FsckReport, fsckDb } from './fsck.ts';
import { LevelHashReader } from './hash-reader.ts';
import { fastNodeHash } from './hasher.ts';
import { decodeSize, leafKey, recordKey, SIZE_KEY } from './keys.ts';
import { decisionIndexKey, ensureLookupIndex, leafHashIndexKey, readLookup } from './lookup.ts';
import { readTile } from './tile-reader.ts';

export interface AuditLogOptions {
  /** LevelDB directory. */
  dir: string;
  /** The log's note signer; its key name must equal `origin`. */
  signer: NoteSigner;
  origin: string;
  /**
   * Verifier of the log key, used to re-check stored checkpoints at start. Defaults to the Ed25519
   * verifier of `signer.publicKey` when the signer has one (ed25519Signer / parseSignerKey do).
   */
  verifier?: NoteVerifier;
  checkpointIntervalMs?: number;
  maxPendingEntries?: number;
  maxBatchEntries?: number;
  now?: () => Date;
  /** Called after each durable batch with its entry count and the batch's build+write time. */
  onCommit?: (n: number, ms: number) => void;
}

export interface LogMetrics {
  size: number;
  pending: number;
  checkpointSize: number;
  checkpointLagMs: number;
  appendsTotal: number;
  batchesTotal: number;
}

interface Running {
  db: LogDb;
  reader: LevelHashReader;
  appender: GroupCommitAppender;
  checkpointer: Checkpointer;
}

function defaultVerifier(signer: NoteSigner): NoteVerifier {
  const pub = (signer as { publicKey?: unknown }).publicKey;
  if (!(pub instanceof Uint8Array)) {
    throw new GovfedError('ERR_INVALID_INPUT', 'AuditLog: pass opts.verifier (the signer has no publicKey)');
  }
  return ed25519Verifier(signer.name, pub);
}

/** A plain Uint8Array view of a value LevelDB returned as a Buffer (no copy). */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function assertIndexArg(n: unknown, what: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', `${what}: expected a non-negative integer, got ${String(n)}`);
  }
}

function assertSizeArg(n: unknown, size: number, what: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > size) {
    throw new GovfedError('ERR_INVALID_TREE_SIZE', `${what}: expected an integer in [0, ${size}], got ${String(n)}`);
  }
}

export class AuditLog {
  readonly #opts: AuditLogOptions;
  readonly #verifier: NoteVerifier;
  readonly #now: () => Date;
  readonly #checkpointListeners: ((cp: SignedCheckpoint) => void)[] = [];
  #run: Running | undefined;
  #starting = false;

  constructor(opts: AuditLogOptions) {
    if (opts.signer.name !== opts.origin) {
      throw new GovfedError('ERR_ORIGIN_MISMATCH', `log key name ${opts.signer.name} is not the origin ${opts.origin}`);
    }
    this.#opts = opts;
    this.#verifier = opts.verifier ?? defaultVerifier(opts.signer);
    if (this.#verifier.name !== opts.signer.name || this.#verifier.keyHash !== opts.signer.keyHash) {
      throw new GovfedError('ERR_INVALID_INPUT', 'AuditLog: verifier and signer are for different keys');
    }
    this.#now = opts.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    if (this.#run !== undefined || this.#starting) throw new Error('AuditLog: already started');
    this.#starting = true;
    let db: LogDb | undefined;
    try {
      db = await openLogDb(this.#opts.dir);
      const reader = new LevelHashReader(db);
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
      const onCommit = this.#opts.onCommit;
      const appender = new GroupCommitAppender({
        db,
        reader,
        frontier,
        maxPendingEntries: this.#opts.maxPendingEntries ?? 200_000,
        maxBatchEntries: this.#opts.maxBatchEntries ?? 50_000,
        onCommit: (n, ms) => {
          checkpointer?.noteCommit();
          onCommit?.(n, ms);
        },
      });
      checkpointer = new Checkpointer({
        db,
        appender,
        reader,
        signer: this.#opts.signer,
        verifier: this.#verifier,
        origin: this.#opts.origin,
        intervalMs: this.#opts.checkpointIntervalMs ?? 1000,
        now: this.#now,
        onSigned: (cp) => {
          for (const fn of this.#checkpointListeners) fn(cp);
        },
      });
      await checkpointer.load(size, frontier);
      this.#run = { db, reader, appender, checkpointer };
      await checkpointer.signNow(); // covers entries written before a crash
      checkpointer.start();
    } catch (err) {
      this.#run = undefined;
      await db?.close().catch(() => {});
      throw err;
    } finally {
      this.#starting = false;
    }
  }

  async stop(): Promise<void> {
    const run = this.#run;
    if (run === undefined) return;
    run.checkpointer.stop();
    await run.appender.close();
    try {
      await run.checkpointer.signNow();
    } finally {
      this.#run = undefined;
      await run.db.close();
    }
  }

  #running(): Running {
    if (this.#run === undefined) throw new NodeError('ERR_SHUTTING_DOWN', 'the audit log is not running');
    return this.#run;
  }

  /**
   * Appends entries; resolves after they are durable (group commit). Rejects with ERR_BACKPRESSURE
   * (nothing appended) when too many entries are pending, ERR_SHUTTING_DOWN when stopped.
   */
  append(items: readonly AppendItem[]): Promise<Appended[]> {
    const run = this.#run;
    if (run === undefined) return Promise.reject(new NodeError('ERR_SHUTTING_DOWN', 'the audit log is not running'));
    return run.appender.append(items);
  }

  /** Committed (durable) size. */
  get size(): number {
    return this.#run?.appender.size ?? 0;
  }

  /** The exact leaf bytes at `index`; ERR_NOT_FOUND when index >= size. */
  async entry(index: number): Promise<Uint8Array> {
    const run = this.#running();
    assertIndexArg(index, 'index');
    if (index >= run.appender.size)
      throw new NodeError('ERR_NOT_FOUND', `no entry ${index} (size ${run.appender.size})`);
    const leaf = await run.db.get(leafKey(index));
    if (leaf === undefined) throw new GovfedError('ERR_LOG_CORRUPT', `entry ${index} is missing from the store`);
    return plain(leaf);
  }

  /** The raw record stored with entry `index`, if any; ERR_NOT_FOUND when index >= size. */
  async record(index: number): Promise<Uint8Array | undefined> {
    const run = this.#running();
    assertIndexArg(index, 'index');
    if (index >= run.appender.size)
      throw new NodeError('ERR_NOT_FOUND', `no entry ${index} (size ${run.appender.size})`);
    const rec = await run.db.get(recordKey(index));
    return rec === undefined ? undefined : plain(rec);
  }

  /**
   * The index of the entry whose RFC 6962 leaf hash is `leafHash` (32 bytes), or undefined. When two
   * entries have the same leaf hash, the later one.
   */
  async lookupLeafHash(leafHash: Uint8Array): Promise<number | undefined> {
    const run = this.#running();
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== 32) {
      throw new GovfedError('ERR_INVALID_INPUT', 'leafHash: expected 32 bytes');
    }
    return readLookup(run.db, leafHashIndexKey(leafHash), run.appender.size);
  }

  /** The index of the decision entry with this decisionId, or undefined (a reused id: the latest entry). */
  async lookupDecision(decisionId: string): Promise<number | undefined> {
    const run = this.#running();
    if (typeof decisionId !== 'string' || decisionId.length === 0 || decisionId.length > 1024) {
      throw new GovfedError('ERR_INVALID_INPUT', 'decisionId: expected 1..1024 characters');
    }
    return readLookup(run.db, decisionIndexKey(decisionId), run.appender.size);
  }

  /** The latest signed checkpoint. */
  /**
   * Calls `fn` with every checkpoint this log signs from now on (after it is stored), e.g. to gossip it
   * to witnesses without polling. Listeners must not throw; they run in the signer's turn.
   */
  onCheckpoint(fn: (cp: SignedCheckpoint) => void): void {
    this.#checkpointListeners.push(fn);
  }

  checkpoint(): SignedCheckpoint {
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
    const run = this.#running();
    assertSizeArg(size, run.appender.size, 'tree size');
    return treeHashFrom(size, run.reader);
  }

  /** Inclusion proof of entry `index` in the tree of `treeSize` entries (1 <= treeSize <= size). */
  async proveInclusion(index: number, treeSize: number): Promise<Uint8Array[]> {
    const run = this.#running();
    assertSizeArg(treeSize, run.appender.size, 'treeSize');
    return proveInclusionFrom(index, treeSize, run.reader);
  }

  /** Consistency proof from the tree of `from` entries to the tree of `to` entries (from <= to <= size). */
  async proveConsistency(from: number, to: number): Promise<Uint8Array[]> {
    const run = this.#running();
    assertSizeArg(to, run.appender.size, 'to');
    assertSizeArg(from, to, 'from');
    return proveConsistencyFrom(from, to, run.reader);
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
    const snapshot = run.db.snapshot();
    try {
      return await fsckDb(run.db, { verifier: this.#verifier, origin: this.#opts.origin, snapshot });
    } finally {
      await snapshot.close();
    }
  }

  metrics(): LogMetrics {
    const run = this.#run;
    if (run === undefined) {
      return { size: 0, pending: 0, checkpointSize: 0, checkpointLagMs: 0, appendsTotal: 0, batchesTotal: 0 };
    }
    return {
      size: run.appender.size,
      pending: run.appender.pending,
      checkpointSize: run.checkpointer.latest().size,
      checkpointLagMs: run.checkpointer.lagMs(),
      appendsTotal: run.appender.appendsTotal,
      batchesTotal: run.appender.batchesTotal,
    };
  }
}
