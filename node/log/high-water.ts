/**
 * The high-water mark: the largest tree size — and its root — this log ever signed. Where it is kept
 * depends on the store driver (a MarkStore):
 *
 *   - LevelDB: OUTSIDE LevelDB, in one small file (DIR/high-water.json, mode 0600; fileMark):
 *       { "version": 1, "origin": "<log origin>", "size": <tree size>, "rootHash": "<base64 of 32 bytes>" }
 *   - PostgreSQL: in the log's own schema, the row `<schema>.high_water` (postgres/high-water.ts,
 *     migration 3), written in a transaction fenced by the writer lease like every other write, as a
 *     compare-and-set on the mark this process checked its tree against — so no process of the org, a
 *     standby that took over or a paused former holder, can sign a size twice with different roots.
 *
 * Why: a checkpoint, once published, is a promise to witnesses and users that the tree of that size has
 * that root forever. If the store loses writes (a full disk that corrupted LevelDB's write-ahead log, a
 * `data/` restored from an older backup), the log restarts smaller, hands out indices again and would sign
 * a second root for a size it already published — equivocation by an honest node. LevelDB cannot be the
 * judge of its own losses, so its mark lives beside it and is written atomically and fsynced
 * (writeFileAtomic); either mark is written BEFORE the checkpoint is stored or served. At start and before
 * every signing the log must reach the mark and agree with its root; otherwise ERR_LOG_ROLLBACK, with how
 * to recover.
 *
 * The same mark is raised to an acknowledged-but-unsigned state when a reopen after a failed write finds
 * less than was acknowledged (audit-log.ts), so that the next start refuses too (LevelDB only: see
 * recovery.ts).
 */
import { readFile } from 'node:fs/promises';
import { equalBytes, fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import { type HashReader, treeHash } from '../../protocol/log/index.ts';
import { NodeError } from '../errors.ts';
import { writeFileAtomic } from '../home/fs.ts';
import type { FsckReport } from './fsck.ts';
import { withProblem } from './fsck-problems.ts';
import type { MarkStore, TreeState } from './store.ts';

export const HIGH_WATER_VERSION = 1;
/** Bound on the file (it holds a few dozen bytes). */
export type { MarkStore, TreeState } from './store.ts';

const MAX_FILE_BYTES = 4096;

const RECOVERY =
  'Do not delete or edit the high-water mark (DIR/high-water.json, or the high_water table of a log in PostgreSQL) to get past this: witnesses and users already hold a ' +
  'checkpoint for that size, and a second root for it is equivocation. Recover by restoring the data ' +
  'directory from a backup that holds at least that many entries, or by re-publishing under a new origin ' +
  '(a new home with govfed init, announced to witnesses and federation members). See "Storage faults and ' +
  'recovery" in docs/operators-guide.md.';

/** ERR_INVALID_CONFIG: the mark kept at `where` cannot be used. */
export function broken(file: string, what: string): NodeError {
  return new NodeError('ERR_INVALID_CONFIG', `${file}: ${what} (the high-water mark of the audit log). ${RECOVERY}`);
}

/** The mark in one file (LevelDB homes): read with bounds, written atomically and fsynced. */
export function fileMark(file: string, origin: string): MarkStore {
  return {
    where: file,
    read: () => readMarkFile(file, origin),
    write: async (state) => {
      const text = `${JSON.stringify({
        version: HIGH_WATER_VERSION,
        origin,
        size: state.size,
        rootHash: toBase64(state.rootHash),
      })}\n`;
      await writeFileAtomic(file, text, 0o600);
    },
  };
}

async function readMarkFile(file: string, origin: string): Promise<TreeState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return undefined;
  }
  if (text.length > MAX_FILE_BYTES) throw broken(file, 'too large');
  let v: { version?: unknown; origin?: unknown; size?: unknown; rootHash?: unknown };
  try {
    v = JSON.parse(text);
  } catch {
    throw broken(file, 'not JSON');
  }
  if (typeof v !== 'object' || v === null || v.version !== HIGH_WATER_VERSION) {
    throw broken(file, `not a version ${HIGH_WATER_VERSION} high-water mark`);
  }
  if (v.origin !== origin) {
    throw broken(file, `written for origin ${JSON.stringify(v.origin)}, not ${JSON.stringify(origin)}`);
  }
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) throw broken(file, 'bad size');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(String(v.rootHash));
  } catch {
    throw broken(file, 'bad rootHash');
  }
  if (rootHash.length !== 32) throw broken(file, 'bad rootHash');
  return { size: v.size, rootHash };
}

export class HighWaterMark {
  /** Where the mark is kept (the file, or the database table), for messages. */
  readonly where: string;
  readonly #store: MarkStore;
  #mark: TreeState | undefined;
  #loaded = false;

  /** A mark in `file` (DIR/high-water.json) for `origin`, or in a driver's own MarkStore. */
  constructor(file: string, origin: string);
  constructor(store: MarkStore);
  constructor(at: string | MarkStore, origin?: string) {
    this.#store = typeof at === 'string' ? fileMark(at, origin as string) : at;
    this.where = this.#store.where;
  }

  /** The mark, once loaded (undefined: none was recorded). */
  get current(): TreeState | undefined {
    return this.#mark;
  }

  /** Reads the mark. Undefined when there is none; ERR_INVALID_CONFIG when it is broken or for another origin. */
  async load(): Promise<TreeState | undefined> {
    this.#mark = await this.#store.read();
    this.#loaded = true;
    return this.#mark;
  }

  /**
   * Throws ERR_LOG_ROLLBACK unless a log of `size` entries reaches the mark and `rootAt(mark.size)` is
   * the mark's root. `rootAt` is only called when size >= mark.size.
   */
  async check(size: number, rootAt: (size: number) => Promise<Uint8Array>): Promise<void> {
    const mark = this.#mark;
    if (mark === undefined) return;
    if (size < mark.size) {
      throw new NodeError(
        'ERR_LOG_ROLLBACK',
        `the audit log holds ${size} entries, but this node already committed to a tree of ${mark.size} entries ` +
          `(${this.where}): entries it acknowledged or signed were lost — the data directory was restored from an ` +
          `older copy, or the disk lost writes. The node will not start or sign. ${RECOVERY}`,
      );
    }
    const root = await rootAt(mark.size);
    if (!equalBytes(root, mark.rootHash)) {
      throw new NodeError(
        'ERR_LOG_ROLLBACK',
        `the audit log's tree of ${mark.size} entries has root ${toBase64(root)}, but this node committed to ` +
          `${toBase64(mark.rootHash)} for that size (${this.where}): the stored log is not the one it signed. ` +
          `The node will not start or sign. ${RECOVERY}`,
      );
    }
  }

  /**
   * Records `state` as committed to (durably, before the caller publishes it) when it is beyond the mark.
   * A state at the mark's size with another root, or below it, is ERR_LOG_ROLLBACK (never signed).
   */
  async raise(state: TreeState): Promise<void> {
    if (!this.#loaded) throw new Error('HighWaterMark: load() first');
    const mark = this.#mark;
    if (mark !== undefined) {
      if (state.size < mark.size || (state.size === mark.size && !equalBytes(state.rootHash, mark.rootHash))) {
        throw new NodeError(
          'ERR_LOG_ROLLBACK',
          `refusing to sign a tree of ${state.size} entries: this node already committed to ${mark.size} entries ` +
            `with root ${toBase64(mark.rootHash)} (${this.where}). ${RECOVERY}`,
        );
      }
      if (state.size === mark.size) return;
    }
    await this.#store.write(state, mark);
    this.#mark = { size: state.size, rootHash: state.rootHash };
  }
}

/**
 * fsck's last check (a stopped node's store): the log must reach the mark and agree with its root — a
 * store restored from an older backup passes every other check (it is a consistent, older log).
 */
export async function withHighWater(
  report: FsckReport,
  mark: TreeState | undefined,
  reader: HashReader,
): Promise<FsckReport> {
  if (mark === undefined) return report;
  if (report.size < mark.size) {
    return withProblem(
      report,
      'FSCK_BELOW_HIGH_WATER',
      `the log holds ${report.size} entries but this node signed a tree of ${mark.size} (high-water mark)`,
    );
  }
  if (!equalBytes(await treeHash(mark.size, reader), mark.rootHash)) {
    return withProblem(
      report,
      'FSCK_HIGH_WATER_ROOT_MISMATCH',
      `the tree of ${mark.size} entries is not the one this node signed (high-water mark ${toBase64(mark.rootHash)})`,
    );
  }
  return report;
}
