/**
 * fsck of a log while no daemon runs (`govfed audit fsck` when the node is down), on either driver,
 * without changing the store: LevelDB is checked on a scratch copy (fsck-directory.ts: opening a LevelDB
 * is not a read); PostgreSQL is opened read-only (no writer, no lock, no migrations) and read in one
 * REPEATABLE READ snapshot, so a running writer does not disturb it either. The log is compared with its
 * high-water mark: DIR/high-water.json for LevelDB, the high_water row for PostgreSQL.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { parseVerifierKey } from '../../protocol/note/index.ts';
import { opensslVerify } from '../crypto/ed25519.ts';
import type { FsckReport } from './fsck.ts';
import { fsckDirectory, fsckOpened } from './fsck-directory.ts';
import { HighWaterMark } from './high-water.ts';
import { openLogStore } from './open-store.ts';
import type { LogStoreSpec } from './store.ts';

export async function fsckStore(
  spec: LogStoreSpec,
  origin: string,
  verifierKey: string,
  opts: { highWaterFile?: string; verify?: Ed25519Verify } = {},
): Promise<FsckReport> {
  if (spec.driver === 'leveldb') return fsckDirectory(spec.dir, origin, verifierKey, opts);
  const verifier = parseVerifierKey(verifierKey, { verify: opts.verify ?? opensslVerify });
  const db = await openLogStore(spec, { mustExist: true, readOnly: true });
  try {
    // The mark of a log in PostgreSQL is in its database (postgres/high-water.ts), not in the file.
    const own = db.highWaterMark?.(origin);
    const mark = own !== undefined ? await new HighWaterMark(own).load() : undefined;
    return await fsckOpened(db, verifier, origin, mark);
  } finally {
    await db.close();
  }
}
