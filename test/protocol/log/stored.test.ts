import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { Frontier } from '../../../protocol/log/frontier.ts';
import { leafHash } from '../../../protocol/log/hash.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import { MAX_TREE_SIZE } from '../../../protocol/log/size.ts';
import {
  splitStoredHashIndex,
  storedHashCount,
  storedHashesForLeafHash,
  storedHashIndex,
} from '../../../protocol/log/stored.ts';

const code = (c: string) => expect.objectContaining({ code: c });

/**
 * Brute-force reference: replay appends and list, in write order, the node (level, n) of every hash
 * written. Appending leaf m writes (0, m), then one node per subtree it completes.
 */
function bruteForceLayout(leaves: number): { nodes: Array<[number, number]>; countAfter: number[] } {
  const nodes: Array<[number, number]> = [];
  const countAfter = [0];
  for (let m = 0; m < leaves; m++) {
    nodes.push([0, m]);
    for (let level = 1; (m + 1) % 2 ** level === 0; level++) nodes.push([level, (m + 1) / 2 ** level - 1]);
    countAfter.push(nodes.length);
  }
  return { nodes, countAfter };
}

const LEAVES = 2100;
const layout = bruteForceLayout(LEAVES);

describe('storedHashIndex', () => {
  describe('when compared with a brute-force replay of appends', () => {
    it('gives every node its write position', () => {
      layout.nodes.forEach(([level, n], i) => {
        expect(storedHashIndex(level, n)).toBe(i);
      });
    });
  });
  describe('when the node is the last one addressable', () => {
    it('stays a safe integer', () => {
      expect(storedHashIndex(52, 0)).toBe(2 ** 53 - 2);
      expect(storedHashIndex(0, MAX_TREE_SIZE - 1)).toBe(2 ** 53 - 54);
    });
  });
  describe('when the level or node index is out of range', () => {
    it('throws ERR_INDEX_OUT_OF_RANGE', () => {
      for (const [level, n] of [
        [-1, 0],
        [53, 0],
        [0.5, 0],
        [0, -1],
        [0, 1.5],
        [0, MAX_TREE_SIZE],
        [52, 1],
        [1, MAX_TREE_SIZE / 2],
        [0, Number.NaN],
      ] as Array<[number, number]>) {
        expect(() => storedHashIndex(level, n)).toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
      }
    });
  });
});

describe('splitStoredHashIndex', () => {
  describe('when compared with a brute-force replay of appends', () => {
    it('inverts every write position', () => {
      layout.nodes.forEach(([level, n], i) => {
        expect(splitStoredHashIndex(i)).toEqual({ level, n });
      });
    });
  });
  describe('when the index is anywhere in the addressable range', () => {
    it('round-trips with storedHashIndex', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 52 }), fc.double({ min: 0, max: 1, noNaN: true }), (level, frac) => {
          const n = Math.min(Math.floor(frac * (MAX_TREE_SIZE / 2 ** level)), MAX_TREE_SIZE / 2 ** level - 1);
          expect(splitStoredHashIndex(storedHashIndex(level, n))).toEqual({ level, n });
        }),
        { numRuns: 500 },
      );
      expect(splitStoredHashIndex(2 ** 53 - 2)).toEqual({ level: 52, n: 0 });
    });
  });
  describe('when the index is out of range', () => {
    it('throws ERR_INDEX_OUT_OF_RANGE', () => {
      for (const i of [-1, 0.5, 2 ** 53 - 1, 2 ** 53, Number.NaN]) {
        expect(() => splitStoredHashIndex(i)).toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
      }
    });
  });
});

describe('storedHashCount', () => {
  describe('when compared with a brute-force replay of appends', () => {
    it('counts the hashes stored after each size', () => {
      layout.countAfter.forEach((count, size) => {
        expect(storedHashCount(size)).toBe(count);
      });
    });
  });
  describe('when the tree is the largest addressable', () => {
    it('is 2^53 - 1', () => {
      expect(storedHashCount(MAX_TREE_SIZE)).toBe(2 ** 53 - 1);
    });
  });
  describe('when the size is invalid or too large', () => {
    it('throws ERR_INVALID_TREE_SIZE', () => {
      for (const s of [-1, 1.5, MAX_TREE_SIZE + 1, Number.NaN]) {
        expect(() => storedHashCount(s)).toThrow(code('ERR_INVALID_TREE_SIZE'));
      }
    });
  });
});

describe('storedHashesForLeafHash', () => {
  describe('when appending leaves one by one through a reader', () => {
    it('returns what Frontier.append returns, to be stored at storedHashCount(index)', async () => {
      const tree = new MemoryTree();
      const frontier = Frontier.empty();
      for (let i = 0; i < 300; i++) {
        const h = leafHash(utf8(`leaf ${i}`));
        const got = await storedHashesForLeafHash(i, h, tree);
        expect(got).toEqual(frontier.append(h));
        expect(storedHashCount(i + 1) - storedHashCount(i)).toBe(got.length);
        tree.appendLeafHash(h);
        expect(tree.readHashes(got.map((_, k) => storedHashCount(i) + k))).toEqual(got);
      }
    });
  });
  describe('when the reader lacks the sibling hashes', () => {
    it('throws ERR_MISSING_HASH', async () => {
      const tree = new MemoryTree();
      tree.append(utf8('only one'));
      await expect(storedHashesForLeafHash(3, leafHash(utf8('x')), tree)).rejects.toThrow(code('ERR_MISSING_HASH'));
    });
  });
  describe('when the leaf hash or index is invalid', () => {
    it('throws ERR_INVALID_HASH or ERR_INDEX_OUT_OF_RANGE', async () => {
      const tree = new MemoryTree();
      await expect(storedHashesForLeafHash(0, new Uint8Array(31), tree)).rejects.toThrow(code('ERR_INVALID_HASH'));
      for (const i of [-1, 0.5, MAX_TREE_SIZE]) {
        await expect(storedHashesForLeafHash(i, new Uint8Array(32), tree)).rejects.toThrow(
          code('ERR_INDEX_OUT_OF_RANGE'),
        );
      }
    });
  });
});
