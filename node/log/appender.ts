/**
 * Group commit: one writer turns every append that waits into ONE synced LevelDB batch, and prepares
 * the next batch while the current one is being written.
 *
 * There is at most one batch being written (in flight) and one being prepared (staged):
 *   - An append is validated, checked against backpressure and queued. If there is room in the staged
 *     batch (maxBatchEntries; a request is never split), it is staged at once: its leaf hashes
 *     (node:crypto) and new stored hashes (protocol/log's Frontier, in memory, with node:crypto's
 *     SHA-256 injected as its node hash) are computed and put
 *     straight into a LevelDB chained batch — `l/<index>` leaf, `r/<index>` record, `h/<stored index>`
 *     hashes, and the entry's index keys `x/<leaf hash>` / `d/<decisionId>` / the decision search keys `s/…` (lookup.ts). Hashing
 *     thus overlaps the disk write of the previous batch.
 *   - When no batch is in flight, the staged batch is sealed — its root is taken from the Frontier and
 *     `m/size` is added — and written with {sync: true}: one fsync for all of it, atomic in LevelDB's
 *     journal. Everything that arrives meanwhile is staged for the next batch.
 *   - Only when the write returns does the committed (durable) size advance, together with the root of
 *     that size; then the batch's waiters resolve. A checkpoint is only ever signed for committed().
 * If a write fails, the store handle is not trusted again: the appender is FAULTED for good. The failed
 * batch's waiters, those of the batch staged behind it and everything queued are rejected with
 * ERR_LOG_UNAVAILABLE (503, retry later), the committed size does not move, every later append is refused
 * the same way, and `onFault` tells the owner (AuditLog), which closes the store, reopens it and proves
 * that it still holds exactly what was acknowledged before a new appender takes appends (audit-log.ts,
 * recovery.ts). Why not carry on: after a failed write (ENOSPC) LevelDB's write-ahead log can hold a torn
 * record, later writes "succeed" behind it, and the next open drops them — acknowledged entries lost.
 *
 * Backpressure: entries queued, staged or in flight count as pending; an append that would take pending
 * over maxPendingEntries is rejected at once with ERR_BACKPRESSURE, and none of its entries is queued.
 */
import { MAX_LEAF_BYTES } from '../../protocol/audit/index.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { type Frontier, storedHashCount } from '../../protocol/log/index.ts';
import { NodeError } from '../errors.ts';
import { fastLeafHash } from './hasher.ts';
import { encodeSize, HASH_PREFIX, hex16, LEAF_PREFIX, RECORD_PREFIX, SIZE_KEY } from './keys.ts';
import { type DecisionIndexFacts, decisionLookupKeys, type KeyParts, keysAt, lookupKeys } from './lookup.ts';
import type { LogDb } from './store.ts';

/** Bound on a stored raw record (the API enforces a tighter one for decision records). */
export const MAX_STORED_RECORD_BYTES = 1 << 20;

export interface AppendItem {
  /** The exact leaf bytes the log commits to. */
  leaf: Uint8Array;
  /** Raw record bytes kept beside the leaf (auditor-only), if any. */
  record?: Uint8Array;
  /**
   * The facts of a decision leaf its producer built (node/decisions): the index keys are made from
   * them instead of reading the leaf back. Must be what the leaf says (decisionFacts + decisionId).
   */
  decision?: DecisionIndexFacts;
  /** The RFC 6962 leaf hash of `leaf`, when its producer computed it (an ingest worker, with fastLeafHash). */
  leafHash?: Uint8Array;
  /** The leaf's index keys, made by its producer (an ingest worker, with decisionKeyParts). */
  keys?: KeyParts;
  /** A key the entry's batch deletes (the integrator of a shared log: the entry's q/ row, integrator.ts). */
  del?: string;
}

export interface Appended {
  index: number;
  leafHash: Uint8Array;
}

/** The durable state: a size whose batch is on disk, and the tree root at that size. */
export interface Committed {
  size: number;
  rootHash: Uint8Array;
}

interface Request {
  items: readonly AppendItem[];
  resolve: (r: Appended[]) => void;
  reject: (e: unknown) => void;
  result?: Appended[];
}

type Batch = ReturnType<LogDb['batch']>;

/** A batch being prepared, then written. */
interface Stage {
  batch: Batch;
  requests: Request[];
  /** Tree size before / after this batch. */
  from: number;
  to: number;
  /** Next stored-hash index. */
  stored: number;
  started: number;
  /** Root at `to`, taken when the stage is sealed. */
  root?: Uint8Array;
}

export interface AppenderOptions {
  db: LogDb;
  /** Frontier of the committed tree (its size is the committed size). */
  frontier: Frontier;
  maxPendingEntries: number;
  maxBatchEntries: number;
  /** Called after each durable batch with its entry count and the time from first staging to durable. */
  onCommit?: (entries: number, ms: number) => void;
  /** Called once, with the error, when a write to the store fails (the appender is faulted from then on). */
  onFault?: (err: unknown) => void;
}

/** The error every waiter of a faulted appender gets: the log cannot take appends now. */
export function logUnavailable(cause: unknown): NodeError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new NodeError('ERR_LOG_UNAVAILABLE', `the audit log cannot take appends: a store write failed (${why})`, {
    cause,
  });
}

export function checkItems(items: unknown): asserts items is readonly AppendItem[] {
  if (!Array.isArray(items)) throw new GovfedError('ERR_INVALID_INPUT', 'append: expected an array of items');
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as AppendItem | undefined;
    const leaf = it?.leaf;
    if (!(leaf instanceof Uint8Array) || leaf.length === 0 || leaf.length > MAX_LEAF_BYTES) {
      throw new GovfedError('ERR_INVALID_INPUT', `append: item ${i}: leaf must be 1..${MAX_LEAF_BYTES} bytes`);
    }
    if (it?.leafHash !== undefined && !(it.leafHash instanceof Uint8Array && it.leafHash.length === 32)) {
      throw new GovfedError('ERR_INVALID_INPUT', `append: item ${i}: leafHash must be 32 bytes`);
    }
    const rec = it?.record;
    if (rec !== undefined && (!(rec instanceof Uint8Array) || rec.length > MAX_STORED_RECORD_BYTES)) {
      throw new GovfedError(
        'ERR_INVALID_INPUT',
        `append: item ${i}: record must be at most ${MAX_STORED_RECORD_BYTES} bytes`,
      );
    }
  }
}

export class GroupCommitAppender {
  readonly #db: LogDb;
  readonly #maxPending: number;
  readonly #maxBatch: number;
  readonly #onCommit: ((entries: number, ms: number) => void) | undefined;

  /** The tree as staged: committed + in flight + staged. */
  #frontier: Frontier;
  /** The first failed write (or staging) error: set once, never cleared. */
  #fault: unknown;
  #faulted = false;
  readonly #onFault: ((err: unknown) => void) | undefined;
  #committed: Committed;
  #queue: Request[] = [];
  #queued = 0;
  #staged: Stage | undefined;
  #inFlight: Stage | undefined;
  #closed = false;
  #idle: (() => void)[] = [];
  #appendsTotal = 0;
  #batchesTotal = 0;

  constructor(opts: AppenderOptions) {
    this.#db = opts.db;
    this.#frontier = opts.frontier;
    this.#committed = { size: opts.frontier.size, rootHash: opts.frontier.root() };
    this.#maxPending = opts.maxPendingEntries;
    this.#maxBatch = opts.maxBatchEntries;
    this.#onCommit = opts.onCommit;
    this.#onFault = opts.onFault;
  }

  /** The error that faulted this appender, if one did (then it takes no appends, ever). */
  get fault(): unknown {
    return this.#fault;
  }

  get faulted(): boolean {
    return this.#faulted;
  }

  /** Committed (durable) size. */
  get size(): number {
    return this.#committed.size;
  }

  /** The committed size and its root, read together. */
  committed(): Committed {
    return this.#committed;
  }

  /** Entries accepted but not yet durable (queued, staged or being written). */
  get pending(): number {
    return this.#queued + this.#entries(this.#staged) + this.#entries(this.#inFlight);
  }

  get appendsTotal(): number {
    return this.#appendsTotal;
  }

  get batchesTotal(): number {
    return this.#batchesTotal;
  }

  /** Queues `items` for the next batch; resolves with their indexes once that batch is on disk. */
  append(items: readonly AppendItem[]): Promise<Appended[]> {
    try {
      if (this.#faulted) throw logUnavailable(this.#fault);
      if (this.#closed) throw new NodeError('ERR_SHUTTING_DOWN', 'the audit log is stopping');
      checkItems(items);
      if (items.length === 0) return Promise.resolve([]);
      const pending = this.pending;
      if (pending + items.length > this.#maxPending) {
        throw new NodeError(
          'ERR_BACKPRESSURE',
          `${pending} entries pending; ${items.length} more would exceed ${this.#maxPending}`,
        );
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Appended[]>((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      this.#queued += items.length;
      this.#pump();
    });
  }

  /** Stops accepting appends; resolves when everything accepted has been written (or rejected). */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #entries(s: Stage | undefined): number {
    return s === undefined ? 0 : s.to - s.from;
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && this.#staged === undefined && this.#inFlight === undefined;
  }

  /** Stages what fits, starts a write if none is in flight. Synchronous. */
  #pump(): void {
    if (!this.#faulted) this.#stageQueued();
    if (!this.#faulted && this.#inFlight === undefined && this.#staged !== undefined) {
      const stage = this.#seal();
      this.#stageQueued(); // what did not fit starts the next batch right away
      void this.#write(stage);
    }
    if (this.#isIdle()) for (const done of this.#idle.splice(0)) done();
  }

  /** Moves whole requests from the queue into the staged batch, up to maxBatchEntries. */
  #stageQueued(): void {
    let k = 0;
    for (; k < this.#queue.length; k++) {
      const req = this.#queue[k] as Request;
      const stage = this.#staged;
      if (stage !== undefined && stage.to - stage.from + req.items.length > this.#maxBatch) break;
      if (!this.#stage(req)) {
        k++;
        break;
      }
    }
    if (k === 0) return;
    const moved = k === this.#queue.length ? this.#queue.splice(0) : this.#queue.splice(0, k);
    for (const r of moved) this.#queued -= r.items.length;
  }

  /** Hashes one request into the staged batch. False (everything staged rejected) when that fails. */
  #stage(req: Request): boolean {
    let stage = this.#staged;
    try {
      if (stage === undefined) {
        const from = this.#frontier.size;
        const started = performance.now();
        stage = { batch: this.#db.batch(), requests: [], from, to: from, stored: storedHashCount(from), started };
        this.#staged = stage;
      }
      const b = stage.batch;
      const frontier = this.#frontier;
      const items = req.items;
      const out = new Array<Appended>(items.length);
      let next = stage.to;
      let stored = stage.stored;
      for (let i = 0; i < items.length; i++) {
        const item = items[i] as AppendItem;
        const lh = item.leafHash ?? fastLeafHash(item.leaf);
        const hashes = frontier.append(lh);
        const idx = hex16(next);
        b.put(LEAF_PREFIX + idx, item.leaf);
        if (item.record !== undefined) b.put(RECORD_PREFIX + idx, item.record);
        if (item.del !== undefined) b.del(item.del);
        const at = encodeSize(next);
        const keys =
          item.keys !== undefined
            ? keysAt(item.keys, next)
            : item.decision !== undefined
              ? decisionLookupKeys(item.decision, lh, next)
              : lookupKeys(item.leaf, lh, next);
        for (let k = 0; k < keys.length; k++) b.put(keys[k] as string, at);
        for (let h = 0; h < hashes.length; h++) b.put(HASH_PREFIX + hex16(stored++), hashes[h] as Uint8Array);
        out[i] = { index: next++, leafHash: lh };
      }
      req.result = out;
      stage.requests.push(req);
      stage.to = next;
      stage.stored = stored;
      return true;
    } catch (err) {
      // The Frontier may be part-way through this request and the batch refused a put: the store is
      // not trusted any more.
      req.reject(logUnavailable(err));
      this.#enterFault(err);
      return false;
    }
  }

  /** Takes the staged batch for writing: records its root and the new size. */
  #seal(): Stage {
    const stage = this.#staged as Stage;
    this.#staged = undefined;
    stage.root = this.#frontier.root();
    stage.batch.put(SIZE_KEY, encodeSize(stage.to));
    this.#inFlight = stage;
    return stage;
  }

  async #write(stage: Stage): Promise<void> {
    try {
      await stage.batch.write({ sync: true });
    } catch (err) {
      this.#inFlight = undefined;
      const unavailable = logUnavailable(err);
      for (const req of stage.requests) req.reject(unavailable);
      this.#enterFault(err);
      this.#pump();
      return;
    }
    this.#inFlight = undefined;
    this.#committed = { size: stage.to, rootHash: stage.root as Uint8Array };
    const entries = stage.to - stage.from;
    this.#appendsTotal += entries;
    this.#batchesTotal++;
    for (const req of stage.requests) req.resolve(req.result as Appended[]);
    try {
      this.#onCommit?.(entries, performance.now() - stage.started);
    } catch {
      // A metrics callback must not break the writer.
    }
    this.#pump();
  }

  /**
   * A write (or a put into a batch) failed: reject what is staged and queued with ERR_LOG_UNAVAILABLE —
   * none of it was acknowledged — refuse everything from now on and tell the owner, once.
   */
  #enterFault(err: unknown): void {
    const first = !this.#faulted;
    if (first) {
      this.#faulted = true;
      this.#fault = err;
    }
    const unavailable = logUnavailable(this.#fault);
    const stage = this.#staged;
    this.#staged = undefined;
    if (stage !== undefined) {
      stage.batch.close().catch(() => {});
      for (const req of stage.requests) req.reject(unavailable);
    }
    const queued = this.#queue.splice(0);
    this.#queued = 0;
    for (const req of queued) req.reject(unavailable);
    if (first) {
      try {
        this.#onFault?.(err);
      } catch {
        // the owner's handler must not break the writer
      }
    }
  }
}
