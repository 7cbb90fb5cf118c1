/**
 * Inclusion proofs (RFC 9162 §2.1.3; RFC 6962 calls them audit paths): the sibling hashes on the path
 * from a leaf to the root, bottom-up. Built from stored hashes like Go's tlog.ProveRecord; verified
 * like transparency-dev/merkle's proof.VerifyInclusion.
 */
import { equalBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { floorLog2 } from './bits.ts';
import { assertProofHashes, chainBorderRight, chainInner, decomposeInclusionProof } from './chain.ts';
import { assertHash } from './hash.ts';
import type { HashReader } from './reader.ts';
import { assertLeafIndex, assertStoredTreeSize, assertTreeSize } from './size.ts';
import { fromStoredHashes, type HashCursor, subtreeHash, subtreeIndexes } from './tree.ts';

// ---- proving ----

/** Stored indexes needed to prove leaf n inside the subtree of leaves [lo, hi) (RFC 6962 §2.1.1). */
function pathIndexes(lo: number, hi: number, n: number, need: number[]): number[] {
  if (lo + 1 === hi) return need; // reached the leaf: the verifier has its hash
  const k = 2 ** floorLog2(hi - lo - 1); // largest power of two < hi - lo
  if (n < lo + k) {
    pathIndexes(lo, lo + k, n, need);
    subtreeIndexes(lo + k, hi, need);
  } else {
    subtreeIndexes(lo, lo + k, need);
    pathIndexes(lo + k, hi, n, need);
  }
  return need;
}

/** Builds the path for leaf n inside [lo, hi) from the hashes pathIndexes asked for; appends bottom-up. */
function buildPath(lo: number, hi: number, n: number, cur: HashCursor, out: Uint8Array[]): void {
  if (lo + 1 === hi) return;
  const k = 2 ** floorLog2(hi - lo - 1);
  if (n < lo + k) {
    buildPath(lo, lo + k, n, cur, out);
    out.push(subtreeHash(lo + k, hi, cur));
  } else {
    const left = subtreeHash(lo, lo + k, cur);
    buildPath(lo + k, hi, n, cur, out);
    out.push(left);
  }
}

/** The inclusion proof of leaf `index` in the tree of `treeSize` leaves, bottom-up. */
export async function proveInclusion(index: number, treeSize: number, reader: HashReader): Promise<Uint8Array[]> {
  assertStoredTreeSize(treeSize);
  assertLeafIndex(index, treeSize);
  return fromStoredHashes(reader, pathIndexes(0, treeSize, index, []), 'proveInclusion', (cur) => {
    const proof: Uint8Array[] = [];
    buildPath(0, treeSize, index, cur, proof);
    return proof;
  });
}

// ---- verifying: every argument is attacker-controlled ----

/**
 * The root implied by an inclusion proof, after checking its shape: tree size (ERR_INVALID_TREE_SIZE),
 * index < size (ERR_INDEX_OUT_OF_RANGE), 32-byte hashes (ERR_INVALID_HASH), exact proof length
 * (ERR_PROOF_SIZE). It proves nothing until compared with a trusted root: use verifyInclusion.
 */
export function rootFromInclusionProof(
  index: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  assertTreeSize(treeSize);
  assertLeafIndex(index, treeSize);
  assertHash(leafHash, 'leaf hash');
  assertProofHashes(proof, 'inclusion proof');
  const { inner, border } = decomposeInclusionProof(index, treeSize);
  if (proof.length !== inner + border) {
    throw new GovfedError('ERR_PROOF_SIZE', `inclusion proof: expected ${inner + border} hashes, got ${proof.length}`);
  }
  if (proof.length === 0) return leafHash.slice();
  const h = chainInner(leafHash, proof, 0, inner, index);
  return chainBorderRight(h, proof, inner, proof.length);
}

/**
 * Checks that `leafHash` is leaf number `index` of the tree of `treeSize` leaves whose root is `root`.
 * Returns nothing; throws a GovfedError saying which check failed (ERR_ROOT_MISMATCH when the proof
 * leads to a different root).
 */
export function verifyInclusion(
  index: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  assertHash(root, 'root');
  const computed = rootFromInclusionProof(index, treeSize, leafHash, proof);
  if (!equalBytes(computed, root)) {
    throw new GovfedError('ERR_ROOT_MISMATCH', 'inclusion proof does not lead to the given root');
  }
}
