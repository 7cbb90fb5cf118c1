import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes, utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  proofCarriesOldRoot,
  proveConsistency,
  rootsFromConsistencyProof,
  verifyConsistency,
} from '../../../protocol/log/consistency.ts';
import { EMPTY_ROOT, leafHash } from '../../../protocol/log/hash.ts';
import { MAX_TREE_SIZE } from '../../../protocol/log/size.ts';
import { treeHash } from '../../../protocol/log/tree.ts';
import {
  leaves,
  loadConsistencyVector,
  N,
  naiveSubproof,
  proofFor,
  rfcChain,
  rfcProofLength,
  rfcVerify,
  roots,
  sizes,
  tree,
} from './consistency-reference.ts';
import { code, flipBit, itChecksVectors, LOG_CODES, rejection } from './helpers.ts';

describe('verifyConsistency', () => {
  describe('when checked against the shared RFC 6962 consistency vectors', () => {
    itChecksVectors('consistency', (file) => {
      const v = loadConsistencyVector(file);
      const got = rejection(() => verifyConsistency(v.size1, v.size2, v.proof, v.root1, v.root2));
      if (v.wantErr) expect(LOG_CODES).toContain(got);
      else expect(got).toBeUndefined();
    });
  });
});

describe('proveConsistency', () => {
  describe('when proving every pair of sizes up to 64 leaves', () => {
    it('returns RFC 6962 PROOF(m, D[n]) and the proof verifies', async () => {
      for (let n = 0; n <= 64; n++) {
        const d = leaves.slice(0, n);
        for (let m = 0; m <= n; m++) {
          const proof = await proveConsistency(m, n, tree);
          expect(proof).toEqual(m === 0 ? [] : naiveSubproof(m, d, true));
          const [r1, r2] = [roots[m] as Uint8Array, roots[n] as Uint8Array];
          expect(() => verifyConsistency(m, n, proof, r1, r2)).not.toThrow();
          expect(rfcVerify(m, n, proof, r1, r2)).toBe(true);
        }
      }
    });
  });

  describe('when proving random pairs of sizes up to 4100 leaves', () => {
    it('gives proofs that verify against treeHash and against the literal RFC 9162 algorithm', async () => {
      await fc.assert(
        fc.asyncProperty(sizes(0, false), async ([from, to]) => {
          const { proof } = await proofFor(from, to);
          const [r1, r2] = [await treeHash(from, tree), await treeHash(to, tree)];
          expect(() => verifyConsistency(from, to, proof, r1, r2)).not.toThrow();
          expect(rfcVerify(from, to, proof, r1, r2)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when from is 0 or equals to', () => {
    it('returns the empty proof', async () => {
      expect(await proveConsistency(0, 0, tree)).toEqual([]);
      expect(await proveConsistency(0, 77, tree)).toEqual([]);
      expect(await proveConsistency(77, 77, tree)).toEqual([]);
    });
  });

  describe('when the sizes are invalid', () => {
    it('throws ERR_INVALID_TREE_SIZE', async () => {
      for (const [from, to] of [
        [5, 4],
        [-1, 4],
        [1.5, 4],
        [1, MAX_TREE_SIZE + 1],
      ] as Array<[number, number]>) {
        await expect(proveConsistency(from, to, tree)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
      }
    });
  });

  describe('when the reader lacks hashes', () => {
    it('throws ERR_MISSING_HASH', async () => {
      await expect(proveConsistency(3, N + 10, tree)).rejects.toThrow(code('ERR_MISSING_HASH'));
    });
  });
});

describe('verifyConsistency mutations', () => {
  describe('when one bit of one proof hash is flipped', () => {
    it('rejects with ERR_ROOT_MISMATCH', async () => {
      await fc.assert(
        fc.asyncProperty(sizes(1, true), fc.nat(), fc.integer({ min: 0, max: 255 }), async ([from, to], k, bit) => {
          const { proof, root1, root2 } = await proofFor(from, to);
          const i = k % proof.length;
          const bad = proof.map((h, j) => (j === i ? flipBit(h, bit) : h));
          expect(rejection(() => verifyConsistency(from, to, bad, root1, root2))).toBe('ERR_ROOT_MISMATCH');
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when one bit of root1 is flipped', () => {
    it('rejects with ERR_ROOT_MISMATCH', async () => {
      await fc.assert(
        fc.asyncProperty(sizes(0, false), fc.integer({ min: 0, max: 255 }), async ([from, to], bit) => {
          const { proof, root1, root2 } = await proofFor(from, to);
          expect(rejection(() => verifyConsistency(from, to, proof, flipBit(root1, bit), root2))).toBe(
            'ERR_ROOT_MISMATCH',
          );
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when one bit of root2 is flipped (from > 0: every tree extends the empty one)', () => {
    it('rejects with ERR_ROOT_MISMATCH', async () => {
      await fc.assert(
        fc.asyncProperty(sizes(1, false), fc.integer({ min: 0, max: 255 }), async ([from, to], bit) => {
          const { proof, root1, root2 } = await proofFor(from, to);
          expect(rejection(() => verifyConsistency(from, to, proof, root1, flipBit(root2, bit)))).toBe(
            'ERR_ROOT_MISMATCH',
          );
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when the proof is truncated or extended', () => {
    it('rejects with ERR_PROOF_SIZE', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes(0, false),
          fc.nat(),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          async ([from, to], k, extra) => {
            const { proof, root1, root2 } = await proofFor(from, to);
            const longer = [...proof];
            longer.splice(k % (proof.length + 1), 0, extra);
            expect(rejection(() => verifyConsistency(from, to, longer, root1, root2))).toBe('ERR_PROOF_SIZE');
            if (proof.length > 0) {
              const shorter = proof.filter((_, j) => j !== k % proof.length);
              expect(rejection(() => verifyConsistency(from, to, shorter, root1, root2))).toBe('ERR_PROOF_SIZE');
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('when one bit of from or of to is flipped', () => {
    it('rejects unless the literal RFC 9162 algorithm accepts too (same proof shape)', async () => {
      let rejected = 0;
      await fc.assert(
        fc.asyncProperty(
          sizes(1, true),
          fc.boolean(),
          fc.integer({ min: 0, max: 13 }),
          async ([from, to], flipFrom, bit) => {
            const { proof, root1, root2 } = await proofFor(from, to);
            const [f, t] = flipFrom ? [from ^ (1 << bit), to] : [from, to ^ (1 << bit)];
            const got = rejection(() => verifyConsistency(f, t, proof, root1, root2));
            if (f > t) expect(got).toBe('ERR_INVALID_TREE_SIZE');
            else expect(got === undefined).toBe(rfcVerify(f, t, proof, root1, root2));
            if (got !== undefined) rejected++;
          },
        ),
        { numRuns: 300 },
      );
      expect(rejected).toBeGreaterThan(0);
    });
  });
});

describe('verifyConsistency edge cases', () => {
  const h = (s: string) => leafHash(utf8(s));

  describe('when from > to', () => {
    it('rejects with ERR_INVALID_TREE_SIZE', () => {
      expect(rejection(() => verifyConsistency(2, 1, [], h('a'), h('a')))).toBe('ERR_INVALID_TREE_SIZE');
      expect(rejection(() => verifyConsistency(1, 0, [], h('a'), EMPTY_ROOT))).toBe('ERR_INVALID_TREE_SIZE');
    });
  });

  describe('when both sizes are 0', () => {
    it('accepts only the empty-tree root on both sides and an empty proof', () => {
      expect(() => verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).not.toThrow();
      expect(rejection(() => verifyConsistency(0, 0, [], h('a'), h('a')))).toBe('ERR_ROOT_MISMATCH');
      expect(rejection(() => verifyConsistency(0, 0, [], EMPTY_ROOT, h('a')))).toBe('ERR_ROOT_MISMATCH');
      expect(rejection(() => verifyConsistency(0, 0, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT))).toBe('ERR_PROOF_SIZE');
    });
  });

  describe('when the sizes are equal and non-zero', () => {
    it('accepts byte-equal roots with an empty proof, and nothing else', () => {
      expect(() => verifyConsistency(5, 5, [], h('a'), h('a'))).not.toThrow();
      expect(rejection(() => verifyConsistency(5, 5, [], h('a'), h('b')))).toBe('ERR_ROOT_MISMATCH');
      expect(rejection(() => verifyConsistency(5, 5, [h('c')], h('a'), h('a')))).toBe('ERR_PROOF_SIZE');
    });
  });

  describe('when from is 0 and to is not', () => {
    it('accepts the empty proof with root1 the empty-tree hash and any 32-byte root2', () => {
      expect(() => verifyConsistency(0, 9, [], EMPTY_ROOT, h('x'))).not.toThrow();
      expect(rejection(() => verifyConsistency(0, 9, [], h('y'), h('x')))).toBe('ERR_ROOT_MISMATCH');
      expect(rejection(() => verifyConsistency(0, 9, [h('z')], EMPTY_ROOT, h('x')))).toBe('ERR_PROOF_SIZE');
      expect(rejection(() => verifyConsistency(0, 9, [], EMPTY_ROOT, new Uint8Array(12)))).toBe('ERR_INVALID_HASH');
    });
  });

  describe('when 0 < from < to and a hash is not 32 bytes', () => {
    it('rejects with ERR_INVALID_HASH', async () => {
      const { proof, root1, root2 } = await proofFor(6, 13);
      for (const bad of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), 'x' as unknown as Uint8Array]) {
        expect(rejection(() => verifyConsistency(6, 13, proof, bad, root2))).toBe('ERR_INVALID_HASH');
        expect(rejection(() => verifyConsistency(6, 13, proof, root1, bad))).toBe('ERR_INVALID_HASH');
        expect(rejection(() => verifyConsistency(6, 13, [bad, ...proof.slice(1)], root1, root2))).toBe(
          'ERR_INVALID_HASH',
        );
      }
    });
  });

  describe('when the old tree is complete (from is a power of two)', () => {
    it('leaves root1 out of the proof and still binds it', async () => {
      const { proof, root1, root2 } = await proofFor(8, 13);
      expect(proof).toEqual(naiveSubproof(8, leaves.slice(0, 13), true));
      expect(proof.some((p) => equalBytes(p, root1))).toBe(false);
      expect(() => verifyConsistency(8, 13, proof, root1, root2)).not.toThrow();
      expect(rejection(() => verifyConsistency(8, 13, [root1, ...proof], root1, root2))).toBe('ERR_PROOF_SIZE');
    });
  });

  describe('when a size is not a safe non-negative integer', () => {
    it('rejects with ERR_INVALID_TREE_SIZE', async () => {
      const { proof, root1, root2 } = await proofFor(6, 13);
      for (const bad of [-1, 6.5, Number.NaN, 2 ** 53, 2 ** 64]) {
        expect(rejection(() => verifyConsistency(bad, 13, proof, root1, root2))).toBe('ERR_INVALID_TREE_SIZE');
        expect(rejection(() => verifyConsistency(6, bad, proof, root1, root2))).toBe('ERR_INVALID_TREE_SIZE');
      }
    });
  });

  describe('when the proof is not an array', () => {
    it('rejects with ERR_INVALID_INPUT', () => {
      expect(rejection(() => verifyConsistency(1, 2, null as unknown as Uint8Array[], h('a'), h('b')))).toBe(
        'ERR_INVALID_INPUT',
      );
    });
  });

  describe('when sizes exceed 32 bits', () => {
    it('agrees with the literal RFC 9162 algorithm and wants exactly its proof length', () => {
      const big = fc
        .bigInt({ min: 1n, max: 2n ** 53n - 2n })
        .chain((from) => fc.tuple(fc.constant(from), fc.bigInt({ min: from + 1n, max: 2n ** 53n - 1n })))
        .filter(([, to]) => to >= 2n ** 32n);
      fc.assert(
        fc.property(big, fc.integer(), ([from, to], seed) => {
          const length = rfcProofLength(from, to);
          const proof = Array.from({ length }, (_, i) => leafHash(utf8(`${seed}/${i}`)));
          const seedRoot = leafHash(utf8(`root1 ${seed}`));
          const chained = rfcChain(from, to, proof, seedRoot);
          expect(chained).toBeDefined();
          const { fr, sr } = chained as { fr: Uint8Array; sr: Uint8Array };
          const [f, t] = [Number(from), Number(to)];
          expect(() => verifyConsistency(f, t, proof, fr, sr)).not.toThrow();
          expect(rejection(() => verifyConsistency(f, t, [...proof, sr], fr, sr))).toBe('ERR_PROOF_SIZE');
          expect(rejection(() => verifyConsistency(f, t, proof, fr, flipBit(sr, 0)))).toBe('ERR_ROOT_MISMATCH');
        }),
        { numRuns: 200 },
      );
    });
  });
});

const hx = (s: string) => leafHash(utf8(s));

describe('proofCarriesOldRoot', () => {
  describe('when from is a power of two or zero', () => {
    it('is false', () => {
      for (const from of [0, 1, 2, 4, 8, 1024, 2 ** 52]) expect(proofCarriesOldRoot(from)).toBe(false);
    });
  });

  describe('when from is not a power of two', () => {
    it('is true', () => {
      for (const from of [3, 5, 6, 7, 12, 1023, 2 ** 52 + 1]) expect(proofCarriesOldRoot(from)).toBe(true);
    });
  });

  describe('when from is not a tree size', () => {
    it('throws ERR_INVALID_TREE_SIZE', () => {
      expect(() => proofCarriesOldRoot(-1)).toThrow(code('ERR_INVALID_TREE_SIZE'));
    });
  });
});

describe('rootsFromConsistencyProof', () => {
  describe('when given an honest proof (0 < from < to)', () => {
    it('gives back both trees roots', async () => {
      await fc.assert(
        fc.asyncProperty(sizes(1, true), async ([from, to]) => {
          const { proof, root1, root2 } = await proofFor(from, to);
          const got = rootsFromConsistencyProof(from, to, proof, proofCarriesOldRoot(from) ? undefined : root1);
          expect(got.oldRoot).toEqual(root1);
          expect(got.newRoot).toEqual(root2);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when the proof carries the old root and one proof hash changes', () => {
    it('changes the implied old root or the new root (both are fixed by the proof)', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes(1, true).filter(([from]) => proofCarriesOldRoot(from)),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
          async ([from, to], k, bit) => {
            const { proof, root1, root2 } = await proofFor(from, to);
            const i = k % proof.length;
            const got = rootsFromConsistencyProof(
              from,
              to,
              proof.map((h, j) => (j === i ? flipBit(h, bit) : h)),
            );
            expect(equalBytes(got.oldRoot, root1) && equalBytes(got.newRoot, root2)).toBe(false);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('when the old tree is complete', () => {
    it('returns the given old root and folds it into the new root', async () => {
      const { proof, root1, root2 } = await proofFor(8, 13);
      const got = rootsFromConsistencyProof(8, 13, proof, root1);
      expect(got).toEqual({ oldRoot: root1, newRoot: root2 });
      expect(rootsFromConsistencyProof(8, 13, proof, flipBit(root1, 3)).newRoot).not.toEqual(root2);
    });

    it('throws ERR_INVALID_HASH without the old root', async () => {
      const { proof } = await proofFor(8, 13);
      expect(() => rootsFromConsistencyProof(8, 13, proof)).toThrow(code('ERR_INVALID_HASH'));
    });
  });

  describe('when the sizes are not 0 < from < to', () => {
    it('throws ERR_INVALID_TREE_SIZE', () => {
      for (const [from, to] of [
        [0, 5],
        [5, 5],
        [6, 5],
        [-1, 5],
        [1.5, 5],
      ] as Array<[number, number]>) {
        expect(() => rootsFromConsistencyProof(from, to, [], hx('x'))).toThrow(code('ERR_INVALID_TREE_SIZE'));
      }
    });
  });

  describe('when the proof has the wrong length or a bad hash', () => {
    it('throws ERR_PROOF_SIZE or ERR_INVALID_HASH', async () => {
      const { proof } = await proofFor(6, 13);
      expect(() => rootsFromConsistencyProof(6, 13, proof.slice(1))).toThrow(code('ERR_PROOF_SIZE'));
      expect(() => rootsFromConsistencyProof(6, 13, [...proof, hx('x')])).toThrow(code('ERR_PROOF_SIZE'));
      expect(() => rootsFromConsistencyProof(6, 13, [new Uint8Array(31), ...proof.slice(1)])).toThrow(
        code('ERR_INVALID_HASH'),
      );
    });
  });
});
