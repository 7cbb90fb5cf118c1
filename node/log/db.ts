/**
 * Opening the log's LevelDB. One place for the store options (shared with the raw-LevelDB benchmark,
 * so that it measures the same store) and for turning open failures into coded errors.
 */
import { stat } from 'node:fs/promises';
import { Level } from 'level';
import { NodeError } from '../errors.ts';

export type LogDb = Level<string, Uint8Array>;

/**
 * A 32 MiB memtable (default 4 MiB) means fewer, larger level-0 files under sustained ingest; leaf JSON
 * compresses well, so Snappy stays on.
 */
export const LOG_DB_OPTIONS = {
  keyEncoding: 'utf8',
  valueEncoding: 'view',
  writeBufferSize: 32 * 1024 * 1024,
  cacheSize: 32 * 1024 * 1024,
} as const;

/**
 * Opens (creating unless `mustExist`) the LevelDB at `dir`. Throws ERR_ALREADY_RUNNING when another
 * process holds it (LevelDB's lock: the daemon is running) and ERR_NOT_FOUND when `mustExist` and
 * there is no database.
 */
export async function openLogDb(dir: string, opts: { mustExist?: boolean } = {}): Promise<LogDb> {
  if (opts.mustExist) {
    const found = await stat(`${dir}/CURRENT`).then(
      () => true,
      () => false,
    );
    if (!found) throw new NodeError('ERR_NOT_FOUND', `no audit log database in ${dir}`);
  }
  const db = new Level<string, Uint8Array>(dir, LOG_DB_OPTIONS);
  try {
    await db.open({ createIfMissing: !opts.mustExist });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new NodeError('ERR_ALREADY_RUNNING', `the audit log in ${dir} is in use by another process`, {
        cause: err,
      });
    }
    throw err;
  }
  return db;
}
