/**
 * Checks on tree sizes and leaf indexes (attacker-controlled when they come from a proof or a peer).
 *
 * Sizes and indexes are JS numbers and must be safe non-negative integers. Verifiers accept any such
 * size. Provers and the stored-hash layout need every stored-hash index to be a safe integer too; a
 * tree of n leaves stores 2n - popcount(n) hashes, so they stop at MAX_TREE_SIZE = 2^52 leaves.
 */
import { GovfedError } from '../errors.ts';

/** Largest tree the stored-hash layout can address (its last stored index is 2^53 - 2). */
export const MAX_TREE_SIZE = 2 ** 52;

/** Throws ERR_INVALID_TREE_SIZE unless `size` is a safe non-negative integer. */
export function assertTreeSize(size: unknown, what = 'tree size'): asserts size is number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new GovfedError(
      'ERR_INVALID_TREE_SIZE',
      `${what}: expected a safe non-negative integer, got ${String(size)}`,
    );
  }
}

/** Like assertTreeSize, and also at most MAX_TREE_SIZE (needed wherever stored hashes are addressed). */
export function assertStoredTreeSize(size: unknown, what = 'tree size'): asserts size is number {
  assertTreeSize(size, what);
  if (size > MAX_TREE_SIZE) {
    throw new GovfedError('ERR_INVALID_TREE_SIZE', `${what}: ${size} exceeds the maximum ${MAX_TREE_SIZE}`);
  }
}

/** Throws ERR_INDEX_OUT_OF_RANGE unless `index` is a safe integer with 0 <= index < size. */
export function assertLeafIndex(index: unknown, size: number, what = 'leaf index'): asserts index is number {
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new GovfedError(
      'ERR_INDEX_OUT_OF_RANGE',
      `${what}: expected an integer in [0, ${size}), got ${String(index)}`,
    );
  }
}
