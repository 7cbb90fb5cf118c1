/**
 * The sequencer of a shared log (several processes of one org on one PostgreSQL database): every process
 * takes appends here. Like the group-commit appender (appender.ts), everything that waits goes in ONE
 * write: while a sequencing transaction is in flight, new appends queue, and the next transaction takes
 * them all (up to maxBatchEntries; a request is never split). The write (postgres/sequence.ts) gives the
 * batch contiguous indexes and commits their q/ rows; the appends resolve with their indexes and leaf hashes
 * once that transaction is committed — durable, not yet in the tree: the lease holder integrates them
 * (integrator.ts) and only then can they be proven.
 *
 * A failed transaction rejects its own appends with ERR_LOG_UNAVAILABLE (503: nothing of them was
 * sequenced — a rolled-back transaction wrote nothing) and the sequencer carries on: a sequencing write
 * cannot leave a torn state behind, unlike a LevelDB batch (appender.ts).
 *
 * Backpressure: entries queued or in flight count as pending; past maxPendingEntries an append is refused
 * at once with ERR_BACKPRESSURE and none of it is queued.
 */
import { isGovfedError } from '../../protocol/errors.ts';
import { NodeError } from '../errors.ts';
import { type Appended, type AppendItem, checkItems, logUnavailable } from './appender.ts';
import { fastLeafHash } from './hasher.ts';
import { encodeQueued } from './queued.ts';

export interface SequencerOptions {
  /** Stores the encoded entries at the next indexes in one committed transaction; the first index. */
  commit: (values: readonly Uint8Array[]) => Promise<number>;
  maxPendingEntries: number;
  maxBatchEntries: number;
  /** After each committed batch: its entry count and the time from its first append to committed. */
  onCommit?: (entries: number, ms: number) => void;
}

interface Request {
  values: Uint8Array[];
  leafHashes: Uint8Array[];
  resolve: (r: Appended[]) => void;
  reject: (e: unknown) => void;
  at: number;
}

export class Sequencer {
  readonly #o: SequencerOptions;
  #queue: Request[] = [];
  #queued = 0;
  #inFlight = 0;
  #writing = false;
  #closed = false;
  #idle: (() => void)[] = [];
  #sequencedTotal = 0;

  constructor(opts: SequencerOptions) {
    this.#o = opts;
  }

  get pending(): number {
    return this.#queued + this.#inFlight;
  }

  get sequencedTotal(): number {
    return this.#sequencedTotal;
  }

  append(items: readonly AppendItem[]): Promise<Appended[]> {
    try {
      if (this.#closed) throw new NodeError('ERR_SHUTTING_DOWN', 'the audit log is stopping');
      checkItems(items);
      if (items.length === 0) return Promise.resolve([]);
      if (this.pending + items.length > this.#o.maxPendingEntries) {
        throw new NodeError(
          'ERR_BACKPRESSURE',
          `${this.pending} entries pending; ${items.length} more would exceed ${this.#o.maxPendingEntries}`,
        );
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const values: Uint8Array[] = [];
    const leafHashes: Uint8Array[] = [];
    for (const it of items) {
      const leafHash = it.leafHash ?? fastLeafHash(it.leaf);
      leafHashes.push(leafHash);
      values.push(encodeQueued(it.record === undefined ? { leaf: it.leaf, leafHash } : { ...it, leafHash }));
    }
    return new Promise<Appended[]>((resolve, reject) => {
      this.#queue.push({ values, leafHashes, resolve, reject, at: performance.now() });
      this.#queued += values.length;
      this.#pump();
    });
  }

  /** Stops taking appends; resolves once everything taken is sequenced (or refused). */
  close(): Promise<void> {
    this.#closed = true;
    if (!this.#writing && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    if (this.#writing) return;
    if (this.#queue.length === 0) {
      for (const done of this.#idle.splice(0)) done();
      return;
    }
    let n = 0;
    let k = 0;
    for (; k < this.#queue.length; k++) {
      const len = (this.#queue[k] as Request).values.length;
      if (k > 0 && n + len > this.#o.maxBatchEntries) break;
      n += len;
    }
    const batch = this.#queue.splice(0, k);
    this.#queued -= n;
    this.#inFlight = n;
    this.#writing = true;
    void this.#write(batch, n);
  }

  async #write(batch: Request[], n: number): Promise<void> {
    const values: Uint8Array[] = [];
    for (const r of batch) for (const v of r.values) values.push(v);
    try {
      let index = await this.#o.commit(values);
      this.#sequencedTotal += n;
      for (const r of batch) {
        const out: Appended[] = r.leafHashes.map((leafHash) => ({ index: index++, leafHash }));
        r.resolve(out);
      }
      try {
        this.#o.onCommit?.(n, performance.now() - (batch[0] as Request).at);
      } catch {
        // a metrics callback must not break the writer
      }
    } catch (err) {
      const e = isGovfedError(err, 'ERR_LOG_UNAVAILABLE') ? err : logUnavailable(err);
      for (const r of batch) r.reject(e);
    } finally {
      this.#inFlight = 0;
      this.#writing = false;
      this.#pump();
    }
  }
}
