/**
 * Tree hashes from stored hashes (RFC 6962 §2.1 MTH, computed the way Go's sumdb/tlog does).
 *
 * Leaves [lo, hi) split into maximal complete subtrees, largest first: for a tree of 13 leaves,
 * [0, 8) + [8, 12) + [12, 13). Each of those is stored; the root folds them right to left:
 * MTH = H(s0, H(s1, s2)). Past roots work the same way, so treeHash(n) needs at most log2(n) + 1 reads.
 */
import { floorLog2 } from './bits.ts';
import { emptyRoot, nodeHash } from './hash.ts';
import { type HashReader, readStoredHashes } from './reader.ts';
import { assertStoredTreeSize } from './size.ts';
import { storedIndex } from './stored.ts';

/** Hashes read for a proof, consumed in the order their indexes were requested. */
export interface HashCursor {
  readonly hashes: readonly Uint8Array[];
  pos: number;
}

/** Appends to `need` the stored indexes of the complete subtrees covering leaves [lo, hi), left to right. */
export function subtreeIndexes(lo: number, hi: number, need: number[]): number[] {
  while (lo < hi) {
    const level = floorLog2(hi - lo);
    const k = 2 ** level;
    if (lo % k !== 0) throw new Error('log: bad index math in subtreeIndexes');
    need.push(storedIndex(level, lo / k));
    lo += k;
  }
  return need;
}

/**
 * MTH of leaves [lo, hi) from the hashes subtreeIndexes(lo, hi) asked for, taken from `cur`.
 * Always a fresh array, so results never alias the reader's storage.
 */
export function subtreeHash(lo: number, hi: number, cur: HashCursor): Uint8Array {
  let count = 0;
  while (lo < hi) {
    lo += 2 ** floorLog2(hi - lo);
    count++;
  }
  const first = cur.pos;
  cur.pos += count;
  if (count === 0 || cur.pos > cur.hashes.length) throw new Error('log: bad index math in subtreeHash');
  if (count === 1) return (cur.hashes[first] as Uint8Array).slice();
  let h = cur.hashes[first + count - 1] as Uint8Array;
  for (let i = first + count - 2; i >= first; i--) h = nodeHash(cur.hashes[i] as Uint8Array, h);
  return h;
}

/** Checks that a proof builder consumed exactly the hashes it asked for. */
export function assertConsumed(cur: HashCursor, what: string): void {
  if (cur.pos !== cur.hashes.length) throw new Error(`log: bad index math in ${what}`);
}

/**
 * The second pass of every computation over stored hashes (tree hashes, inclusion and consistency
 * proofs): reads the hashes at `indexes` — which the first pass listed — in one call, lets `build`
 * consume them through a cursor, and checks that it consumed exactly those.
 */
export async function fromStoredHashes<T>(
  reader: HashReader,
  indexes: readonly number[],
  what: string,
  build: (cur: HashCursor) => T,
): Promise<T> {
  const cur: HashCursor = { hashes: await readStoredHashes(reader, indexes), pos: 0 };
  const result = build(cur);
  assertConsumed(cur, what);
  return result;
}

/** Root hash of the tree of the first `treeSize` leaves (EMPTY_ROOT for 0), past or current. */
export async function treeHash(treeSize: number, reader: HashReader): Promise<Uint8Array> {
  assertStoredTreeSize(treeSize);
  if (treeSize === 0) return emptyRoot();
  return fromStoredHashes(reader, subtreeIndexes(0, treeSize, []), 'treeHash', (cur) => subtreeHash(0, treeSize, cur));
}
