/**
 * Paths inside the repository, found from this file's own location — never from the working directory,
 * so a test runs the same from any folder.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's top folder. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A path below the repository's top folder. */
export function repoPath(...parts: string[]): string {
  return resolve(REPO_ROOT, ...parts);
}

/** A path below test/vectors/ (the conformance vectors copied into the repository; see its README). */
export function vectorPath(...parts: string[]): string {
  return resolve(REPO_ROOT, 'test', 'vectors', ...parts);
}
