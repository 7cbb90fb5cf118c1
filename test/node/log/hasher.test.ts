import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastLeafHash, fastNodeHash } from '../../../node/log/hasher.ts';
import { Frontier, leafHash, MemoryTree, nodeHash } from '../../../protocol/log/index.ts';

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('fastLeafHash', () => {
  describe('when given any entry', () => {
    it('equals protocol/log leafHash', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 5000 }), (e) => {
          expect(new Uint8Array(fastLeafHash(e))).toEqual(leafHash(e));
        }),
      );
    });

    it('matches the RFC 6962 hash of the empty entry', () => {
      expect(Buffer.from(fastLeafHash(new Uint8Array(0))).toString('hex')).toBe(
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      );
    });
  });
});

describe('fastNodeHash', () => {
  describe('when given any two hashes', () => {
    it('equals protocol/log nodeHash', () => {
      fc.assert(
        fc.property(hash32, hash32, (l, r) => {
          expect(new Uint8Array(fastNodeHash(l, r))).toEqual(nodeHash(l, r));
        }),
      );
    });

    it('returns plain Uint8Arrays, whose slice() is a copy (as protocol/log expects)', () => {
      const h = fastLeafHash(new Uint8Array([1, 2, 3]));
      expect(h.constructor).toBe(Uint8Array);
      const copy = h.slice();
      copy[0] = (copy[0] as number) ^ 1;
      expect(copy[0]).not.toBe(h[0]);
      expect(fastNodeHash(h, h).constructor).toBe(Uint8Array);
    });

    it('returns independent buffers across calls', () => {
      const a = fastNodeHash(new Uint8Array(32), new Uint8Array(32).fill(1));
      const copy = Uint8Array.from(a);
      fastNodeHash(new Uint8Array(32).fill(2), new Uint8Array(32).fill(3));
      expect(new Uint8Array(a)).toEqual(copy);
    });
  });
});

describe('fastNodeHash as the Frontier node hash', () => {
  const leafHashes = fc.array(hash32, { minLength: 1, maxLength: 300 });

  describe('when leaves are appended', () => {
    it('gives the same stored hashes and roots as the pure Frontier', () => {
      fc.assert(
        fc.property(leafHashes, (hs) => {
          const fast = Frontier.empty({ nodeHash: fastNodeHash });
          const pure = Frontier.empty();
          for (const h of hs) {
            expect(fast.append(h).map((x) => new Uint8Array(x))).toEqual(pure.append(h));
            expect(new Uint8Array(fast.root())).toEqual(pure.root());
          }
        }),
        { numRuns: 50 },
      );
    });
  });

  describe('when loaded from stored hashes', () => {
    it('gives the same root and appends on identically', async () => {
      await fc.assert(
        fc.asyncProperty(leafHashes, fc.nat(), async (hs, cut) => {
          const tree = new MemoryTree();
          for (const h of hs) tree.appendLeafHash(h);
          const size = cut % (hs.length + 1);
          const fast = await Frontier.load(size, tree, { nodeHash: fastNodeHash });
          const pure = await Frontier.load(size, tree);
          expect(new Uint8Array(fast.root())).toEqual(pure.root());
          for (const h of hs.slice(size)) expect(fast.append(h).map((x) => new Uint8Array(x))).toEqual(pure.append(h));
          expect(new Uint8Array(fast.root())).toEqual(tree.root());
        }),
        { numRuns: 50 },
      );
    });
  });
});
