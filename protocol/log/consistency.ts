/**
 * Consistency proofs (RFC 9162 §2.1.4): the hashes showing that the tree of `from` leaves is a prefix
 * of the tree of `to` leaves, i.e. the log only appended. Built from stored hashes like Go's
 * tlog.ProveTree; verified like transparency-dev/merkle's proof.VerifyConsistency, with stricter
 * rules for the trivial cases:
 *  - from > to: rejected (ERR_INVALID_TREE_SIZE);
 *  - from == to: the proof must be empty and the roots byte-equal; for size 0 the root must be the
 *    empty-tree hash;
 *  - from == 0 < to: the proof must be empty, root1 must be the empty-tree hash, root2 a 32-byte hash;
 *  - otherwise: RFC 9162 verification over 32-byte hashes.
 */
import { equalBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { floorLog2, shiftRight, trailingZeros } from './bits.ts';
import { assertProofHashes, chainBorderRight, chainInner, chainInnerRight, decomposeInclusionProof } from './chain.ts';
import { assertHash, isEmptyRoot } from './hash.ts';
import type { HashReader } from './reader.ts';
import { assertStoredTreeSize, assertTreeSize } from './size.ts';
import { fromStoredHashes, type HashCursor, subtreeHash, subtreeIndexes } from './tree.ts';

// ---- proving ----

/** Stored indexes for the part of the proof about subtree [lo, hi), old size n (RFC 6962 §2.1.2 SUBPROOF). */
function subproofIndexes(lo: number, hi: number, n: number, need: number[]): number[] {
  if (n === hi) {
    // Common ground: the whole subtree is in the old tree. The verifier knows the old root,
    // so the subtree that is the whole old tree (lo == 0) is left out.
    return lo === 0 ? need : subtreeIndexes(lo, hi, need);
  }
  const k = 2 ** floorLog2(hi - lo - 1); // largest power of two < hi - lo
  if (n <= lo + k) {
    subproofIndexes(lo, lo + k, n, need);
    subtreeIndexes(lo + k, hi, need);
  } else {
    subtreeIndexes(lo, lo + k, need);
    subproofIndexes(lo + k, hi, n, need);
  }
  return need;
}

/** Builds the subproof for [lo, hi) from the hashes subproofIndexes asked for; appends bottom-up. */
function buildSubproof(lo: number, hi: number, n: number, cur: HashCursor, out: Uint8Array[]): void {
  if (n === hi) {
    if (lo !== 0) out.push(subtreeHash(lo, hi, cur));
    return;
  }
  const k = 2 ** floorLog2(hi - lo - 1);
  if (n <= lo + k) {
    buildSubproof(lo, lo + k, n, cur, out);
    out.push(subtreeHash(lo + k, hi, cur));
  } else {
    const left = subtreeHash(lo, lo + k, cur);
    buildSubproof(lo + k, hi, n, cur, out);
    out.push(left);
  }
}

/** The consistency proof from the tree of `from` leaves to the tree of `to` leaves (empty when from is 0 or to). */
export async function proveConsistency(from: number, to: number, reader: HashReader): Promise<Uint8Array[]> {
  assertTreeSize(from, 'from');
  assertStoredTreeSize(to, 'to');
  if (from > to) throw new GovfedError('ERR_INVALID_TREE_SIZE', `from (${from}) > to (${to})`);
  if (from === 0 || from === to) return [];
  return fromStoredHashes(reader, subproofIndexes(0, to, from, []), 'proveConsistency', (cur) => {
    const proof: Uint8Array[] = [];
    buildSubproof(0, to, from, cur, proof);
    return proof;
  });
}

// ---- verifying: every argument is attacker-controlled ----

/**
 * Checks that the tree of `from` leaves with root `root1` is a prefix of the tree of `to` leaves with
 * root `root2`. Returns nothing; throws a GovfedError: ERR_INVALID_TREE_SIZE, ERR_INVALID_HASH,
 * ERR_PROOF_SIZE or ERR_ROOT_MISMATCH (ERR_INVALID_INPUT when `proof` is not an array at all).
 */
export function verifyConsistency(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  assertTreeSize(from, 'from');
  assertTreeSize(to, 'to');
  if (from > to) throw new GovfedError('ERR_INVALID_TREE_SIZE', `from (${from}) > to (${to})`);
  if (!Array.isArray(proof)) throw new GovfedError('ERR_INVALID_INPUT', 'consistency proof: expected an array');
  if (from === to) verifySameSize(from, proof, root1, root2);
  else if (from === 0) verifyFromEmpty(proof, root1, root2);
  else verifyAppendOnly(from, to, proof, root1, root2);
}

/**
 * from == to: nothing to prove; the roots must be the same bytes. As in transparency-dev/merkle (whose
 * vectors are our contract and accept two equal 12-byte "roots" at size 1) the roots are compared as
 * opaque bytes, without a length check: equal bytes make the same claim, whatever it is. The empty
 * tree has exactly one root.
 */
function verifySameSize(size: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  if (proof.length !== 0) throw new GovfedError('ERR_PROOF_SIZE', 'from == to: the proof must be empty');
  if (!(root1 instanceof Uint8Array)) throw new GovfedError('ERR_INVALID_HASH', 'root1: expected Uint8Array');
  if (!(root2 instanceof Uint8Array)) throw new GovfedError('ERR_INVALID_HASH', 'root2: expected Uint8Array');
  if (!equalBytes(root1, root2)) throw new GovfedError('ERR_ROOT_MISMATCH', 'from == to but the roots differ');
  if (size === 0 && !isEmptyRoot(root1)) {
    throw new GovfedError('ERR_ROOT_MISMATCH', 'root of the empty tree must be SHA-256("")');
  }
}

/** from == 0 < to: every tree extends the empty tree, but root1 must really be the empty-tree hash. */
function verifyFromEmpty(proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  assertHash(root1, 'root1');
  assertHash(root2, 'root2');
  if (proof.length !== 0) throw new GovfedError('ERR_PROOF_SIZE', 'from == 0: the proof must be empty');
  if (!isEmptyRoot(root1)) throw new GovfedError('ERR_ROOT_MISMATCH', 'root of the empty tree must be SHA-256("")');
}

/**
 * True when a consistency proof from `from` leaves carries the old tree's root hash folded into its
 * first element, i.e. `from` is not a power of two. For a power of two the old tree is one complete
 * subtree, RFC 9162 leaves its hash out (the verifier knows it), and the proof alone does not fix it.
 */
export function proofCarriesOldRoot(from: number): boolean {
  assertTreeSize(from, 'from');
  return from > 0 && from !== 2 ** trailingZeros(from);
}

/**
 * The two roots a consistency proof from `from` to `to` leaves implies (0 < from < to), after checking
 * its shape (ERR_INVALID_TREE_SIZE, ERR_INVALID_HASH, ERR_PROOF_SIZE). The proof is the inclusion path
 * of leaf from-1 in the new tree, minus the levels inside the largest complete subtree that ends at
 * `from` (its hash is the seed). Folding only the left siblings gives the old root, all siblings the
 * new root, so one proof fixes both trees (collision resistance of SHA-256).
 *
 * When `from` is a power of two the seed is the old root itself and is not in the proof: pass it as
 * `completeOldRoot` (ignored otherwise, see proofCarriesOldRoot). The result proves nothing until it
 * is compared with trusted roots: verifyConsistency does that; equivocation evidence uses it to show
 * that a signed tree disagrees with another (protocol/witness/evidence.ts).
 */
export function rootsFromConsistencyProof(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  completeOldRoot?: Uint8Array,
): { oldRoot: Uint8Array; newRoot: Uint8Array } {
  assertTreeSize(from, 'from');
  assertTreeSize(to, 'to');
  if (!(from > 0 && from < to)) {
    throw new GovfedError(
      'ERR_INVALID_TREE_SIZE',
      `roots of a consistency proof need 0 < from < to, got ${from}, ${to}`,
    );
  }
  assertProofHashes(proof, 'consistency proof');
  const decomposed = decomposeInclusionProof(from - 1, to);
  const shift = trailingZeros(from); // levels inside the complete subtree ending at `from`
  const inner = decomposed.inner - shift;
  const border = decomposed.border;
  const oldIsComplete = from === 2 ** shift;
  const start = oldIsComplete ? 0 : 1;
  if (proof.length !== start + inner + border) {
    throw new GovfedError(
      'ERR_PROOF_SIZE',
      `consistency proof: expected ${start + inner + border} hashes, got ${proof.length}`,
    );
  }
  if (oldIsComplete) assertHash(completeOldRoot, 'old root of a complete tree');
  const seed = oldIsComplete ? (completeOldRoot as Uint8Array) : (proof[0] as Uint8Array);
  const mask = shiftRight(from - 1, shift);
  const oldRoot = chainBorderRight(
    chainInnerRight(seed, proof, start, inner, mask),
    proof,
    start + inner,
    proof.length,
  );
  const newRoot = chainBorderRight(chainInner(seed, proof, start, inner, mask), proof, start + inner, proof.length);
  return { oldRoot: oldIsComplete ? seed.slice() : oldRoot, newRoot };
}

/** 0 < from < to (RFC 9162 §2.1.4.2): both roots the proof implies must be the given ones. */
function verifyAppendOnly(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  assertHash(root1, 'root1');
  assertHash(root2, 'root2');
  const { oldRoot, newRoot } = rootsFromConsistencyProof(from, to, proof, root1);
  if (!equalBytes(oldRoot, root1))
    throw new GovfedError('ERR_ROOT_MISMATCH', 'consistency proof does not lead to root1');
  if (!equalBytes(newRoot, root2))
    throw new GovfedError('ERR_ROOT_MISMATCH', 'consistency proof does not lead to root2');
}
