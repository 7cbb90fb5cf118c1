import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { concatBytes, equalBytes } from '../../../protocol/encoding/bytes.ts';
import { Frontier } from '../../../protocol/log/frontier.ts';
import { EMPTY_ROOT } from '../../../protocol/log/hash.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import type { HashReader } from '../../../protocol/log/reader.ts';
import { MAX_TREE_SIZE } from '../../../protocol/log/size.ts';
import { storedHashCount } from '../../../protocol/log/stored.ts';
import { code, grownTree, naiveMth } from './helpers.ts';

const SMALL = 300;
const BIG = 3000;
const { leaves, tree: bigTree, roots: bigRoots } = grownTree(BIG, 'frontier test leaf');

describe('Frontier', () => {
  describe('when leaves are appended one by one up to 300', () => {
    it('agrees with MemoryTree and the naive recursive MTH at every size', () => {
      const frontier = Frontier.empty();
      const tree = new MemoryTree();
      for (let size = 0; size <= SMALL; size++) {
        const want = naiveMth(leaves.slice(0, size));
        expect(frontier.size).toBe(size);
        expect(frontier.root()).toEqual(want);
        expect(tree.root()).toEqual(want);
        if (size < SMALL) {
          frontier.append(leaves[size] as Uint8Array);
          tree.appendLeafHash(leaves[size] as Uint8Array);
        }
      }
    });

    it('returns the leaf hash, then the MTH of each subtree the leaf completes', () => {
      const frontier = Frontier.empty();
      for (let size = 0; size < SMALL; size++) {
        const out = frontier.append(leaves[size] as Uint8Array);
        expect(out.length).toBe(storedHashCount(size + 1) - storedHashCount(size));
        out.forEach((h, level) => {
          const end = size + 1;
          expect(h).toEqual(naiveMth(leaves.slice(end - 2 ** level, end)));
        });
      }
    });
  });

  describe('when the tree is empty', () => {
    it('has size 0 and the empty-tree root', () => {
      const f = Frontier.empty();
      expect(f.size).toBe(0);
      expect(f.root()).toEqual(EMPTY_ROOT);
    });
  });

  describe('when the caller mutates what it got back', () => {
    it('keeps its own state intact', () => {
      const f = Frontier.empty();
      const input = (leaves[0] as Uint8Array).slice();
      const out = f.append(input);
      input.fill(0);
      (out[0] as Uint8Array).fill(0);
      f.root().fill(0);
      expect(f.root()).toEqual(leaves[0]);
    });
  });

  describe('when the leaf hash is not 32 bytes', () => {
    it('throws ERR_INVALID_HASH and leaves the frontier unchanged', () => {
      const f = Frontier.empty();
      f.append(leaves[0] as Uint8Array);
      for (const bad of [new Uint8Array(31), new Uint8Array(33), null]) {
        expect(() => f.append(bad as unknown as Uint8Array)).toThrow(code('ERR_INVALID_HASH'));
      }
      expect(f.size).toBe(1);
      expect(f.root()).toEqual(leaves[0]);
    });
  });

  describe('when the log is full', () => {
    it('refuses to append with ERR_INVALID_TREE_SIZE', async () => {
      const oneHash: HashReader = { readHashes: (ix) => ix.map(() => new Uint8Array(32)) };
      const full = await Frontier.load(MAX_TREE_SIZE, oneHash);
      expect(full.size).toBe(MAX_TREE_SIZE);
      expect(() => full.append(leaves[0] as Uint8Array)).toThrow(code('ERR_INVALID_TREE_SIZE'));
    });
  });
});

describe('Frontier.load', () => {
  describe('when loaded from stored hashes at every size up to 300', () => {
    it('has the same root and produces the same stored hashes when appending on', async () => {
      const mismatches: string[] = [];
      for (let size = 0; size <= SMALL; size++) {
        const f = await Frontier.load(size, bigTree);
        expect(f.size).toBe(size);
        expect(f.root()).toEqual(bigRoots[size]);
        for (let i = size; i < SMALL; i++) {
          const out = f.append(leaves[i] as Uint8Array);
          const at = storedHashCount(i);
          const stored = bigTree.readHashes(out.map((_, k) => at + k));
          if (!out.every((h, k) => equalBytes(h, stored[k] as Uint8Array))) mismatches.push(`load ${size}, leaf ${i}`);
        }
        expect(f.root()).toEqual(bigRoots[SMALL]);
      }
      expect(mismatches).toEqual([]);
    });
  });

  describe('when loaded at random sizes of a 3000-leaf tree', () => {
    it('round-trips the root', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: BIG }), async (size) => {
          const f = await Frontier.load(size, bigTree);
          expect(f.root()).toEqual(bigRoots[size]);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('when the reader lacks hashes', () => {
    it('throws ERR_MISSING_HASH', async () => {
      await expect(Frontier.load(BIG + 1, bigTree)).rejects.toThrow(code('ERR_MISSING_HASH'));
    });
  });

  describe('when the size is invalid', () => {
    it('throws ERR_INVALID_TREE_SIZE', async () => {
      for (const s of [-1, 0.5, MAX_TREE_SIZE + 1]) {
        await expect(Frontier.load(s, bigTree)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
      }
    });
  });
});

describe('Frontier with an injected nodeHash', () => {
  /** An independent implementation of the same function, counting its calls. */
  function countingHasher() {
    const hasher = {
      calls: 0,
      nodeHash: (l: Uint8Array, r: Uint8Array) => {
        hasher.calls++;
        return sha256(concatBytes(Uint8Array.of(0x01), l, r));
      },
    };
    return hasher;
  }

  describe('when the injected function computes the same bytes', () => {
    it('gives identical stored hashes and roots at every size up to 300, and is the one called', () => {
      const hasher = countingHasher();
      const injected = Frontier.empty({ nodeHash: hasher.nodeHash });
      const pure = Frontier.empty();
      for (let size = 0; size < SMALL; size++) {
        expect(injected.root()).toEqual(pure.root());
        const leaf = leaves[size] as Uint8Array;
        expect(injected.append(leaf)).toEqual(pure.append(leaf));
      }
      expect(injected.root()).toEqual(bigRoots[SMALL]);
      expect(hasher.calls).toBeGreaterThan(SMALL);
    });

    it('loads from stored hashes and appends on with the same results', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: BIG - 50 }), async (size) => {
          const hasher = countingHasher();
          const f = await Frontier.load(size, bigTree, { nodeHash: hasher.nodeHash });
          expect(f.root()).toEqual(bigRoots[size]);
          for (let i = size; i < size + 50; i++) {
            const out = f.append(leaves[i] as Uint8Array);
            const at = storedHashCount(i);
            expect(out).toEqual(bigTree.readHashes(out.map((_, k) => at + k)));
          }
          expect(f.root()).toEqual(bigRoots[size + 50]);
          expect(hasher.calls).toBeGreaterThan(0);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('when the injected function differs from nodeHash', () => {
    it('is used for stored hashes and roots (they change)', async () => {
      const other = (l: Uint8Array, r: Uint8Array) => sha256(concatBytes(Uint8Array.of(0x02), l, r));
      const f = Frontier.empty({ nodeHash: other });
      f.append(leaves[0] as Uint8Array);
      const out = f.append(leaves[1] as Uint8Array);
      expect(out[1]).not.toEqual(bigTree.readHashes([2])[0]);
      f.append(leaves[2] as Uint8Array);
      expect(f.root()).not.toEqual(bigRoots[3]);
      const loaded = await Frontier.load(3, bigTree, { nodeHash: other });
      expect(loaded.root()).not.toEqual(bigRoots[3]);
    });
  });

  describe('when nodeHash is not a function', () => {
    it('throws ERR_INVALID_INPUT', async () => {
      const bad = { nodeHash: 'sha256' as unknown as (l: Uint8Array, r: Uint8Array) => Uint8Array };
      expect(() => Frontier.empty(bad)).toThrow(code('ERR_INVALID_INPUT'));
      await expect(Frontier.load(3, bigTree, bad)).rejects.toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});
