/**
 * The consistency tests' references and shared data: RFC 6962 / RFC 9162 consistency algorithms
 * written from the RFC text, the shared vectors' loader, and one tree of 4,100 leaves built once.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { equalBytes, fromBase64 } from '../../../protocol/encoding/bytes.ts';
import { proveConsistency } from '../../../protocol/log/consistency.ts';
import { EMPTY_ROOT, nodeHash } from '../../../protocol/log/hash.ts';
import { grownTree, largestPow2Below, naiveMth, readVector, vectorProof } from './helpers.ts';

// ---- references, written from the RFC text (naiveMth: helpers.ts) ----

/** RFC 6962 §2.1.2 SUBPROOF(m, D[n], b), recursively. PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export function naiveSubproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [naiveMth(d)];
  const k = largestPow2Below(d.length);
  if (m <= k) return [...naiveSubproof(m, d.slice(0, k), b), naiveMth(d.slice(k))];
  return [...naiveSubproof(m - k, d.slice(k), false), naiveMth(d.slice(0, k))];
}

/**
 * The contract's rules for the trivial cases, then RFC 9162 §2.1.4.2 literally, on BigInt: the
 * reference verifier the implementation is compared with.
 */
export function rfcVerify(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!ok(from) || !ok(to) || from > to) return false;
  if (from === to) return proof.length === 0 && equalBytes(root1, root2) && (from > 0 || equalBytes(root1, EMPTY_ROOT));
  if (from === 0) return proof.length === 0 && equalBytes(root1, EMPTY_ROOT) && root2.length === 32;
  if (root1.length !== 32 || root2.length !== 32 || proof.some((p) => p.length !== 32)) return false;
  const chained = rfcChain(BigInt(from), BigInt(to), proof, root1);
  return chained !== undefined && equalBytes(chained.fr, root1) && equalBytes(chained.sr, root2);
}

/** Steps 1-7 of RFC 9162 §2.1.4.2 up to the final comparisons; undefined when the path has the wrong length. */
export function rfcChain(first: bigint, second: bigint, proof: readonly Uint8Array[], firstHash: Uint8Array) {
  if (proof.length === 0) return undefined; // 1
  const path = (first & (first - 1n)) === 0n ? [firstHash, ...proof] : [...proof]; // 2
  let fn = first - 1n; // 3
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    // 4
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Uint8Array; // 5
  let sr = fr;
  for (const c of path.slice(1)) {
    // 6
    if (sn === 0n) return undefined;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while (!((fn & 1n) === 1n || fn === 0n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? { fr, sr } : undefined; // 7
}

/** Number of proof hashes the RFC 9162 algorithm consumes for 0 < first < second. */
export function rfcProofLength(first: bigint, second: bigint): number {
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let steps = 0;
  while (sn !== 0n) {
    if ((fn & 1n) === 0n && fn === sn) {
      while (!((fn & 1n) === 1n || fn === 0n)) {
        fn >>= 1n;
        sn >>= 1n;
      }
    }
    fn >>= 1n;
    sn >>= 1n;
    steps++;
  }
  const prepended = (first & (first - 1n)) === 0n;
  return prepended ? steps : steps + 1;
}

// ---- the shared vectors: a contract ----

export interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: Uint8Array[];
  wantErr: boolean;
}

export function loadConsistencyVector(file: string): ConsistencyVector {
  // Sizes above 2^53 lose precision in JSON.parse; they stay unsafe numbers, which the API rejects.
  const v = readVector(file);
  expect(typeof v.size1).toBe('number');
  expect(typeof v.size2).toBe('number');
  expect(typeof v.wantErr).toBe('boolean');
  return {
    size1: v.size1 as number,
    size2: v.size2 as number,
    root1: fromBase64(v.root1 as string),
    root2: fromBase64(v.root2 as string),
    proof: vectorProof(v.proof),
    wantErr: v.wantErr as boolean,
  };
}

// ---- a tree built once, shared by the properties ----

export const N = 4100;
export const { leaves, tree, roots } = grownTree(N, 'consistency test leaf');

/** Sizes minFrom <= from <= to <= N, with from < to when `strict`. */
export const sizes = (minFrom: number, strict: boolean) =>
  fc
    .integer({ min: minFrom, max: strict ? N - 1 : N })
    .chain((from) => fc.tuple(fc.constant(from), fc.integer({ min: strict ? from + 1 : from, max: N })));

export async function proofFor(from: number, to: number) {
  const proof = await proveConsistency(from, to, tree);
  return { proof, root1: roots[from] as Uint8Array, root2: roots[to] as Uint8Array };
}
