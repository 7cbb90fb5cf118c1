/**
 * A retired log: one this node kept under an earlier log key until `govfed keys rotate --log` moved it
 * to DIR/retired/<key id>/data (node/federation/log-rotation.ts). It takes no entries and signs nothing
 * — its key is gone — but it stays provable: witnesses and provers read its last checkpoint, entries,
 * proofs and lookups through the same functions as the live log (log-reads.ts).
 *
 * open(): the database must exist; its last stored checkpoint must verify with the retired verifier key,
 * name the retired origin and match the stored tree, else ERR_LOG_CORRUPT and the node does not start.
 * Reads see the tree of that checkpoint (what was signed), never more.
 *
 * fsck(mark): the whole store checked in one snapshot like a live log's (fsck.ts), with its own key, its
 * own origin and its own high-water mark (node/home/fsck-retired.ts runs it for `govfed audit fsck`).
 */
import { equalBytes } from '../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { EMPTY_ROOT, treeHash } from '../../protocol/log/index.ts';
import { type NoteVerifier, openCheckpoint } from '../../protocol/note/index.ts';
import { lastStoredCheckpoint, type SignedCheckpoint } from './checkpointer.ts';
import { type DecisionQuery, type SearchResult, searchDecisions } from './decision-search.ts';
import type { FsckReport } from './fsck.ts';
import { fsckOpened } from './fsck-directory.ts';
import { StoreHashReader } from './hash-reader.ts';
import { decodeSize, SIZE_KEY } from './keys.ts';
import {
  type CommittedView,
  consistencyProof,
  inclusionProof,
  lookupDecision,
  lookupLeafHash,
  readEntry,
  readRecord,
  rootAt,
} from './log-reads.ts';
import { openLogStore } from './open-store.ts';
import { describeStore, type LogDb, type LogStoreSpec, type TreeState } from './store.ts';

function corrupt(dir: string, message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_LOG_CORRUPT', `retired log in ${dir}: ${message}`, { cause });
}

export class RetiredLog {
  readonly origin: string;
  readonly #db: LogDb;
  readonly #view: CommittedView;
  readonly #checkpoint: SignedCheckpoint;
  readonly #verifier: NoteVerifier;

  private constructor(verifier: NoteVerifier, db: LogDb, view: CommittedView, cp: SignedCheckpoint) {
    this.origin = verifier.name;
    this.#verifier = verifier;
    this.#db = db;
    this.#view = view;
    this.#checkpoint = cp;
  }

  /**
   * Opens the retired log in `where` (a LevelDB directory, or a store spec), signed by `verifier` (whose
   * key name is its origin). Read-only: a PostgreSQL store is opened without the writer lock.
   */
  static async open(where: string | LogStoreSpec, verifier: NoteVerifier): Promise<RetiredLog> {
    const spec: LogStoreSpec = typeof where === 'string' ? { driver: 'leveldb', dir: where } : where;
    const dir = spec.driver === 'leveldb' ? spec.dir : describeStore(spec);
    const db = await openLogStore(spec, { mustExist: true, readOnly: true });
    try {
      const raw = await db.get(SIZE_KEY);
      const stored = raw === undefined ? 0 : decodeSize(raw);
      const last = await lastStoredCheckpoint(db);
      if (last === undefined) throw corrupt(dir, 'no signed checkpoint');
      let cp: ReturnType<typeof openCheckpoint>['checkpoint'];
      try {
        cp = openCheckpoint(last.note, verifier).checkpoint;
      } catch (cause) {
        throw corrupt(dir, `its last checkpoint does not verify with ${verifier.name}`, cause);
      }
      if (cp.origin !== verifier.name) throw corrupt(dir, `its last checkpoint is of ${cp.origin}`);
      if (cp.size !== last.size || cp.size > stored) throw corrupt(dir, `checkpoint c/${last.size} is for ${cp.size}`);
      const reader = new StoreHashReader(db);
      const root = cp.size === 0 ? EMPTY_ROOT : await treeHash(cp.size, reader);
      if (!equalBytes(root, cp.rootHash)) throw corrupt(dir, `stored tree at size ${cp.size} is not the signed one`);
      const view = { db, reader, size: cp.size };
      return new RetiredLog(verifier, db, view, {
        note: last.note,
        size: cp.size,
        rootHash: cp.rootHash,
        signedAt: new Date(), // when this process opened it
      });
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }

  get size(): number {
    return this.#view.size;
  }

  /** Its last signed checkpoint (the log-only note: cosignatures are the witnesses' business). */
  checkpoint(): SignedCheckpoint {
    return this.#checkpoint;
  }

  entry(index: number): Promise<Uint8Array> {
    return readEntry(this.#view, index);
  }

  record(index: number): Promise<Uint8Array | undefined> {
    return readRecord(this.#view, index);
  }

  lookupLeafHash(leafHash: Uint8Array): Promise<number | undefined> {
    return lookupLeafHash(this.#view, leafHash);
  }

  lookupDecision(decisionId: string): Promise<number | undefined> {
    return lookupDecision(this.#view, decisionId);
  }

  /** A page of its decisions, newest first (decision-search.ts), within its signed tree. */
  searchDecisions(query: DecisionQuery): Promise<SearchResult> {
    return searchDecisions(this.#db, this.#view.size, query);
  }

  treeHash(size: number): Promise<Uint8Array> {
    return rootAt(this.#view, size);
  }

  proveInclusion(index: number, treeSize: number): Promise<Uint8Array[]> {
    return inclusionProof(this.#view, index, treeSize);
  }

  proveConsistency(from: number, to: number): Promise<Uint8Array[]> {
    return consistencyProof(this.#view, from, to);
  }

  /** Checks the whole store against its leaves, its own key and origin, and `mark` (its high-water mark). */
  fsck(mark: TreeState | undefined): Promise<FsckReport> {
    return fsckOpened(this.#db, this.#verifier, this.origin, mark);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
