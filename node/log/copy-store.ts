/**
 * Copying a log from one store to another (`govfed store migrate`): every key — leaves, records, stored
 * hashes, checkpoints, lookup and search keys — byte for byte, read from one snapshot of the source, so
 * the copy has the same origin, the same tree, the same checkpoints and the same proofs.
 *
 * Order makes a copy that stopped half-way harmless: the target must be empty (ERR_STORE_NOT_EMPTY), the
 * committed size `m/size` is written LAST, and the copy is then checked like fsck (every stored hash and
 * every checkpoint recomputed from the copied leaves) and compared with the source's size and last
 * checkpoint. A target without `m/size` holds checkpoints beyond its size, so a node refuses to start on
 * it (ERR_LOG_CORRUPT) until the migration is run again on an emptied target.
 */
import { equalBytes } from '../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { treeHash } from '../../protocol/log/index.ts';
import type { NoteVerifier } from '../../protocol/note/index.ts';
import { NodeError } from '../errors.ts';
import { lastStoredCheckpoint } from './checkpointer.ts';
import { type FsckReport, fsckDb } from './fsck.ts';
import { StoreHashReader } from './hash-reader.ts';
import { decodeSize, encodeSize, SIZE_KEY } from './keys.ts';
import type { LogDb } from './store.ts';

/** Keys per write to the target (one transaction each on PostgreSQL). */
const CHUNK = 5000;

export interface CopyResult {
  /** Entries copied (the source's committed size). */
  size: number;
  /** Keys copied, m/size included. */
  keys: number;
  /** The size of the last checkpoint, the same in both stores. */
  checkpointSize: number;
  /** fsck of the copy. */
  report: FsckReport;
}

export async function copyLogStore(
  from: LogDb,
  to: LogDb,
  opts: { verifier: NoteVerifier; origin: string; onProgress?: (keys: number) => void },
): Promise<CopyResult> {
  const [any] = await to.keys({ limit: 1 }).all();
  if (any !== undefined) {
    throw new NodeError('ERR_STORE_NOT_EMPTY', 'the target store already holds data: migrate into an empty one');
  }
  const snapshot = await from.snapshot();
  let keys = 0;
  let size: number;
  try {
    const raw = await from.get(SIZE_KEY, { snapshot });
    if (raw === undefined) throw new NodeError('ERR_NOT_FOUND', 'the source store holds no log (no committed size)');
    size = decodeSize(raw);
    const it = from.iterator({ snapshot });
    try {
      for (;;) {
        const entries = await it.nextv(CHUNK);
        if (entries.length === 0) break;
        const batch = to.batch();
        for (const [k, v] of entries) if (k !== SIZE_KEY) batch.put(k, v);
        await batch.write({ sync: true });
        keys += entries.length;
        opts.onProgress?.(keys);
      }
    } finally {
      await it.close();
    }
  } finally {
    await snapshot.close();
  }
  await to.put(SIZE_KEY, encodeSize(size), { sync: true });
  const copied = await to.snapshot();
  let report: FsckReport;
  try {
    report = await fsckDb(to, { verifier: opts.verifier, origin: opts.origin, snapshot: copied });
  } finally {
    await copied.close();
  }
  const last = await lastStoredCheckpoint(to);
  const source = await lastStoredCheckpoint(from);
  if (!report.ok || report.size !== size || last === undefined || source === undefined || last.note !== source.note) {
    throw new GovfedError(
      'ERR_LOG_CORRUPT',
      `the copy does not check out: ${report.problems.slice(0, 3).join('; ') || 'size or last checkpoint differs'}`,
    );
  }
  const a = await treeHash(size, new StoreHashReader(from));
  const b = await treeHash(size, new StoreHashReader(to));
  if (!equalBytes(a, b)) throw new GovfedError('ERR_LOG_CORRUPT', 'the copy has another root than the source');
  return { size, keys, checkpointSize: last.size, report };
}
