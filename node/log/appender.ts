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
 *     hashes, and the entry's lookup-index keys `x/<leaf hash>` / `d/<decisionId>` (lookup.ts). Hashing
 *     thus overlaps the disk write of the previous batch.
 *   - When no batch is in flight, the staged batch is sealed — its root is taken from the Frontier and
 *     `m/size` is added — and written with {sync: true}: one fsync for all of it, atomic in LevelDB's
 *     journal. Everything that arrives meanwhile is staged for the next batch.
 *   - Only when the write returns does the committed (durable) size advance, together with the root of
 *     that size; then the batch's waiters resolve. A checkpoint is only ever signed for committed().
 * If a write fails, its waiters and those of the batch staged behind it (whose hashes build on it) are
 * rejected, the committed size does not move, and the Frontier — already ahead in memory — is rebuilt
 * from disk before anything else is staged. So nothing acknowledged is ever lost and nothing is stored
 * half-way.
 *
 * Backpressure: entries queued, staged or in flight count as pending; an append that would take pending
 * over maxPendingEntries is rejected at once with ERR_BACKPRESSURE, and none of its entries is queued.
 */
import { MAX_LEAF_BYTES } from '../../protocol/audit/index.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { Frontier, type HashReader, storedHashCount } from '../../protocol/log/index.ts';
import { NodeError } from '../errors.ts';
import type { LogDb } from './db.ts';
import { fastLeafHash, fastNodeHash } from './hasher.ts';
import { encodeSize, HASH_PREFIX, hex16, LEAF_PREFIX, RECORD_PREFIX, SIZE_KEY } from './keys.ts';
import { lookupKeys } from './lookup.ts';

/** Bound on a stored raw record (the API enforces a tighter one for decision records). */
export const MAX_STORED_RECORD_BYTES = 1 << 20;

export interface AppendItem {
  /** The exact leaf bytes the log commits to. */
  leaf: Uint8Array;
  /** Raw record bytes kept beside the leaf (auditor-only), if any. */
  record?: Uint8Array;
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
  reader: HashReader;
  /** Frontier of the committed tree (its size is the committed size). */
  frontier: Frontier;
  maxPendingEntries: number;
  maxBatchEntries: number;
  /** Called after each durable batch with its entry count and the time from first staging to durable. */
  onCommit?: (entries: number, ms: number) => void;
}

function checkItems(items: unknown): asserts items is readonly AppendItem[] {
  if (!Array.isArray(items)) throw new GovfedError('ERR_INVALID_INPUT', 'append: expected an array of items');
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as AppendItem | undefined;
    const leaf = it?.leaf;
    if (!(leaf instanceof Uint8Array) || leaf.length === 0 || leaf.length > MAX_LEAF_BYTES) {
      throw new GovfedError('ERR_INVALID_INPUT', `append: item ${i}: leaf must be 1..${MAX_LEAF_BYTES} bytes`);
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
  readonly #reader: HashReader;
  readonly #maxPending: number;
  readonly #maxBatch: number;
  readonly #onCommit: ((entries: number, ms: number) => void) | undefined;

  /** The tree as staged: committed + in flight + staged. */
  #frontier: Frontier;
  /** True when #frontier is not trustworthy (after a failure) and must be reloaded from disk. */
  #stale = false;
  #reloading = false;
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
    this.#reader = opts.reader;
    this.#frontier = opts.frontier;
    this.#committed = { size: opts.frontier.size, rootHash: opts.frontier.root() };
    this.#maxPending = opts.maxPendingEntries;
    this.#maxBatch = opts.maxBatchEntries;
    this.#onCommit = opts.onCommit;
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
    return this.#queue.length === 0 && this.#staged === undefined && this.#inFlight === undefined && !this.#reloading;
  }

  /** Stages what fits, starts a write if none is in flight, rebuilds a stale tree. Synchronous. */
  #pump(): void {
    if (!this.#stale) this.#stageQueued();
    if (this.#inFlight === undefined && this.#staged !== undefined) {
      const stage = this.#seal();
      if (!this.#stale) this.#stageQueued(); // what did not fit starts the next batch right away
      void this.#write(stage);
    }
    if (this.#stale && !this.#reloading && this.#inFlight === undefined) void this.#reload();
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
        const lh = fastLeafHash(item.leaf);
        const hashes = frontier.append(lh);
        const idx = hex16(next);
        b.put(LEAF_PREFIX + idx, item.leaf);
        if (item.record !== undefined) b.put(RECORD_PREFIX + idx, item.record);
        const at = encodeSize(next);
        for (const k of lookupKeys(item.leaf, lh)) b.put(k, at);
        for (let h = 0; h < hashes.length; h++) b.put(HASH_PREFIX + hex16(stored++), hashes[h] as Uint8Array);
        out[i] = { index: next++, leafHash: lh };
      }
      req.result = out;
      stage.requests.push(req);
      stage.to = next;
      stage.stored = stored;
      return true;
    } catch (err) {
      // The Frontier may be part-way through this request: drop the whole stage and rebuild.
      req.reject(err);
      this.#failStaged(err);
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
      for (const req of stage.requests) req.reject(err);
      this.#failStaged(err);
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

  /** Rejects the staged batch (its hashes build on a failed or broken state) and marks the tree stale. */
  #failStaged(err: unknown): void {
    const stage = this.#staged;
    this.#staged = undefined;
    this.#stale = true;
    if (stage === undefined) return;
    stage.batch.close().catch(() => {});
    for (const req of stage.requests) req.reject(err);
  }

  /** Rebuilds the Frontier of the committed tree from stored hashes (nothing is in flight). */
  async #reload(): Promise<void> {
    this.#reloading = true;
    try {
      this.#frontier = await Frontier.load(this.#committed.size, this.#reader, { nodeHash: fastNodeHash });
      this.#stale = false;
    } catch (err) {
      // Storage is failing: refuse what is queued; the next append tries again.
      const queued = this.#queue.splice(0);
      this.#queued = 0;
      for (const req of queued) req.reject(err);
    } finally {
      this.#reloading = false;
    }
    if (!this.#stale) this.#pump();
    else if (this.#isIdle()) for (const done of this.#idle.splice(0)) done();
  }
}
