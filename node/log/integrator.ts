/**
 * The integrator of a shared log: in the process that holds the writer lease, it moves sequenced entries
 * (q/ rows, sequencer.ts, postgres/sequence.ts) into the Merkle tree, in index order, through the
 * group-commit appender — so the batch that integrates entries writes their l/, r/, lookup and h/ keys
 * and m/size, and deletes their q/ rows, in ONE fenced transaction (a process without the lease writes
 * nothing: ERR_LEASE_LOST). Checkpoints are then signed as for any log (checkpointer.ts).
 *
 * It reads the queue from the next index to integrate, up to maxBatchEntries rows at a time; indexes are
 * contiguous (sequence.ts), and each integrated batch must land at exactly the index its rows were given
 * (else ERR_LOG_CORRUPT — never integrated at another index). When the queue is empty it waits pollMs,
 * or less when this process sequenced something itself (wake()). A failed read or write is the session's
 * fault (onFault): the log reopens the store, and the next session's integrator continues from the
 * stored tree; entries sequenced meanwhile wait in the queue, durable.
 */
import { GovfedError } from '../../protocol/errors.ts';
import type { AppendItem, GroupCommitAppender } from './appender.ts';
import { keyNumber, QUEUE_PREFIX, queueKey } from './keys.ts';
import { decodeQueued } from './queued.ts';
import type { LogDb } from './store.ts';

export interface IntegratorOptions {
  db: LogDb;
  appender: GroupCommitAppender;
  maxBatchEntries: number;
  /** How long to wait when the queue is empty before looking again. */
  pollMs: number;
  /** A read or an integration failed: the session must not be used again. */
  onFault: (err: unknown) => void;
}

interface Waiter {
  size: number;
  resolve: () => void;
}

export class Integrator {
  readonly #o: IntegratorOptions;
  #next: number;
  #running: Promise<void> | undefined;
  #stopping = false;
  /** A pass failed: the loop ended and nothing more is integrated (not even by a clean stop's drain). */
  #faulted = false;
  #wake: (() => void) | undefined;
  #waiters: Waiter[] = [];
  #integratedTotal = 0;

  constructor(opts: IntegratorOptions) {
    this.#o = opts;
    this.#next = opts.appender.size;
  }

  get integratedTotal(): number {
    return this.#integratedTotal;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Looks at the queue now (this process just sequenced entries). */
  wake(): void {
    this.#wake?.();
  }

  /**
   * Resolves once the tree holds `size` entries — or once this integrator stops (the entries are
   * durable in the queue either way; whoever holds the lease next integrates them).
   */
  waitFor(size: number): Promise<void> {
    if (this.#o.appender.size >= size || this.#stopping) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ size, resolve }));
  }

  /** Called after each durable batch of the appender. */
  noteCommit(): void {
    const size = this.#o.appender.size;
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.#waiters) (w.size <= size ? w.resolve : () => still.push(w))();
    this.#waiters = still;
  }

  /**
   * Stops after integrating what is queued now (`drain`, a clean stop: the entries this process
   * acknowledged land in the tree before its final checkpoint), or at once.
   */
  async stop(drain: boolean): Promise<void> {
    // One pass at a time: the loop's pass in flight ends before the drain reads the queue — two passes
    // from the same index would both append the same entries (the tree then holds them twice).
    const drainNow = drain && !this.#stopping;
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    if (drainNow && !this.#faulted) {
      try {
        while ((await this.#pass()) > 0) {}
      } catch (err) {
        this.#o.onFault(err);
      }
    }
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let n: number;
      try {
        n = await this.#pass();
      } catch (err) {
        this.#stopping = true;
        this.#faulted = true;
        for (const w of this.#waiters.splice(0)) w.resolve();
        this.#o.onFault(err);
        return;
      }
      if (n === 0 && !this.#stopping) await this.#sleep(this.#o.pollMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wake = done;
    }).finally(() => {
      this.#wake = undefined;
    });
  }

  /** Integrates the next run of queued entries; resolves with how many. */
  async #pass(): Promise<number> {
    const from = this.#next;
    const rows = await this.#o.db
      .iterator({ gte: queueKey(from), lt: `${QUEUE_PREFIX}~`, limit: this.#o.maxBatchEntries })
      .all();
    const items: AppendItem[] = [];
    for (const [k, v] of rows) {
      const index = keyNumber(k, QUEUE_PREFIX);
      if (index !== from + items.length) break;
      items.push({ ...decodeQueued(index, v), del: k });
    }
    if (items.length === 0 && rows.length > 0) {
      // Indexes are given contiguously and committed in order (sequence.ts): a hole cannot be waited out.
      throw new GovfedError('ERR_LOG_CORRUPT', `sequenced entry ${from} is missing while later ones wait`);
    }
    if (items.length === 0) return 0;
    const appended = await this.#o.appender.append(items);
    if (appended[0]?.index !== from) {
      throw new GovfedError(
        'ERR_LOG_CORRUPT',
        `sequenced entry ${from} was integrated at index ${appended[0]?.index}: the tree and the queue disagree`,
      );
    }
    this.#next = from + items.length;
    this.#integratedTotal += items.length;
    return items.length;
  }
}
