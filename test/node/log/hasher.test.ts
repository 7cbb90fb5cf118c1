import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastLeafHash, fastNodeHash } from '../../../node/log/hasher.ts';
import { leafHash, nodeHash } from '../../../protocol/log/index.ts';

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
