import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { EMPTY_ROOT, leafHash, nodeHash } from '../../../protocol/log/hash.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import { storedHashCount, storedHashIndex } from '../../../protocol/log/stored.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('MemoryTree', () => {
  describe('when entries are appended', () => {
    it('returns consecutive indexes and hashes entries as RFC 6962 leaves', () => {
      const tree = new MemoryTree();
      expect(tree.size).toBe(0);
      expect(tree.root()).toEqual(EMPTY_ROOT);
      expect(tree.append(utf8('a'))).toBe(0);
      expect(tree.appendLeafHash(leafHash(utf8('b')))).toBe(1);
      expect(tree.append(utf8('c'))).toBe(2);
      expect(tree.size).toBe(3);
      const [a, b, c] = ['a', 'b', 'c'].map((s) => leafHash(utf8(s))) as [Uint8Array, Uint8Array, Uint8Array];
      expect(tree.root()).toEqual(nodeHash(nodeHash(a, b), c));
      expect(tree.readHashes([storedHashIndex(0, 0), storedHashIndex(0, 1), storedHashIndex(1, 0)])).toEqual([
        a,
        b,
        nodeHash(a, b),
      ]);
    });
  });

  describe('when more hashes are stored than fit one storage chunk', () => {
    it('reads back every stored hash across chunk boundaries', () => {
      const tree = new MemoryTree();
      const n = 40_000; // about 80,000 stored hashes: three 32,768-hash chunks
      for (let i = 0; i < n; i++) tree.append(utf8(String(i)));
      const count = storedHashCount(n);
      for (const i of [0, 32_767, 32_768, 65_535, 65_536, count - 1]) {
        expect(tree.readHashes([i])[0]).toHaveLength(32);
      }
      const lastLeaf = storedHashIndex(0, n - 1);
      expect(tree.readHashes([lastLeaf])).toEqual([leafHash(utf8(String(n - 1)))]);
    });
  });

  describe('when the caller mutates hashes it read', () => {
    it('keeps the stored hashes intact', () => {
      const tree = new MemoryTree();
      tree.append(utf8('x'));
      (tree.readHashes([0])[0] as Uint8Array).fill(0);
      expect(tree.readHashes([0])).toEqual([leafHash(utf8('x'))]);
    });
  });

  describe('when an index is not stored', () => {
    it('throws ERR_MISSING_HASH', () => {
      const tree = new MemoryTree();
      tree.append(utf8('x'));
      for (const i of [1, -1, 0.5, Number.NaN]) expect(() => tree.readHashes([0, i])).toThrow(code('ERR_MISSING_HASH'));
    });
  });

  describe('when a leaf hash is not 32 bytes', () => {
    it('throws ERR_INVALID_HASH and stores nothing', () => {
      const tree = new MemoryTree();
      expect(() => tree.appendLeafHash(new Uint8Array(31))).toThrow(code('ERR_INVALID_HASH'));
      expect(tree.size).toBe(0);
      expect(() => tree.readHashes([0])).toThrow(code('ERR_MISSING_HASH'));
    });
  });
});
