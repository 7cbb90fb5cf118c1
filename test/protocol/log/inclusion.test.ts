import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes, fromBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { EMPTY_ROOT, leafHash, nodeHash } from '../../../protocol/log/hash.ts';
import { proveInclusion, rootFromInclusionProof, verifyInclusion } from '../../../protocol/log/inclusion.ts';
import { MAX_TREE_SIZE } from '../../../protocol/log/size.ts';
import { treeHash } from '../../../protocol/log/tree.ts';
import {
  code,
  flipBit,
  grownTree,
  itChecksVectors,
  LOG_CODES,
  largestPow2Below,
  naiveMth,
  readVector,
  rejection,
  vectorProof,
} from './helpers.ts';

// ---- references, written from the RFC text (naiveMth: helpers.ts) ----

/** RFC 6962 §2.1.1 PATH(m, D[n]), recursively: bottom-up sibling hashes. */
function naivePath(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = largestPow2Below(d.length);
  if (m < k) return [...naivePath(m, d.slice(0, k)), naiveMth(d.slice(k))];
  return [...naivePath(m - k, d.slice(k)), naiveMth(d.slice(0, k))];
}

/** Which side each sibling of PATH(m, D[n]) is on, bottom-up: the shape of the proof. */
function naivePathShape(m: number, n: number): string {
  if (n <= 1) return '';
  const k = largestPow2Below(n);
  return m < k ? `${naivePathShape(m, k)}R` : `${naivePathShape(m - k, n - k)}L`;
}

/** RFC 9162 §2.1.3.2 verification, literally, on BigInt: the root the path leads to, or undefined. */
function rfcRoot(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | undefined {
  if (BigInt(index) >= BigInt(size)) return undefined;
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return undefined;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while (!((fn & 1n) === 1n || fn === 0n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : undefined;
}

/** Number of hashes the RFC 9162 algorithm consumes for (index, size). */
function rfcProofLength(index: bigint, size: bigint): number {
  let fn = index;
  let sn = size - 1n;
  let count = 0;
  while (sn !== 0n) {
    if ((fn & 1n) === 0n && fn === sn) {
      while (!((fn & 1n) === 1n || fn === 0n)) {
        fn >>= 1n;
        sn >>= 1n;
      }
    }
    fn >>= 1n;
    sn >>= 1n;
    count++;
  }
  return count;
}

// ---- the shared vectors: a contract ----

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: Uint8Array;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  wantErr: boolean;
}

function loadInclusionVector(file: string): InclusionVector {
  // Indexes above 2^53 (e.g. 2^64 - 1) lose precision in JSON.parse; they stay unsafe numbers, which the
  // API rejects as out of range, as it must reject the exact values.
  const v = readVector(file);
  expect(typeof v.leafIdx).toBe('number');
  expect(typeof v.treeSize).toBe('number');
  expect(typeof v.wantErr).toBe('boolean');
  return {
    leafIdx: v.leafIdx as number,
    treeSize: v.treeSize as number,
    root: fromBase64(v.root as string),
    leafHash: fromBase64(v.leafHash as string),
    proof: vectorProof(v.proof),
    wantErr: v.wantErr as boolean,
  };
}

describe('verifyInclusion', () => {
  describe('when checked against the shared RFC 6962 inclusion vectors', () => {
    itChecksVectors('inclusion', (file) => {
      const v = loadInclusionVector(file);
      const got = rejection(() => verifyInclusion(v.leafIdx, v.treeSize, v.leafHash, v.proof, v.root));
      if (v.wantErr) {
        expect(LOG_CODES).toContain(got);
      } else {
        expect(got).toBeUndefined();
        expect(rootFromInclusionProof(v.leafIdx, v.treeSize, v.leafHash, v.proof)).toEqual(v.root);
      }
    });
  });
});

// ---- a tree built once, shared by the properties ----

const N = 4100; // crosses 4096, so the largest sizes have a one-leaf right edge
const { leaves, tree, roots } = grownTree(N, 'inclusion test leaf');

/** A tree size in [minSize, N] and a leaf index in it. */
const sizeAndIndex = (minSize = 1) =>
  fc.integer({ min: minSize, max: N }).chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1)));

async function proofFor(index: number, size: number) {
  const proof = await proveInclusion(index, size, tree);
  return { proof, root: roots[size] as Uint8Array, leaf: leaves[index] as Uint8Array };
}

describe('proveInclusion', () => {
  describe('when every leaf of every tree up to 64 leaves is proved', () => {
    it('returns RFC 6962 PATH(m, D[n]) and the proof verifies', async () => {
      for (let n = 1; n <= 64; n++) {
        const d = leaves.slice(0, n);
        for (let m = 0; m < n; m++) {
          const proof = await proveInclusion(m, n, tree);
          expect(proof).toEqual(naivePath(m, d));
          expect(() => verifyInclusion(m, n, leaves[m] as Uint8Array, proof, roots[n] as Uint8Array)).not.toThrow();
        }
      }
    });
  });

  describe('when proving random leaves of random trees up to 4100 leaves', () => {
    it('gives proofs that verify against treeHash and against the literal RFC 9162 algorithm', async () => {
      await fc.assert(
        fc.asyncProperty(sizeAndIndex(), async ([size, index]) => {
          const { proof, leaf } = await proofFor(index, size);
          const root = await treeHash(size, tree);
          expect(() => verifyInclusion(index, size, leaf, proof, root)).not.toThrow();
          expect(rfcRoot(index, size, leaf, proof)).toEqual(root);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when the index or size is invalid', () => {
    it('throws ERR_INDEX_OUT_OF_RANGE or ERR_INVALID_TREE_SIZE', async () => {
      await expect(proveInclusion(0, 0, tree)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
      await expect(proveInclusion(5, 5, tree)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
      await expect(proveInclusion(-1, 5, tree)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
      await expect(proveInclusion(0, 1.5, tree)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
      await expect(proveInclusion(0, MAX_TREE_SIZE + 1, tree)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
    });
  });

  describe('when the reader lacks hashes', () => {
    it('throws ERR_MISSING_HASH', async () => {
      await expect(proveInclusion(0, N + 10, tree)).rejects.toThrow(code('ERR_MISSING_HASH'));
    });
  });
});

describe('verifyInclusion mutations', () => {
  describe('when one bit of one proof hash is flipped', () => {
    it('rejects with ERR_ROOT_MISMATCH', async () => {
      await fc.assert(
        fc.asyncProperty(sizeAndIndex(2), fc.nat(), fc.integer({ min: 0, max: 255 }), async ([size, index], k, bit) => {
          const { proof, root, leaf } = await proofFor(index, size);
          const i = k % proof.length;
          const bad = proof.map((h, j) => (j === i ? flipBit(h, bit) : h));
          expect(rejection(() => verifyInclusion(index, size, leaf, bad, root))).toBe('ERR_ROOT_MISMATCH');
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when one bit of the root or of the leaf hash is flipped', () => {
    it('rejects with ERR_ROOT_MISMATCH', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizeAndIndex(),
          fc.boolean(),
          fc.integer({ min: 0, max: 255 }),
          async ([size, index], inRoot, bit) => {
            const { proof, root, leaf } = await proofFor(index, size);
            const run = inRoot
              ? () => verifyInclusion(index, size, leaf, proof, flipBit(root, bit))
              : () => verifyInclusion(index, size, flipBit(leaf, bit), proof, root);
            expect(rejection(run)).toBe('ERR_ROOT_MISMATCH');
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('when one bit of the index is flipped, staying inside the tree', () => {
    it('rejects', async () => {
      await fc.assert(
        fc.asyncProperty(sizeAndIndex(2), fc.nat(), async ([size, index], pick) => {
          const { proof, root, leaf } = await proofFor(index, size);
          const inRange = [...Array(13).keys()].map((b) => index ^ (1 << b)).filter((i) => i < size);
          const other = inRange[pick % inRange.length] as number;
          expect(['ERR_ROOT_MISMATCH', 'ERR_PROOF_SIZE']).toContain(
            rejection(() => verifyInclusion(other, size, leaf, proof, root)),
          );
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when one bit of the tree size is flipped', () => {
    it('rejects unless the audit path keeps exactly the same shape, as the RFC 9162 algorithm does', async () => {
      let rejected = 0;
      await fc.assert(
        fc.asyncProperty(sizeAndIndex(), fc.integer({ min: 0, max: 13 }), async ([size, index], bit) => {
          const { proof, root, leaf } = await proofFor(index, size);
          const other = size ^ (1 << bit);
          const got = rejection(() => verifyInclusion(index, other, leaf, proof, root));
          if (other <= index) {
            expect(got).toBe('ERR_INDEX_OUT_OF_RANGE');
          } else {
            const sameShape = naivePathShape(index, other) === naivePathShape(index, size);
            expect(got === undefined).toBe(sameShape);
            expect(rfcRoot(index, other, leaf, proof)?.every((x, i) => x === root[i]) ?? false).toBe(sameShape);
          }
          if (got !== undefined) rejected++;
        }),
        { numRuns: 300 },
      );
      expect(rejected).toBeGreaterThan(0);
    });
  });

  describe('when the proof is truncated or extended', () => {
    it('rejects with ERR_PROOF_SIZE', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizeAndIndex(),
          fc.nat(),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          async ([size, index], k, extra) => {
            const { proof, root, leaf } = await proofFor(index, size);
            const longer = [...proof];
            longer.splice(k % (proof.length + 1), 0, extra);
            expect(rejection(() => verifyInclusion(index, size, leaf, longer, root))).toBe('ERR_PROOF_SIZE');
            if (proof.length > 0) {
              const shorter = proof.filter((_, j) => j !== k % proof.length);
              expect(rejection(() => verifyInclusion(index, size, leaf, shorter, root))).toBe('ERR_PROOF_SIZE');
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});

describe('verifyInclusion edge cases', () => {
  const h = (s: string) => leafHash(utf8(s));

  describe('when the tree is empty', () => {
    it('rejects every index with ERR_INDEX_OUT_OF_RANGE', () => {
      expect(rejection(() => verifyInclusion(0, 0, h('a'), [], EMPTY_ROOT))).toBe('ERR_INDEX_OUT_OF_RANGE');
    });
  });

  describe('when the tree has one leaf', () => {
    it('accepts the empty proof when the root is the leaf hash, and nothing else', () => {
      expect(() => verifyInclusion(0, 1, h('a'), [], h('a'))).not.toThrow();
      expect(rejection(() => verifyInclusion(0, 1, h('a'), [], h('b')))).toBe('ERR_ROOT_MISMATCH');
      expect(rejection(() => verifyInclusion(0, 1, h('a'), [h('a')], h('a')))).toBe('ERR_PROOF_SIZE');
      expect(rejection(() => verifyInclusion(1, 1, h('a'), [], h('a')))).toBe('ERR_INDEX_OUT_OF_RANGE');
    });
  });

  describe('when proving the last leaf', () => {
    it('verifies at sizes around powers of two', async () => {
      for (const size of [1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 1023, 1024, 1025, 4095, 4096, 4097, N]) {
        const { proof, root, leaf } = await proofFor(size - 1, size);
        expect(() => verifyInclusion(size - 1, size, leaf, proof, root)).not.toThrow();
      }
    });
  });

  describe('when a hash is not 32 bytes', () => {
    it('rejects with ERR_INVALID_HASH', async () => {
      const { proof, root, leaf } = await proofFor(5, 11);
      for (const bad of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), 'x' as unknown as Uint8Array]) {
        expect(rejection(() => verifyInclusion(5, 11, bad, proof, root))).toBe('ERR_INVALID_HASH');
        expect(rejection(() => verifyInclusion(5, 11, leaf, proof, bad))).toBe('ERR_INVALID_HASH');
        expect(
          rejection(() => verifyInclusion(5, 11, leaf, [proof[0] as Uint8Array, bad, ...proof.slice(2)], root)),
        ).toBe('ERR_INVALID_HASH');
      }
    });
  });

  describe('when a size or index is not a safe non-negative integer', () => {
    it('rejects with ERR_INVALID_TREE_SIZE or ERR_INDEX_OUT_OF_RANGE', async () => {
      const { proof, root, leaf } = await proofFor(5, 11);
      for (const bad of [-1, 5.5, Number.NaN, 2 ** 53, 2 ** 64]) {
        expect(rejection(() => verifyInclusion(bad, 11, leaf, proof, root))).toBe('ERR_INDEX_OUT_OF_RANGE');
        expect(rejection(() => verifyInclusion(5, bad, leaf, proof, root))).toMatch(
          /^ERR_(INVALID_TREE_SIZE|INDEX_OUT_OF_RANGE)$/,
        );
      }
      expect(rejection(() => verifyInclusion(5, 2 ** 53, leaf, proof, root))).toBe('ERR_INVALID_TREE_SIZE');
    });
  });

  describe('when the proof is not an array', () => {
    it('rejects with ERR_INVALID_INPUT', () => {
      expect(rejection(() => verifyInclusion(0, 1, h('a'), null as unknown as Uint8Array[], h('a')))).toBe(
        'ERR_INVALID_INPUT',
      );
    });
  });

  describe('when another size gives the audit path the same shape', () => {
    it('accepts it, as RFC 9162 does: the size is bound by the signed checkpoint, not by the proof', async () => {
      // Leaf 0 has three right siblings in trees of 5..8 leaves alike.
      const { proof, root, leaf } = await proofFor(0, 6);
      expect(() => verifyInclusion(0, 7, leaf, proof, root)).not.toThrow();
      expect(rejection(() => verifyInclusion(0, 4, leaf, proof, root))).toBe('ERR_PROOF_SIZE');
    });
  });

  describe('when sizes and indexes exceed 32 bits', () => {
    it('computes the same root as the literal RFC 9162 algorithm, and wants exactly its proof length', () => {
      const big = fc
        .bigInt({ min: 2n ** 32n, max: 2n ** 53n - 1n })
        .chain((size) => fc.tuple(fc.constant(size), fc.bigInt({ min: 0n, max: size - 1n })));
      fc.assert(
        fc.property(big, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer(), ([size, index], leaf, seed) => {
          const length = rfcProofLength(index, size);
          const proof = Array.from({ length }, (_, i) => leafHash(utf8(`${seed}/${i}`)));
          const [ix, sz] = [Number(index), Number(size)];
          const want = rfcRoot(ix, sz, leaf, proof) as Uint8Array;
          expect(equalBytes(rootFromInclusionProof(ix, sz, leaf, proof), want)).toBe(true);
          expect(() => verifyInclusion(ix, sz, leaf, proof, want)).not.toThrow();
          expect(rejection(() => rootFromInclusionProof(ix, sz, leaf, [...proof, leaf]))).toBe('ERR_PROOF_SIZE');
        }),
        { numRuns: 200 },
      );
    });
  });
});
