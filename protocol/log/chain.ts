/**
 * Folding proof hashes into a root: the shared core of inclusion and consistency verification
 * (RFC 9162 §2.1.3.2 and §2.1.4.2, in the decomposed form of transparency-dev/merkle).
 *
 * The path from leaf `index` up to the root of a tree of `size` leaves has two parts:
 *  - inner: the levels below the point where the path to `index` and the path to the last leaf
 *    (size - 1) meet — bitLength(index XOR (size - 1)) levels. At inner level i the sibling is on the
 *    right when bit i of index is 0, on the left when it is 1.
 *  - border: above that point the path runs along the tree's right border, where a node with no right
 *    sibling is promoted unchanged. Only the levels where index has a 1 bit contribute a (left) sibling,
 *    so the border has popcount(index >> inner) hashes.
 * The proof is exactly inner + border hashes, bottom-up; any other length is rejected up front.
 */
import { GovfedError } from '../errors.ts';
import { bitAt, bitLength, popCount, shiftRight, xor } from './bits.ts';
import { assertHash, nodeHash } from './hash.ts';

/** Number of inner and border hashes in the audit path of leaf `index` in a tree of `size` (index < size). */
export function decomposeInclusionProof(index: number, size: number): { inner: number; border: number } {
  const inner = bitLength(xor(index, size - 1));
  const border = popCount(shiftRight(index, inner));
  return { inner, border };
}

/**
 * Throws unless `proof` (attacker-controlled) is an array of 32-byte hashes: ERR_INVALID_INPUT when it
 * is not an array, ERR_INVALID_HASH naming the first bad element.
 */
export function assertProofHashes(proof: unknown, what: string): asserts proof is readonly Uint8Array[] {
  if (!Array.isArray(proof)) throw new GovfedError('ERR_INVALID_INPUT', `${what}: expected an array of hashes`);
  for (let i = 0; i < proof.length; i++) assertHash(proof[i], `${what}[${i}]`);
}

/** Folds proof[start, start+count) as inner hashes of leaf `index` into `seed`. */
export function chainInner(
  seed: Uint8Array,
  proof: readonly Uint8Array[],
  start: number,
  count: number,
  index: number,
): Uint8Array {
  for (let i = 0; i < count; i++) {
    const sibling = proof[start + i] as Uint8Array;
    seed = bitAt(index, i) === 0 ? nodeHash(seed, sibling) : nodeHash(sibling, seed);
  }
  return seed;
}

/** Like chainInner, but only the siblings on the left (bit i of index set); right ones are skipped. */
export function chainInnerRight(
  seed: Uint8Array,
  proof: readonly Uint8Array[],
  start: number,
  count: number,
  index: number,
): Uint8Array {
  for (let i = 0; i < count; i++) {
    if (bitAt(index, i) === 1) seed = nodeHash(proof[start + i] as Uint8Array, seed);
  }
  return seed;
}

/** Folds proof[start, end) as border hashes (all left siblings) into `seed`. */
export function chainBorderRight(
  seed: Uint8Array,
  proof: readonly Uint8Array[],
  start: number,
  end: number,
): Uint8Array {
  for (let i = start; i < end; i++) seed = nodeHash(proof[i] as Uint8Array, seed);
  return seed;
}
