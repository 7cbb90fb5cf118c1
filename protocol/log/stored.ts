/**
 * The stored-hash layout of Go's sumdb/tlog (Crosby & Wallach, "Efficient Data Structures for
 * Tamper-Evident Logging", §3.3).
 *
 * A log stores, in append order, the hash of every complete subtree: when leaf n is appended, its leaf
 * hash is written, followed by the hash of each subtree that leaf completes (one per trailing 1 bit of
 * n), from level 1 upward. Node (level, n) covers leaves [n·2^level, (n+1)·2^level). Nothing is ever
 * rewritten, and every root, past or present, and every proof can be computed from these hashes.
 *
 *   index:  0      1      2        3      4      5        6        7      ...
 *   hash:   (0,0)  (0,1)  (1,0)    (0,2)  (0,3)  (1,1)    (2,0)    (0,4)  ...
 */
import { GovfedError } from '../errors.ts';
import { floorLog2, popCount, shiftRight, trailingZeros } from './bits.ts';
import { assertHash, nodeHash } from './hash.ts';
import { type HashReader, readStoredHashes } from './reader.ts';
import { assertStoredTreeSize, MAX_TREE_SIZE } from './size.ts';

const MAX_LEVEL = floorLog2(MAX_TREE_SIZE);

/** Stored hashes for a tree of n leaves: every complete subtree, 2n - popcount(n) in all. */
function countFor(n: number): number {
  return 2 * n - popCount(n);
}

/**
 * storedHashIndex without input checks, for the tree math (inputs already validated).
 * Node (level, n) is written right after the leaf hash of its last leaf m = (n+1)·2^level - 1,
 * at offset `level`; before that leaf come the hashes of the tree of m leaves.
 */
export function storedIndex(level: number, n: number): number {
  return countFor((n + 1) * 2 ** level - 1) + level;
}

/** Position in the stored-hash sequence of the hash of node (level, n). */
export function storedHashIndex(level: number, n: number): number {
  if (!Number.isSafeInteger(level) || level < 0 || level > MAX_LEVEL) {
    throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', `level: expected an integer in [0, ${MAX_LEVEL}], got ${level}`);
  }
  // (n+1)·2^level <= MAX_TREE_SIZE: the node lies inside the largest addressable tree.
  if (!Number.isSafeInteger(n) || n < 0 || n + 1 > MAX_TREE_SIZE / 2 ** level) {
    throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', `node index at level ${level} out of range: ${n}`);
  }
  return storedIndex(level, n);
}

/** The inverse of storedHashIndex: which node a stored hash belongs to. */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
  if (!Number.isSafeInteger(index) || index < 0 || index >= countFor(MAX_TREE_SIZE)) {
    throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', `stored hash index out of range: ${index}`);
  }
  // Find the last leaf m whose leaf hash is stored at or before `index`. countFor(m) <= index
  // implies m <= (index + popcount(m)) / 2, so start at index/2 and walk forward a few steps.
  let m = Math.floor(index / 2);
  let leafAt = countFor(m);
  for (;;) {
    // Leaf m is followed by 1 + (trailing 1 bits of m) hashes.
    const next = leafAt + 1 + trailingZeros(m + 1);
    if (next > index) break;
    m++;
    leafAt = next;
  }
  // The hash was written with leaf m: it is one of (0, m), (1, m/2), (2, m/4), ...
  const level = index - leafAt;
  return { level, n: shiftRight(m, level) };
}

/** Number of stored hashes for a tree of `treeSize` leaves. */
export function storedHashCount(treeSize: number): number {
  assertStoredTreeSize(treeSize);
  return countFor(treeSize);
}

/**
 * The hashes to store when appending leaf number `index` (so `index` is the current tree size) with
 * the given leaf hash: the leaf hash, then one hash per subtree it completes. They go at stored
 * indexes storedHashCount(index), storedHashCount(index) + 1, ... Reads up to log2(index) earlier
 * hashes (the left siblings of the completed subtrees) through `reader`.
 */
export async function storedHashesForLeafHash(
  index: number,
  leafHash: Uint8Array,
  reader: HashReader,
): Promise<Uint8Array[]> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_TREE_SIZE) {
    throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', `leaf index out of range: ${index}`);
  }
  assertHash(leafHash, 'leaf hash');
  // Each trailing 1 bit of index completes a subtree whose left half is already stored.
  const completed = trailingZeros(index + 1);
  const indexes = new Array<number>(completed);
  for (let level = 0; level < completed; level++) {
    // At this level the new node is odd: its left sibling is node (level, (index >> level) - 1).
    indexes[completed - 1 - level] = storedIndex(level, shiftRight(index, level) - 1);
  }
  const siblings = await readStoredHashes(reader, indexes);
  const out: Uint8Array[] = [leafHash.slice()];
  let h = out[0] as Uint8Array;
  for (let level = 0; level < completed; level++) {
    h = nodeHash(siblings[completed - 1 - level] as Uint8Array, h);
    out.push(h);
  }
  return out;
}
