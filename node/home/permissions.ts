/**
 * File modes of the home directory. Key files, token files and the log's data are the node's alone:
 * directories 0700, files 0600.
 *
 * - checkPrivateFile: a key or token file readable or writable by group or others stops the daemon
 *   (ERR_INSECURE_PERMISSIONS), as ssh does with a private key.
 * - tightenTree: at start, the LevelDB directories (DIR/data, DIR/witness/db — raw decision records and
 *   witness state) are made 0700 with 0600 files, for homes made before this rule or copied with cp -r.
 * - privateUmask: the daemon creates everything else with umask 077, so the files LevelDB creates later
 *   (it asks for 0644) are 0600 too.
 */
import { chmod, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeError } from '../errors.ts';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const POSIX = process.platform !== 'win32';

/** Throws ERR_INSECURE_PERMISSIONS when `file` is accessible by group or others. ENOENT propagates. */
export async function checkPrivateFile(file: string): Promise<void> {
  const mode = (await stat(file)).mode;
  if (POSIX && (mode & 0o077) !== 0) {
    throw new NodeError(
      'ERR_INSECURE_PERMISSIONS',
      `${file} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600`,
    );
  }
}

/**
 * Makes `dir` and everything below it private: directories 0700, files 0600 (group and other bits
 * removed, nothing added). Symbolic links are not followed. A missing `dir` is fine. Returns how many
 * modes it changed.
 */
export async function tightenTree(dir: string): Promise<number> {
  if (!POSIX) return 0;
  let changed = 0;
  const todo = [dir];
  while (todo.length > 0) {
    const path = todo.pop() as string;
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (st.isSymbolicLink()) continue;
    const want = (st.mode & 0o700) | 0;
    if ((st.mode & 0o777) !== want) {
      await chmod(path, want);
      changed++;
    }
    if (st.isDirectory()) for (const name of await readdir(path)) todo.push(join(path, name));
  }
  return changed;
}

/** Sets the process umask to 077 (a no-op where it cannot be set, e.g. in a worker thread). */
export function privateUmask(): void {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; tightenTree still fixes the modes at the next start.
  }
}
