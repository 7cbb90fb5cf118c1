/**
 * fsck of a log on disk while no daemon runs (`govfed audit fsck` when the node is down). Opening the
 * LevelDB takes its lock, so this fails with ERR_ALREADY_RUNNING instead of racing a live daemon; fsck
 * itself only reads.
 */
import { parseVerifierKey } from '../../protocol/note/index.ts';
import { openLogDb } from './db.ts';
import { type FsckReport, fsckDb } from './fsck.ts';

/** Checks the log in LevelDB directory `dir` against the node's origin and verifier key string. */
export async function fsckDirectory(dir: string, origin: string, verifierKey: string): Promise<FsckReport> {
  const verifier = parseVerifierKey(verifierKey);
  const db = await openLogDb(dir, { mustExist: true });
  try {
    const snapshot = db.snapshot();
    try {
      return await fsckDb(db, { verifier, origin, snapshot });
    } finally {
      await snapshot.close();
    }
  } finally {
    await db.close();
  }
}
