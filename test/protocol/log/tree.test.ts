import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../protocol/encoding/bytes.ts';
import { EMPTY_ROOT } from '../../../protocol/log/hash.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import type { HashReader } from '../../../protocol/log/reader.ts';
import { MAX_TREE_SIZE } from '../../../protocol/log/size.ts';
import { treeHash } from '../../../protocol/log/tree.ts';
import { code, grownTree, naiveMth } from './helpers.ts';

// The eight test leaves of RFC 6962 implementations (Certificate Transparency, transparency-dev/merkle)
// and the roots of their first 1..8 leaves.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const BIG = 3000;
const { leaves, tree, roots } = grownTree(BIG, 'tree test leaf');

describe('treeHash', () => {
  describe('when given the RFC 6962 test leaves', () => {
    it('reproduces the known roots of every past size', async () => {
      const ct = new MemoryTree();
      for (const hex of CT_LEAVES) ct.append(fromHex(hex));
      for (let size = 1; size <= 8; size++) expect(toHex(await treeHash(size, ct))).toBe(CT_ROOTS[size - 1]);
    });
  });

  describe('when computing every past size up to 300 from stored hashes', () => {
    it('matches the naive recursive MTH', async () => {
      for (let size = 0; size <= 300; size++) {
        expect(await treeHash(size, tree)).toEqual(naiveMth(leaves.slice(0, size)));
      }
    });
  });

  describe('when computing random past sizes of a 3000-leaf tree', () => {
    it('matches the root the appender had at that size', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: BIG }), async (size) => {
          expect(await treeHash(size, tree)).toEqual(roots[size]);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when the reader is asynchronous', () => {
    it('awaits it', async () => {
      const slow: HashReader = { readHashes: async (ix) => tree.readHashes(ix) };
      expect(await treeHash(1234, slow)).toEqual(roots[1234]);
    });
  });

  describe('when the size is 0', () => {
    it('is the empty-tree hash, without reading', async () => {
      const none: HashReader = {
        readHashes: () => {
          throw new Error('must not read');
        },
      };
      expect(await treeHash(0, none)).toEqual(EMPTY_ROOT);
    });
  });

  describe('when the caller mutates the result', () => {
    it('does not touch stored hashes', async () => {
      (await treeHash(1024, tree)).fill(0);
      expect(await treeHash(1024, tree)).toEqual(roots[1024]);
    });
  });

  describe('when the reader lacks hashes', () => {
    it('throws ERR_MISSING_HASH', async () => {
      await expect(treeHash(BIG + 1, tree)).rejects.toThrow(code('ERR_MISSING_HASH'));
    });
  });

  describe('when the size is invalid', () => {
    it('throws ERR_INVALID_TREE_SIZE', async () => {
      for (const s of [-1, 0.5, Number.NaN, MAX_TREE_SIZE + 1]) {
        await expect(treeHash(s, tree)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
      }
    });
  });
});
