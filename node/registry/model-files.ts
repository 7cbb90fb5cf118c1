/**
 * Reading a model from disk for OMS: walk the directory, hash every regular file, name each by its path
 * relative to the model (POSIX '/'), as the reference tool's "files" serialization does.
 *
 *   hashModelDir(modelPath, {ignorePaths, ignoreGitPaths, maxFiles, maxBytes}) → HashedModel
 *       {modelName, resources: [{name, digest}] (sorted), digest: 'sha256:<hex>', files, totalBytes,
 *        ignorePaths (the paths that were ignored, relative to the model)}
 *   resolveIgnorePaths(modelPath, paths, cwd) → the paths inside the model, relative to it (others dropped)
 *
 * Rules (each failure a NodeError with a code):
 *   - the model path must exist (ERR_MODEL_NOT_FOUND); a regular file is a one-file model whose single
 *     resource is '.';
 *   - only regular files and directories: a symbolic link (never followed, also not the model path itself),
 *     a device, a socket or a FIFO is refused, naming it (ERR_MODEL_SPECIAL_FILE) — the reference refuses
 *     symlinks by default too; files are opened with O_NOFOLLOW so one swapped in during the walk is refused;
 *   - ignored: each `ignorePaths` entry and everything below it, and by default the git files the reference
 *     ignores (.git, .gitattributes, .github, .gitignore);
 *   - bounded: at most `maxFiles` files (default 100,000) and `maxBytes` bytes (default 2 TiB), checked on the
 *     walk before anything is hashed (ERR_MODEL_TOO_LARGE);
 *   - file names must be usable resource names (no control characters; ERR_MODEL_SPECIAL_FILE otherwise).
 * Files are hashed streaming (1 MiB reads, as the reference does; SHA-256 in OpenSSL), one at a time.
 */
import { createHash } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GovfedError } from '../../protocol/errors.ts';
import {
  checkResourceName,
  compareResourceNames,
  isIgnored,
  type OmsResource,
  omsRootDigest,
} from '../../protocol/registry/oms/index.ts';
import { NodeError } from '../errors.ts';

export const GIT_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];
export const DEFAULT_MAX_MODEL_FILES = 100_000;
export const DEFAULT_MAX_MODEL_BYTES = 2 * 1024 ** 4;
const READ_CHUNK = 1024 * 1024;

export interface HashModelOptions {
  /** Paths relative to the model (POSIX '/'); a directory ignores everything below it. */
  ignorePaths?: readonly string[];
  /** Ignore .git, .gitattributes, .github, .gitignore (default true). */
  ignoreGitPaths?: boolean;
  maxFiles?: number;
  maxBytes?: number;
}

export interface HashedModel {
  /** The model path's last component (the reference's subject name). */
  modelName: string;
  /** Every hashed file, sorted as the OMS manifest sorts them. */
  resources: OmsResource[];
  /** `sha256:<hex>`: omsRootDigest(resources). */
  digest: string;
  files: number;
  totalBytes: number;
  /** The ignore list in force (relative to the model), as a signature records it. */
  ignorePaths: string[];
}

/** Walks and hashes a model directory (or one file). */
export async function hashModelDir(modelPath: string, opts: HashModelOptions = {}): Promise<HashedModel> {
  const maxFiles = opts.maxFiles ?? DEFAULT_MAX_MODEL_FILES;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  const ignorePaths = [
    ...new Set([...(opts.ignorePaths ?? []), ...(opts.ignoreGitPaths === false ? [] : GIT_PATHS)]),
  ].map((p) => checkIgnorePath(p));
  const root = path.resolve(modelPath);
  const st = await lstat(root).catch((cause: unknown) => {
    throw new NodeError('ERR_MODEL_NOT_FOUND', `model path ${modelPath}: ${(cause as Error).message}`, { cause });
  });
  const modelName = path.basename(root);
  let found: { name: string; abs: string; size: number }[];
  if (st.isFile()) {
    found = [{ name: '.', abs: root, size: st.size }];
  } else if (st.isDirectory()) {
    found = await walk(root, ignorePaths, maxFiles, maxBytes);
  } else {
    throw special(modelPath, st.isSymbolicLink() ? 'a symbolic link' : 'neither a regular file nor a directory');
  }
  const resources: OmsResource[] = [];
  let totalBytes = 0;
  for (const f of found) {
    const { digest, size } = await hashFile(f.abs, f.name);
    resources.push({ name: f.name, digest });
    totalBytes += size;
  }
  resources.sort((a, b) => compareResourceNames(a.name, b.name));
  return {
    modelName,
    resources,
    digest: omsRootDigest(resources),
    files: resources.length,
    totalBytes,
    ignorePaths: st.isFile() ? [] : ignorePaths,
  };
}

/** Ignore paths given on a command line (relative to `cwd` or absolute) → relative to the model; outside ones dropped. */
export function resolveIgnorePaths(modelPath: string, paths: readonly string[], cwd: string): string[] {
  const root = path.resolve(cwd, modelPath);
  const out: string[] = [];
  for (const p of paths) {
    const rel = path.relative(root, path.resolve(cwd, p));
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) continue;
    out.push(rel.split(path.sep).join('/'));
  }
  return out;
}

async function walk(
  root: string,
  ignorePaths: readonly string[],
  maxFiles: number,
  maxBytes: number,
): Promise<{ name: string; abs: string; size: number }[]> {
  const found: { name: string; abs: string; size: number }[] = [];
  let bytes = 0;
  const dirs: string[] = [''];
  while (dirs.length > 0) {
    const rel = dirs.pop() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(root, rel), { withFileTypes: true });
    } catch (cause) {
      throw new NodeError('ERR_MODEL_NOT_FOUND', `cannot read ${rel || '.'}: ${(cause as Error).message}`, { cause });
    }
    for (const e of entries) {
      const name = rel === '' ? e.name : `${rel}/${e.name}`;
      if (isIgnored(name, ignorePaths)) continue;
      checkName(name);
      if (e.isDirectory()) {
        dirs.push(name);
      } else if (e.isFile()) {
        if (found.length >= maxFiles)
          throw new NodeError('ERR_MODEL_TOO_LARGE', `the model has more than ${maxFiles} files`);
        const abs = path.join(root, name);
        const size = (await lstat(abs)).size;
        bytes += size;
        if (bytes > maxBytes) throw new NodeError('ERR_MODEL_TOO_LARGE', `the model is larger than ${maxBytes} bytes`);
        found.push({ name, abs, size });
      } else {
        throw special(name, e.isSymbolicLink() ? 'a symbolic link' : 'a special file (device, socket or FIFO)');
      }
    }
  }
  return found;
}

async function hashFile(abs: string, name: string): Promise<{ digest: string; size: number }> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ELOOP') throw special(name, 'a symbolic link');
    throw new NodeError('ERR_MODEL_NOT_FOUND', `cannot open ${name}: ${(cause as Error).message}`, { cause });
  }
  try {
    if (!(await fh.stat()).isFile()) throw special(name, 'not a regular file');
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { digest: hash.digest('hex'), size };
  } finally {
    await fh.close();
  }
}

function checkIgnorePath(p: string): string {
  const trimmed = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  const name = checkResourceName(trimmed, 'ERR_INVALID_INPUT');
  if (name === '.') throw new GovfedError('ERR_INVALID_INPUT', 'ignorePaths: "." would ignore the whole model');
  return name;
}

function checkName(name: string): void {
  try {
    checkResourceName(name, 'ERR_INVALID_INPUT');
  } catch (cause) {
    throw new NodeError(
      'ERR_MODEL_SPECIAL_FILE',
      `file name ${JSON.stringify(name)} cannot be signed: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

function special(name: string, what: string): NodeError {
  return new NodeError('ERR_MODEL_SPECIAL_FILE', `${name} is ${what}: only regular files and directories are hashed`);
}
