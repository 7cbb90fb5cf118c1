/**
 * The checkpointer: signs a C2SP checkpoint of the log whenever the tree has grown, at most
 * checkpointIntervalMs apart, and keeps every one it signs under `c/<size>`.
 *
 * Safety rules:
 *  - A checkpoint is signed only for a committed (durable) state: the appender's committed() size and
 *    the root it recorded for that size, which advance together only after the batch's synced write.
 *  - Every checkpoint is stored with {sync: true} before it becomes the latest one served.
 *  - The log is append-only, so any two checkpoints it signs are consistent by construction; at start
 *    the last stored checkpoint is re-opened with the node's verifier and its root compared with the
 *    tree rebuilt from stored hashes — any difference is ERR_LOG_CORRUPT and the node refuses to start.
 *  - The empty log gets a size-0 checkpoint at its first start, so there is always a latest one.
 *  - With a high-water mark (high-water.ts), the log must reach it and agree with its root at start (after
 *    the last checkpoint was re-checked: a store that disagrees with its own checkpoint is ERR_LOG_CORRUPT)
 *    and before every signing (else ERR_LOG_ROLLBACK), and the mark is raised — atomically, fsynced — BEFORE
 *    a new checkpoint is stored or served. A mark missing in an existing home is created at start from
 *    the last stored checkpoint (which has just been re-verified).
 *  - Pacing (pacedGapMs, the daemon's unshared logs): growth made only of governance entries — a module's
 *    record, e.g. one per charter version in every member's log — is checkpointed at most once per gap;
 *    any other entry (a decision) is checkpointed at the next interval as always. A governance entry
 *    after a quiet gap is checkpointed at the next interval too; a burst of them (versions back to back)
 *    shares one checkpoint, hence one witnessing round in the federation, per gap instead of one each.
 *    Each gap is drawn from [gap, 2 × gap), so that the members' logs do not witness in step.
 *  - A failed store write of a checkpoint faults the store (`onWriteError`, as a failed append does). Any
 *    signing failure is kept as `lastError` (with its time) until a signing succeeds: health, status and
 *    metrics show it.
 */
import { equalBytes, utf8 } from '../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { type Frontier, type HashReader, treeHash } from '../../protocol/log/index.ts';
import { type NoteSigner, type NoteVerifier, openCheckpoint, signCheckpoint } from '../../protocol/note/index.ts';
import { type GroupCommitAppender, logUnavailable } from './appender.ts';
import type { HighWaterMark } from './high-water.ts';
import { CHECKPOINT_PREFIX, checkpointKey, keyNumber } from './keys.ts';
import type { LogDb } from './store.ts';

export interface SignedCheckpoint {
  /** The signed note. */
  note: string;
  size: number;
  rootHash: Uint8Array;
  /** When this process signed it, or loaded it at start for a checkpoint signed by an earlier run. */
  signedAt: Date;
}

export interface CheckpointerOptions {
  db: LogDb;
  appender: GroupCommitAppender;
  reader: HashReader;
  signer: NoteSigner;
  verifier: NoteVerifier;
  origin: string;
  intervalMs: number;
  now: () => Date;
  /** Called with each newly signed checkpoint, once it is stored (never throws into the signer). */
  onSigned?: (cp: SignedCheckpoint) => void;
  /** The high-water mark (loaded by load()); without one, no rollback check. */
  highWater?: HighWaterMark;
  /** Called when storing a checkpoint in the store failed (the store is not trusted any more). */
  onWriteError?: (err: unknown) => void;
  /**
   * The least time between two checkpoints while the growth since the latest is only paced entries
   * (appends not marked with prompt()); undefined: every growth is checkpointed at the next interval.
   * Each gap is drawn anew from [pacedGapMs, 2 × pacedGapMs): the members of a federation take a charter
   * version at the same moment, and equal gaps would keep all their logs' witnessing rounds in step.
   */
  pacedGapMs?: number;
  /** Draws from [0, 1) for the gap's spread (default Math.random; tests pin it). */
  random?: () => number;
}

/** A signing that failed, and when. */
export interface SigningFailure {
  error: unknown;
  at: Date;
}

const CHECKPOINT_RANGE_END = `${CHECKPOINT_PREFIX}~`;
const td = new TextDecoder('utf-8', { fatal: true });

function corrupt(message: string, cause?: unknown): GovfedError<string> {
  return new GovfedError('ERR_LOG_CORRUPT', message, cause === undefined ? undefined : { cause });
}

export class Checkpointer {
  readonly #o: CheckpointerOptions;
  #latest: SignedCheckpoint | undefined;
  #timer: NodeJS.Timeout | undefined;
  #signing: Promise<SignedCheckpoint> | undefined;
  /** Time of the first commit not covered by the latest checkpoint (undefined when covered). */
  #uncoveredSince: number | undefined;
  #lastError: SigningFailure | undefined;
  #failures = 0;
  /** When this process last signed (monotonic ms; -Infinity before its first signing), and the gap after it. */
  #signedAtMs = Number.NEGATIVE_INFINITY;
  #gapMs = 0;
  /** Prompt appends under way, and the log size after the last one that ended. */
  #promptInFlight = 0;
  #promptEnd = 0;

  constructor(opts: CheckpointerOptions) {
    this.#o = opts;
  }

  /**
   * Loads and checks the last stored checkpoint against the committed tree (`size`, `frontier`), or
   * signs the first one. Throws ERR_LOG_CORRUPT when the stored checkpoint does not verify, is for more
   * entries than are stored, or its root differs from the stored tree's.
   */
  async load(size: number, frontier: Frontier): Promise<void> {
    const rootAt = (n: number) => (n === size ? Promise.resolve(frontier.root()) : treeHash(n, this.#o.reader));
    const hwm = this.#o.highWater;
    await hwm?.load();
    const stored = await lastStoredCheckpoint(this.#o.db);
    if (stored === undefined) {
      // First start (or a log whose checkpoints were never written): the data is durable, sign it now
      // (#sign checks the mark first).
      this.#latest = await this.#sign(size, frontier.root());
      return;
    }
    let opened: ReturnType<typeof openCheckpoint>;
    try {
      opened = openCheckpoint(stored.note, this.#o.verifier);
    } catch (cause) {
      throw corrupt(`stored checkpoint c/${stored.size} does not verify with the node's key`, cause);
    }
    const cp = opened.checkpoint;
    if (cp.origin !== this.#o.origin) throw corrupt(`stored checkpoint has origin ${cp.origin}, not ${this.#o.origin}`);
    if (cp.size !== stored.size) throw corrupt(`checkpoint stored under c/${stored.size} is for size ${cp.size}`);
    if (cp.size > size) throw corrupt(`last checkpoint is for ${cp.size} entries but only ${size} are stored`);
    let root: Uint8Array;
    try {
      root = cp.size === size ? frontier.root() : await treeHash(cp.size, this.#o.reader);
    } catch (cause) {
      throw corrupt(`cannot compute the tree hash at size ${cp.size}`, cause);
    }
    if (!equalBytes(root, cp.rootHash)) {
      throw corrupt(`stored tree at size ${cp.size} does not match the last signed checkpoint`);
    }
    // The stored log agrees with its own last checkpoint; it must also reach what this node signed
    // (ERR_LOG_ROLLBACK: smaller than, or not, the tree of the mark — e.g. a consistent older backup).
    if (hwm !== undefined) await hwm.check(size, rootAt);
    this.#latest = { note: stored.note, size: cp.size, rootHash: cp.rootHash, signedAt: this.#o.now() };
    if (size > cp.size) this.#uncoveredSince = Date.now();
    // A home from before the mark existed: it starts at the last checkpoint this log signed.
    if (hwm !== undefined && hwm.current === undefined) await hwm.raise({ size: cp.size, rootHash: cp.rootHash });
  }

  /** Starts the timer: every intervalMs, sign if the tree grew. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#due()) this.signNow().catch(() => {}); // kept as lastError
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Marks an append whose entries are checkpointed at the next interval, not paced (a decision): call it
   * before the append and the returned function after it, with the log size after its entries (undefined
   * when it failed).
   */
  prompt(): (end?: number) => void {
    this.#promptInFlight++;
    let ended = false;
    return (end) => {
      if (ended) return;
      ended = true;
      this.#promptInFlight--;
      if (end !== undefined && end > this.#promptEnd) this.#promptEnd = end;
    };
  }

  /** Whether the interval's tick signs: the tree grew and, when paced, a prompt entry waits or the drawn gap passed. */
  #due(): boolean {
    const latest = this.latest();
    if (this.#o.appender.size <= latest.size) return false;
    const gap = this.#o.pacedGapMs;
    if (gap === undefined || this.#promptInFlight > 0 || this.#promptEnd > latest.size) return true;
    return performance.now() - this.#signedAtMs >= this.#gapMs;
  }

  /** The latest signed checkpoint. */
  latest(): SignedCheckpoint {
    if (this.#latest === undefined) throw new Error('checkpointer: not loaded');
    return this.#latest;
  }

  /** The last signing failure, until a signing succeeds (for health, status and metrics). */
  get lastError(): SigningFailure | undefined {
    return this.#lastError;
  }

  /** Signings that failed since this checkpointer was made. */
  get failuresTotal(): number {
    return this.#failures;
  }

  /** Resolves when no signing is under way. */
  async idle(): Promise<void> {
    await this.#signing?.catch(() => {});
  }

  /** Called by the log after each durable batch. */
  noteCommit(): void {
    this.#uncoveredSince ??= Date.now();
  }

  /** How long committed entries have waited for a checkpoint (0 when the latest covers them all). */
  lagMs(): number {
    return this.#uncoveredSince === undefined ? 0 : Date.now() - this.#uncoveredSince;
  }

  /** Signs a checkpoint of the committed tree now if it grew since the latest; returns the latest. */
  signNow(): Promise<SignedCheckpoint> {
    // One signing at a time; callers arriving meanwhile share the chain and then re-check.
    const run = async (): Promise<SignedCheckpoint> => {
      const { size, rootHash } = this.#o.appender.committed();
      const latest = this.latest();
      if (size <= latest.size) return latest;
      try {
        this.#signedAtMs = performance.now(); // growth signed (not the empty tree's first checkpoint)
        this.#gapMs = (this.#o.pacedGapMs ?? 0) * (1 + (this.#o.random ?? Math.random)());
        this.#latest = await this.#sign(size, rootHash);
      } catch (error) {
        this.#lastError = { error, at: this.#o.now() };
        this.#failures++;
        throw error;
      }
      this.#lastError = undefined;
      return this.#latest;
    };
    const p = (this.#signing ?? Promise.resolve()).then(run, run);
    this.#signing = p;
    return p;
  }

  /** Every kept checkpoint with size >= fromSize, ascending. */
  list(fromSize = 0): AsyncGenerator<{ size: number; note: string }> {
    return listCheckpoints(this.#o.db, fromSize);
  }

  /** Signs (size, rootHash) — a committed state — and stores it durably before it is served. */
  async #sign(size: number, rootHash: Uint8Array): Promise<SignedCheckpoint> {
    const hwm = this.#o.highWater;
    if (hwm !== undefined) {
      // The tree about to be signed must extend what this node signed before, and the mark must be on
      // disk before anyone can see the new checkpoint.
      await hwm.check(size, (n) => (n === size ? Promise.resolve(rootHash) : treeHash(n, this.#o.reader)));
      await hwm.raise({ size, rootHash });
    }
    const note = signCheckpoint({ origin: this.#o.origin, size, rootHash, extensions: [] }, this.#o.signer);
    try {
      await this.#o.db.put(checkpointKey(size), utf8(note), { sync: true });
    } catch (err) {
      this.#o.onWriteError?.(err);
      throw logUnavailable(err);
    }
    // Commits that landed while signing are not covered: their lag starts now (a slight undercount).
    this.#uncoveredSince = this.#o.appender.size === size ? undefined : Date.now();
    const cp = { note, size, rootHash, signedAt: this.#o.now() };
    try {
      this.#o.onSigned?.(cp);
    } catch {
      // a listener's failure is its own business
    }
    return cp;
  }
}

/** Every checkpoint kept in `db` with size >= fromSize, ascending. */
export async function* listCheckpoints(db: LogDb, fromSize = 0): AsyncGenerator<{ size: number; note: string }> {
  const it = db.iterator({ gte: checkpointKey(fromSize), lt: CHECKPOINT_RANGE_END });
  try {
    for (;;) {
      const entries = await it.nextv(256);
      if (entries.length === 0) return;
      for (const [k, v] of entries) yield { size: keyNumber(k, CHECKPOINT_PREFIX), note: td.decode(v) };
    }
  } finally {
    await it.close();
  }
}

/** The last checkpoint kept under `c/<size>` (the largest size), if any. ERR_LOG_CORRUPT when not UTF-8. */
export async function lastStoredCheckpoint(db: LogDb): Promise<{ size: number; note: string } | undefined> {
  const it = db.iterator({ gte: CHECKPOINT_PREFIX, lt: CHECKPOINT_RANGE_END, reverse: true, limit: 1 });
  try {
    const entries = await it.nextv(1);
    const first = entries[0];
    if (first === undefined) return undefined;
    let note: string;
    try {
      note = td.decode(first[1]);
    } catch (cause) {
      throw corrupt(`stored checkpoint ${first[0]} is not UTF-8`, cause);
    }
    return { size: keyNumber(first[0], CHECKPOINT_PREFIX), note };
  } finally {
    await it.close();
  }
}
