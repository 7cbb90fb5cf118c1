/**
 * fsck: recompute the whole tree from the stored leaves — never from the stored hashes — and compare.
 *
 * Three LevelDB iterators walk in lock step: leaves `l/` in index order, stored hashes `h/` in stored
 * order and checkpoints `c/` by size. Each leaf is hashed and appended to a fresh Frontier; every hash
 * it yields must equal the next stored hash; whenever the tree reaches a checkpoint's size, the
 * checkpoint's root must equal the recomputed root. The last checkpoint's signature is verified with the
 * node's key (earlier ones are signed by the same key and are checked by root; verifying tens of
 * thousands of Ed25519 signatures in pure JS would dominate the run).
 *
 * The lookup index (lookup.ts), when the log has one of the current version (`m/lookup`), is checked on the way: every entry
 * must be found by its leaf hash and, for decisions, its decisionId.
 *
 * Every problem found has a code (fsck-problems.ts): `findings` holds them, `problems` the same texts.
 *
 * All reads go through one LevelDB snapshot. A live log takes it between batches (AuditLog.fsck), so fsck
 * runs beside the appender and checks exactly the committed state at that moment.
 */
import { equalBytes, toHex } from '../../protocol/encoding/bytes.ts';
import { Frontier, storedHashCount } from '../../protocol/log/index.ts';
import { type NoteVerifier, openCheckpoint, parseCheckpoint, parseNote } from '../../protocol/note/index.ts';
import { Findings, type FsckFinding } from './fsck-problems.ts';
import { fastLeafHash, fastNodeHash } from './hasher.ts';
import {
  CHECKPOINT_PREFIX,
  checkpointKey,
  decodeSize,
  HASH_PREFIX,
  hashKey,
  keyNumber,
  LEAF_PREFIX,
  leafKey,
  SIZE_KEY,
} from './keys.ts';
import { hasCurrentLookupIndex, LookupIndexCheck } from './lookup.ts';
import type { LogDb, LogSnapshot } from './store.ts';

export interface FsckReport {
  /** True when no problem was found. */
  ok: boolean;
  /** Entries checked (the committed size). */
  size: number;
  /** Size of the last kept checkpoint (-1 when there is none). */
  checkpointSize: number;
  /** The last checkpoint verifies with the node's key and its root equals the recomputed root. */
  rootMatches: boolean;
  /** Every stored hash equals the one recomputed from the leaves. */
  storedHashesMatch: boolean;
  /** Kept checkpoints whose root was compared. */
  checkpointsChecked: number;
  /** Human-readable findings, at most MAX_PROBLEMS (then a summary line). */
  problems: string[];
  /** The same problems with their codes (fsck-problems.ts), in the same order. */
  findings: FsckFinding[];
}
const CHUNK = 1024;
const td = new TextDecoder('utf-8', { fatal: true });

interface Iter {
  nextv(size: number): Promise<[string, Uint8Array][]>;
  close(): Promise<void>;
}
type Snapshot = LogSnapshot;

/** A buffered cursor over a LevelDB iterator: awaits only when a chunk is used up. */
class Cursor {
  readonly #it: Iter;
  #buf: [string, Uint8Array][] = [];
  #pos = 0;
  #done = false;

  constructor(it: Iter) {
    this.#it = it;
  }

  /** The next entry, or undefined at the end. */
  async next(): Promise<[string, Uint8Array] | undefined> {
    if (this.#pos === this.#buf.length) {
      if (this.#done) return undefined;
      this.#buf = await this.#it.nextv(CHUNK);
      this.#pos = 0;
      if (this.#buf.length === 0) {
        this.#done = true;
        return undefined;
      }
    }
    return this.#buf[this.#pos++];
  }

  close(): Promise<void> {
    return this.#it.close();
  }
}

interface KeptCheckpoint {
  size: number;
  rootHash: Uint8Array | undefined;
  note: string;
}

function decodeCheckpoint(key: string, value: Uint8Array, findings: Findings): KeptCheckpoint {
  const size = keyNumber(key, CHECKPOINT_PREFIX);
  try {
    const note = td.decode(value);
    const cp = parseCheckpoint(parseNote(note).text);
    if (cp.size !== size) findings.add('FSCK_CHECKPOINT_SIZE_MISMATCH', `checkpoint ${key} is for size ${cp.size}`);
    return { size, rootHash: cp.rootHash, note };
  } catch (err) {
    findings.add('FSCK_CHECKPOINT_UNPARSABLE', `checkpoint ${key} does not parse: ${(err as Error).message}`);
    return { size, rootHash: undefined, note: '' };
  }
}

/**
 * Checks the log in `db`. `size` is the committed size to check (read from `m/size` when omitted);
 * `verifier` is the node's log key; `origin` its origin.
 */
export async function fsckDb(
  db: LogDb,
  opts: { verifier: NoteVerifier; origin: string; snapshot: Snapshot; size?: number },
): Promise<FsckReport> {
  const findings = new Findings();
  const { snapshot } = opts;
  let size = opts.size;
  if (size === undefined) {
    const raw = await db.get(SIZE_KEY, { snapshot });
    size = raw === undefined ? 0 : decodeSize(raw);
  }
  const stored = storedHashCount(size);
  const leaves = new Cursor(db.iterator({ gte: leafKey(0), lt: leafKey(size), snapshot }));
  const hashes = new Cursor(db.iterator({ gte: hashKey(0), lt: hashKey(stored), snapshot }));
  const checkpoints = new Cursor(db.iterator({ gte: checkpointKey(0), lt: `${CHECKPOINT_PREFIX}~`, snapshot }));
  let storedHashesMatch = true;
  let lastCheckpoint: KeptCheckpoint | undefined;
  let lastRootMatches = false;
  let checkpointsChecked = 0;
  const frontier = Frontier.empty({ nodeHash: fastNodeHash });
  let storedIndex = 0;
  let missingLeaves = false;
  // An index of an older version (the node has not started since an upgrade) is rebuilt at next start.
  const lookup = (await hasCurrentLookupIndex(db, { snapshot }))
    ? new LookupIndexCheck(db, snapshot, size, (code, p) => findings.add(code, p))
    : undefined;
  try {
    let cpEntry = await checkpoints.next();
    let cp = cpEntry && decodeCheckpoint(cpEntry[0], cpEntry[1], findings);
    /** Compares every checkpoint of the current frontier size. */
    const compareCheckpoints = async (): Promise<void> => {
      while (cp !== undefined && cp.size <= frontier.size) {
        if (cp.size < frontier.size) {
          findings.add('FSCK_CHECKPOINT_OUT_OF_ORDER', `checkpoint c/${cp.size} was skipped (out of order)`);
        } else if (cp.rootHash !== undefined) {
          const matches = equalBytes(frontier.root(), cp.rootHash);
          if (!matches)
            findings.add(
              'FSCK_CHECKPOINT_ROOT_MISMATCH',
              `checkpoint for size ${cp.size}: root does not match the leaves`,
            );
          lastRootMatches = matches;
          checkpointsChecked++;
        } else {
          lastRootMatches = false;
        }
        lastCheckpoint = cp;
        cpEntry = await checkpoints.next();
        cp = cpEntry && decodeCheckpoint(cpEntry[0], cpEntry[1], findings);
      }
    };
    await compareCheckpoints();
    // After a missing stored hash the hash cursor is out of step: stop comparing, keep recomputing.
    let compareHashes = true;
    for (let i = 0; i < size; i++) {
      const leaf = await leaves.next();
      if (leaf === undefined || leaf[0] !== leafKey(i)) {
        findings.add('FSCK_LEAF_MISSING', `leaf ${i} is missing`);
        missingLeaves = true;
        break;
      }
      const lh = fastLeafHash(leaf[1]);
      if (lookup !== undefined) await lookup.add(i, leaf[1], lh);
      for (const h of frontier.append(lh)) {
        if (compareHashes) {
          const sh = await hashes.next();
          if (sh === undefined || sh[0] !== hashKey(storedIndex)) {
            findings.add('FSCK_HASH_MISSING', `stored hash ${storedIndex} (leaf ${i}) is missing`);
            storedHashesMatch = false;
            compareHashes = false;
          } else if (!equalBytes(sh[1], h)) {
            findings.add(
              'FSCK_HASH_MISMATCH',
              `stored hash ${storedIndex} (leaf ${i}) is ${toHex(sh[1])}, the leaves give ${toHex(h)}`,
            );
            storedHashesMatch = false;
          }
        }
        storedIndex++;
      }
      if (cp !== undefined && cp.size <= frontier.size) await compareCheckpoints();
    }
    if (lookup !== undefined && !missingLeaves) await lookup.finish();
    // Checkpoints beyond the stored data mean acknowledged data was lost.
    while (cp !== undefined) {
      if (cp.size > size) {
        findings.add('FSCK_CHECKPOINT_BEYOND_SIZE', `checkpoint for size ${cp.size} is beyond the stored size ${size}`);
      } else {
        findings.add(
          'FSCK_CHECKPOINT_UNCHECKED',
          `checkpoint for size ${cp.size} could not be checked (leaves missing)`,
        );
      }
      lastCheckpoint = cp;
      lastRootMatches = false;
      cpEntry = await checkpoints.next();
      cp = cpEntry && decodeCheckpoint(cpEntry[0], cpEntry[1], findings);
    }
  } finally {
    await Promise.all([leaves.close(), hashes.close(), checkpoints.close()]);
  }
  if (missingLeaves) storedHashesMatch = false;
  await checkBeyond(db, snapshot, size, stored, findings);
  let rootMatches = lastRootMatches;
  if (lastCheckpoint === undefined) {
    findings.add('FSCK_NO_CHECKPOINT', 'no checkpoint is stored');
  } else {
    try {
      const { checkpoint } = openCheckpoint(lastCheckpoint.note, opts.verifier);
      if (checkpoint.origin !== opts.origin) {
        findings.add(
          'FSCK_CHECKPOINT_WRONG_ORIGIN',
          `last checkpoint has origin ${checkpoint.origin}, expected ${opts.origin}`,
        );
        rootMatches = false;
      }
    } catch (err) {
      findings.add(
        'FSCK_CHECKPOINT_SIGNATURE',
        `last checkpoint (size ${lastCheckpoint.size}) does not verify: ${(err as Error).message}`,
      );
      rootMatches = false;
    }
  }
  return {
    ok: findings.count === 0,
    size,
    checkpointSize: lastCheckpoint?.size ?? -1,
    rootMatches,
    storedHashesMatch,
    checkpointsChecked,
    ...findings.done(),
  };
}

/** Entries or hashes beyond the committed size would mean a batch was stored half-way. */
async function checkBeyond(
  db: LogDb,
  snapshot: Snapshot,
  size: number,
  stored: number,
  findings: Findings,
): Promise<void> {
  for (const [from, prefix, what, code] of [
    [leafKey(size), LEAF_PREFIX, 'leaf', 'FSCK_LEAF_BEYOND_SIZE'],
    [hashKey(stored), HASH_PREFIX, 'stored hash', 'FSCK_HASH_BEYOND_SIZE'],
  ] as const) {
    const it = db.keys({ gte: from, lt: `${prefix}~`, limit: 1, snapshot });
    try {
      const [k] = await it.nextv(1);
      if (k !== undefined)
        findings.add(code, `${what} ${keyNumber(k, prefix)} exists beyond the committed size ${size}`);
    } finally {
      await it.close();
    }
  }
}
