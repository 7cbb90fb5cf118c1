/**
 * fsck of a log on disk while no daemon runs (`govfed audit fsck` when the node is down) — without ever
 * changing the store. Opening a LevelDB is not a read: its recovery replays the write-ahead log into a new
 * table and deletes the old log, and a damaged write-ahead log is truncated at the damage (the evidence an
 * operator needs for recovery is gone). LevelDB has no read-only open, so fsck checks a SCRATCH COPY:
 *
 *   - a new directory beside the store (same file system), removed afterwards;
 *   - sorted tables (`*.ldb`, `*.sst`, immutable once written — LevelDB only ever deletes them) and the
 *     LOCK file are hard-linked (cheap for a large store; the shared LOCK inode keeps LevelDB's lock, so a
 *     daemon holding the store still makes this fail with ERR_ALREADY_RUNNING instead of racing it);
 *   - everything else (write-ahead logs, MANIFEST, CURRENT, LOG) is copied byte for byte; where a hard
 *     link is impossible, tables are copied too.
 * The copy is opened and checked; whatever LevelDB's recovery does, it does to the copy.
 *
 * With the home's high-water mark (high-water.ts), the log must also reach it and agree with its root: a
 * `data/` restored from an older backup passes every other check (it is a consistent, older log).
 */

import { copyFile, link, mkdtemp, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { type NoteVerifier, parseVerifierKey } from '../../protocol/note/index.ts';
import { opensslVerify } from '../crypto/ed25519.ts';
import { NodeError } from '../errors.ts';
import { openLogDb } from './db.ts';
import { type FsckReport, fsckDb } from './fsck.ts';
import { StoreHashReader } from './hash-reader.ts';
import { HighWaterMark, withHighWater } from './high-water.ts';
import type { LogDb, TreeState } from './store.ts';

/** Files LevelDB never writes in place after creating them: safe to share with the scratch copy. */
const LINKABLE = /^(\d+\.(ldb|sst)|LOCK)$/;

/** Checks the log in LevelDB directory `dir` against the node's origin and verifier key string. */
export async function fsckDirectory(
  dir: string,
  origin: string,
  verifierKey: string,
  opts: { highWaterFile?: string; verify?: Ed25519Verify } = {},
): Promise<FsckReport> {
  const verifier = parseVerifierKey(verifierKey, { verify: opts.verify ?? opensslVerify });
  const mark =
    opts.highWaterFile === undefined ? undefined : await new HighWaterMark(opts.highWaterFile, origin).load();
  const names = await listStore(dir);
  const scratch = await mkdtemp(join(dirname(dir), `.${basename(dir)}.fsck-`));
  try {
    await copyStore(dir, scratch, names);
    const db = await openLogDb(scratch, { mustExist: true });
    try {
      return await fsckOpened(db, verifier, origin, mark);
    } finally {
      await db.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * fsck of an opened store in one snapshot, then compared with the high-water mark `mark` (if any): the
 * run shared by a stopped node's LevelDB copy (above) and its PostgreSQL schema (fsck-store.ts).
 */
export async function fsckOpened(
  db: LogDb,
  verifier: NoteVerifier,
  origin: string,
  mark: TreeState | undefined,
): Promise<FsckReport> {
  const snapshot = await db.snapshot();
  try {
    const report = await fsckDb(db, { verifier, origin, snapshot });
    return await withHighWater(report, mark, new StoreHashReader(db));
  } finally {
    await snapshot.close();
  }
}

async function listStore(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NodeError('ERR_NOT_FOUND', `no audit log database in ${dir}`);
    }
    throw err;
  }
  if (!names.includes('CURRENT')) throw new NodeError('ERR_NOT_FOUND', `no audit log database in ${dir}`);
  return names;
}

/** Links the immutable tables and LOCK, copies the rest (copyFile never follows into the original). */
async function copyStore(dir: string, scratch: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const from = join(dir, name);
    const to = join(scratch, name);
    if (LINKABLE.test(name)) {
      try {
        await link(from, to);
        continue;
      } catch {
        // another file system or no hard links: copy instead
      }
    }
    await copyFile(from, to);
  }
}
