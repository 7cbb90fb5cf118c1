/**
 * Recovery from a failed store write. The faulted session (store-run.ts) is never used again: its
 * appender refuses appends, it is drained and its DB closed. Then the store is reopened — again and again,
 * with backoff, while that fails (a disk still full) — and the new session must PROVE that it holds the
 * acknowledged tree: at least the acknowledged size, and at that size the acknowledged root. Only then
 * does it take appends. A longer tree is accepted: a batch whose write reported failure may still have
 * reached the disk; its callers were answered 503 and the log stays append-only.
 *
 * When the proof fails (LevelDB dropped acknowledged writes — the observed ENOSPC bug: a torn
 * write-ahead-log record, then "Corruption: checksum mismatch … dropping 32768 bytes" at the next open)
 * or the reopened store does not verify (ERR_LOG_CORRUPT, ERR_LOG_ROLLBACK from the high-water mark), the
 * fault is fatal: the high-water mark is raised to the acknowledged tree, so that the next start refuses
 * too, and `onFatal` asks the process to exit non-zero. A log in PostgreSQL keeps its mark in the
 * database: it is raised through the reopened session (which holds the writer lease) before that session
 * is closed; when the reopen itself failed there is no such session and the row stays at the largest tree
 * signed.
 */
import { equalBytes } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { treeHash } from '../../protocol/log/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { Committed } from './appender.ts';
import type { SignedCheckpoint } from './checkpointer.ts';
import type { HighWaterMark } from './high-water.ts';
import type { StoreRun } from './store-run.ts';

const MAX_REOPEN_DELAY_MS = 10_000;

/** One fault episode, from the failed write to a proven reopen (or a fatal end). */
export class StoreFault {
  readonly error: unknown;
  readonly since: Date;
  /** What was acknowledged and signed when the session faulted (served while reopening). */
  acked: Committed;
  checkpoint: SignedCheckpoint;
  /** Reopen attempts so far, and the last one's error. */
  attempts = 0;
  lastAttempt: unknown;
  /** Set when the store did not hold what was acknowledged: unavailable for good. */
  fatal: unknown;
  #wake: (() => void) | undefined;

  constructor(error: unknown, since: Date, old: StoreRun) {
    this.error = error;
    this.since = since;
    this.acked = old.appender.committed();
    this.checkpoint = old.checkpointer.latest();
  }

  /** Ends a backoff wait at once (stop()). */
  wake(): void {
    this.#wake?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    }).finally(() => {
      this.#wake = undefined;
    });
  }
}

export interface RecoveryOptions {
  /** Opens a new session of the store (store-run.ts). */
  open: () => Promise<StoreRun>;
  /** True once the log is stopping: give up quietly. */
  stopping: () => boolean;
  highWater?: HighWaterMark;
  reopenDelayMs: number;
  onEvent?: EventSink;
  onFatal?: (err: unknown) => void;
  /** A reopen failed with `err`: true to stop recovering (a shared log whose lease another process took). */
  gaveUp?: (err: unknown) => boolean;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Drains and closes the faulted session `old`, then reopens until a session proves it holds the
 * acknowledged tree. Resolves with that session, or undefined when stopping or after a fatal fault.
 */
export async function recoverStore(
  old: StoreRun,
  fault: StoreFault,
  o: RecoveryOptions,
): Promise<StoreRun | undefined> {
  old.checkpointer.stop();
  await old.appender.close();
  await old.checkpointer.idle();
  fault.acked = old.appender.committed(); // nothing moves any more
  fault.checkpoint = old.checkpointer.latest();
  await old.db.close().catch(() => {});
  let delay = o.reopenDelayMs;
  while (!o.stopping()) {
    fault.attempts++;
    let run: StoreRun | undefined;
    try {
      run = await o.open();
      await proveAcknowledged(run, fault.acked);
    } catch (err) {
      if (isGovfedError(err, 'ERR_LOG_ROLLBACK') || isGovfedError(err, 'ERR_LOG_CORRUPT')) {
        // The mark beside the store (a file), or the store's own through the session that holds its
        // writer lease (PostgreSQL), before that session is closed.
        await fatal(fault, err, { ...o, highWater: o.highWater ?? run?.highWater });
        await run?.db.close().catch(() => {});
        return undefined;
      }
      await run?.db.close().catch(() => {});
      if (o.gaveUp?.(err) === true) return undefined;
      fault.lastAttempt = err;
      o.onEvent?.('log:reopen-failed', { attempt: fault.attempts, error: message(err) });
      await fault.sleep(delay);
      delay = Math.min(delay * 2, MAX_REOPEN_DELAY_MS);
      continue;
    }
    if (o.stopping()) {
      await run.db.close().catch(() => {});
      return undefined;
    }
    o.onEvent?.('log:recovered', { size: run.appender.size, attempts: fault.attempts });
    return run;
  }
  return undefined;
}

/** ERR_LOG_ROLLBACK unless the session's tree extends the acknowledged one (equal size: equal root). */
export async function proveAcknowledged(run: StoreRun, acked: Committed): Promise<void> {
  const size = run.appender.size;
  if (size < acked.size) {
    throw new NodeError(
      'ERR_LOG_ROLLBACK',
      `after a failed write the reopened store holds ${size} entries, but ${acked.size} were acknowledged: ` +
        'the store lost acknowledged entries',
    );
  }
  const root = size === acked.size ? run.appender.committed().rootHash : await treeHash(acked.size, run.reader);
  if (!equalBytes(root, acked.rootHash)) {
    throw new NodeError(
      'ERR_LOG_ROLLBACK',
      `after a failed write the reopened store's tree of ${acked.size} entries is not the acknowledged one`,
    );
  }
}

async function fatal(fault: StoreFault, err: unknown, o: RecoveryOptions): Promise<void> {
  fault.fatal = err;
  // The next start must refuse too: the acknowledged tree becomes the mark (raise never lowers it).
  await o.highWater?.raise(fault.acked).catch(() => {});
  o.onEvent?.('log:fatal', { error: message(err), acknowledged: fault.acked.size });
  try {
    o.onFatal?.(err);
  } catch {
    // the owner's business
  }
}
